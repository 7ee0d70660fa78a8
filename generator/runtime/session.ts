import { TokenClientConfigError } from "./errors.js";
import type { TokenError } from "./errors.js";
import { authorizedFetch, authorizingMiddleware, allowedOrigins, sender } from "./session-fetch.js";
import type { TokenSource } from "./session-fetch.js";
import { ReauthenticationRequiredError, SessionClosedError } from "./session-errors.js";
import { MAX_TIMER_MS, isInvalidGrant, retryPolicy, withRetries } from "./session-retry.js";
import type { RetryPolicy } from "./session-retry.js";
import type { SessionGrant, SessionOptions, SessionTokenResult, TokenSession } from "./session-types.js";
import { MemoryTokenStore } from "./store.js";
import type { StoredToken, TokenStore } from "./store.js";
import type { CallOptions, Clock, Token } from "./types.js";

/** The refresh margin's cap when `refreshMarginMs` is not set. */
export const DEFAULT_MAX_REFRESH_MARGIN_MS = 60_000;
/** ...and its share of the token's lifetime. */
export const DEFAULT_REFRESH_MARGIN_SHARE = 0.1;
export const DEFAULT_LEASE_MS = 30_000;
/** Longest wait for another holder's refresh before looking at the store again. */
const LEASE_POLL_MS = 1_000;

/**
 * Opens a session over one grant: one valid token for every caller.
 *
 * A token is served from an in-process copy until `expiresAt - margin`
 * (margin: `refreshMarginMs`, else min(60 s, 10% of the lifetime)); a token
 * without an expiry is kept until `invalidate()` or a 401 through
 * `session.fetch`/`session.middleware`. Then the session refreshes it, with
 * one request however many callers wait and, with a shared store, one
 * refresh at a time across processes (the store's lease). It refreshes with
 * `grant.refresh` when a refresh token is held, else runs `grant.obtain`
 * again when `grant.reobtainable`; a refused refresh token (`invalid_grant`)
 * falls back to `obtain` when it may run again, else ends in
 * `ReauthenticationRequiredError`. A rotated refresh token is written to the
 * store before any caller sees the new access token.
 *
 * Requests failing with no answer, a 5xx or a 429 are retried with backoff
 * (`options.retry`), except a grant that is not reobtainable, which runs at
 * most once per session. No timer outlives a call; nothing runs in the
 * background.
 *
 * `getToken()` resolves with every outcome of a token request; like
 * `getAccessToken()` it rejects only when the store, the clock or the grant
 * functions throw (an outage of the user's store, or a bug).
 *
 * @throws TokenClientConfigError for unusable options.
 */
export function createSession<E extends TokenError>(grant: SessionGrant<unknown, E>, options: SessionOptions = {}): TokenSession<E> {
  const core = new SessionCore<E>(grant, options);
  const clock = grant.clock;
  const allowed = allowedOrigins(options.origins);
  const send = sender(grant.fetch);
  const source: TokenSource = { current: () => core.token(), renew: (used) => core.renew(used) };
  return {
    // The warm path: one clock read, one compare, a promise made when the token arrived.
    getAccessToken: () => {
      try {
        const memo = core.memo;
        if (memo !== undefined && clock() < memo.refreshAt) return memo.access;
      } catch (error) {
        return Promise.reject(error);
      }
      return core.accessToken();
    },
    getToken: () => core.token(),
    fetch: authorizedFetch(source, allowed, send),
    middleware: authorizingMiddleware(source, allowed, send),
    invalidate: () => core.invalidate(),
    close: () => core.close(),
  };
}

/** The last token this process saw, with everything the warm path needs ready. */
interface Memo<E> {
  readonly token: StoredToken;
  /** Epoch ms from which the token is refreshed; Infinity when it has no expiry. */
  readonly refreshAt: number;
  readonly access: Promise<string>;
  readonly result: Promise<SessionTokenResult<E>>;
}

type Result<E> = SessionTokenResult<E>;

class SessionCore<E extends TokenError> {
  memo: Memo<E> | undefined;
  private inflight: Promise<Result<E>> | undefined;
  private closed = false;
  /** An access token known to be refused; a stored token with it is not served. */
  private rejected: string | undefined;
  /** Whether a grant that is not reobtainable has been run (it runs at most once). */
  private obtained = false;
  /** A refresh token the server refused; it is not sent again. */
  private deadRefreshToken: string | undefined;
  private keyPromise: Promise<string> | undefined;
  private readonly grant: SessionGrant<unknown, E>;
  private readonly clock: Clock;
  private readonly store: TokenStore;
  private readonly marginMs: number | undefined;
  private readonly leaseMs: number;
  private readonly policy: RetryPolicy;
  /** Fires on close: ends backoff waits, and requests when the session owns its store. */
  private readonly closer = new AbortController();
  private readonly call: CallOptions;

  constructor(grant: SessionGrant<unknown, E>, options: SessionOptions) {
    this.grant = grant;
    this.clock = grant.clock;
    this.store = options.store ?? new MemoryTokenStore(grant.clock);
    const margin = options.refreshMarginMs;
    if (margin !== undefined && !(margin >= 0 && margin <= Number.MAX_SAFE_INTEGER)) {
      throw new TokenClientConfigError("refreshMarginMs must be a non-negative number of milliseconds");
    }
    this.marginMs = margin;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    if (!(this.leaseMs > 0 && this.leaseMs <= MAX_TIMER_MS)) {
      throw new TokenClientConfigError(`leaseMs must be a number of milliseconds in (0, ${MAX_TIMER_MS}]`);
    }
    this.policy = retryPolicy(options.retry);
    // A rotated refresh token must reach a store that outlives the session, so
    // requests are only cut short on close when the store goes with it.
    this.call = options.store === undefined ? { signal: this.closer.signal } : {};
  }

  token(): Promise<Result<E>> {
    if (this.closed) return Promise.resolve({ ok: false, error: new SessionClosedError() });
    const memo = this.memo;
    if (memo !== undefined) {
      let now: number;
      try {
        now = this.clock();
      } catch (error) {
        return Promise.reject(error);
      }
      if (now < memo.refreshAt) return memo.result;
    }
    return this.inflight ?? this.start();
  }

  async accessToken(): Promise<string> {
    const result = await this.token();
    if (!result.ok) throw result.error;
    return result.token.accessToken;
  }

  renew(used: string): Promise<Result<E>> {
    const memo = this.memo;
    if (memo === undefined ? this.rejected === undefined : memo.token.accessToken === used) {
      this.memo = undefined;
      this.rejected = used;
    }
    return this.token();
  }

  async invalidate(): Promise<void> {
    if (this.closed) return;
    const memo = this.memo;
    this.memo = undefined;
    if (memo !== undefined) {
      this.rejected = memo.token.accessToken;
      return;
    }
    const stored = await this.store.get(await this.key());
    if (stored !== undefined) this.rejected = stored.accessToken;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.memo = undefined;
    this.closer.abort();
    // Let a refresh in flight land in the store and give back its lease; its outcome is its callers'.
    await this.inflight?.then(
      () => undefined,
      () => undefined,
    );
  }

  private start(): Promise<Result<E>> {
    const running: Promise<Result<E>> = this.load().finally(() => {
      if (this.inflight === running) this.inflight = undefined;
    });
    // Every caller awaits it; this only keeps a rejection nobody awaits from being unhandled.
    running.catch(() => undefined);
    this.inflight = running;
    return running;
  }

  /** The single flight: the store first, then its lease, then (re-checking) a request. */
  private async load(): Promise<Result<E>> {
    const key = await this.key();
    let stored = await this.store.get(key);
    for (;;) {
      if (this.usable(stored)) return this.remember(stored, false);
      if (this.closed) return { ok: false, error: new SessionClosedError() };
      const lease = await this.store.acquire(key, this.leaseMs);
      if (lease !== undefined) {
        try {
          return await this.refreshUnderLease(key);
        } finally {
          try {
            await lease.release();
          } catch {
            // The lease runs out by itself.
          }
        }
      }
      await this.store.waitForChange(key, Math.min(this.leaseMs, LEASE_POLL_MS));
      stored = await this.store.get(key);
    }
  }

  private async refreshUnderLease(key: string): Promise<Result<E>> {
    // Someone may have refreshed between our look and the lease.
    const stored = await this.store.get(key);
    if (this.usable(stored)) return this.remember(stored, false);
    const result = await this.request(stored);
    if (!result.ok) return result;
    await this.store.set(key, result.token);
    return this.remember(result.token, true);
  }

  private async request(stored: StoredToken | undefined): Promise<Result<E>> {
    const { grant, policy, call } = this;
    const signal = this.closer.signal;
    const refresh = grant.refresh;
    const refreshToken = stored?.refreshToken;
    if (refresh !== undefined && refreshToken !== undefined && refreshToken !== this.deadRefreshToken) {
      const refreshed = await withRetries(() => refresh(refreshToken, call), policy, policy.tries, signal);
      if (refreshed.ok) return { ok: true, token: this.toStored(refreshed.token, refreshToken) };
      if (!isInvalidGrant(refreshed.error)) return refreshed;
      // Refused: fall back to the original grant once, or ask for the user. Never the same refresh token again.
      this.deadRefreshToken = refreshToken;
      if (!grant.reobtainable) return { ok: false, error: new ReauthenticationRequiredError({ cause: refreshed.error }) };
    } else if (!grant.reobtainable && (this.obtained || stored !== undefined)) {
      return { ok: false, error: new ReauthenticationRequiredError() };
    }
    // A single-use grant is sent once, never retried: a second try could spend it twice.
    this.obtained = true;
    const obtained = await withRetries(() => grant.obtain(call), policy, grant.reobtainable ? policy.tries : 1, signal);
    return obtained.ok ? { ok: true, token: this.toStored(obtained.token, undefined) } : obtained;
  }

  /** What the store keeps; a refresh answer without a refresh token keeps the one it replaced. */
  private toStored(token: Token<unknown>, previousRefreshToken: string | undefined): StoredToken {
    const refreshToken = token.refreshToken ?? previousRefreshToken;
    return {
      accessToken: token.accessToken,
      ...(token.tokenType !== undefined ? { tokenType: token.tokenType } : {}),
      ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}),
      ...(refreshToken !== undefined ? { refreshToken } : {}),
      ...(token.scope !== undefined ? { scope: token.scope } : {}),
      receivedAt: this.clock(),
    };
  }

  private refreshAt(token: StoredToken): number {
    const expiresAt = token.expiresAt;
    if (expiresAt === undefined) return Number.POSITIVE_INFINITY;
    const lifetime = Math.max(0, expiresAt - token.receivedAt);
    return expiresAt - (this.marginMs ?? Math.min(DEFAULT_MAX_REFRESH_MARGIN_MS, lifetime * DEFAULT_REFRESH_MARGIN_SHARE));
  }

  private usable(token: StoredToken | undefined): token is StoredToken {
    return token !== undefined && token.accessToken !== this.rejected && this.clock() < this.refreshAt(token);
  }

  /** Keeps `token` for the warm path; `issued` when it was just received rather than read from the store. */
  private remember(token: StoredToken, issued: boolean): Result<E> {
    const result: Result<E> = { ok: true, token };
    // A stored token refused while this load ran goes to the callers that were waiting, but is not kept.
    if (this.closed || (!issued && token.accessToken === this.rejected)) return result;
    this.rejected = undefined;
    this.memo = { token, refreshAt: this.refreshAt(token), access: Promise.resolve(token.accessToken), result: Promise.resolve(result) };
    return result;
  }

  /** The store key: hex SHA-256 of the key parts, so no credential is a key. */
  private key(): Promise<string> {
    this.keyPromise ??= storeKey(this.grant.keyParts).catch((error: unknown) => {
      this.keyPromise = undefined;
      throw error;
    });
    return this.keyPromise;
  }
}

async function storeKey(parts: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
