// Asset: form body; client_credentials with RFC 8707 `resource` (an array);
// client_id in the body and client_secret only when configured; the success
// body's `expires_in` is an ABSOLUTE unix time in seconds; errors
// 401/403/404/422/503; two named servers.
// That expires_in is a moment is the model's reading of the spec's description
// (generator/model/expiry.ts); the runtime applies the rule and reads nothing
// into a value's size, so the expiry rows below fail if the model says "relative".
import { describe, expect, it } from "vitest";
import { createAssetClient } from "../../generated/asset/index.js";
import type { AssetClient } from "../../generated/asset/index.js";
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

const start = useProviderServers("asset");
const ERROR_STATUSES = [401, 403, 404, 422, 503] as const;
const WITH_SECRET = { kind: "body", clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } as const;
const WITHOUT_SECRET = { kind: "body", clientId: CLIENT_ID } as const;

function client(server: ProviderServer, withSecret = true): AssetClient {
  return withSecret
    ? createAssetClient({ baseUrl: server.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clock })
    : createAssetClient({ baseUrl: server.url, clientId: CLIENT_ID, clock });
}

describe("asset", () => {
  it("documents exactly the error statuses these tests cover", async () => {
    expect(await documentedErrorStatuses("asset")).toEqual([...ERROR_STATUSES]);
  });

  describe("clientCredentials", () => {
    it("sends every field the caller gives, with body credentials, and reads expires_in as absolute seconds", async () => {
      const server = await start({ auth: WITH_SECRET, reply: { status: 200, overrides: { expires_in: 1_750_003_600 } } });
      const result = await client(server).clientCredentials({
        scope: "ledger:read invoice:create",
        business_id: "biz_GA6EG2qFxA97NZHtxeLPUy",
        expires_in: 900,
        resource: ["https://api.example.com"],
      });
      const exchange = server.only();

      expect(exchange.request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(exchange.fields).toStrictEqual({
        grant_type: "client_credentials",
        scope: "ledger:read invoice:create",
        business_id: "biz_GA6EG2qFxA97NZHtxeLPUy",
        expires_in: "900",
        resource: "https://api.example.com",
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      });
      expect(tokenOf(result)).toStrictEqual({
        accessToken: "sample-access_token",
        tokenType: "Bearer",
        expiresAt: 1_750_003_600 * 1000,
        raw: exchange.replyBody,
      });
      await expectConformingRequest("asset", exchange);
    });

    it("sends only grant_type and client_id when called bare without a secret (no expires_in default, no bogus client_secret default)", async () => {
      const server = await start({ auth: WITHOUT_SECRET, reply: { status: 200 } });
      const result = await client(server, false).clientCredentials();
      const exchange = server.only();

      expect(exchange.request.body).toBe(new URLSearchParams({ grant_type: "client_credentials", client_id: CLIENT_ID }).toString());
      expect(exchange.fields).toStrictEqual({ grant_type: "client_credentials", client_id: CLIENT_ID });
      expect(exchange.request.body).not.toMatch(/expires_in|client_secret|undefined|null/);
      // The spec's example expiry, 1777657168 s, is a moment, not a lifetime.
      expect(tokenOf(result).expiresAt).toBe(1_777_657_168_000);
      await expectConformingRequest("asset", exchange);
    });

    it("sends client_secret when configured, and nothing for params left out or null", async () => {
      const server = await start({ auth: WITH_SECRET, reply: { status: 200 } });
      await client(server).clientCredentials({ scope: null, business_id: null, resource: null });
      const exchange = server.only();
      expect(exchange.fields).toStrictEqual({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
      await expectConformingRequest("asset", exchange);
    });

    it("reads expires_in as an absolute time even when it is small (never as seconds from now)", async () => {
      const server = await start({ auth: WITH_SECRET, reply: { status: 200, overrides: { expires_in: 86_400 } } });
      const token = tokenOf(await client(server).clientCredentials());
      expect(token.expiresAt).toBe(86_400_000);
      expect(token.expiresAt).not.toBe(NOW + 86_400_000);
    });

    it("RFC 8707: sends two resources as two repeated resource= keys, never comma-joined, and the spec accepts them", async () => {
      const server = await start({ auth: WITH_SECRET, reply: { status: 200 } });
      const resource = ["https://a.example", "https://b.example"];
      tokenOf(await client(server).clientCredentials({ resource }));
      const exchange = server.only();

      const raw = exchange.request.body;
      expect(raw).toContain("resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example");
      expect(raw.match(/(^|&)resource=/g)).toHaveLength(2);
      expect(raw).not.toMatch(/%2C|,/i);
      expect(new URLSearchParams(raw).getAll("resource")).toEqual(resource);
      expect(exchange.fields["resource"]).toEqual(resource);
      await expectConformingRequest("asset", exchange);
    });

    it.each(ERROR_STATUSES)("documented %i -> kind response with the typed body", async (status) => {
      const server = await start({ auth: WITH_SECRET, reply: { status } });
      const result = await client(server).clientCredentials({ scope: "ledger:read" });
      expectAnswerError(result, server.only(), "response");
      if (!result.ok && result.error.kind === "response") {
        expect(result.error.status).toBe(status);
        expect(result.error.body.error).toBe("sample-error");
        expect(result.error.body.data).toBe("sample-data");
      } else {
        expect.unreachable("expected a documented error response");
      }
    });

    it("documented 422 with error: null keeps the null", async () => {
      const server = await start({ auth: WITH_SECRET, reply: { status: 422, overrides: { error: null, data: { field: "scope" } } } });
      const result = await client(server).clientCredentials();
      expectAnswerError(result, server.only(), "response");
    });

    it("undocumented 418 -> kind unexpected_status with the body", async () => {
      const server = await start({ auth: WITH_SECRET, reply: { status: 418, undocumentedBody: { error: "teapot", data: null } } });
      const result = await client(server).clientCredentials();
      expectAnswerError(result, server.only(), "unexpected_status");
    });
  });
});
