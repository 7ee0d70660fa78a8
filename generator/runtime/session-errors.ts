import { TokenError } from "./errors.js";

/**
 * The refresh token was refused (`invalid_grant`, RFC 6749 §5.2) and the
 * original grant cannot run again without the user (an authorization code,
 * a device code): the user must sign in again.
 */
export class ReauthenticationRequiredError extends TokenError {
  readonly kind = "reauthentication_required";
  readonly code = "TOKEN_REAUTHENTICATION_REQUIRED";
  constructor(options?: { cause?: unknown }) {
    super("the refresh token was refused and the original grant cannot be repeated without the user", options);
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
