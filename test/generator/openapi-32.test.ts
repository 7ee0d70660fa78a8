// OpenAPI 3.2 (3.2.0, September 2025) documents: validated against the vendored official schema
// (generator/load/schemas/), and what 3.2 adds that a token client reads: deviceAuthorization flows and
// oauth2MetadataUrl (issue 12).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { SpecError, loadSpec, loadSpecText, type SpecErrorCode } from "../../generator/load/index.js";
import { buildModel } from "../../generator/model/index.js";
import { generate } from "../../generator/pipeline/generate.js";
import { REPO_ROOT, typecheck, useTempDirs, type Json } from "./helpers.js";

const tempDir = useTempDirs();

const FIXTURE = "test/fixtures/openapi-3.2/device-tv.yaml";
const DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";

const fixture = (): Json => parse(readFileSync(join(REPO_ROOT, FIXTURE), "utf8")) as Json;

async function refusal(document: Json): Promise<SpecError> {
  const outcome = await loadSpecText("spec.json", new TextEncoder().encode(JSON.stringify(document))).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof SpecError)) throw new Error(`expected a SpecError, got ${outcome === undefined ? "a loaded spec" : String(outcome)}`);
  return outcome;
}

type Edit = (document: Json & { components: { securitySchemes: Record<string, Json & { flows: Record<string, Json> }> }; paths: Record<string, Json> }) => void;

describe("an OpenAPI 3.2 document", () => {
  it("loads as 3.2, past $self, the QUERY method, additionalOperations and a deprecated scheme", async () => {
    const spec = await loadSpec(join(REPO_ROOT, FIXTURE));
    expect(spec.version).toBe("3.2");
    expect(spec.document["openapi"]).toBe("3.2.0");
  });

  it("with a deviceAuthorization flow: a device_code token client and the device authorization endpoint", async () => {
    const model = buildModel({ spec: await loadSpec(FIXTURE) });
    expect(model.source.openapi).toBe("3.2.0");
    expect(model.operation).toMatchObject({ path: "/oauth/token", method: "post" });
    expect(model.grants.map((g) => g.grantType)).toEqual([DEVICE_CODE, "refresh_token"]);
    expect(model.surface).toEqual({
      deviceAuthorization: {
        url: "/oauth/device_authorization",
        relative: true,
        pointer: "/components/securitySchemes/tvLogin/flows/deviceAuthorization/deviceAuthorizationUrl",
        source: "spec",
      },
      // On the document's server: a path on the client's server, so a client pointed elsewhere reads that server's metadata.
      metadata: { url: "/.well-known/oauth-authorization-server", relative: true, pointer: "/components/securitySchemes/tvLogin/oauth2MetadataUrl", source: "spec" },
    });
    const facts = model.facts.filter((f) => f.topic === "oauth surface").map((f) => [f.source, f.evidence]);
    expect(facts).toEqual([
      ["spec", "/components/securitySchemes/tvLogin/flows/deviceAuthorization/deviceAuthorizationUrl"],
      ["spec", "/components/securitySchemes/tvLogin/oauth2MetadataUrl"],
    ]);
  });

  it("generates a client whose output type-checks, and whose README lists the device authorization endpoint", async () => {
    const outDir = await tempDir("openapi-32");
    const report = await generate({ specs: [join(REPO_ROOT, FIXTURE)], specsDir: join(REPO_ROOT, "test/fixtures/openapi-3.2"), outDir, check: false, defaultRun: false, log: () => undefined });
    expect(report.written).toEqual(["device-tv"]);
    writeFileSync(join(outDir, "package.json"), JSON.stringify({ type: "module" }));
    expect(typecheck(outDir, { skipLibCheck: true }).diagnostics).toEqual([]);
    const readme = readFileSync(join(outDir, "device-tv", "README.md"), "utf8");
    expect(readme).toContain("| device authorization | `/oauth/device_authorization` on the client's server | spec |");
    expect(readFileSync(join(outDir, "device-tv", "client.ts"), "utf8")).toContain('"urn:ietf:params:oauth:grant-type:device_code"');
  }, 60_000);

  it.each<{ name: string; edit: Edit; code: SpecErrorCode; pointer: string; message: RegExp }>([
    // given an edit of the fixture -> want this refusal
    {
      name: "a deviceAuthorization flow without deviceAuthorizationUrl",
      edit: (d) => void delete d.components.securitySchemes["tvLogin"]!.flows["deviceAuthorization"]!["deviceAuthorizationUrl"],
      code: "invalid",
      pointer: "/components/securitySchemes/tvLogin/flows/deviceAuthorization",
      message: /not a valid OpenAPI 3\.2 document: missing required property "deviceAuthorizationUrl"/,
    },
    {
      name: "a flow 3.2 does not define",
      edit: (d) => void (d.components.securitySchemes["tvLogin"]!.flows["deviceCode"] = { tokenUrl: "/oauth/token", scopes: {} }),
      code: "invalid",
      pointer: "/components/securitySchemes/tvLogin/flows",
      message: /unexpected property "deviceCode"/,
    },
    {
      name: "$self with a fragment",
      edit: (d) => void (d["$self"] = "https://tv.example.com/openapi.yaml#top"),
      code: "invalid",
      pointer: "/$self",
      message: /must match pattern/,
    },
    {
      name: "oauth2MetadataUrl that is not a string",
      edit: (d) => void (d.components.securitySchemes["tvLogin"]!["oauth2MetadataUrl"] = 5),
      code: "invalid",
      pointer: "/components/securitySchemes/tvLogin/oauth2MetadataUrl",
      message: /must be string/,
    },
    {
      name: "deprecated that is not a boolean",
      edit: (d) => void (d.components.securitySchemes["legacyKey"]!["deprecated"] = "yes"),
      code: "invalid",
      pointer: "/components/securitySchemes/legacyKey/deprecated",
      message: /must be boolean/,
    },
    {
      name: "a fixed method under additionalOperations",
      edit: (d) => void ((d.paths["/v1/shows"]!["additionalOperations"] as Json)["POST"] = { responses: {} }),
      code: "invalid",
      pointer: "/paths/~1v1~1shows/additionalOperations",
      message: /not a valid OpenAPI 3\.2 document/,
    },
    {
      name: "OpenAPI 3.3.0",
      edit: (d) => void (d["openapi"] = "3.3.0"),
      code: "unsupported_version",
      pointer: "/openapi",
      message: /"3\.3\.0" is not supported \(3\.0\.x, 3\.1\.x and 3\.2\.x are\)/,
    },
  ])("refuses $name: $code at $pointer", async ({ edit, code, pointer, message }) => {
    const document = fixture();
    edit(document as Parameters<Edit>[0]);
    const error = await refusal(document);
    expect({ code: error.code, file: error.file, pointer: error.pointer }).toEqual({ code, file: "spec.json", pointer });
    expect(error.message).toMatch(message);
  });
});
