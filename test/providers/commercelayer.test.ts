// Commerce Layer: JSON body; password (client_id only: the password variant
// has no client_secret) and refresh_token (client_id, plus client_secret when
// the client has one); expiry is created_at + expires_in; no documented errors.
import { describe, expect, it } from "vitest";
import { createCommerceLayerClient } from "../../generated/commercelayer/index.js";
import type { CommerceLayerClient, CommerceLayerTokenResult } from "../../generated/commercelayer/index.js";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  clock,
  documentedErrorStatuses,
  expectAnswerError,
  expectConformingRequest,
  tokenOf,
  useProviderServers,
} from "./harness.js";
import type { ExpectedClientAuth, ProviderServer } from "./harness.js";

const start = useProviderServers("commercelayer");
const CREATED_AT = 1_749_995_000;

function client(server: ProviderServer, secret: string | undefined): CommerceLayerClient {
  return secret === undefined
    ? createCommerceLayerClient({ baseUrl: server.url, clientId: CLIENT_ID, clock })
    : createCommerceLayerClient({ baseUrl: server.url, clientId: CLIENT_ID, clientSecret: secret, clock });
}

type Grant = {
  readonly name: string;
  /** The client's configured secret. */
  readonly secret: string | undefined;
  /** How the spec says this grant authenticates with that client. */
  readonly auth: ExpectedClientAuth;
  readonly call: (cl: CommerceLayerClient) => Promise<CommerceLayerTokenResult>;
  readonly sent: Record<string, string>;
};

const GRANTS: readonly Grant[] = [
  {
    name: "password (sales channel, no secret)",
    secret: undefined,
    auth: { kind: "body", clientId: CLIENT_ID },
    call: (cl) => cl.password({ username: "ann@example.com", password: "p@ss word", scope: "market:id:xYZkjABcde" }),
    sent: { grant_type: "password", username: "ann@example.com", password: "p@ss word", scope: "market:id:xYZkjABcde" },
  },
  {
    // PasswordGrantRequest has no client_secret, so a configured secret is not sent with it.
    name: "password (client with a secret, no scope)",
    secret: CLIENT_SECRET,
    auth: { kind: "body", clientId: CLIENT_ID },
    call: (cl) => cl.password({ username: "ann@example.com", password: "pw" }),
    sent: { grant_type: "password", username: "ann@example.com", password: "pw" },
  },
  {
    name: "refreshToken (sales channel, no secret)",
    secret: undefined,
    auth: { kind: "body", clientId: CLIENT_ID },
    call: (cl) => cl.refreshToken({ refresh_token: "rt-old" }),
    sent: { grant_type: "refresh_token", refresh_token: "rt-old" },
  },
  {
    name: "refreshToken (integration, with secret)",
    secret: CLIENT_SECRET,
    auth: { kind: "body", clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    call: (cl) => cl.refreshToken({ refresh_token: "rt-old" }),
    sent: { grant_type: "refresh_token", refresh_token: "rt-old" },
  },
];

describe("commercelayer", () => {
  it("documents no error statuses", async () => {
    expect(await documentedErrorStatuses("commercelayer")).toEqual([]);
  });

  describe.each(GRANTS)("$name", (grant) => {
    it("sends the spec's JSON request and normalises created_at + expires_in", async () => {
      const overrides = { created_at: CREATED_AT, expires_in: 14_400 };
      const server = await start({ auth: grant.auth, reply: { status: 200, overrides } });
      const result = await grant.call(client(server, grant.secret));
      const exchange = server.only();

      expect(exchange.request.headers["content-type"]).toBe("application/json");
      const credentials = grant.auth.kind === "body" && grant.auth.clientSecret !== undefined
        ? { client_id: CLIENT_ID, client_secret: grant.auth.clientSecret }
        : { client_id: CLIENT_ID };
      expect(exchange.fields).toStrictEqual({ ...grant.sent, ...credentials });
      expect(tokenOf(result)).toStrictEqual({
        accessToken: "acC3sSt0K3Nwrt6kic7.abc4bnm5...",
        tokenType: "bearer",
        expiresAt: (CREATED_AT + 14_400) * 1000,
        refreshToken: "r3fResHt0k3nvbn7mnr9ert123",
        scope: "market:id:xYZkjABcde",
        raw: exchange.replyBody,
      });
      await expectConformingRequest("commercelayer", exchange);
    });

    it.each([401, 418])("undocumented %i -> kind unexpected_status with the body", async (status) => {
      const body = { errors: [{ code: "UNAUTHORIZED", title: "nope", status: String(status) }] };
      const server = await start({ auth: grant.auth, reply: { status, undocumentedBody: body } });
      const result = await grant.call(client(server, grant.secret));
      expectAnswerError(result, server.only(), "unexpected_status");
    });
  });
});
