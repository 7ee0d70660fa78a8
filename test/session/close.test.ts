import { afterEach, describe, expect, it, vi } from "vitest";
import { UnexpectedStatusError } from "../../generator/runtime/errors.js";
import { SessionClosedError } from "../../generator/runtime/session-errors.js";
import { createSession } from "../../generator/runtime/session.js";
import { MemoryTokenStore } from "../../generator/runtime/store.js";
import { NOW, RecordingStore, delay, makeGrant, testClock, tokenBody, useServers, useUnhandledRejectionTrap } from "./helpers.js";

const start = useServers();
const trap = useUnhandledRejectionTrap();

afterEach(() => {
  vi.restoreAllMocks();
});

describe("close()", () => {
  it("fails every later call with SessionClosedError, without a request", async () => {
    const server = await start(() => ({ status: 200, body: tokenBody(1) }));
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { origins: [server.url] });
    await session.getAccessToken();
    await session.close();
    await expect(session.getAccessToken()).rejects.toBeInstanceOf(SessionClosedError);
    const result = await session.getToken();
    expect(result.ok === false && result.error).toBeInstanceOf(SessionClosedError);
    await expect(session.fetch(`${server.url}/api`)).rejects.toBeInstanceOf(SessionClosedError);
    await expect(session.middleware.onRequest({ request: new Request(`${server.url}/api`) })).rejects.toBeInstanceOf(SessionClosedError);
    await expect(session.invalidate()).resolves.toBeUndefined();
    await expect(session.close()).resolves.toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it("does not close a store passed in, which keeps the token for others", async () => {
    const server = await start(() => ({ status: 200, body: tokenBody(1) }));
    const clock = testClock();
    const store = new RecordingStore(new MemoryTokenStore(clock.now));
    const session = createSession(makeGrant({ baseUrl: server.url, clock }), { store });
    await session.getAccessToken();
    await session.close();
    expect(store.calls).not.toContain("close");
    const next = createSession(makeGrant({ baseUrl: server.url, clock }), { store });
    expect(await next.getAccessToken()).toBe("at-1");
    expect(server.requests).toHaveLength(1);
  });

  it("ends a backoff wait at once and clears its timer", async () => {
    const server = await start(() => ({ status: 503, headers: { "Retry-After": "5" } }));
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { retry: { maxDelayMs: 10_000 } });
    const setTimer = vi.spyOn(globalThis, "setTimeout");
    const clearTimer = vi.spyOn(globalThis, "clearTimeout");
    const pending = session.getToken();
    await delay(50);
    expect(server.requests).toHaveLength(1);
    const backoff = setTimer.mock.calls.findIndex(([, ms]) => ms === 5_000);
    expect(backoff).toBeGreaterThan(-1);
    const started = performance.now();
    await session.close();
    const result = await pending;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result.ok === false && result.error).toBeInstanceOf(UnexpectedStatusError);
    expect(clearTimer).toHaveBeenCalledWith(setTimer.mock.results[backoff]?.value);
    expect(server.requests).toHaveLength(1);
  });

  it("cuts short a request in flight when the session owns its store", async () => {
    const server = await start(() => undefined);
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }));
    const pending = session.getAccessToken().catch((error: unknown) => error);
    await delay(30);
    const started = performance.now();
    await session.close();
    expect(await pending).toMatchObject({ kind: "aborted" });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("no leaks", () => {
  it("sets no timer for a token's lifetime, however long (beyond 2^31 - 1 ms)", async () => {
    const server = await start(() => ({ status: 200, body: tokenBody(1, { expires_in: 999_999_999 }) }));
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: server.url, clock }));
    const setTimer = vi.spyOn(globalThis, "setTimeout");
    const result = await session.getToken();
    expect(result.ok && result.token.expiresAt).toBe(NOW + 999_999_999_000);
    clock.advance(2 ** 31);
    expect(await session.getAccessToken()).toBe("at-1");
    expect(server.requests).toHaveLength(1);
    // The timers are the call's deadline (15 s), the store calls' bounds (2 s) and the token
    // request's own timeout (10 s), each cleared when what it bounds settled; none for the lifetime.
    const delays = setTimer.mock.calls.map(([, ms]) => ms ?? 0);
    expect(delays).toContain(10_000);
    expect(Math.max(...delays)).toBe(15_000);
  });

  it("leaves no unhandled rejection behind failures, 401 replays and close", async () => {
    let n = 0;
    const server = await start((request) => {
      if (request.url.startsWith("/api")) return { status: 401 };
      n += 1;
      return n % 2 === 1 ? { status: 400, body: { error: "invalid_client" } } : { status: 200, body: tokenBody(n) };
    });
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { origins: [server.url], retry: { baseDelayMs: 1 } });
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 20 }, () => session.getAccessToken()),
      ...Array.from({ length: 20 }, () => session.getToken()),
      session.fetch(`${server.url}/api`, { method: "POST", body: "x" }),
    ]);
    expect(outcomes.filter((o) => o.status === "rejected").length).toBeGreaterThanOrEqual(20);
    const replayed = await session.fetch(`${server.url}/api`, { method: "POST", body: "x" }).catch((error: unknown) => error);
    expect(replayed).toBeDefined();
    void session.getToken();
    await session.close();
    await delay(10);
    expect(trap.seen).toEqual([]);
  });
});
