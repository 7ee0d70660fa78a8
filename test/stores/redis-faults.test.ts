// RedisTokenStore when Redis misbehaves: frozen (SIGSTOP), killed and
// restarted, or behind a stalled or cut network path. Every method stays
// bounded by commandTimeoutMs, and the store serves again by itself.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StoredToken, TokenLease } from "../../generator/runtime/store.js";
import { RedisTokenStore, RedisTokenStoreError } from "../../generator/stores/redis-store.js";
import type { RedisClient, RedisConnection } from "../../generator/stores/redis-store.js";
import { startRedis } from "../support/redis-topology.js";
import type { RedisNode } from "../support/redis-topology.js";
import { startTcpProxy } from "../support/tcp-proxy.js";
import type { TcpProxy } from "../support/tcp-proxy.js";
import { delay } from "./redis-harness.js";

const TIMEOUT_MS = 300;
/** Timers, event-loop turns and a loaded CI machine. */
const SLACK_MS = 300;
const ACCESS = "at-fault-Qw8!secret";
const REFRESH = "rt-fault-Zx3&secret";

let server: RedisNode;
/** Shared by the stores of one test, as by the processes of one application. */
let prefix = "";
const stores: RedisTokenStore[] = [];
const clients: Redis[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  server = await startRedis();
}, 20_000);

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  prefix = `faults-${randomUUID()}:`;
});

afterEach(async () => {
  server.thaw();
  if (!server.running) await server.restart();
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const client of clients.splice(0)) client.disconnect();
});

function token(overrides: Partial<StoredToken> = {}): StoredToken {
  const now = Date.now();
  return { accessToken: ACCESS, refreshToken: REFRESH, expiresAt: now + 3_600_000, receivedAt: now, ...overrides };
}

function store(connection: RedisClient | RedisConnection): RedisTokenStore {
  const made = new RedisTokenStore(connection, { commandTimeoutMs: TIMEOUT_MS, prefix });
  stores.push(made);
  return made;
}

/** A client as an application might pass one in: ioredis defaults, no command timeout. */
function borrowed(port: number): Redis {
  const made = new Redis({ host: "127.0.0.1", port });
  made.on("error", () => undefined);
  clients.push(made);
  return made;
}

async function poll<T>(what: string, withinMs: number, run: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + withinMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await run();
    } catch (error) {
      lastError = error;
      await delay(50);
    }
  }
  throw new Error(`${what} did not succeed within ${withinMs} ms: ${String(lastError)}`);
}

interface Outcome {
  readonly method: string;
  readonly ms: number;
  readonly error: unknown;
}

/** Calls every store method at once (`lease` for renew/release) and reports how each one ended. */
async function callEveryMethod(s: RedisTokenStore, key: string, lease: TokenLease): Promise<Outcome[]> {
  const calls: Record<string, () => Promise<unknown>> = {
    get: () => s.get(key),
    set: () => s.set(key, token({ generation: 2 })),
    delete: () => s.delete(key),
    acquire: () => s.acquire(`${key}-other`, 5_000),
    renew: () => lease.renew(5_000),
    release: () => lease.release(),
    coolDown: () => s.coolDown(key, 5_000),
    coolDownRemaining: () => s.coolDownRemaining(key),
  };
  return Promise.all(
    Object.entries(calls).map(async ([method, call]) => {
      const started = performance.now();
      let error: unknown;
      try {
        await call();
      } catch (caught) {
        error = caught;
      }
      return { method, ms: performance.now() - started, error };
    }),
  );
}

function expectAllBounded(outcomes: readonly Outcome[]): void {
  for (const { method, ms, error } of outcomes) {
    expect(error, `${method} did not fail`).toBeInstanceOf(RedisTokenStoreError);
    expect(ms, `${method} took ${Math.round(ms)} ms`).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    const text = `${String(error)} ${JSON.stringify(error)}`;
    expect(text).not.toContain(ACCESS);
    expect(text).not.toContain(REFRESH);
  }
}

/**
 * The store answers again (within a few seconds) and every method works.
 * Commands that timed out may still run once the server answers, so this
 * uses keys of its own.
 */
async function expectServing(s: RedisTokenStore): Promise<void> {
  const key = `k-${randomUUID()}`;
  expect(await poll("set once serving again", 3_000, () => s.set(key, token({ accessToken: "at-again" })))).toBe(true);
  expect((await s.get(key))?.accessToken).toBe("at-again");
  const lease = await s.acquire(key, 5_000);
  expect(lease).toBeDefined();
  expect(await lease?.renew(5_000)).toBe(true);
  await lease?.release();
  await s.coolDown(key, 5_000);
  expect(await s.coolDownRemaining(key)).toBeGreaterThan(0);
  await s.delete(key);
  expect(await s.get(key)).toBeUndefined();
}

/** A store with a token and a held lease under `key`, ready to be cut off. */
async function warmStore(connection: RedisClient | RedisConnection): Promise<{ s: RedisTokenStore; key: string; lease: TokenLease }> {
  const s = store(connection);
  const key = `k-${randomUUID()}`;
  expect(await s.set(key, token({ generation: 1 }))).toBe(true);
  const lease = await s.acquire(key, 10_000);
  if (!lease) throw new Error("no lease");
  return { s, key, lease };
}

describe("RedisTokenStore: a frozen server (SIGSTOP)", () => {
  for (const [kind, connect] of [
    ["its own connection", () => server.url],
    ["a client passed in without a command timeout", () => borrowed(server.port)],
  ] as const) {
    it(`bounds every method on ${kind}, typed, and serves again once thawed`, async () => {
      const { s, key } = await warmStore(connect());
      const lease = await s.acquire(`${key}-held`, 10_000);
      if (!lease) throw new Error("no lease");
      server.freeze();
      expectAllBounded(await callEveryMethod(s, key, lease));
      // waitForChange never rejects: it ends at its timeout.
      const started = performance.now();
      await s.waitForChange(key, 100);
      expect(performance.now() - started).toBeLessThan(100 + SLACK_MS);
      server.thaw();
      await expectServing(s);
    });
  }

  it("closes within a bound while the server is frozen", async () => {
    const s = new RedisTokenStore(server.url, { commandTimeoutMs: TIMEOUT_MS });
    await s.get("warm-up");
    void s.waitForChange("frozen-close", 60_000);
    await delay(50);
    server.freeze();
    const started = performance.now();
    await s.close();
    expect(performance.now() - started).toBeLessThan(1_000 + SLACK_MS);
  });
});

describe("RedisTokenStore: a server killed and restarted", () => {
  it("fails fast while the server is down, then serves again by itself (data lost), waking waiters again", async () => {
    const { s, key } = await warmStore(server.url);
    const other = store(server.url);
    await server.kill();
    const started = performance.now();
    await expect(s.get(key)).rejects.toBeInstanceOf(RedisTokenStoreError);
    await expect(s.set(key, token())).rejects.toBeInstanceOf(RedisTokenStoreError);
    expect(performance.now() - started).toBeLessThan(2 * (TIMEOUT_MS + SLACK_MS));
    await server.restart();
    // Without persistence the restart lost the token; the store just reads that.
    expect(await poll("get after restart", 5_000, () => s.get(key))).toBeUndefined();
    expect(await poll("other store after restart", 5_000, () => other.get(key))).toBeUndefined();
    // The lease is gone too: another process takes it.
    expect(await other.acquire(key, 5_000)).toBeDefined();
    // The subscriber reconnected: a write elsewhere wakes a waiter again.
    const waiting = s.waitForChange(key, 5_000);
    await delay(150);
    const woke = performance.now();
    await other.set(key, token());
    await waiting;
    expect(performance.now() - woke).toBeLessThan(2_000);
  }, 20_000);

  it("fails fast, well before the command timeout, when no server listens; connects once one does", async () => {
    await server.kill();
    const s = new RedisTokenStore(server.url, { prefix }); // default commandTimeoutMs: 2000
    stores.push(s);
    const started = performance.now();
    const failure = await s.get("k").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RedisTokenStoreError);
    expect(String(failure)).not.toMatch(/timed out/);
    expect(performance.now() - started).toBeLessThan(1_000);
    await server.restart();
    expect(await poll("set once the server is up", 3_000, () => s.set("k", token()))).toBe(true);
  });

  it("queues the first commands of a new store until it has connected (no offline-queue failure at startup)", async () => {
    const s = new RedisTokenStore(server.url, { prefix, commandTimeoutMs: TIMEOUT_MS });
    stores.push(s);
    expect(s.client.status).not.toBe("ready");
    const results = await Promise.all([s.set("k", token()), s.get("k"), s.coolDownRemaining("k")]);
    expect(results[0]).toBe(true);
    expect(results[1]?.accessToken).toBe(ACCESS);
  });

  it("keeps tokens over a restart with AOF persistence, and still refuses an older generation", async () => {
    const durable = await startRedis({ persistence: "aof" });
    try {
      const s = store(durable.url);
      const key = `k-${randomUUID()}`;
      expect(await s.set(key, token({ accessToken: "at-durable", generation: 4 }))).toBe(true);
      await durable.kill();
      await durable.restart();
      expect((await poll("get after restart", 5_000, () => s.get(key)))?.accessToken).toBe("at-durable");
      expect(await s.set(key, token({ generation: 3 }))).toBe(false);
    } finally {
      await durable.stop();
    }
  }, 20_000);
});

describe("RedisTokenStore: a stalled or cut network path (TCP proxy)", () => {
  for (const [kind, connect] of [
    ["its own connection", (proxy: TcpProxy) => proxy.url],
    ["a client passed in without a command timeout", (proxy: TcpProxy) => borrowed(proxy.port)],
  ] as const) {
    it(`bounds every method on ${kind} while paused, serves again on resume and after a cut`, async () => {
      const proxy = await startTcpProxy({ port: server.port });
      proxies.push(proxy);
      const { s, key } = await warmStore(connect(proxy));
      const lease = await s.acquire(`${key}-held`, 10_000);
      if (!lease) throw new Error("no lease");
      proxy.pause();
      expectAllBounded(await callEveryMethod(s, key, lease));
      proxy.resume();
      await expectServing(s);
      proxy.cut();
      await expectServing(s);
      expect(proxy.connections).toBeGreaterThan(0);
    });
  }
});
