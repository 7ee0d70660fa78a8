/**
 * The key Node's `util.inspect` looks up (`util.inspect.custom`), spelled
 * with `Symbol.for` so that the runtime imports nothing from Node.
 */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

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
 *
 * **No secret in any rendering.** A server may echo what it received (a
 * client secret, a password, a refresh token) in its answer, and a failed
 * `fetch` may carry the request in its cause. What the request sent that is
 * secret is therefore removed, as {@link SecretRedactor} describes, from
 * everything an error keeps: every string and key of `body`, `reason`, the
 * message, and the cause, which is never the raw object but a
 * {@link RedactedCause} (name, code, message and stack frames, redacted;
 * its own causes likewise). `toJSON()` and `util.inspect()` render a view
 * of safe fields only (name, code, kind, message, status, body, reason,
 * retryAfterMs and other numbers and strings the error class set itself,
 * and the cause through the same rules); `String(err)` and `err.stack` hold
 * the message, which never includes a value that was sent.
 */
export abstract class TokenError extends Error {
  abstract readonly kind: string;
  abstract readonly code: string;
  constructor(message: string, options?: TokenErrorOptions) {
    super(message, causeOption(options));
  }
  /** The safe view: what `JSON.stringify(err)` shows (see the class comment). */
  toJSON(): Record<string, unknown> {
    return errorView(this, false);
  }
  /** What Node's `util.inspect` (and so `console.log`) shows: the stack, then the safe view. */
  [INSPECT](depth: number, options: InspectOptionsLike | undefined, inspect?: unknown): string {
    return inspectError(this, errorView(this, true), depth, options, inspect);
  }
}

/** Options of a {@link TokenError}'s constructor. */
export interface TokenErrorOptions {
  /** What led to the error; kept as a {@link RedactedCause} unless it is a `TokenError`. */
  readonly cause?: unknown;
  /** The secrets the request sent, removed from everything the error keeps. */
  readonly redact?: SecretRedactor | undefined;
}

/** Options of the error classes that keep what a server sent. */
export interface RedactionOptions {
  /** The secrets the request sent, removed from everything the error keeps. */
  readonly redact?: SecretRedactor | undefined;
  /** The endpoint that answered, as the message names it (default `token endpoint`). */
  readonly endpoint?: EndpointName | undefined;
}

/** The endpoints whose answers the runtime reads, by their RFC names. */
export type EndpointName =
  | "token endpoint"
  | "pushed authorization request endpoint"
  | "device authorization endpoint"
  | "revocation endpoint"
  | "introspection endpoint";

/** Where a provider puts its error code when not in `error` (provider config `errorWhen.code`): the code, for the message. */
export interface ErrorCodeOption {
  readonly errorCode?: string | undefined;
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
  constructor(status: Status, body: Body, retryAfterMs?: number, options?: RedactionOptions & ErrorCodeOption) {
    // Same shape as the documented schema, with strings cut, cleaned and redacted.
    const clean = sanitizeErrorBody(body, options?.redact);
    const stated = options?.errorCode;
    super(`${options?.endpoint ?? "token endpoint"} answered ${status}${describeOAuthError(stated === undefined ? clean : { error: redactWith(options?.redact, stated) })}`);
    this.name = "TokenResponseError";
    this.status = status;
    this.body = clean as Body;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The server answered with a status the spec does not document. */
export class UnexpectedStatusError extends TokenError {
  readonly kind = "unexpected_status";
  readonly code = "TOKEN_UNEXPECTED_STATUS";
  readonly status: number;
  /** Parsed JSON when the body was JSON, else its text; cut, cleaned and redacted by {@link sanitizeErrorBody}. */
  readonly body: unknown;
  /** From a `Retry-After` header (RFC 9110 §10.2.3), in milliseconds from receipt. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, body: unknown, retryAfterMs?: number, options?: RedactionOptions) {
    const clean = sanitizeErrorBody(body, options?.redact);
    super(`${options?.endpoint ?? "token endpoint"} answered ${status}, which its spec does not document${describeOAuthError(clean)}`);
    this.name = "UnexpectedStatusError";
    this.status = status;
    this.body = clean;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The request never got a complete HTTP answer (DNS, refused, reset, TLS, a
 * body cut short). `cause` is what the platform's `fetch` threw, as a
 * {@link RedactedCause}: its name, `code`, message and stack frames (and its
 * own causes), with the request's secrets redacted, never the raw object,
 * which may carry the request.
 */
export class NetworkError extends TokenError {
  readonly kind = "network";
  readonly code = "TOKEN_NETWORK_ERROR";
  constructor(options?: TokenErrorOptions) {
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
 * parseable, or missing a usable access token or expiry. `reason` may quote
 * (cut) server values, with the request's secrets redacted.
 */
export class InvalidResponseError extends TokenError {
  readonly kind = "invalid_response";
  readonly code = "TOKEN_INVALID_RESPONSE";
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, options?: RedactionOptions) {
    const safeReason = redactWith(options?.redact, reason);
    super(`${options?.endpoint ?? "token endpoint"} answered ${status} with an unusable body: ${safeReason}`);
    this.name = "InvalidResponseError";
    this.status = status;
    this.reason = safeReason;
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
 * succeeds (and the client secret is redacted all the same).
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
  constructor(reason: string, status?: number, options?: RedactionOptions) {
    const safeReason = redactWith(options?.redact, reason);
    super(`OpenID Connect discovery failed: ${safeReason}`);
    this.name = "DiscoveryError";
    this.status = status;
    this.reason = safeReason;
  }
}

/**
 * The key the client authenticates with (`private_key_jwt`, RFC 7523 §2.2)
 * or signs a JWT-bearer assertion with cannot be used: not a private key,
 * a key type or curve no JWS algorithm signs with (an RSA-OAEP key, an
 * X25519 key, a P-256K curve), a JWK with a member missing or malformed, or
 * a `client_secret_jwt` client without a secret. Found before anything is
 * sent. `reason` says what, in words chosen here: never any key material.
 */
export class ClientKeyError extends TokenError {
  readonly kind = "client_key";
  readonly code = "TOKEN_CLIENT_KEY_UNUSABLE";
  readonly reason: string;
  constructor(reason: string) {
    super(`the client's signing key cannot be used: ${reason}`);
    this.name = "ClientKeyError";
    this.reason = reason;
  }
}

/**
 * The client cannot make a DPoP proof (RFC 9449 §4) with its `dpop` key
 * pair: a key that is not a CryptoKey, a private key of a type no JWS
 * algorithm signs with, a public key that cannot be exported, or a key pair
 * whose halves do not match in algorithm; or a token of type `DPoP` met by
 * a session without a key pair. `reason` says what, never any key material.
 */
export class DPoPProofError extends TokenError {
  readonly kind = "dpop_proof";
  readonly code = "TOKEN_DPOP_PROOF_FAILED";
  readonly reason: string;
  constructor(reason: string) {
    super(`no DPoP proof can be made: ${reason}`);
    this.name = "DPoPProofError";
    this.reason = reason;
  }
}

/**
 * A resource server refused the DPoP proof `session.fetch` (or the
 * middleware) sent with the access token: its answer carried a
 * `WWW-Authenticate: DPoP` challenge with `error="invalid_dpop_proof"`
 * (RFC 9449 §7.1: a replayed proof, a wrong `htu` or `htm`, a key that is
 * not the token's), or asked for a nonce again after the one retry with
 * the nonce it gave (`use_dpop_nonce`). Thrown by `session.fetch`, as a
 * request that cannot be made right by sending it again: the key pair, the
 * clock, or something rewriting the request between the client and the
 * server is wrong. `error` is the challenge's error code and `description`
 * its `error_description`, cleaned and cut as error bodies are (see
 * {@link sanitizeErrorBody}), with the access token and proof redacted.
 */
export class DPoPProofRejectedError extends TokenError {
  readonly kind = "dpop_rejected";
  readonly code = "TOKEN_DPOP_PROOF_REJECTED";
  readonly status: number;
  /** The origin that refused the proof (never the path or query, which may carry data). */
  readonly origin: string;
  readonly error: string;
  readonly description: string | undefined;
  constructor(status: number, origin: string, error: string, description: string | undefined, options?: RedactionOptions) {
    const redact = options?.redact ?? NO_SECRETS;
    const code = cleanText(error, MAX_ERROR_CODE_LENGTH, redact);
    super(`${origin} refused the DPoP proof (${status}${/^[\x20-\x7e]+$/.test(code) ? `, ${code}` : ""})`);
    this.name = "DPoPProofRejectedError";
    this.status = status;
    this.origin = origin;
    this.error = code;
    this.description = description === undefined ? undefined : cleanText(description, MAX_ERROR_BODY_STRING_CHARS, redact);
  }
}

/**
 * What a request with a `clientAuth` key or a `dpop` key pair can end in
 * besides the {@link TransportError}s, found before anything is sent
 * (requestToken rejects with them; a session returns them as failures).
 */
export type KeyError = ClientKeyError | DPoPProofError;

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
  /** The safe view, as for {@link TokenError}. */
  toJSON(): Record<string, unknown> {
    return errorView(this, false);
  }
  [INSPECT](depth: number, options: InspectOptionsLike | undefined, inspect?: unknown): string {
    return inspectError(this, errorView(this, true), depth, options, inspect);
  }
}

export const MAX_ERROR_CODE_LENGTH = 64;

/**
 * Adds an RFC 6749 §5.2 `error` code to a message when the body has one that
 * looks like a code (short, printable ASCII). Descriptions are left out of
 * messages: they are free text chosen by the server. Called with the body
 * already cleaned and redacted.
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
 * - The secrets in `redact` (what the request sent) are then replaced by
 *   `"[redacted]"` in every string and key, by the rules of
 *   {@link SecretRedactor}; a number whose decimal text holds one becomes
 *   the string `"[redacted]"`. Removing controls first means a server
 *   cannot hide an echo from the redaction by splitting it with a control
 *   character; redacting before cutting means no cut leaves part of a
 *   secret behind.
 * - Strings inside objects and arrays are then cut to 1000 UTF-16 units
 *   (never through a surrogate pair), so a 200 KB `error_description` stays
 *   readable; a body that is only text (not JSON) keeps up to 4096.
 * - Structure is kept: objects stay objects (a `__proto__` key stays an own
 *   key, never a prototype; keys that redaction makes equal keep the last
 *   value), arrays stay arrays, booleans and null are unchanged. Objects and
 *   arrays more than 32 levels deep become the string `"[nested too
 *   deep]"`, so that logging the error (`JSON.stringify`) cannot overflow
 *   the stack.
 *
 * Values that JSON cannot produce (class instances, functions) are kept as given.
 */
export function sanitizeErrorBody(body: unknown, redact: SecretRedactor = NO_SECRETS): unknown {
  return typeof body === "string" ? cleanText(body, MAX_ERROR_TEXT_CHARS, redact) : sanitizeValue(body, 0, redact);
}

function sanitizeValue(value: unknown, depth: number, redact: SecretRedactor): unknown {
  if (typeof value === "string") return cleanText(value, MAX_ERROR_BODY_STRING_CHARS, redact);
  if (typeof value === "number") return redact.hides(String(value)) ? REDACTED : value;
  if (typeof value !== "object" || value === null) return value;
  // Checked before descending, which also bounds the recursion.
  if (depth >= MAX_ERROR_BODY_DEPTH) return ERROR_BODY_TOO_DEEP;
  if (Array.isArray(value)) return (value as readonly unknown[]).map((item) => sanitizeValue(item, depth + 1, redact));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  // fromEntries defines own properties: assigning a "__proto__" key would set the prototype instead.
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      cleanText(key, MAX_ERROR_BODY_STRING_CHARS, redact),
      sanitizeValue(item, depth + 1, redact),
    ]),
  );
}

/** Controls removed, secrets redacted, then cut to `maxChars` (never through a surrogate pair). */
export function cleanText(text: string, maxChars: number, redact: SecretRedactor): string {
  const clean = redact.text(text.replace(CONTROL_CHARS, ""));
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

// ---------------------------------------------------------------- redaction

/** What replaces a secret. */
export const REDACTED = "[redacted]";

/**
 * Secrets of at least this many characters (Unicode code points) are
 * redacted wherever they occur; shorter ones (1 to 3 characters) only as
 * whole occurrences, see {@link SecretRedactor}.
 */
export const MIN_SUBSTRING_SECRET_CHARS = 4;

/** One spelling of a secret to look for, and whether only whole occurrences count. */
interface Needle {
  readonly value: string;
  readonly wholeOnly: boolean;
}

/** A letter or digit in any script: what a whole occurrence of a short secret may not touch. */
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Removes the secrets a request sent from text an error keeps.
 *
 * **What is looked for.** Each secret (empty ones are ignored) in each of
 * the spellings an echo can take: as it is; form-urlencoded (RFC 6749
 * Appendix B, space as `+`); percent-encoded (`encodeURIComponent`, and with
 * `!'()*` encoded too); the percent-encoding of its form-urlencoding; as
 * the inside of a JSON string (also with every non-ASCII character as a
 * `\uXXXX` escape) and of {@link quoteForMessage}; and base64 and base64url
 * of its UTF-8 bytes (without padding, so it is also found inside a padded
 * value). Percent and `\u` escapes are matched with upper- or lower-case hex.
 *
 * **The rule.** Every occurrence of a spelling of a secret of 4 or more
 * characters ({@link MIN_SUBSTRING_SECRET_CHARS}, counted in code points of
 * the secret itself) is replaced by `"[redacted]"`, wherever it is, inside
 * words too. A secret of 1 to 3 characters would shred ordinary text if
 * every occurrence went (a password `"a"`), so a spelling of it is replaced
 * only where it is a whole occurrence: at the start of the text or after a
 * character that is not a letter or digit (any script), and at the end or
 * before such a character. So a short password is still redacted from
 * `password=ab&`, `"ab"` or `bad password ab`, and `about` is left alone.
 * Overlapping occurrences are replaced as one. Only whole values are known:
 * a server that echoes part of a secret is not caught (no cut made here
 * leaves part of one, see {@link SecretRedactor.truncatedText}).
 *
 * The secrets may be given as a function, called on first use: a request
 * makes a redactor each time, and only a failed one ever needs it. A
 * redactor is never kept on an error.
 */
export class SecretRedactor {
  #source: (() => Iterable<string>) | undefined;
  #needles: readonly Needle[] | undefined;

  constructor(secrets: Iterable<string> | (() => Iterable<string>)) {
    if (typeof secrets === "function") {
      this.#source = secrets;
    } else {
      this.#needles = needlesFor(secrets);
    }
  }

  /** `text` with every occurrence of a secret, by the rule above, replaced by `"[redacted]"`. */
  text(text: string): string {
    const ranges = this.#find(text);
    if (ranges.length === 0) return text;
    let out = "";
    let at = 0;
    for (let i = 0; i < ranges.length; i += 2) {
      out += `${text.slice(at, ranges[i])}${REDACTED}`;
      at = ranges[i + 1] as number;
    }
    return out + text.slice(at);
  }

  /** Whether {@link SecretRedactor.text} would change `text`. */
  hides(text: string): boolean {
    return this.#find(text).length > 0;
  }

  /**
   * For text that was cut off (a body past the size cap): controls removed,
   * secrets redacted, and a start of a secret left at the very end by the
   * cut (a secret of 4 or more characters whose first characters end the
   * text) replaced by `"[redacted]"` too.
   */
  truncatedText(text: string): string {
    const clean = this.text(text.replace(CONTROL_CHARS, ""));
    let cut = clean.length;
    for (const needle of this.#load()) {
      if (needle.wholeOnly) continue;
      for (let k = Math.min(needle.value.length - 1, clean.length); k > 0 && clean.length - k < cut; k--) {
        if (clean.endsWith(needle.value.slice(0, k))) {
          cut = clean.length - k;
          break;
        }
      }
    }
    return cut === clean.length ? clean : `${clean.slice(0, cut)}${REDACTED}`;
  }

  #load(): readonly Needle[] {
    if (this.#needles === undefined) {
      const source = this.#source;
      this.#source = undefined;
      this.#needles = needlesFor(source === undefined ? [] : source());
    }
    return this.#needles;
  }

  /** Start and end offsets of the occurrences to replace, merged where they overlap, in order. */
  #find(text: string): number[] {
    const needles = this.#load();
    if (needles.length === 0 || text === "") return [];
    const found: [number, number][] = [];
    for (const { value, wholeOnly } of needles) {
      for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
        const end = at + value.length;
        if (!wholeOnly || (!wordCharBefore(text, at) && !wordCharAt(text, end))) found.push([at, end]);
      }
    }
    if (found.length === 0) return [];
    found.sort((a, b) => a[0] - b[0]);
    const merged: number[] = [];
    for (const [start, end] of found) {
      const last = merged.length - 1;
      if (last > 0 && start <= (merged[last] as number)) merged[last] = Math.max(merged[last] as number, end);
      else merged.push(start, end);
    }
    return merged;
  }
}

/** A redactor with no secrets: cleaning and cutting only. */
export const NO_SECRETS = new SecretRedactor([]);

function redactWith(redact: SecretRedactor | undefined, text: string): string {
  return redact === undefined ? text : redact.text(text);
}

function wordCharBefore(text: string, index: number): boolean {
  if (index === 0) return false;
  const low = text.charCodeAt(index - 1);
  const start = low >= 0xdc00 && low <= 0xdfff && index >= 2 ? index - 2 : index - 1;
  return WORD_CHAR.test(text.slice(start, index));
}

function wordCharAt(text: string, index: number): boolean {
  if (index >= text.length) return false;
  const point = text.codePointAt(index) as number;
  return WORD_CHAR.test(String.fromCodePoint(point));
}

function needlesFor(secrets: Iterable<string>): readonly Needle[] {
  const seen = new Map<string, boolean>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret === "") continue;
    const wholeOnly = [...secret].length < MIN_SUBSTRING_SECRET_CHARS;
    for (const value of spellings(secret)) {
      // A spelling shared by a long and a short secret counts anywhere.
      if (value !== "") seen.set(value, wholeOnly && (seen.get(value) ?? true));
    }
  }
  return [...seen].map(([value, wholeOnly]) => ({ value, wholeOnly }));
}

/** The spellings of a secret an echo can take (see {@link SecretRedactor}). */
function spellings(secret: string): string[] {
  const out = [secret];
  const form = new URLSearchParams([["", secret]]).toString().slice(1);
  out.push(form, lowerHex(form));
  const percent = tryEncode(secret);
  if (percent !== undefined) {
    const strict = percent.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    out.push(percent, lowerHex(percent), strict, lowerHex(strict));
  }
  const formPercent = tryEncode(form);
  if (formPercent !== undefined) out.push(formPercent, lowerHex(formPercent));
  const json = JSON.stringify(secret).slice(1, -1);
  const ascii = json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  out.push(json, ascii, ascii.replace(/\\u([0-9a-f]{4})/g, (_m, hex: string) => `\\u${hex.toUpperCase()}`));
  out.push(quoteForMessage(secret).slice(1, -1));
  const base64 = utf8Base64(secret).replace(/=+$/, "");
  out.push(base64, base64.replace(/\+/g, "-").replace(/\//g, "_"));
  return out;
}

function lowerHex(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/** `encodeURIComponent`, or undefined for a string it refuses (a lone surrogate). */
function tryEncode(text: string): string | undefined {
  try {
    return encodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function utf8Base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

// ---------------------------------------------------------------- causes and views

/** Causes nested deeper than this are left out of a {@link RedactedCause}. */
export const MAX_CAUSE_DEPTH = 8;
/** Most members of an `AggregateError` kept on a {@link RedactedCause}. */
const MAX_CAUSE_ERRORS = 16;
const MAX_CAUSE_NAME_CHARS = 64;
const MAX_CAUSE_STACK_CHARS = MAX_ERROR_TEXT_CHARS;

/**
 * What an error keeps of the value that caused it (what `fetch` threw):
 * never the value itself, which may carry the request (its headers, its
 * body), but its `name`, `code`, `message` and stack frames, cleaned of
 * controls, redacted and cut as error bodies are, and its `cause` and (for
 * an `AggregateError`) `errors` the same way, down to {@link MAX_CAUSE_DEPTH}
 * levels. A cause that is not an object (a thrown string) is kept as a
 * cleaned, redacted string instead; a {@link TokenError} is kept as it is.
 */
export class RedactedCause extends Error {
  /** The original's `code` (a string or number, e.g. `ECONNRESET`), when it had one. */
  readonly code: string | number | undefined;
  /** The original's `errors` (an `AggregateError`'s), each redacted the same way. */
  readonly errors: readonly unknown[] | undefined;

  constructor(original: object, redact: SecretRedactor, depth = 0) {
    const message = readText(original, "message", MAX_ERROR_BODY_STRING_CHARS, redact) ?? "";
    const inner = depth + 1 < MAX_CAUSE_DEPTH ? readMember(original, "cause") : undefined;
    super(message, inner === undefined ? undefined : { cause: safeCause(inner, redact, depth + 1) });
    const name = readText(original, "name", MAX_CAUSE_NAME_CHARS, redact) ?? (original instanceof Error ? "Error" : "Object");
    hide(this, "name", name);
    const code = readMember(original, "code");
    this.code = typeof code === "string" ? cleanText(code, MAX_CAUSE_NAME_CHARS, redact) : typeof code === "number" ? code : undefined;
    const errors = depth + 1 < MAX_CAUSE_DEPTH ? readMember(original, "errors") : undefined;
    this.errors = Array.isArray(errors)
      ? (errors as readonly unknown[]).slice(0, MAX_CAUSE_ERRORS).map((error) => safeCause(error, redact, depth + 1))
      : undefined;
    // The original's frames, under a first line made of the redacted name and message.
    const stack = readMember(original, "stack");
    const frames = typeof stack === "string" ? stack.slice(Math.max(0, stack.search(/\n\s+at /))) : "";
    hide(this, "stack", `${name}: ${message}${frames.startsWith("\n") ? cleanText(frames, MAX_CAUSE_STACK_CHARS, redact) : ""}`);
  }

  /** The safe view (name, code, message, errors, cause). */
  toJSON(): Record<string, unknown> {
    return errorView(this, false);
  }
  [INSPECT](depth: number, options: InspectOptionsLike | undefined, inspect?: unknown): string {
    return inspectError(this, errorView(this, true), depth, options, inspect);
  }
}

/**
 * A cause as an error keeps it: a {@link TokenError} or {@link RedactedCause}
 * as it is, a string cleaned, redacted and cut, other primitives as they
 * are, anything else as a {@link RedactedCause}.
 */
export function safeCause(value: unknown, redact: SecretRedactor = NO_SECRETS, depth = 0): unknown {
  if (value instanceof TokenError || value instanceof RedactedCause) return value;
  if (typeof value === "string") return cleanText(value, MAX_ERROR_BODY_STRING_CHARS, redact);
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return value;
  return new RedactedCause(value, redact, depth);
}

function causeOption(options: TokenErrorOptions | undefined): { cause: unknown } | undefined {
  if (options === undefined || !Object.hasOwn(options, "cause")) return undefined;
  return { cause: safeCause(options.cause, options.redact ?? NO_SECRETS) };
}

/** A member of an arbitrary thrown value; undefined when reading it throws (a getter, a proxy). */
function readMember(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function readText(object: object, key: string, maxChars: number, redact: SecretRedactor): string | undefined {
  const value = readMember(object, key);
  return typeof value === "string" ? cleanText(value, maxChars, redact) : undefined;
}

/** Defines a non-enumerable own data property, as `Error` does for `stack`. */
function hide(object: object, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * The fields an error shows: name, code, kind, message, then its own
 * enumerable fields that are numbers, strings, booleans, null or undefined
 * (status, reason, retryAfterMs, timeoutMs…) and `body` (cleaned and
 * redacted when the error was made); never an object-valued field of
 * another name. The cause is shown through {@link safeCause}: as its own
 * view for `toJSON`, as the (safe) object for `inspect`.
 */
function errorView(error: Error, forInspect: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = { name: error.name };
  const fields = error as unknown as Record<string, unknown>;
  for (const key of ["code", "kind"]) {
    if (fields[key] !== undefined) view[key] = fields[key];
  }
  view["message"] = error.message;
  for (const key of Object.keys(error)) {
    if (Object.hasOwn(view, key) || key === "code" || key === "kind" || key === "cause" || key === "stack" || key === "errors") continue;
    const value = fields[key];
    if (key === "body" || value === null || (typeof value !== "object" && typeof value !== "function")) view[key] = value;
  }
  const errors = fields["errors"];
  if (error instanceof RedactedCause && errors !== undefined) {
    view["errors"] = forInspect ? errors : (errors as readonly unknown[]).map(renderCause);
  }
  if (error.cause !== undefined) {
    const cause = safeCause(error.cause);
    view["cause"] = forInspect ? cause : renderCause(cause);
  }
  return view;
}

function renderCause(cause: unknown): unknown {
  return cause instanceof TokenError || cause instanceof RedactedCause ? cause.toJSON() : cause;
}

/** The options Node passes to an `inspect.custom` method, as far as they are read here. */
export interface InspectOptionsLike {
  readonly depth?: number | null | undefined;
}

/**
 * What `util.inspect` shows of an error: its stack (name, message and
 * frames), then the view's other fields, rendered by the `inspect` Node
 * passes in (so that nested errors use their own safe rendering).
 */
function inspectError(error: Error, view: Record<string, unknown>, depth: number, options: InspectOptionsLike | undefined, inspect: unknown): string {
  const head = typeof error.stack === "string" && error.stack !== "" ? error.stack : `${error.name}: ${error.message}`;
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(view)) {
    if (key !== "name" && key !== "message") rest[key] = view[key];
  }
  if (Object.keys(rest).length === 0 || depth < 0) return head;
  if (typeof inspect !== "function") return `${head} ${safeStringify(rest)}`;
  const nested = options === undefined || options.depth === null || options.depth === undefined ? options : { ...options, depth: options.depth - 1 };
  return `${head} ${String((inspect as (value: unknown, options?: unknown) => unknown)(rest, nested))}`;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "{}";
  }
}
