// The errors of the authorization and device flows (authorize.ts, callback.ts, device.ts): typed, with the
// state, code, verifier and nonce they compare never in any rendering.
import { MAX_ERROR_BODY_STRING_CHARS, MAX_ERROR_CODE_LENGTH, NO_SECRETS, TokenError, cleanText, quoteForMessage, type RedactionOptions } from "./errors.js";


/** An RFC 6749 §4.1.2.1 / RFC 8628 §3.5 error code as a message shows it: printable ASCII of up to 64 characters, else nothing. */
function errorCodeText(code: string): string {
  return code.length > 0 && code.length <= MAX_ERROR_CODE_LENGTH && /^[\x20-\x7e]+$/.test(code) ? code : "";
}

/**
 * The callback's `state` is missing or is not the one the authorization
 * request carried (RFC 6749 §10.12, RFC 9700 §2.1): the response may be an
 * attacker's, and its code is not exchanged. Neither value is kept.
 */
export class StateMismatchError extends TokenError {
  readonly kind = "state_mismatch";
  readonly code = "TOKEN_STATE_MISMATCH";
  /** Whether the callback carried no `state` at all (rather than another one). */
  readonly missing: boolean;
  constructor(missing: boolean) {
    super(missing ? "the authorization callback carries no state" : "the authorization callback's state is not the one sent");
    this.name = "StateMismatchError";
    this.missing = missing;
  }
}

/**
 * The authorization server answered the authorization request with an error
 * (RFC 6749 §4.1.2.1: `access_denied`, `invalid_scope`, `invalid_request`…).
 * `error` is the code (cleaned, cut); `description` the `error_description`,
 * cleaned, cut and redacted of the flow's secrets (state, code verifier).
 */
export class AuthorizationResponseError extends TokenError {
  readonly kind = "authorization_error";
  readonly code = "TOKEN_AUTHORIZATION_ERROR";
  readonly error: string;
  readonly description: string | undefined;
  constructor(error: string, description: string | undefined, options?: RedactionOptions) {
    const redact = options?.redact ?? NO_SECRETS;
    const code = cleanText(error, MAX_ERROR_CODE_LENGTH, redact);
    const shown = errorCodeText(code);
    super(`the authorization server refused the authorization request${shown === "" ? "" : ` (${shown})`}`);
    this.name = "AuthorizationResponseError";
    this.error = code;
    this.description = description === undefined ? undefined : cleanText(description, MAX_ERROR_BODY_STRING_CHARS, redact);
  }
}

/**
 * RFC 9207 §2.4: the callback's `iss` is not the issuer the authorization
 * request went to, or it is missing while the server's metadata says it
 * always sends one (`authorization_response_iss_parameter_supported`): a
 * mix-up attack may be under way, and the code is not exchanged.
 */
export class IssuerMismatchError extends TokenError {
  readonly kind = "issuer_mismatch";
  readonly code = "TOKEN_ISSUER_MISMATCH";
  readonly expected: string;
  /** The `iss` received, cleaned and cut; undefined when there was none. */
  readonly received: string | undefined;
  constructor(expected: string, received: string | undefined, options?: RedactionOptions) {
    const redact = options?.redact ?? NO_SECRETS;
    const got = received === undefined ? undefined : cleanText(received, MAX_ERROR_BODY_STRING_CHARS, redact);
    super(got === undefined ? `the authorization callback carries no iss (expected ${quoteForMessage(expected)})`
      : `the authorization callback's iss ${quoteForMessage(got)} is not ${quoteForMessage(expected)}`);
    this.name = "IssuerMismatchError";
    this.expected = expected;
    this.received = got;
  }
}

/** The callback carries neither a `code` nor an `error` (RFC 6749 §4.1.2). */
export class MissingCodeError extends TokenError {
  readonly kind = "missing_code";
  readonly code = "TOKEN_MISSING_CODE";
  constructor() {
    super("the authorization callback carries no code");
    this.name = "MissingCodeError";
  }
}

/**
 * OpenID Connect Core §3.1.3.7: the ID token the code was exchanged for has
 * no `nonce`, or not the one the authorization request carried. The token is
 * not returned. Neither value is kept.
 */
export class NonceMismatchError extends TokenError {
  readonly kind = "nonce_mismatch";
  readonly code = "TOKEN_NONCE_MISMATCH";
  constructor() {
    super("the ID token's nonce is not the one the authorization request sent");
    this.name = "NonceMismatchError";
  }
}

/**
 * A device authorization (RFC 8628) ended without a token: the user denied
 * it (`access_denied`, §3.5), the server says the device code expired
 * (`expired_token`), or its `expires_in` passed while polling
 * (`expiredLocally`).
 */
export class DeviceFlowEndedError extends TokenError {
  readonly kind = "device_flow_ended";
  readonly code = "TOKEN_DEVICE_FLOW_ENDED";
  readonly error: "access_denied" | "expired_token";
  /** True when the device code's `expires_in` ran out before the server said so. */
  readonly expiredLocally: boolean;
  constructor(error: "access_denied" | "expired_token", expiredLocally = false) {
    super(
      error === "access_denied" ? "the user denied the device authorization (access_denied)"
        : expiredLocally ? "the device code expired before the user approved it" : "the device code expired (expired_token)",
    );
    this.name = "DeviceFlowEndedError";
    this.error = error;
    this.expiredLocally = expiredLocally;
  }
}

/** Every way an authorization callback can be refused before its code is exchanged (see `authorizationCallback`). */
export type CallbackError = StateMismatchError | AuthorizationResponseError | IssuerMismatchError | MissingCodeError;
