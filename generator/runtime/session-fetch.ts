// Internals of the token session: `session.fetch` and the openapi-fetch
// middleware, which send the token to allowed origins only and, on a 401,
// get a new token once and replay the request once. Not part of the public API.
//
// `session.fetch` is meant as a drop-in `fetch`. Where it differs, it is on
// purpose, and said so in authorizedFetch's comment.
import { DPoPProofError, DPoPProofRejectedError, SecretRedactor, TokenClientConfigError } from "./errors.js";
import { TokenOriginError } from "./session-errors.js";
import type { SessionMiddleware, SessionTokenResult } from "./session-types.js";
import type { StoredToken } from "./store.js";
import type { FetchBody, FetchInput, FetchLike, FetchRedirect } from "./types.js";
import { assertSecureUrl } from "./url.js";

/** What the session offers its fetch helpers. */
export interface TokenSource {
  /** The current token, as `getToken()`. */
  current(): Promise<SessionTokenResult<unknown>>;
  /** A token other than `used`, which the API has just refused (one request however many ask). */
  renew(used: string): Promise<SessionTokenResult<unknown>>;
  /** With a DPoP key pair: a proof for one request that carries `accessToken` (RFC 9449 §7). */
  proof?(method: string, url: string, accessToken: string): Promise<string>;
  /** With a DPoP key pair: keeps an answer's `DPoP-Nonce` for its origin; whether it had one. */
  nonce?(url: string, headers: Headers): boolean;
  /** With a DPoP key pair: the error of an answer's `DPoP` challenge, if any (RFC 9449 §7.1). */
  challenge?(headers: Headers): { readonly error: string; readonly description: string | undefined } | undefined;
}

/** `DPoP` (any spelling) as a token type: the token must travel with proofs (RFC 9449 §5, §7.1). */
function isDPoPTokenType(tokenType: string | undefined): boolean {
  return tokenType !== undefined && tokenType.toLowerCase() === "dpop";
}

/** Sends one HTTP exchange (no redirect is followed here): the injected fetch or the platform's. */
export type Send = FetchLike;

/**
 * The longest body of a `Request` (passed to `session.fetch`, or the one
 * openapi-fetch hands the middleware) that is kept so that it can be sent
 * again after a 401. A `Request` does not tell whether its body came from a
 * string or from a stream, so it is read up to this much: a body that ends
 * by then can be replayed, a longer one cannot (the 401 is returned).
 */
// 4 MiB, written as a literal: esbuild keeps `4 * 1024 * 1024` even in a bundle without sessions.
export const REPLAY_LIMIT_BYTES = 4_194_304;

/** As fetch (Fetch standard, HTTP-redirect fetch step 6): the 21st redirect is a network error. */
export const MAX_REDIRECTS = 20;

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Request-body-header names (Fetch standard), dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = ["content-encoding", "content-language", "content-location", "content-type"] as const;

/**
 * Reads `options.origins` into a set of origins (`https://host:port`). Each
 * must be an absolute `https:` URL (loopback `http:` allowed, as for base
 * URLs) with no path beyond `/`, no query and no fragment.
 */
export function allowedOrigins(origins: readonly string[] | undefined): ReadonlySet<string> {
  const allowed = new Set<string>();
  for (const origin of origins ?? []) {
    try {
      assertSecureUrl(origin);
    } catch (error) {
      throw error instanceof TokenClientConfigError ? new TokenClientConfigError(`origins: ${error.message}`) : error;
    }
    const url = new URL(origin);
    if (url.pathname !== "/" || url.search !== "") {
      throw new TokenClientConfigError(`origins must be origins such as https://api.example.com, without a path or query; got ${url.origin}${url.pathname.slice(0, 32)}`);
    }
    allowed.add(url.origin);
  }
  return allowed;
}

function checkOrigin(url: string, allowed: ReadonlySet<string>): void {
  const origin = new URL(url).origin;
  if (!allowed.has(origin)) throw new TokenOriginError(origin);
}

/** Visible ASCII: what an auth-scheme and a token68 (RFC 9110 §11.4) can hold. */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * Why `token` cannot be sent as `Authorization: <type> <token>`, or
 * undefined when it can. The one rule for a header-safe token: the access
 * token and any token type other than bearer are non-empty visible ASCII
 * (no space, no control character, nothing beyond U+007E). The reason names
 * the field, never its value.
 */
export function headerUnsafeToken(token: StoredToken): string | undefined {
  const type = token.tokenType;
  if (type !== undefined && type !== "" && !VISIBLE_ASCII.test(type)) {
    return "the token_type has a character other than visible ASCII " +
      "(a space, a control character or a non-ASCII character)";
  }
  if (token.accessToken === "") return "the access token is empty";
  if (!VISIBLE_ASCII.test(token.accessToken)) {
    return "the access token has a character other than visible ASCII " +
      "(a space, a control character or a non-ASCII character)";
  }
  return undefined;
}

/**
 * `<type> <token>`: `Bearer` for any spelling of bearer (RFC 6750 §4) or no
 * type at all, `DPoP` for any spelling of DPoP (RFC 9449 §7.1); any other
 * type as the server sent it.
 *
 * The session refuses a token {@link headerUnsafeToken} finds fault with
 * when it arrives (`InvalidTokenValueError`); one that reaches this point
 * anyway (from a shared store written by other code) fails here with the
 * same reason, as the TypeError fetch throws for a header it cannot send.
 *
 * @throws TypeError naming neither the type nor the token.
 */
export function authorizationValue(token: StoredToken): string {
  const reason = headerUnsafeToken(token);
  if (reason !== undefined) throw new TypeError(`the token cannot be sent in an Authorization header: ${reason}`);
  const sent = token.tokenType;
  const type = sent === undefined || sent === "" || sent.toLowerCase() === "bearer" ? "Bearer" : isDPoPTokenType(sent) ? "DPoP" : sent;
  return `${type} ${token.accessToken}`;
}

/**
 * Sets the `DPoP` proof header for a request that carries `token`, when the
 * token is of type DPoP (RFC 9449 §7.1); returns the proof. A token of any
 * other type goes without one.
 *
 * @throws DPoPProofError when the session has no key pair, or it cannot sign.
 */
async function setProof(headers: Headers, source: TokenSource, method: string, url: string, token: StoredToken): Promise<string | undefined> {
  if (!isDPoPTokenType(token.tokenType)) return undefined;
  if (source.proof === undefined) throw new DPoPProofError("the access token is of type DPoP and the session has no DPoP key pair");
  const proof = await source.proof(method, url, token.accessToken);
  headers.set("DPoP", proof);
  return proof;
}

/** Sends through the injected fetch, or the platform's (called as a plain function, never as a method). */
export function sender(fetch: FetchLike | undefined): Send {
  return fetch ?? ((input, init) => globalThis.fetch(input, init));
}

/** Frees a body nobody will read (a spare copy, a refused answer). */
function discard(message: Request | Response): void {
  if (message.body !== null && !message.bodyUsed) message.body.cancel().catch(() => undefined);
}

/**
 * `promise`, or a rejection with the signal's reason as soon as `signal`
 * fires, as fetch rejects. What `promise` brings after that goes to `late`
 * (to free a response); its rejection is not left unhandled.
 */
function abortable<T>(promise: Promise<T>, signal: AbortSignal, late?: (value: T) => void): Promise<T> {
  if (signal.aborted) {
    promise.then(late, () => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) late?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The current token, or the session's typed error; gives up when `signal` fires. */
async function currentToken(source: TokenSource, signal: AbortSignal): Promise<StoredToken> {
  const result = await abortable(source.current(), signal);
  if (!result.ok) throw result.error;
  return result.token;
}

// ------------------------------------------------------------------ bodies

/** A request body as the session sends it. */
type Body =
  | { readonly kind: "none" }
  /** Held in a form fetch can send again: a value for each send. */
  | { readonly kind: "replayable"; readonly value: () => FetchBody }
  /** Sent once, as it is produced (`duplex: "half"`); never buffered. */
  | { readonly kind: "stream"; readonly stream: ReadableStream<Uint8Array> };

const NO_BODY: Body = { kind: "none" };

/** RequestInit with the member the DOM typings lack (Fetch standard; Node needs it for a stream body). */
type SendInit = RequestInit & { duplex?: "half" };

function isStream(body: unknown): boolean {
  if (typeof body !== "object" || body === null) return false;
  if (typeof ReadableStream !== "undefined" && body instanceof ReadableStream) return true;
  // Another realm's stream, or an async iterable (which Node's fetch streams).
  return typeof (body as { getReader?: unknown }).getReader === "function" || Symbol.asyncIterator in body;
}

/**
 * An `init.body` in a form that can be sent again, copied now as fetch
 * copies it when called (a later change to the caller's buffer or form is
 * not sent); undefined for a stream or async iterable, which can be sent
 * once only. Nothing is read from a stream here.
 */
function replayableValue(body: unknown): (() => FetchBody) | undefined {
  if (typeof body === "string") return () => body;
  if (body instanceof ArrayBuffer) {
    const copy = body.slice(0);
    return () => copy;
  }
  if (ArrayBuffer.isView(body)) {
    const copy = new Uint8Array(body.byteLength);
    copy.set(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    return () => copy;
  }
  // Blobs (and Files) are immutable; fetch reads them again for each send.
  if (typeof Blob !== "undefined" && body instanceof Blob) return () => body;
  if (typeof URLSearchParams !== "undefined" && body instanceof URLSearchParams) {
    const copy = new URLSearchParams(body);
    return () => copy;
  }
  if (typeof FormData !== "undefined" && body instanceof FormData) {
    const copy = new FormData();
    body.forEach((value, name) => copy.append(name, value));
    return () => copy;
  }
  if (isStream(body)) return undefined;
  // Anything else is sent as its string, as fetch converts it.
  const text = String(body);
  return () => text;
}

/**
 * Reads a body whose origin cannot be told (a `Request`'s) up to
 * {@link REPLAY_LIMIT_BYTES}: a body that ends by then is kept and can be
 * replayed; a longer one is streamed on (the bytes read so far first) and
 * cannot. At most the limit is held in memory.
 */
async function readUpToLimit(stream: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<Body> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await abortable(reader.read(), signal);
      if (done) {
        const bytes = concat(chunks, size);
        return { kind: "replayable", value: () => bytes };
      }
      if (!(value instanceof Uint8Array)) throw new TypeError("session.fetch: a request body stream gave a chunk that is not a Uint8Array");
      chunks.push(value);
      size += value.byteLength;
      if (size > REPLAY_LIMIT_BYTES) break;
    }
  } catch (error) {
    reader.cancel(error).catch(() => undefined);
    throw error;
  }
  const rest = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = chunks.shift();
        if (chunk !== undefined) {
          controller.enqueue(chunk);
          return;
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        chunks.length = 0;
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { kind: "stream", stream: rest };
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads the clone of a `Request` body that is being sent, up to
 * {@link REPLAY_LIMIT_BYTES}, while the original is sent: the bytes when the
 * body ended within the limit, else undefined. The clone is a tee of the
 * body; reading it as the original is sent and letting go of it past the
 * limit keeps the tee from holding more than the limit.
 */
function recordCopy(copy: Request): { readonly bytes: Promise<Uint8Array<ArrayBuffer> | undefined>; stop(): void } {
  const stream = copy.body;
  if (stream === null) return { bytes: Promise.resolve(new Uint8Array(0)), stop: () => undefined };
  const reader = stream.getReader();
  let stopped = false;
  const bytes = (async () => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return concat(chunks, size);
        if (stopped) return undefined;
        chunks.push(value);
        size += value.byteLength;
        if (size > REPLAY_LIMIT_BYTES) {
          chunks.length = 0;
          reader.cancel().catch(() => undefined);
          return undefined;
        }
      }
    } catch {
      return undefined;
    }
  })();
  return {
    bytes,
    stop() {
      stopped = true;
      reader.cancel().catch(() => undefined);
    },
  };
}

// -------------------------------------------------------------- exchanges

/** What is sent besides the body, read once from the caller's request. */
interface Outgoing {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly redirect: FetchRedirect;
  readonly signal: AbortSignal;
  readonly options: RequestInit;
}

function outgoing(request: Request, headers: Headers = new Headers(request.headers)): Outgoing {
  return {
    url: request.url,
    method: request.method,
    headers,
    redirect: request.redirect,
    signal: request.signal,
    options: {
      credentials: request.credentials,
      // Not in Node's RequestInit type, though its fetch honours it.
      ...({ cache: request.cache } as Partial<RequestInit>),
      integrity: request.integrity,
      keepalive: request.keepalive,
      mode: request.mode,
      referrerPolicy: request.referrerPolicy,
    },
  };
}

/** The final answer, and the access token sent with the request that got it (undefined when none was). */
interface Exchange {
  readonly response: Response;
  readonly used: string | undefined;
  /** The DPoP proof sent with the request that got the answer, when one was. */
  readonly proof?: string | undefined;
  /** Whether that answer carried a `DPoP-Nonce` (kept for its origin). */
  readonly nonced?: boolean;
}

interface Context {
  readonly source: TokenSource;
  readonly allowed: ReadonlySet<string>;
  readonly send: Send;
}

/**
 * Browsers (pages and workers) answer `redirect: "manual"` with an opaque
 * redirect that hides its target, so there redirects are left to the
 * platform, which drops `Authorization` at any cross-origin hop (Fetch
 * standard, HTTP-redirect fetch).
 */
function platformHidesRedirects(): boolean {
  const scope = globalThis as { document?: unknown; importScripts?: unknown };
  return typeof scope.document === "object" || typeof scope.importScripts === "function";
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Marks an answer reached through redirects followed here as fetch marks one it followed (`redirected`). */
function markRedirected(response: Response): Response {
  try {
    Object.defineProperty(response, "redirected", { value: true, configurable: true });
  } catch {
    // A frozen or foreign response keeps its own flag.
  }
  return response;
}

function streamInto(init: SendInit, stream: ReadableStream<Uint8Array>): void {
  init.body = stream;
  init.duplex = "half";
}

function redirectError(what: string): TypeError {
  return new TypeError(`session.fetch: fetch failed: ${what}`);
}

/**
 * Sends the request and follows redirects as fetch does (Fetch standard,
 * HTTP-redirect fetch), but by hand, so that each hop carries the token only
 * when its origin is allowed: the token of the first hop is `token`; a later
 * hop to an allowed origin gets the session's current token; any other hop
 * goes without `Authorization`.
 */
async function exchange(out: Outgoing, body: Body, token: StoredToken, context: Context): Promise<Exchange> {
  const { allowed, send, source } = context;
  const signal = out.signal;
  if (platformHidesRedirects()) {
    const headers = new Headers(out.headers);
    headers.set("Authorization", authorizationValue(token));
    const proof = await setProof(headers, source, out.method, out.url, token);
    const init: SendInit = { ...out.options, method: out.method, headers, redirect: out.redirect, signal };
    if (body.kind === "replayable") init.body = body.value();
    else if (body.kind === "stream") streamInto(init, body.stream);
    const response = await abortable(send(out.url, init), signal, discard);
    // After a cross-origin hop the platform sent no token; a 401 from there is not about it.
    const sameOrigin = response.url === "" || originOf(response.url) === originOf(out.url);
    if (!sameOrigin) return { response, used: undefined };
    const nonced = proof !== undefined && source.nonce !== undefined && source.nonce(out.url, response.headers);
    return { response, used: token.accessToken, proof, nonced };
  }
  const headers = new Headers(out.headers);
  let url = out.url;
  let method = out.method;
  let withBody = body.kind !== "none";
  for (let redirects = 0; ; redirects++) {
    const hop = new Headers(headers);
    let used: string | undefined;
    let proof: string | undefined;
    if (allowed.has(new URL(url).origin)) {
      const current = redirects === 0 ? token : await currentToken(source, signal);
      hop.set("Authorization", authorizationValue(current));
      // A proof per hop: its htm and htu are this hop's (RFC 9449 §4.2).
      proof = await setProof(hop, source, method, url, current);
      used = current.accessToken;
    } else {
      hop.delete("Authorization");
      hop.delete("DPoP");
    }
    const init: SendInit = { ...out.options, method, headers: hop, redirect: "manual", signal };
    if (withBody) {
      if (body.kind === "replayable") init.body = body.value();
      else if (body.kind === "stream") {
        streamInto(init, body.stream);
        // Unless its redirect mode is "error", Node's fetch tees a request body to be able to
        // send it again (Fetch standard, HTTP-network-or-cache fetch), which keeps the whole of a
        // stream in memory. A stream cannot follow a redirect anyway, except a 303's to a GET.
        if (out.redirect !== "manual") init.redirect = "error";
      }
    }
    const response = await abortable(send(url, init), signal, discard);
    const nonced = proof !== undefined && source.nonce !== undefined && source.nonce(url, response.headers);
    const opaque = response.type === "opaqueredirect";
    if (!opaque && !REDIRECT_STATUSES.has(response.status)) {
      return { response: redirects > 0 ? markRedirected(response) : response, used, proof, nonced };
    }
    if (out.redirect === "manual") return { response, used, proof, nonced };
    const location = opaque ? null : response.headers.get("Location");
    // Fetch returns a redirect status without a Location as it is, except in "error" mode.
    if (location === null && !opaque && out.redirect !== "error") {
      return { response: redirects > 0 ? markRedirected(response) : response, used, proof, nonced };
    }
    discard(response);
    if (out.redirect === "error") throw redirectError(`the server answered with a redirect and the request's redirect mode is "error"`);
    if (location === null) throw redirectError("the platform hides the redirect's target, so it cannot be followed");
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw redirectError("a redirect's Location is not a URL");
    }
    if (next.protocol !== "http:" && next.protocol !== "https:") throw redirectError("a redirect leads to a URL that is not http or https");
    // The platform's own error here would quote the URL, credentials and all.
    if (next.username !== "" || next.password !== "") throw redirectError("a redirect leads to a URL with credentials");
    if (redirects >= MAX_REDIRECTS) throw redirectError(`more than ${MAX_REDIRECTS} redirects`);
    const status = response.status;
    if (status !== 303 && withBody && body.kind === "stream") {
      throw redirectError(`a ${status} redirect would send the body again, and a streamed body can be sent once only`);
    }
    if ((status === 303 && method !== "GET" && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
      method = "GET";
      withBody = false;
      for (const name of BODY_HEADERS) headers.delete(name);
    }
    url = next.href;
  }
}

/**
 * After a 401 to a request that carried `used`: a new token, then the
 * request once more with it (body included), whatever it answers. Gives up
 * (rejecting with the signal's reason) when the caller's signal fires.
 */
async function replay(context: Context, out: Outgoing, body: Body, refused: Response, used: string): Promise<Response> {
  let next: SessionTokenResult<unknown>;
  try {
    next = await abortable(context.source.renew(used), out.signal);
  } catch (error) {
    discard(refused);
    throw error;
  }
  discard(refused);
  if (!next.ok) throw next.error;
  const again = await exchange(out, body, next.token, context);
  refuseProof(context.source, again);
  return again.response;
}

/** Errors that say the resource server refused the DPoP proof rather than the token (RFC 9449 §7.1, §9). */
const PROOF_ERRORS: ReadonlySet<string> = /* @__PURE__ */ new Set(["invalid_dpop_proof", "use_dpop_nonce"]);

/**
 * Throws {@link DPoPProofRejectedError} when the answer to a request that
 * carried a proof is a `DPoP` challenge refusing it: `invalid_dpop_proof`,
 * or `use_dpop_nonce` where no retry with a nonce is left. The body is freed.
 */
function refuseProof(source: TokenSource, exchanged: Exchange): void {
  const { response, proof, used } = exchanged;
  if (proof === undefined || response.status < 400 || response.status > 499) return;
  const challenge = source.challenge?.(response.headers);
  if (challenge === undefined || !PROOF_ERRORS.has(challenge.error)) return;
  discard(response);
  const origin = originOf(response.url) ?? "the resource server";
  // The proof, its signature alone, and the token: what a server may echo in its description.
  const signature = proof.slice(proof.lastIndexOf(".") + 1);
  const redact = new SecretRedactor(used === undefined ? [proof, signature] : [proof, signature, used]);
  throw new DPoPProofRejectedError(response.status, origin, challenge.error, challenge.description, { redact });
}

/**
 * The answer to a request sent with the session's token, settled:
 *
 * - **DPoP.** A `401` with `WWW-Authenticate: DPoP error="use_dpop_nonce"`
 *   and a `DPoP-Nonce` (RFC 9449 §9) is answered by sending the request once
 *   more with the same token and a proof carrying the nonce, when the body
 *   can be sent again (else the 401 is returned as it is; the nonce is kept
 *   for the next request). A proof refused then, or at once
 *   (`invalid_dpop_proof`, or `use_dpop_nonce` without a nonce), is a thrown
 *   {@link DPoPProofRejectedError}: sending it again would not help, and a
 *   401 would read as a token problem.
 * - **401.** Otherwise as `session.fetch` says: a new token and one replay,
 *   or (a body sent once only) a new token and the 401 returned.
 */
async function settle(context: Context, out: Outgoing, body: Body, first: Exchange, token: StoredToken, replayable: boolean): Promise<Response> {
  let current = first;
  if (current.proof !== undefined && current.response.status === 401 && current.nonced === true) {
    if (context.source.challenge?.(current.response.headers)?.error === "use_dpop_nonce") {
      // A body sent once only cannot go again: the 401 goes back, and the nonce is kept for the next request.
      if (!replayable) return current.response;
      discard(current.response);
      current = await exchange(out, body, token, context);
    }
  }
  refuseProof(context.source, current);
  const used = current.used;
  if (current.response.status !== 401 || used === undefined) return current.response;
  if (!replayable) return await renewThenReturn(context, out.signal, current.response, used);
  return await replay(context, out, body, current.response, used);
}

/**
 * After a 401 to a request whose body cannot be sent again: the refused
 * token is dropped and a new one fetched (one request however many ask)
 * before the 401 is returned as it is, so that the caller's next request
 * carries the new token. A failure to get one is left to that next request.
 */
async function renewThenReturn(context: Context, signal: AbortSignal, refused: Response, used: string): Promise<Response> {
  try {
    await abortable(context.source.renew(used).catch(() => undefined), signal);
  } catch (error) {
    discard(refused);
    throw error;
  }
  return refused;
}

/**
 * `session.fetch`: `fetch(input, init)` with `Authorization` added.
 *
 * - **Origins.** A request to an origin outside the session's is refused
 *   (`TokenOriginError`) before any token is read.
 * - **Bodies.** A body given in `init` as a string, ArrayBuffer, typed
 *   array, Blob, URLSearchParams or FormData is copied as fetch copies it
 *   and can be sent again (a 401 replay, a 307/308). A ReadableStream (or
 *   async iterable) with `duplex: "half"` is streamed as it is produced and
 *   never buffered; it is sent once only. The body of a `Request` passed as
 *   `input` is read up to {@link REPLAY_LIMIT_BYTES}: if it ends by then it
 *   is sent with its length and can be sent again; else it is streamed on
 *   and sent once only.
 * - **401.** When the answer to a request that carried the token is 401,
 *   the session gets a new token (one request however many ask) and, when
 *   the body can be sent again, sends the request once more with it,
 *   whatever that answers. When the body cannot be sent again, the 401 is
 *   returned as plain fetch returns it, after the new token has been
 *   fetched, so the caller's next request carries it.
 * - **Redirects.** Followed as fetch follows them, by the request's
 *   `redirect` mode (`follow` by default; `manual` returns the 3xx;
 *   `error` rejects with a TypeError), up to 20: the body is sent again for
 *   a 307/308, a 303 (and a 301/302 to a POST) becomes a GET without body.
 *   A hop to an allowed origin carries the current token; a hop to any
 *   other origin carries no `Authorization` at all. In browsers, which hide
 *   redirect targets, redirects are left to the platform, which drops
 *   `Authorization` at any cross-origin hop.
 *
 *   A streamed body cannot be sent again, so fetch fails on any redirect
 *   to it but a 303. Here a 303 fails too (a TypeError, unless the mode is
 *   `manual`): to follow one, Node's fetch keeps a copy of the whole body
 *   while it sends it, which is what streaming is meant to avoid.
 * - **Abort.** The caller's signal rejects the call at once with its
 *   reason (an AbortError), while waiting for a token, while sending, or
 *   while waiting for a new token after a 401.
 */
export function authorizedFetch(
  source: TokenSource,
  allowed: ReadonlySet<string>,
  send: Send,
): (input: FetchInput, init?: RequestInit) => Promise<Response> {
  const context: Context = { source, allowed, send };
  return async (input, init) => {
    let request: Request;
    try {
      request = new Request(input, init);
    } catch {
      // The platform's message quotes the URL, which may carry credentials (user:password@).
      throw new TypeError("session.fetch: the request cannot be built from this URL and options; " +
          "the URL is not repeated here because it may carry credentials");
    }
    const signal = request.signal;
    const given: unknown = init?.body;
    const headers = new Headers(request.headers);
    let body: Body = NO_BODY;
    let pending: ReadableStream<Uint8Array> | null = null;
    if (given !== undefined && given !== null) {
      const value = replayableValue(given);
      if (value === undefined) {
        // request.body is the caller's stream (or the platform's wrapper of an async iterable), unread.
        pending = request.body;
        if (pending !== null) body = { kind: "stream", stream: pending };
      } else {
        // The copy made by the Request is not used: the value is sent instead, once per send.
        discard(request);
        body = { kind: "replayable", value };
        // A FormData gets a new multipart boundary for each send; a Content-Type the platform derived
        // from this Request's boundary would not match it.
        const userHeaders = init?.headers ?? (input instanceof Request ? input.headers : undefined);
        if (typeof FormData !== "undefined" && given instanceof FormData && !new Headers(userHeaders).has("content-type")) {
          headers.delete("content-type");
        }
      }
    } else {
      pending = request.body;
    }
    const out = outgoing(request, headers);
    try {
      checkOrigin(request.url, allowed);
      if (signal.aborted) throw signal.reason;
      const token = await currentToken(source, signal);
      authorizationValue(token);
      if (body.kind === "none" && pending !== null) {
        // A Request's body: its origin cannot be told without reading it.
        body = await readUpToLimit(pending, signal);
        pending = body.kind === "stream" ? body.stream : null;
      }
      const sending = body;
      const first = await exchange(out, sending, token, context);
      return await settle(context, out, sending, first, token, sending.kind !== "stream");
    } catch (error) {
      // A stream never handed to fetch is cancelled, as fetch cancels a body it will not send.
      if (pending !== null && !pending.locked) pending.cancel(error).catch(() => undefined);
      throw error;
    }
  };
}

interface Pending {
  readonly out: Outgoing;
  readonly copy: { readonly bytes: Promise<Uint8Array<ArrayBuffer> | undefined>; stop(): void } | undefined;
  readonly token: StoredToken;
  readonly proof: string | undefined;
}

/**
 * `session.middleware`. `onResponse` finds its request by identity, so a
 * middleware registered after this one must not replace the request.
 *
 * openapi-fetch sends the request itself (the platform follows its
 * redirects and drops `Authorization` at a cross-origin hop). A body is kept
 * for a replay by reading a clone of the request while it is sent, up to
 * {@link REPLAY_LIMIT_BYTES}: the request is sent unchanged (a body from a
 * string keeps its length), and a longer body (a stream from a custom
 * `bodySerializer`) is not held here (Node's fetch itself keeps a copy of
 * it while sending, to follow redirects). A 401 is replayed as by `session.fetch`
 * when the body was kept; when it was not, the token is renewed and the 401
 * returned. A 401 from another origin than the request's (after a
 * redirect, where no token was sent) is returned as it is. The caller's
 * signal ends the waits for a token.
 */
export function authorizingMiddleware(source: TokenSource, allowed: ReadonlySet<string>, send: Send): SessionMiddleware {
  const context: Context = { source, allowed, send };
  const pending = new WeakMap<Request, Pending>();
  return {
    async onRequest({ request }) {
      checkOrigin(request.url, allowed);
      const token = await currentToken(source, request.signal);
      const authorization = authorizationValue(token);
      const extra = new Headers();
      const proof = await setProof(extra, source, request.method, request.url, token);
      const out = outgoing(request);
      const copy = request.body === null ? undefined : recordCopy(request.clone());
      const sent = withAuthorization(request, authorization, proof);
      pending.set(sent, { out, copy, token, proof });
      return sent;
    },
    async onResponse({ request, response }) {
      const entry = pending.get(request);
      if (entry === undefined) return response;
      pending.delete(request);
      const sameOrigin = response.url === "" || originOf(response.url) === originOf(request.url);
      const nonced = entry.proof !== undefined && sameOrigin && source.nonce !== undefined && source.nonce(request.url, response.headers);
      if (response.status !== 401 || !sameOrigin) {
        entry.copy?.stop();
        if (sameOrigin) refuseProof(source, { response, used: entry.token.accessToken, proof: entry.proof });
        return response;
      }
      const signal = request.signal;
      let body: Body = NO_BODY;
      let replayable = true;
      if (entry.copy !== undefined) {
        let bytes: Uint8Array<ArrayBuffer> | undefined;
        try {
          bytes = await abortable(entry.copy.bytes, signal);
        } catch (error) {
          entry.copy.stop();
          discard(response);
          throw error;
        }
        if (bytes === undefined) {
          replayable = false;
        } else {
          const kept = bytes;
          body = { kind: "replayable", value: () => kept };
        }
      }
      return settle(context, entry.out, body, { response, used: entry.token.accessToken, proof: entry.proof, nonced }, entry.token, replayable);
    },
  };
}

/** The request with the headers set: in place when its headers may change, else as a new request. */
function withAuthorization(request: Request, authorization: string, proof: string | undefined): Request {
  try {
    request.headers.set("Authorization", authorization);
    if (proof !== undefined) request.headers.set("DPoP", proof);
    return request;
  } catch {
    const headers = new Headers(request.headers);
    headers.set("Authorization", authorization);
    if (proof !== undefined) headers.set("DPoP", proof);
    return new Request(request, { headers });
  }
}
