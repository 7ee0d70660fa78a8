// Internals of the token session: how often it may ask the token endpoint.
// Failures start a cool-down (shared through the store) and every request is
// counted for `session.stats()`. Not part of the public API.
import type { TokenError } from "./errors.js";
import { checkDuration, isTransient, retryAfterOf } from "./session-retry.js";

/** Cool-down after a second failed token request in a row, doubled for each further one. */
export const COOL_DOWN_BASE_MS = 1_000;
/** Longest cool-down after failures in a row (default of `coolDown.maxMs`). */
export const DEFAULT_MAX_COOL_DOWN_MS = 60_000;
/** A `Retry-After` is honoured up to this long (10 minutes); longer is read as this. */
export const MAX_RETRY_AFTER_COOL_DOWN_MS = 600_000;
/** Shortest time between two token requests of one session when tokens live shorter than the refresh margin. */
export const DEFAULT_MIN_REFRESH_INTERVAL_MS = 1_000;
const MINUTE_MS = 60_000;

export interface SessionStats {
  /** Token requests this session has sent (every attempt, retries included). */
  readonly tokenRequests: number;
  /** Token requests sent in the last 60 s. */
  readonly tokenRequestsLastMinute: number;
  /** Requests that failed in a row, up to the last success. */
  readonly failuresInARow: number;
  /** Milliseconds left of the cool-down this process knows of; 0 when none. */
  readonly coolDownRemainingMs: number;
}

export { checkDuration };

/** Failure counting, cool-down lengths and the request tally of one session, on its elapsed-time clock. */
export class Pace {
  private failures = 0;
  private total = 0;
  /** Elapsed-time stamps of the requests of the last minute, oldest first. */
  private readonly recent: number[] = [];
  private coolUntil = Number.NEGATIVE_INFINITY;
  private readonly elapsed: () => number;
  private readonly maxCoolDownMs: number;

  constructor(elapsed: () => number, maxCoolDownMs: number) {
    this.elapsed = elapsed;
    this.maxCoolDownMs = maxCoolDownMs;
  }

  /** Counts one request about to be sent. */
  sent(): void {
    this.total += 1;
    const now = this.elapsed();
    this.recent.push(now);
    this.trim(now);
  }

  succeeded(): void {
    this.failures = 0;
  }

  /**
   * Counts a failed token request and returns the cool-down it starts, in ms:
   * what `Retry-After` asked (up to 10 minutes); else none for a first
   * failure, then 1 s doubled per further failure in a row up to
   * `maxCoolDownMs`. A caller's abort, a closed session or a need for the
   * user (no request was sent) count as none.
   */
  failed(error: TokenError): number {
    if (error.kind === "aborted" || error.kind === "session_closed" || error.kind === "reauthentication_required") return 0;
    // A key that cannot sign: nothing was sent, and waiting will not mend the key.
    if (error.kind === "client_key" || error.kind === "dpop_proof") return 0;
    this.failures += 1;
    const retryAfter = isTransient(error) ? retryAfterOf(error) : undefined;
    const ms =
      retryAfter !== undefined
        ? Math.min(retryAfter, MAX_RETRY_AFTER_COOL_DOWN_MS)
        : this.failures < 2
          ? 0
          : Math.min(this.maxCoolDownMs, COOL_DOWN_BASE_MS * 2 ** Math.min(this.failures - 2, 30));
    if (ms > 0) this.coolFor(ms);
    return ms;
  }

  /** Notes a cool-down (ours or, through the store, another process's). */
  coolFor(ms: number): void {
    this.coolUntil = Math.max(this.coolUntil, this.elapsed() + ms);
  }

  coolDownRemaining(): number {
    return Math.max(0, this.coolUntil - this.elapsed());
  }

  stats(): SessionStats {
    const now = this.elapsed();
    this.trim(now);
    return {
      tokenRequests: this.total,
      tokenRequestsLastMinute: this.recent.length,
      failuresInARow: this.failures,
      coolDownRemainingMs: this.coolDownRemaining(),
    };
  }

  private trim(now: number): void {
    let drop = 0;
    while (drop < this.recent.length && (this.recent[drop] ?? now) <= now - MINUTE_MS) drop += 1;
    if (drop > 0) this.recent.splice(0, drop);
  }
}
