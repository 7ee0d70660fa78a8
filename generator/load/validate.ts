import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ErrorObject, ValidateFunction } from "ajv";
import { SpecError } from "./errors.js";
import { withoutExtensions } from "./extensions.js";
import { compileMetaSchema, compiledPath, type OpenApiVersion } from "./meta-schemas.js";

export type { OpenApiVersion } from "./meta-schemas.js";

const require = createRequire(import.meta.url);

/**
 * swagger-parser compiles the OpenAPI meta-schema for every document it
 * validates (~0.4 s each); tokenwright validates against validators the build
 * precompiled, or compiles once per process when running from source, and
 * asks swagger-parser only for its semantic checks.
 */
const validators = new Map<OpenApiVersion, ValidateFunction>();

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
  let valid: boolean;
  try {
    valid = validate(document) as boolean;
  } catch (error) {
    if (error instanceof RangeError) throw new SpecError("unsupported", file, "", "the document is nested too deeply to validate");
    throw error;
  }
  if (!valid) {
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
    if (error instanceof RangeError) throw new SpecError("unsupported", file, "", "the document is nested too deeply to validate");
    const message = error instanceof Error ? error.message : String(error);
    throw new SpecError("invalid", file, "", message.replace(/\s+/g, " ").trim());
  }
}

function metaSchemaValidator(version: OpenApiVersion): ValidateFunction {
  let validate = validators.get(version);
  if (!validate) {
    const precompiled = fileURLToPath(compiledPath(version));
    validate = existsSync(precompiled) ? (require(precompiled) as { default: ValidateFunction }).default : compileMetaSchema(version).validate;
    validators.set(version, validate);
  }
  return validate;
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
