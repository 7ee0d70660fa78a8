// The README's "Keys instead of shared secrets" blocks, as written: each ```ts block is type-checked (tsc --strict and
// the project's flags) next to the generated Okta fixture (test/keys/specs/okta.yaml) and run against oidc-provider,
// the jose resource server or the assertion server on loopback; the provider config block goes through the loader.
// Only the import paths change (./generated/okta/ -> the temp folder's okta/) and the environment the blocks read.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadProviderConfig } from "../../generator/load/index.js";
import { REPO_ROOT, transpileTree, typecheck, useTempDirs } from "../generator/helpers.js";
import { useServers } from "../runtime/helpers.js";
import { startTokenServer } from "../support/loopback.js";
import { assertionServer } from "./assertion-server.js";
import { generateFixtures, importGenerated } from "./generate.js";
import { startProvider, type ProviderServer } from "./provider.js";
import { startResourceServer, type ResourceServer } from "./resource.js";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const SECTION = README.slice(README.indexOf("## Keys instead of shared secrets"), README.indexOf("\n## ", README.indexOf("## Keys instead of shared secrets") + 3));
const BLOCKS = [...SECTION.matchAll(/^```([a-z]*)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }));
const TS = BLOCKS.filter((b) => b.lang === "ts").map((b) => b.body.replaceAll("./generated/", "./"));
const SECRET = "readme-secret-0123456789-abcdefghijklmnop";
const tempDir = useTempDirs();
const start = useServers();

let root = "";
let provider: ProviderServer;
let rs: ResourceServer;
let clientJwk: Record<string, unknown>;

beforeAll(async () => {
  root = await tempDir("keys-readme");
  await generateFixtures(root, ["okta"]);
  // What @types/node would declare for the blocks; the typecheck runs without it, as generated code must.
  writeFileSync(join(root, "env.d.ts"), "declare const process: { env: Record<string, string | undefined> };\n");
  TS.forEach((body, index) => writeFileSync(join(root, `readme-${index}.ts`), body));
  expect([...transpileTree(root)]).toEqual([]);
  const key = await generateKeyPair("ES256", { extractable: true });
  clientJwk = { ...(await exportJWK(key.privateKey)), kid: "svc-key-1" };
  rs = await startResourceServer({ prefix: "", requireNonce: true }, startTokenServer);
  provider = await startProvider({
    resource: rs.audience,
    clients: [
      { client_id: "readme-pk", token_endpoint_auth_method: "private_key_jwt", dpop_bound_access_tokens: true, jwks: { keys: [{ ...(await exportJWK(key.publicKey)), kid: "svc-key-1" }] } },
      { client_id: "readme-cs", client_secret: SECRET, token_endpoint_auth_method: "client_secret_jwt" },
    ],
  });
  rs.trust(provider.issuer, provider.jwks);
}, 120_000);

afterAll(async () => {
  await provider?.close();
  await rs?.server.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

async function run(index: number, env: Record<string, string>): Promise<{ logged: unknown[][]; module: Record<string, unknown> }> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const module = await importGenerated(root, `readme-${index}.js`);
  return { logged: log.mock.calls, module };
}

describe("README: keys instead of shared secrets", () => {
  it("has the three TypeScript blocks and the provider config block", () => {
    expect(BLOCKS.map((b) => b.lang)).toEqual(["ts", "ts", "ts", "json"]);
  });

  it("every block type-checks against the generated client, as a consumer compiles it", () => {
    const result = typecheck(root, { skipLibCheck: true });
    expect(result.files).toEqual(expect.arrayContaining(["readme-0.ts", "readme-1.ts", "readme-2.ts"]));
    expect(result.diagnostics).toEqual([]);
  }, 120_000);

  it("private_key_jwt and DPoP: the session's call is accepted by the resource server after both nonce round-trips", async () => {
    const before = provider.tokenRequests.length;
    const { logged } = await run(0, { OKTA_PRIVATE_JWK: JSON.stringify(clientJwk), OKTA_ORG_URL: provider.issuer, OKTA_CLIENT_ID: "readme-pk", API_ORIGIN: rs.origin });
    expect(logged).toEqual([[200, true]]);
    expect(provider.tokenRequests.slice(before).map((r) => r.status)).toEqual([400, 200]);
    expect(rs.outcomes.map((o) => o.outcome)).toEqual(["use_dpop_nonce", "ok"]);
  });

  it("every method as a value: the clients are made, and the client_secret_jwt one gets a token", async () => {
    const { module } = await run(1, { OKTA_ORG_URL: provider.issuer, OKTA_CLIENT_ID: "readme-cs", OKTA_CLIENT_SECRET: SECRET });
    const clients = module["clients"] as Record<string, { clientCredentials(p: Record<string, unknown>): Promise<{ ok: boolean; error?: unknown }> }>;
    expect(Object.keys(clients)).toEqual(["basic", "post", "secretJwt", "publicClient", "mtls"]);
    const result = await clients["secretJwt"]!.clientCredentials({ scope: "api:read" });
    expect(result.ok, JSON.stringify(result.error)).toBe(true);
    // The provider holds the client to its registered method: Basic is refused.
    expect((await clients["basic"]!.clientCredentials({ scope: "api:read" })).error).toMatchObject({ kind: "response", body: { error: "invalid_client" } });
  });

  it("JWT bearer and token exchange sessions get their tokens from the assertion server", async () => {
    const key = await generateKeyPair("ES256", { extractable: true });
    const server = await assertionServer(start, key.publicKey as CryptoKey, "/token");
    const { logged } = await run(2, {
      OKTA_ORG_URL: server.server.url,
      OKTA_CLIENT_ID: "te-client",
      OKTA_CLIENT_SECRET: "te-secret",
      SERVICE_PRIVATE_JWK: JSON.stringify(await exportJWK(key.privateKey)),
      INCOMING_ACCESS_TOKEN: "incoming-token-1",
    });
    expect(logged).toEqual([["jb-1", "te-2"]]);
    expect(server.received.map((r) => r.verified?.["sub"] ?? r.fields.get("subject_token"))).toEqual(["user-42", "incoming-token-1"]);
  });

  it("the provider config block is one the loader accepts, with the keys it shows", async () => {
    const block = BLOCKS.find((b) => b.lang === "json")!;
    const file = join(await tempDir("keys-readme-config"), "okta.tokenwright.json");
    writeFileSync(file, block.body);
    expect(await loadProviderConfig(file)).toEqual({ displayName: "Okta", clientAuthMethods: ["private_key_jwt", "client_secret_basic"], dpop: "required" });
  });
});
