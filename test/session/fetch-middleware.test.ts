// session.middleware with openapi-fetch: the request goes as openapi-fetch
// built it; a body is kept for a 401 replay up to REPLAY_LIMIT_BYTES, and a
// longer (streamed) one is not held.
import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { REPLAY_LIMIT_BYTES } from "../../generator/runtime/session-fetch.js";
import { createSession } from "../../generator/runtime/session.js";
import type { TokenServer } from "../support/loopback.js";
import { makeGrant, testClock, tokenBody, useServers, useUnhandledRejectionTrap } from "./helpers.js";

const start = useServers();
useUnhandledRejectionTrap();

async function issuer() {
  let n = 0;
  return start(() => ({ status: 200, body: tokenBody(++n) }));
}

/** An API accepting only `Bearer <accepted>`, echoing the size of what it got. */
async function api(accepted: string) {
  return start((request) =>
    request.headers.authorization === `Bearer ${accepted}`
      ? { status: 200, body: { size: request.body.length } }
      : { status: 401, body: { error: "invalid_token" } },
  );
}

function sessionFor(tokenUrl: string, apiUrl: string) {
  return createSession(makeGrant({ baseUrl: tokenUrl, clock: testClock() }), { origins: [apiUrl], minRefreshIntervalMs: 0 });
}

interface Loose {
  POST(path: string, init: Record<string, unknown>): Promise<{ response: Response; data?: unknown; error?: unknown }>;
  GET(path: string, init?: Record<string, unknown>): Promise<{ response: Response; data?: unknown; error?: unknown }>;
}

function clientFor(baseUrl: string, session: ReturnType<typeof sessionFor>, options: Record<string, unknown> = {}): Loose {
  const client = createClient<Record<string, never>>({ baseUrl, ...options });
  client.use(session.middleware);
  return client as unknown as Loose;
}

/** A stream of `count` chunks of `size` bytes. */
function chunks(count: number, size: number): ReadableStream<Uint8Array> {
  let left = count;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (left-- === 0) controller.close();
        else controller.enqueue(new Uint8Array(size).fill(0x61));
      },
    },
    { highWaterMark: 0 },
  );
}

function lengths(server: TokenServer) {
  return server.requests.map((r) => [r.headers.authorization, r.headers["content-length"] ?? null, r.headers["transfer-encoding"] ?? null, r.body.length]);
}

describe("session.middleware bodies", () => {
  it("sends openapi-fetch's JSON body as it was built, with its length, and replays it after a 401", async () => {
    const tokens = await issuer();
    const apiServer = await api("at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const body = { name: "widget", tags: ["a", "b"] };
    const { response, data } = await clientFor(apiServer.url, session).POST("/items", { body });
    expect(response.status).toBe(200);
    const size = JSON.stringify(body).length;
    expect(data).toEqual({ size });
    expect(lengths(apiServer)).toEqual([
      ["Bearer at-1", String(size), null, size],
      ["Bearer at-2", String(size), null, size],
    ]);
    await session.close();
  });

  it("replays a streamed body that ends within the limit", async () => {
    const tokens = await issuer();
    const apiServer = await api("at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const client = clientFor(apiServer.url, session, { bodySerializer: (stream: unknown) => stream });
    const { response } = await client.POST("/upload", { body: chunks(4, 1000), duplex: "half" });
    expect(response.status).toBe(200);
    expect(lengths(apiServer)).toEqual([
      ["Bearer at-1", null, "chunked", 4000],
      ["Bearer at-2", "4000", null, 4000],
    ]);
    await session.close();
  });

  it("does not hold a streamed body longer than the limit: its 401 is returned, with a new token fetched", async () => {
    const tokens = await issuer();
    const apiServer = await api("at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const client = clientFor(apiServer.url, session, { bodySerializer: (stream: unknown) => stream });
    const size = 64 * 1024;
    const count = REPLAY_LIMIT_BYTES / size + 8;
    const { response, error } = await client.POST("/upload", { body: chunks(count, size), duplex: "half" });
    expect(response.status).toBe(401);
    expect(error).toEqual({ error: "invalid_token" });
    expect(lengths(apiServer)).toEqual([["Bearer at-1", null, "chunked", count * size]]);
    expect(tokens.requests).toHaveLength(2);
    const again = await client.GET("/items");
    expect(again.response.status).toBe(200);
    expect(apiServer.requests.at(-1)?.headers.authorization).toBe("Bearer at-2");
    expect(tokens.requests).toHaveLength(2);
    await session.close();
  });

  it("returns a 401 from another origin, reached through a redirect, as it is", async () => {
    const tokens = await issuer();
    const elsewhere = await start(() => ({ status: 401, body: { error: "not here" } }));
    const apiServer = await start(() => ({ status: 302, headers: { Location: `${elsewhere.url}/landing` } }));
    const session = sessionFor(tokens.url, apiServer.url);
    const { response, error } = await clientFor(apiServer.url, session).GET("/items");
    expect(response.status).toBe(401);
    expect(error).toEqual({ error: "not here" });
    expect(apiServer.requests.map((r) => r.headers.authorization)).toEqual(["Bearer at-1"]);
    expect(elsewhere.requests.map((r) => r.headers.authorization)).toEqual([undefined]);
    expect(tokens.requests).toHaveLength(1);
    await session.close();
  });
});
