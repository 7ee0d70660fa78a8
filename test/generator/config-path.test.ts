/**
 * A provider config's `requestPath` (a tenant the spec does not state),
 * end to end: the generated client takes the tenant as a required typed
 * parameter and sends it, escaped, in the path; the spec file is untouched.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli, transpileTree, typecheck, useTempDirs, writeTree, type RunResult, type TypecheckResult } from "./helpers.js";

const SPEC = `openapi: 3.0.3
info: { title: Tenant IdP, version: "1" }
servers: [{ url: https://login.tenant-idp.example, description: Production }]
paths:
  /oauth2/token:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [grant_type, client_id]
              properties:
                grant_type: { type: string, enum: [client_credentials] }
                client_id: { type: string }
                client_secret: { type: string }
                scope: { type: string }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [access_token]
                properties:
                  access_token: { type: string }
                  token_type: { type: string }
                  expires_in: { type: integer }
`;

const CONFIG = JSON.stringify({ requestPath: "/{tenant}/oauth2/token" });

const CONSUMER = `import { createTenantIdpClient } from "./out/tenant-idp/index.js";

export async function use(): Promise<boolean> {
  const client = createTenantIdpClient({ clientId: "id", clientSecret: "secret" });
  const result = await client.clientCredentials({ tenant: "contoso", scope: "api" });
  return result.ok;
}

export function misuse(): void {
  const client = createTenantIdpClient({ clientId: "id", clientSecret: "secret" });
  // @ts-expect-error the tenant is required: the provider config puts it in the path.
  void client.clientCredentials({ scope: "api" });
  // @ts-expect-error the tenant is a string.
  void client.clientCredentials({ tenant: 42 });
}
`;

interface GeneratedModule {
  createTenantIdpClient(options: { baseUrl: string; clientId: string; clientSecret: string }): {
    clientCredentials(params: { tenant: string; scope?: string }): Promise<{ ok: boolean; token?: { accessToken: string } }>;
  };
}

describe("a tenant path stated in the provider config", () => {
  const tempDir = useTempDirs();
  let generation: RunResult | undefined;
  let checked: TypecheckResult = { files: [], diagnostics: [] };
  let module: GeneratedModule | undefined;
  let server: Server | undefined;
  const paths: string[] = [];
  let origin = "";

  beforeAll(async () => {
    await ensureBuilt();
    const root = await tempDir("config-path");
    writeTree(root, { "specs/tenant-idp.yaml": SPEC, "specs/tenant-idp.tokenwright.json": CONFIG, "consumer.ts": CONSUMER });
    generation = await runCli(["generate", "--spec", "specs/tenant-idp.yaml", "--out", "out"], root);
    if (generation.code !== 0) return;
    checked = typecheck(root);
    transpileTree(join(root, "out"));
    module = (await import(pathToFileURL(join(root, "out/tenant-idp/index.js")).href)) as GeneratedModule;
    server = createServer((req, res) => {
      paths.push(req.url ?? "");
      req.resume();
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ access_token: "tenant-token", token_type: "Bearer", expires_in: 60 }));
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("generates a client that requires the tenant, typed", () => {
    expect(generation?.stderr ?? "").toBe("");
    expect(generation?.code).toBe(0);
    expect(checked.diagnostics).toEqual([]);
  });

  it.each([
    ["contoso", "/contoso/oauth2/token"],
    ["a/b?c", "/a%2Fb%3Fc/oauth2/token"],
  ])("tenant %j goes to %s", async (tenant, path) => {
    const client = module!.createTenantIdpClient({ baseUrl: origin, clientId: "cid", clientSecret: "secret" });
    const result = await client.clientCredentials({ tenant });
    expect(result.token?.accessToken).toBe("tenant-token");
    expect(paths.at(-1)).toBe(path);
  });
});
