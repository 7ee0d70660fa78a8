// The caller's signal ends session.fetch (and the middleware's waits) at
// once, with the signal's reason, as it ends fetch.
import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { createSession } from "../../generator/runtime/session.js";
import type { TokenServer, TokenServerReply } from "../support/loopback.js";
import { delay, makeGrant, testClock, tokenBody, useServers, useUnhandledRejectionTrap } from "./helpers.js";

const start = useServers();
useUnhandledRejectionTrap();

/** Answers the n-th request with `reply(n)`, or never when it gives undefined. */
async function server(reply: (n: number) => TokenServerReply | undefined): Promise<TokenServer> {
  let n = 0;
  return start(() => reply(++n));
}

const never = (): undefined => undefined;
const token = (n: number): TokenServerReply => ({ status: 200, body: tokenBody(n) });
const unauthorized: TokenServerReply = { status: 401, body: { error: "invalid_token" } };

function sessionFor(tokenUrl: string, apiUrl: string) {
  return createSession(makeGrant({ baseUrl: tokenUrl, clock: testClock() }), { origins: [apiUrl], minRefreshIntervalMs: 0 });
}

/** Aborts once `ready()` holds, and measures how long the call takes to reject after that. */
async function abortWhen<T>(call: (signal: AbortSignal) => Promise<T>, ready: () => boolean, reason?: unknown) {
  const controller = new AbortController();
  const pending = call(controller.signal);
  pending.catch(() => undefined);
  for (let waited = 0; !ready(); waited += 5) {
    if (waited > 2_000) throw new Error("the call never got to the point where it is aborted");
    await delay(5);
  }
  await delay(20);
  const abortedAt = performance.now();
  controller.abort(reason);
  const error: unknown = await pending.then(
    () => new Error("resolved"),
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - abortedAt, reason: controller.signal.reason as unknown };
}

async function closeAll(session: { close(): Promise<void> }, ...servers: TokenServer[]) {
  await Promise.all(servers.map((s) => s.close()));
  await session.close();
}

describe("session.fetch rejects at once when the caller aborts", () => {
  it("before it starts: no token is asked for, nothing is sent", async () => {
    const tokens = await server(token);
    const api = await server(() => ({ status: 200 }));
    const session = sessionFor(tokens.url, api.url);
    const controller = new AbortController();
    controller.abort();
    const error: unknown = await session.fetch(`${api.url}/x`, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe("AbortError");
    // Time for a request that was started to arrive.
    await delay(50);
    expect(tokens.requests).toHaveLength(0);
    expect(api.requests).toHaveLength(0);
    await closeAll(session, tokens, api);
  });

  it("while waiting for the token", async () => {
    const tokens = await server(never);
    const api = await server(() => ({ status: 200 }));
    const session = sessionFor(tokens.url, api.url);
    const { error, ms, reason } = await abortWhen((signal) => session.fetch(`${api.url}/x`, { signal }), () => tokens.requests.length === 1);
    expect(error).toBe(reason);
    expect((error as Error).name).toBe("AbortError");
    expect(ms).toBeLessThan(100);
    expect(api.requests).toHaveLength(0);
    await closeAll(session, tokens, api);
  });

  it("while sending, with the caller's own reason", async () => {
    const tokens = await server(token);
    const api = await server(never);
    const session = sessionFor(tokens.url, api.url);
    const mine = new Error("stop: the user left");
    const { error, ms } = await abortWhen(
      (signal) => session.fetch(`${api.url}/x`, { method: "POST", body: "b", signal }),
      () => api.requests.length === 1,
      mine,
    );
    expect(error).toBe(mine);
    expect(ms).toBeLessThan(100);
    await closeAll(session, tokens, api);
  });

  it("while sending a streamed body", async () => {
    const tokens = await server(token);
    const api = await server(never);
    const session = sessionFor(tokens.url, api.url);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    const { error, ms } = await abortWhen(
      (signal) => session.fetch(`${api.url}/x`, { method: "POST", body, duplex: "half", signal } as RequestInit),
      () => api.requests.length === 1,
    );
    expect((error as Error).name).toBe("AbortError");
    expect(ms).toBeLessThan(100);
    await closeAll(session, tokens, api);
  });

  it("while waiting for the new token after a 401", async () => {
    const tokens = await server((n) => (n === 1 ? token(1) : undefined));
    const api = await server(() => unauthorized);
    const session = sessionFor(tokens.url, api.url);
    const { error, ms } = await abortWhen((signal) => session.fetch(`${api.url}/x`, { method: "PUT", body: "b", signal }), () => tokens.requests.length === 2);
    expect((error as Error).name).toBe("AbortError");
    expect(ms).toBeLessThan(100);
    expect(api.requests).toHaveLength(1);
    await closeAll(session, tokens, api);
  });

  it("while waiting for the new token after a 401 to a streamed body", async () => {
    const tokens = await server((n) => (n === 1 ? token(1) : undefined));
    const api = await server(() => unauthorized);
    const session = sessionFor(tokens.url, api.url);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    const { error, ms } = await abortWhen(
      (signal) => session.fetch(`${api.url}/x`, { method: "PUT", body, duplex: "half", signal } as RequestInit),
      () => tokens.requests.length === 2,
    );
    expect((error as Error).name).toBe("AbortError");
    expect(ms).toBeLessThan(100);
    await closeAll(session, tokens, api);
  });

  it("while the replay is being sent", async () => {
    const tokens = await server(token);
    const api = await server((n) => (n === 1 ? unauthorized : undefined));
    const session = sessionFor(tokens.url, api.url);
    const { error, ms } = await abortWhen((signal) => session.fetch(`${api.url}/x`, { signal }), () => api.requests.length === 2);
    expect((error as Error).name).toBe("AbortError");
    expect(ms).toBeLessThan(100);
    await closeAll(session, tokens, api);
  });

  it("while the answer's body is read, as fetch", async () => {
    const tokens = await server(token);
    const api = await start((_request, { res }) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.write("the first part, and then nothing");
    });
    const session = sessionFor(tokens.url, api.url);
    const controller = new AbortController();
    const response = await session.fetch(`${api.url}/x`, { signal: controller.signal });
    const reading = response.text();
    reading.catch(() => undefined);
    await delay(20);
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: "AbortError" });
    await closeAll(session, tokens, api);
  });
});

describe("session.middleware gives up when the caller aborts", () => {
  it("while waiting for the token", async () => {
    const tokens = await server(never);
    const api = await server(() => ({ status: 200, body: {} }));
    const session = sessionFor(tokens.url, api.url);
    const client = createClient<Record<string, never>>({ baseUrl: api.url });
    client.use(session.middleware);
    const { error, ms } = await abortWhen(
      (signal) => (client as unknown as { GET(path: string, init: { signal: AbortSignal }): Promise<unknown> }).GET("/x", { signal }),
      () => tokens.requests.length === 1,
    );
    expect((error as Error).name).toBe("AbortError");
    expect(ms).toBeLessThan(100);
    expect(api.requests).toHaveLength(0);
    await closeAll(session, tokens, api);
  });

  it("while waiting for the new token after a 401", async () => {
    const tokens = await server((n) => (n === 1 ? token(1) : undefined));
    const api = await server(() => unauthorized);
    const session = sessionFor(tokens.url, api.url);
    const client = createClient<Record<string, never>>({ baseUrl: api.url });
    client.use(session.middleware);
    const { error, ms } = await abortWhen(
      (signal) => (client as unknown as { POST(path: string, init: { body: unknown; signal: AbortSignal }): Promise<unknown> }).POST("/x", { body: { a: 1 }, signal }),
      () => tokens.requests.length === 2,
    );
    expect((error as Error).name).toBe("AbortError");
    expect(ms).toBeLessThan(100);
    await closeAll(session, tokens, api);
  });
});
