import { describe, expect, it } from "vitest";
import { TokenResponseError } from "../../generator/runtime/errors.js";
import { createSession } from "../../generator/runtime/session.js";
import { MemoryTokenStore } from "../../generator/runtime/store.js";
import type { StoredToken, TokenLease, TokenStore } from "../../generator/runtime/store.js";
import { NOW, RecordingStore, delay, makeGrant, testClock, tokenBody, useServers, useUnhandledRejectionTrap } from "./helpers.js";

const start = useServers();
useUnhandledRejectionTrap();

/** A token server answering after `ms`, the n-th request with at-n. */
async function slowIssuer(ms = 20) {
  let n = 0;
  return start(async () => {
    n += 1;
    const body = tokenBody(n);
    await delay(ms);
    return { status: 200, body };
  });
}

describe("single flight", () => {
  it("makes one request for 10,000 concurrent callers on a cold cache", async () => {
    const server = await slowIssuer();
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { store: new MemoryTokenStore() });
    const tokens = await Promise.all(Array.from({ length: 10_000 }, () => session.getAccessToken()));
    expect(server.requests).toHaveLength(1);
    expect(new Set(tokens)).toEqual(new Set(["at-1"]));
  });

  it("makes one refresh for concurrent callers on an expired token", async () => {
    const server = await slowIssuer();
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: server.url, clock }));
    await session.getAccessToken();
    clock.advance(3_600_000);
    const results = await Promise.all(Array.from({ length: 500 }, () => session.getToken()));
    expect(server.requests).toHaveLength(2);
    expect(new Set(results.map((r) => (r.ok ? r.token.accessToken : "failed")))).toEqual(new Set(["at-2"]));
  });

  it("gives every waiter the typed error, does not cache it, and succeeds on the next call", async () => {
    let n = 0;
    const server = await start(async () => {
      n += 1;
      await delay(10);
      return n === 1 ? { status: 400, body: { error: "invalid_client" } } : { status: 200, body: tokenBody(n) };
    });
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }));
    const access = Array.from({ length: 50 }, () => session.getAccessToken().then(() => undefined, (error: unknown) => error));
    const results = Array.from({ length: 50 }, () => session.getToken());
    const errors = await Promise.all(access);
    expect(server.requests).toHaveLength(1);
    for (const error of errors) {
      expect(error).toBeInstanceOf(TokenResponseError);
      expect(error).toMatchObject({ kind: "response", status: 400, body: { error: "invalid_client" } });
    }
    for (const result of await Promise.all(results)) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toBe(errors[0]);
    }
    expect(await session.getAccessToken()).toBe("at-2");
    expect(server.requests).toHaveLength(2);
  });
});

describe("a store shared between processes", () => {
  it("makes one request across sessions sharing the store (the lease)", async () => {
    const server = await slowIssuer(30);
    const clock = testClock();
    const store = new MemoryTokenStore(clock.now);
    const sessions = Array.from({ length: 4 }, () => createSession(makeGrant({ baseUrl: server.url, clock }), { store }));
    const tokens = await Promise.all(sessions.flatMap((session) => Array.from({ length: 25 }, () => session.getAccessToken())));
    expect(server.requests).toHaveLength(1);
    expect(new Set(tokens)).toEqual(new Set(["at-1"]));
    // And one refresh when it expires.
    clock.advance(3_600_000);
    const refreshed = await Promise.all(sessions.map((session) => session.getAccessToken()));
    expect(new Set(refreshed)).toEqual(new Set(["at-2"]));
    expect(server.requests).toHaveLength(2);
  });

  it("uses a token another process stored instead of requesting one", async () => {
    const server = await slowIssuer();
    const clock = testClock();
    const store = new MemoryTokenStore(clock.now);
    const first = createSession(makeGrant({ baseUrl: server.url, clock }), { store });
    await first.getAccessToken();
    const second = createSession(makeGrant({ baseUrl: server.url, clock }), { store });
    expect(await second.getAccessToken()).toBe("at-1");
    expect(server.requests).toHaveLength(1);
  });

  it("re-reads the store after taking the lease", async () => {
    const server = await slowIssuer();
    const clock = testClock();
    const inner = new MemoryTokenStore(clock.now);
    // Another process finishes its refresh just as this one takes the lease.
    const racing: TokenStore = {
      get: (key) => inner.get(key),
      set: (key, token) => inner.set(key, token),
      delete: (key) => inner.delete(key),
      waitForChange: (key, ms) => inner.waitForChange(key, ms),
      coolDown: (key, ms) => inner.coolDown(key, ms),
      coolDownRemaining: (key) => inner.coolDownRemaining(key),
      acquire: async (key, leaseMs): Promise<TokenLease | undefined> => {
        const fresh: StoredToken = { accessToken: "at-other", expiresAt: NOW + 3_600_000, receivedAt: NOW };
        await inner.set(key, fresh);
        return inner.acquire(key, leaseMs);
      },
    };
    const session = createSession(makeGrant({ baseUrl: server.url, clock }), { store: racing });
    expect(await session.getAccessToken()).toBe("at-other");
    expect(server.requests).toHaveLength(0);
  });

  it("waits for a lease holder, then takes over once a dead holder's lease runs out", async () => {
    const server = await slowIssuer(1);
    const clock = testClock();
    const inner = new MemoryTokenStore(clock.now);
    // A store without notifications: waits are short polls.
    const store = new RecordingStore({
      get: (key) => inner.get(key),
      set: (key, token) => inner.set(key, token),
      delete: (key) => inner.delete(key),
      acquire: (key, ms) => inner.acquire(key, ms),
      waitForChange: () => delay(2),
      coolDown: (key, ms) => inner.coolDown(key, ms),
      coolDownRemaining: (key) => inner.coolDownRemaining(key),
    });
    const session = createSession(makeGrant({ baseUrl: server.url, clock }), { store, leaseMs: 10_000 });
    const grant = makeGrant({ baseUrl: server.url, clock });
    const key = await sessionKey(grant.keyParts);
    const dead = await inner.acquire(key, 10_000);
    expect(dead).toBeDefined();
    let settled = false;
    const token = session.getAccessToken().finally(() => {
      settled = true;
    });
    await delay(40);
    expect(settled).toBe(false);
    expect(server.requests).toHaveLength(0);
    expect(store.calls.filter((call) => call === "wait").length).toBeGreaterThan(1);
    clock.advance(10_000);
    expect(await token).toBe("at-1");
    expect(server.requests).toHaveLength(1);
  });

  it("wakes a waiting session as soon as the holder stores its token", async () => {
    const clock = testClock();
    const server = await slowIssuer();
    const store = new MemoryTokenStore(clock.now);
    const grant = makeGrant({ baseUrl: server.url, clock });
    const key = await sessionKey(grant.keyParts);
    const holder = await store.acquire(key, 10_000);
    const session = createSession(grant, { store });
    const started = performance.now();
    const token = session.getAccessToken();
    await delay(10);
    await store.set(key, { accessToken: "at-holder", expiresAt: NOW + 3_600_000, receivedAt: NOW });
    await holder?.release();
    expect(await token).toBe("at-holder");
    // Well before the session's own re-check (1 s): the store's notification woke it.
    expect(performance.now() - started).toBeLessThan(500);
    expect(server.requests).toHaveLength(0);
  });
});

async function sessionKey(parts: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  return Buffer.from(digest).toString("hex");
}
