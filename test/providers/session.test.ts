// The generated createZypeSession() of a provider with a refresh grant (Zype): opened
// with the password grant, it refreshes with the refresh_token grant once the
// token is inside its refresh margin, presents the latest refresh token, and
// keeps the old one when a refresh answer carries none.
import { describe, expect, it } from "vitest";
import { createZypeClient, createZypeSession } from "../../generated/zype/index.js";
import { startTokenServer, type TokenServer } from "../support/loopback.js";
import { afterEach } from "vitest";

const servers: TokenServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("zype session (generated)", () => {
  it("password, then refresh_token with rotation, on the client's clock", async () => {
    let now = 1_750_000_000_000;
    let issued = 0;
    const rotate = [true, false];
    const server = await startTokenServer((request) => {
      issued++;
      const body = JSON.parse(request.body) as Record<string, unknown>;
      const refreshToken = body["grant_type"] === "password" || rotate.shift() ? `rt-${issued}` : undefined;
      return {
        status: 200,
        headers: { Date: new Date(now).toUTCString() },
        body: { access_token: `at-${issued}`, token_type: "bearer", expires_in: 600, created_at: now / 1000, ...(refreshToken ? { refresh_token: refreshToken } : {}) },
      };
    });
    servers.push(server);
    const zype = createZypeClient({ baseUrl: server.url, clientId: "id", clientSecret: "secret", clock: () => now });
    const session = createZypeSession(zype, { grant: "password", username: "u@example.com", password: "pw" });

    expect(await Promise.all([session.getAccessToken(), session.getAccessToken()])).toEqual(["at-1", "at-1"]);
    now += 539_000; // 600 s lifetime: the margin is min(60 s, 10%) = 60 s, so still fresh
    expect(await session.getAccessToken()).toBe("at-1");
    now += 2_000; // inside the margin: refresh with the refresh token
    expect(await session.getAccessToken()).toBe("at-2");
    now += 600_000;
    expect(await session.getAccessToken()).toBe("at-3"); // this answer carries no refresh token
    now += 600_000;
    expect(await session.getAccessToken()).toBe("at-4");

    const sent = server.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(sent.map((b) => [b["grant_type"], b["refresh_token"]])).toEqual([
      ["password", undefined],
      ["refresh_token", "rt-1"],
      ["refresh_token", "rt-2"],
      ["refresh_token", "rt-2"], // kept: the third answer had no new refresh token
    ]);
    expect(sent[1]).toEqual({ grant_type: "refresh_token", refresh_token: "rt-1", client_id: "id", client_secret: "secret" });
    await session.close();
  });
});
