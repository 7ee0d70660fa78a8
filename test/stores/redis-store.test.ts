// RedisTokenStore against a real redis-server started by this file.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { Redis } from "ioredis";
import type { RedisOptions } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StoredToken } from "../../generator/runtime/store.js";
import { RedisTokenStore, RedisTokenStoreError, parseStoredToken } from "../../generator/stores/redis-store.js";
import type { RedisTokenStoreOptions } from "../../generator/stores/redis-store.js";
import { describeTokenStore } from "../session/store-conformance.js";
import { INSTALL_HINT, startRedisServer } from "./redis-server.js";
import type { RedisServer } from "./redis-server.js";

const ACCESS = "at-Zq9!secret-access";
const REFRESH = "rt-Xy7&secret-refresh";

let server: RedisServer;
let admin: Redis;
const open: RedisTokenStore[] = [];
const clients: Redis[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
}, 20_000);

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  for (const client of clients.splice(0)) client.disconnect();
});

function store(options: RedisTokenStoreOptions = {}): RedisTokenStore {
  const made = new RedisTokenStore(server.url, options);
  open.push(made);
  return made;
}

function client(options: RedisOptions = {}): Redis {
  const made = new Redis({ host: "127.0.0.1", port: server.port, ...options });
  clients.push(made);
  return made;
}

function token(overrides: Partial<StoredToken> = {}): StoredToken {
  const now = Date.now();
  return { accessToken: ACCESS, tokenType: "Bearer", expiresAt: now + 3_600_000, refreshToken: REFRESH, scope: "read", receivedAt: now, ...overrides };
}

function newKey(): string {
  return `k-${randomUUID()}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function clientCount(): Promise<number> {
  const list = (await admin.call("CLIENT", "LIST")) as string;
  return list.split("\n").filter((line) => line.trim() !== "").length;
}

describe("the test redis-server", () => {
  it("fails with an install hint, not a skip, when redis-server is missing", async () => {
    await expect(startRedisServer("tokenwright-no-such-redis-server")).rejects.toThrow(INSTALL_HINT);
    expect(INSTALL_HINT).toMatch(/install redis-server/);
  });
});

// The shared suite's tokens expire in 2023 on a fixed clock: give the store
// that clock, as a session with such a clock would. Its leases run on Redis's
// own clock, so `advance` really waits.
describeTokenStore("RedisTokenStore", () => {
  const made = new RedisTokenStore(server.url, { prefix: `conformance-${randomUUID()}:`, now: () => 1_700_000_000_000 });
  return { store: made, advance: delay, cleanup: () => made.close() };
});

describe("RedisTokenStore: get, set, delete", () => {
  it("returns undefined for a key never set", async () => {
    expect(await store().get(newKey())).toBeUndefined();
  });

  it("round-trips a token, with and without its optional fields", async () => {
    const s = store();
    const key = newKey();
    const full = token();
    await s.set(key, full);
    expect(await s.get(key)).toEqual(full);
    const minimal: StoredToken = { accessToken: "only", receivedAt: 123 };
    await s.set(key, minimal);
    const read = await s.get(key);
    expect(read).toEqual(minimal);
    expect(Object.keys(read ?? {}).sort()).toEqual(["accessToken", "receivedAt"]);
  });

  it("is shared between store instances on different connections", async () => {
    const key = newKey();
    await store().set(key, token({ accessToken: "shared" }));
    expect((await store().get(key))?.accessToken).toBe("shared");
  });

  it("overwrites and deletes; deleting a missing key is fine", async () => {
    const s = store();
    const key = newKey();
    await s.set(key, token({ accessToken: "one" }));
    await s.set(key, token({ accessToken: "two" }));
    expect((await s.get(key))?.accessToken).toBe("two");
    await s.delete(key);
    expect(await s.get(key)).toBeUndefined();
    await s.delete(key);
    expect(await s.get(key)).toBeUndefined();
  });

  it("stores JSON under `${prefix}token:${key}`; prefixes keep stores apart", async () => {
    const key = newKey();
    await store().set(key, token({ accessToken: "default-prefix" }));
    const raw = await admin.get(`tokenwright:token:${key}`);
    expect(JSON.parse(raw ?? "null")).toMatchObject({ accessToken: "default-prefix" });
    const other = store({ prefix: "other:" });
    expect(await other.get(key)).toBeUndefined();
    await other.set(key, token({ accessToken: "other-prefix" }));
    expect(await admin.exists(`other:token:${key}`)).toBe(1);
    expect((await store().get(key))?.accessToken).toBe("default-prefix");
  });

  it("treats a malformed stored value as absent", async () => {
    const s = store();
    const malformed = [
      "not json",
      "{",
      "null",
      "[]",
      '"text"',
      "42",
      "{}",
      JSON.stringify({ accessToken: 5, receivedAt: 1 }),
      JSON.stringify({ accessToken: "", receivedAt: 1 }),
      JSON.stringify({ accessToken: "x" }),
      JSON.stringify({ accessToken: "x", receivedAt: "1" }),
      JSON.stringify({ accessToken: "x", receivedAt: 1, expiresAt: "soon" }),
      JSON.stringify({ accessToken: "x", receivedAt: 1, refreshToken: 7 }),
      JSON.stringify({ accessToken: "x", receivedAt: 1, tokenType: null }),
      JSON.stringify({ accessToken: "x", receivedAt: 1, scope: ["a"] }),
    ];
    for (const raw of malformed) {
      const key = newKey();
      await admin.set(`tokenwright:token:${key}`, raw);
      expect(await s.get(key), raw).toBeUndefined();
    }
    expect(parseStoredToken(JSON.stringify({ accessToken: "x", receivedAt: 1, extra: true }))).toEqual({ accessToken: "x", receivedAt: 1 });
  });
});

describe("RedisTokenStore: expiry", () => {
  it("sets a PX TTL of expiresAt - now + grace, and none without expiresAt", async () => {
    const s = store({ graceMs: 2_000, refreshTokenGraceMs: 50_000 });
    const withExpiry = newKey();
    const { refreshToken: _none, ...unrefreshable } = token({ expiresAt: Date.now() + 10_000 });
    await s.set(withExpiry, unrefreshable);
    const ttl = await admin.pttl(`tokenwright:token:${withExpiry}`);
    expect(ttl).toBeGreaterThan(11_000);
    expect(ttl).toBeLessThanOrEqual(12_000);

    const refreshable = newKey();
    await s.set(refreshable, token({ expiresAt: Date.now() + 10_000 }));
    const refreshableTtl = await admin.pttl(`tokenwright:token:${refreshable}`);
    expect(refreshableTtl).toBeGreaterThan(59_000);
    expect(refreshableTtl).toBeLessThanOrEqual(60_000);

    const noExpiry = newKey();
    const { expiresAt: _dropped, ...rest } = token();
    await s.set(noExpiry, rest);
    expect(await admin.pttl(`tokenwright:token:${noExpiry}`)).toBe(-1);

    // By default a token that carries a refresh token never expires from Redis: its refresh token must outlive it.
    const byDefault = store({ graceMs: 2_000 });
    const keepsRefresh = newKey();
    await byDefault.set(keepsRefresh, token({ expiresAt: Date.now() + 10_000 }));
    expect(await admin.pttl(`tokenwright:token:${keepsRefresh}`)).toBe(-1);
  });

  it("measures expiresAt on the clock it is given", async () => {
    const NOW = 1_700_000_000_000;
    const s = store({ now: () => NOW, graceMs: 0 });
    const key = newKey();
    const { refreshToken: _kept, ...accessOnly } = token({ receivedAt: NOW, expiresAt: NOW + 30_000 });
    await s.set(key, accessOnly);
    const ttl = await admin.pttl(`tokenwright:token:${key}`);
    expect(ttl).toBeGreaterThan(29_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it("lets Redis drop the token once it is past its grace", async () => {
    const s = store({ graceMs: 50 });
    const key = newKey();
    const { refreshToken: _kept, ...accessOnly } = token({ expiresAt: Date.now() + 50 });
    await s.set(key, accessOnly);
    expect(await s.get(key)).toBeDefined();
    await delay(250);
    expect(await s.get(key)).toBeUndefined();
  });
});

describe("RedisTokenStore: leases", () => {
  it("is exclusive between two store instances on two connections until released", async () => {
    const a = store();
    const b = store();
    const key = newKey();
    const lease = await a.acquire(key, 10_000);
    expect(lease).toBeDefined();
    expect(await b.acquire(key, 10_000)).toBeUndefined();
    expect(await a.acquire(key, 10_000)).toBeUndefined();
    const ttl = await admin.pttl(`tokenwright:lease:${key}`);
    expect(ttl).toBeGreaterThan(9_000);
    expect(ttl).toBeLessThanOrEqual(10_000);
    await lease?.release();
    expect(await admin.exists(`tokenwright:lease:${key}`)).toBe(0);
    const next = await b.acquire(key, 10_000);
    expect(next).toBeDefined();
    await next?.release();
  });

  it("grants exactly one of many concurrent acquires", async () => {
    const a = store();
    const b = store();
    const key = newKey();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).acquire(key, 10_000)));
    expect(results.filter((lease) => lease !== undefined)).toHaveLength(1);
  });

  it("expires a lease whose holder never releases it", async () => {
    const a = store();
    const b = store();
    const key = newKey();
    expect(await a.acquire(key, 200)).toBeDefined();
    expect(await b.acquire(key, 200)).toBeUndefined();
    await delay(300);
    expect(await b.acquire(key, 200)).toBeDefined();
  });

  it("lets only the holder release: a late release leaves the next holder's lease alone", async () => {
    const a = store();
    const b = store();
    const c = store();
    const key = newKey();
    const stale = await a.acquire(key, 150);
    await delay(250);
    const current = await b.acquire(key, 10_000);
    expect(current).toBeDefined();
    const held = await admin.get(`tokenwright:lease:${key}`);
    await stale?.release();
    expect(await admin.get(`tokenwright:lease:${key}`)).toBe(held);
    expect(await c.acquire(key, 10_000)).toBeUndefined();
    await current?.release();
    await current?.release();
    expect(await c.acquire(key, 10_000)).toBeDefined();
  });

  it("rejects a lease time that is not a positive number", async () => {
    const s = store();
    await expect(s.acquire(newKey(), 0)).rejects.toThrow(RangeError);
    await expect(s.acquire(newKey(), Number.NaN)).rejects.toThrow(RangeError);
  });
});

describe("RedisTokenStore: waitForChange", () => {
  async function wokenBy(change: (other: RedisTokenStore, key: string) => Promise<void>, setUp?: (other: RedisTokenStore, key: string) => Promise<void>): Promise<number> {
    const waiter = store();
    const other = store();
    const key = newKey();
    await setUp?.(other, key);
    const started = Date.now();
    const waiting = waiter.waitForChange(key, 10_000);
    // Not before the change.
    expect(await settlesWithin(waiting, 150)).toBe(false);
    await change(other, key);
    expect(await settlesWithin(waiting, 2_000)).toBe(true);
    return Date.now() - started;
  }

  it("wakes on a set from another store instance", async () => {
    expect(await wokenBy((other, key) => other.set(key, token()))).toBeLessThan(2_500);
  });

  it("wakes on a delete from another store instance", async () => {
    await wokenBy(
      (other, key) => other.delete(key),
      (other, key) => other.set(key, token()),
    );
  });

  it("wakes on a lease release from another store instance", async () => {
    let lease: Awaited<ReturnType<RedisTokenStore["acquire"]>>;
    await wokenBy(
      async () => lease?.release(),
      async (other, key) => {
        lease = await other.acquire(key, 60_000);
        expect(lease).toBeDefined();
      },
    );
  });

  it("times out when nothing changes, and ignores other keys", async () => {
    const s = store();
    const other = store();
    const key = newKey();
    const started = Date.now();
    const waiting = s.waitForChange(key, 300);
    await delay(50);
    await other.set(newKey(), token());
    await waiting;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
  });

  it("wakes every waiter of a key, over one shared subscriber connection", async () => {
    const s = store();
    await s.get(newKey()); // connects the command connection
    const before = await clientCount();
    const key = newKey();
    const waiters = Array.from({ length: 5 }, () => s.waitForChange(key, 10_000));
    const elsewhere = [s.waitForChange(newKey(), 200), s.waitForChange(newKey(), 200)];
    await delay(100);
    expect(await clientCount()).toBe(before + 1);
    await store().set(key, token());
    expect(await settlesWithin(Promise.all(waiters), 2_000)).toBe(true);
    await Promise.all(elsewhere);
  });

  it("does not lose a change published while it was still subscribing", async () => {
    // The subscriber's SUBSCRIBE reaches Redis 400 ms late, so the set below is
    // published to no one; only the re-check after subscribing can see it.
    class SlowSubscribe extends Redis {
      override duplicate(override?: Partial<RedisOptions>): Redis {
        const copy = super.duplicate(override);
        const subscribe = copy.subscribe.bind(copy) as (...channels: string[]) => Promise<unknown>;
        Object.assign(copy, {
          subscribe: async (...channels: string[]) => {
            await delay(400);
            return subscribe(...channels);
          },
        });
        clients.push(copy);
        return copy;
      }
    }
    const slow = new SlowSubscribe(server.url);
    clients.push(slow);
    const waiter = new RedisTokenStore(slow);
    open.push(waiter);
    const key = newKey();
    const waiting = waiter.waitForChange(key, 10_000);
    await delay(100);
    await store().set(key, token());
    expect(await settlesWithin(waiting, 2_000)).toBe(true);
  });

  it("wakes when a lease left by a dead holder runs out", async () => {
    const key = newKey();
    expect(await store().acquire(key, 300)).toBeDefined(); // never released
    const started = Date.now();
    await expect(settlesWithin(store().waitForChange(key, 10_000), 2_000)).resolves.toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("resolves at once for a timeout of 0 or less", async () => {
    const s = store();
    expect(await settlesWithin(s.waitForChange(newKey(), 0), 500)).toBe(true);
    expect(await settlesWithin(s.waitForChange(newKey(), -5), 500)).toBe(true);
  });
});

describe("RedisTokenStore: close and errors", () => {
  it("ends pending waits, quits a connection it opened and refuses later calls", async () => {
    const s = new RedisTokenStore(server.url);
    const key = newKey();
    await s.set(key, token());
    const waiting = s.waitForChange(key, 60_000);
    await delay(50);
    await s.close();
    expect(await settlesWithin(waiting, 100)).toBe(true);
    expect(s.client.status).toBe("end");
    await expect(s.get(key)).rejects.toThrow(RedisTokenStoreError);
    await expect(s.set(key, token())).rejects.toThrow(/closed/);
    expect(await settlesWithin(s.waitForChange(key, 60_000), 100)).toBe(true);
    await s.close();
  });

  it("does not quit a client passed in, but drops its own subscriber", async () => {
    const borrowed = client();
    await borrowed.ping();
    const before = await clientCount();
    const s = new RedisTokenStore(borrowed, { prefix: "borrowed:" });
    const key = newKey();
    const waiting = s.waitForChange(key, 60_000);
    await delay(100);
    expect(await clientCount()).toBe(before + 1);
    await s.close();
    await waiting;
    expect(await borrowed.ping()).toBe("PONG");
    expect(borrowed.status).toBe("ready");
    await delay(50);
    expect(await clientCount()).toBe(before);
  });

  it("leaves no timer or socket that keeps the process alive after close()", async () => {
    const script = fileURLToPath(new URL("./fixtures/close-child.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      env: { ...process.env, REDIS_URL: server.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const timer = setTimeout(() => child.kill("SIGKILL"), 8_000);
    const code = await exited;
    clearTimeout(timer);
    expect(output).toContain("closed");
    expect(code, `child did not exit by itself after close():\n${output}`).toBe(0);
  }, 12_000);

  it("keeps tokens out of errors", async () => {
    const s = store();
    await s.get(newKey());
    await admin.config("SET", "maxmemory", "1");
    let caught: unknown;
    try {
      await s.set(newKey(), token());
    } catch (error) {
      caught = error;
    } finally {
      await admin.config("SET", "maxmemory", "0");
    }
    expect(caught).toBeInstanceOf(RedisTokenStoreError);
    const text = `${String(caught)} ${inspect(caught, { depth: 10, showHidden: true })} ${JSON.stringify(caught)}`;
    expect(text).toMatch(/redis SET failed/);
    expect(text).not.toContain(ACCESS);
    expect(text).not.toContain(REFRESH);
  });
});
