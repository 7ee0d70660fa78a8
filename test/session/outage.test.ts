// Outages are bounded: a Retry-After or failures in a row start a cool-down
// shared through the store, tokens that live shorter than the refresh margin
// are not asked for on every call, a wall clock that steps back does not
// stretch a token's life, every call settles within the deadline, and the
// memory store lets go of what it no longer needs.
import { describe, expect, it, vi } from "vitest";
import { createSession } from "../../generator/runtime/session.js";
import { MemoryTokenStore } from "../../generator/runtime/store.js";
import type { StoredToken, TokenStore } from "../../generator/runtime/store.js";
import type { TokenEndpoint } from "../../generator/runtime/types.js";
import { NOW, delay, makeGrant, testClock, tokenBody, useServers, useUnhandledRejectionTrap } from "./helpers.js";

const start = useServers();
useUnhandledRejectionTrap();

/** Calls getToken every `everyMs` for `forMs`, in sequence, and returns the outcomes' kinds. */
async function poll(session: ReturnType<typeof createSession>, everyMs: number, forMs: number): Promise<string[]> {
  const kinds: string[] = [];
  const end = performance.now() + forMs;
  while (performance.now() < end) {
    const result = await session.getToken();
    kinds.push(result.ok ? "token" : result.error.kind);
    await delay(everyMs);
  }
  return kinds;
}

describe("cool-down", () => {
  it("after a 503 with Retry-After: 60, a caller asking every 100 ms for 3 s makes one token request", async () => {
    const server = await start(() => ({ status: 503, headers: { "Retry-After": "60" }, body: "down for maintenance" }));
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { retry: { baseDelayMs: 1, maxDelayMs: 50 } });
    const kinds = await poll(session, 100, 3_000);
    console.log(`outage: 503 Retry-After 60: ${kinds.length} calls in 3 s, ${server.requests.length} token request(s)`);
    expect(server.requests).toHaveLength(1);
    expect(kinds[0]).toBe("unexpected_status");
    expect(new Set(kinds.slice(1))).toEqual(new Set(["cooling_down"]));
    const stats = session.stats();
    expect(stats).toMatchObject({ tokenRequests: 1, tokenRequestsLastMinute: 1, failuresInARow: 1 });
    expect(stats.coolDownRemainingMs).toBeGreaterThan(55_000);
  });

  it("shares the cool-down through the store: a second process asks nothing while it lasts", async () => {
    const server = await start(() => ({ status: 429, headers: { "Retry-After": "30" }, body: { error: "rate_limited" } }));
    const store = new MemoryTokenStore();
    const first = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { store, retry: { tries: 1 } });
    const second = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { store, retry: { tries: 1 } });
    expect((await first.getToken()).ok).toBe(false);
    const result = await second.getToken();
    expect(result.ok === false && result.error.kind).toBe("cooling_down");
    expect(result.ok === false && "retryAfterMs" in result.error && result.error.retryAfterMs).toBeGreaterThan(25_000);
    expect(server.requests).toHaveLength(1);
  });

  it("backs off after failures in a row without Retry-After: 1 s, then 2 s, …", async () => {
    const server = await start(() => ({ status: 500, body: "broken" }));
    const realTime = { now: Date.now, advance: () => undefined };
    const session = createSession(makeGrant({ baseUrl: server.url, clock: realTime }), { retry: { tries: 1 } });
    const kinds = await poll(session, 50, 2_500);
    // First failure: no pause. Second: 1 s. Third (1 s later): 2 s, which outlasts the poll.
    expect(server.requests).toHaveLength(3);
    expect(kinds.filter((kind) => kind === "cooling_down").length).toBeGreaterThan(20);
    expect(session.stats().failuresInARow).toBe(3);
  });

  it("serves a token that has not expired while the refresh cannot be made", async () => {
    let n = 0;
    const server = await start(() => {
      n += 1;
      return n === 1 ? { status: 200, body: tokenBody(1, { expires_in: 3600 }) } : { status: 503, headers: { "Retry-After": "120" }, body: "down" };
    });
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: server.url, clock }), { retry: { tries: 1 } });
    expect(await session.getAccessToken()).toBe("at-1");
    clock.advance(3_550_000); // inside the 60 s margin, 50 s before expiry
    expect(await session.getAccessToken()).toBe("at-1");
    expect(await session.getAccessToken()).toBe("at-1");
    expect(server.requests).toHaveLength(2);
  });
});

describe("tokens that live shorter than the refresh margin", () => {
  // The second row's expiry rule is the model's call (an absolute time in ms); the runtime never reads one into a size.
  it.each<[string, Record<string, unknown>, Partial<TokenEndpoint>]>([
    ["expires_in: 0", { expires_in: 0 }, {}],
    ["expires_in of 1e12 read as epoch ms (long past)", { expires_in: 1e12 }, { expiry: { kind: "absolute", field: "expires_in", unit: "ms" } }],
  ])("%s: used, then asked for at most once per minRefreshIntervalMs", async (_name, lifetime, endpoint) => {
    let n = 0;
    const server = await start(() => {
      n += 1;
      return { status: 200, body: tokenBody(n, lifetime) };
    });
    const session = createSession(makeGrant({ baseUrl: server.url, clock: { now: Date.now, advance: () => undefined }, endpoint }), {
      minRefreshIntervalMs: 500,
    });
    const calls = (await poll(session, 0, 1_200)).length;
    console.log(`short-lived (${JSON.stringify(lifetime)}): ${calls} sequential calls in 1.2 s, ${server.requests.length} token requests`);
    expect(calls).toBeGreaterThan(100);
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
    expect(server.requests.length).toBeLessThanOrEqual(4);
  });
});

describe("time", () => {
  it("measures a token's age on a monotonic clock: a wall clock stepping back an hour does not stretch it", async () => {
    let n = 0;
    const server = await start(() => {
      n += 1;
      return { status: 200, body: tokenBody(n, { expires_in: 1 }) };
    });
    let wallOffset = 0;
    const wall = (): number => Date.now() + wallOffset;
    // The client's clock is the wall clock; elapsed time is the session's own (performance.now()).
    const grant = { ...makeGrant({ baseUrl: server.url, clock: testClock() }), clock: wall, elapsed: undefined };
    const session = createSession(grant, { minRefreshIntervalMs: 0 });
    expect(await session.getAccessToken()).toBe("at-1");
    wallOffset = -3_600_000;
    await delay(1_100);
    expect(await session.getAccessToken()).toBe("at-2");
    expect(server.requests).toHaveLength(2);
  });
});

describe("deadline", () => {
  it("settles every call within deadlineMs when the store never answers", async () => {
    const server = await start(() => ({ status: 200, body: tokenBody(1) }));
    const never = new Promise<never>(() => undefined);
    const hanging: TokenStore = {
      get: () => never,
      set: () => never,
      delete: () => never,
      acquire: () => never,
      waitForChange: () => never,
      coolDown: () => never,
      coolDownRemaining: () => never,
    };
    const grant = makeGrant({ baseUrl: server.url, clock: testClock(), reobtainable: false });
    const session = createSession(grant, { store: hanging, deadlineMs: 300, storeTimeoutMs: 100 });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 5 }, () => session.getToken()));
    expect(performance.now() - started).toBeLessThan(600);
    for (const result of results) expect(result.ok === false && result.error.kind).toBe("store_unavailable");
    expect(server.requests).toHaveLength(0);
  });

  it("with a store that never answers, a grant that may run again still gets a token (no refresh token is spent)", async () => {
    const server = await start(() => ({ status: 200, body: tokenBody(1) }));
    const never = new Promise<never>(() => undefined);
    const hanging: TokenStore = {
      get: () => never,
      set: () => never,
      delete: () => never,
      acquire: () => never,
      waitForChange: () => never,
      coolDown: () => never,
      coolDownRemaining: () => never,
    };
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { store: hanging, storeTimeoutMs: 100 });
    expect(await session.getAccessToken()).toBe("at-1");
    expect(server.requests).toHaveLength(1);
  });

  it("ends a wait for a lease that never expires with SessionDeadlineError", async () => {
    const server = await start(() => ({ status: 200, body: tokenBody(1) }));
    const inner = new MemoryTokenStore();
    const stuck: TokenStore = {
      get: (key) => inner.get(key),
      set: (key, token) => inner.set(key, token),
      delete: (key) => inner.delete(key),
      acquire: async () => undefined,
      waitForChange: (key, ms) => inner.waitForChange(key, ms),
      coolDown: (key, ms) => inner.coolDown(key, ms),
      coolDownRemaining: (key) => inner.coolDownRemaining(key),
    };
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { store: stuck, deadlineMs: 400 });
    const started = performance.now();
    const result = await session.getToken();
    expect(result.ok === false && result.error.kind).toBe("deadline");
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

describe("the memory store lets go", () => {
  it("drops tokens without a refresh token a minute after they expire", async () => {
    let now = NOW;
    const store = new MemoryTokenStore(() => now);
    const token: StoredToken = { accessToken: "at-x", expiresAt: NOW + 1_000, receivedAt: NOW };
    await store.set("a", token);
    await store.set("b", { ...token, refreshToken: "rt-x" });
    now += 61_001;
    expect(await store.get("a")).toBeUndefined();
    expect(store.size).toBe(1);
    expect((await store.get("b"))?.refreshToken).toBe("rt-x");
  });

  it("a session that owns its store empties it on close, refresh token included", async () => {
    const server = await start(() => ({ status: 200, body: tokenBody(1) }));
    const clear = vi.spyOn(MemoryTokenStore.prototype, "clear");
    const get = vi.spyOn(MemoryTokenStore.prototype, "get");
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }));
    await session.getAccessToken();
    const owned = get.mock.contexts[0] as MemoryTokenStore;
    expect(owned.size).toBe(1);
    await session.close();
    expect(clear).toHaveBeenCalledTimes(1);
    expect(owned.size).toBe(0);
    clear.mockRestore();
    get.mockRestore();
    const result = await session.getToken();
    expect(result.ok === false && result.error.kind).toBe("session_closed");
  });

  it("never lets an older generation replace a newer one", async () => {
    const store = new MemoryTokenStore();
    const newer: StoredToken = { accessToken: "at-2", refreshToken: "rt-2", receivedAt: NOW, generation: 2 };
    expect(await store.set("k", newer)).toBe(true);
    expect(await store.set("k", { accessToken: "at-1", refreshToken: "rt-1", receivedAt: NOW, generation: 1 })).toBe(false);
    expect((await store.get("k"))?.refreshToken).toBe("rt-2");
  });
});
