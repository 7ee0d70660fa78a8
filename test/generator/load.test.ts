import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SpecError, loadSpec, loadSpecText, lookupPointer, type SpecErrorCode } from "../../generator/load/index.js";
import { ERROR_RESPONSE, REPO_ROOT, sha256Hex, tokenSpec, useTempDirs, writeTree, type Json } from "./helpers.js";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Loads text and returns the SpecError it must throw. */
async function refusal(file: string, text: string): Promise<SpecError> {
  const outcome = await loadSpecText(file, bytes(text)).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof SpecError)) throw new Error(`expected a SpecError, got ${outcome === undefined ? "a loaded spec" : String(outcome)}`);
  return outcome;
}

const refusalOf = (document: unknown, file = "spec.json") => refusal(file, JSON.stringify(document, null, 2));

const BODY_SCHEMA = `/paths/~1oauth~1token/post/requestBody/content/application~1x-www-form-urlencoded/schema`;

const VALID_YAML = `openapi: 3.0.3
info:
  title: Acme
  version: "1"
paths:
  /oauth/token:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                grant_type: { type: string, enum: [client_credentials] }
      responses:
        "200":
          description: ok
`;

const SWAGGER_YAML = `swagger: "2.0"
info:
  title: Acme
  version: "1"
paths:
  /oauth/token:
    post:
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - { name: grant_type, in: formData, type: string, enum: [client_credentials] }
      responses:
        "200":
          description: ok
`;

describe("loadSpecText: what loads", () => {
  it.each<{ name: string; file: string; text: string; version: string }>([
    { name: "YAML 3.0", file: "a.yaml", text: VALID_YAML, version: "3.0" },
    { name: "YAML 3.1", file: "a.yml", text: VALID_YAML.replace("3.0.3", "3.1.0"), version: "3.1" },
    { name: "JSON 3.0", file: "a.json", text: JSON.stringify(tokenSpec()), version: "3.0" },
    { name: "JSON text in a .yaml file (YAML is a superset)", file: "a.yaml", text: JSON.stringify(tokenSpec()), version: "3.0" },
    // Swagger 2.0 is converted to OpenAPI 3.0 (test/generator/swagger2.test.ts has the details).
    { name: "YAML Swagger 2.0 (converted to 3.0)", file: "a.yaml", text: SWAGGER_YAML, version: "3.0" },
  ])("$name", async ({ file, text, version }) => {
    const spec = await loadSpecText(file, bytes(text));
    expect(spec.version).toBe(version);
    expect(spec.file).toBe(file);
    expect(spec.sha256).toBe(sha256Hex(text));
    expect(spec.document["paths"]).toHaveProperty(["/oauth/token", "post"]);
  });
});

describe("loadSpecText: syntax errors name file:line:col", () => {
  it.each<{ name: string; file: string; text: string; at: RegExp }>([
    // given -> want: the message leads with file:line:col of the offending character.
    {
      name: "YAML duplicate key on line 2",
      file: "dup.yaml",
      text: "openapi: 3.0.3\nopenapi: 3.0.3\ninfo: {title: a, version: '1'}\npaths: {}\n",
      at: /^dup\.yaml:2:1: invalid YAML/,
    },
    {
      name: "YAML bad indentation on line 6",
      file: "indent.yaml",
      text: "openapi: 3.0.3\ninfo:\n  title: x\n  version: '1'\npaths: {}\n  bad: indent\n",
      at: /^indent\.yaml:6:\d+: invalid YAML/,
    },
    {
      name: "YAML unclosed flow sequence on line 3",
      file: "flow.yaml",
      text: "openapi: 3.0.3\ninfo:\n  title: [unclosed\n  version: '1'\npaths: {}\n",
      at: /^flow\.yaml:[3-5]:\d+: invalid YAML/,
    },
    {
      name: "JSON missing colon (line 3, column 10)",
      file: "colon.json",
      text: '{\n  "openapi": "3.0.3",\n  "info" {}\n}',
      at: /^colon\.json:3:10: invalid JSON/,
    },
    {
      name: "JSON trailing comma (line 3, column 1)",
      file: "comma.json",
      text: '{\n  "openapi": "3.0.3",\n}',
      at: /^comma\.json:3:1: invalid JSON/,
    },
    {
      // V8 reads "t" as the start of `true` and rejects the "h": the position is that character, as the message says.
      name: "JSON bare word (line 2, column 15, the 'h' V8 names)",
      file: "word.json",
      text: '{\n  "openapi": three\n}',
      at: /^word\.json:2:15: invalid JSON: Unexpected token 'h'/,
    },
    {
      name: "JSON cut short (error at the end, line 3)",
      file: "short.json",
      text: '{\n  "openapi": "3.0.3",\n  "info": {',
      at: /^short\.json:3:\d+: invalid JSON/,
    },
  ])("$name", async ({ file, text, at }) => {
    const error = await refusal(file, text);
    expect(error.code).toBe("syntax");
    expect(error.file).toBe(file);
    expect(error.position).toBeDefined();
    expect(error.message).toMatch(at);
  });

  it("refuses a YAML alias bomb quickly instead of expanding it", async () => {
    // Billion laughs, 8 levels of 9 aliases: 9^8 (~43 million) strings once expanded. Put where
    // OpenAPI allows any value (an example), so only alias limits can stop it; walking the
    // expanded tree takes tens of seconds, so a missing limit fails the time bound.
    const levels = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const lines = [`${levels[0]!}: &${levels[0]!} ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
    for (let i = 1; i < levels.length; i++) {
      const previous = levels[i - 1]!;
      lines.push(`${levels[i]!}: &${levels[i]!} [${Array.from({ length: 9 }, () => `*${previous}`).join(", ")}]`);
    }
    const text = [
      "openapi: 3.0.3",
      'info: {title: bomb, version: "1"}',
      "paths: {}",
      "components:",
      "  examples:",
      "    Bomb:",
      "      value:",
      ...lines.map((line) => `        ${line}`),
      "",
    ].join("\n");
    const started = performance.now();
    const error = await refusal("bomb.yaml", text);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.code).toBe("syntax");
    expect(error.file).toBe("bomb.yaml");
    expect(error.message).toMatch(/alias/i);
  });
});

describe("loadSpecText: $ref checks", () => {
  it.each<{ name: string; document: Json; code: SpecErrorCode; pointer: string; mentions: string }>([
    {
      name: "unresolvable component ref: pointer of the object holding the $ref",
      document: tokenSpec({ body: { $ref: "#/components/schemas/Missing" } }),
      code: "unresolved_ref",
      pointer: BODY_SCHEMA,
      mentions: "#/components/schemas/Missing",
    },
    {
      name: "unresolvable ref in a JSON body (media type with a slash is escaped ~1)",
      document: tokenSpec({ mediaType: "application/json", path: "/token", body: { $ref: "#/components/schemas/Nope" } }),
      code: "unresolved_ref",
      pointer: "/paths/~1token/post/requestBody/content/application~1json/schema",
      mentions: "#/components/schemas/Nope",
    },
    {
      name: "unresolvable ref inside an array (oneOf member 1)",
      document: tokenSpec({
        body: { oneOf: [{ type: "object", properties: { grant_type: { type: "string" } } }, { $ref: "#/components/schemas/Gone" }] },
      }),
      code: "unresolved_ref",
      pointer: `${BODY_SCHEMA}/oneOf/1`,
      mentions: "Gone",
    },
    {
      name: "ref into a component that exists but lacks the property",
      document: tokenSpec({
        body: { type: "object", properties: { grant_type: { $ref: "#/components/schemas/Req/properties/nope" } } },
        components: { schemas: { Req: { type: "object", properties: { grant_type: { type: "string" } } } } },
      }),
      code: "unresolved_ref",
      pointer: `${BODY_SCHEMA}/properties/grant_type`,
      mentions: "#/components/schemas/Req/properties/nope",
    },
    {
      name: "external ref",
      document: tokenSpec({ body: { $ref: "other.yaml#/x" } }),
      code: "external_ref",
      pointer: BODY_SCHEMA,
      mentions: "other.yaml#/x",
    },
    {
      name: "external ref by URL, in a response",
      document: tokenSpec({
        responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "https://example.com/schemas.json#/Token" } } } } },
      }),
      code: "external_ref",
      pointer: "/paths/~1oauth~1token/post/responses/200/content/application~1json/schema",
      mentions: "https://example.com/schemas.json#/Token",
    },
    {
      name: "a fragment that is not a JSON pointer (#token)",
      document: tokenSpec({ body: { $ref: "#token" } }),
      code: "unresolved_ref",
      pointer: BODY_SCHEMA,
      mentions: "not a JSON pointer",
    },
    {
      // A property is data, not a vendor extension, even when its name starts with "x-".
      name: "unresolvable ref in a schema property named x-request-id",
      document: tokenSpec({
        body: {
          type: "object",
          properties: { grant_type: { type: "string" }, "x-request-id": { $ref: "#/components/schemas/Missing" } },
        },
      }),
      code: "unresolved_ref",
      pointer: `${BODY_SCHEMA}/properties/x-request-id`,
      mentions: "#/components/schemas/Missing",
    },
  ])("$name -> $code", async ({ document, code, pointer, mentions }) => {
    const error = await refusalOf(document, "spec.json");
    expect(error.code).toBe(code);
    expect(error.file).toBe("spec.json");
    expect(error.pointer).toBe(pointer);
    expect(error.message.startsWith(`spec.json#${pointer}: `)).toBe(true);
    expect(error.message).toContain(mentions);
  });

  it.each<{ name: string; document: Json }>([
    {
      name: "an x- extension on the operation holding a dangling local ref",
      document: tokenSpec({ operation: { "x-sample": { $ref: "#/nowhere/at/all" } } }),
    },
    {
      name: "an x- extension at the top holding an external ref",
      document: tokenSpec({ document: { "x-origin": { $ref: "other.yaml#/x" } } }),
    },
    {
      name: "an x- extension inside a schema",
      document: tokenSpec({
        body: {
          type: "object",
          "x-examples": { whole: { $ref: "#/components/examples/Missing" } },
          properties: { grant_type: { type: "string", enum: ["client_credentials"] } },
        },
      }),
    },
  ])("ignores refs inside vendor extensions: $name", async ({ document }) => {
    const spec = await loadSpecText("spec.json", bytes(JSON.stringify(document)));
    expect(spec.version).toBe("3.0");
  });

  // OpenAPI 3.0 §4.9: an x- member's value is vendor data; one holding a $ref anywhere is dropped
  // before refs are checked, bundled or resolved, and its pointer (in the file) is reported.
  it.each<{ name: string; document: Json; dropped: string[]; kept?: Record<string, unknown> }>([
    {
      name: "an x- member of an operation with a ref to a file that is not there (Azure's x-ms-examples)",
      document: tokenSpec({ operation: { "x-ms-examples": { Get: { $ref: "./examples/Get.json" } }, "x-ms-long-running": false } }),
      dropped: ["/paths/~1oauth~1token/post/x-ms-examples"],
      kept: { "/paths/~1oauth~1token/post/x-ms-long-running": false },
    },
    {
      name: "the ref deep inside arrays and objects of the extension",
      document: tokenSpec({ document: { "x-tagGroups": [{ name: "a", tags: [{ meta: { $ref: "#/nowhere" } }] }], "x-logo": { url: "https://example.com/l.png" } } }),
      dropped: ["/x-tagGroups"],
      kept: { "/x-logo/url": "https://example.com/l.png" },
    },
    {
      name: "extensions in the paths map and in a responses map (which allow them)",
      document: tokenSpec({
        document: { paths: { "x-ms-paths-like": { $ref: "other.yaml#/paths" } } },
        responses: { "200": { description: "ok" }, "x-error": { $ref: "#/components/responses/Missing" } },
      }),
      dropped: ["/paths/x-ms-paths-like", "/paths/~1oauth~1token/post/responses/x-error"],
    },
    {
      name: "an extension of a schema inside the request body, and of an array item",
      document: tokenSpec({
        body: { type: "object", "x-examples": { a: { $ref: "./a.json" } }, properties: { grant_type: { type: "string" } } },
        operation: { parameters: [{ name: "v", in: "header", schema: { type: "string" }, "x-doc": { $ref: "#/x" } }] },
      }),
      dropped: [`${BODY_SCHEMA}/x-examples`, "/paths/~1oauth~1token/post/parameters/0/x-doc"],
    },
    {
      name: "an extension inside an extension: the outer member goes",
      document: tokenSpec({ operation: { "x-outer": { "x-inner": { $ref: "#/nowhere" } } } }),
      dropped: ["/paths/~1oauth~1token/post/x-outer"],
    },
    {
      name: "x- names in maps of names are names: their refs are kept and checked",
      document: tokenSpec({
        body: { type: "object", properties: { grant_type: { type: "string" }, "x-request-id": { $ref: "#/components/schemas/Id" } } },
        components: { schemas: { Id: { type: "string" } } },
      }),
      dropped: [],
      kept: { [`${BODY_SCHEMA}/properties/x-request-id/$ref`]: "#/components/schemas/Id" },
    },
  ])("drops extension members that hold refs: $name", async ({ document, dropped, kept }) => {
    const spec = await loadSpecText("spec.json", bytes(JSON.stringify(document)));
    expect(spec.droppedExtensions ?? []).toEqual(dropped);
    for (const pointer of dropped) expect(lookupPointer(spec.document, pointer).found, pointer).toBe(false);
    for (const [pointer, value] of Object.entries(kept ?? {})) expect(lookupPointer(spec.document, pointer)).toEqual({ found: true, value });
  });

  it("Swagger 2.0: a top-level response named x-error is a name (kept and resolved), an operation's x- member is an extension", async () => {
    const document = {
      swagger: "2.0",
      info: { title: "a", version: "1" },
      paths: {
        "/token": {
          post: {
            consumes: ["application/x-www-form-urlencoded"],
            parameters: [{ name: "grant_type", in: "formData", type: "string" }],
            responses: { "200": { description: "ok" }, "400": { $ref: "#/responses/x-error" } },
            "x-ms-examples": { Token: { $ref: "./examples/Token.json" } },
          },
        },
      },
      responses: { "x-error": { description: "failed", schema: { $ref: "#/definitions/Error" } } },
      definitions: { Error: { type: "object", properties: { error: { type: "string" } } } },
    };
    const spec = await loadSpecText("spec.json", bytes(JSON.stringify(document)));
    expect(spec.droppedExtensions).toEqual(["/paths/~1token/post/x-ms-examples"]);
    expect(lookupPointer(spec.document, "/paths/~1token/post/responses/400")).toEqual({ found: true, value: { $ref: "#/components/responses/x-error" } });
    // Without `produces`, the converter gives the response the media type */*.
    expect(lookupPointer(spec.document, "/components/responses/x-error/content/*~1*/schema/$ref")).toEqual({ found: true, value: "#/components/schemas/Error" });
  });

  it("loads a component schema whose (legal) name starts with x-", async () => {
    // OpenAPI 3.0 §4.7.7: component keys match ^[a-zA-Z0-9.\-_]+$, so "x-token-request" is a name, not an extension.
    const document = tokenSpec({
      body: { $ref: "#/components/schemas/x-token-request" },
      components: { schemas: { "x-token-request": { type: "object", properties: { grant_type: { type: "string", enum: ["client_credentials"] } } } } },
    });
    const spec = await loadSpecText("spec.json", bytes(JSON.stringify(document)));
    expect(spec.version).toBe("3.0");
  });
});

describe("loadSpecText: documents that are not usable OpenAPI 3", () => {
  it.each<{ name: string; document: unknown; code: SpecErrorCode; pointer: string; mentions: string }>([
    {
      name: "responses is a number",
      document: tokenSpec({ responses: 5 as unknown as Json }),
      code: "invalid",
      pointer: "/paths/~1oauth~1token/post/responses",
      mentions: "OpenAPI 3.0",
    },
    {
      name: "a response without its required description",
      document: tokenSpec({ responses: { "200": { content: { "application/json": { schema: { type: "object" } } } } } }),
      code: "invalid",
      pointer: "/paths/~1oauth~1token/post/responses/200",
      mentions: "description",
    },
    {
      name: "info missing",
      document: { openapi: "3.0.3", paths: {} },
      code: "invalid",
      pointer: "",
      mentions: "info",
    },
    {
      name: "Swagger 3.0 (there is no such version; Swagger 2.0 is converted)",
      document: { swagger: "3.0", info: { title: "old", version: "1" }, paths: {} },
      code: "unsupported_version",
      pointer: "/swagger",
      mentions: "Swagger 3.0",
    },
    {
      name: "OpenAPI 4.0.0",
      document: { ...tokenSpec(), openapi: "4.0.0" },
      code: "unsupported_version",
      pointer: "/openapi",
      mentions: "4.0.0",
    },
    {
      name: "a JSON object that is not OpenAPI",
      document: { name: "package", version: "1.0.0" },
      code: "not_openapi",
      pointer: "",
      mentions: "openapi",
    },
    {
      name: "a JSON array",
      document: [1, 2, 3],
      code: "not_openapi",
      pointer: "",
      mentions: "not an object",
    },
    {
      name: "a bare string",
      document: "openapi",
      code: "not_openapi",
      pointer: "",
      mentions: "not an object",
    },
  ])("$name -> $code", async ({ document, code, pointer, mentions }) => {
    const error = await refusalOf(document, "doc.json");
    expect(error.code).toBe(code);
    expect(error.pointer).toBe(pointer);
    expect(error.message.startsWith(`doc.json#${pointer}: `)).toBe(true);
    expect(error.message).toContain(mentions);
  });
});

describe("loadSpec (from disk)", () => {
  const tempDir = useTempDirs();

  it("reads a file and reports its sha256 and forward-slash name", async () => {
    const dir = await tempDir("load");
    const text = JSON.stringify(tokenSpec({ responses: { "200": { description: "ok" }, "400": { description: "no", content: { "application/json": { schema: ERROR_RESPONSE } } } } }));
    writeTree(dir, { "specs/acme.json": text });
    const spec = await loadSpec(`${dir}/specs/acme.json`);
    expect(spec.sha256).toBe(sha256Hex(text));
    expect(spec.file).toBe(`${dir}/specs/acme.json`.split("\\").join("/"));
  });

  it("a missing file is a located 'read' error", async () => {
    const dir = await tempDir("load");
    const outcome = await loadSpec(`${dir}/nope.yaml`).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(SpecError);
    expect((outcome as SpecError).code).toBe("read");
    expect((outcome as SpecError).message).toContain("nope.yaml");
    expect((outcome as SpecError).message).toContain("ENOENT");
  });
});


// Shopware's fragment (test/corpus/specs/INDEX.md row 7) refs components it does not have: dropping
// extension refs must not hide a dangling ref outside extensions.
const SHOPWARE = [join(REPO_ROOT, "test/corpus/specs"), join(REPO_ROOT, "../shared/corpus")]
  .map((dir) => join(dir, "shopware-admin-token.fragment.json"))
  .find((file) => existsSync(file));

describe.skipIf(SHOPWARE === undefined)(`corpus: Shopware's fragment${SHOPWARE === undefined ? " (SKIPPED: no corpus at test/corpus/specs or ../shared/corpus)" : ""}`, () => {
  it("still fails, naming the file and the pointer of a dangling $ref", async () => {
    const file = SHOPWARE!;
    const error = await loadSpec(file).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    const { code, pointer, message } = error as SpecError;
    expect(code).toBe("unresolved_ref");
    expect(pointer).toMatch(/^\/paths\/~1oauth~1token\/post\//);
    expect(message.startsWith(`${file.split("\\").join("/")}#${pointer}: `)).toBe(true);
    const holder = lookupPointer(JSON.parse(readFileSync(file, "utf8")), pointer);
    expect(holder.found && typeof (holder.value as { $ref?: unknown }).$ref).toBe("string");
    expect(message).toContain((holder as { value: { $ref: string } }).value.$ref);
  });
});
