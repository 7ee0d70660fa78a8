import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TokenClientConfigError } from "../../generator/runtime/errors.js";
import { ReauthenticationRequiredError } from "../../generator/runtime/session-errors.js";
import { createSession } from "../../generator/runtime/session.js";
import { MemoryTokenStore } from "../../generator/runtime/store.js";
import { CLIENT_SECRET, NOW, RecordingStore, codeGrant, form, makeGrant, testClock, tokenBody, useServers } from "./helpers.js";

const start = useServers();

/** A token server answering the n-th request with at-n / rt-n, living `expiresIn` seconds. */
async function issuer(expiresIn: number | undefined = 3600) {
  let n = 0;
  return start(() => {
    n += 1;
    const body = tokenBody(n);
    if (expiresIn === undefined) delete body["expires_in"];
    else body["expires_in"] = expiresIn;
    return { status: 200, body };
  });
}

describe("warm cache", () => {
  it("serves the token again without a request or a store call, as the same promise", async () => {
    const server = await issuer();
    const clock = testClock();
    const store = new RecordingStore(new MemoryTokenStore(clock.now));
    const session = createSession(makeGrant({ baseUrl: server.url, clock }), { store });
    expect(await session.getAccessToken()).toBe("at-1");
    const callsAfterFirst = store.calls.length;
    const first = session.getAccessToken();
    for (let i = 0; i < 1000; i++) expect(session.getAccessToken()).toBe(first);
    expect(await first).toBe("at-1");
    const result = await session.getToken();
    expect(result).toEqual({
      ok: true,
      token: { accessToken: "at-1", tokenType: "Bearer", expiresAt: NOW + 3_600_000, refreshToken: "rt-1", receivedAt: NOW, generation: 1 },
    });
    expect(server.requests).toHaveLength(1);
    expect(store.calls.length).toBe(callsAfterFirst);
  });

  it("keeps the warm path cheap (well under a microsecond a call)", async () => {
    const server = await issuer();
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }));
    await session.getAccessToken();
    const calls = 1_000_000;
    for (let i = 0; i < 10_000; i++) session.getAccessToken();
    const started = performance.now();
    for (let i = 0; i < calls; i++) session.getAccessToken();
    const nsPerCall = ((performance.now() - started) * 1e6) / calls;
    expect(nsPerCall).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });

  it("hashes the key parts (SHA-256, hex) into the store key, so no credential is a key", async () => {
    const server = await issuer();
    const store = new MemoryTokenStore();
    const keyParts = ["provider", "client", "password", JSON.stringify({ password: CLIENT_SECRET })];
    await createSession(makeGrant({ baseUrl: server.url, clock: testClock(), keyParts }), { store }).getAccessToken();
    const key = createHash("sha256").update(keyParts.join("\0")).digest("hex");
    expect((await store.get(key))?.accessToken).toBe("at-1");
  });
});

describe("refresh ahead of expiry", () => {
  it("refreshes 60 s before expiry for a long-lived token (the cap)", async () => {
    const server = await issuer(3600);
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: server.url, clock }));
    expect(await session.getAccessToken()).toBe("at-1");
    clock.advance(3_600_000 - 60_000 - 1);
    expect(await session.getAccessToken()).toBe("at-1");
    expect(server.requests).toHaveLength(1);
    clock.advance(1);
    expect(await session.getAccessToken()).toBe("at-2");
    expect(server.requests).toHaveLength(2);
    expect(form(server.requests[1]?.body ?? "").get("refresh_token")).toBe("rt-1");
  });

  it("refreshes at 90% of the lifetime for a short-lived token (the 10% rule)", async () => {
    const server = await issuer(100);
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: server.url, clock }));
    await session.getAccessToken();
    clock.advance(89_999);
    expect(await session.getAccessToken()).toBe("at-1");
    clock.advance(1);
    expect(await session.getAccessToken()).toBe("at-2");
    expect(server.requests).toHaveLength(2);
  });

  it("uses refreshMarginMs when given", async () => {
    const server = await issuer(3600);
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: server.url, clock }), { refreshMarginMs: 5_000 });
    await session.getAccessToken();
    clock.advance(3_595_000 - 1);
    expect(await session.getAccessToken()).toBe("at-1");
    clock.advance(1);
    expect(await session.getAccessToken()).toBe("at-2");
  });

  it("keeps a token without expiry until invalidate()", async () => {
    const server = await issuer(undefined);
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: server.url, clock, endpoint: { expiry: { kind: "none" } } }));
    expect(await session.getAccessToken()).toBe("at-1");
    clock.advance(10 * 365 * 86_400_000);
    expect(await session.getAccessToken()).toBe("at-1");
    await session.invalidate();
    expect(await session.getAccessToken()).toBe("at-2");
    expect(server.requests).toHaveLength(2);
  });

  it("runs the original grant again when no refresh grant exists", async () => {
    const server = await issuer(60);
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: server.url, clock, refresh: false }));
    await session.getAccessToken();
    clock.advance(60_000);
    expect(await session.getAccessToken()).toBe("at-2");
    expect(server.requests.map((r) => form(r.body).get("grant_type"))).toEqual(["client_credentials", "client_credentials"]);
  });

  it("refreshes a single-use grant's token with its refresh token, never sending the code again", async () => {
    const server = await issuer(60);
    const clock = testClock();
    const grant = makeGrant({ baseUrl: server.url, clock, rule: codeGrant, params: { code: "c-1" }, reobtainable: false });
    const session = createSession(grant);
    await session.getAccessToken();
    clock.advance(60_000);
    expect(await session.getAccessToken()).toBe("at-2");
    expect(server.requests.map((r) => form(r.body).get("grant_type"))).toEqual(["authorization_code", "refresh_token"]);
  });

  it("asks for reauthentication when a single-use grant's token expires without a refresh token", async () => {
    const server = await issuer(60);
    const clock = testClock();
    const grant = makeGrant({ baseUrl: server.url, clock, rule: codeGrant, params: { code: "c-1" }, reobtainable: false, refresh: false });
    const session = createSession(grant);
    await session.getAccessToken();
    clock.advance(60_000);
    await expect(session.getAccessToken()).rejects.toBeInstanceOf(ReauthenticationRequiredError);
    const result = await session.getToken();
    expect(result.ok === false && result.error).toBeInstanceOf(ReauthenticationRequiredError);
    expect(server.requests).toHaveLength(1);
  });
});

describe("options", () => {
  it.each([
    [{ refreshMarginMs: -1 }],
    [{ refreshMarginMs: Number.NaN }],
    [{ leaseMs: 0 }],
    [{ leaseMs: 2 ** 31 }],
    [{ retry: { tries: 0 } }],
    [{ retry: { tries: 1.5 } }],
    [{ retry: { baseDelayMs: -1 } }],
    [{ retry: { maxDelayMs: 2 ** 31 } }],
    [{ origins: ["not a url"] }],
    [{ origins: ["http://api.example.com"] }],
    [{ origins: ["https://api.example.com/v1"] }],
  ])("refuses %j", (options) => {
    const grant = makeGrant({ baseUrl: "http://127.0.0.1:1", clock: testClock() });
    expect(() => createSession(grant, options)).toThrow(TokenClientConfigError);
  });

  it("accepts origins with a trailing slash or a loopback http origin", () => {
    const grant = makeGrant({ baseUrl: "http://127.0.0.1:1", clock: testClock() });
    expect(() => createSession(grant, { origins: ["https://api.example.com/", "http://127.0.0.1:8080"] })).not.toThrow();
  });
});
