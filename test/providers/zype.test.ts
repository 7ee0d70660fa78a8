// Zype: JSON body; password grant (username+password | linked_device_id+pin,
// configured in specs/zype.tokenwright.json) and refresh_token; client
// credentials in the body; expiry is created_at + expires_in; errors 400/401.
import { describe, expect, it } from "vitest";
import { createZypeClient } from "../../generated/zype/index.js";
import type { ZypeClient, ZypeTokenResult } from "../../generated/zype/index.js";
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
import type { ProviderServer, ReplyPlan } from "./harness.js";

const start = useProviderServers("zype");
const AUTH = { kind: "body", clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } as const;
const ERROR_STATUSES = [400, 401] as const;
/** created_at is typed `string` by the spec; Zype sends unix seconds. */
const CREATED_AT = 1_749_990_000;

function client(server: ProviderServer): ZypeClient {
  return createZypeClient({ baseUrl: server.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clock });
}

type Grant = {
  readonly name: string;
  readonly call: (zype: ZypeClient) => Promise<ZypeTokenResult>;
  readonly sent: Record<string, string>;
};

const GRANTS: readonly Grant[] = [
  {
    name: "password (username + password)",
    call: (zype) => zype.password({ username: "ann@example.com", password: "p@ss word/é" }),
    sent: { grant_type: "password", username: "ann@example.com", password: "p@ss word/é" },
  },
  {
    name: "password (linked_device_id + pin)",
    call: (zype) => zype.password({ linked_device_id: "dev-42", pin: "0042" }),
    sent: { grant_type: "password", linked_device_id: "dev-42", pin: "0042" },
  },
  {
    name: "refreshToken",
    call: (zype) => zype.refreshToken({ refresh_token: "rt-old" }),
    sent: { grant_type: "refresh_token", refresh_token: "rt-old" },
  },
];

describe("zype", () => {
  it("documents exactly the error statuses these tests cover", async () => {
    expect(await documentedErrorStatuses("zype")).toEqual([...ERROR_STATUSES]);
  });

  describe.each(GRANTS)("$name", (grant) => {
    it("sends the spec's request with body credentials and normalises created_at + expires_in", async () => {
      const overrides = { token_type: "bearer", created_at: String(CREATED_AT), expires_in: 7200 };
      const server = await start({ auth: AUTH, reply: { status: 200, overrides } });
      const result = await grant.call(client(server));
      const exchange = server.only();

      expect(exchange.request.headers["content-type"]).toBe("application/json");
      expect(exchange.fields).toStrictEqual({ ...grant.sent, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
      expect(tokenOf(result)).toStrictEqual({
        accessToken: "sample-access_token",
        tokenType: "bearer",
        expiresAt: (CREATED_AT + 7200) * 1000,
        refreshToken: "sample-refresh_token",
        scope: "sample-scope",
        raw: exchange.replyBody,
      });
      await expectConformingRequest("zype", exchange);
    });

    it.each(ERROR_STATUSES)("documented %i -> kind response with the typed body", async (status) => {
      const server = await start({ auth: AUTH, reply: { status } });
      const result = await grant.call(client(server));
      const exchange = server.only();
      expectAnswerError(result, exchange, "response");
      // Narrowing as a caller would, with the generated types.
      if (!result.ok && result.error.kind === "response") {
        expect(result.error.status).toBe(status);
        expect(result.error.body.error).toBe("sample-error");
      } else {
        expect.unreachable("expected a documented error response");
      }
    });

    it("undocumented 418 -> kind unexpected_status with the body", async () => {
      const reply: ReplyPlan = { status: 418, undocumentedBody: { error: "teapot", error_description: "short and stout" } };
      const server = await start({ auth: AUTH, reply });
      const result = await grant.call(client(server));
      expectAnswerError(result, server.only(), "unexpected_status");
    });
  });

  it("reads an ISO-8601 created_at (the form the spec's description shows) as the start of expires_in", async () => {
    const overrides = { created_at: "2025-06-15T14:58:20.000-04:00", expires_in: 60 };
    const server = await start({ auth: AUTH, reply: { status: 200, overrides } });
    const token = tokenOf(await client(server).password({ username: "ann@example.com", password: "pw" }));
    expect(token.expiresAt).toBe(Date.parse("2025-06-15T18:58:20.000Z") + 60_000);
    expect(token.expiresAt).not.toBe(NOW + 60_000);
  });
});
