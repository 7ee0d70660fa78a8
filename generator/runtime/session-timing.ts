// Internals of the token session: when a token is refreshed and when it
// expires, on the session's elapsed-time clock. Not part of the public API.
import type { StoredToken } from "./store.js";
import type { Clock } from "./types.js";

/** The refresh margin's cap when `refreshMarginMs` is not set. */
export const DEFAULT_MAX_REFRESH_MARGIN_MS = 60_000;
/** ...and its share of the token's lifetime. */
export const DEFAULT_REFRESH_MARGIN_SHARE = 0.1;

/** A token's deadlines on the elapsed-time clock. */
export interface Timing {
  /** The token as the session holds it (`latest`, or the copy last read from the store). */
  readonly token: StoredToken;
  readonly refreshAt: number;
  /** Infinity when the token has no expiry. */
  readonly expiresAt: number;
}

/** The same issued token, whether held in memory or read back from the store. */
function sameToken(a: StoredToken, b: StoredToken): boolean {
  return a.accessToken === b.accessToken && a.receivedAt === b.receivedAt && a.expiresAt === b.expiresAt;
}

export class TokenTiming {
  private last: Timing | undefined;
  private readonly clock: Clock;
  private readonly elapsed: Clock;
  private readonly marginMs: number | undefined;
  private readonly minRefreshIntervalMs: number;

  /** `clock` is the wall clock tokens' times are on; `elapsed` a monotonic one. */
  constructor(clock: Clock, elapsed: Clock, marginMs: number | undefined, minRefreshIntervalMs: number) {
    this.clock = clock;
    this.elapsed = elapsed;
    this.marginMs = marginMs;
    this.minRefreshIntervalMs = minRefreshIntervalMs;
  }

  /**
   * When `token` is refreshed and when it expires, on the elapsed-time clock.
   * Worked out from the wall clock the first time the session sees the
   * token, and kept: a wall clock that steps later does not move them.
   */
  of(token: StoredToken): Timing {
    const known = this.last;
    if (known !== undefined && sameToken(known.token, token)) return known;
    const now = this.elapsed();
    const wall = this.clock();
    const expiresAt = token.expiresAt === undefined ? Number.POSITIVE_INFINITY : now + (token.expiresAt - wall);
    const timing = { token, refreshAt: now + (this.refreshAtWall(token) - wall), expiresAt };
    this.last = timing;
    return timing;
  }

  /** Whether `token` is not yet due for a refresh. */
  fresh(token: StoredToken): boolean {
    return this.elapsed() < this.of(token).refreshAt;
  }

  /** Milliseconds until `token` expires (Infinity without an expiry; negative once past). */
  lifeLeft(token: StoredToken): number {
    return this.of(token).expiresAt - this.elapsed();
  }

  /**
   * Wall-clock epoch ms from which `token` is refreshed: its expiry less the
   * margin (`refreshMarginMs`, else min(60 s, 10% of the lifetime)), but never
   * sooner than `minRefreshIntervalMs` after it arrived, so that a token
   * living shorter than the margin is used, not asked for on every call.
   */
  private refreshAtWall(token: StoredToken): number {
    const expiresAt = token.expiresAt;
    if (expiresAt === undefined) return Number.POSITIVE_INFINITY;
    const lifetime = Math.max(0, expiresAt - token.receivedAt);
    const margin = this.marginMs ?? Math.min(DEFAULT_MAX_REFRESH_MARGIN_MS, lifetime * DEFAULT_REFRESH_MARGIN_SHARE);
    return Math.max(expiresAt - margin, token.receivedAt + this.minRefreshIntervalMs);
  }
}
