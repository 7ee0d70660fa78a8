// Internals of the token session: `session.fetch` and the openapi-fetch
// middleware, which send the token to allowed origins only and, on a 401,
// get a new token once and replay the request once. Not part of the public API.
import { TokenClientConfigError } from "./errors.js";
import { TokenOriginError } from "./session-errors.js";
import type { SessionMiddleware, SessionTokenResult } from "./session-types.js";
import type { StoredToken } from "./store.js";
import type { FetchLike } from "./types.js";
import { assertSecureUrl } from "./url.js";

/** What the session offers its fetch helpers. */
export interface TokenSource {
  /** The current token, as `getToken()`. */
  current(): Promise<SessionTokenResult<unknown>>;
  /** A token other than `used`, which the API has just refused (one request however many ask). */
  renew(used: string): Promise<SessionTokenResult<unknown>>;
}

/** Sends a request with the given `Authorization` value. */
export type Send = (request: Request, authorization: string) => Promise<Response>;

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
 * `<type> <token>`: `Bearer` for any spelling of bearer (RFC 6750 §4) or no
 * type at all; any other type as the server sent it. Throws a TypeError that
 * names neither when either has characters a header cannot carry.
 */
export function authorizationValue(token: StoredToken): string {
  const sent = token.tokenType;
  const type = sent === undefined || sent === "" || sent.toLowerCase() === "bearer" ? "Bearer" : sent;
  if (!VISIBLE_ASCII.test(type) || !VISIBLE_ASCII.test(token.accessToken)) {
    throw new TypeError("the token cannot be sent in an Authorization header: its type or value is not visible ASCII");
  }
  return `${type} ${token.accessToken}`;
}

/**
 * Sends through the injected fetch, or the platform's (called as a plain
 * function, never as a method). The request is passed as URL and init, as
 * `FetchLike` takes them; its body is read into memory first.
 */
export function sender(fetch: FetchLike | undefined): Send {
  const fetchFn: FetchLike = fetch ?? ((input, init) => globalThis.fetch(input, init));
  return async (request, authorization) => {
    const headers = new Headers(request.headers);
    headers.set("Authorization", authorization);
    const body = request.body === null ? undefined : await request.arrayBuffer();
    return fetchFn(request.url, {
      method: request.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: request.redirect,
      signal: request.signal,
      credentials: request.credentials,
      cache: request.cache,
      integrity: request.integrity,
      keepalive: request.keepalive,
      mode: request.mode,
      referrerPolicy: request.referrerPolicy,
    });
  };
}

/** Frees a body nobody will read (a spare copy, a refused answer). */
function discard(message: Request | Response): void {
  if (message.body !== null && !message.bodyUsed) message.body.cancel().catch(() => undefined);
}

/** After a 401 to `used`: a new token, then the spare copy sent once with it, whatever it answers. */
async function replay(source: TokenSource, send: Send, spare: Request, refused: Response, used: string): Promise<Response> {
  let next: SessionTokenResult<unknown>;
  try {
    next = await source.renew(used);
  } catch (error) {
    discard(spare);
    throw error;
  }
  if (!next.ok) {
    discard(spare);
    discard(refused);
    throw next.error;
  }
  const authorization = authorizationValue(next.token);
  discard(refused);
  return send(spare, authorization);
}

/** `session.fetch`. */
export function authorizedFetch(
  source: TokenSource,
  allowed: ReadonlySet<string>,
  send: Send,
): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    let request: Request;
    try {
      request = new Request(input, init);
    } catch {
      // The platform's message quotes the URL, which may carry credentials (user:password@).
      throw new TypeError("session.fetch: the request cannot be built from this URL and options; the URL is not repeated here because it may carry credentials");
    }
    checkOrigin(request.url, allowed);
    const first = await source.current();
    if (!first.ok) throw first.error;
    const authorization = authorizationValue(first.token);
    // Copied before the first send, so that a body can be sent again.
    const spare = request.clone();
    let response: Response;
    try {
      response = await send(request, authorization);
    } catch (error) {
      discard(spare);
      throw error;
    }
    if (response.status !== 401) {
      discard(spare);
      return response;
    }
    return replay(source, send, spare, response, first.token.accessToken);
  };
}

interface Pending {
  readonly spare: Request;
  readonly used: string;
}

/**
 * `session.middleware`. `onResponse` finds its request by identity, so a
 * middleware registered after this one must not replace the request.
 */
export function authorizingMiddleware(source: TokenSource, allowed: ReadonlySet<string>, send: Send): SessionMiddleware {
  const pending = new WeakMap<Request, Pending>();
  return {
    async onRequest({ request }) {
      checkOrigin(request.url, allowed);
      const result = await source.current();
      if (!result.ok) throw result.error;
      const authorization = authorizationValue(result.token);
      const spare = request.clone();
      const sent = withAuthorization(request, authorization);
      pending.set(sent, { spare, used: result.token.accessToken });
      return sent;
    },
    async onResponse({ request, response }) {
      const entry = pending.get(request);
      if (entry === undefined) return response;
      pending.delete(request);
      if (response.status !== 401) {
        discard(entry.spare);
        return response;
      }
      return replay(source, send, entry.spare, response, entry.used);
    },
  };
}

/** The request with the header set: in place when its headers may change, else as a new request. */
function withAuthorization(request: Request, authorization: string): Request {
  try {
    request.headers.set("Authorization", authorization);
    return request;
  } catch {
    const headers = new Headers(request.headers);
    headers.set("Authorization", authorization);
    return new Request(request, { headers });
  }
}
