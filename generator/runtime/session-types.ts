import type { ClientKeyError, DPoPProofError, TokenError } from "./errors.js";
import type { TokenEventHook } from "./events.js";
import type {
  CoolingDownError,
  InvalidTokenValueError,
  ReauthenticationRequiredError,
  SessionClosedError,
  SessionDeadlineError,
  TokenStoreUnavailableError,
} from "./session-errors.js";
import type { SessionStats } from "./session-pace.js";
import type { StoredToken, TokenStore } from "./store.js";
import type { CallOptions, ClientConfig, Clock, FetchInput, TokenResult } from "./types.js";

/**
 * What a generated client hands a session: how to run the grant it was
 * opened with, and the provider's refresh_token grant when it has one; and
 * from its config, the pieces the session uses as the client does: `fetch`
 * (for `session.fetch` and the middleware), `dpop` (its thumbprint joins the
 * store key, and `session.fetch` and the middleware send a proof with every
 * `DPoP` token, RFC 9449 §7), `provider` (named by the session's events) and
 * `onEvent` (the session's own events go there when its options have none;
 * its token requests are reported there by the client already).
 */
export interface SessionGrant<Raw, E extends TokenError> extends Pick<ClientConfig, "fetch" | "dpop" | "provider" | "onEvent"> {
  /** Runs the original grant (with the user's parameters bound in). */
  readonly obtain: (call: CallOptions) => Promise<TokenResult<Raw, E>>;
  /**
   * Whether the original grant may run again without the user: false for
   * single-use grants (an authorization code, RFC 6749 §10.5). Also decides
   * whether its requests may be retried.
   */
  readonly reobtainable: boolean;
  /** The provider's refresh_token grant (RFC 6749 §6), when the spec has one. */
  readonly refresh?: (refreshToken: string, call: CallOptions) => Promise<TokenResult<Raw, E>>;
  /**
   * The provider's token revocation (RFC 7009), when it has an endpoint for
   * it: what `close({ revoke: true })` calls for the tokens the session holds.
   */
  readonly revoke?: (token: string, tokenTypeHint: "access_token" | "refresh_token", call: CallOptions) => Promise<{ readonly ok: boolean }>;
  /**
   * Distinguishes tokens in a shared store: provider, client id, grant and
   * the user's parameters. The session hashes these (SHA-256) into the store
   * key, so no credential is ever stored as a key.
   */
  readonly keyParts: readonly string[];
  /** The client's clock (epoch ms): when tokens arrive and expire. */
  readonly clock: Clock;
  /**
   * Where elapsed time is read (ms, monotonic): how long a token has been
   * held. Default `performance.now()`, which a wall-clock step does not move;
   * clients pass their injected `clock` here too, so that tests and
   * simulations control both.
   */
  readonly elapsed?: Clock | undefined;
  /** The original grant's type, as events name it (default `obtain`). */
  readonly grantType?: string | undefined;
}

/** Retry policy for token requests (network errors, 5xx, 429). */
export interface RetryOptions {
  /** Attempts in all, first included (default 3). */
  readonly tries?: number;
  /** First backoff, doubled each retry, with full jitter (default 200 ms). */
  readonly baseDelayMs?: number;
  /** No single wait is longer; a Retry-After beyond it ends the retries (default 10 000 ms). */
  readonly maxDelayMs?: number;
}

/** Options the user passes when opening a session (`create<Provider>Session(client, request, options)`). */
export interface SessionOptions {
  /** Where tokens live (default: a new in-memory store for this session). */
  readonly store?: TokenStore;
  /**
   * Refresh this long before expiry. Default: min(60 s, 10% of the token's
   * lifetime), so short-lived tokens are not refreshed constantly.
   */
  readonly refreshMarginMs?: number;
  /**
   * Origins (`https://api.example.com`) that `session.fetch` and the
   * middleware may send the token to. Requests elsewhere are refused with
   * `TokenOriginError`; without this option every request is refused.
   */
  readonly origins?: readonly string[];
  readonly retry?: RetryOptions;
  /**
   * How long a refresh may hold a shared store's lease without renewing it
   * (default 30 s). The lease is renewed every second while the refresh
   * runs; a process that dies holds the others up for at most this long.
   */
  readonly leaseMs?: number;
  /**
   * Every `getToken()`/`getAccessToken()` and the token wait of
   * `session.fetch` settles within this (default 15 000 ms): with a token, or
   * with a `SessionDeadlineError` while the work goes on for the next call.
   */
  readonly deadlineMs?: number;
  /** Longest wait for one call into the store (default 2 000 ms); past it the store counts as unavailable. */
  readonly storeTimeoutMs?: number;
  /** Shortest time between two token requests of this session (default 1 000 ms). */
  readonly minRefreshIntervalMs?: number;
  /** Cool-down after failed token requests (the longest, default 60 000 ms; a `Retry-After` is honoured up to 10 minutes). */
  readonly coolDown?: { readonly maxMs?: number };
  /**
   * Added to the store key, so that sessions with otherwise equal settings
   * (same endpoint, client and parameters) keep apart tokens, e.g. per tenant
   * of your own app on one shared store.
   */
  readonly namespace?: string;
  /**
   * Called as the session works, for logs and metrics: each token request it
   * sends (`token_obtained`, `token_refreshed`, `token_failed` with the
   * error's kind, code and status), a wait for another process's refresh
   * (`lease_waited`, with ms), a cool-down started (`cool_down_started`), a
   * store call that failed (`store_unavailable`) and a call that hit
   * `deadlineMs` (`deadline_exceeded`). Events hold kinds, codes, counts,
   * durations, the grant type and the provider, never a token, a secret or
   * a body. Without it, the session's events go to the client's `onEvent`.
   * What the hook throws is ignored.
   */
  readonly onEvent?: TokenEventHook;
}

/** openapi-fetch's middleware shape (`client.use(session.middleware)`). */
export interface SessionMiddleware {
  onRequest(options: { request: Request }): Promise<Request>;
  onResponse(options: { request: Request; response: Response }): Promise<Response>;
}

/**
 * One valid token for every caller. `E` is the provider's error union;
 * session-level failures add `ReauthenticationRequiredError` and
 * `SessionClosedError`.
 */
export interface TokenSession<E extends TokenError> {
  /**
   * The access token: from the store while it is valid, otherwise refreshed
   * (one request however many callers wait). Rejects with the typed error of
   * the request that failed; the next call tries again.
   */
  getAccessToken(): Promise<string>;
  /** As `getAccessToken`, with the token's type and expiry (never rejects). */
  getToken(): Promise<SessionTokenResult<E>>;
  /** A `fetch` that sends `Authorization: <type> <token>` and, on a 401, refreshes once and replays. */
  readonly fetch: (input: FetchInput, init?: RequestInit) => Promise<Response>;
  /** The same behaviour as `fetch`, for openapi-fetch (`client.use(session.middleware)`). */
  readonly middleware: SessionMiddleware;
  /** Drops the current token so the next call gets a new one (use when the API rejects it). */
  invalidate(): Promise<void>;
  /** Token requests made (in all, and in the last minute), failures in a row and the cool-down in force. */
  stats(): SessionStats;
  /**
   * Releases the session; later calls fail with `SessionClosedError`. Does not close a store passed in.
   * With `{ revoke: true }`, and a provider with a revocation endpoint (RFC 7009), the refresh token and
   * the access token the session holds are revoked (each at most once, best effort: a refusal or a
   * network failure is not reported; use the client's `revoke` for a result) and removed from the store.
   */
  close(options?: CloseOptions): Promise<void>;
}

/** Options of {@link TokenSession.close}. */
export interface CloseOptions {
  /** Revoke the tokens the session holds (RFC 7009), where the provider has a revocation endpoint. */
  readonly revoke?: boolean | undefined;
}

export type SessionTokenResult<E> =
  | { readonly ok: true; readonly token: StoredToken }
  | { readonly ok: false; readonly error: E | SessionError };

/** Errors the session itself adds to a provider's error union. */
export type SessionError =
  | ReauthenticationRequiredError
  | SessionClosedError
  | SessionDeadlineError
  | TokenStoreUnavailableError
  | CoolingDownError
  | InvalidTokenValueError
  | ClientKeyError
  | DPoPProofError;
