// Limits of the platform's timers, for the runtime and for the stores copied beside it (which import this file).

/** setTimeout fires at once for delays above 2^31 - 1 ms, so no wait, timeout or cool-down is longer. */
export const MAX_TIMER_MS = 2_147_483_647;
