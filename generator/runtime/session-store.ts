// Internals of the token session: every call into the token store bounded in
// time, and a refresh lease kept alive while a refresh runs. Not part of the
// public API.
import { TokenStoreUnavailableError } from "./session-errors.js";
import type { TokenLease } from "./store.js";

export type StoreCall<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: TokenStoreUnavailableError };

/**
 * Runs one store operation, settled within `ms`: a store that throws, rejects
 * or does not answer becomes a {@link TokenStoreUnavailableError}. The
 * store's own error is not kept: a user's store may put stored values (a
 * refresh token) in its messages, so only its name and `code` are named.
 */
export function bounded<T>(operation: string, run: () => Promise<T>, ms: number): Promise<StoreCall<T>> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (call: StoreCall<T>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(call);
    };
    const timer = setTimeout(
      () => finish({ ok: false, error: new TokenStoreUnavailableError(operation, `no answer within ${Math.round(ms)} ms`) }),
      Math.max(0, ms),
    );
    let running: Promise<T>;
    try {
      running = run();
    } catch (error) {
      finish({ ok: false, error: new TokenStoreUnavailableError(operation, describeStoreError(error)) });
      return;
    }
    running.then(
      (value) => finish({ ok: true, value }),
      (error: unknown) => finish({ ok: false, error: new TokenStoreUnavailableError(operation, describeStoreError(error)) }),
    );
  });
}

function describeStoreError(error: unknown): string {
  if (!(error instanceof Error)) return "it failed";
  const code: unknown = (error as { readonly code?: unknown }).code;
  const name = /^[\w$.-]{1,64}$/.test(error.name) ? error.name : "Error";
  return typeof code === "string" && /^[\w.-]{1,64}$/.test(code) ? `${name} (${code})` : name;
}

/** Longest pause between lease renewals while a refresh runs. */
export const MAX_RENEW_INTERVAL_MS = 1_000;

/**
 * Keeps a refresh lease alive while a refresh runs: renewed every
 * min(leaseMs / 3, 1 s). `held()` turns false for good as soon as the store
 * says another holder has the lease, or when no renewal has been confirmed
 * for longer than the lease would last: from then on the holder must not
 * send its refresh token again (another process may be sending it).
 */
export interface LeaseKeeper {
  held(): boolean;
  stop(): Promise<void>;
}

export function keepLease(lease: TokenLease, leaseMs: number, storeTimeoutMs: number, elapsed: () => number): LeaseKeeper {
  let lost = false;
  let confirmedAt = elapsed();
  let renewing: Promise<void> | undefined;
  const interval = Math.max(1, Math.min(leaseMs / 3, MAX_RENEW_INTERVAL_MS));
  const renew = (): void => {
    if (lost || renewing !== undefined) return;
    const asked = elapsed();
    renewing = bounded("renew", () => lease.renew(leaseMs), Math.min(storeTimeoutMs, interval * 2)).then((call) => {
      renewing = undefined;
      if (call.ok && call.value) confirmedAt = asked;
      else if (call.ok) lost = true;
    });
  };
  const timer = setInterval(renew, interval);
  return {
    held: () => {
      // A renewal confirmed at `confirmedAt` keeps the lease to confirmedAt + leaseMs; leave a renewal's worth of room.
      if (!lost && elapsed() - confirmedAt > leaseMs - interval) lost = true;
      return !lost;
    },
    stop: async () => {
      clearInterval(timer);
      await renewing;
    },
  };
}
