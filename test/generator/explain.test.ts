// `tokenwright explain <spec>` (generator/cli/explain.ts, main.ts), run as a user runs the built CLI.
import { beforeAll, describe, expect, it } from "vitest";
import { SPEC_ERROR_CODES, type SpecErrorCode } from "../../generator/load/errors.js";
import { REPO_ROOT, ensureBuilt, runCli, useTempDirs, writeTree } from "./helpers.js";

const tempDir = useTempDirs();

/** A valid spec with no token operation: no grant_type anywhere, no OAuth2 flows. */
const NO_TOKEN_SPEC = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "Plain", version: "1.0.0" },
  paths: {
    "/users": { get: { responses: { "200": { description: "users" } } } },
    "/auth/session": { post: { responses: { "201": { description: "a session" } } } },
  },
});

/** A spec naming its token endpoint only in an OAuth2 flow. */
const FLOW_SPEC = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "Flows", version: "1.0.0" },
  servers: [{ url: "https://api.example.com", description: "Live" }],
  paths: { "/things": { get: { responses: { "200": { description: "things" } } } } },
  components: { securitySchemes: { oauth: { type: "oauth2", flows: { clientCredentials: { tokenUrl: "/v1/oauth2/token", scopes: { read: "Read" } } } } } },
});

/** A token operation whose success body has no access_token in any spelling. */
const NO_ACCESS_TOKEN_SPEC = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "No token", version: "1.0.0" },
  paths: {
    "/token": {
      post: {
        requestBody: { content: { "application/x-www-form-urlencoded": { schema: { type: "object", properties: { grant_type: { type: "string", enum: ["client_credentials"] } } } } } },
        responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "object", properties: { token: { type: "string" } } } } } } },
      },
    },
  },
});

let project = "";

beforeAll(async () => {
  await ensureBuilt();
  project = await tempDir("explain");
  writeTree(project, {
    "specs/plain.json": NO_TOKEN_SPEC,
    "specs/flows.json": FLOW_SPEC,
    "specs/broken.json": FLOW_SPEC,
    "specs/broken.tokenwright.json": JSON.stringify({ clientAuth: "header" }),
    "specs/no-token.json": NO_ACCESS_TOKEN_SPEC,
  });
}, 120_000);

describe("explain a spec that models", () => {
  it("specs/zype.json: the chosen operation and facts with their sources", async () => {
    const run = await runCli(["explain", "specs/zype.json"], REPO_ROOT);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("chosen");
    expect(run.stdout).toMatch(/^ {2}chosen +POST \/oauth\/token: /m);
    expect(run.stdout).toContain("POST /oauth/token");
    expect(run.stdout).toContain("config specs/zype.tokenwright.json");
    expect(run.stdout).toContain("[config]");
    expect(run.stdout).toContain("[spec]");
    expect(run.stdout).toContain("[inferred]");
    for (const heading of ["Token operation", "Servers", "Grants", "Facts"]) expect(run.stdout).toMatch(new RegExp(`^${heading}$`, "m"));
  });

  it("specs/zype.json --json: the model as JSON, without the wire slice", async () => {
    const run = await runCli(["explain", "specs/zype.json", "--json"], REPO_ROOT);
    expect(run.code).toBe(0);
    const model = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(model)).toEqual(expect.arrayContaining(["candidates", "grants", "facts", "operation", "success", "errors"]));
    expect(model).not.toHaveProperty("wireDocument");
    const candidates = model["candidates"] as { operation: string; chosen: boolean }[];
    expect(candidates[0]).toMatchObject({ operation: "POST /oauth/token", chosen: true });
    const grants = model["grants"] as { grantType: string }[];
    expect(grants.map((g) => g.grantType)).toEqual(["password", "refresh_token"]);
    const facts = model["facts"] as { source: string }[];
    expect(new Set(facts.map((f) => f.source))).toEqual(new Set(["spec", "inferred", "config"]));
    expect(model["source"]).toMatchObject({ file: "specs/zype.json", configFile: "specs/zype.tokenwright.json" });
  });

  it("amadeus: the token-info GET is listed as passed over", async () => {
    const run = await runCli(["explain", "test/corpus/specs/amadeus-authorization.json"], REPO_ROOT);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}chosen +POST \/security\/oauth2\/token: /m);
    expect(run.stdout).toMatch(/^ {2}passed +GET \/security\/oauth2\/token\/\{access_token\}: a GET/m);
  });

  it("a synthesised operation says what it was made from", async () => {
    const run = await runCli(["explain", "specs/flows.json"], project);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}chosen +POST \/v1\/oauth2\/token: synthesised from the OAuth2 flows of security scheme "oauth"/m);
    expect(run.stdout).toMatch(/^ {2}synthesised from /m);
    expect(run.stdout).toMatch(/^ {4}optional scope one or more of read$/m);
  });
});

describe("explain a spec that does not model", () => {
  it("exits 1 and names the file and the reason on stderr", async () => {
    const run = await runCli(["explain", "specs/plain.json"], project);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("specs/plain.json");
    expect(run.stderr).toMatch(/no token operation/);
    expect(run.stderr).toContain("POST /auth/session");
  });

  it("--json: the error as JSON on stdout", async () => {
    const run = await runCli(["explain", "specs/plain.json", "--json"], project);
    expect(run.code).toBe(1);
    const parsed = JSON.parse(run.stdout) as { error: { code: string; file: string; pointer: string; detail: string } };
    expect(parsed.error).toMatchObject({ code: "no_token_operation", file: "specs/plain.json", pointer: "/paths" });
    expect(parsed.error.detail).toMatch(/^no token operation/);
    expect(run.stderr).toContain("specs/plain.json");
  });

  it("a malformed provider config exits 1, naming the config and the setting", async () => {
    const run = await runCli(["explain", "specs/broken.json", "--json"], project);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: "config", file: "specs/broken.tokenwright.json", pointer: "/clientAuth" } });
    expect(run.stderr).toContain("specs/broken.tokenwright.json#/clientAuth");
  });

  it("--json: each refusal's stable code, one of the exported list", async () => {
    const run = await runCli(["explain", "specs/no-token.json", "--json"], project);
    expect(run.code).toBe(1);
    const { error } = JSON.parse(run.stdout) as { error: { code: SpecErrorCode; pointer: string } };
    expect(error).toMatchObject({ code: "no_access_token", pointer: "/paths/~1token/post/responses/200/content/application~1json/schema" });
    expect(SPEC_ERROR_CODES).toContain(error.code);
  });

  it("a file that does not exist exits 1 with a read error", async () => {
    const run = await runCli(["explain", "specs/missing.json", "--json"], project);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { error: { code: string } }).error.code).toBe("read");
    expect(run.stderr).toContain("specs/missing.json");
  });
});

describe("explain usage", () => {
  it.each<{ name: string; args: string[] }>([
    { name: "no file", args: ["explain"] },
    { name: "two files", args: ["explain", "specs/plain.json", "specs/other.json"] },
    { name: "no file, --json", args: ["explain", "--json"] },
  ])("$name exits 2 with usage", async ({ args }) => {
    const run = await runCli(args, project);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("explain takes exactly one spec file");
    expect(run.stderr).toContain("Usage:");
  });
});
