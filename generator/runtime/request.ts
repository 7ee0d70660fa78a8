import { applyClientAuth } from "./client-auth.js";
import type { MutableFields, MutableHeaders } from "./client-auth.js";
import { encodeBody } from "./encode.js";
import {
  AbortedError,
  InvalidResponseError,
  MAX_ERROR_TEXT_CHARS,
  NetworkError,
  TimeoutError,
  TokenClientConfigError,
  TokenResponseError,
  UnexpectedStatusError,
  quoteForMessage,
} from "./errors.js";
import type { TransportError } from "./errors.js";
import { computeExpiresAt } from "./expiry.js";
import { readBodyCapped, startDeadline } from "./transport.js";
import type { BodyText, Deadline } from "./transport.js";
import type { CallOptions, ClientConfig, FetchLike, GrantRule, Token, TokenEndpoint, TokenResult } from "./types.js";
import { assertSecureUrl, joinUrl } from "./url.js";

/** Timeout used when the client config sets none. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Largest response body read, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Largest text kept on an {@link UnexpectedStatusError} for a non-JSON body (the error's constructor cuts it). */
export { MAX_ERROR_TEXT_CHARS };
/** setTimeout fires at once for delays above 2^31 - 1 ms. */
const MAX_TIMEOUT_MS = 2_147_483_647;

type Failure<E> = { readonly ok: false; readonly error: E };

/**
 * Requests a token from a token endpoint (RFC 6749 §3.2) with one grant, e.g.
 * client credentials (§4.4.2), password (§4.3.2), authorization code (§4.1.3)
 * or refresh (§6), and normalises a success answer (§5.1).
 *
 * The body holds `grant.grantField = grant.grantType`, then `params`, then the
 * client's credentials as `grant.clientAuth` says (§2.3); the grant field and
 * the credential fields cannot be overridden by `params`. `params` holds the
 * grant's other fields exactly as the spec names them; arrays become repeated
 * keys in form bodies (RFC 8707 §2), `undefined`/`null` fields are left out of
 * form bodies. Redirects are never followed, so credentials cannot travel to
 * another origin: a 3xx is an {@link UnexpectedStatusError}.
 *
 * Every outcome of the exchange is returned, never thrown: a documented error
 * status with a JSON body is a {@link TokenResponseError} (§5.2); other
 * statuses, unusable success bodies, timeouts (which also cover reading the
 * body), caller aborts and network failures are the {@link TransportError}s.
 *
 * The promise rejects only for caller bugs found before any request is sent:
 * a `TypeError` for `params` that the body encoding cannot carry, and a
 * `TokenClientConfigError` for a `baseUrl` that fails `assertSecureUrl` or a
 * `timeoutMs` that is not a positive number of milliseconds below 2^31. It
 * also rejects if an injected `clock` throws. Error messages never contain
 * credentials or parameters.
 */
export async function requestToken<
  Raw = Record<string, unknown>,
  Documented extends TokenResponseError<number, unknown> = never,
>(
  endpoint: TokenEndpoint,
  grant: GrantRule,
  config: ClientConfig,
  params: Readonly<Record<string, unknown>>,
  call: CallOptions = {},
): Promise<TokenResult<Raw, Documented | TransportError>> {
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new TokenClientConfigError(`timeoutMs must be a number of milliseconds in (0, ${MAX_TIMEOUT_MS}]`);
  }
  assertSecureUrl(config.baseUrl);
  const url = joinUrl(config.baseUrl, endpoint.path);

  const fields: MutableFields = { [grant.grantField]: grant.grantType, ...params };
  fields[grant.grantField] = grant.grantType;
  const authHeaders: MutableHeaders = {};
  applyClientAuth(grant.clientAuth, config, fields, authHeaders);
  const encoded = encodeBody(endpoint.encoding, fields);
  const headers: MutableHeaders = { "Content-Type": encoded.contentType, Accept: "application/json", ...authHeaders };

  if (call.signal?.aborted === true) return fail(new AbortedError());
  const clock = config.clock ?? Date.now;
  // Called as a plain function: browsers reject `fetch` invoked with a `this`
  // other than the global object ("Illegal invocation").
  const fetchFn: FetchLike = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const deadline = startDeadline(timeoutMs, call.signal);
  try {
    let response: Response;
    try {
      const init: RequestInit = { method: "POST", headers, body: encoded.body, redirect: "manual", signal: deadline.signal };
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
  const success =
    endpoint.successStatuses.length === 0 ? status >= 200 && status <= 299 : endpoint.successStatuses.includes(status);
  if (success) return readToken<Raw>(endpoint, status, contentType, body, receivedAt, serverClockOffset(headers, receivedAt));
  const json = body.truncated || !mayBeJson(contentType) ? undefined : parseJson(body.text);
  const retryAfterMs = retryAfter(headers.get("retry-after"), receivedAt);
  if (endpoint.errorStatuses.includes(status) && json !== undefined) {
    // The body is not validated against the documented schema.
    return fail(new TokenResponseError(status, json.value, retryAfterMs) as Documented);
  }
  // The error cuts and cleans the body (errors.ts, sanitizeErrorBody).
  return fail(new UnexpectedStatusError(status, json !== undefined ? json.value : body.text, retryAfterMs));
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

function readToken<Raw>(
  endpoint: TokenEndpoint,
  status: number,
  contentType: string | null,
  body: BodyText,
  receivedAt: number,
  clockOffset: number | undefined,
): TokenResult<Raw, InvalidResponseError> {
  const invalid = (reason: string): Failure<InvalidResponseError> => fail(new InvalidResponseError(status, reason));
  if (body.truncated) return invalid("body exceeds 1 MiB");
  if (!mayBeJson(contentType)) return invalid(`content type ${describeContentType(contentType)} is not JSON`);
  const json = parseJson(body.text);
  if (json === undefined) return invalid("body is not valid JSON");
  const value = json.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return invalid("body is not a JSON object");
  const object = value as Record<string, unknown>;

  const names = endpoint.tokenFields;
  const accessToken = own(object, names.accessToken);
  if (typeof accessToken !== "string" || accessToken === "") {
    return invalid(`${names.accessToken} is missing or not a non-empty string`);
  }
  const tokenType = optionalString(object, names.tokenType);
  const refreshToken = optionalString(object, names.refreshToken);
  const scope = optionalString(object, names.scope);
  for (const [name, read] of [
    [names.tokenType, tokenType],
    [names.refreshToken, refreshToken],
    [names.scope, scope],
  ] as const) {
    if (read === null) return invalid(`${name ?? "a token field"} is not a string`);
  }
  const expiry = computeExpiresAt(endpoint.expiry, object, receivedAt);
  if (!expiry.ok) return invalid(expiry.reason);
  // Times read from the server's clock are moved onto ours; a relative expires_in already is on ours.
  const rule = endpoint.expiry;
  const serverClockTime =
    rule.kind === "absolute" || (rule.kind === "created-plus-relative" && own(object, rule.createdField) != null);
  const offset = serverClockTime && expiry.expiresAt !== undefined ? clockOffset : undefined;
  const expiresAt = expiry.expiresAt !== undefined && offset !== undefined ? expiry.expiresAt + offset : expiry.expiresAt;

  const token: Token<Raw> = {
    accessToken,
    ...(typeof tokenType === "string" ? { tokenType } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(offset !== undefined ? { clockOffsetMs: offset } : {}),
    ...(typeof refreshToken === "string" ? { refreshToken } : {}),
    ...(typeof scope === "string" ? { scope } : {}),
    raw: object as unknown as Raw,
  };
  return { ok: true, token };
}

function own(object: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

/** The string, `undefined` when absent or JSON null, `null` when it is something else. */
function optionalString(object: Record<string, unknown>, name: string | undefined): string | undefined | null {
  if (name === undefined) return undefined;
  const value = own(object, name);
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : null;
}

function parseJson(text: string): { readonly value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

const JSON_SUFFIX_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+\+json$/;

/** JSON media types (`application/json`, `*\/*+json`), or no content type at all. */
function mayBeJson(contentType: string | null): boolean {
  const essence = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return essence === "" || essence === "application/json" || JSON_SUFFIX_TYPE.test(essence);
}

/** The media type as the server sent it, quoted so that header bytes read as C1 controls (latin1) stay inert. */
function describeContentType(contentType: string | null): string {
  const essence = (contentType ?? "").split(";")[0]?.trim() ?? "";
  return quoteForMessage(essence.slice(0, 64));
}
