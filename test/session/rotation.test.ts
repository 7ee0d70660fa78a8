import { afterEach, describe, expect, it } from "vitest";
import { TokenResponseError } from "../../generator/runtime/errors.js";
import { ReauthenticationRequiredError } from "../../generator/runtime/session-errors.js";
import { createSession } from "../../generator/runtime/session.js";
import { MemoryTokenStore } from "../../generator/runtime/store.js";
import type { GrantRule } from "../../generator/runtime/types.js";
import { ACCESS_TOKEN_LIFETIME_S, USERNAME, USER_PASSWORD, startOAuthServer } from "./oauth-server.js";
import type { OAuthServer } from "./oauth-server.js";
import { RecordingStore, codeGrant, delay, form, makeGrant, testClock, tokenBody, useServers } from "./helpers.js";

const start = useServers();
const passwordGrant: GrantRule = { grantType: "password", grantField: "grant_type", clientAuth: { kind: "basic" } };

describe("refresh-token rotation against @node-oauth/oauth2-server", () => {
  let server: OAuthServer | undefined;
  afterEach(async () => {
    await server?.http.close();
    server = undefined;
  });

  it("always presents the newest refresh token, never a revoked one, across sessions sharing a store", async () => {
    server = await startOAuthServer();
    const clock = testClock();
    const store = new MemoryTokenStore(clock.now);
    const grant = () => makeGrant({ baseUrl: server?.http.url ?? "", clock, rule: passwordGrant, params: { username: USERNAME, password: USER_PASSWORD } });
    const sessions = [createSession(grant(), { store }), createSession(grant(), { store }), createSession(grant(), { store })];
    const seen = new Set<string>();
    const fresh = (token: string): void => {
      expect(seen.has(token)).toBe(false);
      seen.add(token);
    };
    fresh(await sessions[0]?.getAccessToken() ?? "");
    for (let cycle = 0; cycle < 8; cycle++) {
      clock.advance(ACCESS_TOKEN_LIFETIME_S * 1000);
      const tokens = await Promise.all(sessions.flatMap((session) => Array.from({ length: 20 }, () => session.getAccessToken())));
      expect(new Set(tokens).size).toBe(1);
      fresh(tokens[0] ?? "");
      if (cycle % 2 === 1) {
        // One process finds its token refused: it alone moves on, with the newest refresh token.
        await sessions[1]?.invalidate();
        const replaced = await Promise.all(Array.from({ length: 10 }, () => sessions[1]?.getAccessToken()));
        expect(new Set(replaced).size).toBe(1);
        fresh(replaced[0] ?? "");
        expect(await sessions[0]?.getAccessToken()).toBe(tokens[0]);
      }
    }
    const grantTypes = server.http.requests.map((r) => form(r.body).get("grant_type"));
    expect(grantTypes).toEqual(["password", ...Array.from({ length: 12 }, () => "refresh_token")]);
    expect(server.errors).toEqual([]);
    expect(server.presented).toHaveLength(12);
    expect(server.presented.every((p) => p.valid)).toBe(true);
    const stored = await store.get(await keyOf(grant().keyParts));
    expect(stored?.refreshToken).toBe(server.issued.at(-1));
    expect(server.isRevoked(stored?.refreshToken ?? "")).toBe(false);
  });
});

describe("refresh tokens", () => {
  it("keeps the old refresh token when a refresh answer carries none", async () => {
    let n = 0;
    const http = await start(() => {
      n += 1;
      return { status: 200, body: n === 1 ? tokenBody(1, { expires_in: 60 }) : { access_token: `at-${n}`, expires_in: 60 } };
    });
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: http.url, clock }));
    await session.getAccessToken();
    for (let i = 0; i < 2; i++) {
      clock.advance(60_000);
      await session.getAccessToken();
    }
    expect(http.requests.slice(1).map((r) => form(r.body).get("refresh_token"))).toEqual(["rt-1", "rt-1"]);
    const result = await session.getToken();
    expect(result.ok && result.token.refreshToken).toBe("rt-1");
  });

  it("stores a rotated refresh token before any caller sees the new access token", async () => {
    let n = 0;
    const http = await start(() => {
      n += 1;
      return { status: 200, body: tokenBody(n, { expires_in: 60 }) };
    });
    const clock = testClock();
    const inner = new MemoryTokenStore(clock.now);
    const events: string[] = [];
    // A slow store: the write lands 20 ms after it is asked for.
    const store = new RecordingStore({
      get: (key) => inner.get(key),
      delete: (key) => inner.delete(key),
      acquire: (key, ms) => inner.acquire(key, ms),
      waitForChange: (key, ms) => inner.waitForChange(key, ms),
      coolDown: (key, ms) => inner.coolDown(key, ms),
      coolDownRemaining: (key) => inner.coolDownRemaining(key),
      set: async (key, token) => {
        await delay(20);
        const written = await inner.set(key, token);
        events.push(`stored:${token.refreshToken ?? "-"}`);
        return written;
      },
    });
    const session = createSession(makeGrant({ baseUrl: http.url, clock }), { store });
    await session.getAccessToken();
    clock.advance(60_000);
    const seen = await Promise.all(
      Array.from({ length: 5 }, () =>
        session.getAccessToken().then(async (token) => {
          events.push(`resolved:${token}`);
          const key = await keyOf(makeGrant({ baseUrl: http.url, clock }).keyParts);
          return (await inner.get(key))?.refreshToken;
        }),
      ),
    );
    expect(seen).toEqual(Array.from({ length: 5 }, () => "rt-2"));
    expect(events.slice(0, 3)).toEqual(["stored:rt-1", "stored:rt-2", "resolved:at-2"]);
  });

  it.each([
    ["a documented", 400],
    ["an undocumented", 403],
  ])("falls back to the original grant on invalid_grant with %s status when it may run again", async (_name, status) => {
    let n = 0;
    const http = await start(() => {
      n += 1;
      return n === 2 ? { status, body: { error: "invalid_grant" } } : { status: 200, body: tokenBody(n, { expires_in: 60 }) };
    });
    const clock = testClock();
    const store = new RecordingStore(new MemoryTokenStore(clock.now));
    const session = createSession(makeGrant({ baseUrl: http.url, clock }), { store });
    await session.getAccessToken();
    clock.advance(60_000);
    expect(await session.getAccessToken()).toBe("at-3");
    expect(http.requests.map((r) => form(r.body).get("grant_type"))).toEqual(["client_credentials", "refresh_token", "client_credentials"]);
    expect(store.calls).toContain("set:at-3:rt-3");
  });

  it("asks for reauthentication on invalid_grant when the grant cannot run again, without looping", async () => {
    let n = 0;
    const http = await start(() => {
      n += 1;
      return n === 1 ? { status: 200, body: tokenBody(1, { expires_in: 60 }) } : { status: 400, body: { error: "invalid_grant" } };
    });
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: http.url, clock, rule: codeGrant, params: { code: "c-1" }, reobtainable: false }));
    await session.getAccessToken();
    clock.advance(60_000);
    const error: unknown = await session.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReauthenticationRequiredError);
    const cause = (error as ReauthenticationRequiredError).cause;
    expect(cause).toBeInstanceOf(TokenResponseError);
    expect(cause).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const again = await session.getToken();
    expect(again.ok === false && again.error).toBeInstanceOf(ReauthenticationRequiredError);
    expect(http.requests.map((r) => form(r.body).get("grant_type"))).toEqual(["authorization_code", "refresh_token"]);
  });

  it("does not fall back on other refresh errors", async () => {
    let n = 0;
    const http = await start(() => {
      n += 1;
      return n === 1 ? { status: 200, body: tokenBody(1, { expires_in: 60 }) } : { status: 401, body: { error: "invalid_client" } };
    });
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: http.url, clock }));
    await session.getAccessToken();
    clock.advance(60_000);
    await expect(session.getAccessToken()).rejects.toMatchObject({ kind: "response", status: 401 });
    expect(http.requests).toHaveLength(2);
  });
});

async function keyOf(parts: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  return Buffer.from(digest).toString("hex");
}
