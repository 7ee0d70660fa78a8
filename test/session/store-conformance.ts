// A conformance suite every TokenStore implementation must pass:
//   describeTokenStore("RedisTokenStore", async () => ({ store, advance: delay, cleanup }))
import { afterEach, describe, expect, it } from "vitest";
import type { StoredToken, TokenStore } from "../../generator/runtime/store.js";

export interface StoreHarness {
  readonly store: TokenStore;
  /**
   * Lets `ms` pass for the store's leases: moves a fake clock, or really
   * waits for stores that keep real time (the suite uses leases of 200 ms).
   */
  readonly advance: (ms: number) => Promise<void>;
  /** Closes what the harness opened (called after each test). */
  readonly cleanup?: () => Promise<void>;
}

const LEASE_MS = 200;

const full: StoredToken = {
  accessToken: "at-conformance",
  tokenType: "Bearer",
  expiresAt: 1_700_000_360_000,
  refreshToken: "rt-conformance",
  scope: "read write",
  receivedAt: 1_700_000_000_000,
};
const minimal: StoredToken = { accessToken: "at-minimal", receivedAt: 1_700_000_000_000 };

let counter = 0;
/** A key no other test (or process sharing the store) uses. */
function freshKey(): string {
  counter += 1;
  return `conformance-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

async function elapsed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

export function describeTokenStore(name: string, makeStore: () => StoreHarness | Promise<StoreHarness>): void {
  describe(`TokenStore conformance: ${name}`, () => {
    const open: StoreHarness[] = [];
    afterEach(async () => {
      for (const harness of open.splice(0)) await harness.cleanup?.();
    });
    async function harness(): Promise<StoreHarness> {
      const made = await makeStore();
      open.push(made);
      return made;
    }

    it("returns undefined for a key never set", async () => {
      const { store } = await harness();
      expect(await store.get(freshKey())).toBeUndefined();
    });

    it("returns what was set, every field intact, and nothing that was not", async () => {
      const { store } = await harness();
      const [a, b] = [freshKey(), freshKey()];
      await store.set(a, full);
      await store.set(b, minimal);
      expect(await store.get(a)).toEqual(full);
      const got = await store.get(b);
      expect(got).toEqual(minimal);
      expect(Object.keys(got ?? {}).sort()).toEqual(["accessToken", "receivedAt"]);
    });

    it("overwrites on set and forgets on delete; deleting a missing key is fine", async () => {
      const { store } = await harness();
      const key = freshKey();
      await store.set(key, full);
      await store.set(key, { ...full, accessToken: "at-2", refreshToken: "rt-2" });
      expect((await store.get(key))?.refreshToken).toBe("rt-2");
      await store.delete(key);
      expect(await store.get(key)).toBeUndefined();
      await expect(store.delete(freshKey())).resolves.toBeUndefined();
    });

    it("keeps keys apart", async () => {
      const { store } = await harness();
      const [a, b] = [freshKey(), freshKey()];
      await store.set(a, full);
      expect(await store.get(b)).toBeUndefined();
      await store.delete(b);
      expect(await store.get(a)).toEqual(full);
    });

    it("grants a lease to exactly one of many concurrent acquirers", async () => {
      const { store } = await harness();
      const key = freshKey();
      const leases = await Promise.all(Array.from({ length: 20 }, () => store.acquire(key, LEASE_MS * 50)));
      expect(leases.filter((lease) => lease !== undefined)).toHaveLength(1);
      expect(await store.acquire(key, LEASE_MS * 50)).toBeUndefined();
      // Leases are per key.
      expect(await store.acquire(freshKey(), LEASE_MS * 50)).toBeDefined();
    });

    it("lets the lease be taken again once released", async () => {
      const { store } = await harness();
      const key = freshKey();
      const lease = await store.acquire(key, LEASE_MS * 50);
      expect(lease).toBeDefined();
      await lease?.release();
      const again = await store.acquire(key, LEASE_MS * 50);
      expect(again).toBeDefined();
      await again?.release();
    });

    it("lets a lease run out by itself (a holder that died)", async () => {
      const { store, advance } = await harness();
      const key = freshKey();
      expect(await store.acquire(key, LEASE_MS)).toBeDefined();
      expect(await store.acquire(key, LEASE_MS)).toBeUndefined();
      await advance(LEASE_MS * 2);
      expect(await store.acquire(key, LEASE_MS)).toBeDefined();
    });

    it("does not let an expired lease release its successor's", async () => {
      const { store, advance } = await harness();
      const key = freshKey();
      const stale = await store.acquire(key, LEASE_MS);
      await advance(LEASE_MS * 2);
      const current = await store.acquire(key, LEASE_MS * 50);
      expect(current).toBeDefined();
      await stale?.release();
      expect(await store.acquire(key, LEASE_MS * 50)).toBeUndefined();
      await current?.release();
    });

    it("wakes waitForChange when the key is set", async () => {
      const { store } = await harness();
      const key = freshKey();
      const waited = elapsed(() => store.waitForChange(key, 10_000));
      await new Promise((resolve) => setTimeout(resolve, 20));
      await store.set(key, full);
      expect(await waited).toBeLessThan(5_000);
    });

    it("ends waitForChange after its timeout when nothing changes", async () => {
      const { store } = await harness();
      const ms = await elapsed(() => store.waitForChange(freshKey(), 60));
      expect(ms).toBeGreaterThanOrEqual(50);
      expect(ms).toBeLessThan(5_000);
    });
  });
}
