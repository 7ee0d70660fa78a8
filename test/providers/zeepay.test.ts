// Zeepay: form body; password grant; client credentials in the body
// (client_secret required by the spec); expires_in relative; error 400.
import { describe, expect, it } from "vitest";
import { createZeepayClient } from "../../generated/zeepay/index.js";
import type { ZeepayClient } from "../../generated/zeepay/index.js";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  NOW,
  clock,
  documentedErrorStatuses,
  expectAnswerError,
  expectConformingRequest,
  tokenOf,
  useProviderServers,
} from "./harness.js";
import type { ProviderServer } from "./harness.js";

const start = useProviderServers("zeepay");
const AUTH = { kind: "body", clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } as const;
const ERROR_STATUSES = [400] as const;
const USER = { username: "ann+zee@example.com", password: "p@ss word&=é" } as const;

function client(server: ProviderServer): ZeepayClient {
  return createZeepayClient({ baseUrl: server.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clock });
}

describe("zeepay", () => {
  it("documents exactly the error statuses these tests cover", async () => {
    expect(await documentedErrorStatuses("zeepay")).toEqual([...ERROR_STATUSES]);
  });

  describe("password", () => {
    it("sends the spec's form request with body credentials and normalises a relative expires_in", async () => {
      const server = await start({ auth: AUTH, reply: { status: 200, overrides: { expires_in: 5400 } } });
      const result = await client(server).password({ ...USER });
      const exchange = server.only();

      expect(exchange.request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(exchange.fields).toStrictEqual({ grant_type: "password", ...USER, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
      expect(tokenOf(result)).toStrictEqual({
        accessToken: "sample-access_token",
        tokenType: "Bearer",
        expiresAt: NOW + 5400 * 1000,
        refreshToken: "sample-refresh_token",
        raw: exchange.replyBody,
      });
      await expectConformingRequest("zeepay", exchange);
    });

    it("counts the spec's example lifetime (one year) from the clock", async () => {
      const server = await start({ auth: AUTH, reply: { status: 200 } });
      const token = tokenOf(await client(server).password({ ...USER }));
      expect(server.only().replyBody).toHaveProperty("expires_in", 31_536_000);
      expect(token.expiresAt).toBe(NOW + 31_536_000 * 1000);
    });

    it.each(ERROR_STATUSES)("documented %i -> kind response with the typed body", async (status) => {
      const server = await start({ auth: AUTH, reply: { status } });
      const result = await client(server).password({ ...USER });
      expectAnswerError(result, server.only(), "response");
      if (!result.ok && result.error.kind === "response") {
        expect(result.error.status).toBe(400);
        expect(result.error.body.message).toBe("sample-message");
      } else {
        expect.unreachable("expected a documented error response");
      }
    });

    it("undocumented 418 -> kind unexpected_status with the body", async () => {
      const server = await start({ auth: AUTH, reply: { status: 418, undocumentedBody: { error: 418, message: "teapot" } } });
      const result = await client(server).password({ ...USER });
      expectAnswerError(result, server.only(), "unexpected_status");
    });
  });
});
