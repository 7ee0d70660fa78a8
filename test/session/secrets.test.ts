import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { InvalidTokenValueError, ReauthenticationRequiredError, TokenOriginError } from "../../generator/runtime/session-errors.js";
import { createSession } from "../../generator/runtime/session.js";
import { CLIENT_SECRET, codeGrant, makeGrant, testClock, tokenBody, useServers } from "./helpers.js";

const start = useServers();

const FORBIDDEN = [CLIENT_SECRET, "Qx81", "at-1", "rt-1", "hidden-part"];

function expectNothingSecret(error: unknown): void {
  const message = error instanceof Error ? error.message : "";
  for (const text of [message, String(error), JSON.stringify(error) ?? "", inspect(error, { depth: 8, showHidden: true })]) {
    for (const secret of FORBIDDEN) expect(text).not.toContain(secret);
  }
}

describe("nothing secret in session errors", () => {
  it("ReauthenticationRequiredError and its cause", async () => {
    let n = 0;
    const server = await start(() => {
      n += 1;
      return n === 1 ? { status: 200, body: tokenBody(1, { expires_in: 60 }) } : { status: 400, body: { error: "invalid_grant" } };
    });
    const clock = testClock();
    const session = createSession(makeGrant({ baseUrl: server.url, clock, rule: codeGrant, params: { code: "c" }, reobtainable: false }));
    await session.getAccessToken();
    clock.advance(60_000);
    const error: unknown = await session.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReauthenticationRequiredError);
    expectNothingSecret(error);
  });

  it("TokenOriginError", async () => {
    const server = await start(() => ({ status: 200, body: tokenBody(1) }));
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { origins: ["https://api.example.com"] });
    await session.getAccessToken();
    const error: unknown = await session.fetch(`${server.url}/x`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenOriginError);
    expectNothingSecret(error);
  });

  it("a token no header can carry is refused when it arrives, as a typed error, without showing it", async () => {
    const server = await start((request) =>
      request.url === "/oauth/token" ? { status: 200, body: { access_token: "at-1\r\nhidden-part", expires_in: 60 } } : { status: 200 },
    );
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { origins: [server.url] });
    const error: unknown = await session.fetch(`${server.url}/api`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenValueError);
    expect(error).toMatchObject({ kind: "invalid_token_value", code: "TOKEN_INVALID_VALUE" });
    expectNothingSecret(error);
    const result = await session.getToken();
    expect(result.ok === false && result.error.kind).toBe("invalid_token_value");
    // Not kept: each later call asks again (at a bounded rate), never sends it to the API.
    expect(server.requests.map((r) => r.url)).toEqual(["/oauth/token", "/oauth/token"]);
  });

  it("the token does not follow a redirect to another origin", async () => {
    const elsewhere = await start(() => ({ status: 200, body: "elsewhere" }));
    const server = await start((request) =>
      request.url === "/oauth/token" ? { status: 200, body: tokenBody(1) } : { status: 302, headers: { Location: `${elsewhere.url}/landing` } },
    );
    const session = createSession(makeGrant({ baseUrl: server.url, clock: testClock() }), { origins: [server.url] });
    const response = await session.fetch(`${server.url}/api`);
    expect(await response.text()).toBe("elsewhere");
    expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer at-1");
    expect(elsewhere.requests).toHaveLength(1);
    expect(elsewhere.requests[0]?.headers.authorization).toBeUndefined();
  });
});
