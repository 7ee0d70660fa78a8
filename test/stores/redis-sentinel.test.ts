// RedisTokenStore through Redis Sentinel (a master, a replica, one sentinel,
// started by this file), connecting with `{ sentinels, name }`; the last test
// kills the master and the store serves again from the promoted replica.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StoredToken } from "../../generator/runtime/store.js";
import { RedisTokenStore, RedisTokenStoreError } from "../../generator/stores/redis-store.js";
import { describeTokenStore } from "../session/store-conformance.js";
import { startRedisSentinel } from "../support/redis-topology.js";
import type { RedisSentinel } from "../support/redis-topology.js";
import { delay, redisHarness } from "./redis-harness.js";

const TIMEOUT_MS = 500;

let topology: RedisSentinel;
/** A plain client through the sentinel, for planting values. */
let admin: Redis;
const stores: RedisTokenStore[] = [];

beforeAll(async () => {
  topology = await startRedisSentinel();
  admin = new Redis({ sentinels: [...topology.sentinels], name: topology.masterName });
  admin.on("error", () => undefined);
}, 30_000);

afterAll(async () => {
  admin?.disconnect();
  await topology?.stop();
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

function viaSentinel(prefix: string): RedisTokenStore {
  const made = new RedisTokenStore({ sentinels: [...topology.sentinels], name: topology.masterName }, { prefix, commandTimeoutMs: TIMEOUT_MS });
  stores.push(made);
  return made;
}

function token(overrides: Partial<StoredToken> = {}): StoredToken {
  const now = Date.now();
  return { accessToken: "at-sentinel", refreshToken: "rt-sentinel", expiresAt: now + 3_600_000, receivedAt: now, ...overrides };
}

async function poll<T>(what: string, withinMs: number, run: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + withinMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await run();
    } catch (error) {
      lastError = error;
      await delay(100);
    }
  }
  throw new Error(`${what} did not succeed within ${withinMs} ms: ${String(lastError)}`);
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describeTokenStore(
  "RedisTokenStore (through Sentinel)",
  () => redisHarness(() => ({ sentinels: [...topology.sentinels], name: topology.masterName }), () => admin, { commandTimeoutMs: TIMEOUT_MS }),
  { foreignValues: true },
);

describe("RedisTokenStore through Sentinel", () => {
  it("writes to the master the sentinel names", async () => {
    const s = viaSentinel(`sentinel-${randomUUID()}:`);
    const key = `k-${randomUUID()}`;
    await s.set(key, token());
    const master = await topology.currentMasterNode();
    const direct = new Redis({ host: master.host, port: master.port });
    try {
      expect(await direct.exists(s.tokenKey(key))).toBe(1);
    } finally {
      direct.disconnect();
    }
  });

  it("survives a failover: fails while there is no master, serves again from the promoted replica", async () => {
    const prefix = `sentinel-${randomUUID()}:`;
    const s = viaSentinel(prefix);
    const other = viaSentinel(prefix);
    const key = `k-${randomUUID()}`;
    expect(await s.set(key, token({ accessToken: "at-before", generation: 3 }))).toBe(true);
    // Replicated before the master dies, so the promoted replica has it.
    expect(await admin.call("WAIT", "1", "2000")).toBe(1);
    const waiting = s.waitForChange(key, 30_000);
    await delay(100);

    const old = await topology.currentMasterNode();
    const promoted = topology.failover();
    while (old.running) await delay(5);
    // While the sentinel has not promoted anyone, calls fail, bounded.
    const started = performance.now();
    await expect(s.get(key)).rejects.toBeInstanceOf(RedisTokenStoreError);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 500);
    const address = await promoted;
    expect(address.port).toBe(topology.replica.port);

    expect((await poll("get after failover", 10_000, () => s.get(key)))?.accessToken).toBe("at-before");
    expect(await poll("set after failover", 10_000, () => other.set(key, token({ accessToken: "at-stale", generation: 2 })))).toBe(false);
    expect(await other.set(key, token({ accessToken: "at-after", generation: 4 }))).toBe(true);
    // The subscriber followed the failover too (it re-asks the sentinel with backoff: allow for a loaded machine).
    expect(await settlesWithin(waiting, 10_000)).toBe(true);
    expect((await s.get(key))?.accessToken).toBe("at-after");
    const lease = await s.acquire(key, 5_000);
    expect(lease).toBeDefined();
    expect(await other.acquire(key, 5_000)).toBeUndefined();
    expect(await lease?.renew(5_000)).toBe(true);
  }, 30_000);
});
