/**
 * Errors a token request can end in. Each is a class with a stable `code` (for
 * logs and metrics) and a `kind` (for narrowing a generated error union).
 *
 * None of them holds request parameters or credentials: a message names the
 * status and what went wrong, never what was sent.
 *
 * A server's error body is kept on `body`, cut and cleaned: errors get
 * logged, and a hostile or broken server must not be able to flood a log or
 * drive a terminal through one (see {@link sanitizeErrorBody}).
 */
export abstract class TokenError extends Error {
  abstract readonly kind: string;
  abstract readonly code: string;
}

/**
 * The server answered with a status the spec documents as an error, and a body
 * of the documented media type. `body` is typed from that status's schema.
 */
export class TokenResponseError<Status extends number = number, Body = unknown> extends TokenError {
  readonly kind = "response";
  readonly code = "TOKEN_RESPONSE_ERROR";
  readonly status: Status;
  readonly body: Body;
  /** From a `Retry-After` header (RFC 9110 §10.2.3), in milliseconds from receipt. */
  readonly retryAfterMs: number | undefined;
  constructor(status: Status, body: Body, retryAfterMs?: number) {
    super(`token endpoint answered ${status}${describeOAuthError(body)}`);
    this.name = "TokenResponseError";
    this.status = status;
    // Same shape as the documented schema, with strings cut and cleaned.
    this.body = sanitizeErrorBody(body) as Body;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The server answered with a status the spec does not document. */
export class UnexpectedStatusError extends TokenError {
  readonly kind = "unexpected_status";
  readonly code = "TOKEN_UNEXPECTED_STATUS";
  readonly status: number;
  /** Parsed JSON when the body was JSON, else its text; cut and cleaned by {@link sanitizeErrorBody}. */
  readonly body: unknown;
  /** From a `Retry-After` header (RFC 9110 §10.2.3), in milliseconds from receipt. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, body: unknown, retryAfterMs?: number) {
    super(`token endpoint answered ${status}, which its spec does not document${describeOAuthError(body)}`);
    this.name = "UnexpectedStatusError";
    this.status = status;
    this.body = sanitizeErrorBody(body);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The request never got a complete HTTP answer (DNS, refused, reset, TLS, a body cut short). */
export class NetworkError extends TokenError {
  readonly kind = "network";
  readonly code = "TOKEN_NETWORK_ERROR";
  constructor(options?: { cause?: unknown }) {
    // Also used when the connection breaks while the body is read.
    super("token request failed before a complete HTTP answer arrived", options);
    this.name = "NetworkError";
  }
}

/** No complete answer arrived within the client's timeout. */
export class TimeoutError extends TokenError {
  readonly kind = "timeout";
  readonly code = "TOKEN_TIMEOUT";
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`token request timed out after ${timeoutMs} ms`);
    this.name = "TimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's own `AbortSignal` fired. */
export class AbortedError extends TokenError {
  readonly kind = "aborted";
  readonly code = "TOKEN_ABORTED";
  constructor() {
    super("token request was aborted by the caller");
    this.name = "AbortedError";
  }
}

/**
 * A 2xx answer that cannot be a token: not the documented media type, not
 * parseable, or missing a usable access token or expiry.
 */
export class InvalidResponseError extends TokenError {
  readonly kind = "invalid_response";
  readonly code = "TOKEN_INVALID_RESPONSE";
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string) {
    super(`token endpoint answered ${status} with an unusable body: ${reason}`);
    this.name = "InvalidResponseError";
    this.status = status;
    this.reason = reason;
  }
}

/**
 * The token endpoint could not be found through OpenID Connect Discovery 1.0
 * (§4): the discovery document answered a status other than 200, was not a
 * JSON object, named a `token_endpoint` that is not an absolute `https:`
 * URL (loopback `http:` aside) on the discovery document's own origin, or
 * lists no client authentication method the client can use. `reason` says
 * which, in words chosen here (server strings are quoted and cut); no
 * credential is ever part of it, since none is sent before discovery
 * succeeds.
 *
 * A discovery request that gets no complete answer is a {@link NetworkError}
 * or {@link TimeoutError} instead, as for the token request, so that it is
 * retried like one. A failed discovery is not remembered: the next request
 * tries again.
 */
export class DiscoveryError extends TokenError {
  readonly kind = "discovery";
  readonly code = "TOKEN_DISCOVERY_FAILED";
  /** The discovery document's HTTP status, when an answer arrived. */
  readonly status: number | undefined;
  readonly reason: string;
  constructor(reason: string, status?: number) {
    super(`OpenID Connect discovery failed: ${reason}`);
    this.name = "DiscoveryError";
    this.status = status;
    this.reason = reason;
  }
}

/** Errors every generated error union includes besides its documented statuses. */
export type TransportError =
  | UnexpectedStatusError
  | NetworkError
  | TimeoutError
  | AbortedError
  | InvalidResponseError;

/**
 * What a request to an endpoint with `discovery` can fail with besides its
 * documented statuses: the {@link TransportError}s and {@link DiscoveryError}.
 * Kept apart from `TransportError` so that clients without discovery do not
 * carry a kind they can never see; such clients pass `DiscoveryError` as
 * `requestToken`'s third type argument.
 */
export type DiscoveryTransportError = TransportError | DiscoveryError;

/** Thrown synchronously when a client is created with unusable options. */
export class TokenClientConfigError extends Error {
  readonly code = "TOKEN_CLIENT_CONFIG";
  constructor(message: string) {
    super(message);
    this.name = "TokenClientConfigError";
  }
}

const MAX_ERROR_CODE_LENGTH = 64;

/**
 * Adds an RFC 6749 §5.2 `error` code to a message when the body has one that
 * looks like a code (short, printable ASCII). Descriptions are left out of
 * messages: they are free text chosen by the server.
 */
function describeOAuthError(body: unknown): string {
  if (typeof body !== "object" || body === null) return "";
  const code: unknown = (body as { error?: unknown }).error;
  if (typeof code !== "string" || code.length === 0 || code.length > MAX_ERROR_CODE_LENGTH) return "";
  return /^[\x20-\x7e]+$/.test(code) ? ` (${code})` : "";
}

/** Longest text kept when an error body is not JSON (or is a bare JSON string). */
export const MAX_ERROR_TEXT_CHARS = 4096;
/** Longest string (value or key) kept inside a JSON error body. */
export const MAX_ERROR_BODY_STRING_CHARS = 1000;
/** Objects and arrays nested deeper than this in an error body are replaced by {@link ERROR_BODY_TOO_DEEP}. */
export const MAX_ERROR_BODY_DEPTH = 32;
export const ERROR_BODY_TOO_DEEP = "[nested too deep]";

/** C0 controls other than tab and line feed, DEL, and C1 controls (ESC and CSI among them). */
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * What an error keeps of a server's body, since errors end up in logs and
 * terminals and a body is whatever the server chose to send:
 *
 * - C0 and C1 control characters and DEL are removed from every string
 *   (keys too), except `\n` and `\t`, so a body cannot move a cursor, clear
 *   a screen or forge log lines with `\r`.
 * - Strings inside objects and arrays are cut to 1000 UTF-16 units (never
 *   through a surrogate pair), so a 200 KB `error_description` stays
 *   readable; a body that is only text (not JSON) keeps up to 4096.
 * - Structure is kept: objects stay objects with the same keys (a
 *   `__proto__` key stays an own key, never a prototype), arrays stay arrays,
 *   numbers, booleans and null are unchanged. Objects and arrays more than
 *   32 levels deep become the string `"[nested too deep]"`, so that logging
 *   the error (`JSON.stringify`) cannot overflow the stack.
 *
 * Values that JSON cannot produce (class instances, functions) are kept as given.
 */
export function sanitizeErrorBody(body: unknown): unknown {
  return typeof body === "string" ? cleanText(body, MAX_ERROR_TEXT_CHARS) : sanitizeValue(body, 0);
}

function sanitizeValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return cleanText(value, MAX_ERROR_BODY_STRING_CHARS);
  if (typeof value !== "object" || value === null) return value;
  // Checked before descending, which also bounds the recursion.
  if (depth >= MAX_ERROR_BODY_DEPTH) return ERROR_BODY_TOO_DEEP;
  if (Array.isArray(value)) return (value as readonly unknown[]).map((item) => sanitizeValue(item, depth + 1));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  // fromEntries defines own properties: assigning a "__proto__" key would set the prototype instead.
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      cleanText(key, MAX_ERROR_BODY_STRING_CHARS),
      sanitizeValue(item, depth + 1),
    ]),
  );
}

function cleanText(text: string, maxChars: number): string {
  const clean = text.replace(CONTROL_CHARS, "");
  if (clean.length <= maxChars) return clean;
  const last = clean.charCodeAt(maxChars - 1);
  // A high surrogate at the cut would be left without its pair.
  return clean.slice(0, last >= 0xd800 && last <= 0xdbff ? maxChars - 1 : maxChars);
}

/**
 * A server-chosen string quoted for a one-line message: JSON escapes C0
 * controls, and C1 controls, DEL and the Unicode line separators are escaped
 * here too, so the message cannot drive a terminal (CSI is U+009B) or break
 * a log line.
 */
export function quoteForMessage(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
