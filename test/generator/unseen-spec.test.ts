/**
 * The "spec the project has never seen" check: a plain RFC 6749
 * client-credentials spec, written here and nowhere else, goes through the
 * CLI, the output is type-checked, and the generated client gets a token from
 * a real, independently written OAuth 2.0 server (@node-oauth/oauth2-server).
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import OAuth2Server from "@node-oauth/oauth2-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, hashTree, runCli, transpileTree, typecheck, useTempDirs, writeTree, type RunResult, type TypecheckResult } from "./helpers.js";

/** OpenAPI 3.0, POST /oauth/token, form body, HTTP Basic client authentication. */
const SPEC = `openapi: 3.0.3
info:
  title: Acme IdP
  version: "1.0"
servers:
  - url: https://auth.acme-idp.example
    description: Production
paths:
  /oauth/token:
    post:
      summary: Issue an access token (RFC 6749 §4.4)
      security:
        - clientAuth: []
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [grant_type]
              properties:
                grant_type:
                  type: string
                  enum: [client_credentials]
                scope:
                  type: string
                  description: Space-delimited scopes (RFC 6749 §3.3).
      responses:
        "200":
          description: Access token response (RFC 6749 §5.1)
          content:
            application/json:
              schema:
                type: object
                required: [access_token, token_type]
                properties:
                  access_token: { type: string }
                  token_type: { type: string }
                  expires_in:
                    type: integer
                    description: Lifetime of the access token in seconds.
        "400":
          description: Error response (RFC 6749 §5.2)
          content:
            application/json:
              schema:
                type: object
                required: [error]
                properties:
                  error: { type: string }
                  error_description: { type: string }
components:
  securitySchemes:
    clientAuth:
      type: http
      scheme: basic
`;

/** A consumer of the generated client, type-checked with it. Never run. */
const CONSUMER = `import { createAcmeIdpClient, type AcmeIdpTokenResult } from "./out/acme-idp/index.js";

export async function use(): Promise<string | undefined> {
  const client = createAcmeIdpClient({ server: "production", clientId: "id", clientSecret: "secret" });
  const result: AcmeIdpTokenResult = await client.clientCredentials({ scope: "read" });
  if (result.ok) return result.token.accessToken;
  if (result.error.kind === "response") {
    const status: 400 = result.error.status;
    const code: string = result.error.body.error;
    return \`\${status} \${code}\`;
  }
  return result.error.kind;
}

export function misuse(): void {
  // @ts-expect-error clientSecret is required: the spec authenticates clients with HTTP Basic.
  createAcmeIdpClient({ clientId: "id" });
  const client = createAcmeIdpClient({ clientId: "id", clientSecret: "secret" });
  // @ts-expect-error grant_type is the client's business, not a parameter.
  void client.clientCredentials({ grant_type: "client_credentials" });
  // @ts-expect-error the spec names one server, "production".
  createAcmeIdpClient({ server: "staging", clientId: "id", clientSecret: "secret" });
}
`;

const CLIENT_ID = "acme-service";
const CLIENT_SECRET = "s3cret-Value_42";
const LIFETIME_SECONDS = 1234;
const NOW = 1_700_000_000_000;

type TokenOutcome =
  | { readonly ok: true; readonly token: { readonly accessToken: string; readonly tokenType?: string; readonly expiresAt?: number; readonly raw: unknown } }
  | { readonly ok: false; readonly error: { readonly kind: string; readonly status?: number; readonly body?: unknown; readonly message: string } };

interface GeneratedClient {
  clientCredentials(params?: { scope?: string }): Promise<TokenOutcome>;
}

interface GeneratedModule {
  createAcmeIdpClient(options: { baseUrl?: string; clientId: string; clientSecret: string; clock?: () => number }): GeneratedClient;
}

/** What the OAuth server's model recorded. */
interface Recorded {
  readonly savedTokens: string[];
  readonly authorization: (string | undefined)[];
  readonly bodies: Record<string, string>[];
}

/** @node-oauth/oauth2-server behind node:http, with an in-memory model. */
async function startOAuthServer(recorded: Recorded): Promise<{ url: string; server: Server }> {
  const client: OAuth2Server.Client = { id: CLIENT_ID, grants: ["client_credentials"] };
  const model: OAuth2Server.ClientCredentialsModel = {
    getClient: async (clientId, clientSecret) => (clientId === CLIENT_ID && clientSecret === CLIENT_SECRET ? client : false),
    getUserFromClient: async () => ({ id: "service-user" }),
    saveToken: async (token, savedClient, user) => {
      recorded.savedTokens.push(token.accessToken);
      return { ...token, client: savedClient, user };
    },
    getAccessToken: async () => false,
    validateScope: async (_user, _client, scope) => (scope?.includes("admin") ? false : (scope ?? [])),
  };
  const oauth = new OAuth2Server({ model, accessTokenLifetime: LIFETIME_SECONDS });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const body = Object.fromEntries(new URLSearchParams(text));
      recorded.bodies.push(body);
      recorded.authorization.push(req.headers.authorization);
      const request = new OAuth2Server.Request({ method: req.method ?? "GET", headers: flatHeaders(req.headers), query: {}, body });
      const response = new OAuth2Server.Response();
      oauth
        .token(request, response)
        .catch(() => undefined) // the library has already written the error into `response`
        .then(() => {
          res.writeHead(response.status ?? 500, { ...response.headers, "content-type": "application/json" });
          res.end(JSON.stringify(response.body));
        }, () => undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}

describe("a spec tokenwright has never seen, against a real OAuth 2.0 server", () => {
  const tempDir = useTempDirs();
  let root = "";
  let generation: RunResult | undefined;
  let generatedFiles: string[] = [];
  let checked: TypecheckResult = { files: [], diagnostics: [] };
  let module: GeneratedModule | undefined;
  let oauthServer: { url: string; server: Server } | undefined;
  const recorded: Recorded = { savedTokens: [], authorization: [], bodies: [] };

  beforeAll(async () => {
    await ensureBuilt();
    root = await tempDir("unseen");
    writeTree(root, { "specs/acme-idp.yaml": SPEC });
    generation = await runCli(["generate", "--spec", "specs/acme-idp.yaml", "--out", "out"], root);
    if (generation.code !== 0) return;
    generatedFiles = Object.keys(hashTree(join(root, "out")));
    writeTree(root, { "consumer.ts": CONSUMER });
    checked = typecheck(root);
    transpileTree(join(root, "out"));
    module = (await import(pathToFileURL(join(root, "out/acme-idp/index.js")).href)) as GeneratedModule;
    oauthServer = await startOAuthServer(recorded);
  }, 120_000);

  afterAll(async () => {
    const server = oauthServer?.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("the CLI generates it", () => {
    expect(generation?.stderr).toBe("");
    expect(generation?.code).toBe(0);
    expect(generatedFiles.filter((p) => p.startsWith("acme-idp/")).sort()).toEqual(
      ["acme-idp/README.md", "acme-idp/client.ts", "acme-idp/index.ts", "acme-idp/session.ts", "acme-idp/types.ts", "acme-idp/wire.ts"],
    );
  });

  it("the output and a consumer typecheck under --strict", () => {
    expect(checked.files).toEqual(expect.arrayContaining(["consumer.ts", "out/acme-idp/client.ts", "out/runtime/request.ts"]));
    expect(checked.diagnostics).toEqual([]);
  });

  it("obtains a token with HTTP Basic client authentication", async () => {
    const client = module!.createAcmeIdpClient({ baseUrl: oauthServer!.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clock: () => NOW });
    const before = recorded.savedTokens.length;
    const result = await client.clientCredentials({ scope: "read write" });
    if (!result.ok) throw new Error(`expected a token, got ${result.error.kind}: ${result.error.message}`);
    expect(recorded.savedTokens.length).toBe(before + 1);
    expect(result.token.accessToken).toBe(recorded.savedTokens.at(-1));
    expect(result.token.tokenType).toBe("Bearer");
    // The server derives expires_in from its own clock, so a request that straddles a second boundary gets
    // LIFETIME - 1. The client must add exactly what was sent to its own clock.
    const sentExpiresIn = (result.token.raw as { expires_in?: unknown }).expires_in;
    expect([LIFETIME_SECONDS - 1, LIFETIME_SECONDS]).toContain(sentExpiresIn);
    expect(result.token.expiresAt).toBe(NOW + Number(sentExpiresIn) * 1000);
    expect(result.token.raw).toMatchObject({ access_token: result.token.accessToken, expires_in: sentExpiresIn });
    // RFC 6749 §2.3.1 / §4.4.2: credentials in the Authorization header, grant and scope in the form body.
    const sentAuth = recorded.authorization.at(-1) ?? "";
    expect(sentAuth.startsWith("Basic ")).toBe(true);
    expect(Buffer.from(sentAuth.slice("Basic ".length), "base64").toString("utf8")).toBe(`${CLIENT_ID}:${CLIENT_SECRET}`);
    expect(recorded.bodies.at(-1)).toEqual({ grant_type: "client_credentials", scope: "read write" });
  });

  it("a wrong secret is refused", async () => {
    const client = module!.createAcmeIdpClient({ baseUrl: oauthServer!.url, clientId: CLIENT_ID, clientSecret: "wrong", clock: () => NOW });
    const saved = recorded.savedTokens.length;
    const result = await client.clientCredentials();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // The library answers invalid_client with 401 (and WWW-Authenticate) when the client
    // authenticated with the Authorization header, as RFC 6749 §5.2 allows. The spec documents
    // only 400, so the generated client reports an undocumented status, not a typed response.
    expect(result.error.kind).toBe("unexpected_status");
    expect(result.error.status).toBe(401);
    expect(result.error.body).toMatchObject({ error: "invalid_client" });
    expect(recorded.savedTokens.length).toBe(saved);
  });

  it("a documented 400 comes back as a typed response error", async () => {
    const client = module!.createAcmeIdpClient({ baseUrl: oauthServer!.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clock: () => NOW });
    const result = await client.clientCredentials({ scope: "admin" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("response");
    expect(result.error.status).toBe(400);
    expect(result.error.body).toMatchObject({ error: "invalid_scope" });
  });
});
