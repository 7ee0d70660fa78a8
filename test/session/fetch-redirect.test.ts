// session.fetch follows redirects as fetch does, but by hand, so that the
// token goes to the session's origins only.
import { describe, expect, it } from "vitest";
import { MAX_REDIRECTS } from "../../generator/runtime/session-fetch.js";
import { createSession } from "../../generator/runtime/session.js";
import type { RecordedRequest, TokenServer, TokenServerReply } from "../support/loopback.js";
import { makeGrant, testClock, tokenBody, useServers, useUnhandledRejectionTrap } from "./helpers.js";

const start = useServers();
useUnhandledRejectionTrap();

async function issuer() {
  let n = 0;
  return start(() => ({ status: 200, body: tokenBody(++n) }));
}

type Route = (request: RecordedRequest) => TokenServerReply;

/** A server answering by path; `/end` (the default) echoes what it got. */
async function routes(table: Readonly<Record<string, Route>>): Promise<TokenServer> {
  return start((request) => {
    const path = new URL(request.url, "http://x").pathname;
    const route = table[path];
    if (route !== undefined) return route(request);
    return { status: 200, body: echo(request) };
  });
}

function echo(request: RecordedRequest) {
  return { method: request.method, body: request.body, type: request.headers["content-type"] ?? null, auth: request.headers.authorization ?? null };
}

const to = (status: number, location: string): Route => () => ({ status, headers: { Location: location } });

function sessionFor(tokenUrl: string, origins: readonly string[]) {
  return createSession(makeGrant({ baseUrl: tokenUrl, clock: testClock() }), { origins, minRefreshIntervalMs: 0 });
}

/** The requests a server got, as [method, path, Authorization]. */
function hops(server: TokenServer) {
  return server.requests.map((r) => [r.method, r.url, r.headers.authorization ?? null]);
}

describe("session.fetch follows redirects as fetch does", () => {
  it.each([
    [301, "POST", "GET"],
    [302, "POST", "GET"],
    [303, "POST", "GET"],
    [307, "POST", "POST"],
    [308, "POST", "POST"],
    [301, "PUT", "PUT"],
    [302, "PUT", "PUT"],
    [303, "PUT", "GET"],
    [303, "HEAD", "HEAD"],
  ])("%i to a %s: the next request is a %s, with the token on the same origin", async (status, method, then) => {
    const tokens = await issuer();
    const apiServer = await routes({ "/start": to(status, "/end?x=1") });
    const session = sessionFor(tokens.url, [apiServer.url]);
    const body = method === "HEAD" ? undefined : "the body";
    const init: RequestInit = { method, headers: { "Content-Type": "text/plain", "X-Trace": "t1" }, ...(body !== undefined ? { body } : {}) };
    const response = await session.fetch(`${apiServer.url}/start`, init);
    expect(response.status).toBe(200);
    expect(response.redirected).toBe(true);
    expect(response.url).toBe(`${apiServer.url}/end?x=1`);
    const kept = then === method && body !== undefined;
    if (then !== "HEAD") {
      expect(await response.json()).toEqual({ method: then, body: kept ? body : "", type: kept ? "text/plain" : null, auth: "Bearer at-1" });
    }
    expect(hops(apiServer)).toEqual([
      [method, "/start", "Bearer at-1"],
      [then, "/end?x=1", "Bearer at-1"],
    ]);
    expect(apiServer.requests[1]?.headers["x-trace"]).toBe("t1");
    // What the platform's fetch sends to the same redirect (without a token).
    const plain = await fetch(`${apiServer.url}/start`, init);
    expect(plain.status).toBe(200);
    const [mine, theirs] = [apiServer.requests[1], apiServer.requests[3]];
    expect([theirs?.method, theirs?.url, theirs?.body, theirs?.headers["content-type"]]).toEqual([mine?.method, mine?.url, mine?.body, mine?.headers["content-type"]]);
    await session.close();
  });

  it("sends an ArrayBuffer body again on a 307 (Node's fetch fails on this one)", async () => {
    const tokens = await issuer();
    const apiServer = await routes({ "/start": to(307, "/end") });
    const session = sessionFor(tokens.url, [apiServer.url]);
    const bytes = new TextEncoder().encode("binary body");
    const response = await session.fetch(`${apiServer.url}/start`, { method: "POST", body: bytes.slice().buffer });
    expect(await response.json()).toEqual({ method: "POST", body: "binary body", type: null, auth: "Bearer at-1" });
    await session.close();
  });

  it("follows 20 redirects and fails on the 21st with a TypeError, as fetch", async () => {
    expect(MAX_REDIRECTS).toBe(20);
    const tokens = await issuer();
    const apiServer = await routes({
      "/hop": (request) => {
        const n = Number(new URL(request.url, "http://x").searchParams.get("n"));
        return n < 20 ? { status: 302, headers: { Location: `/hop?n=${n + 1}` } } : { status: 200, body: echo(request) };
      },
      "/loop": to(302, "/loop"),
    });
    const session = sessionFor(tokens.url, [apiServer.url]);
    const twenty = await session.fetch(`${apiServer.url}/hop?n=0`);
    expect(twenty.status).toBe(200);
    expect(apiServer.requests).toHaveLength(21);
    expect(apiServer.requests.every((r) => r.headers.authorization === "Bearer at-1")).toBe(true);
    await expect(fetch(`${apiServer.url}/hop?n=-1`)).rejects.toBeInstanceOf(TypeError);
    const before = apiServer.requests.length;
    await expect(session.fetch(`${apiServer.url}/hop?n=-1`)).rejects.toBeInstanceOf(TypeError);
    expect(apiServer.requests.length - before).toBe(21);
    await expect(session.fetch(`${apiServer.url}/loop`)).rejects.toThrow(/more than 20 redirects/);
    await session.close();
  });

  it('returns the redirect itself with redirect: "manual"', async () => {
    const tokens = await issuer();
    const apiServer = await routes({ "/start": to(302, "/end") });
    const session = sessionFor(tokens.url, [apiServer.url]);
    const response = await session.fetch(`${apiServer.url}/start`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/end");
    expect(response.redirected).toBe(false);
    expect(hops(apiServer)).toEqual([["GET", "/start", "Bearer at-1"]]);
    await session.close();
  });

  it('rejects with a TypeError on a redirect with redirect: "error"', async () => {
    const tokens = await issuer();
    const apiServer = await routes({ "/start": to(307, "/end") });
    const session = sessionFor(tokens.url, [apiServer.url]);
    await expect(session.fetch(`${apiServer.url}/start`, { method: "POST", body: "x", redirect: "error" })).rejects.toBeInstanceOf(TypeError);
    expect(hops(apiServer)).toEqual([["POST", "/start", "Bearer at-1"]]);
    await session.close();
  });

  it("returns a redirect status without a Location as it is", async () => {
    const tokens = await issuer();
    const apiServer = await routes({ "/start": () => ({ status: 302, body: "no location" }) });
    const session = sessionFor(tokens.url, [apiServer.url]);
    const response = await session.fetch(`${apiServer.url}/start`);
    expect([response.status, await response.text()]).toEqual([302, "no location"]);
    await session.close();
  });

  it("refuses a redirect to a URL with credentials or another scheme, without quoting it", async () => {
    const tokens = await issuer();
    const elsewhere = await routes({});
    const secret = "pass-Zq81";
    const apiServer = await routes({
      "/userinfo": to(302, `${elsewhere.url.replace("//", `//user:${secret}@`)}/end`),
      "/scheme": to(302, "ftp://files.example/x"),
      "/bad": to(302, "http://[::1"),
    });
    const session = sessionFor(tokens.url, [apiServer.url]);
    for (const path of ["/userinfo", "/scheme", "/bad"]) {
      const error: unknown = await session.fetch(`${apiServer.url}${path}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect(String((error as Error).message)).not.toContain(secret);
    }
    expect(elsewhere.requests).toHaveLength(0);
    await session.close();
  });
});

describe("session.fetch sends the token across redirects only to its origins", () => {
  it.each([302, 307])("drops Authorization on a %i to an origin outside the session's", async (status) => {
    const tokens = await issuer();
    const elsewhere = await routes({});
    const apiServer = await routes({ "/start": to(status, `${elsewhere.url}/end`) });
    const session = sessionFor(tokens.url, [apiServer.url]);
    const response = await session.fetch(`${apiServer.url}/start`, {
      method: "POST",
      body: "the body",
      headers: { Authorization: "Bearer set-by-the-caller" },
    });
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${elsewhere.url}/end`);
    expect(hops(apiServer)).toEqual([["POST", "/start", "Bearer at-1"]]);
    expect(hops(elsewhere)).toEqual([[status === 307 ? "POST" : "GET", "/end", null]]);
    expect(elsewhere.requests[0]?.body).toBe(status === 307 ? "the body" : "");
    await session.close();
  });

  it("sends the current token to another of its origins, and again on the way back", async () => {
    const tokens = await issuer();
    const outside = await routes({ "/back": (request) => ({ status: 307, headers: { Location: request.headers["x-back"] as string } }) });
    const second = await routes({ "/next": to(307, `${outside.url}/back`) });
    const first = await routes({ "/start": to(307, `${second.url}/next`) });
    const session = sessionFor(tokens.url, [first.url, second.url]);
    const response = await session.fetch(`${first.url}/start`, { method: "PUT", body: "b", headers: { "X-Back": `${first.url}/end` } });
    expect(await response.json()).toEqual({ method: "PUT", body: "b", type: "text/plain;charset=UTF-8", auth: "Bearer at-1" });
    expect(hops(first)).toEqual([
      ["PUT", "/start", "Bearer at-1"],
      ["PUT", "/end", "Bearer at-1"],
    ]);
    expect(hops(second)).toEqual([["PUT", "/next", "Bearer at-1"]]);
    expect(hops(outside)).toEqual([["PUT", "/back", null]]);
    await session.close();
  });

  it("returns a 401 from an origin outside the session's as it is, without a new token", async () => {
    const tokens = await issuer();
    const elsewhere = await routes({ "/end": () => ({ status: 401, body: "who are you" }) });
    const apiServer = await routes({ "/start": to(302, `${elsewhere.url}/end`) });
    const session = sessionFor(tokens.url, [apiServer.url]);
    const response = await session.fetch(`${apiServer.url}/start`);
    expect([response.status, await response.text()]).toEqual([401, "who are you"]);
    expect(tokens.requests).toHaveLength(1);
    expect(apiServer.requests).toHaveLength(1);
    await session.close();
  });

  it("replays the whole chain with a new token after a 401 at its end", async () => {
    const tokens = await issuer();
    const apiServer = await routes({
      "/start": to(307, "/end"),
      "/end": (request) => (request.headers.authorization === "Bearer at-2" ? { status: 200, body: echo(request) } : { status: 401 }),
    });
    const session = sessionFor(tokens.url, [apiServer.url]);
    const response = await session.fetch(`${apiServer.url}/start`, { method: "POST", body: "b" });
    expect(await response.json()).toEqual({ method: "POST", body: "b", type: "text/plain;charset=UTF-8", auth: "Bearer at-2" });
    expect(hops(apiServer)).toEqual([
      ["POST", "/start", "Bearer at-1"],
      ["POST", "/end", "Bearer at-1"],
      ["POST", "/start", "Bearer at-2"],
      ["POST", "/end", "Bearer at-2"],
    ]);
    await session.close();
  });
});

describe("session.fetch with a streamed body and a redirect", () => {
  function stream(): RequestInit {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    return { method: "POST", body, duplex: "half" } as RequestInit;
  }

  it.each([301, 302, 303, 307, 308])("fails on a %i with a TypeError, having sent the body once", async (status) => {
    const tokens = await issuer();
    const apiServer = await routes({ "/start": to(status, "/end") });
    const session = sessionFor(tokens.url, [apiServer.url]);
    await expect(session.fetch(`${apiServer.url}/start`, stream())).rejects.toBeInstanceOf(TypeError);
    expect(apiServer.requests.map((r) => [r.url, r.body])).toEqual([["/start", "streamed"]]);
    await session.close();
  });

  it('returns the redirect with redirect: "manual"', async () => {
    const tokens = await issuer();
    const apiServer = await routes({ "/start": to(303, "/end") });
    const session = sessionFor(tokens.url, [apiServer.url]);
    const response = await session.fetch(`${apiServer.url}/start`, { ...stream(), redirect: "manual" });
    expect(response.status).toBe(303);
    expect(apiServer.requests).toHaveLength(1);
    await session.close();
  });
});
