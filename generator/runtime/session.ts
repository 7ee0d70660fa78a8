import { TokenClientConfigError } from "./errors.js";
import type { TokenError } from "./errors.js";
import { emitEvent } from "./events.js";
import type { TokenEvent, TokenEventHook } from "./events.js";
import { authorizedFetch, authorizingMiddleware, allowedOrigins, headerUnsafeToken, sender } from "./session-fetch.js";
import type { TokenSource } from "./session-fetch.js";
import {
  CoolingDownError,
  InvalidTokenValueError,
  SessionClosedError,
  SessionDeadlineError,
  TokenStoreUnavailableError,
} from "./session-errors.js";
import { DEFAULT_MAX_COOL_DOWN_MS, DEFAULT_MIN_REFRESH_INTERVAL_MS, Pace, checkDuration } from "./session-pace.js";
import type { SessionStats } from "./session-pace.js";
import { GrantRunner } from "./session-grant.js";
import { isTransient, retryPolicy, sleep } from "./session-retry.js";
import { TokenTiming } from "./session-timing.js";
import { storeKey } from "./session-key.js";
import { bounded, keepLease } from "./session-store.js";
import type { LeaseKeeper, StoreCall } from "./session-store.js";
import type { CloseOptions, SessionGrant, SessionOptions, SessionTokenResult, TokenSession } from "./session-types.js";
import { MemoryTokenStore } from "./store.js";
import type { StoredToken, TokenLease, TokenStore } from "./store.js";
import type { Clock } from "./types.js";

export { DEFAULT_MAX_REFRESH_MARGIN_MS, DEFAULT_REFRESH_MARGIN_SHARE } from "./session-timing.js";
export const DEFAULT_LEASE_MS = 30_000;
/** Every `getToken()`/`getAccessToken()` settles within this (default of `deadlineMs`). */
export const DEFAULT_DEADLINE_MS = 15_000;
/** Longest wait for one store operation (default of `storeTimeoutMs`). */
export const DEFAULT_STORE_TIMEOUT_MS = 2_000;
/** Longest wait for another holder's refresh before looking at the store again. */
const LEASE_POLL_MS = 1_000;
/**
 * After the store comes back empty while this process holds a refresh token
 * (a store restart), it takes the lease and waits this long before spending
 * the token, so that the answer of a process that was refreshing when the
 * store restarted (and lost its lease with it) can land first.
 */
export const STORE_RESET_GRACE_MS = 5_000;
/** The least time between two looks at the store during that grace. */
const GRACE_POLL_MS = 50;
/** A token the session cannot renew right now is served while at least this much of its life is left. */
const STALE_SAFETY_MS = 5_000;
/** ...and the store is looked at again this often meanwhile. */
const STALE_RECHECK_MS = 1_000;

const elapsedSinceStart: Clock = () => performance.now();

/**
 * Opens a session over one grant: one valid token for every caller.
 *
 * A token is served from an in-process copy until `expiresAt - margin`
 * (margin: `refreshMarginMs`, else min(60 s, 10% of the lifetime)), measured
 * on a monotonic clock from when it arrived, so a wall clock that jumps does
 * not stretch a token's life; a token without an expiry is kept until
 * `invalidate()` or a 401 through `session.fetch`/`session.middleware`.
 * Then the session refreshes it, with one request however many callers wait
 * and, with a shared store, one refresh at a time across processes (the
 * store's lease, renewed while the refresh runs). It refreshes with
 * `grant.refresh` when a refresh token is held, else runs `grant.obtain`
 * again when `grant.reobtainable`; a refused refresh token (`invalid_grant`)
 * falls back to `obtain` when it may run again, else ends in
 * `ReauthenticationRequiredError`.
 *
 * **A refresh token is sent at most once.** It is sent only under the
 * store's lease, re-read under that lease, never retried once the lease is
 * lost, and never sent again by this process once spent. The newest token
 * is kept in memory as well as in the store: a store that comes back empty
 * (a restart) gets it back, a write that failed is tried again, and a store
 * never lets an older token replace a newer one (`generation`).
 *
 * **Every call settles within `deadlineMs`** (default 15 s) with a token or a
 * typed error: store operations are bounded by `storeTimeoutMs`, waits for
 * another holder by the deadline. A store that fails is a
 * `TokenStoreUnavailableError`, unless a token can be had without it: one in
 * memory that has not expired, or a new one from a grant that may run again
 * (no refresh token is spent without the store's lease).
 *
 * **Outages are bounded.** Requests failing with no answer, a 5xx or a 429
 * are retried with backoff (`options.retry`), except a grant that is not
 * reobtainable, which runs at most once per session. A request that still
 * fails starts a cool-down, shared through the store: what `Retry-After`
 * asked, else 1 s doubling per failure in a row up to `coolDown.maxMs`;
 * meanwhile a token that has not expired is still served, else the call ends
 * in `CoolingDownError`. Two token requests of one session are at least
 * `minRefreshIntervalMs` apart. `stats()` counts the requests.
 *
 * Nothing runs in the background, with one exception: a rotated refresh
 * token whose write to the store failed is written again (every 500 ms at
 * most) under the lease, which is held until the write lands, so that no
 * other process sends the refresh token it replaced.
 *
 * @throws TokenClientConfigError for unusable options.
 */
export function createSession<E extends TokenError>(grant: SessionGrant<unknown, E>, options: SessionOptions = {}): TokenSession<E> {
  const dpop = grant.dpop;
  if (dpop !== undefined && (typeof dpop !== "object" || dpop === null || dpop.kind !== "dpop" || typeof dpop.proof !== "function")) {
    throw new TokenClientConfigError("grant.dpop must be made by dpopKeyPair(), which carries the signing code");
  }
  const core = new SessionCore<E>(grant, options);
  const allowed = allowedOrigins(options.origins);
  const send = sender(grant.fetch);
  const clock = grant.clock;
  const source: TokenSource = {
    current: () => core.token(),
    renew: (used) => core.renew(used),
    ...(dpop !== undefined
      ? {
          proof: (method: string, url: string, accessToken: string) => dpop.proof(method, url, clock(), accessToken),
          nonce: (url: string, headers: Headers) => dpop.remember(url, headers),
          challenge: (headers: Headers) => dpop.challenge(headers),
        }
      : {}),
  };
  return {
    // The warm path: one wall-clock read, two compares, a promise made when the token arrived. A
    // wall clock that stepped back since the last call (now < seenWall) goes the slow way, which
    // measures on the monotonic clock and re-anchors; one that stepped forward only refreshes early.
    getAccessToken: () => {
      try {
        const memo = core.memo;
        if (memo !== undefined) {
          const now = clock();
          if (now < memo.refreshAtWall && now >= memo.seenWall) {
            // Written once per tick of the clock, not once per call.
            if (now !== memo.seenWall) memo.seenWall = now;
            return memo.access;
          }
        }
      } catch (error) {
        return Promise.reject(error);
      }
      return core.accessToken();
    },
    getToken: () => core.token(),
    fetch: authorizedFetch(source, allowed, send),
    middleware: authorizingMiddleware(source, allowed, send),
    invalidate: () => core.invalidate(),
    stats: () => core.stats(),
    close: (options) => core.close(options),
  };
}

/** The last token this process saw, with everything the warm path needs ready. */
interface Memo<E> {
  readonly token: StoredToken;
  /** On the elapsed-time clock: when the token is refreshed; Infinity when it has no expiry. */
  readonly refreshAt: number;
  /** `refreshAt` on the client's wall clock, as last anchored: what the warm path compares. */
  refreshAtWall: number;
  /** The latest wall-clock time the warm path saw; an earlier one means the clock stepped back. */
  seenWall: number;
  readonly access: Promise<string>;
  readonly result: Promise<SessionTokenResult<E>>;
}

type Result<E> = SessionTokenResult<E>;

function generationOf(token: StoredToken | undefined): number {
  return token?.generation ?? 0;
}

function failure<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

class SessionCore<E extends TokenError> {
  memo: Memo<E> | undefined;
  readonly elapsed: Clock;
  private inflight: Promise<Result<E>> | undefined;
  /** A write of the newest token that failed and is being tried again under the lease. */
  private publishing: Promise<void> | undefined;
  private closed = false;
  /** An access token known to be refused; a stored token with it is not served. */
  private rejected: string | undefined;
  /** The newest token this session obtained or read from the store. */
  private latest: StoredToken | undefined;
  /** Whether `latest` may be missing from the store (a write failed, or the store was down). */
  private unpublished = false;
  /** Elapsed time when the store was found to have lost this session's token. */
  private resetAt: number | undefined;
  private keyPromise: Promise<string> | undefined;
  private readonly grant: SessionGrant<unknown, E>;
  private readonly store: TokenStore;
  private readonly ownsStore: boolean;
  private readonly leaseMs: number;
  private readonly deadlineMs: number;
  private readonly storeTimeoutMs: number;
  private readonly minRefreshIntervalMs: number;
  private readonly pace: Pace;
  private readonly timing: TokenTiming;
  private readonly runner: GrantRunner<E>;
  /** Fires on close: ends backoff waits, and requests when the session owns its store. */
  private readonly closer = new AbortController();
  /** Settles when the session is closed: a wait that no signal can end is raced against it. */
  private readonly closing = new Promise<void>((resolve) => this.closer.signal.addEventListener("abort", () => resolve(), { once: true }));
  private readonly keyParts: readonly string[];
  /** Where the session's events go: its own `onEvent`, else the client's. */
  private readonly hook: TokenEventHook | undefined;
  /** Time this flight has waited for another holder of the lease; undefined when it has not waited. */
  private waitedMs: number | undefined;

  constructor(grant: SessionGrant<unknown, E>, options: SessionOptions) {
    this.grant = grant;
    if (options.onEvent !== undefined && typeof options.onEvent !== "function") {
      throw new TokenClientConfigError("onEvent must be a function");
    }
    this.hook = options.onEvent ?? grant.onEvent;
    this.elapsed = grant.elapsed ?? elapsedSinceStart;
    this.ownsStore = options.store === undefined;
    this.store = options.store ?? new MemoryTokenStore(grant.clock);
    const margin = options.refreshMarginMs;
    if (margin !== undefined && !(margin >= 0 && margin <= Number.MAX_SAFE_INTEGER)) {
      throw new TokenClientConfigError("refreshMarginMs must be a non-negative number of milliseconds");
    }
    this.leaseMs = checkDuration("leaseMs", options.leaseMs, DEFAULT_LEASE_MS, 1);
    this.deadlineMs = checkDuration("deadlineMs", options.deadlineMs, DEFAULT_DEADLINE_MS, 1);
    this.storeTimeoutMs = checkDuration("storeTimeoutMs", options.storeTimeoutMs, DEFAULT_STORE_TIMEOUT_MS, 1);
    this.minRefreshIntervalMs = checkDuration("minRefreshIntervalMs", options.minRefreshIntervalMs, DEFAULT_MIN_REFRESH_INTERVAL_MS);
    this.pace = new Pace(this.elapsed, checkDuration("coolDown.maxMs", options.coolDown?.maxMs, DEFAULT_MAX_COOL_DOWN_MS));
    if (options.namespace !== undefined && typeof options.namespace !== "string") {
      throw new TokenClientConfigError("namespace must be a string");
    }
    this.keyParts = options.namespace === undefined ? grant.keyParts : [`namespace:${options.namespace}`, ...grant.keyParts];
    this.timing = new TokenTiming(grant.clock, this.elapsed, margin, this.minRefreshIntervalMs);
    // A rotated refresh token must reach a store that outlives the session, so
    // requests are only cut short on close when the store goes with it.
    const call = this.ownsStore ? { signal: this.closer.signal } : {};
    // The client reports its requests to its own hook; the session reports them only to a hook of its own.
    const requests = options.onEvent === undefined ? undefined : (event: TokenEvent) => this.emit(event);
    this.runner = new GrantRunner(grant, retryPolicy(options.retry), this.pace, this.elapsed, call, this.closer.signal, requests);
  }

  /** Reports an event (see `SessionOptions.onEvent`); a hook's failure stays the hook's. */
  private emit(event: TokenEvent): void {
    const hook = this.hook;
    if (hook === undefined) return;
    const provider = this.grant.provider;
    emitEvent(hook, provider === undefined ? event : { ...event, provider });
  }

  private deadlineHit(): SessionDeadlineError {
    this.emit({ type: "deadline_exceeded", deadlineMs: this.deadlineMs });
    return new SessionDeadlineError(this.deadlineMs);
  }

  stats(): SessionStats {
    return this.pace.stats();
  }

  token(): Promise<Result<E>> {
    if (this.closed) return Promise.resolve(failure(new SessionClosedError()));
    const memo = this.memo;
    if (memo !== undefined) {
      try {
        const now = this.elapsed();
        if (now < memo.refreshAt) {
          const wall = this.grant.clock();
          memo.refreshAtWall = wall + (memo.refreshAt - now);
          memo.seenWall = wall;
          return memo.result;
        }
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.withinDeadline(this.inflight ?? this.start());
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
    const read = await this.op("get", async () => this.store.get(await this.key()), () => this.storeTimeoutMs);
    const current = read.ok ? read.value : this.latest;
    if (current !== undefined) this.rejected = current.accessToken;
  }

  async close(options: CloseOptions = {}): Promise<void> {
    this.closed = true;
    const held = this.memo?.token;
    this.memo = undefined;
    this.closer.abort();
    // Let a refresh in flight land in the store and give back its lease; its outcome is its callers'.
    await this.inflight?.then(
      () => undefined,
      () => undefined,
    );
    // A write still being tried gets one last try, then the lease goes back.
    await this.publishing;
    if (options.revoke === true) await this.revokeHeld(this.latest ?? held);
    this.latest = undefined;
    this.runner.forget();
    if (this.ownsStore && this.store instanceof MemoryTokenStore) this.store.clear();
  }

  /**
   * RFC 7009 §2.1: the refresh token first (a server revoking it may revoke its access tokens too), then
   * the access token; then the stored copy goes, as no other holder can use it either. Best effort.
   */
  private async revokeHeld(token: StoredToken | undefined): Promise<void> {
    const revoke = this.grant.revoke;
    if (revoke === undefined || token === undefined) return;
    const call = { signal: AbortSignal.timeout(this.deadlineMs) };
    const attempt = (value: string, hint: "access_token" | "refresh_token"): Promise<unknown> => revoke(value, hint, call).catch(() => undefined);
    if (token.refreshToken !== undefined) await attempt(token.refreshToken, "refresh_token");
    await attempt(token.accessToken, "access_token");
    await this.op("delete", async () => this.store.delete(await this.key()), () => this.storeTimeoutMs);
  }

  /** The caller's view of a flight: its outcome, or a SessionDeadlineError once `deadlineMs` has passed. */
  private withinDeadline(flight: Promise<Result<E>>): Promise<Result<E>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(failure(this.deadlineHit())), this.deadlineMs);
      flight.then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  private start(): Promise<Result<E>> {
    this.waitedMs = undefined;
    const running: Promise<Result<E>> = this.load().finally(() => {
      if (this.inflight === running) this.inflight = undefined;
      const waitedMs = this.waitedMs;
      if (waitedMs !== undefined) {
        this.waitedMs = undefined;
        this.emit({ type: "lease_waited", waitedMs });
      }
    });
    // Every caller awaits it; this only keeps a rejection nobody awaits from being unhandled.
    running.catch(() => undefined);
    this.inflight = running;
    return running;
  }

  /** One store operation, bounded by `allowance` (default `storeTimeoutMs`) and what is left of the flight. */
  private async op<T>(operation: string, run: () => Promise<T>, remaining: () => number, allowance = this.storeTimeoutMs): Promise<StoreCall<T>> {
    const call = await bounded(operation, run, Math.max(1, Math.min(allowance, remaining())));
    if (!call.ok) this.emit({ type: "store_unavailable", operation });
    return call;
  }

  /** Waits for another holder of the lease to finish (or `wait` ms), counting the time for `lease_waited`. */
  private async awaitHolder(key: string, wait: number): Promise<void> {
    const from = this.elapsed();
    // The wait itself is no sign of an outage: only a store silent for storeTimeoutMs past it is.
    await this.op("waitForChange", () => this.store.waitForChange(key, wait), () => wait + this.storeTimeoutMs, wait + this.storeTimeoutMs);
    this.waitedMs = (this.waitedMs ?? 0) + Math.max(0, this.elapsed() - from);
  }

  /** The single flight: the store first, then its lease, then (re-checking) a request. */
  private async load(): Promise<Result<E>> {
    const key = await this.key();
    const end = this.elapsed() + this.deadlineMs;
    const remaining = (): number => end - this.elapsed();
    if (this.unpublished && this.latest !== undefined) await this.publish(key, this.latest, remaining);
    for (;;) {
      if (this.closed) return failure(new SessionClosedError());
      const read = await this.op("get", () => this.store.get(key), remaining);
      if (!read.ok) return this.withoutStore(read.error);
      if (read.value === undefined && this.latest?.refreshToken !== undefined) {
        const restored = await this.restore(key, remaining);
        if (restored !== undefined) return restored;
        continue;
      }
      const candidate = await this.reconcile(key, read.value, remaining);
      if (candidate !== undefined && this.usable(candidate)) return this.remember(candidate, false);
      if (this.runner.needsUser(candidate)) return failure(this.runner.needsUserError(candidate));
      const cooling = await this.coolingDown(key, remaining);
      if (cooling !== undefined) return this.stale(candidate) ?? failure(cooling);
      const acquired = await this.op("acquire", () => this.store.acquire(key, this.leaseMs), remaining);
      if (!acquired.ok) return this.withoutStore(acquired.error);
      if (acquired.value !== undefined) return this.refreshUnderLease(key, acquired.value, remaining);
      const left = remaining();
      if (left <= 0) return this.stale(candidate) ?? failure(this.deadlineHit());
      await this.awaitHolder(key, Math.min(this.leaseMs, LEASE_POLL_MS, left));
    }
  }

  /**
   * The store came back empty while this session holds a refresh token: it
   * restarted, or failed over to a replica that missed the write. The lease
   * is taken first and the token put back under it, so that no other process
   * spends the refresh token meanwhile; a process that was refreshing when
   * the store restarted loses its lease to us, and we wait for its answer for
   * STORE_RESET_GRACE_MS before spending ours (see refreshUnderLease).
   * Undefined when another process holds the lease: look again.
   */
  private async restore(key: string, remaining: () => number): Promise<Result<E> | undefined> {
    this.resetAt = this.elapsed();
    const acquired = await this.op("acquire", () => this.store.acquire(key, this.leaseMs), remaining);
    if (!acquired.ok) return this.withoutStore(acquired.error);
    const latest = this.latest;
    if (latest !== undefined) await this.publish(key, latest, remaining);
    if (acquired.value !== undefined) return this.refreshUnderLease(key, acquired.value, remaining);
    const left = remaining();
    if (left <= 0) return this.stale(latest) ?? failure(this.deadlineHit());
    await this.awaitHolder(key, Math.min(this.leaseMs, LEASE_POLL_MS, left));
    return undefined;
  }

  /**
   * The newest of what the store holds and what this session holds. A store
   * that lost this session's token (a restart) or holds an older one gets
   * it back, unless another process has written a newer one meanwhile.
   */
  private async reconcile(key: string, stored: StoredToken | undefined, remaining: () => number): Promise<StoredToken | undefined> {
    const latest = this.latest;
    // Tokens never expire out of the store, so an empty one lost our write. Noted here, not only in load():
    // a reset between our read and our acquire frees the lease of a process still refreshing.
    if (stored === undefined && latest?.refreshToken !== undefined) this.resetAt = this.elapsed();
    const storedIsOlder =
      stored !== undefined &&
      latest !== undefined &&
      (generationOf(stored) < generationOf(latest) || (stored.refreshToken !== undefined && this.runner.isSpent(stored.refreshToken) && stored.refreshToken !== latest.refreshToken));
    if (stored !== undefined && !storedIsOlder) {
      this.latest = stored;
      this.unpublished = false;
      return stored;
    }
    if (latest === undefined) return stored;
    if ((await this.publish(key, latest, remaining)) !== false) return latest;
    // Another process wrote a newer token meanwhile: that one is the newest.
    const again = await this.op("get", () => this.store.get(key), remaining);
    if (!again.ok || again.value === undefined) return latest;
    this.latest = again.value;
    return again.value;
  }

  /** Writes `token`; remembers to try again when the store failed. False when the store kept a newer token. */
  private async publish(key: string, token: StoredToken, remaining: () => number): Promise<boolean | undefined> {
    const put = await this.op("set", () => this.store.set(key, token), remaining);
    this.unpublished = !put.ok;
    // A store written against the older interface resolves `set` with nothing: written.
    return put.ok ? put.value !== false : undefined;
  }

  /** The cool-down in force, through the store when it answers, else as this process knows it. */
  private async coolingDown(key: string, remaining: () => number): Promise<CoolingDownError | undefined> {
    const shared = await this.op("coolDownRemaining", () => this.store.coolDownRemaining(key), remaining);
    if (shared.ok && shared.value > 0) this.pace.coolFor(shared.value);
    const left = this.pace.coolDownRemaining();
    return left > 0 ? new CoolingDownError(left) : undefined;
  }

  private async refreshUnderLease(key: string, lease: TokenLease, remaining: () => number): Promise<Result<E>> {
    const keeper = keepLease(lease, this.leaseMs, this.storeTimeoutMs, this.elapsed);
    try {
      // Someone may have refreshed between our look and the lease.
      const read = await this.op("get", () => this.store.get(key), remaining);
      if (!read.ok) return this.withoutStore(read.error);
      let candidate = await this.reconcile(key, read.value, remaining);
      if (candidate !== undefined && this.usable(candidate)) return this.remember(candidate, false);
      const grace = Math.min(STORE_RESET_GRACE_MS, this.leaseMs);
      const graceLeft = this.resetAt === undefined ? 0 : this.resetAt + grace - this.elapsed();
      if (graceLeft > 0 && candidate?.refreshToken !== undefined) {
        // Just after a store reset: a process that was refreshing then may still answer; its write wakes us.
        const graceEnds = this.elapsed() + graceLeft;
        for (let left = graceLeft; left > 0 && !this.closed; left = graceEnds - this.elapsed()) {
          const asked = this.elapsed();
          await Promise.race([this.awaitHolder(key, left), this.closing]);
          if (this.closed) break;
          const again = await this.op("get", () => this.store.get(key), remaining);
          if (!again.ok) return this.withoutStore(again.error);
          candidate = await this.reconcile(key, again.value, remaining);
          if (candidate !== undefined && this.usable(candidate)) return this.remember(candidate, false);
          // A store whose waitForChange answers at once is not asked in a busy loop.
          if (this.elapsed() - asked < GRACE_POLL_MS) await sleep(Math.min(GRACE_POLL_MS, graceEnds - this.elapsed()), this.closer.signal);
        }
        // Closed while waiting: nothing was sent, and a refresh token is not spent for a closed session.
        if (this.closed) return failure(new SessionClosedError());
      }
      // After the API refused a token, a new one is asked for at most once per minRefreshIntervalMs.
      const gap = this.runner.lastRequestAt + this.minRefreshIntervalMs - this.elapsed();
      if (this.rejected !== undefined && gap > 0) await sleep(gap, this.closer.signal);
      if (!keeper.held()) return this.stale(candidate) ?? failure(new TokenStoreUnavailableError("renew", "the refresh lease was lost"));
      return await this.obtainAndKeep(key, candidate, keeper, remaining);
    } finally {
      if (this.unpublished && !this.closed) {
        // The newest refresh token is not in the store yet: keep the lease, so
        // that no other process sends the one it replaced, until it lands.
        this.publishing = this.publishUnderLease(key, lease, keeper);
      } else {
        await this.letGo(lease, keeper);
      }
    }
  }

  /**
   * Tries the failed write again, every 500 ms at most, then gives the lease
   * back. It goes on after the lease is lost (the store's generation check
   * makes the write safe without it), for as long as this session lives and
   * the token it holds is the newest.
   */
  private async publishUnderLease(key: string, lease: TokenLease, keeper: LeaseKeeper): Promise<void> {
    try {
      for (let wait = 100; this.unpublished; wait = Math.min(wait * 2, 500)) {
        const slept = await sleep(wait, this.closer.signal);
        const token = this.latest;
        if (token === undefined) break;
        await this.publish(key, token, () => this.storeTimeoutMs);
        if (!slept) break;
      }
    } finally {
      await this.letGo(lease, keeper);
      this.publishing = undefined;
    }
  }

  private async letGo(lease: TokenLease, keeper: LeaseKeeper): Promise<void> {
    await keeper.stop();
    await this.op("release", () => lease.release(), () => this.storeTimeoutMs);
  }

  /** Without the store: a token in memory, or a new one when that spends no refresh token. */
  private async withoutStore(error: TokenStoreUnavailableError): Promise<Result<E>> {
    const latest = this.latest;
    if (latest !== undefined && this.usable(latest)) return this.remember(latest, false);
    const stale = this.stale(latest);
    if (stale !== undefined) return stale;
    // A refresh token is only sent under the store's lease; the original grant
    // can run without one when it may run again.
    if (!this.grant.reobtainable || this.closed) return failure(error);
    const left = this.pace.coolDownRemaining();
    if (left > 0) return failure(new CoolingDownError(left));
    const key = await this.key();
    return this.obtainAndKeep(key, undefined, undefined, () => this.storeTimeoutMs);
  }

  /** Sends the token request; a new token is kept in memory and written to the store before callers see it. */
  private async obtainAndKeep(
    key: string,
    candidate: StoredToken | undefined,
    keeper: LeaseKeeper | undefined,
    remaining: () => number,
  ): Promise<Result<E>> {
    const result = await this.runner.run(candidate, () => keeper?.held() ?? true);
    if (!result.ok) {
      await this.coolDownAfter(key, result.error);
      return (isTransient(result.error) ? this.stale(candidate) : undefined) ?? result;
    }
    const token: StoredToken = { ...result.token, generation: Math.max(generationOf(this.latest), generationOf(candidate)) + 1 };
    this.latest = token;
    this.resetAt = undefined;
    // Stored even when its access token is unusable: its refresh token may be the only live one.
    await this.publish(key, token, () => Math.max(remaining(), this.storeTimeoutMs));
    const unsafe = headerUnsafeToken(token);
    if (unsafe !== undefined) {
      const error = new InvalidTokenValueError(unsafe);
      await this.coolDownAfter(key, error);
      return failure(error);
    }
    this.pace.succeeded();
    return this.remember(token, true);
  }

  /** Counts a failure; a cool-down it starts is shared through the store and reported. */
  private async coolDownAfter(key: string, error: TokenError): Promise<void> {
    const coolMs = this.pace.failed(error);
    if (coolMs <= 0) return;
    this.emit({ type: "cool_down_started", coolDownMs: coolMs, errorCode: String(error.code) });
    await this.op("coolDown", () => this.store.coolDown(key, coolMs), () => this.storeTimeoutMs);
  }

  private usable(token: StoredToken | undefined): boolean {
    return token !== undefined && token.accessToken !== this.rejected && this.timing.fresh(token) && headerUnsafeToken(token) === undefined;
  }

  /**
   * A token that is due for a refresh the session cannot make now (a
   * cool-down, a store outage, a failed request) but has not expired: served,
   * and looked at again within a second.
   */
  private stale(token: StoredToken | undefined): Result<E> | undefined {
    if (token === undefined || token.accessToken === this.rejected || token.expiresAt === undefined) return undefined;
    const left = this.timing.lifeLeft(token) - STALE_SAFETY_MS;
    if (left <= 0) return undefined;
    return this.keep(token, this.elapsed() + Math.min(left, STALE_RECHECK_MS), false);
  }

  /** Keeps `token` for the warm path; `issued` when it was just received rather than read from the store. */
  private remember(token: StoredToken, issued: boolean): Result<E> {
    return this.keep(token, this.timing.of(token).refreshAt, issued);
  }

  private keep(token: StoredToken, refreshAt: number, issued: boolean): Result<E> {
    const result: Result<E> = { ok: true, token };
    // A stored token refused while this load ran goes to the callers that were waiting, but is not kept.
    if (this.closed || (!issued && token.accessToken === this.rejected)) return result;
    this.rejected = undefined;
    const wall = this.grant.clock();
    this.memo = {
      token,
      refreshAt,
      refreshAtWall: wall + (refreshAt - this.elapsed()),
      seenWall: wall,
      access: Promise.resolve(token.accessToken),
      result: Promise.resolve(result),
    };
    return result;
  }

  /**
   * The store key: hex SHA-256 of the key parts, so no credential is a key.
   * With DPoP, the parts end with the key pair's RFC 7638 thumbprint: a
   * token is bound to one key (RFC 9449 §6), so processes with different
   * keys never share one. Made once; never on the warm path.
   */
  private key(): Promise<string> {
    const dpop = this.grant.dpop;
    this.keyPromise ??= (dpop === undefined ? storeKey(this.keyParts) : dpop.thumbprint().then((jkt) => storeKey([...this.keyParts, `dpop-jkt:${jkt}`]))).catch((error: unknown) => {
      this.keyPromise = undefined;
      throw error;
    });
    return this.keyPromise;
  }
}
