import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ErrorObject, ValidateFunction } from "ajv";
import { SpecError } from "./errors.js";
import { withoutExtensions } from "./extensions.js";
import { compileMetaSchema, compiledPath, type SpecVersion } from "./meta-schemas.js";
import { localRefToPointer, lookupPointer, toPointer } from "./pointer.js";

export type { OpenApiVersion, SpecVersion } from "./meta-schemas.js";

const require = createRequire(import.meta.url);

/**
 * swagger-parser compiles the OpenAPI meta-schema for every document it
 * validates (~0.4 s each); tokenwright validates against validators the build
 * precompiled, or compiles once per process when running from source, and
 * asks swagger-parser only for its semantic checks.
 */
const validators = new Map<SpecVersion, ValidateFunction>();

/**
 * Reads which version a parsed document claims (Swagger 2.0, OpenAPI 3.0.x,
 * 3.1.x or 3.2.x), or refuses it.
 */
export function specVersionOf(file: string, document: unknown): SpecVersion {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new SpecError("not_openapi", file, "", "the document is not an object");
  }
  const record = document as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(record, "swagger")) {
    const swagger = record["swagger"];
    if (swagger === "2.0") return "2.0";
    if (typeof swagger === "string") {
      throw new SpecError("unsupported_version", file, "/swagger", `Swagger ${swagger} documents are not supported (Swagger 2.0, OpenAPI 3.0.x, 3.1.x and 3.2.x are)`);
    }
    // Swagger 2.0 §"Swagger Object": the field is the string "2.0"; YAML reads an unquoted 2.0 as a number.
    throw new SpecError("version_not_string", file, "/swagger", `"swagger" must be the string "2.0", not ${JSON.stringify(swagger)} (quote it in YAML)`);
  }
  const version = record["openapi"];
  if (typeof version !== "string") {
    throw new SpecError("not_openapi", file, "", 'no "openapi" version field: not an OpenAPI 3 document');
  }
  if (/^3\.0\.\d+$/.test(version)) return "3.0";
  if (/^3\.1\.\d+$/.test(version)) return "3.1";
  // OpenAPI 3.2.0 §4.1 (September 2025): the same document shape, so the model reads it as it reads 3.1.
  if (/^3\.2\.\d+$/.test(version)) return "3.2";
  throw new SpecError("unsupported_version", file, "/openapi", `OpenAPI version ${JSON.stringify(version)} is not supported (3.0.x, 3.1.x and 3.2.x are)`);
}

/**
 * Validates a document against the Swagger 2.0 or OpenAPI meta-schema (3.0
 * §4, 3.1 §4) and swagger-parser's semantic rules (which it has for 2.0
 * only). The first problem is reported with the JSON pointer of the offending
 * object. `semantic: false` runs the meta-schema alone; `context` is added to
 * messages (for a document the loader made, not the user).
 */
export async function validateDocument(
  file: string,
  document: object,
  version: SpecVersion,
  options: { readonly semantic?: boolean; readonly context?: string } = {},
): Promise<void> {
  const name = version === "2.0" ? "Swagger 2.0" : `OpenAPI ${version}`;
  const context = options.context ? ` ${options.context}` : "";
  const validate = metaSchemaValidator(version);
  let valid: boolean;
  try {
    valid = validate(document) as boolean;
  } catch (error) {
    if (error instanceof RangeError) throw new SpecError("too_deeply_nested", file, "", "the document is nested too deeply to validate");
    throw error;
  }
  if (!valid) {
    const error = mostSpecific(validate.errors ?? []);
    const pointer = error?.instancePath ?? "";
    throw new SpecError("invalid", file, pointer, `not a valid ${name} document${context}: ${describe(error)}`);
  }
  // swagger-parser (13.0.0) refuses 3.2 as an unknown version, and has no semantic rules for OpenAPI 3 anyway:
  // for OpenAPI it only dereferences, which checkRefs (refs.ts) has already done.
  if (options.semantic === false || version === "3.2") return;
  const { default: SwaggerParser } = await import("@apidevtools/swagger-parser");
  try {
    // A clone, because swagger-parser dereferences in place.
    await SwaggerParser.validate(structuredClone(withoutExtensions(document)) as never, {
      validate: { schema: false, spec: true },
      resolve: { external: false },
    });
  } catch (error) {
    if (error instanceof RangeError) throw new SpecError("too_deeply_nested", file, "", "the document is nested too deeply to validate");
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
    throw new SpecError("invalid", file, version === "2.0" ? pointerInMessage(document, message) : "", `${message}${context}`);
  }
}

function metaSchemaValidator(version: SpecVersion): ValidateFunction {
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
  // The 3.1 and 3.2 schemas (JSON Schema 2020-12) close objects with unevaluatedProperties instead.
  if (error.keyword === "unevaluatedProperties") return `unexpected property ${JSON.stringify(params["unevaluatedProperty"])}`;
  if (error.keyword === "required") return `missing required property ${JSON.stringify(params["missingProperty"])}`;
  return error.message ?? error.keyword;
}

/**
 * Where a swagger-parser Swagger 2.0 semantic error is. Its messages name the
 * place as `/paths` + the path key (unescaped) + `/get/parameters/<name>…`,
 * `/definitions/<name>`, or name a duplicate operationId. Returns the
 * deepest pointer that exists in the document, or "" when the message names
 * no place it can find.
 */
export function pointerInMessage(document: object, message: string): string {
  const record = document as Record<string, unknown>;
  const duplicate = /Duplicate operation id '(.*)'/.exec(message)?.[1];
  if (duplicate !== undefined) return secondOperationWithId(record, duplicate) ?? "";
  const paths = asRecord(record["paths"]);
  if (paths) {
    let best: { key: string; rest: string } | undefined;
    for (const key of Object.keys(paths)) {
      const at = message.indexOf(`/paths${key}`);
      if (at < 0 || (best && best.key.length >= key.length)) continue;
      const rest = message.slice(at + `/paths${key}`.length);
      if (rest === "" || /^[/\s'.]/.test(rest)) best = { key, rest };
    }
    if (best) return deepestPointer(document, ["paths", best.key], /^[^\s']*/.exec(best.rest)![0].split("/").filter(Boolean));
  }
  const definitions = asRecord(record["definitions"]);
  if (definitions) {
    const named = Object.keys(definitions)
      .filter((key) => message.includes(`/definitions/${key}'`))
      .sort((a, b) => b.length - a.length)[0];
    if (named !== undefined) return toPointer(["definitions", named]);
  }
  return "";
}

/** Follows `segments` below `start` while they exist; a parameter is named by its `name`, not its index. */
function deepestPointer(document: object, start: string[], segments: readonly string[]): string {
  const path: (string | number)[] = [...start];
  let node = lookupPointer(document, toPointer(path));
  for (let i = 0; i < segments.length && node.found; i++) {
    const segment = segments[i]!;
    const here = asRecord(node.value);
    if (!here || !Object.prototype.hasOwnProperty.call(here, segment)) break;
    if (segment === "parameters" && Array.isArray(here[segment]) && i + 1 < segments.length) {
      const name = segments[i + 1];
      const index = (here[segment] as unknown[]).findIndex((parameter) => asRecord(resolveLocal(document, parameter))?.["name"] === name);
      if (index < 0) break;
      path.push(segment, index);
      i++;
    } else {
      path.push(segment);
    }
    node = lookupPointer(document, toPointer(path));
  }
  return toPointer(path);
}

function resolveLocal(document: object, value: unknown): unknown {
  const ref = asRecord(value)?.["$ref"];
  const target = typeof ref === "string" ? localRefToPointer(ref) : undefined;
  if (target === undefined || (target !== "" && !target.startsWith("/"))) return value;
  const found = lookupPointer(document, target);
  return found.found ? found.value : value;
}

function secondOperationWithId(document: Record<string, unknown>, operationId: string): string | undefined {
  let seen = false;
  for (const [path, item] of Object.entries(asRecord(document["paths"]) ?? {})) {
    for (const [method, operation] of Object.entries(asRecord(item) ?? {})) {
      if (asRecord(operation)?.["operationId"] !== operationId) continue;
      if (seen) return toPointer(["paths", path, method, "operationId"]);
      seen = true;
    }
  }
  return undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
