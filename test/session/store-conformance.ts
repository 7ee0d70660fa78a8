// A conformance suite every TokenStore implementation must pass:
//   describeTokenStore("RedisTokenStore", async () => ({ store, advance: delay, cleanup }))
// A store over shared storage that other programs (or older versions) may
// have written also passes the foreign-values part:
//   describeTokenStore("RedisTokenStore", async () => ({ ..., plant }), { foreignValues: true })
import { afterEach, describe, expect, it } from "vitest";
import type { StoredToken, TokenStore } from "../../generator/runtime/store.js";

/** Which of a key's entries a foreign value is planted in. */
export type PlantedEntry = "token" | "lease" | "coolDown";
/**
 * - `wrong-type`: an entry of another kind (in Redis: a hash where a string belongs), with an expiry;
 * - `garbage`: a value that is not what the store writes (not JSON, for a token);
 * - `no-expiry`: a lease or cool-down another holder left without any expiry.
 */
export type PlantedKind = "wrong-type" | "garbage" | "no-expiry";

export interface StoreHarness {
  readonly store: TokenStore;
  /**
   * Lets `ms` pass for the store's leases: moves a fake clock, or really
   * waits for stores that keep real time (the suite uses leases of 200 ms).
   */
  readonly advance: (ms: number) => Promise<void>;
  /** Closes what the harness opened (called after each test). */
  readonly cleanup?: () => Promise<void>;
  /** Writes a foreign value for `key` behind the store's back (required with `foreignValues`). */
  readonly plant?: (key: string, entry: PlantedEntry, kind: PlantedKind) => Promise<void>;
}

export interface ConformanceOptions {
  /** Also run the tests of values the store did not write (needs `plant`). */
  readonly foreignValues?: boolean;
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

export function describeTokenStore(
  name: string,
  makeStore: () => StoreHarness | Promise<StoreHarness>,
  options: ConformanceOptions = {},
): void {
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
      expect(await store.set(key, full)).toBe(true);
      expect(await store.set(key, { ...full, accessToken: "at-2", refreshToken: "rt-2" })).toBe(true);
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

    describe("generations", () => {
      it("keeps the generation field", async () => {
        const { store } = await harness();
        const key = freshKey();
        expect(await store.set(key, { ...full, generation: 3 })).toBe(true);
        expect(await store.get(key)).toEqual({ ...full, generation: 3 });
      });

      it("refuses a lower generation, replaces an equal one, takes a higher one", async () => {
        const { store } = await harness();
        const key = freshKey();
        expect(await store.set(key, { ...full, accessToken: "at-g5", generation: 5 })).toBe(true);
        expect(await store.set(key, { ...full, accessToken: "at-g4", generation: 4 })).toBe(false);
        expect((await store.get(key))?.accessToken).toBe("at-g5");
        expect(await store.set(key, { ...full, accessToken: "at-g5b", generation: 5 })).toBe(true);
        expect((await store.get(key))?.accessToken).toBe("at-g5b");
        expect(await store.set(key, { ...full, accessToken: "at-g6", generation: 6 })).toBe(true);
        expect(await store.get(key)).toMatchObject({ accessToken: "at-g6", generation: 6 });
      });

      it("counts an absent generation as 0, on either side", async () => {
        const { store } = await harness();
        const key = freshKey();
        expect(await store.set(key, { ...full, accessToken: "at-none" })).toBe(true);
        expect(await store.set(key, { ...full, accessToken: "at-zero", generation: 0 })).toBe(true);
        expect(await store.set(key, { ...full, accessToken: "at-none-again" })).toBe(true);
        expect(await store.set(key, { ...full, accessToken: "at-one", generation: 1 })).toBe(true);
        expect(await store.set(key, { ...full, accessToken: "at-none-late" })).toBe(false);
        expect((await store.get(key))?.accessToken).toBe("at-one");
      });

      it("writes any generation once the key was deleted", async () => {
        const { store } = await harness();
        const key = freshKey();
        await store.set(key, { ...full, generation: 9 });
        await store.delete(key);
        expect(await store.set(key, { ...full, accessToken: "at-after-delete", generation: 1 })).toBe(true);
        expect((await store.get(key))?.accessToken).toBe("at-after-delete");
      });

      it("does not wake waitForChange for a refused write", async () => {
        const { store } = await harness();
        const key = freshKey();
        await store.set(key, { ...full, generation: 2 });
        // A store may deliver that write's own notification a little late (a
        // cluster relays it between nodes): let it arrive before waiting.
        await new Promise((resolve) => setTimeout(resolve, 100));
        const waited = elapsed(() => store.waitForChange(key, 300));
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await store.set(key, { ...full, generation: 1 })).toBe(false);
        expect(await waited).toBeGreaterThanOrEqual(250);
      });
    });

    describe("lease renewal", () => {
      it("extends the holder's own lease", async () => {
        const { store, advance } = await harness();
        const key = freshKey();
        const lease = await store.acquire(key, LEASE_MS * 1.5);
        expect(lease).toBeDefined();
        await advance(LEASE_MS);
        expect(await lease?.renew(LEASE_MS * 5)).toBe(true);
        await advance(LEASE_MS);
        // Without the renewal it would have run out by now.
        expect(await store.acquire(key, LEASE_MS)).toBeUndefined();
        await lease?.release();
      });

      it("takes the lease again when it ran out with nobody taking it", async () => {
        const { store, advance } = await harness();
        const key = freshKey();
        const lease = await store.acquire(key, LEASE_MS);
        await advance(LEASE_MS * 2);
        expect(await lease?.renew(LEASE_MS * 50)).toBe(true);
        expect(await store.acquire(key, LEASE_MS)).toBeUndefined();
        await lease?.release();
        const next = await store.acquire(key, LEASE_MS);
        expect(next).toBeDefined();
        await next?.release();
      });

      it("refuses to renew a lease another holder took meanwhile", async () => {
        const { store, advance } = await harness();
        const key = freshKey();
        const stale = await store.acquire(key, LEASE_MS);
        await advance(LEASE_MS * 2);
        const current = await store.acquire(key, LEASE_MS * 50);
        expect(current).toBeDefined();
        expect(await stale?.renew(LEASE_MS * 50)).toBe(false);
        expect(await store.acquire(key, LEASE_MS)).toBeUndefined();
        expect(await current?.renew(LEASE_MS * 50)).toBe(true);
        await current?.release();
      });
    });

    describe("cool-downs", () => {
      it("reports 0 for a key that never cooled down, and keeps keys apart", async () => {
        const { store } = await harness();
        const [a, b] = [freshKey(), freshKey()];
        expect(await store.coolDownRemaining(a)).toBe(0);
        await store.coolDown(a, 10_000);
        expect(await store.coolDownRemaining(b)).toBe(0);
      });

      it("counts down, and ends by itself", async () => {
        const { store, advance } = await harness();
        const key = freshKey();
        await store.coolDown(key, LEASE_MS * 2);
        const first = await store.coolDownRemaining(key);
        expect(first).toBeGreaterThan(0);
        expect(first).toBeLessThanOrEqual(LEASE_MS * 2);
        await advance(LEASE_MS / 2);
        const later = await store.coolDownRemaining(key);
        expect(later).toBeGreaterThan(0);
        expect(later).toBeLessThan(first);
        await advance(LEASE_MS * 2);
        expect(await store.coolDownRemaining(key)).toBe(0);
      });

      it("is lengthened by a longer cool-down and never shortened by a shorter one", async () => {
        const { store } = await harness();
        const key = freshKey();
        await store.coolDown(key, 10_000);
        await store.coolDown(key, 100);
        expect(await store.coolDownRemaining(key)).toBeGreaterThan(5_000);
        await store.coolDown(key, 60_000);
        expect(await store.coolDownRemaining(key)).toBeGreaterThan(50_000);
        await store.coolDown(key, 20_000);
        expect(await store.coolDownRemaining(key)).toBeGreaterThan(50_000);
      });

      it("is separate from the token and the lease", async () => {
        const { store } = await harness();
        const key = freshKey();
        await store.coolDown(key, 10_000);
        expect(await store.get(key)).toBeUndefined();
        const lease = await store.acquire(key, LEASE_MS * 50);
        expect(lease).toBeDefined();
        await store.set(key, full);
        await store.delete(key);
        await lease?.release();
        expect(await store.coolDownRemaining(key)).toBeGreaterThan(5_000);
      });
    });

    if (options.foreignValues) {
      describe("values the store did not write", () => {
        async function planted(entry: PlantedEntry, kind: PlantedKind): Promise<{ harness: StoreHarness; key: string }> {
          const made = await harness();
          if (!made.plant) throw new Error("foreignValues needs the harness to provide plant()");
          const key = freshKey();
          await made.plant(key, entry, kind);
          return { harness: made, key };
        }

        for (const kind of ["garbage", "wrong-type"] as const) {
          it(`reads a ${kind} token as absent and replaces it on set`, async () => {
            const { harness: { store }, key } = await planted("token", kind);
            expect(await store.get(key)).toBeUndefined();
            expect(await store.set(key, { ...full, generation: 0 })).toBe(true);
            expect(await store.get(key)).toEqual({ ...full, generation: 0 });
          });

          it(`deletes a ${kind} token`, async () => {
            const { harness: { store }, key } = await planted("token", kind);
            await store.delete(key);
            expect(await store.set(key, minimal)).toBe(true);
            expect(await store.get(key)).toEqual(minimal);
          });
        }

        it("grants the lease over a lease of the wrong type", async () => {
          const { harness: { store }, key } = await planted("lease", "wrong-type");
          const lease = await store.acquire(key, LEASE_MS * 50);
          expect(lease).toBeDefined();
          expect(await store.acquire(key, LEASE_MS)).toBeUndefined();
          expect(await lease?.renew(LEASE_MS * 50)).toBe(true);
          await lease?.release();
          expect(await store.acquire(key, LEASE_MS)).toBeDefined();
        });

        it("gives a lease left without expiry one, so it runs out", async () => {
          const { harness: { store, advance }, key } = await planted("lease", "no-expiry");
          expect(await store.acquire(key, LEASE_MS)).toBeUndefined();
          await advance(LEASE_MS * 2);
          expect(await store.acquire(key, LEASE_MS)).toBeDefined();
        });

        it("renews over a lease of the wrong type", async () => {
          const { harness: { store, advance, plant }, key } = await planted("lease", "wrong-type");
          const lease = await store.acquire(key, LEASE_MS);
          expect(lease).toBeDefined();
          await advance(LEASE_MS * 2);
          await plant?.(key, "lease", "wrong-type");
          expect(await lease?.renew(LEASE_MS * 50)).toBe(true);
          expect(await store.acquire(key, LEASE_MS)).toBeUndefined();
          await lease?.release();
        });

        it("does not renew over another holder's lease left without expiry, and gives it one", async () => {
          const { harness: { store, advance, plant }, key } = await planted("lease", "wrong-type");
          const lease = await store.acquire(key, LEASE_MS);
          expect(lease).toBeDefined();
          await advance(LEASE_MS * 2);
          await plant?.(key, "lease", "no-expiry");
          expect(await lease?.renew(LEASE_MS)).toBe(false);
          await advance(LEASE_MS * 2);
          expect(await store.acquire(key, LEASE_MS)).toBeDefined();
        });

        for (const kind of ["wrong-type", "no-expiry"] as const) {
          it(`reads a cool-down of kind ${kind} as none, and starts a real one over it`, async () => {
            const { harness: { store }, key } = await planted("coolDown", kind);
            expect(await store.coolDownRemaining(key)).toBe(0);
            await store.coolDown(key, 10_000);
            const left = await store.coolDownRemaining(key);
            expect(left).toBeGreaterThan(5_000);
            expect(left).toBeLessThanOrEqual(10_000);
          });

          it(`replaces a cool-down of kind ${kind} on coolDown without reading it first`, async () => {
            const { harness: { store }, key } = await planted("coolDown", kind);
            await store.coolDown(key, 10_000);
            expect(await store.coolDownRemaining(key)).toBeGreaterThan(5_000);
          });
        }
      });
    }
  });
}
