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
import { REDIS_INSTALL_HINT, keySlot, startRedis } from "../support/redis-topology.js";
import type { RedisNode } from "../support/redis-topology.js";
import { delay, redisHarness } from "./redis-harness.js";

const ACCESS = "at-Zq9!secret-access";
const REFRESH = "rt-Xy7&secret-refresh";

let server: RedisNode;
let admin: Redis;
const open: RedisTokenStore[] = [];
const clients: Redis[] = [];

beforeAll(async () => {
  server = await startRedis();
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
    await expect(startRedis({ command: "tokenwright-no-such-redis-server" })).rejects.toThrow(REDIS_INSTALL_HINT);
    expect(REDIS_INSTALL_HINT).toMatch(/install redis-server/);
  });
});

describeTokenStore("RedisTokenStore (one server)", () => redisHarness(() => server.url, () => admin), { foreignValues: true });

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

  it("stores JSON under `${prefix}{${key}}:token`; prefixes keep stores apart", async () => {
    const key = newKey();
    await store().set(key, token({ accessToken: "default-prefix" }));
    const raw = await admin.get(`tokenwright:{${key}}:token`);
    expect(JSON.parse(raw ?? "null")).toMatchObject({ accessToken: "default-prefix" });
    const other = store({ prefix: "other:" });
    expect(await other.get(key)).toBeUndefined();
    await other.set(key, token({ accessToken: "other-prefix" }));
    expect(await admin.exists(`other:{${key}}:token`)).toBe(1);
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
      JSON.stringify({ accessToken: "x", receivedAt: 1, generation: "2" }),
      JSON.stringify({ accessToken: "x", receivedAt: 1, generation: -1 }),
      JSON.stringify({ accessToken: "x", receivedAt: 1, generation: 1.5 }),
      JSON.stringify({ accessToken: "x", receivedAt: 1, generation: null }),
    ];
    for (const raw of malformed) {
      const key = newKey();
      await admin.set(`tokenwright:{${key}}:token`, raw);
      expect(await s.get(key), raw).toBeUndefined();
    }
    expect(parseStoredToken(JSON.stringify({ accessToken: "x", receivedAt: 1, extra: true }))).toEqual({ accessToken: "x", receivedAt: 1 });
    expect(parseStoredToken(JSON.stringify({ accessToken: "x", receivedAt: 1, generation: 4 }))).toEqual({ accessToken: "x", receivedAt: 1, generation: 4 });
  });
});

describe("RedisTokenStore: expiry", () => {
  it("sets a PX TTL of expiresAt - now + grace, and none without expiresAt", async () => {
    const s = store({ graceMs: 2_000, refreshTokenGraceMs: 50_000 });
    const withExpiry = newKey();
    const { refreshToken: _none, ...unrefreshable } = token({ expiresAt: Date.now() + 10_000 });
    await s.set(withExpiry, unrefreshable);
    const ttl = await admin.pttl(`tokenwright:{${withExpiry}}:token`);
    expect(ttl).toBeGreaterThan(11_000);
    expect(ttl).toBeLessThanOrEqual(12_000);

    const refreshable = newKey();
    await s.set(refreshable, token({ expiresAt: Date.now() + 10_000 }));
    const refreshableTtl = await admin.pttl(`tokenwright:{${refreshable}}:token`);
    expect(refreshableTtl).toBeGreaterThan(59_000);
    expect(refreshableTtl).toBeLessThanOrEqual(60_000);

    const noExpiry = newKey();
    const { expiresAt: _dropped, ...rest } = token();
    await s.set(noExpiry, rest);
    expect(await admin.pttl(`tokenwright:{${noExpiry}}:token`)).toBe(-1);

    // By default a token that carries a refresh token never expires from Redis: its refresh token must outlive it.
    const byDefault = store({ graceMs: 2_000 });
    const keepsRefresh = newKey();
    await byDefault.set(keepsRefresh, token({ expiresAt: Date.now() + 10_000 }));
    expect(await admin.pttl(`tokenwright:{${keepsRefresh}}:token`)).toBe(-1);
  });

  it("measures expiresAt on the clock it is given", async () => {
    const NOW = 1_700_000_000_000;
    const s = store({ now: () => NOW, graceMs: 0 });
    const key = newKey();
    const { refreshToken: _kept, ...accessOnly } = token({ receivedAt: NOW, expiresAt: NOW + 30_000 });
    await s.set(key, accessOnly);
    const ttl = await admin.pttl(`tokenwright:{${key}}:token`);
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
    const ttl = await admin.pttl(`tokenwright:{${key}}:lease`);
    expect(ttl).toBeGreaterThan(9_000);
    expect(ttl).toBeLessThanOrEqual(10_000);
    await lease?.release();
    expect(await admin.exists(`tokenwright:{${key}}:lease`)).toBe(0);
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
    const held = await admin.get(`tokenwright:{${key}}:lease`);
    await stale?.release();
    expect(await admin.get(`tokenwright:{${key}}:lease`)).toBe(held);
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
  async function wokenBy(change: (other: RedisTokenStore, key: string) => Promise<unknown>, setUp?: (other: RedisTokenStore, key: string) => Promise<unknown>): Promise<number> {
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

describe("RedisTokenStore: connections", () => {
  it("connects with { url } (and does not fall back to localhost:6379)", async () => {
    const key = newKey();
    await store().set(key, token({ accessToken: "via-url-string" }));
    const viaOptions = new RedisTokenStore({ url: server.url }, { commandTimeoutMs: 1_000 });
    open.push(viaOptions);
    expect((await viaOptions.get(key))?.accessToken).toBe("via-url-string");
    expect(viaOptions.client.options).toMatchObject({ port: server.port });
  });

  it("lets the url win over host and port, and applies the other ioredis options (db)", async () => {
    const key = newKey();
    const inDb3 = new RedisTokenStore({ url: `${server.url}/3`, host: "192.0.2.1", port: 1, connectionName: "tokenwright-test" });
    open.push(inDb3);
    await inDb3.set(key, token({ accessToken: "db-3" }));
    expect(await admin.exists(inDb3.tokenKey(key))).toBe(0);
    const db3 = client({ db: 3 });
    expect(await db3.exists(inDb3.tokenKey(key))).toBe(1);
    const clients = (await admin.call("CLIENT", "LIST")) as string;
    expect(clients).toContain("name=tokenwright-test");
  });

  it("connects with plain ioredis options", async () => {
    const key = newKey();
    const s = new RedisTokenStore({ host: "127.0.0.1", port: server.port });
    open.push(s);
    expect(await s.set(key, token({ accessToken: "via-host-port" }))).toBe(true);
    expect((await store().get(key))?.accessToken).toBe("via-host-port");
  });

  it("sets a command timeout on connections it opens, and not on clients passed in", async () => {
    const owned = store({ commandTimeoutMs: 1_234 });
    expect(owned.client.options).toMatchObject({ commandTimeout: 1_234, maxRetriesPerRequest: 1 });
    const borrowed = client();
    const s = new RedisTokenStore(borrowed, { commandTimeoutMs: 1_234 });
    open.push(s);
    expect(borrowed.options.commandTimeout).toBeUndefined();
  });

  it("refuses a command timeout that is not positive, and a prefix with an empty hash tag", () => {
    expect(() => new RedisTokenStore(client(), { commandTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => new RedisTokenStore(client(), { commandTimeoutMs: Number.NaN })).toThrow(RangeError);
    expect(() => new RedisTokenStore(client(), { prefix: "app{}:" })).toThrow(RangeError);
  });
});

describe("RedisTokenStore: cluster-safe layout", () => {
  it("puts every key and the channel of one session key in one hash slot (Redis agrees: see redis-cluster.test.ts)", () => {
    const keys = [newKey(), "", "}", "a}b", "{x}", "%", "%7D", "plain"];
    for (const prefix of ["tokenwright:", "app{", "app}", "{shared}:"]) {
      const s = store({ prefix });
      for (const key of keys) {
        const names = [s.tokenKey(key), s.leaseKey(key), s.coolDownKey(key), s.channelName(key)];
        expect(new Set(names).size, `${prefix} ${key}`).toBe(4);
        expect(new Set(names.map(keySlot)).size, `${prefix} ${JSON.stringify(key)}: ${names.join(" ")}`).toBe(1);
      }
      // Distinct session keys stay distinct Redis keys.
      expect(new Set(keys.map((key) => s.tokenKey(key))).size).toBe(keys.length);
    }
    const s = store();
    expect(s.tokenKey("k")).toBe("tokenwright:{k}:token");
    expect(s.leaseKey("k")).toBe("tokenwright:{k}:lease");
    expect(s.coolDownKey("k")).toBe("tokenwright:{k}:cooldown");
    expect(s.channelName("k")).toBe("tokenwright:{k}:changed");
  });

  it("works for session keys with braces, percent signs, or none at all", async () => {
    const s = store();
    for (const key of ["", "}", "a}b", "{x}", "%", "%7D"]) {
      expect(await s.set(key, token({ accessToken: `at-${key}` }))).toBe(true);
    }
    for (const key of ["", "}", "a}b", "{x}", "%", "%7D"]) {
      expect((await s.get(key))?.accessToken).toBe(`at-${key}`);
      await s.delete(key);
    }
  });
});

describe("RedisTokenStore: generations in Redis", () => {
  it("keeps a stored token of a higher generation, written by anyone", async () => {
    const s = store();
    const key = newKey();
    await admin.set(s.tokenKey(key), JSON.stringify({ accessToken: "at-planted", receivedAt: 1, generation: 7 }));
    expect(await s.set(key, token({ generation: 6 }))).toBe(false);
    expect(await s.get(key)).toEqual({ accessToken: "at-planted", receivedAt: 1, generation: 7 });
    expect(await s.set(key, token({ accessToken: "at-7", generation: 7 }))).toBe(true);
    expect((await s.get(key))?.accessToken).toBe("at-7");
  });

  it("replaces what only Redis's JSON decoder would take for a newer token", async () => {
    const s = store();
    // cjson decodes NaN, hex numbers and Infinity; JSON.parse refuses them, so none of these is a token.
    for (const raw of [
      '{"accessToken":"x","receivedAt":1,"generation":9,"extra":NaN}',
      '{"accessToken":"x","receivedAt":1,"generation":0x10}',
      '{"accessToken":"x","receivedAt":1,"generation":9,"expiresAt":Infinity}',
    ]) {
      const key = newKey();
      await admin.set(s.tokenKey(key), raw);
      expect(await s.get(key), raw).toBeUndefined();
      expect(await s.set(key, token({ accessToken: "at-over-garbage", generation: 1 })), raw).toBe(true);
      expect((await s.get(key))?.accessToken).toBe("at-over-garbage");
    }
  });

  it("keeps a newer token that Redis's JSON decoder cannot read (a lone surrogate)", async () => {
    const s = store();
    const key = newKey();
    const raw = '{"accessToken":"at-\\ud800","receivedAt":1,"generation":4}';
    expect(parseStoredToken(raw)).toMatchObject({ generation: 4 });
    await admin.set(s.tokenKey(key), raw);
    expect(await s.set(key, token({ generation: 3 }))).toBe(false);
    expect(await admin.get(s.tokenKey(key))).toBe(raw);
    expect(await s.set(key, token({ accessToken: "at-5", generation: 5 }))).toBe(true);
  });

  it("replaces a hash or a list under the token key, keeping the TTL rules", async () => {
    const s = store({ graceMs: 1_000 });
    for (const plantWrong of [(name: string) => admin.hset(name, "f", "v"), (name: string) => admin.rpush(name, "a")]) {
      const key = newKey();
      await plantWrong(s.tokenKey(key));
      expect(await s.get(key)).toBeUndefined();
      const { refreshToken: _none, ...accessOnly } = token({ expiresAt: Date.now() + 5_000 });
      expect(await s.set(key, accessOnly)).toBe(true);
      expect(await admin.type(s.tokenKey(key))).toBe("string");
      const ttl = await admin.pttl(s.tokenKey(key));
      expect(ttl).toBeGreaterThan(5_000);
      expect(ttl).toBeLessThanOrEqual(6_000);
    }
  });

  it("refuses a generation that is not a non-negative integer", async () => {
    const s = store();
    for (const generation of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(s.set(newKey(), token({ generation }))).rejects.toThrow(RangeError);
    }
  });
});

describe("RedisTokenStore: lease and cool-down keys in Redis", () => {
  it("gives a lease key without expiry the lease time on acquire, and on another holder's renew", async () => {
    const s = store();
    const key = newKey();
    await admin.set(s.leaseKey(key), "left-by-an-old-version");
    expect(await s.acquire(key, 5_000)).toBeUndefined();
    const ttl = await admin.pttl(s.leaseKey(key));
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);

    const other = newKey();
    const lease = await s.acquire(other, 100);
    await delay(200);
    await admin.set(s.leaseKey(other), "someone-else");
    expect(await lease?.renew(3_000)).toBe(false);
    expect(await admin.get(s.leaseKey(other))).toBe("someone-else");
    expect(await admin.pttl(s.leaseKey(other))).toBeGreaterThan(2_000);
  });

  it("renews with PEXPIRE, re-takes with SET PX, and does nothing once released", async () => {
    const s = store();
    const key = newKey();
    const lease = await s.acquire(key, 1_000);
    const id = await admin.get(s.leaseKey(key));
    expect(await lease?.renew(9_000)).toBe(true);
    expect(await admin.get(s.leaseKey(key))).toBe(id);
    expect(await admin.pttl(s.leaseKey(key))).toBeGreaterThan(8_000);
    await admin.del(s.leaseKey(key)); // as a restarted Redis would have it
    expect(await lease?.renew(4_000)).toBe(true);
    expect(await admin.get(s.leaseKey(key))).toBe(id);
    const ttl = await admin.pttl(s.leaseKey(key));
    expect(ttl).toBeGreaterThan(3_000);
    expect(ttl).toBeLessThanOrEqual(4_000);
    await lease?.release();
    expect(await lease?.renew(4_000)).toBe(false);
    expect(await admin.exists(s.leaseKey(key))).toBe(0);
    await expect(lease?.renew(0)).rejects.toThrow(RangeError);
  });

  it("keeps a cool-down as a key with a PX expiry, measured by Redis", async () => {
    const s = store();
    const key = newKey();
    await s.coolDown(key, 3_000);
    const ttl = await admin.pttl(s.coolDownKey(key));
    expect(ttl).toBeGreaterThan(2_000);
    expect(ttl).toBeLessThanOrEqual(3_000);
    expect(Math.abs((await s.coolDownRemaining(key)) - ttl)).toBeLessThan(500);
    await s.coolDown(key, 0);
    expect(await admin.pttl(s.coolDownKey(key))).toBeGreaterThan(2_000);
    await expect(s.coolDown(key, -1)).rejects.toThrow(RangeError);
    await expect(s.coolDown(key, Number.NaN)).rejects.toThrow(RangeError);
    expect(await s.coolDownRemaining(newKey())).toBe(0);
    expect(await admin.exists(s.coolDownKey(newKey()))).toBe(0);
  });

  it("drops a cool-down key of the wrong type or without expiry when reading it", async () => {
    const s = store();
    const [hash, forever] = [newKey(), newKey()];
    await admin.hset(s.coolDownKey(hash), "f", "v");
    await admin.pexpire(s.coolDownKey(hash), 60_000);
    await admin.set(s.coolDownKey(forever), "1");
    expect(await s.coolDownRemaining(hash)).toBe(0);
    expect(await s.coolDownRemaining(forever)).toBe(0);
    expect(await admin.exists(s.coolDownKey(hash), s.coolDownKey(forever))).toBe(0);
  });
});

describe("RedisTokenStore: notifications", () => {
  it("publishes on the key's channel only for writes that happened", async () => {
    const s = store();
    const key = newKey();
    const listener = client();
    const heard: string[] = [];
    listener.on("message", (_channel: string, message: string) => heard.push(message));
    await listener.subscribe(s.channelName(key));
    expect(await s.set(key, token({ generation: 2 }))).toBe(true);
    expect(await s.set(key, token({ generation: 1 }))).toBe(false);
    await s.delete(key);
    const lease = await s.acquire(key, 5_000);
    expect(await lease?.renew(5_000)).toBe(true);
    await s.coolDown(key, 5_000);
    await lease?.release();
    await delay(100);
    expect(heard).toEqual(["set", "delete", "release"]);
  });
});
