// The reading half of a token request, shared by requestToken and processTokenResponse: the body, capped and
// within the deadline, read into a TokenResult.
import { AbortedError, NO_SECRETS, NetworkError, SecretRedactor, TimeoutError } from "./errors.js";
import type { TokenResponseError, TransportError } from "./errors.js";
import { readField } from "./field-path.js";
import { DEFAULT_TIMEOUT_MS } from "./request-draft.js";
import { fail, interpret, type Failure } from "./response-read.js";
import { readBodyCapped, startDeadline } from "./transport.js";
import type { BodyText, Deadline } from "./transport.js";
import type { TokenEndpoint, TokenResult } from "./types.js";

/** Largest response body read, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What each built request sent that is secret, for {@link processTokenResponse} to redact. */
const builtSecrets = /* @__PURE__ */ new WeakMap<Request, SecretRedactor>();

/** Keeps what a request built by `buildTokenRequest` sent that is secret, for {@link processTokenResponse}. */
export function rememberSecrets(request: Request, redact: SecretRedactor): void {
  builtSecrets.set(request, redact);
}

/** Options for {@link processTokenResponse}. */
export interface ProcessTokenResponseOptions {
  /** The request the response answers, as {@link buildTokenRequest} made it: what it sent that is secret is redacted. */
  readonly request?: Request | undefined;
  /** When the response arrived, in epoch ms (default: now), for relative expiry. */
  readonly receivedAt?: number | undefined;
  /** Reading the body is abandoned after this many ms (default 10 000). */
  readonly timeoutMs?: number | undefined;
  /** Aborts reading the body. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Reads a token endpoint's answer into the {@link TokenResult}
 * {@link requestToken} returns, from a WHATWG `Response` however it was
 * obtained: a success status read as a token (RFC 6749 §5.1: a JSON object,
 * token fields at the endpoint's paths, `expiresAt` by its expiry rule,
 * `issued_token_type` of RFC 8693 §2.2.1), a documented error status with a
 * JSON body as a `TokenResponseError` (§5.2), as is a success body that
 * carries the endpoint's `errorInSuccess` mark; anything else (an unusable
 * success body, another status, a body over 1 MiB, a read that fails or
 * times out) as the {@link TransportError}s. Never rejects; the body is read
 * once.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export async function processTokenResponse<Raw = Record<string, unknown>, Documented extends TokenResponseError<number, unknown> = never>(
  endpoint: TokenEndpoint,
  response: Response,
  options: ProcessTokenResponseOptions = {},
): Promise<TokenResult<Raw, Documented | TransportError>> {
  const receivedAt = options.receivedAt ?? Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const redact = (options.request !== undefined ? builtSecrets.get(options.request) : undefined) ?? NO_SECRETS;
  const deadline = startDeadline(timeoutMs, options.signal);
  try {
    const read = await readResponse(response, deadline, false, timeoutMs, redact);
    if (!read.ok) return read;
    return processBody<Raw, Documented>(endpoint, response, read.body, receivedAt, redact);
  } finally {
    deadline.dispose();
  }
}

/** The body, at most {@link MAX_BODY_BYTES} of it, within the deadline. */
export async function readResponse(
  response: Response,
  deadline: Deadline,
  honoursSignal: boolean,
  timeoutMs: number,
  redact: SecretRedactor,
): Promise<{ readonly ok: true; readonly body: BodyText } | Failure<TransportError>> {
  try {
    return { ok: true, body: await readBodyCapped(response, MAX_BODY_BYTES, deadline, honoursSignal) };
  } catch (cause) {
    return fail(transportFailure(deadline, timeoutMs, cause, redact));
  }
}

/** The processing half of {@link processTokenResponse}, on a body already read. */
export function processBody<Raw, Documented extends TokenResponseError<number, unknown>>(
  endpoint: TokenEndpoint,
  response: Response,
  body: BodyText,
  receivedAt: number,
  redact: SecretRedactor,
): TokenResult<Raw, Documented | TransportError> {
  return withIssuedTokenType(interpret<Raw, Documented>(endpoint, response.status, response.headers, body, receivedAt, redact), endpoint);
}

/** RFC 8693 §2.2.1: the `issued_token_type` of a token-exchange answer (or where the endpoint says), on the token. */
function withIssuedTokenType<Raw, E>(result: TokenResult<Raw, E>, endpoint: TokenEndpoint): TokenResult<Raw, E> {
  if (!result.ok) return result;
  const value = readField(result.token.raw, endpoint.tokenFields.issuedTokenType ?? "issued_token_type");
  return typeof value === "string" && value !== "" ? { ok: true, token: { ...result.token, issuedTokenType: value } } : result;
}

export function transportFailure(deadline: Deadline, timeoutMs: number, cause: unknown, redact: SecretRedactor): TransportError {
  switch (deadline.firedBy()) {
    case "timeout":
      return new TimeoutError(timeoutMs);
    case "caller":
      return new AbortedError();
    case undefined:
      return new NetworkError({ cause, redact });
  }
}
