import { discoverTokenEndpoint, type DiscoveredEndpoint } from "./discovery.js";
import type { DPoPKeyPair } from "./dpop.js";
import { emitEvent, requestEvent } from "./events.js";
import { AbortedError, DiscoveryError, MAX_ERROR_TEXT_CHARS, TokenClientConfigError, TokenError, TokenResponseError } from "./errors.js";
import type { KeyError, TransportError, UnexpectedStatusError } from "./errors.js";
import { DEFAULT_TIMEOUT_MS, draftRequest, fillDraft, signDraft, useDiscovered, type Draft } from "./request-draft.js";
import { fail, type Failure } from "./response-read.js";
import { MAX_BODY_BYTES, processBody, readResponse, rememberSecrets, transportFailure } from "./token-response.js";
import { parseJson, startDeadline } from "./transport.js";
import type { BodyText, Deadline } from "./transport.js";
import type { CallOptions, ClientConfig, FetchLike, FieldPath, GrantRule, TokenEndpoint, TokenResult } from "./types.js";
import { joinUrl } from "./url.js";

/** Timeout used when the client config sets none. */
export { DEFAULT_TIMEOUT_MS };
/** Largest response body read, in bytes (1 MiB). */
export { MAX_BODY_BYTES };
/** Largest text kept on an {@link UnexpectedStatusError} for a non-JSON body (the error's constructor cuts it). */
export { MAX_ERROR_TEXT_CHARS };

/**
 * `T`, but not a place TypeScript infers `T` from (the built-in `NoInfer`
 * needs TypeScript 5.4): without it, a contextual result type would make
 * `requestToken` infer its `Discovery` type argument instead of defaulting it.
 */
type NotInferred<T> = [T][T extends unknown ? 0 : never];

/**
 * Requests a token from a token endpoint (RFC 6749 §3.2) with one grant, e.g.
 * client credentials (§4.4.2), password (§4.3.2), authorization code (§4.1.3)
 * or refresh (§6), and normalises a success answer (§5.1).
 *
 * It is {@link buildTokenRequest}, the client's `fetch` and
 * {@link processTokenResponse} (the same building and reading code), plus
 * OpenID Connect discovery, one deadline over all of it, the DPoP nonce
 * retry and `onEvent`.
 *
 * **What is sent.** The request's fields are `grant.grantField =
 * grant.grantType` (none when the grant has no `grantField`), then `params`,
 * then the client's credentials as `grant.clientAuth` says (§2.3); the grant
 * field and the credential fields cannot be overridden by `params`. `params`
 * holds the grant's other fields exactly as the spec names them. Fields named
 * in `endpoint.spaceDelimited` are sent as one space-delimited string when
 * given as an array (§3.3 `scope`). Each field then travels where
 * `endpoint.parameters` puts it (OpenAPI Parameter Object `in`):
 *
 * - `query`: appended to the URL's query string (form encoding; an array
 *   becomes repeated keys, RFC 8707 §2);
 * - `header`: a request header (an array joined with `", "`);
 * - `path`: substituted for `{name}` in `endpoint.path`, percent-encoded;
 * - anywhere else: the body, encoded as `endpoint.encoding` says (form
 *   arrays become repeated keys, `undefined`/`null` fields are left out of
 *   form bodies). With `encoding: "none"`, or `method: "GET"`, there is no
 *   body and these fields go to the query string too.
 *
 * Credentials travel in the `Authorization` header for `basic`, and as
 * fields (routed like any other) for `fields`.
 *
 * **Client authentication by method.** `config.clientAuth`, when set,
 * decides over `grant.clientAuth` (see `decideClientAuth` in
 * client-auth.ts, which decides every request's method): `client_secret_basic`, `client_secret_post`, `none` and
 * `tls_client_auth` become the rules above; `client_secret_jwt` and
 * `private_key_jwt` (values made in client-jwt.ts, which carry the signing
 * code) send `client_id`, `client_assertion_type` and a `client_assertion`
 * signed afresh for every request sent (RFC 7523 §2.2, `aud` the token
 * endpoint's URL unless `audience` says otherwise).
 *
 * **Assertion grants.** A grant with a `params` hook (`jwtBearerGrant()`,
 * RFC 7523 §2.1, and `tokenExchangeGrant()`, RFC 8693, in
 * assertion-grants.ts) has its fields checked before anything is sent, and
 * an `assertion`, `subject_token` or `actor_token` given as a function is
 * called for this request (within its timeout). An answer's
 * `issued_token_type` (RFC 8693 §2.2.1) is read onto the token.
 *
 * **DPoP.** With `config.dpop` (a `dpopKeyPair()`), every request carries a `DPoP` proof
 * (RFC 9449 §4: `htm`, `htu`, `iat`, `jti`, and the origin's latest nonce).
 * A `DPoP-Nonce` in any answer is kept for its origin; an answer of 400 (or
 * 401) with `use_dpop_nonce` is followed by the request once more, with a
 * new proof carrying the nonce (and a new client assertion); whatever that
 * answers is the result.
 *
 * **Discovery.** With `endpoint.discovery`, the request goes to the
 * `token_endpoint` of the OpenID Connect discovery document (OpenID Connect
 * Discovery 1.0 §4) at that path, read once per `config` object (see
 * `discoverTokenEndpoint`): it must be secure and on the base URL's origin.
 * A `discovered` client authentication becomes what the document's
 * `token_endpoint_auth_methods_supported` allows. No credential is sent
 * before discovery succeeds.
 *
 * Redirects are never followed, so credentials cannot travel to another
 * origin: a 3xx is an {@link UnexpectedStatusError}.
 *
 * **What is returned.** Every outcome of the exchange is returned, never
 * thrown. A status matching `endpoint.successStatuses` (a number, or a range
 * such as `"2XX"`; any 2xx when the list is empty) is read as a token: a JSON
 * object, or with `responseEncoding: "form"` a form-encoded body read into
 * string values (first value per key); token fields are read at their
 * {@link FieldPath}s. A success body whose `errorInSuccess.field` equals
 * `errorInSuccess.equals` is a {@link TokenResponseError} with that status. A
 * status matching `endpoint.errorStatuses` (the status, its range such as
 * `"4XX"`, or `"default"`) with a JSON body is a {@link TokenResponseError}
 * (§5.2); other statuses, unusable success bodies, timeouts (which also
 * cover reading the body, and waiting for discovery), caller aborts and
 * network failures are the {@link TransportError}s; a discovery that fails
 * is a {@link DiscoveryError} (typed when the caller passes it as the third
 * type argument, as clients of endpoints with discovery do).
 *
 * The promise rejects only for caller bugs found before any request is sent:
 * a `TypeError` for `params` that their encoding cannot carry (a header
 * value with a line break, a missing path value, an object in a form body),
 * and a `TokenClientConfigError` for a `baseUrl` that fails
 * `assertSecureUrl`, a `timeoutMs` that is not a positive number of
 * milliseconds below 2^31, or a `discovered` client authentication on an
 * endpoint without discovery, an unknown `clientAuth` method or a
 * `client_secret_*` one without a secret. Keys that cannot sign reject with
 * typed errors ({@link KeyError}): a `ClientKeyError` for a `clientAuth` or
 * assertion key, a `DPoPProofError` for a `dpop` key pair. A function given
 * for an assertion grant's credential rejects with what it throws, or a
 * TypeError naming the field when it gives something other than a string.
 * It also rejects if an injected `clock` throws.
 * Error messages never contain credentials or parameters: they name fields,
 * never values. What the request sent that is secret (the client secret,
 * the Basic credentials, the values of the credential fields: see
 * `CREDENTIAL_FIELDS` in client-auth.ts; each client assertion, DPoP proof
 * and JWT sent, whole and its signature alone; a JWK's private members) is
 * redacted from every error's body, reason and cause, should the server or
 * the platform echo it (see `SecretRedactor` in errors.ts).
 */
export function requestToken<
  Raw = Record<string, unknown>,
  Documented extends TokenResponseError<number, unknown> = never,
  Discovery extends DiscoveryError = never,
>(
  endpoint: TokenEndpoint,
  grant: GrantRule,
  config: ClientConfig,
  params: Readonly<Record<string, unknown>>,
  call: CallOptions = {},
): Promise<TokenResult<Raw, Documented | TransportError | NotInferred<Discovery>>> {
  return observed(config, grant, () => sendRequest<Raw, Documented, Discovery>(endpoint, grant, config, params, call, discover));
}

/**
 * {@link requestToken} for an endpoint without `discovery`, which it
 * refuses (a `TokenClientConfigError`). Generated clients of such endpoints
 * call this, so that their bundles carry no discovery code.
 */
export function requestTokenNoDiscovery<Raw = Record<string, unknown>, Documented extends TokenResponseError<number, unknown> = never>(
  endpoint: TokenEndpoint,
  grant: GrantRule,
  config: ClientConfig,
  params: Readonly<Record<string, unknown>>,
  call: CallOptions = {},
): Promise<TokenResult<Raw, Documented | TransportError>> {
  return observed(config, grant, () => sendRequest<Raw, Documented, never>(endpoint, grant, config, params, call, undefined));
}

/** The discovery step {@link requestToken} passes: {@link discover}. */
type DiscoverStep = typeof discover;

/** Sends the request (`send`); with `config.onEvent`, reports its outcome. */
function observed<Result extends TokenResult<unknown, TokenError>>(config: ClientConfig, grant: GrantRule, send: () => Promise<Result>): Promise<Result> {
  const hook = config.onEvent;
  if (hook === undefined) return send();
  // With `onEvent`: one event per request, from the outcome's kind, code and status alone.
  const started = performance.now();
  const report = (error: { readonly kind: string; readonly code: string } | undefined): void =>
    emitEvent(hook, requestEvent(config.provider, grant.grantType, performance.now() - started, error));
  return send().then(
    (result) => {
      report(result.ok ? undefined : result.error);
      return result;
    },
    (error: unknown) => {
      // A key that cannot sign is a failed request too; caller bugs (TypeError, config errors) are not.
      if (error instanceof TokenError) report(error);
      throw error;
    },
  );
}

async function sendRequest<
  Raw,
  Documented extends TokenResponseError<number, unknown>,
  Discovery extends DiscoveryError,
>(
  endpoint: TokenEndpoint,
  grant: GrantRule,
  config: ClientConfig,
  params: Readonly<Record<string, unknown>>,
  call: CallOptions,
  discoverStep: DiscoverStep | undefined,
): Promise<TokenResult<Raw, Documented | TransportError | NotInferred<Discovery>>> {
  if (endpoint.discovery !== undefined && discoverStep === undefined) {
    throw new TokenClientConfigError("an endpoint with discovery needs requestToken, not requestTokenNoDiscovery");
  }
  const draft = draftRequest(endpoint, grant, config, params);
  const { timeoutMs, redact } = draft;
  // Called as a plain function: browsers reject `fetch` invoked with a `this`
  // other than the global object ("Illegal invocation").
  const fetchFn: FetchLike = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const deadline = startDeadline(timeoutMs, call.signal);
  try {
    const filled = await fillDraft(draft, deadline);
    if (!filled.ok) return filled;
    if (call.signal?.aborted === true) return fail(new AbortedError());
    if (endpoint.discovery !== undefined) {
      // Checked at the top: an endpoint with discovery comes with its step.
      if (discoverStep === undefined) throw new TokenClientConfigError("an endpoint with discovery needs requestToken");
      const discovered = await discoverStep(draft, joinUrl(config.baseUrl, endpoint.discovery), deadline);
      if (!discovered.ok) return fail(discovered.error as TransportError | NotInferred<Discovery>);
    }
    // A DPoP server that asks for a nonce (RFC 9449 §8) gets the request once more, with it.
    for (let attempt = 0; ; attempt++) {
      const signed = await signDraft(draft, deadline);
      if (!signed.ok) return signed;
      const request = signed.request;
      let response: Response;
      try {
        const init: RequestInit = { method: request.method, headers: request.headers, body: request.body, redirect: "manual", signal: deadline.signal };
        const url = request.url;
        // The platform fetch honours the signal; an injected one might not, so only it is raced against the deadline.
        response = config.fetch === undefined ? await fetchFn(url, init) : await deadline.race(Promise.resolve().then(() => fetchFn(url, init)));
      } catch (cause) {
        return fail(transportFailure(deadline, timeoutMs, cause, redact));
      }
      const receivedAt = draft.clock();
      const read = await readResponse(response, deadline, config.fetch === undefined, timeoutMs, redact);
      if (!read.ok) return read;
      const dpop = draft.dpop;
      if (dpop !== undefined && dpop.remember(request.url, response.headers) && attempt === 0 && asksForNonce(dpop, response, read.body)) continue;
      return processBody<Raw, Documented>(endpoint, response, read.body, receivedAt, redact);
    }
  } finally {
    deadline.dispose();
  }
}

/** Options for {@link buildTokenRequest}. */
export interface BuildTokenRequestOptions {
  /**
   * For an endpoint with `discovery`: the discovery document's token endpoint
   * and methods (`discoverTokenEndpoint`), which the request goes to and, for
   * a `discovered` client authentication, which decide the method.
   */
  readonly discovered?: DiscoveredEndpoint | undefined;
  /** Aborts the work before the request exists (a credential made by a function, a signature). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Builds a token request (RFC 6749 §3.2, with one grant: §4.1.3, §4.3.2,
 * §4.4.2, §6, RFC 7523 §2.1, RFC 8693 §2.1, RFC 8628 §3.4) as a WHATWG
 * `Request`, without sending it: the URL, method, headers and body exactly as
 * {@link requestToken} would send them, with the client authentication that
 * `decideClientAuth` picks (RFC 6749 §2.3; a JWT client assertion, RFC 7523
 * §2.2, signed for this request) and, with `config.dpop`, a DPoP proof (RFC
 * 9449 §4; the nonce the origin last sent). `redirect` is `manual`: send it
 * with a `fetch` that does not follow redirects, so credentials stay on the
 * token endpoint's origin. Read the answer with {@link processTokenResponse},
 * passing this request so that its secrets are redacted from errors.
 *
 * Unlike {@link requestToken}, nothing is retried and no discovery document
 * is read: for an endpoint with `discovery`, pass `options.discovered`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4 (the grants)
 * @throws the caller bugs {@link requestToken} rejects with; a
 *   `TokenClientConfigError` for an endpoint with discovery without
 *   `options.discovered`; a `DiscoveryError` when the discovered methods
 *   leave none to use; a `TimeoutError` or `AbortedError` when making a
 *   credential or signature outlasts the timeout or the signal.
 */
export async function buildTokenRequest(
  endpoint: TokenEndpoint,
  grant: GrantRule,
  config: ClientConfig,
  params: Readonly<Record<string, unknown>>,
  options: BuildTokenRequestOptions = {},
): Promise<Request> {
  if (endpoint.discovery !== undefined && options.discovered === undefined) {
    throw new TokenClientConfigError("an endpoint with discovery needs options.discovered (see discoverTokenEndpoint)");
  }
  const draft = draftRequest(endpoint, grant, config, params);
  const deadline = startDeadline(draft.timeoutMs, options.signal);
  try {
    const filled = await fillDraft(draft, deadline);
    if (!filled.ok) throw filled.error;
    if (options.discovered !== undefined && endpoint.discovery !== undefined) {
      const used = useDiscovered(draft, options.discovered);
      if (!used.ok) throw used.error;
    }
    const signed = await signDraft(draft, deadline);
    if (!signed.ok) throw signed.error;
    const { url, method, headers, body } = signed.request;
    const request = new Request(url, { method, headers, body, redirect: "manual" });
    rememberSecrets(request, draft.redact);
    return request;
  } finally {
    deadline.dispose();
  }
}

/**
 * A token endpoint's request for a DPoP nonce (RFC 9449 §8): `use_dpop_nonce`
 * as the error of a 400 (or 401) JSON body, or of a `DPoP` challenge.
 */
function asksForNonce(dpop: DPoPKeyPair, response: Response, body: BodyText): boolean {
  if (response.status !== 400 && response.status !== 401) return false;
  if (dpop.challenge(response.headers)?.error === "use_dpop_nonce") return true;
  if (body.truncated) return false;
  const json = parseJson(body.text);
  const value: unknown = json?.value;
  return typeof value === "object" && value !== null && (value as { error?: unknown }).error === "use_dpop_nonce";
}

/**
 * Waits for the discovery document (raced against the caller's deadline, as
 * the read is shared) and points the draft at its token endpoint, deciding a
 * client authentication that waited for it.
 */
async function discover(draft: Draft, discoveryUrl: string, deadline: Deadline): Promise<{ readonly ok: true } | Failure<TransportError | DiscoveryError>> {
  const { config, timeoutMs } = draft;
  const found = discoverTokenEndpoint(config, discoveryUrl, { fetch: config.fetch, timeoutMs, maxBodyBytes: MAX_BODY_BYTES });
  if (!(found instanceof Promise)) return useDiscovered(draft, found);
  let outcome: Awaited<typeof found>;
  try {
    outcome = await deadline.race(found);
  } catch (cause) {
    return fail(transportFailure(deadline, timeoutMs, cause, draft.redact));
  }
  return outcome.ok ? useDiscovered(draft, outcome.endpoint) : outcome;
}
