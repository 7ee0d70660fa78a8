import { applyClientAuth, sentSecrets } from "./client-auth.js";
import type { MutableFields, MutableHeaders } from "./client-auth.js";
import { discoverTokenEndpoint, discoveredClientAuth } from "./discovery.js";
import {
  AbortedError,
  DiscoveryError,
  MAX_ERROR_TEXT_CHARS,
  NetworkError,
  SecretRedactor,
  TimeoutError,
  TokenClientConfigError,
  TokenResponseError,
  UnexpectedStatusError,
} from "./errors.js";
import type { TransportError } from "./errors.js";
import { assertSecureBaseUrl, bodyEncoding, joinSpaceDelimitedFields, prepareRequest, type PreparedRequest } from "./request-build.js";
import { fail, interpret, type Failure } from "./response-read.js";
import { readBodyCapped, startDeadline } from "./transport.js";
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
 * endpoint without discovery. It also rejects if an injected `clock` throws.
 * Error messages never contain credentials or parameters: they name fields,
 * never values. What the request sent that is secret (the client secret,
 * the Basic credentials, the values of the credential fields: see
 * `CREDENTIAL_FIELDS` in client-auth.ts) is redacted from every error's
 * body, reason and cause, should the server or the platform echo it (see
 * `SecretRedactor` in errors.ts).
 */
export async function requestToken<
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
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new TokenClientConfigError(`timeoutMs must be a number of milliseconds in (0, ${MAX_TIMEOUT_MS}]`);
  }
  assertSecureBaseUrl(config.baseUrl);

  const grantField = grant.grantField;
  let fields: MutableFields;
  if (grantField === undefined) {
    fields = { ...params };
  } else {
    fields = { [grantField]: grant.grantType, ...params };
    fields[grantField] = grant.grantType;
  }
  if (endpoint.spaceDelimited !== undefined) joinSpaceDelimitedFields(fields, endpoint.spaceDelimited);
  const authHeaders: MutableHeaders = {};
  const rule = grant.clientAuth;
  // The request, or (with discovery) the URL of the document that names its endpoint.
  let prepared: PreparedRequest | string;
  if (endpoint.discovery === undefined) {
    if (rule.kind === "discovered") {
      throw new TokenClientConfigError('client authentication "discovered" needs an endpoint with discovery');
    }
    applyClientAuth(rule, config, fields, authHeaders);
    prepared = prepareRequest(endpoint, config.baseUrl, undefined, fields, authHeaders);
  } else {
    prepared = joinUrl(config.baseUrl, endpoint.discovery);
    if (rule.kind !== "discovered") applyClientAuth(rule, config, fields, authHeaders);
    // Only checks the fields, so that a caller bug rejects before any request;
    // the request itself is built once the document has named the token endpoint.
    prepareRequest(endpoint, config.baseUrl, prepared, fields, authHeaders);
  }

  // Read only when an error is made: the secrets as finally sent (discovery may add client credentials).
  const redact = new SecretRedactor(() => sentSecrets(config, grant.clientAuth, fields, authHeaders));
  if (call.signal?.aborted === true) return fail(new AbortedError());
  const clock = config.clock ?? Date.now;
  // Called as a plain function: browsers reject `fetch` invoked with a `this`
  // other than the global object ("Illegal invocation").
  const fetchFn: FetchLike = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const deadline = startDeadline(timeoutMs, call.signal);
  try {
    let request: PreparedRequest;
    if (typeof prepared === "string") {
      const discovered = await discover(endpoint, rule, config, prepared, timeoutMs, deadline, fields, authHeaders, redact);
      if (!discovered.ok) return fail(discovered.error as TransportError | NotInferred<Discovery>);
      request = discovered.request;
    } else {
      request = prepared;
    }
    let response: Response;
    try {
      const init: RequestInit = {
        method: endpoint.method ?? "POST",
        headers: request.headers,
        body: request.body,
        redirect: "manual",
        signal: deadline.signal,
      };
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
    return interpret<Raw, Documented>(endpoint, response.status, response.headers, body, receivedAt, redact);
  } finally {
    deadline.dispose();
  }
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
): Promise<{ readonly ok: true; readonly request: PreparedRequest } | Failure<TransportError | DiscoveryError>> {
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
          "token_endpoint_auth_methods_supported lists none of client_secret_basic, client_secret_post (with a request body) and none",
        ),
      );
    }
    applyClientAuth(resolved, config, fields, authHeaders);
  }
  return { ok: true, request: prepareRequest(endpoint, config.baseUrl, tokenEndpoint, fields, authHeaders) };
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

