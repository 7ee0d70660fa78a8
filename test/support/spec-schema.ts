/**
 * Spec-driven request/response checking for provider tests.
 *
 * Provider tests use this to check what a generated client SENDS against the
 * OpenAPI document's own request schema, and to ANSWER with bodies that are
 * proven (by ajv) to conform to the documented response schema — so no test
 * relies on hand-written expectations of what a provider accepts or returns.
 *
 *   const spec = await loadSpecSchemas("specs/asset.yaml");
 *   const op = spec.operation("/v0/auth/token", "post");
 *   const sent = op.validateRequest(request.headers["content-type"], rawBody);
 *   const { contentType, body } = op.sampleResponse("200", { expires_in: 60 });
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { Ajv } from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import type * as AjvCoreModule from "ajv/dist/core.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { FormatsPlugin } from "ajv-formats";
import { parse as parseYaml } from "yaml";

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

export type RequestCheck =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; errors: string[] };

export type ResponseCheck = { ok: true } | { ok: false; errors: string[] };

export interface SampledResponse {
  /** The media type the sample is for ("" when the response declares no content). */
  contentType: string;
  /** A body proven (with ajv) to conform to the response schema. */
  body: unknown;
}

export interface OperationSchemas {
  readonly path: string;
  /** Lower-case HTTP method. */
  readonly method: string;
  /** Media types declared by the operation's requestBody (as written). */
  readonly requestMediaTypes: string[];
  /**
   * Checks that `contentType` (parameters such as `;charset=UTF-8` ignored) is
   * declared by the requestBody, decodes `rawBody` (form: URLSearchParams with
   * repeated keys → string[], then schema-directed coercion of integer / number /
   * boolean / array properties; JSON: JSON.parse) and validates it with ajv.
   */
  validateRequest(contentType: string | undefined, rawBody: string): RequestCheck;
  /** Response keys as written in the spec ("200", "4XX", "default", ...). */
  readonly responseStatuses: string[];
  /**
   * A deterministic body that conforms to the response schema for `status`
   * (an exact key, else its "NXX" range, else "default"). `overrides` are
   * shallow-merged into an object body (a value of `undefined` removes that
   * property) and the result is re-validated. Throws when the result does not
   * conform to the documented schema.
   */
  sampleResponse(status: string | number, overrides?: Record<string, unknown>): SampledResponse;
  /** Validates `body` against the schema of the response for `status`. */
  validateResponse(status: string | number, body: unknown, contentType?: string): ResponseCheck;
}

export interface SpecSchemas {
  /** Absolute path of the spec file. */
  readonly specFile: string;
  /** The document's `openapi` version string, e.g. "3.0.1". */
  readonly openapiVersion: string;
  /** The fully dereferenced document (a clone; the parsed file is untouched). */
  readonly document: Record<string, unknown>;
  /** Throws when the path or method is not in the spec. */
  operation(path: string, method: string): OperationSchemas;
}

export async function loadSpecSchemas(specFile: string): Promise<SpecSchemas> {
  const absolute = path.resolve(specFile);
  const text = await readFile(absolute, "utf8");
  const parsed: unknown = absolute.toLowerCase().endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  if (!isRecord(parsed)) throw new Error(`${specFile}: not an OpenAPI document (top level is not an object)`);
  const version = parsed["openapi"];
  if (typeof version !== "string" || !/^3\.[0-9]+/.test(version)) {
    throw new Error(`${specFile}: only OpenAPI 3.x documents are supported (openapi: ${String(version)})`);
  }
  const is30 = version.startsWith("3.0");

  // swagger-parser's types want an OpenAPI.Document; the clone is exactly the parsed document.
  const clone = structuredClone(parsed) as unknown as Parameters<typeof SwaggerParser.dereference>[0];
  const dereferenced: unknown = await SwaggerParser.dereference(absolute, clone, {});
  if (!isRecord(dereferenced)) throw new Error(`${specFile}: dereferencing did not produce a document`);
  if (is30) normaliseOas30(dereferenced, new Set());

  const ajv = createAjv(is30);
  const operations = new Map<string, OperationSchemas>();

  return {
    specFile: absolute,
    openapiVersion: version,
    document: dereferenced,
    operation(opPath: string, method: string): OperationSchemas {
      const key = `${method.toLowerCase()} ${opPath}`;
      const cached = operations.get(key);
      if (cached) return cached;
      const paths = dereferenced["paths"];
      const pathItem = isRecord(paths) ? paths[opPath] : undefined;
      if (!isRecord(pathItem)) {
        const known = isRecord(paths) ? Object.keys(paths).join(", ") : "(none)";
        throw new Error(`${specFile}: no path "${opPath}" (paths: ${known})`);
      }
      const op = pathItem[method.toLowerCase()];
      if (!isRecord(op)) {
        throw new Error(`${specFile}: path "${opPath}" has no "${method.toLowerCase()}" operation`);
      }
      const built = buildOperation(ajv, `${method.toUpperCase()} ${opPath} (${path.basename(absolute)})`, opPath, method.toLowerCase(), op);
      operations.set(key, built);
      return built;
    },
  };
}

// ---------------------------------------------------------------------------
// Ajv setup
// ---------------------------------------------------------------------------

type Schema = Record<string, unknown>;
type AjvCore = AjvCoreModule.default;

/** OpenAPI keywords that are not JSON Schema validation keywords. */
const OPENAPI_ANNOTATIONS = ["example", "discriminator", "xml", "externalDocs", "deprecated", "readOnly", "writeOnly"];

/** ajv-formats is CommonJS: depending on the loader its default import is the plugin or the module object. */
function formatsPlugin(): FormatsPlugin {
  const candidate: unknown = addFormatsModule;
  if (typeof candidate === "function") return candidate as FormatsPlugin;
  if (isRecord(candidate) && typeof candidate["default"] === "function") return candidate["default"] as FormatsPlugin;
  throw new Error("ajv-formats: unexpected module shape");
}

function createAjv(is30: boolean): AjvCore {
  const ajv: AjvCore = is30
    ? new Ajv({ strict: false, allErrors: true })
    : new Ajv2020({ strict: false, allErrors: true });
  formatsPlugin()(ajv);
  for (const keyword of OPENAPI_ANNOTATIONS) {
    // Metadata keywords such as `deprecated` are known to ajv without being "defined" keywords.
    if (ajv.getKeyword(keyword) === false && ajv.RULES.keywords[keyword] !== true) ajv.addKeyword({ keyword });
  }
  return ajv;
}

/**
 * OpenAPI 3.0 schema objects differ from draft-07 in two ways ajv cares about:
 * boolean `exclusiveMinimum`/`exclusiveMaximum`, and `nullable` without `type`
 * (which ajv refuses to compile). Rewrites both in place on the dereferenced clone.
 */
function normaliseOas30(node: unknown, seen: Set<object>): void {
  if (typeof node !== "object" || node === null || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const item of node) normaliseOas30(item, seen);
    return;
  }
  if (!isRecord(node)) return;
  for (const [exclusive, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
    const flag = node[exclusive];
    if (typeof flag === "boolean") {
      const limit = node[bound];
      if (flag && typeof limit === "number") {
        node[exclusive] = limit;
        delete node[bound];
      } else {
        delete node[exclusive];
      }
    }
  }
  if ("nullable" in node && node["type"] === undefined) {
    const nullable = node["nullable"];
    delete node["nullable"];
    if (nullable === true) {
      const inner: Schema = { ...node };
      for (const key of Object.keys(node)) delete node[key];
      node["anyOf"] = [inner, { type: "null" }];
    }
  }
  for (const [key, value] of Object.entries(node)) {
    // Literal values are data, not schemas.
    if (key === "example" || key === "examples" || key === "default" || key === "const" || key === "enum") continue;
    normaliseOas30(value, seen);
  }
}

function compile(ajv: AjvCore, schema: Schema, where: string): ValidateFunction {
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new Error(`${where}: ajv could not compile the schema: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function isValid(ajv: AjvCore, schema: Schema, value: unknown): boolean {
  try {
    return ajv.compile(schema)(value) === true;
  } catch {
    return false;
  }
}

/** `/field must be string`; errors from inside a oneOf/anyOf branch are prefixed with the branch. */
export function formatAjvErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  const out: string[] = [];
  for (const error of errors ?? []) {
    const where = error.instancePath === "" ? "/" : error.instancePath;
    let message = `${where} ${error.message ?? error.keyword}`;
    const params: Record<string, unknown> = error.params;
    if (error.keyword === "enum" && Array.isArray(params["allowedValues"])) {
      message += `: ${params["allowedValues"].map((v) => JSON.stringify(v)).join(", ")}`;
    } else if (error.keyword === "const" && "allowedValue" in params) {
      message += `: ${JSON.stringify(params["allowedValue"])}`;
    } else if (error.keyword === "additionalProperties" && typeof params["additionalProperty"] === "string") {
      message += `: '${params["additionalProperty"]}'`;
    } else if (error.keyword === "oneOf" && Array.isArray(params["passingSchemas"])) {
      message += ` (matches alternatives ${params["passingSchemas"].join(", ")})`;
    }
    const branch = /\/(oneOf|anyOf)\/(\d+)\//.exec(error.schemaPath);
    if (branch) message = `[${branch[1]}/${branch[2]}] ${message}`;
    if (!out.includes(message)) out.push(message);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

function buildOperation(ajv: AjvCore, label: string, opPath: string, method: string, op: Schema): OperationSchemas {
  const requestBody = isRecord(op["requestBody"]) ? op["requestBody"] : undefined;
  const requestContent = requestBody && isRecord(requestBody["content"]) ? requestBody["content"] : {};
  const requestMediaTypes = Object.keys(requestContent);
  const bodyRequired = requestBody?.["required"] === true;
  const responses = isRecord(op["responses"]) ? op["responses"] : {};
  const responseStatuses = Object.keys(responses);

  function responseFor(status: string | number): { key: string; response: Schema } {
    const wanted = String(status);
    const candidates = [wanted, /^\d{3}$/.test(wanted) ? `${wanted[0] ?? ""}XX` : undefined, "default"];
    for (const candidate of candidates) {
      if (candidate === undefined) continue;
      const key = responseStatuses.find((s) => s.toUpperCase() === candidate.toUpperCase());
      const response = key === undefined ? undefined : responses[key];
      if (key !== undefined && isRecord(response)) return { key, response };
    }
    throw new Error(`${label}: no response documented for status ${wanted} (documented: ${responseStatuses.join(", ") || "none"})`);
  }

  function responseMedia(status: string | number, contentType?: string): { key: string; mediaType: string; schema: Schema | undefined } | { key: string; mediaType: undefined } {
    const { key, response } = responseFor(status);
    const content = isRecord(response["content"]) ? response["content"] : {};
    const mediaTypes = Object.keys(content);
    let mediaType: string | undefined;
    if (contentType !== undefined) {
      mediaType = matchMediaType(normaliseMediaType(contentType), mediaTypes);
      if (mediaType === undefined) {
        throw new Error(`${label}: response ${key} declares no media type matching "${contentType}" (declared: ${mediaTypes.join(", ")})`);
      }
    } else {
      mediaType =
        mediaTypes.find((m) => normaliseMediaType(m) === "application/json") ??
        mediaTypes.find((m) => isJsonMediaType(normaliseMediaType(m))) ??
        mediaTypes[0];
    }
    if (mediaType === undefined) return { key, mediaType: undefined };
    const media = content[mediaType];
    const schema = isRecord(media) && isRecord(media["schema"]) ? media["schema"] : undefined;
    return { key, mediaType, schema };
  }

  return {
    path: opPath,
    method,
    requestMediaTypes,
    responseStatuses,

    validateRequest(contentType: string | undefined, rawBody: string): RequestCheck {
      if (!requestBody) {
        return rawBody.trim() === ""
          ? { ok: true, value: {} }
          : { ok: false, errors: [`${label} declares no request body, but one was sent`] };
      }
      if (contentType === undefined || contentType.trim() === "") {
        return { ok: false, errors: [`missing Content-Type (declared: ${requestMediaTypes.join(", ")})`] };
      }
      const sent = normaliseMediaType(contentType);
      const declared = matchMediaType(sent, requestMediaTypes);
      if (declared === undefined) {
        return {
          ok: false,
          errors: [`media type "${sent}" is not declared by the request body (declared: ${requestMediaTypes.join(", ")})`],
        };
      }
      if (rawBody.trim() === "") {
        return bodyRequired ? { ok: false, errors: ["request body is required but empty"] } : { ok: true, value: {} };
      }
      const media = requestContent[declared];
      const schema = isRecord(media) && isRecord(media["schema"]) ? media["schema"] : undefined;

      let value: unknown;
      if (sent === "application/x-www-form-urlencoded") {
        value = decodeForm(rawBody, schema);
      } else if (isJsonMediaType(sent)) {
        try {
          value = JSON.parse(rawBody);
        } catch (error) {
          return { ok: false, errors: [`body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`] };
        }
      } else {
        return { ok: false, errors: [`cannot decode a "${sent}" body (supported: application/x-www-form-urlencoded, JSON)`] };
      }

      if (schema) {
        const validate = compile(ajv, schema, `${label} request (${declared})`);
        if (!validate(value)) return { ok: false, errors: formatAjvErrors(validate.errors) };
      }
      if (!isRecord(value)) return { ok: false, errors: ["/ body is not an object"] };
      return { ok: true, value };
    },

    sampleResponse(status: string | number, overrides?: Record<string, unknown>): SampledResponse {
      const media = responseMedia(status);
      if (media.mediaType === undefined) {
        if (overrides && Object.keys(overrides).length > 0) {
          throw new Error(`${label}: response ${media.key} declares no content; overrides cannot apply`);
        }
        return { contentType: "", body: undefined };
      }
      const where = `${label} response ${media.key} (${media.mediaType})`;
      const schema = media.schema ?? {};
      let body = sampleRoot(ajv, schema);
      if (overrides) {
        if (!isRecord(body)) throw new Error(`${where}: overrides need an object body, the sample is ${JSON.stringify(body)}`);
        const merged: Record<string, unknown> = { ...body };
        for (const [key, value] of Object.entries(overrides)) {
          if (value === undefined) delete merged[key];
          else merged[key] = value;
        }
        body = merged;
      }
      const validate = compile(ajv, schema, where);
      if (!validate(body)) {
        throw new Error(
          `${where}: the ${overrides ? "overridden " : ""}sample does not conform to the documented schema:\n  ` +
            formatAjvErrors(validate.errors).join("\n  ") +
            `\nsample: ${JSON.stringify(body)}`,
        );
      }
      return { contentType: media.mediaType, body };
    },

    validateResponse(status: string | number, body: unknown, contentType?: string): ResponseCheck {
      const media = responseMedia(status, contentType);
      if (media.mediaType === undefined) {
        return body === undefined || body === ""
          ? { ok: true }
          : { ok: false, errors: [`response ${media.key} declares no content, but a body was given`] };
      }
      if (!media.schema) return { ok: true };
      const validate = compile(ajv, media.schema, `${label} response ${media.key} (${media.mediaType})`);
      return validate(body) ? { ok: true } : { ok: false, errors: formatAjvErrors(validate.errors) };
    },
  };
}

// ---------------------------------------------------------------------------
// Media types
// ---------------------------------------------------------------------------

function normaliseMediaType(value: string): string {
  return (value.split(";")[0] ?? "").trim().toLowerCase();
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

/** The declared key that `sent` matches (exact, then `type/*`, then `*\/*`). */
function matchMediaType(sent: string, declared: readonly string[]): string | undefined {
  const normalised = declared.map((d) => [d, normaliseMediaType(d)] as const);
  const exact = normalised.find(([, n]) => n === sent);
  if (exact) return exact[0];
  const [type] = sent.split("/");
  const range = normalised.find(([, n]) => n === `${type ?? ""}/*`);
  if (range) return range[0];
  return normalised.find(([, n]) => n === "*/*")?.[0];
}

// ---------------------------------------------------------------------------
// Form decoding
// ---------------------------------------------------------------------------

const COMBINATORS = ["allOf", "anyOf", "oneOf"] as const;

function branches(schema: Schema): Schema[] {
  const out: Schema[] = [];
  for (const keyword of COMBINATORS) {
    const list = schema[keyword];
    if (Array.isArray(list)) for (const item of list) if (isRecord(item)) out.push(item);
  }
  return out;
}

/** Every schema the (possibly composed) object `schema` gives for property `name`. */
function propertySchemas(schema: Schema, name: string, seen: Set<Schema> = new Set()): Schema[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const out: Schema[] = [];
  const properties = schema["properties"];
  const own = isRecord(properties) ? properties[name] : undefined;
  if (isRecord(own)) out.push(own);
  for (const branch of branches(schema)) out.push(...propertySchemas(branch, name, seen));
  const additional = schema["additionalProperties"];
  if (out.length === 0 && isRecord(additional)) out.push(additional);
  return out;
}

/** Every JSON type the schemas allow, looking through oneOf/anyOf/allOf. */
function schemaTypes(schemas: readonly Schema[], seen: Set<Schema> = new Set()): Set<string> {
  const types = new Set<string>();
  for (const schema of schemas) {
    if (seen.has(schema)) continue;
    seen.add(schema);
    const type = schema["type"];
    if (typeof type === "string") types.add(type);
    else if (Array.isArray(type)) for (const t of type) if (typeof t === "string") types.add(t);
    if (schema["nullable"] === true) types.add("null");
    const literals = "const" in schema ? [schema["const"]] : Array.isArray(schema["enum"]) ? schema["enum"] : [];
    for (const literal of literals) types.add(jsonType(literal));
    if (type === undefined && isRecord(schema["properties"])) types.add("object");
    if (type === undefined && schema["items"] !== undefined) types.add("array");
    for (const t of schemaTypes(branches(schema), seen)) types.add(t);
  }
  return types;
}

function itemSchemas(schemas: readonly Schema[], seen: Set<Schema> = new Set()): Schema[] {
  const out: Schema[] = [];
  for (const schema of schemas) {
    if (seen.has(schema)) continue;
    seen.add(schema);
    const items = schema["items"];
    if (isRecord(items)) out.push(items);
    out.push(...itemSchemas(branches(schema), seen));
  }
  return out;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Form values are strings: turn them into what the schema declares, when unambiguous. */
function coerceScalar(value: string, types: ReadonlySet<string>): unknown {
  if (types.size === 0 || types.has("string")) return value;
  if (types.has("integer") && /^[+-]?\d+$/.test(value.trim())) return Number(value);
  if (types.has("number") && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  if (types.has("boolean") && (value === "true" || value === "false")) return value === "true";
  return value;
}

function decodeForm(rawBody: string, schema: Schema | undefined): Record<string, unknown> {
  const params = new URLSearchParams(rawBody);
  const out: Record<string, unknown> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    const schemas = schema ? propertySchemas(schema, name) : [];
    const types = schemaTypes(schemas);
    const itemTypes = schemaTypes(itemSchemas(schemas));
    if (values.length > 1) {
      out[name] = types.has("array") ? values.map((v) => coerceScalar(v, itemTypes)) : values;
      continue;
    }
    const single = values[0] ?? "";
    const coerced = coerceScalar(single, types);
    if (coerced !== single || types.size === 0 || types.has("string")) out[name] = coerced;
    // A property that can only be an array, sent once: a one-element array.
    else if (types.has("array")) out[name] = [coerceScalar(single, itemTypes)];
    else out[name] = single;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Sampling
// ---------------------------------------------------------------------------

const NONE: unique symbol = Symbol("none");
type Sample = unknown;
const MAX_DEPTH = 16;
const SAMPLE_DATE_TIME = "2025-01-01T00:00:00.000Z";

function sampleRoot(ajv: AjvCore, schema: Schema): Sample {
  const value = sample(ajv, schema, "", 0);
  return value === NONE ? "sample" : value;
}

/** Literal values the schema documents: const, enum[0], then example / examples[0] / default when valid. */
function literal(ajv: AjvCore, schema: Schema): { value: unknown } | undefined {
  if ("const" in schema) return { value: schema["const"] };
  const enumValues = schema["enum"];
  if (Array.isArray(enumValues) && enumValues.length > 0) return { value: enumValues[0] };
  // An object with properties is synthesised so every property is present.
  if (isRecord(schema["properties"])) return undefined;
  const candidates: unknown[] = [];
  if ("example" in schema) candidates.push(schema["example"]);
  const examples = schema["examples"];
  if (Array.isArray(examples) && examples.length > 0) candidates.push(examples[0]);
  if ("default" in schema) candidates.push(schema["default"]);
  for (const candidate of candidates) if (isValid(ajv, schema, candidate)) return { value: candidate };
  return undefined;
}

function firstType(schema: Schema): string | undefined {
  const type = schema["type"];
  if (typeof type === "string") return type;
  if (Array.isArray(type)) {
    const nonNull = type.find((t) => typeof t === "string" && t !== "null");
    const first = nonNull ?? type[0];
    return typeof first === "string" ? first : undefined;
  }
  if (isRecord(schema["properties"])) return "object";
  if (schema["items"] !== undefined || schema["prefixItems"] !== undefined) return "array";
  return undefined;
}

function sample(ajv: AjvCore, schema: Schema, name: string, depth: number): Sample | typeof NONE {
  if (depth > MAX_DEPTH) return NONE;
  const lit = literal(ajv, schema);
  if (lit) return lit.value;

  const parts: unknown[] = [];
  const own = sampleOwn(ajv, schema, name, depth);
  if (own !== NONE) parts.push(own);

  const allOf = schema["allOf"];
  if (Array.isArray(allOf)) {
    for (const branch of allOf) {
      if (!isRecord(branch)) continue;
      const value = sample(ajv, branch, name, depth + 1);
      if (value !== NONE) parts.push(value);
    }
  }

  for (const keyword of ["oneOf", "anyOf"] as const) {
    const list = schema[keyword];
    if (!Array.isArray(list)) continue;
    const alternatives = orderAlternatives(list.filter(isRecord));
    let chosen: unknown = NONE;
    for (const alternative of alternatives) {
      const value = sample(ajv, alternative, name, depth + 1);
      if (value === NONE) continue;
      if (chosen === NONE) chosen = value;
      // Prefer the first alternative whose sample satisfies the whole composed schema
      // (a oneOf sample must match exactly one alternative).
      if (isValid(ajv, schema, merge([...parts, value]))) {
        chosen = value;
        break;
      }
    }
    if (chosen !== NONE) parts.push(chosen);
  }

  if (parts.length === 0) {
    // No type information at all (e.g. `{ description: ... }`): any value conforms.
    return schema["type"] === undefined && branches(schema).length === 0 ? `sample-${name || "value"}` : NONE;
  }
  return merge(parts);
}

/** First the non-null alternatives that are objects or strings, then other non-null ones, then null. */
function orderAlternatives(alternatives: Schema[]): Schema[] {
  const kind = (s: Schema): number => {
    const types = schemaTypes([s]);
    if (types.size === 1 && types.has("null")) return 2;
    if (types.has("object") || types.has("string")) return 0;
    return 1;
  };
  return alternatives
    .map((schema, index) => ({ schema, index, rank: kind(schema) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.schema);
}

function merge(parts: readonly unknown[]): unknown {
  if (parts.length === 0) return NONE;
  if (parts.every(isRecord)) return Object.assign({}, ...parts) as Record<string, unknown>;
  return parts[parts.length - 1];
}

function sampleOwn(ajv: AjvCore, schema: Schema, name: string, depth: number): Sample | typeof NONE {
  switch (firstType(schema)) {
    case "object": {
      const out: Record<string, unknown> = {};
      const properties = schema["properties"];
      const required = Array.isArray(schema["required"]) ? schema["required"] : [];
      if (isRecord(properties)) {
        for (const [property, propertySchema] of Object.entries(properties)) {
          if (!isRecord(propertySchema)) continue;
          // writeOnly properties are not sent in responses unless the schema requires them.
          if (propertySchema["writeOnly"] === true && !required.includes(property)) continue;
          const value = sample(ajv, propertySchema, property, depth + 1);
          if (value !== NONE) out[property] = value;
        }
      }
      return out;
    }
    case "array": {
      const prefixItems = schema["prefixItems"];
      if (Array.isArray(prefixItems)) {
        return prefixItems.filter(isRecord).map((item) => {
          const value = sample(ajv, item, name, depth + 1);
          return value === NONE ? null : value;
        });
      }
      const items = isRecord(schema["items"]) ? schema["items"] : {};
      const item = sample(ajv, items, name, depth + 1);
      if (item === NONE) return [];
      const minItems = typeof schema["minItems"] === "number" ? Math.max(1, schema["minItems"]) : 1;
      return Array.from({ length: minItems }, () => item);
    }
    case "string":
      return sampleString(schema, name);
    case "integer":
      return clamp(schema, /expires/i.test(name) ? 3600 : 1, true);
    case "number":
      return clamp(schema, /expires/i.test(name) ? 3600 : 1, false);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return NONE;
  }
}

function sampleString(schema: Schema, name: string): string {
  const format = schema["format"];
  let value: string;
  switch (format) {
    case "date-time":
      value = SAMPLE_DATE_TIME;
      break;
    case "date":
      value = SAMPLE_DATE_TIME.slice(0, 10);
      break;
    case "uri":
    case "url":
    case "uri-reference":
    case "iri":
      value = "https://example.com/x";
      break;
    case "email":
      value = "sample@example.com";
      break;
    case "uuid":
      value = "00000000-0000-4000-8000-000000000000";
      break;
    case "byte":
      value = Buffer.from(`sample-${name}`).toString("base64");
      break;
    default:
      value = `sample-${name || "value"}`;
  }
  const minLength = schema["minLength"];
  if (typeof minLength === "number" && value.length < minLength) value = value.padEnd(minLength, "x");
  const maxLength = schema["maxLength"];
  if (typeof maxLength === "number" && value.length > maxLength) value = value.slice(0, maxLength);
  return value;
}

function clamp(schema: Schema, preferred: number, integer: boolean): number {
  let value = preferred;
  const step = integer ? 1 : 0.5;
  const minimum = schema["minimum"];
  const maximum = schema["maximum"];
  const exclusiveMinimum = schema["exclusiveMinimum"];
  const exclusiveMaximum = schema["exclusiveMaximum"];
  if (typeof minimum === "number" && value < minimum) value = integer ? Math.ceil(minimum) : minimum;
  if (typeof exclusiveMinimum === "number" && value <= exclusiveMinimum) value = integer ? Math.floor(exclusiveMinimum) + 1 : exclusiveMinimum + step;
  if (typeof maximum === "number" && value > maximum) value = integer ? Math.floor(maximum) : maximum;
  if (typeof exclusiveMaximum === "number" && value >= exclusiveMaximum) value = integer ? Math.ceil(exclusiveMaximum) - 1 : exclusiveMaximum - step;
  return value;
}

// ---------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
