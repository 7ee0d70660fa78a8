import { TokenError } from "./errors.js";

/**
 * The refresh token was refused (`invalid_grant`, RFC 6749 §5.2) and the
 * original grant cannot run again without the user (an authorization code,
 * a device code): the user must sign in again.
 */
export class ReauthenticationRequiredError extends TokenError {
  readonly kind = "reauthentication_required";
  readonly code = "TOKEN_REAUTHENTICATION_REQUIRED";
  /**
   * `refreshToken` says what became of it, so the message names what failed: `refused` (the default), `spent`
   * (already sent, never sent twice) or `none` (none to send: a session of a provider's own grant that may
   * not run again). `grantType` names the original grant.
   */
  constructor(options?: { cause?: unknown; grantType?: string | undefined; refreshToken?: "refused" | "spent" | "none" }) {
    const grant = options?.grantType !== undefined ? `the ${options.grantType} grant` : "the original grant";
    const refresh = options?.refreshToken ?? "refused";
    const again = `${grant} cannot be repeated without the user`;
    super(
      refresh === "none"
        ? `the token expired, the session has no refresh token to send, and ${again}`
        : `the refresh token was ${refresh === "spent" ? "already sent" : "refused"} and ${again}`,
      options?.cause !== undefined ? { cause: options.cause } : undefined,
    );
    this.name = "ReauthenticationRequiredError";
  }
}

/** The session was closed. */
export class SessionClosedError extends TokenError {
  readonly kind = "session_closed";
  readonly code = "TOKEN_SESSION_CLOSED";
  constructor() {
    super("the token session is closed");
    this.name = "SessionClosedError";
  }
}

/**
 * `session.fetch` (or the middleware) was asked to send the token to an
 * origin the session was not configured for. Thrown, not returned: it is a
 * programming error, and the token has not left the process.
 */
export class TokenOriginError extends Error {
  readonly code = "TOKEN_ORIGIN_NOT_ALLOWED";
  readonly origin: string;
  constructor(origin: string) {
    super(`refusing to send the access token to ${origin}: it is not one of the session's origins`);
    this.name = "TokenOriginError";
    this.origin = origin;
  }
}

/**
 * No token within the session's deadline (`deadlineMs`): the store, the
 * lease holder or the token endpoint took too long. The work in flight goes
 * on (a refresh that lands is stored for the next call); this call is over.
 */
export class SessionDeadlineError extends TokenError {
  readonly kind = "deadline";
  readonly code = "TOKEN_SESSION_DEADLINE";
  readonly deadlineMs: number;
  constructor(deadlineMs: number) {
    super(`no token within the session's deadline of ${deadlineMs} ms`);
    this.name = "SessionDeadlineError";
    this.deadlineMs = deadlineMs;
  }
}

/**
 * The token store failed or did not answer in time, and the session could
 * not serve a token without it: it holds no valid token in memory, and the
 * next request would spend a refresh token, which is only sent under the
 * store's lease so that no other process sends it too.
 */
export class TokenStoreUnavailableError extends TokenError {
  readonly kind = "store_unavailable";
  readonly code = "TOKEN_STORE_UNAVAILABLE";
  /** What the store was asked (`get`, `set`, `acquire`, …). */
  readonly operation: string;
  constructor(operation: string, reason: string) {
    super(`the token store failed (${operation}): ${reason}`);
    this.name = "TokenStoreUnavailableError";
    this.operation = operation;
  }
}

/**
 * The token endpoint asked for a pause (`Retry-After`) or failed repeatedly,
 * and every process sharing the store waits out the cool-down before asking
 * again. `retryAfterMs` says how long is left.
 */
export class CoolingDownError extends TokenError {
  readonly kind = "cooling_down";
  readonly code = "TOKEN_COOLING_DOWN";
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super(`the token endpoint is cooling down for another ${Math.ceil(retryAfterMs)} ms after failures`);
    this.name = "CoolingDownError";
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The token server issued a token that cannot travel in an `Authorization`
 * header (RFC 9110 §11.4): an access token, or a token type other than
 * bearer, that is empty or has a space, a control character or a non-ASCII
 * character. The session refuses such a token when it arrives rather than
 * failing every request it would be sent with. `reason` names what is wrong
 * (which field, which kind of character), never the token.
 */
export class InvalidTokenValueError extends TokenError {
  readonly kind = "invalid_token_value";
  readonly code = "TOKEN_INVALID_VALUE";
  readonly reason: string;
  constructor(reason: string) {
    super(`the token cannot be sent in an Authorization header: ${reason}`);
    this.name = "InvalidTokenValueError";
    this.reason = reason;
  }
}
