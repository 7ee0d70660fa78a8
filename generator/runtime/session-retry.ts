// Internals of the token session: retry policy for token requests, and the
// error tests the session decides by. Not part of the public API.
import { TokenClientConfigError } from "./errors.js";
import type { TokenError } from "./errors.js";
import type { RetryOptions } from "./session-types.js";
import { MAX_TIMER_MS, sleep } from "./timers.js";
import type { TokenResult } from "./types.js";

export { MAX_TIMER_MS, sleep };

export const DEFAULT_TRIES = 3;
export const DEFAULT_BASE_DELAY_MS = 200;
export const DEFAULT_MAX_DELAY_MS = 10_000;
/** More attempts than this is a mistake, not a policy. */
const MAX_TRIES = 100;

export interface RetryPolicy {
  readonly tries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A number in [0, 1); `Math.random` outside tests. */
  readonly random: () => number;
}

/** Validates `options.retry` and fills in the defaults. */
export function retryPolicy(options: RetryOptions | undefined, random: () => number = Math.random): RetryPolicy {
  const tries = options?.tries ?? DEFAULT_TRIES;
  const baseDelayMs = options?.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const maxDelayMs = options?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  if (!(Number.isInteger(tries) && tries >= 1 && tries <= MAX_TRIES)) {
    throw new TokenClientConfigError(`retry.tries must be an integer from 1 to ${MAX_TRIES}`);
  }
  checkDuration("retry.baseDelayMs", baseDelayMs, 0);
  checkDuration("retry.maxDelayMs", maxDelayMs, 0);
  return { tries, baseDelayMs, maxDelayMs, random };
}

/** `value` (or `fallback` when it is undefined), checked to be a number of milliseconds in [`min`, {@link MAX_TIMER_MS}]. */
export function checkDuration(name: string, value: number | undefined, fallback: number, min = 0): number {
  const ms = value ?? fallback;
  if (!(ms >= min && ms <= MAX_TIMER_MS)) {
    throw new TokenClientConfigError(`${name} must be a number of milliseconds in [${min}, ${MAX_TIMER_MS}]`);
  }
  return ms;
}

function statusOf(error: TokenError): number | undefined {
  const status: unknown = (error as { readonly status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

/** An HTTP answer with an error status: a documented one or not. */
function isHttpAnswer(error: TokenError): boolean {
  return error.kind === "response" || error.kind === "unexpected_status";
}

/** Worth another try: no answer (network, timeout), a server error (5xx) or rate limiting (429). */
export function isTransient(error: TokenError): boolean {
  if (error.kind === "network" || error.kind === "timeout") return true;
  if (!isHttpAnswer(error)) return false;
  const status = statusOf(error);
  return status !== undefined && (status >= 500 || status === 429);
}

/** RFC 6749 §5.2 `invalid_grant`: the refresh token (or code) is expired, revoked or used up. */
export function isInvalidGrant(error: TokenError): boolean {
  if (!isHttpAnswer(error)) return false;
  const body: unknown = (error as { readonly body?: unknown }).body;
  return typeof body === "object" && body !== null && (body as { readonly error?: unknown }).error === "invalid_grant";
}

export function retryAfterOf(error: TokenError): number | undefined {
  const value: unknown = (error as { readonly retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === "number" && value >= 0 ? value : undefined;
}

/**
 * Runs `attempt` up to `tries` times while it fails transiently, waiting
 * with full-jitter exponential backoff between attempts (a random wait in
 * [0, min(maxDelayMs, baseDelayMs * 2^n))), and at least as long as a
 * Retry-After asks. A Retry-After beyond `maxDelayMs` ends the retries, as
 * does `signal` firing, or `mayRetry` answering false just before a retry (a
 * refresh whose lease was lost); the last failure is then returned. Never
 * rejects unless `attempt` does.
 */
export async function withRetries<Raw, E extends TokenError>(
  attempt: () => Promise<TokenResult<Raw, E>>,
  policy: RetryPolicy,
  tries: number,
  signal: AbortSignal,
  mayRetry: () => boolean = () => true,
): Promise<TokenResult<Raw, E>> {
  for (let n = 0; ; n++) {
    const result = await attempt();
    if (result.ok || n + 1 >= tries || !isTransient(result.error)) return result;
    const retryAfterMs = retryAfterOf(result.error);
    if (retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs) return result;
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n);
    const wait = Math.max(Math.floor(policy.random() * ceiling), retryAfterMs ?? 0);
    if (!(await sleep(wait, signal)) || !mayRetry()) return result;
  }
}
