import { InvalidResponseError, NO_SECRETS, TokenResponseError, UnexpectedStatusError } from "./errors.js";
import type { SecretRedactor, TransportError } from "./errors.js";
import { readExpiry } from "./expiry.js";
import { defineField, fieldPathName, readField } from "./field-path.js";
import { describeContentType, isJsonType, mayBeJson, mediaType, parseJson } from "./transport.js";
import type { BodyText } from "./transport.js";
import type { ErrorInSuccessRule, FieldPath, StatusKey, Token, TokenEndpoint, TokenResult } from "./types.js";

const FORM_MEDIA_TYPE = "application/x-www-form-urlencoded";

export type Failure<E> = { readonly ok: false; readonly error: E };

export function fail<E>(error: E): Failure<E> {
  return { ok: false, error };
}

/**
 * Reading a token endpoint's answer: which statuses are success or a
 * documented error, the token's fields at their paths, expiry on the local
 * clock, and `Retry-After`. Every error made here gets `redact`, the secrets
 * the request sent, so that a server echoing them shows none (errors.ts).
 */

export function interpret<Raw, Documented extends TokenResponseError<number, unknown>>(
  endpoint: TokenEndpoint,
  status: number,
  headers: Headers,
  body: BodyText,
  receivedAt: number,
  redact: SecretRedactor = NO_SECRETS,
): TokenResult<Raw, Documented | TransportError> {
  const contentType = headers.get("content-type");
  if (isSuccessStatus(endpoint.successStatuses, status)) return readToken<Raw, Documented>(endpoint, status, headers, body, receivedAt, redact);
  const json = body.truncated || !mayBeJson(contentType) ? undefined : parseJson(body.text);
  const retryAfterMs = retryAfter(headers.get("retry-after"), receivedAt);
  if (json !== undefined && isDocumentedError(endpoint.errorStatuses, status)) {
    // The body is not validated against the documented schema.
    return fail(new TokenResponseError(status, json.value, retryAfterMs, { redact }) as Documented);
  }
  // The error cuts, cleans and redacts the body (errors.ts, sanitizeErrorBody); a body
  // cut off at the size cap may also end in the start of a secret, which goes too.
  const text = body.truncated ? redact.truncatedText(body.text) : body.text;
  return fail(new UnexpectedStatusError(status, json !== undefined ? json.value : text, retryAfterMs, { redact }));
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

/**
 * A `Date` header (RFC 9110 §6.6.1) within this of the local clock is taken
 * as agreeing with it: the difference is network delay and rounding to the
 * second, and no correction is made.
 */
export const CLOCK_SKEW_TOLERANCE_MS = 30_000;

/**
 * The largest server-clock offset applied to an expiry: 5 minutes, more
 * than the drift of a clock that is kept at all, far less than a token's
 * usual lifetime. A `Date` header further off than this is not trusted to
 * move an expiry later: the server's clock, its `Date` header or its expiry
 * is wrong, and nothing says which. The expiry is then the earlier of the
 * two readings, as sent and as shifted, so that a token is never believed
 * valid for longer than the server itself claimed (its expiry minus its
 * `Date`), counted from receipt, nor past its expiry read on the local
 * clock. Such a token may be expired on receipt.
 */
export const MAX_CLOCK_CORRECTION_MS = 5 * 60_000;

/** How far the server's clock (its `Date` header) is behind ours, when that is past the tolerance. */
function serverClockOffset(headers: Headers, receivedAt: number): number | undefined {
  const header = headers.get("date");
  const serverNow = header === null ? Number.NaN : Date.parse(header);
  if (Number.isNaN(serverNow)) return undefined;
  const offset = receivedAt - serverNow;
  return Math.abs(offset) > CLOCK_SKEW_TOLERANCE_MS ? offset : undefined;
}

/** An expiry on the local clock, and how the server's `Date` header moved it. */
interface LocalExpiry {
  readonly expiresAt: number | undefined;
  readonly clockOffsetMs: number | undefined;
  readonly beyondBound: boolean;
}

/**
 * Moves a server-clock expiry onto the local clock: by the `Date` header's
 * offset within {@link MAX_CLOCK_CORRECTION_MS}, past it to the earlier of
 * the two readings. An expiry already past at receipt (`expires_in: 0`, a
 * timestamp in the past) stays the number it is, at or before receipt, so
 * that `expiresAt <= now` tells a token that was expired on receipt; it is
 * never dropped (absent means "the server did not say").
 */
function localExpiry(expiresAt: number | undefined, serverClock: boolean, headers: Headers, receivedAt: number): LocalExpiry {
  if (expiresAt === undefined) return { expiresAt, clockOffsetMs: undefined, beyondBound: false };
  const offset = serverClock ? serverClockOffset(headers, receivedAt) : undefined;
  if (offset === undefined) return { expiresAt, clockOffsetMs: undefined, beyondBound: false };
  const beyondBound = Math.abs(offset) > MAX_CLOCK_CORRECTION_MS;
  return { expiresAt: beyondBound ? Math.min(expiresAt, expiresAt + offset) : expiresAt + offset, clockOffsetMs: offset, beyondBound };
}

function readToken<Raw, Documented extends TokenResponseError<number, unknown>>(
  endpoint: TokenEndpoint,
  status: number,
  headers: Headers,
  body: BodyText,
  receivedAt: number,
  redact: SecretRedactor,
): TokenResult<Raw, InvalidResponseError | Documented> {
  const invalid = (reason: string): Failure<InvalidResponseError> => fail(new InvalidResponseError(status, reason, { redact }));
  if (body.truncated) return invalid("body exceeds 1 MiB");
  const contentType = headers.get("content-type");
  const essence = mediaType(contentType);
  let object: Record<string, unknown>;
  if (endpoint.responseEncoding === "form" && !isJsonType(essence)) {
    if (essence !== "" && essence !== FORM_MEDIA_TYPE && essence !== "text/plain") {
      return invalid(`content type ${describeContentType(contentType, redact)} is not form-encoded or JSON`);
    }
    object = parseFormBody(body.text);
  } else if (endpoint.responseEncoding === "form") {
    // A form-answering server may label its form body JSON (GitHub): the body, not the label, decides.
    const json = parseJson(body.text);
    const value = json?.value;
    object = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : parseFormBody(body.text);
  } else {
    if (essence !== "" && !isJsonType(essence)) return invalid(`content type ${describeContentType(contentType, redact)} is not JSON`);
    const json = parseJson(body.text);
    if (json === undefined) return invalid("body is not valid JSON");
    const value = json.value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return invalid("body is not a JSON object");
    object = value as Record<string, unknown>;
  }

  const errorInSuccess = endpoint.errorInSuccess;
  if (errorInSuccess !== undefined && isErrorInSuccess(errorInSuccess, object)) {
    // The code where the provider puts it (`status`, `message`), for the message; the body keeps it typed.
    const code = errorInSuccess.code === undefined ? undefined : readField(object, errorInSuccess.code);
    const errorCode = typeof code === "string" ? { errorCode: code } : {};
    return fail(new TokenResponseError(status, object, retryAfter(headers.get("retry-after"), receivedAt), { redact, ...errorCode }) as Documented);
  }

  const names = endpoint.tokenFields;
  const fallbacks = names.fallbacks ?? {};
  const accessTokenPath = firstPresent(object, names.accessToken, fallbacks.accessToken);
  const accessToken = readField(object, accessTokenPath);
  if (typeof accessToken !== "string" || accessToken === "") {
    return invalid(`${fieldPathName(accessTokenPath)} is missing or not a non-empty string`);
  }
  const tokenTypePath = optionalPath(object, names.tokenType, fallbacks.tokenType);
  const tokenType = optionalString(object, tokenTypePath);
  if (tokenType === null) return invalid(notAString(tokenTypePath));
  const refreshTokenPath = optionalPath(object, names.refreshToken, fallbacks.refreshToken);
  const refreshToken = optionalString(object, refreshTokenPath);
  if (refreshToken === null) return invalid(notAString(refreshTokenPath));
  const scopePath = optionalPath(object, names.scope, fallbacks.scope);
  const scope = optionalString(object, scopePath);
  if (scope === null) return invalid(notAString(scopePath));
  const expiry = readExpiry(endpoint.expiry, object, receivedAt, redact);
  if (!expiry.ok) return invalid(expiry.reason);
  // Times read from the server's clock are moved onto ours; a relative expires_in already is on ours.
  const { expiresAt, clockOffsetMs, beyondBound } = localExpiry(expiry.expiresAt, expiry.serverClock, headers, receivedAt);

  const token: Token<Raw> = {
    accessToken,
    ...(tokenType !== undefined ? { tokenType } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(clockOffsetMs !== undefined ? { clockOffsetMs } : {}),
    ...(beyondBound ? { clockOffsetBeyondBound: true } : {}),
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(scope !== undefined ? { scope } : {}),
    raw: object as unknown as Raw,
  };
  return { ok: true, token };
}

/** Whether a success-status body is an error by the endpoint's rule: a value, a presence, or one of a set. */
function isErrorInSuccess(rule: ErrorInSuccessRule, object: Record<string, unknown>): boolean {
  const value = readField(object, rule.field);
  if ("equals" in rule) return value === rule.equals;
  if ("present" in rule) return (value !== undefined) === rule.present;
  return rule.in.some((candidate) => candidate === value);
}

/** The first of `path` and its fallbacks at which the body has a member (JSON null counts as absent); else `path`. */
function firstPresent(object: Record<string, unknown>, path: FieldPath, fallbacks: readonly FieldPath[] | undefined): FieldPath {
  if (fallbacks === undefined) return path;
  for (const candidate of [path, ...fallbacks]) {
    const value = readField(object, candidate);
    if (value !== undefined && value !== null) return candidate;
  }
  return path;
}

function optionalPath(object: Record<string, unknown>, path: FieldPath | undefined, fallbacks: readonly FieldPath[] | undefined): FieldPath | undefined {
  if (path === undefined) return fallbacks?.[0] === undefined ? undefined : firstPresent(object, fallbacks[0], fallbacks.slice(1));
  return firstPresent(object, path, fallbacks);
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

