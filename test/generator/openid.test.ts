/**
 * An `openIdConnect`-only spec: the token operation is synthesised, and the
 * generated client reads `token_endpoint` and the client authentication
 * methods from the discovery document at run time (once per client), never
 * sending credentials to an origin other than the discovery document's.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli, transpileTree, typecheck, useTempDirs, writeTree, type RunResult, type TypecheckResult } from "./helpers.js";

const SPEC = `openapi: 3.0.3
info:
  title: Example IdP
  version: "1"
paths:
  /userinfo:
    get:
      responses:
        "200": { description: ok }
components:
  securitySchemes:
    oidc:
      type: openIdConnect
      openIdConnectUrl: https://id.example.com/.well-known/openid-configuration
`;

/** Type-checked with the output, never run: the discovery error is part of the typed union. */
const CONSUMER = `import { createExampleIdpClient, type ExampleIdpTokenError } from "./out/example-idp/index.js";

export function describeError(error: ExampleIdpTokenError): string {
  switch (error.kind) {
    case "discovery":
      return error.reason;
    case "response":
      return error.body.error;
    default:
      return error.kind;
  }
}

export async function use(): Promise<string | undefined> {
  const client = createExampleIdpClient({ clientId: "id", clientSecret: "secret" });
  const result = await client.clientCredentials({ scope: "openid" });
  return result.ok ? result.token.accessToken : describeError(result.error);
}
`;

interface Outcome {
  readonly ok: boolean;
  readonly token?: { readonly accessToken: string };
  readonly error?: { readonly kind: string; readonly message: string };
}
interface GeneratedModule {
  createExampleIdpClient(options: { baseUrl: string; clientId: string; clientSecret: string }): { clientCredentials(params?: { scope?: string }): Promise<Outcome> };
}

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** One loopback server for discovery and tokens; `tokenEndpoint` decides where discovery points. */
async function startIdp(tokenEndpoint: (origin: string) => string, methods: readonly string[]): Promise<{ origin: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  let origin = "";
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization, body });
      res.setHeader("content-type", "application/json");
      if (req.url === "/.well-known/openid-configuration") {
        res.end(JSON.stringify({ issuer: origin, token_endpoint: tokenEndpoint(origin), token_endpoint_auth_methods_supported: methods }));
      } else if (req.url === "/connect/token" && req.method === "POST") {
        res.end(JSON.stringify({ access_token: "discovered-token", token_type: "Bearer", expires_in: 300 }));
      } else {
        res.statusCode = 404;
        res.end("{}");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, seen, server };
}

describe("an openIdConnect-only spec", () => {
  const tempDir = useTempDirs();
  let generation: RunResult | undefined;
  let checked: TypecheckResult = { files: [], diagnostics: [] };
  let module: GeneratedModule | undefined;
  const servers: Server[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    const root = await tempDir("openid");
    writeTree(root, { "specs/example-idp.yaml": SPEC, "consumer.ts": CONSUMER });
    generation = await runCli(["generate", "--spec", "specs/example-idp.yaml", "--out", "out"], root);
    if (generation.code !== 0) return;
    checked = typecheck(root);
    transpileTree(join(root, "out"));
    module = (await import(pathToFileURL(join(root, "out/example-idp/index.js")).href)) as GeneratedModule;
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("generates a client that typechecks, the discovery error included", () => {
    expect(generation?.stderr ?? "").toBe("");
    expect(generation?.code).toBe(0);
    expect(checked.diagnostics).toEqual([]);
  });

  it("reads token_endpoint once and authenticates as the document allows (client_secret_post)", async () => {
    const idp = await startIdp((origin) => `${origin}/connect/token`, ["client_secret_post"]);
    servers.push(idp.server);
    const client = module!.createExampleIdpClient({ baseUrl: idp.origin, clientId: "cid", clientSecret: "csecret" });
    const [first, second] = await Promise.all([client.clientCredentials({ scope: "openid" }), client.clientCredentials()]);
    expect(first.token?.accessToken).toBe("discovered-token");
    expect(second.token?.accessToken).toBe("discovered-token");
    expect(idp.seen.filter((s) => s.path === "/.well-known/openid-configuration")).toHaveLength(1);
    const tokenRequests = idp.seen.filter((s) => s.path === "/connect/token");
    expect(tokenRequests).toHaveLength(2);
    for (const request of tokenRequests) {
      expect(request.authorization).toBeUndefined();
      const body = new URLSearchParams(request.body);
      expect(body.get("client_id")).toBe("cid");
      expect(body.get("client_secret")).toBe("csecret");
      expect(body.get("grant_type")).toBe("client_credentials");
    }
  });

  it("uses HTTP Basic when the document lists client_secret_basic", async () => {
    const idp = await startIdp((origin) => `${origin}/connect/token`, ["client_secret_basic", "client_secret_post"]);
    servers.push(idp.server);
    const result = await module!.createExampleIdpClient({ baseUrl: idp.origin, clientId: "cid", clientSecret: "csecret" }).clientCredentials();
    expect(result.ok).toBe(true);
    const request = idp.seen.find((s) => s.path === "/connect/token")!;
    expect(request.authorization).toBe(`Basic ${Buffer.from("cid:csecret").toString("base64")}`);
    expect(new URLSearchParams(request.body).has("client_secret")).toBe(false);
  });

  it("refuses a token_endpoint on another origin: a typed discovery error, and no credentials sent anywhere", async () => {
    const idp = await startIdp(() => "https://attacker.example/token", ["client_secret_post"]);
    servers.push(idp.server);
    const result = await module!.createExampleIdpClient({ baseUrl: idp.origin, clientId: "cid", clientSecret: "csecret" }).clientCredentials();
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("discovery");
    expect(result.error?.message).not.toContain("csecret");
    expect(idp.seen.map((s) => s.path)).toEqual(["/.well-known/openid-configuration"]);
  });
});
