// $ref safety: files beside the spec resolve (bundled in); anything outside
// the spec's folder, any remote document without --allow-remote, and any
// loopback/private host even with it, is refused with the pointer of the ref.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SpecError, loadSpec } from "../../generator/load/index.js";
import { isNonPublicAddress } from "../../generator/load/external-refs.js";
import { buildModel } from "../../generator/model/index.js";

const root = mkdtempSync(join(tmpdir(), "tokenwright-refs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function spec(responseRef: string): string {
  return JSON.stringify({
    openapi: "3.0.3",
    info: { title: "t", version: "1" },
    servers: [{ url: "https://auth.example.com" }],
    paths: {
      "/token": {
        post: {
          requestBody: { content: { "application/x-www-form-urlencoded": { schema: { type: "object", properties: { grant_type: { type: "string", enum: ["client_credentials"] } } } } } },
          responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: responseRef } } } } },
        },
      },
    },
  });
}

/** The same token operation as Swagger 2.0; `extra` adds members to the operation. */
function swaggerSpec(responseRef: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    swagger: "2.0",
    info: { title: "t", version: "1" },
    host: "auth.example.com",
    schemes: ["https"],
    produces: ["application/json"],
    paths: {
      "/token": {
        post: {
          consumes: ["application/x-www-form-urlencoded"],
          parameters: [{ name: "grant_type", in: "formData", type: "string", enum: ["client_credentials"] }],
          responses: { "200": { description: "ok", schema: { $ref: responseRef } } },
          ...extra,
        },
      },
    },
  });
}
const SWAGGER_POINTER = "/paths/~1token/post/responses/200/schema";

const TOKEN_SCHEMA = "TokenResponse:\n  type: object\n  properties:\n    access_token:\n      type: string\n    expires_in:\n      type: integer\n";
const POINTER = "/paths/~1token/post/responses/200/content/application~1json/schema";

function project(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function refusal(path: string, policy = { allowRemote: false }): Promise<SpecError> {
  const error = await loadSpec(path, policy).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SpecError);
  return error as SpecError;
}

describe("external $refs", () => {
  it("a file beside the spec (or below it) is bundled in and modelled", async () => {
    const dir = project("beside", { "spec.json": spec("./schemas/token.yaml#/TokenResponse"), "schemas/token.yaml": TOKEN_SCHEMA });
    const loaded = await loadSpec(join(dir, "spec.json"));
    const model = buildModel({ spec: loaded });
    expect(model.success.tokenFields.accessToken).toBe("access_token");
    expect(JSON.stringify(loaded.document)).not.toContain("token.yaml");
  });

  it.each([
    { name: "../ outside the folder", ref: "../outside.yaml#/TokenResponse", setup: (dir: string) => writeFileSync(join(dir, "..", "outside.yaml"), TOKEN_SCHEMA), want: /leaves the spec's folder/ },
    { name: "an absolute path", ref: "/etc/passwd", setup: () => undefined, want: /leaves the spec's folder/ },
    { name: "a file: URL outside", ref: "file:///etc/hosts", setup: () => undefined, want: /leaves the spec's folder/ },
    { name: "a symlink inside that leads outside", ref: "./link.yaml#/TokenResponse", setup: (dir: string) => { writeFileSync(join(root, "secret.yaml"), TOKEN_SCHEMA); symlinkSync(join(root, "secret.yaml"), join(dir, "link.yaml")); }, want: /leaves the spec's folder/ },
    { name: "a remote document without --allow-remote", ref: "https://schemas.example.com/token.yaml#/TokenResponse", setup: () => undefined, want: /pass --allow-remote/ },
    { name: "another scheme", ref: "ftp://example.com/token.yaml", setup: () => undefined, want: /scheme tokenwright does not fetch/ },
  ])("$name is refused with the ref's pointer", async ({ name, ref, setup, want }) => {
    const dir = project(`refuse-${name.replace(/\W+/g, "-")}`, { "spec.json": spec(ref) });
    setup(dir);
    const error = await refusal(join(dir, "spec.json"));
    expect(error.code).toBe("external_ref");
    expect(error.pointer).toBe(POINTER);
    expect(error.message).toMatch(want);
  });

  it("a ref to a file beside the spec that is not there is refused with the ref's pointer", async () => {
    const dir = project("missing", { "spec.json": spec("./schemas/absent.yaml#/TokenResponse") });
    const error = await refusal(join(dir, "spec.json"));
    expect(error.code).toBe("external_ref");
    expect(error.pointer).toBe(POINTER);
    expect(error.message).toMatch(/names a file that is not there/);
  });

  // OpenAPI 3.0 §4.9: refs inside x- members are vendor data; they are dropped, never bundled.
  it.each([
    { name: "to a file that is not there (Azure's ./examples)", ref: "./examples/Token.json" },
    { name: "outside the folder", ref: "../outside.yaml#/X" },
    { name: "remote", ref: "https://schemas.example.com/x.json" },
  ])("an x- member holding a ref $name is dropped, while a real external ref beside it is bundled", async ({ name, ref }) => {
    const document = JSON.parse(spec("./schemas/token.yaml#/TokenResponse")) as { paths: { "/token": { post: Record<string, unknown> } } };
    document.paths["/token"].post["x-ms-examples"] = { Token: { $ref: ref } };
    const dir = project(`extension-${name.replace(/\W+/g, "-")}`, { "spec.json": JSON.stringify(document), "schemas/token.yaml": TOKEN_SCHEMA });
    const loaded = await loadSpec(join(dir, "spec.json"));
    expect(loaded.droppedExtensions).toEqual(["/paths/~1token/post/x-ms-examples"]);
    expect(JSON.stringify(loaded.document)).not.toContain(ref);
    expect(buildModel({ spec: loaded }).success.tokenFields.accessToken).toBe("access_token");
  });

  it("Swagger 2.0: a file beside the spec is bundled, then the whole document is converted", async () => {
    const dir = project("swagger-beside", { "spec.json": swaggerSpec("./schemas/token.yaml#/TokenResponse", { "x-ms-examples": { T: { $ref: "./examples/T.json" } } }), "schemas/token.yaml": TOKEN_SCHEMA });
    const loaded = await loadSpec(join(dir, "spec.json"));
    expect(loaded.convertedFrom).toBe("2.0");
    expect(loaded.droppedExtensions).toEqual(["/paths/~1token/post/x-ms-examples"]);
    const text = JSON.stringify(loaded.document);
    expect(text).not.toContain("token.yaml");
    expect(text).toContain('"access_token"');
    expect(buildModel({ spec: loaded }).success.tokenFields.accessToken).toBe("access_token");
  });

  it.each([
    { name: "../ outside the folder", ref: "../outside.yaml#/TokenResponse", want: /leaves the spec's folder/ },
    { name: "a remote document", ref: "https://schemas.example.com/token.yaml#/TokenResponse", want: /pass --allow-remote/ },
  ])("Swagger 2.0: $name is refused with the ref's pointer in the 2.0 document", async ({ name, ref, want }) => {
    const dir = project(`swagger-refuse-${name.replace(/\W+/g, "-")}`, { "spec.json": swaggerSpec(ref) });
    const error = await refusal(join(dir, "spec.json"));
    expect(error.code).toBe("external_ref");
    expect(error.pointer).toBe(SWAGGER_POINTER);
    expect(error.message).toMatch(want);
  });

  it("a referenced file that itself points outside the folder is refused", async () => {
    const dir = project("nested", { "spec.json": spec("./schemas/token.yaml#/TokenResponse"), "schemas/token.yaml": "TokenResponse:\n  $ref: '../../nested-secret.yaml#/X'\n" });
    writeFileSync(join(root, "nested-secret.yaml"), "X:\n  type: object\n");
    const error = await refusal(join(dir, "spec.json"));
    expect(error.code).toBe("external_ref");
    expect(error.message).toMatch(/outside the spec's folder/);
  });

  it.each(["http://127.0.0.1:9/token.yaml", "http://[::1]:9/token.yaml", "http://10.1.2.3/token.yaml", "http://169.254.169.254/latest/meta-data", "http://localhost:9/token.yaml"])(
    "with --allow-remote, %s is still refused (loopback, link-local or private)",
    async (url) => {
      const dir = project(`remote-${url.replace(/\W+/g, "-")}`, { "spec.json": spec(`${url}#/TokenResponse`) });
      const error = await refusal(join(dir, "spec.json"), { allowRemote: true });
      expect(error.code).toBe("external_ref");
      expect(error.message).toMatch(/loopback, link-local or private/);
    },
  );

  it.each([
    ["127.0.0.1", true], ["10.0.0.1", true], ["172.16.5.4", true], ["172.32.0.1", false], ["192.168.1.1", true], ["169.254.169.254", true],
    ["100.64.0.1", true], ["0.0.0.0", true], ["224.0.0.1", true], ["8.8.8.8", false], ["::1", true], ["fe80::1", true], ["fd00::1", true],
    ["::ffff:127.0.0.1", true], ["2001:4860:4860::8888", false],
  ])("isNonPublicAddress(%s) -> %s", (address, want) => {
    expect(isNonPublicAddress(address)).toBe(want);
  });
});
