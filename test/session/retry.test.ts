import { describe, expect, it, vi } from "vitest";
import { NetworkError, TimeoutError, TokenResponseError, UnexpectedStatusError } from "../../generator/runtime/errors.js";
import { MAX_TIMER_MS, retryPolicy, sleep, withRetries } from "../../generator/runtime/session-retry.js";
import { createSession } from "../../generator/runtime/session.js";
import type { TokenServerHandler } from "../support/loopback.js";
import { codeGrant, delay, form, makeGrant, testClock, tokenBody, useServers, useUnhandledRejectionTrap } from "./helpers.js";

const start = useServers();
useUnhandledRejectionTrap();

const FAST = { retry: { baseDelayMs: 1, maxDelayMs: 50 } } as const;

/** Fails the first `failures` requests with `fail`, then issues at-n. */
async function flaky(failures: number, fail: TokenServerHandler) {
  let n = 0;
  return start((request, raw) => {
    n += 1;
    return n <= failures ? fail(request, raw) : { status: 200, body: tokenBody(n) };
  });
}

const reset: TokenServerHandler = (_request, { socket }) => void socket.destroy();
const unavailable: TokenServerHandler = () => ({ status: 503, headers: { "Retry-After": "0" }, body: "down" });
const limited: TokenServerHandler = () => ({ status: 429, body: { error: "slow_down" } });

describe("retries", () => {
  it.each([
    ["a reset connection", reset],
    ["503 with Retry-After: 0", unavailable],
    ["429", limited],
  ])("retries after %s", async (_name, fail) => {
    const server = await flaky(2, fail);
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), FAST);
    expect(await session.getAccessToken()).toBe("at-3");
    expect(server.requests).toHaveLength(3);
  });

  it("retries a timeout", async () => {
    const server = await flaky(1, () => undefined);
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock(), config: { timeoutMs: 100 } }), FAST);
    expect(await session.getAccessToken()).toBe("at-2");
    expect(server.requests).toHaveLength(2);
  });

  it("gives up after `tries` attempts and returns the last error", async () => {
    const server = await flaky(10, unavailable);
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { retry: { ...FAST.retry, tries: 4 } });
    const error: unknown = await session.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedStatusError);
    expect(error).toMatchObject({ status: 503, retryAfterMs: 0 });
    expect(server.requests).toHaveLength(4);
  });

  it("stops when Retry-After asks for longer than maxDelayMs", async () => {
    const server = await flaky(10, () => ({ status: 503, headers: { "Retry-After": "60" } }));
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), FAST);
    await expect(session.getAccessToken()).rejects.toMatchObject({ status: 503, retryAfterMs: 60_000 });
    expect(server.requests).toHaveLength(1);
  });

  it("waits as long as Retry-After asks when it is within maxDelayMs", async () => {
    const server = await flaky(1, () => ({ status: 429, headers: { "Retry-After": "1" } }));
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { retry: { baseDelayMs: 1, maxDelayMs: 2_000 } });
    const started = performance.now();
    expect(await session.getAccessToken()).toBe("at-2");
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("does not retry what is not transient", async () => {
    const server = await flaky(10, () => ({ status: 400, body: { error: "invalid_client" } }));
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), FAST);
    await expect(session.getAccessToken()).rejects.toBeInstanceOf(TokenResponseError);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ["a reset connection", reset, NetworkError],
    ["503", unavailable, UnexpectedStatusError],
  ])("never retries a single-use grant after %s, nor runs it again", async (_name, fail, errorClass) => {
    const server = await flaky(10, fail);
    const grant = makeGrant({ baseUrl: server.url, clock: testClock(), rule: codeGrant, params: { code: "c-1" }, reobtainable: false });
    const session = createSession(grant, FAST);
    await expect(session.getAccessToken()).rejects.toBeInstanceOf(errorClass);
    await expect(session.getAccessToken()).rejects.toMatchObject({ kind: "reauthentication_required" });
    expect(server.requests).toHaveLength(1);
  });

  it("retries a single-use grant's refresh requests", async () => {
    let n = 0;
    const server = await start(() => {
      n += 1;
      return n === 2 || n === 3 ? { status: 502, body: "bad gateway" } : { status: 200, body: tokenBody(n, { expires_in: 60 }) };
    });
    const clock = testClock();
    const grant = makeGrant({ baseUrl: server.url, clock, rule: codeGrant, params: { code: "c-1" }, reobtainable: false });
    const session = createSession(grant, FAST);
    await session.getAccessToken();
    clock.advance(60_000);
    expect(await session.getAccessToken()).toBe("at-4");
    expect(server.requests.map((r) => form(r.body).get("refresh_token"))).toEqual([null, "rt-1", "rt-1", "rt-1"]);
  });
});

describe("backoff", () => {
  it("waits with full jitter, doubling up to maxDelayMs", async () => {
    const waits: number[] = [];
    let last = performance.now();
    const attempt = async () => {
      const now = performance.now();
      waits.push(now - last);
      last = now;
      return { ok: false as const, error: new TimeoutError(1) };
    };
    const policy = retryPolicy({ baseDelayMs: 40, maxDelayMs: 100 }, () => 0.999);
    const result = await withRetries(attempt, policy, 4, new AbortController().signal);
    expect(result.ok).toBe(false);
    // ~40, ~80, then capped at ~100.
    expect(waits.slice(1).map((w) => Math.round(w / 20))).toEqual([2, 4, 5]);
    const none = retryPolicy({ baseDelayMs: 1_000 }, () => 0);
    const started = performance.now();
    await withRetries(attempt, none, 3, new AbortController().signal);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("never hands setTimeout more than 2^31 - 1 ms, and clears its timer when aborted", async () => {
    const setTimer = vi.spyOn(globalThis, "setTimeout");
    const clearTimer = vi.spyOn(globalThis, "clearTimeout");
    try {
      const controller = new AbortController();
      let slept: boolean | undefined;
      void sleep(2 ** 40, controller.signal).then((value) => {
        slept = value;
      });
      await delay(20);
      // An overflowing delay would have fired at once.
      expect(slept).toBeUndefined();
      expect(setTimer.mock.calls[0]?.[1]).toBe(2 ** 31 - 1);
      controller.abort();
      await delay(0);
      expect(slept).toBe(false);
      expect(clearTimer).toHaveBeenCalledWith(setTimer.mock.results[0]?.value);
      expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
