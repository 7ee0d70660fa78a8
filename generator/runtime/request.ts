import { JWT_CLIENT_ASSERTION_TYPE, applyClientAuth, resolveClientAuth, sentSecrets } from "./client-auth.js";
import type { MutableFields, MutableHeaders } from "./client-auth.js";
import { discoverTokenEndpoint, discoveredClientAuth } from "./discovery.js";
import type { DPoPKeyPair } from "./dpop.js";
import { emitEvent, requestEvent } from "./events.js";
import {
  AbortedError,
  DiscoveryError,
  MAX_ERROR_TEXT_CHARS,
  NetworkError,
  SecretRedactor,
  TimeoutError,
  TokenClientConfigError,
  TokenError,
  TokenResponseError,
  UnexpectedStatusError,
} from "./errors.js";
import type { KeyError, TransportError } from "./errors.js";
import { assertSecureBaseUrl, bodyEncoding, joinSpaceDelimitedFields, prepareRequest, withConstantFields, type PreparedRequest } from "./request-build.js";
import { fail, interpret, type Failure } from "./response-read.js";
import { defineField, readField } from "./field-path.js";
import { parseJson, readBodyCapped, startDeadline } from "./transport.js";
import type { BodyText, Deadline } from "./transport.js";
import type { CallOptions, ClientAuthRule, ClientConfig, FetchLike, FieldPath, GrantRule, TokenEndpoint, TokenResult } from "./types.js";
import { joinUrl } from "./url.js";

/** Timeout used when the client config sets none. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Largest response body read, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Largest text kept on an {@link UnexpectedStatusError} for a non-JSON body (the error's constructor cuts it). */
export { MAX_ERROR_TEXT_CHARS };
/** setTimeout fires at once for delays above 2^31 - 1 ms. */
const MAX_TIMEOUT_MS = 2_147_483_647;


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
 * decides over `grant.clientAuth` (see `resolveClientAuth` in
 * client-auth.ts): `client_secret_basic`, `client_secret_post`, `none` and
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
  return observed(endpoint, grant, config, params, call, discover);
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
  return observed<Raw, Documented, never>(endpoint, grant, config, params, call, undefined);
}

/** The discovery step {@link requestToken} passes: {@link discover}. */
type DiscoverStep = typeof discover;

/** Sends the request; with `config.onEvent`, reports its outcome. */
function observed<Raw, Documented extends TokenResponseError<number, unknown>, Discovery extends DiscoveryError>(
  endpoint: TokenEndpoint,
  grant: GrantRule,
  config: ClientConfig,
  params: Readonly<Record<string, unknown>>,
  call: CallOptions,
  discoverStep: DiscoverStep | undefined,
): Promise<TokenResult<Raw, Documented | TransportError | NotInferred<Discovery>>> {
  const hook = config.onEvent;
  if (hook === undefined) return sendRequest(endpoint, grant, config, params, call, discoverStep);
  // With `onEvent`: one event per request, from the outcome's kind, code and status alone.
  const started = performance.now();
  const report = (error: { readonly kind: string; readonly code: string } | undefined): void =>
    emitEvent(hook, requestEvent(config.provider, grant.grantType, performance.now() - started, error));
  return sendRequest<Raw, Documented, Discovery>(endpoint, grant, config, params, call, discoverStep).then(
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
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new TokenClientConfigError(`timeoutMs must be a number of milliseconds in (0, ${MAX_TIMEOUT_MS}]`);
  }
  assertSecureBaseUrl(config.baseUrl);
  // config.clientAuth, when given, decides over the grant's rule; a key that cannot sign fails here.
  const auth = resolveClientAuth(config.clientAuth, grant.clientAuth, config);
  const rule = auth.rule;
  const dpop = config.dpop;
  if (dpop !== undefined && (typeof dpop !== "object" || dpop === null || dpop.kind !== "dpop" || typeof dpop.proof !== "function")) {
    throw new TokenClientConfigError("config.dpop must be made by dpopKeyPair(), which carries the signing code");
  }
  const prepare = grant.params;
  prepare?.check(params);
  // Secrets that are not request fields: a JWK's private members, and every assertion and proof made.
  const madeSecrets: string[] = [...(auth.jwt?.secrets() ?? []), ...(prepare?.secrets(params) ?? [])];
  const clock = config.clock ?? Date.now;
  // Called as a plain function: browsers reject `fetch` invoked with a `this`
  // other than the global object ("Illegal invocation").
  const fetchFn: FetchLike = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const deadline = startDeadline(timeoutMs, call.signal);
  try {
    let given = withConstantFields(grant, params);
    if (prepare !== undefined) {
      // A credential given as a function is made now, within the request's deadline.
      const resolved = await raced(deadline, timeoutMs, prepare.resolve(given));
      if (!resolved.ok) return resolved;
      given = resolved.value;
      madeSecrets.push(...jwtSignatures(given));
    }
    const grantField = grant.grantField;
    let fields: MutableFields;
    if (grantField === undefined) {
      fields = { ...given };
    } else {
      fields = { [grantField]: grant.grantType, ...given };
      fields[grantField] = grant.grantType;
    }
    if (endpoint.spaceDelimited !== undefined) joinSpaceDelimitedFields(fields, endpoint.spaceDelimited, endpoint.scopeSeparator);
    const authHeaders: MutableHeaders = {};
    // The request, or (with discovery) the URL of the document that names its endpoint.
    let prepared: PreparedRequest | string;
    if (endpoint.discovery === undefined) {
      if (rule.kind === "discovered") {
        throw new TokenClientConfigError('client authentication "discovered" needs an endpoint with discovery');
      }
      applyClientAuth(rule, config, fields, authHeaders);
      if (auth.jwt !== undefined) defineField(fields, "client_assertion_type", JWT_CLIENT_ASSERTION_TYPE);
      prepared = prepareRequest(endpoint, config.baseUrl, undefined, fields, authHeaders);
    } else {
      prepared = joinUrl(config.baseUrl, endpoint.discovery);
      if (rule.kind !== "discovered") applyClientAuth(rule, config, fields, authHeaders);
      if (auth.jwt !== undefined) defineField(fields, "client_assertion_type", JWT_CLIENT_ASSERTION_TYPE);
      // Only checks the fields, so that a caller bug rejects before any request;
      // the request itself is built once the document has named the token endpoint.
      prepareRequest(endpoint, config.baseUrl, prepared, fields, authHeaders);
    }

    // Read only when an error is made: the secrets as finally sent (discovery may add client credentials).
    const redact = new SecretRedactor(() => [...sentSecrets(config, rule, fields, authHeaders), ...madeSecrets]);
    if (call.signal?.aborted === true) return fail(new AbortedError());
    let request: PreparedRequest;
    let tokenUrl: string | undefined;
    if (typeof prepared === "string") {
      // Checked at the top: an endpoint with discovery comes with its step.
      if (discoverStep === undefined) throw new TokenClientConfigError("an endpoint with discovery needs requestToken");
      const discovered = await discoverStep(endpoint, rule, config, prepared, timeoutMs, deadline, fields, authHeaders, redact);
      if (!discovered.ok) return fail(discovered.error as TransportError | NotInferred<Discovery>);
      request = discovered.request;
      tokenUrl = discovered.tokenUrl;
    } else {
      request = prepared;
    }
    const method = endpoint.method ?? "POST";
    // A DPoP server that asks for a nonce (RFC 9449 §8) gets the request once more, with it.
    for (let attempt = 0; ; attempt++) {
      if (auth.jwt !== undefined) {
        // A fresh assertion for every request: servers refuse a jti they have seen (RFC 7523 §3).
        const signed = await raced(deadline, timeoutMs, auth.jwt.assertion(config.clientId, config.clientSecret, request.url, clock()));
        if (!signed.ok) return signed;
        // The whole assertion, and its signature alone (the part no one else can make), should a server echo it.
        madeSecrets.push(signed.value, signed.value.slice(signed.value.lastIndexOf(".") + 1));
        defineField(fields, "client_assertion", signed.value);
        request = prepareRequest(endpoint, config.baseUrl, tokenUrl, fields, authHeaders);
      }
      let headers = request.headers;
      if (dpop !== undefined) {
        const proof = await raced(deadline, timeoutMs, dpop.proof(method, request.url, clock()));
        if (!proof.ok) return proof;
        madeSecrets.push(proof.value, proof.value.slice(proof.value.lastIndexOf(".") + 1));
        headers = { ...headers, DPoP: proof.value };
      }
      let response: Response;
      try {
        const init: RequestInit = { method, headers, body: request.body, redirect: "manual", signal: deadline.signal };
        const url = request.url;
        // The platform fetch honours the signal; an injected one might not, so only it is raced against the deadline.
        response = config.fetch === undefined ? await fetchFn(url, init) : await deadline.race(Promise.resolve().then(() => fetchFn(url, init)));
      } catch (cause) {
        return fail(transportFailure(deadline, timeoutMs, cause, redact));
      }
      const receivedAt = clock();
      let body: BodyText;
      try {
        body = await readBodyCapped(response, MAX_BODY_BYTES, deadline, config.fetch === undefined);
      } catch (cause) {
        return fail(transportFailure(deadline, timeoutMs, cause, redact));
      }
      if (dpop !== undefined && dpop.remember(request.url, response.headers) && attempt === 0 && asksForNonce(dpop, response, body)) continue;
      return withIssuedTokenType(interpret<Raw, Documented>(endpoint, response.status, response.headers, body, receivedAt, redact), endpoint);
    }
  } finally {
    deadline.dispose();
  }
}

/** The signature parts of the JWTs an assertion grant sends, redacted should a server echo one alone. */
function jwtSignatures(fields: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const name of ["assertion", "subject_token", "actor_token"]) {
    const value = fields[name];
    if (typeof value !== "string") continue;
    const signature = value.slice(value.lastIndexOf(".") + 1);
    if (value.includes(".") && signature.length >= 16) out.push(signature);
  }
  return out;
}

/** A value, or the transport failure of the deadline firing while it was awaited (other rejections pass through). */
async function raced<T>(deadline: Deadline, timeoutMs: number, work: Promise<T>): Promise<{ readonly ok: true; readonly value: T } | Failure<TransportError>> {
  try {
    return { ok: true, value: await deadline.race(work) };
  } catch (error) {
    const fired = deadline.firedBy();
    if (fired === "timeout") return fail(new TimeoutError(timeoutMs));
    if (fired === "caller") return fail(new AbortedError());
    throw error;
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

/** RFC 8693 §2.2.1: the `issued_token_type` of a token-exchange answer (or where the endpoint says), on the token. */
function withIssuedTokenType<Raw, E>(result: TokenResult<Raw, E>, endpoint: TokenEndpoint): TokenResult<Raw, E> {
  if (!result.ok) return result;
  const value = readField(result.token.raw, endpoint.tokenFields.issuedTokenType ?? "issued_token_type");
  return typeof value === "string" && value !== "" ? { ok: true, token: { ...result.token, issuedTokenType: value } } : result;
}

/**
 * Waits for the discovery document (raced against the caller's deadline, as
 * the read is shared), resolves a `discovered` client authentication and
 * builds the request for the discovered token endpoint.
 */
async function discover(
  endpoint: TokenEndpoint,
  rule: ClientAuthRule,
  config: ClientConfig,
  discoveryUrl: string,
  timeoutMs: number,
  deadline: Deadline,
  fields: MutableFields,
  authHeaders: MutableHeaders,
  redact: SecretRedactor,
): Promise<{ readonly ok: true; readonly request: PreparedRequest; readonly tokenUrl: string } | Failure<TransportError | DiscoveryError>> {
  const found = discoverTokenEndpoint(config, discoveryUrl, { fetch: config.fetch, timeoutMs, maxBodyBytes: MAX_BODY_BYTES });
  let tokenEndpoint: string;
  let authMethods: readonly string[] | undefined;
  if (found instanceof Promise) {
    let outcome: Awaited<typeof found>;
    try {
      outcome = await deadline.race(found);
    } catch (cause) {
      return fail(transportFailure(deadline, timeoutMs, cause, redact));
    }
    if (!outcome.ok) return outcome;
    ({ tokenEndpoint, authMethods } = outcome.endpoint);
  } else {
    ({ tokenEndpoint, authMethods } = found);
  }
  if (rule.kind === "discovered") {
    const resolved = discoveredClientAuth(authMethods, bodyEncoding(endpoint) !== undefined);
    if (resolved === undefined) {
      return fail(
        new DiscoveryError(
          "token_endpoint_auth_methods_supported lists none of client_secret_basic, " +
            "client_secret_post (with a request body) and none; a key-based method needs the clientAuth option",
        ),
      );
    }
    applyClientAuth(resolved, config, fields, authHeaders);
  }
  return { ok: true, request: prepareRequest(endpoint, config.baseUrl, tokenEndpoint, fields, authHeaders), tokenUrl: tokenEndpoint };
}

function transportFailure(deadline: Deadline, timeoutMs: number, cause: unknown, redact: SecretRedactor): TransportError {
  switch (deadline.firedBy()) {
    case "timeout":
      return new TimeoutError(timeoutMs);
    case "caller":
      return new AbortedError();
    case undefined:
      return new NetworkError({ cause, redact });
  }
}

