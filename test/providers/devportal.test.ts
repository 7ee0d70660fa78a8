// Devportal: form body; request oneOf variants. client_credentials and
// refresh_token authenticate with HTTP Basic (the operation's `clientBasic`
// security scheme, RFC 6749 §2.3.1); authorization_code carries client_id and
// client_secret in the body. expires_in is relative; errors 400/403; the spec
// declares no server, so baseUrl is required.
import { describe, expect, it } from "vitest";
import { createDevportalClient } from "../../generated/devportal/index.js";
import type { DevportalClient, DevportalTokenResult } from "../../generated/devportal/index.js";
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
import type { ExpectedClientAuth, ProviderServer } from "./harness.js";

const start = useProviderServers("devportal");
const ERROR_STATUSES = [400, 403] as const;
const BASIC = { kind: "basic", clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } as const;
const BODY = { kind: "body", clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } as const;

function client(server: ProviderServer): DevportalClient {
  return createDevportalClient({ baseUrl: server.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clock });
}

type Grant = {
  readonly name: string;
  readonly auth: ExpectedClientAuth;
  readonly call: (devportal: DevportalClient) => Promise<DevportalTokenResult>;
  /** Body fields besides body credentials. */
  readonly sent: Record<string, string>;
  /** Success-body fields this grant's answer carries on top of the sample. */
  readonly answer: Record<string, unknown>;
};

const GRANTS: readonly Grant[] = [
  {
    name: "clientCredentials",
    auth: BASIC,
    call: (d) => d.clientCredentials({ scope: "read:apps write:apps" }),
    sent: { grant_type: "client_credentials", scope: "read:apps write:apps" },
    answer: { scope: "read:apps write:apps", expires_in: 1800 },
  },
  {
    name: "clientCredentials (no params)",
    auth: BASIC,
    call: (d) => d.clientCredentials(),
    sent: { grant_type: "client_credentials" },
    answer: { expires_in: 1800 },
  },
  {
    name: "authorizationCode",
    auth: BODY,
    call: (d) => d.authorizationCode({ code: "c0de/+=", redirect_uri: "https://app.example.com/cb?x=1", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" }),
    sent: { grant_type: "authorization_code", code: "c0de/+=", redirect_uri: "https://app.example.com/cb?x=1", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" },
    answer: { refresh_token: "rt-new", id_token: "id.tok.en", expires_in: 1800 },
  },
  {
    name: "authorizationCode (no code_challenge)",
    auth: BODY,
    call: (d) => d.authorizationCode({ code: "c0de", redirect_uri: "https://app.example.com/cb" }),
    sent: { grant_type: "authorization_code", code: "c0de", redirect_uri: "https://app.example.com/cb" },
    answer: { refresh_token: "rt-new", expires_in: 1800 },
  },
  {
    name: "refreshToken",
    auth: BASIC,
    call: (d) => d.refreshToken({ refresh_token: "rt-old", scope: "read:apps" }),
    sent: { grant_type: "refresh_token", refresh_token: "rt-old", scope: "read:apps" },
    answer: { refresh_token: "rt-rotated", scope: "read:apps", expires_in: 1800 },
  },
];

describe("devportal", () => {
  it("documents exactly the error statuses these tests cover", async () => {
    expect(await documentedErrorStatuses("devportal")).toEqual([...ERROR_STATUSES]);
  });

  describe.each(GRANTS)("$name", (grant) => {
    it("sends the spec's form request with the spec's client authentication and normalises expires_in", async () => {
      const server = await start({ auth: grant.auth, reply: { status: 200, overrides: grant.answer } });
      const result = await grant.call(client(server));
      const exchange = server.only();

      expect(exchange.request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      const credentials = grant.auth.kind === "body" ? { client_id: CLIENT_ID, client_secret: CLIENT_SECRET } : {};
      expect(exchange.fields).toStrictEqual({ ...grant.sent, ...credentials });
      const body = exchange.replyBody as Record<string, unknown>;
      expect(tokenOf(result)).toStrictEqual({
        accessToken: "sample-access_token",
        tokenType: "bearer",
        expiresAt: NOW + 1800 * 1000,
        ...(typeof body["refresh_token"] === "string" ? { refreshToken: body["refresh_token"] } : {}),
        scope: body["scope"],
        raw: body,
      });
      await expectConformingRequest("devportal", exchange);
    });

    it.each(ERROR_STATUSES)("documented %i -> kind response with the typed body", async (status) => {
      const server = await start({ auth: grant.auth, reply: { status } });
      const result = await grant.call(client(server));
      expectAnswerError(result, server.only(), "response");
      if (!result.ok && result.error.kind === "response") {
        expect(result.error.status).toBe(status);
        expect(result.error.body.errors?.[0]?.message).toBe("sample-message");
      } else {
        expect.unreachable("expected a documented error response");
      }
    });

    it("undocumented 418 -> kind unexpected_status with the body", async () => {
      const body = { errors: [{ httpcode: 418, message: "teapot" }] };
      const server = await start({ auth: grant.auth, reply: { status: 418, undocumentedBody: body } });
      const result = await grant.call(client(server));
      expectAnswerError(result, server.only(), "unexpected_status");
    });
  });
});
