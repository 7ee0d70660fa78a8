// The platform's timers within their limits, for the runtime and for the stores copied beside it (which import this file).

/** setTimeout fires at once for delays above 2^31 - 1 ms, so no wait, timeout or cool-down is longer. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Resolves true after `ms` (capped at {@link MAX_TIMER_MS}), or false as soon
 * as `signal` fires; the timer and the listener are removed either way.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (slept: boolean): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(slept);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), Math.min(Math.max(0, ms), MAX_TIMER_MS));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
