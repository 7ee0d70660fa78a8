import { applyClientAuth } from "./client-auth.js";
import type { MutableFields, MutableHeaders } from "./client-auth.js";
import { discoverTokenEndpoint, discoveredClientAuth } from "./discovery.js";
import { encodeBody, encodeQuery, headerValue, joinSpaceDelimited, pathSegment } from "./encode.js";
import {
  AbortedError,
  DiscoveryError,
  InvalidResponseError,
  MAX_ERROR_TEXT_CHARS,
  NetworkError,
  TimeoutError,
  TokenClientConfigError,
  TokenResponseError,
  UnexpectedStatusError,
} from "./errors.js";
import type { TransportError } from "./errors.js";
import { computeExpiresAt } from "./expiry.js";
import { fieldPathName, readField } from "./field-path.js";
import { describeContentType, isJsonType, mayBeJson, mediaType, parseJson, readBodyCapped, startDeadline } from "./transport.js";
import type { BodyText, Deadline } from "./transport.js";
import type {
  CallOptions,
  ClientAuthRule,
  ClientConfig,
  FetchLike,
  FieldPath,
  GrantRule,
  ParameterLocation,
  StatusKey,
  Token,
  TokenEndpoint,
  TokenResult,
} from "./types.js";
import { assertSecureUrl, joinUrl } from "./url.js";

/** Timeout used when the client config sets none. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Largest response body read, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Largest text kept on an {@link UnexpectedStatusError} for a non-JSON body (the error's constructor cuts it). */
export { MAX_ERROR_TEXT_CHARS };
/** setTimeout fires at once for delays above 2^31 - 1 ms. */
const MAX_TIMEOUT_MS = 2_147_483_647;

const JSON_MEDIA_TYPE = "application/json";
const FORM_MEDIA_TYPE = "application/x-www-form-urlencoded";
/** Accept for `responseEncoding: "form"`: the form answer, or JSON from a server that can give both. */
const FORM_ACCEPT = `${FORM_MEDIA_TYPE}, ${JSON_MEDIA_TYPE};q=0.9, text/plain;q=0.8`;

type Failure<E> = { readonly ok: false; readonly error: E };

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
 * never values.
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
  if (config.baseUrl !== lastSecureBaseUrl) {
    assertSecureUrl(config.baseUrl);
    lastSecureBaseUrl = config.baseUrl;
  }

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

  if (call.signal?.aborted === true) return fail(new AbortedError());
  const clock = config.clock ?? Date.now;
  // Called as a plain function: browsers reject `fetch` invoked with a `this`
  // other than the global object ("Illegal invocation").
  const fetchFn: FetchLike = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const deadline = startDeadline(timeoutMs, call.signal);
  try {
    let request: PreparedRequest;
    if (typeof prepared === "string") {
      const discovered = await discover(endpoint, rule, config, prepared, timeoutMs, deadline, fields, authHeaders);
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
      return fail(transportFailure(deadline, timeoutMs, cause));
    }
    const receivedAt = clock();
    let body: BodyText;
    try {
      body = await readBodyCapped(response, MAX_BODY_BYTES, deadline, config.fetch === undefined);
    } catch (cause) {
      return fail(transportFailure(deadline, timeoutMs, cause));
    }
    return interpret<Raw, Documented>(endpoint, response.status, response.headers, body, receivedAt);
  } finally {
    deadline.dispose();
  }
}

/** A token request ready for fetch. */
interface PreparedRequest {
  readonly url: string;
  readonly headers: MutableHeaders;
  readonly body: string | null;
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
): Promise<{ readonly ok: true; readonly request: PreparedRequest } | Failure<TransportError | DiscoveryError>> {
  const found = discoverTokenEndpoint(config, discoveryUrl, { fetch: config.fetch, timeoutMs, maxBodyBytes: MAX_BODY_BYTES });
  let tokenEndpoint: string;
  let authMethods: readonly string[] | undefined;
  if (found instanceof Promise) {
    let outcome: Awaited<typeof found>;
    try {
      outcome = await deadline.race(found);
    } catch (cause) {
      return fail(transportFailure(deadline, timeoutMs, cause));
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
/** The body encoding, or `undefined` when the request has no body (`GET`, or encoding `none`). */
function bodyEncoding(endpoint: TokenEndpoint): "form" | "json" | undefined {
  const encoding = endpoint.encoding;
  return encoding === "none" || endpoint.method === "GET" ? undefined : encoding;
}

/** RFC 6749 §3.3: array values of the listed fields become one space-delimited string. */
function joinSpaceDelimitedFields(fields: MutableFields, names: readonly string[]): void {
  for (const name of names) {
    if (!Object.hasOwn(fields, name)) continue;
    const value = fields[name];
    if (Array.isArray(value)) defineField(fields, name, joinSpaceDelimited(name, value));
  }
}

/**
 * Builds the request: the URL (`tokenUrl`, or the endpoint path on the base
 * URL with its `{name}` templates filled), headers and body, each field
 * where `endpoint.parameters` puts it. Throws the caller-bug `TypeError`s.
 */
/**
 * A client sends every request to one base URL and path: the last base URL
 * that passed `assertSecureUrl`, and the last join, are remembered so that a
 * request does not parse the same URL twice more (strings are compared, so a
 * different URL is always checked and joined afresh).
 */
let lastSecureBaseUrl: string | undefined;
let lastJoin: { readonly baseUrl: string; readonly path: string; readonly url: string } | undefined;

function joinedUrl(baseUrl: string, path: string): string {
  if (lastJoin !== undefined && lastJoin.baseUrl === baseUrl && lastJoin.path === path) return lastJoin.url;
  const url = joinUrl(baseUrl, path);
  lastJoin = { baseUrl, path, url };
  return url;
}

function prepareRequest(
  endpoint: TokenEndpoint,
  baseUrl: string,
  tokenUrl: string | undefined,
  fields: MutableFields,
  authHeaders: MutableHeaders,
): PreparedRequest {
  const accept = endpoint.responseEncoding === "form" ? FORM_ACCEPT : JSON_MEDIA_TYPE;
  const parameters = endpoint.parameters;
  const encoding = bodyEncoding(endpoint);
  if (parameters === undefined && encoding !== undefined) {
    // Every field in the body: the common case, kept free of routing work.
    const encoded = encodeBody(encoding, fields);
    return {
      url: tokenUrl ?? joinedUrl(baseUrl, endpoint.path),
      headers: { "Content-Type": encoded.contentType, Accept: accept, ...authHeaders },
      body: encoded.body,
    };
  }
  const bodyFields: MutableFields | undefined = encoding === undefined ? undefined : {};
  const queryFields: MutableFields = {};
  const headers: MutableHeaders = {};
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    const location: ParameterLocation | undefined =
      parameters !== undefined && Object.hasOwn(parameters, name) ? parameters[name] : undefined;
    if (location === "header") {
      const text = headerValue(name, value);
      if (text !== undefined) setHeader(headers, name, text);
    } else if (location === "path") {
      // Read from `fields` when the template is filled.
    } else if (location === "query" || bodyFields === undefined) {
      defineField(queryFields, name, value);
    } else {
      defineField(bodyFields, name, value);
    }
  }
  let url = tokenUrl ?? joinedUrl(baseUrl, parameters === undefined ? endpoint.path : fillPathTemplate(endpoint.path, parameters, fields));
  const query = encodeQuery(queryFields);
  // A query already in the URL (RFC 6749 §3.2 allows one) is kept.
  if (query !== "") url += `${url.includes("?") ? "&" : "?"}${query}`;
  setHeader(headers, "Accept", accept);
  let body: string | null = null;
  if (bodyFields !== undefined && encoding !== undefined) {
    const encoded = encodeBody(encoding, bodyFields);
    setHeader(headers, "Content-Type", encoded.contentType);
    body = encoded.body;
  }
  // Credentials come last, so that no parameter can replace them.
  for (const name of Object.keys(authHeaders)) setHeader(headers, name, authHeaders[name] ?? "");
  return { url, headers, body };
}

/** A `{name}` in a path template (OpenAPI path templating). */
const PATH_TEMPLATE = /\{([^{}]*)\}/g;

/** `path` with each `{name}` replaced by the percent-encoded value of path parameter `name`. */
function fillPathTemplate(path: string, parameters: Readonly<Record<string, ParameterLocation>>, fields: MutableFields): string {
  if (!path.includes("{")) return path;
  return path.replace(PATH_TEMPLATE, (_template, name: string) => {
    if (!(Object.hasOwn(parameters, name) && parameters[name] === "path")) {
      throw new TypeError(`path template ${JSON.stringify(`{${name.slice(0, 64)}}`)} is not a declared path parameter`);
    }
    return pathSegment(name, Object.hasOwn(fields, name) ? fields[name] : undefined);
  });
}

/** Sets an own data property, even one named `__proto__`. */
function defineField(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Sets a header, replacing any other spelling of its name (header names are case-insensitive). */
function setHeader(headers: MutableHeaders, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) delete headers[key];
  }
  defineField(headers, name, value);
}

function fail<E>(error: E): Failure<E> {
  return { ok: false, error };
}

function transportFailure(deadline: Deadline, timeoutMs: number, cause: unknown): TransportError {
  switch (deadline.firedBy()) {
    case "timeout":
      return new TimeoutError(timeoutMs);
    case "caller":
      return new AbortedError();
    case undefined:
      return new NetworkError({ cause });
  }
}

function interpret<Raw, Documented extends TokenResponseError<number, unknown>>(
  endpoint: TokenEndpoint,
  status: number,
  headers: Headers,
  body: BodyText,
  receivedAt: number,
): TokenResult<Raw, Documented | TransportError> {
  const contentType = headers.get("content-type");
  if (isSuccessStatus(endpoint.successStatuses, status)) return readToken<Raw, Documented>(endpoint, status, headers, body, receivedAt);
  const json = body.truncated || !mayBeJson(contentType) ? undefined : parseJson(body.text);
  const retryAfterMs = retryAfter(headers.get("retry-after"), receivedAt);
  if (json !== undefined && isDocumentedError(endpoint.errorStatuses, status)) {
    // The body is not validated against the documented schema.
    return fail(new TokenResponseError(status, json.value, retryAfterMs) as Documented);
  }
  // The error cuts and cleans the body (errors.ts, sanitizeErrorBody).
  return fail(new UnexpectedStatusError(status, json !== undefined ? json.value : body.text, retryAfterMs));
}

/**
 * A success status: one the list names, or within a range key it holds
 * (`"2XX"`); any 2xx when the list is empty, or for a `"default"` key (a
 * spec whose only answer is `default`).
 */
function isSuccessStatus(keys: readonly StatusKey[], status: number): boolean {
  if (keys.length === 0) return status >= 200 && status <= 299;
  for (const key of keys) {
    if (key === status) return true;
    if (typeof key === "string" && (key === "default" ? status >= 200 && status <= 299 : inRange(key, status))) return true;
  }
  return false;
}

/**
 * A documented error status, by OpenAPI's precedence: the status itself, its
 * range key (`"4XX"`), or `"default"`, which covers every status that is not
 * a success. All three mean a typed {@link TokenResponseError}.
 */
function isDocumentedError(keys: readonly StatusKey[], status: number): boolean {
  for (const key of keys) {
    if (key === status || key === "default") return true;
    if (typeof key === "string" && inRange(key, status)) return true;
  }
  return false;
}

/** Whether `status` falls in a range key such as `"4XX"` (OpenAPI Responses Object). */
function inRange(key: string, status: number): boolean {
  if (key.length !== 3 || key[1] !== "X" || key[2] !== "X") return false;
  const hundreds = key.charCodeAt(0) - 48;
  return hundreds >= 1 && hundreds <= 5 && Math.floor(status / 100) === hundreds;
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from receipt; undefined when absent or unreadable. */
function retryAfter(value: string | null, receivedAt: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - receivedAt);
}

/** A `Date` header further than this from the local clock counts as the server's clock being off. */
const CLOCK_SKEW_TOLERANCE_MS = 30_000;

/** How far the server's clock (its `Date` header, RFC 9110 §6.6.1) is behind ours, when that is past the tolerance. */
function serverClockOffset(headers: Headers, receivedAt: number): number | undefined {
  const header = headers.get("date");
  const serverNow = header === null ? Number.NaN : Date.parse(header);
  if (Number.isNaN(serverNow)) return undefined;
  const offset = receivedAt - serverNow;
  return Math.abs(offset) > CLOCK_SKEW_TOLERANCE_MS ? offset : undefined;
}

function readToken<Raw, Documented extends TokenResponseError<number, unknown>>(
  endpoint: TokenEndpoint,
  status: number,
  headers: Headers,
  body: BodyText,
  receivedAt: number,
): TokenResult<Raw, InvalidResponseError | Documented> {
  const invalid = (reason: string): Failure<InvalidResponseError> => fail(new InvalidResponseError(status, reason));
  if (body.truncated) return invalid("body exceeds 1 MiB");
  const contentType = headers.get("content-type");
  const essence = mediaType(contentType);
  let object: Record<string, unknown>;
  if (endpoint.responseEncoding === "form" && !isJsonType(essence)) {
    if (essence !== "" && essence !== FORM_MEDIA_TYPE && essence !== "text/plain") {
      return invalid(`content type ${describeContentType(contentType)} is not form-encoded or JSON`);
    }
    object = parseFormBody(body.text);
  } else {
    if (essence !== "" && !isJsonType(essence)) return invalid(`content type ${describeContentType(contentType)} is not JSON`);
    const json = parseJson(body.text);
    if (json === undefined) return invalid("body is not valid JSON");
    const value = json.value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return invalid("body is not a JSON object");
    object = value as Record<string, unknown>;
  }

  const errorInSuccess = endpoint.errorInSuccess;
  if (errorInSuccess !== undefined && readField(object, errorInSuccess.field) === errorInSuccess.equals) {
    return fail(new TokenResponseError(status, object, retryAfter(headers.get("retry-after"), receivedAt)) as Documented);
  }

  const names = endpoint.tokenFields;
  const accessToken = readField(object, names.accessToken);
  if (typeof accessToken !== "string" || accessToken === "") {
    return invalid(`${fieldPathName(names.accessToken)} is missing or not a non-empty string`);
  }
  const tokenType = optionalString(object, names.tokenType);
  if (tokenType === null) return invalid(notAString(names.tokenType));
  const refreshToken = optionalString(object, names.refreshToken);
  if (refreshToken === null) return invalid(notAString(names.refreshToken));
  const scope = optionalString(object, names.scope);
  if (scope === null) return invalid(notAString(names.scope));
  const expiry = computeExpiresAt(endpoint.expiry, object, receivedAt);
  if (!expiry.ok) return invalid(expiry.reason);
  // Times read from the server's clock are moved onto ours; a relative expires_in already is on ours.
  const rule = endpoint.expiry;
  const serverClockTime =
    rule.kind === "absolute" || (rule.kind === "created-plus-relative" && readField(object, rule.createdField) != null);
  const offset = serverClockTime && expiry.expiresAt !== undefined ? serverClockOffset(headers, receivedAt) : undefined;
  const expiresAt = expiry.expiresAt !== undefined && offset !== undefined ? expiry.expiresAt + offset : expiry.expiresAt;

  const token: Token<Raw> = {
    accessToken,
    ...(tokenType !== undefined ? { tokenType } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(offset !== undefined ? { clockOffsetMs: offset } : {}),
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(scope !== undefined ? { scope } : {}),
    raw: object as unknown as Raw,
  };
  return { ok: true, token };
}

function notAString(path: FieldPath | undefined): string {
  return `${path === undefined ? "a token field" : fieldPathName(path)} is not a string`;
}

/**
 * A form-encoded success body (`a=1&b=2`) as an object of strings, the first
 * value kept when a key repeats. Keys are own data properties, so a
 * `__proto__` key is data, never a prototype.
 */
function parseFormBody(text: string): Record<string, string> {
  const object: Record<string, string> = {};
  // forEach, not for-of: the runtime compiles without the DOM.Iterable lib.
  new URLSearchParams(text.trim()).forEach((value, key) => {
    if (!Object.hasOwn(object, key)) defineField(object, key, value);
  });
  return object;
}

/** The string, `undefined` when absent or JSON null, `null` when it is something else. */
function optionalString(object: Record<string, unknown>, path: FieldPath | undefined): string | undefined | null {
  if (path === undefined) return undefined;
  const value = readField(object, path);
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : null;
}
