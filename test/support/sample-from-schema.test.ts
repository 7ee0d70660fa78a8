import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRecord, readCorpusDocument, specSchemasFor } from "../corpus/documents.js";
import { SampleError, propertyAllows, sampleFromSchema, type JsonValue, type SampleOptions } from "./sample-from-schema.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { formatAjvErrors, type SpecSchemas } from "./spec-schema.js";

interface Case {
  readonly name: string;
  readonly schema: unknown;
  readonly want: JsonValue;
  readonly options?: SampleOptions;
  /** `$ref`s resolve against this (default: {@link COMPONENTS}). */
  readonly document?: unknown;
}

/** The document the `$ref` cases resolve against. */
const COMPONENTS = {
  components: {
    schemas: {
      Token: { type: "object", required: ["access_token"], properties: { access_token: { type: "string" }, expires_in: { type: "integer" } } },
      Envelope: { type: "object", required: ["success"], properties: { success: { type: "boolean" }, data: { type: "object" } } },
      Node: { type: "object", required: ["name"], properties: { name: { type: "string" }, child: { $ref: "#/components/schemas/Node" } } },
      "a/b~c": { type: "string", enum: ["escaped"] },
      Password: { type: "object", required: ["grant_type", "username"], properties: { grant_type: { $ref: "#/components/schemas/PasswordGrant" }, username: { type: "string" } } },
      PasswordGrant: { type: "string", enum: ["password"] },
      Refresh: { type: "object", required: ["grant_type", "refresh_token"], properties: { grant_type: { const: "refresh_token" }, refresh_token: { type: "string" } } },
      Cat: { type: "object", required: ["kind", "meows"], properties: { kind: { type: "string" }, meows: { type: "boolean" } } },
      Dog: { type: "object", required: ["kind", "barks"], properties: { kind: { type: "string" }, barks: { type: "boolean" } } },
    },
  },
};

const cases: readonly Case[] = [
  // Documented values first.
  { name: "example", schema: { type: "string", example: "abc" }, want: "abc" },
  { name: "first of 3.1 examples", schema: { type: "integer", examples: [7, 8] }, want: 7 },
  { name: "an example of the wrong type is passed over", schema: { type: "integer", example: "86398" }, want: 1 },
  { name: "an example outside the enum is passed over", schema: { type: "string", enum: ["a", "b"], example: "c" }, want: "a" },
  { name: "an object example missing a required member is passed over", schema: { type: "object", required: ["a"], properties: { a: { type: "string" } }, example: { b: 1 } }, want: { a: "sample-a" } },
  { name: "an example that breaks its pattern is passed over", schema: { type: "string", pattern: "^[0-9]+$", example: "x" }, want: "0" },
  { name: "an example that breaks its format is passed over", schema: { type: "string", format: "byte", example: "eyJ0eXAi <truncated>" }, want: "c2FtcGxl" },
  { name: "const", schema: { const: "fixed" }, want: "fixed" },
  { name: "first enum value", schema: { type: "string", enum: ["client_credentials", "password"] }, want: "client_credentials" },
  { name: "first non-null enum value", schema: { enum: [null, "x"] }, want: "x" },
  { name: "default", schema: { type: "integer", default: 30 }, want: 30 },
  { name: "examples ignored on request", schema: { type: "string", example: "abc", default: "def" }, options: { ignoreExamples: true }, want: "sample" },
  // Objects.
  {
    name: "only required properties by default",
    schema: { type: "object", required: ["a"], properties: { a: { type: "string" }, b: { type: "integer" } } },
    want: { a: "sample-a" },
  },
  {
    name: "all properties on request",
    schema: { type: "object", required: ["a"], properties: { a: { type: "string" }, b: { type: "integer" } } },
    options: { allProperties: true },
    want: { a: "sample-a", b: 1 },
  },
  {
    name: "readOnly left out of requests, writeOnly out of responses (unless required)",
    schema: { type: "object", required: ["w"], properties: { r: { type: "string", readOnly: true }, w: { type: "string", writeOnly: true }, x: { type: "string", writeOnly: true } } },
    options: { allProperties: true, direction: "response" },
    want: { r: "sample-r", w: "sample-w" },
  },
  { name: "required without properties", schema: { type: "object", required: ["k"] }, want: { k: "sample-k" } },
  { name: "minProperties from additionalProperties", schema: { type: "object", minProperties: 1, additionalProperties: { type: "integer" } }, want: { extra0: 1 } },
  { name: "type inferred from properties", schema: { properties: { a: { type: "boolean" } }, required: ["a"] }, want: { a: true } },
  // References.
  { name: "local $ref", schema: { $ref: "#/components/schemas/Token" }, want: { access_token: "sample-access_token" } },
  { name: "$ref with escaped pointer tokens", schema: { $ref: "#/components/schemas/a~1b~0c" }, want: "escaped" },
  {
    name: "recursion stops at maxDepth for optional members",
    schema: { $ref: "#/components/schemas/Node" },
    options: { allProperties: true, maxDepth: 2 },
    want: { name: "sample-name", child: { name: "sample-name", child: { name: "sample-name" } } },
  },
  // Composition.
  {
    name: "allOf merged (envelope + refinement of a member)",
    schema: { allOf: [{ $ref: "#/components/schemas/Envelope" }, { type: "object", required: ["data"], properties: { data: { type: "object", required: ["token"], properties: { token: { type: "string" } } } } }] },
    want: { success: true, data: { token: "sample-token" } },
  },
  { name: "allOf intersects enums", schema: { allOf: [{ enum: ["a", "b"] }, { enum: ["b", "c"] }] }, want: "b" },
  { name: "allOf takes the tighter bound", schema: { allOf: [{ type: "integer", minimum: 5 }, { minimum: 10 }] }, want: 10 },
  { name: "oneOf takes the first variant", schema: { oneOf: [{ $ref: "#/components/schemas/Password" }, { $ref: "#/components/schemas/Refresh" }] }, want: { grant_type: "password", username: "sample-username" } },
  {
    name: "oneOf variant chosen by grant_type (enum behind a $ref, or const)",
    schema: { oneOf: [{ $ref: "#/components/schemas/Password" }, { $ref: "#/components/schemas/Refresh" }] },
    options: { chooseVariant: propertyAllows("grant_type", "refresh_token") },
    want: { grant_type: "refresh_token", refresh_token: "sample-refresh_token" },
  },
  {
    name: "a predicate nothing satisfies falls back to the first variant",
    schema: { anyOf: [{ $ref: "#/components/schemas/Password" }, { $ref: "#/components/schemas/Refresh" }] },
    options: { chooseVariant: propertyAllows("grant_type", "client_credentials") },
    want: { grant_type: "password", username: "sample-username" },
  },
  { name: "oneOf skips a leading null variant", schema: { oneOf: [{ type: "null" }, { type: "integer" }] }, want: 1 },
  {
    name: "oneOf with a discriminator mapping sets the discriminator",
    schema: { oneOf: [{ $ref: "#/components/schemas/Cat" }, { $ref: "#/components/schemas/Dog" }], discriminator: { propertyName: "kind", mapping: { cat: "#/components/schemas/Cat" } } },
    want: { kind: "cat", meows: true },
  },
  { name: "outer constraints apply to the chosen variant", schema: { type: "object", required: ["id"], properties: { id: { type: "string" } }, anyOf: [{ required: ["a"] }] }, want: { id: "sample-id", a: "sample-a" } },
  // Types.
  { name: "3.1 type array takes the first non-null", schema: { type: ["null", "string"] }, want: "sample" },
  { name: "3.1 type array of null only", schema: { type: ["null"] }, want: null },
  { name: "3.0 nullable gives a value", schema: { type: "integer", nullable: true }, want: 1 },
  { name: "boolean", schema: { type: "boolean" }, want: true },
  { name: "no type at all", schema: { description: "anything" }, want: "sample" },
  // Strings.
  { name: "date-time", schema: { type: "string", format: "date-time" }, want: "2025-01-01T00:00:00Z" },
  { name: "date", schema: { type: "string", format: "date" }, want: "2025-01-01" },
  { name: "uri", schema: { type: "string", format: "uri" }, want: "https://example.com/sample" },
  { name: "email", schema: { type: "string", format: "email" }, want: "sample@example.com" },
  { name: "uuid", schema: { type: "string", format: "uuid" }, want: "123e4567-e89b-42d3-a456-426614174000" },
  { name: "byte", schema: { type: "string", format: "byte" }, want: "c2FtcGxl" },
  { name: "minLength pads", schema: { type: "string", minLength: 12 }, want: "samplexxxxxx" },
  { name: "maxLength cuts", schema: { type: "string", maxLength: 3 }, want: "sam" },
  { name: "pattern with a class and a count", schema: { type: "string", pattern: "^[0-9]{4,6}$" }, want: "0000" },
  { name: "pattern with a literal prefix", schema: { type: "string", pattern: "^B[A-Z0-9]{8,}$" }, want: "BAAAAAAAA" },
  { name: "pattern with groups and alternation", schema: { type: "string", pattern: "^#(([0-9a-fA-F]{2}){3}|([0-9a-fA-F]){3})$" }, want: "#000000" },
  { name: "pattern of a shorthand class", schema: { type: "string", pattern: "\\S+" }, want: "a" },
  { name: "pattern with a digit escape", schema: { type: "string", pattern: "^[1-9]\\d*$" }, want: "11" },
  // Numbers.
  { name: "integer", schema: { type: "integer" }, want: 1 },
  { name: "minimum", schema: { type: "integer", minimum: 100 }, want: 100 },
  { name: "maximum", schema: { type: "number", maximum: -5 }, want: -5 },
  { name: "3.0 exclusiveMinimum flag", schema: { type: "integer", minimum: 1, exclusiveMinimum: true }, want: 2 },
  { name: "3.1 exclusiveMaximum number", schema: { type: "number", exclusiveMaximum: 1 }, want: 0.5 },
  { name: "multipleOf", schema: { type: "integer", minimum: 1, multipleOf: 15 }, want: 15 },
  // Arrays.
  { name: "one item", schema: { type: "array", items: { type: "string" } }, want: ["sample"] },
  { name: "minItems", schema: { type: "array", minItems: 2, items: { type: "integer" } }, want: [1, 1] },
  { name: "uniqueItems varies the items", schema: { type: "array", minItems: 2, uniqueItems: true, items: { type: "string", enum: ["a", "b", "c"] } }, want: ["a", "b"] },
  { name: "maxItems 0", schema: { type: "array", maxItems: 0, items: { type: "string" } }, want: [] },
  { name: "3.1 prefixItems", schema: { type: "array", prefixItems: [{ type: "integer" }, { type: "boolean" }] }, want: [1, true] },
  { name: "items named after the property", schema: { type: "object", required: ["scopes"], properties: { scopes: { type: "array", items: { type: "string" } } } }, want: { scopes: ["sample-scopes"] } },
];

describe("sampleFromSchema: given -> want", () => {
  it.each(cases)("$name", ({ schema, want, options, document }) => {
    expect(sampleFromSchema(document ?? COMPONENTS, schema, options)).toEqual(want);
  });
});

describe("sampleFromSchema: schemas it cannot read", () => {
  it.each([
    { name: "a dangling $ref", schema: { $ref: "#/components/schemas/Missing" }, message: /does not resolve/ },
    { name: "an external $ref", schema: { $ref: "./schemas.yaml#/components/schemas/amount" }, message: /not local/ },
    { name: "a $ref cycle through allOf", schema: { $ref: "#/components/schemas/Loop" }, message: /cycle/ },
    { name: "a required member that recurses forever", schema: { $ref: "#/components/schemas/Chain" }, message: /unbounded nesting/ },
  ])("$name is a SampleError", ({ schema, message }) => {
    const document = {
      components: {
        schemas: {
          Loop: { allOf: [{ $ref: "#/components/schemas/Loop" }] },
          Chain: { type: "object", required: ["next"], properties: { next: { $ref: "#/components/schemas/Chain" } } },
        },
      },
    };
    expect(() => sampleFromSchema(document, schema)).toThrow(SampleError);
    expect(() => sampleFromSchema(document, schema)).toThrow(message);
  });
});

/**
 * The token operations of the corpus (test/corpus/specs/INDEX.md), by file.
 * Scheme-only specs (Xero, Lyft, PayPal) document none. Shopware (dangling
 * `$ref`s) and Interledger (a second file that is not in the corpus) cannot
 * be sampled, which the last test checks.
 */
const TOKEN_OPERATIONS: Readonly<Record<string, readonly (readonly [method: string, path: string])[]>> = {
  "ably-platform.yaml": [["post", "/keys/{keyName}/requestToken"]],
  "amadeus-authorization.json": [["post", "/security/oauth2/token"]],
  "autodesk-aps-authentication.yaml": [["post", "/authentication/v2/token"]],
  "aws-sso-oidc.yaml": [["post", "/token"]],
  "azure-containerregistry.json": [["post", "/oauth2/exchange"], ["post", "/oauth2/token"], ["get", "/oauth2/token"]],
  "box-platform.json": [["post", "/oauth2/token"], ["post", "/oauth2/token#refresh"]],
  "discord-api.json": [["post", "/partner-sdk/token"], ["post", "/partner-sdk/token/bot"]],
  "globalpayments-accesstoken.yaml": [["post", "/accesstoken"]],
  "hubspot-oauth-v1.yaml": [["post", "/oauth/v1/token"]],
  "personio-auth.yaml": [["post", "/auth"]],
  "slack-web-api.json": [["get", "/oauth.access"], ["get", "/oauth.v2.access"], ["get", "/oauth.token"]],
  "twilio-oauth-v1.yaml": [["post", "/v1/token"]],
  "vipps-accesstoken.yaml": [["post", "/accesstoken/get"]],
};

interface ResponseCase {
  readonly file: string;
  readonly method: string;
  readonly path: string;
  readonly status: string;
  readonly mediaType: string;
  readonly schema: unknown;
}

const VARIANTS: readonly { readonly label: string; readonly options: SampleOptions }[] = [
  { label: "required members", options: { direction: "response" } },
  { label: "all members", options: { allProperties: true, direction: "response" } },
  { label: "all members, no examples", options: { allProperties: true, direction: "response", ignoreExamples: true } },
];

describe("samples of every response of the corpus's token operations validate (ajv, spec-schema)", () => {
  let tempDir = "";
  const loaded = new Map<string, { document: Record<string, unknown>; version: "3.0" | "3.1"; schemas: SpecSchemas }>();
  const responses: ResponseCase[] = [];

  beforeAll(async () => {
    tempDir = await mkdtemp(join(tmpdir(), "tokenwright-sample-"));
    for (const [file, operations] of Object.entries(TOKEN_OPERATIONS)) {
      // Only the token operations' path items and what they reference: whole-API documents are large.
      const { document, version } = await readCorpusDocument(file, [...new Set(operations.map(([, path]) => path))]);
      loaded.set(file, { document, version, schemas: await specSchemasFor(document, tempDir, file) });
      for (const [method, path] of operations) {
        const operation = deref(document, (deref(document, (document["paths"] as Record<string, unknown>)[path]) as Record<string, unknown>)[method]);
        if (!isRecord(operation) || !isRecord(operation["responses"])) throw new Error(`${file}: no ${method} ${path}`);
        for (const [status, response] of Object.entries(operation["responses"])) {
          const content = deref(document, response);
          if (!isRecord(content) || !isRecord(content["content"])) continue;
          for (const [mediaType, media] of Object.entries(content["content"])) {
            if (isRecord(media) && media["schema"] !== undefined) responses.push({ file, method, path, status, mediaType, schema: media["schema"] });
          }
        }
      }
    }
  }, 60_000);

  afterAll(async () => {
    if (tempDir !== "") await rm(tempDir, { recursive: true, force: true });
  });

  for (const { label, options } of VARIANTS) {
    it(label, () => {
      expect(responses.length).toBeGreaterThan(40);
      const failures: string[] = [];
      for (const { file, method, path, status, mediaType, schema } of responses) {
        const entry = loaded.get(file);
        if (entry === undefined) throw new Error(`${file} not loaded`);
        const where = `${file} ${method.toUpperCase()} ${path} ${status} ${mediaType}`;
        let sample: JsonValue;
        try {
          sample = sampleFromSchema(entry.document, schema, options);
        } catch (error) {
          failures.push(`${where}: ${String(error)}`);
          continue;
        }
        let errors: string[];
        try {
          const check = entry.schemas.operation(path, method).validateResponse(status, sample, mediaType);
          errors = check.ok ? [] : check.errors;
        } catch (error) {
          // spec-schema compiles the dereferenced schema, which a recursive schema turns into a cycle ajv
          // cannot compile; 3.1 schemas are JSON Schema 2020-12, so ajv can take them with their $refs.
          if (!/Maximum call stack/.test(String(error)) || entry.version !== "3.1") throw error;
          errors = validateWithRefs(entry.document, schema, sample);
        }
        if (errors.length > 0) failures.push(`${where}: ${errors.join("; ")}\n    sample: ${JSON.stringify(sample).slice(0, 400)}`);
      }
      expect(failures).toEqual([]);
    });
  }

  it.each([
    {
      file: "shopware-admin-token.fragment.json",
      what: "its request body (a oneOf of $refs to components the fragment lacks)",
      schema: { $ref: "#/paths/~1oauth~1token/post/requestBody/content/application~1json/schema" },
      message: /"#\/components\/schemas\/OAuthPasswordGrant" does not resolve/,
    },
    {
      file: "interledger-openpayments-auth.yaml",
      what: "limits-outgoing (members in ./schemas.yaml, which is not in the corpus)",
      schema: { $ref: "#/components/schemas/limits-outgoing" },
      message: /"\.\/schemas\.yaml#\/components\/schemas\/receiver" is not local/,
    },
  ])("$file: $what is a clear SampleError, not a half-made sample", async ({ file, schema, message }) => {
    const { document } = await readCorpusDocument(file);
    expect(() => sampleFromSchema(document, schema, { allProperties: true })).toThrow(message);
  });
});

/** Validates against a 3.1 document's schema with its `$ref`s intact (ajv resolves them, cycles included). */
function validateWithRefs(document: Record<string, unknown>, schema: unknown, value: unknown): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  ajv.addSchema({ ...document, $id: "corpus:document" });
  const validate = ajv.compile(rebase(schema) as Record<string, unknown>);
  return validate(value) ? [] : formatAjvErrors(validate.errors);
}

/** Local `#/...` refs of a schema lifted out of the document, pointed back at it. */
function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (!isRecord(node)) return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === "$ref" && typeof value === "string" && value.startsWith("#") ? `corpus:document${value}` : rebase(value)]));
}

function deref(document: unknown, node: unknown): unknown {
  let current = node;
  for (let hops = 0; isRecord(current) && typeof current["$ref"] === "string" && hops < 32; hops++) {
    let target: unknown = document;
    for (const token of current["$ref"].replace(/^#\//, "").split("/")) {
      const key = decodeURIComponent(token).replace(/~1/g, "/").replace(/~0/g, "~");
      target = isRecord(target) ? target[key] : undefined;
    }
    if (target === undefined) return current;
    current = target;
  }
  return current;
}
