/**
 * Errors a token request can end in. Each is a class with a stable `code` (for
 * logs and metrics) and a `kind` (for narrowing a generated error union).
 *
 * None of them holds request parameters or credentials: a message names the
 * status and what went wrong, never what was sent.
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
    this.body = body;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The server answered with a status the spec does not document. */
export class UnexpectedStatusError extends TokenError {
  readonly kind = "unexpected_status";
  readonly code = "TOKEN_UNEXPECTED_STATUS";
  readonly status: number;
  /** Parsed JSON when the body was JSON, else its text (capped). */
  readonly body: unknown;
  /** From a `Retry-After` header (RFC 9110 §10.2.3), in milliseconds from receipt. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, body: unknown, retryAfterMs?: number) {
    super(`token endpoint answered ${status}, which its spec does not document${describeOAuthError(body)}`);
    this.name = "UnexpectedStatusError";
    this.status = status;
    this.body = body;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The request never got an HTTP answer (DNS, refused, reset, TLS). */
export class NetworkError extends TokenError {
  readonly kind = "network";
  readonly code = "TOKEN_NETWORK_ERROR";
  constructor(options?: { cause?: unknown }) {
    super("token request failed before an HTTP answer arrived", options);
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

/** Errors every generated error union includes besides its documented statuses. */
export type TransportError =
  | UnexpectedStatusError
  | NetworkError
  | TimeoutError
  | AbortedError
  | InvalidResponseError;

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
