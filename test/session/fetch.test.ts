import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { TokenResponseError } from "../../generator/runtime/errors.js";
import { TokenOriginError } from "../../generator/runtime/session-errors.js";
import { createSession } from "../../generator/runtime/session.js";
import { MemoryTokenStore } from "../../generator/runtime/store.js";
import type { FetchLike } from "../../generator/runtime/types.js";
import type { TokenServerReply } from "../support/loopback.js";
import { RecordingStore, delay, form, makeGrant, testClock, tokenBody, useServers, useUnhandledRejectionTrap } from "./helpers.js";

const start = useServers();
useUnhandledRejectionTrap();

/** A token server answering the n-th request with at-n / rt-n (or `reply(n)`). */
async function issuer(reply: (n: number) => TokenServerReply = (n) => ({ status: 200, body: tokenBody(n) })) {
  let n = 0;
  return start(() => reply(++n));
}

/** An API accepting only `Bearer <accepted()>`, echoing the JSON body it got. */
async function api(accepted: () => string | undefined, hold?: (auth: string) => Promise<void>) {
  return start(async (request) => {
    const auth = request.headers.authorization ?? "";
    await hold?.(auth);
    return auth === `Bearer ${accepted() ?? "-"}`
      ? { status: 200, body: { seen: request.body, auth } }
      : { status: 401, headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' }, body: { error: "invalid_token" } };
  });
}

function sessionFor(tokenUrl: string, apiUrl: string, fetch?: FetchLike) {
  return createSession(makeGrant({ baseUrl: tokenUrl, clock: testClock(), ...(fetch !== undefined ? { fetch } : {}) }), { origins: [apiUrl], minRefreshIntervalMs: 0 });
}

const BODY = { name: "widget", tags: ["a", "b"], note: "ü & <>" };

describe("session.fetch", () => {
  it.each([
    ["bearer", "Bearer"],
    ["BEARER", "Bearer"],
    [undefined, "Bearer"],
    ["MAC", "MAC"],
  ])("sends Authorization for token type %s as %s", async (tokenType, scheme) => {
    const tokens = await issuer(() => ({ status: 200, body: { access_token: "at-1", expires_in: 60, ...(tokenType ? { token_type: tokenType } : {}) } }));
    const apiServer = await api(() => "at-1");
    const session = sessionFor(tokens.url, apiServer.url);
    const response = await session.fetch(`${apiServer.url}/items?q=1`, { headers: { "X-Trace": "t1" } });
    await response.text();
    expect(apiServer.requests[0]?.headers.authorization).toBe(`${scheme} at-1`);
    expect(apiServer.requests[0]?.headers["x-trace"]).toBe("t1");
    expect(apiServer.requests[0]?.url).toBe("/items?q=1");
  });

  it("on a 401 gets one new token and replays the request once, body and all", async () => {
    const tokens = await issuer();
    let accepted = "at-2";
    const apiServer = await api(() => accepted);
    const session = sessionFor(tokens.url, apiServer.url);
    const response = await session.fetch(new URL("/items", apiServer.url), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(BODY),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ seen: JSON.stringify(BODY), auth: "Bearer at-2" });
    expect(apiServer.requests.map((r) => [r.method, r.headers.authorization, r.headers["content-type"], r.body])).toEqual([
      ["POST", "Bearer at-1", "application/json", JSON.stringify(BODY)],
      ["POST", "Bearer at-2", "application/json", JSON.stringify(BODY)],
    ]);
    expect(tokens.requests.map((r) => form(r.body).get("grant_type"))).toEqual(["client_credentials", "refresh_token"]);
    accepted = "at-3";
    expect((await session.fetch(`${apiServer.url}/items`)).status).toBe(200);
    expect(tokens.requests).toHaveLength(3);
  });

  it("refreshes once for many concurrent 401s", async () => {
    const tokens = await issuer();
    const apiServer = await api(() => "at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => session.fetch(`${apiServer.url}/items/${i}`, { method: "PUT", body: `body-${i}` })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(tokens.requests).toHaveLength(2);
    expect(apiServer.requests).toHaveLength(40);
    const replays = apiServer.requests.filter((r) => r.headers.authorization === "Bearer at-2");
    expect(replays.map((r) => r.body).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `body-${i}`).sort());
  });

  it("does not drop a newer token when a 401 answers an older one", async () => {
    const tokens = await issuer((n) => ({ status: 200, body: tokenBody(n, { expires_in: 60 }) }));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const apiServer = await api(() => "at-2", (auth) => (auth === "Bearer at-1" ? held : Promise.resolve()));
    const clock = testClock();
    const store = new RecordingStore(new MemoryTokenStore(clock.now));
    const session = createSession(makeGrant({ baseUrl: tokens.url, clock }), { origins: [apiServer.url], store });
    const pending = session.fetch(`${apiServer.url}/slow`);
    await delay(20);
    clock.advance(60_000);
    expect(await session.getAccessToken()).toBe("at-2");
    const storeCalls = store.calls.length;
    release();
    expect((await pending).status).toBe(200);
    expect(tokens.requests).toHaveLength(2);
    // The 401 was for a token already replaced: the current one is used as it is.
    expect(store.calls.length).toBe(storeCalls);
    expect(await session.getAccessToken()).toBe("at-2");
  });

  it("returns a second 401 as it is, without a loop", async () => {
    const tokens = await issuer();
    const apiServer = await api(() => undefined);
    const session = sessionFor(tokens.url, apiServer.url);
    const response = await session.fetch(`${apiServer.url}/items`, { method: "POST", body: "x" });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "invalid_token" });
    expect(apiServer.requests).toHaveLength(2);
    expect(tokens.requests).toHaveLength(2);
  });

  it("rejects with the typed error when no new token can be had after a 401", async () => {
    const tokens = await issuer((n) => (n === 1 ? { status: 200, body: tokenBody(1) } : { status: 401, body: { error: "invalid_client" } }));
    const apiServer = await api(() => undefined);
    const session = sessionFor(tokens.url, apiServer.url);
    const error: unknown = await session.fetch(`${apiServer.url}/items`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenResponseError);
    expect(apiServer.requests).toHaveLength(1);
  });

  it("refuses other origins before any token is requested", async () => {
    const tokens = await issuer();
    const apiServer = await api(() => "at-1");
    const other = await api(() => "at-1");
    const session = sessionFor(tokens.url, apiServer.url);
    await expect(session.fetch(`${other.url}/items`)).rejects.toBeInstanceOf(TokenOriginError);
    await expect(session.fetch(`${apiServer.url.replace("127.0.0.1", "localhost")}/items`)).rejects.toBeInstanceOf(TokenOriginError);
    const noOrigins = createSession(makeGrant({ baseUrl: tokens.url, clock: testClock() }));
    await expect(noOrigins.fetch(`${apiServer.url}/items`)).rejects.toBeInstanceOf(TokenOriginError);
    expect(tokens.requests).toHaveLength(0);
    expect(other.requests).toHaveLength(0);
    expect(apiServer.requests).toHaveLength(0);
  });

  it("sends through the client's injected fetch", async () => {
    const tokens = await issuer();
    const apiServer = await api(() => "at-2");
    const seen: string[] = [];
    const counting: FetchLike = (input, init) => {
      seen.push(`${init.method ?? "GET"} ${new URL(input).pathname}`);
      return fetch(input, init);
    };
    const session = sessionFor(tokens.url, apiServer.url, counting);
    expect((await session.fetch(`${apiServer.url}/items`, { method: "DELETE" })).status).toBe(200);
    expect(seen).toEqual(["POST /oauth/token", "DELETE /items", "POST /oauth/token", "DELETE /items"]);
  });
});

interface Paths {
  "/items": {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    get: {
      parameters: { query?: never; header?: never; path?: never; cookie?: never };
      requestBody?: never;
      responses: { 200: { headers: { [name: string]: unknown }; content: { "application/json": { seen: string; auth: string } } } };
    };
    post: {
      parameters: { query?: never; header?: never; path?: never; cookie?: never };
      requestBody: { content: { "application/json": { name: string; tags: string[]; note: string } } };
      responses: {
        200: { headers: { [name: string]: unknown }; content: { "application/json": { seen: string; auth: string } } };
        401: { headers: { [name: string]: unknown }; content: { "application/json": { error: string } } };
      };
    };
  };
}

describe("session.middleware with openapi-fetch", () => {
  it("adds the token, and on a 401 refreshes once and replays the same body", async () => {
    const tokens = await issuer();
    const apiServer = await api(() => "at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const client = createClient<Paths>({ baseUrl: apiServer.url });
    client.use(session.middleware);
    const { data, response } = await client.POST("/items", { body: BODY });
    expect(response.status).toBe(200);
    expect(data).toEqual({ seen: JSON.stringify(BODY), auth: "Bearer at-2" });
    expect(apiServer.requests.map((r) => [r.headers.authorization, r.body])).toEqual([
      ["Bearer at-1", JSON.stringify(BODY)],
      ["Bearer at-2", JSON.stringify(BODY)],
    ]);
    const again = await client.GET("/items");
    expect(again.data?.auth).toBe("Bearer at-2");
    expect(tokens.requests).toHaveLength(2);
    expect(apiServer.requests).toHaveLength(3);
  });

  it("returns a second 401 as it is", async () => {
    const tokens = await issuer();
    const apiServer = await api(() => undefined);
    const session = sessionFor(tokens.url, apiServer.url);
    const client = createClient<Paths>({ baseUrl: apiServer.url });
    client.use(session.middleware);
    const { error, response } = await client.POST("/items", { body: BODY });
    expect(response.status).toBe(401);
    expect(error).toEqual({ error: "invalid_token" });
    expect(apiServer.requests).toHaveLength(2);
    expect(tokens.requests).toHaveLength(2);
  });

  it("refuses other origins before any token is requested", async () => {
    const tokens = await issuer();
    const apiServer = await api(() => "at-1");
    const other = await api(() => "at-1");
    const session = sessionFor(tokens.url, apiServer.url);
    const client = createClient<Paths>({ baseUrl: other.url });
    client.use(session.middleware);
    await expect(client.GET("/items")).rejects.toBeInstanceOf(TokenOriginError);
    expect(tokens.requests).toHaveLength(0);
    expect(other.requests).toHaveLength(0);
  });
});
