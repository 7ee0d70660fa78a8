/**
 * A JSON value that conforms to an OpenAPI 3.0 / 3.1 Schema Object, for tests
 * that need a plausible request parameter or response body taken from a
 * spec's own schemas.
 *
 *   const body = sampleFromSchema(document, responseSchema, { allProperties: true });
 *   const params = sampleFromSchema(document, requestSchema, { chooseVariant: propertyAllows("grant_type", "refresh_token") });
 *
 * Local `$ref`s (`#/...`) are resolved against `document`. What a value is
 * made of, in order of preference:
 * 1. the schema's `example` / first of `examples`, when it looks valid
 *    against the (merged) schema;
 * 2. `const`, the first non-null `enum` value, a `default` that looks valid;
 * 3. a value built from the type: objects with their required properties
 *    (all properties with `allProperties`), arrays of one item (or
 *    `minItems`), strings shaped by `format` / `pattern` / length limits,
 *    numbers inside their bounds, `true`, `null`.
 * `allOf` is merged into one schema; `oneOf` / `anyOf` take the first
 * variant, or the first for which `chooseVariant` says yes. 3.1 type arrays
 * and 3.0 `nullable` give the first non-null type. Recursive schemas stop at
 * `maxDepth`, leaving out optional members there.
 *
 * "Looks valid" is a structural check (types, enum/const, required members,
 * bounds, patterns, a few formats); it is not a full validator. Tests that
 * need proof validate the sample with ajv (see test/support/spec-schema.ts).
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A Schema Object as found in a document (possibly a `$ref`). */
export type SchemaObject = Readonly<Record<string, unknown>>;

export interface VariantContext {
  readonly keyword: "oneOf" | "anyOf";
  readonly index: number;
  /** The `$ref` the variant was written as, if any. */
  readonly ref: string | undefined;
  /** Resolves a schema found inside the variant (`$ref`s followed, `allOf` merged). */
  readonly resolve: (schema: unknown) => SchemaObject;
}

export interface SampleOptions {
  /** Include optional object properties too (default: only `required` ones). */
  readonly allProperties?: boolean;
  /**
   * Picks the `oneOf` / `anyOf` variant: the first variant (resolved, its
   * `allOf` merged) for which this returns true; the first non-null variant
   * when none does or no predicate is given.
   */
  readonly chooseVariant?: (variant: SchemaObject, context: VariantContext) => boolean;
  /** `request` leaves out optional `readOnly` properties, `response` optional `writeOnly` ones. */
  readonly direction?: "request" | "response";
  /** Synthesise every value, never taking `example` / `examples` / `default`. */
  readonly ignoreExamples?: boolean;
  /** Object/array nesting at which optional members stop being generated (default 10). */
  readonly maxDepth?: number;
}

/** A schema the sampler cannot read: an unresolvable or non-local `$ref`. */
export class SampleError extends Error {
  override readonly name = "SampleError";
}

/**
 * A `chooseVariant` predicate: the variant whose property `name` lists
 * `value` as its `const` or in its `enum`. A property without either does
 * not choose (every variant would). Typical use: the request variant of one
 * grant type.
 */
export function propertyAllows(name: string, value: JsonValue): (variant: SchemaObject, context: VariantContext) => boolean {
  return (variant, context) => {
    const properties = variant["properties"];
    if (!isRecord(properties) || !Object.hasOwn(properties, name)) return false;
    let property: SchemaObject;
    try {
      property = context.resolve(properties[name]);
    } catch {
      return false;
    }
    if ("const" in property) return deepEqual(property["const"], value);
    const enumValues = property["enum"];
    if (Array.isArray(enumValues)) return enumValues.some((v) => deepEqual(v, value));
    return false;
  };
}

export function sampleFromSchema(document: unknown, schema: unknown, options: SampleOptions = {}): JsonValue {
  const sampler = new Sampler(document, options);
  return sampler.sample(schema, { name: "", depth: 0, salt: 0, hops: 0 });
}

/**
 * Resolves a local `$ref` (`#/components/schemas/Token`) in `document`.
 * Throws a {@link SampleError} for a non-local or dangling reference.
 */
export function resolveLocalRef(document: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) throw new SampleError(`$ref ${JSON.stringify(ref)} is not local to the document`);
  const pointer = safeDecode(ref.slice(1));
  if (pointer !== "" && !pointer.startsWith("/")) throw new SampleError(`$ref ${JSON.stringify(ref)} is not a JSON pointer`);
  let node: unknown = document;
  for (const raw of pointer === "" ? [] : pointer.slice(1).split("/")) {
    const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node) && /^\d+$/.test(token)) node = node[Number(token)];
    else if (isRecord(node) && Object.hasOwn(node, token)) node = node[token];
    else throw new SampleError(`$ref ${JSON.stringify(ref)} does not resolve`);
  }
  return node;
}

// ---------------------------------------------------------------------------

interface Frame {
  readonly name: string;
  readonly depth: number;
  /** Distinguishes the items of a `uniqueItems` array. */
  readonly salt: number;
  /** Variant choices made without descending into a member (guards `oneOf` cycles). */
  readonly hops: number;
}

type Schema = Record<string, unknown>;

const DEFAULT_MAX_DEPTH = 10;
/** Chains of `$ref`/`allOf` (or of nested variants) longer than this are cycles, or absurd. */
const MAX_FLATTEN = 64;
/** Required members keep being generated past `maxDepth`, up to this many more levels. */
const REQUIRED_DEPTH_MARGIN = 32;

const SAMPLE_DATE_TIME = "2025-01-01T00:00:00Z";

class Sampler {
  private readonly maxDepth: number;

  constructor(
    private readonly document: unknown,
    private readonly options: SampleOptions,
  ) {
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  sample(input: unknown, frame: Frame): JsonValue {
    if (frame.depth > this.maxDepth + REQUIRED_DEPTH_MARGIN || frame.hops > MAX_FLATTEN) {
      throw new SampleError(`the schema requires unbounded nesting (at ${JSON.stringify(frame.name)}, depth ${frame.depth})`);
    }
    const schema = this.flatten(input);
    if (!this.options.ignoreExamples) {
      for (const candidate of exampleCandidates(schema)) {
        if (this.looksValid(schema, candidate, 0)) return structuredClone(candidate) as JsonValue;
      }
    }
    if ("const" in schema) return structuredClone(schema["const"]) as JsonValue;
    const enumValues = schema["enum"];
    if (Array.isArray(enumValues) && enumValues.length > 0) {
      const nonNull = enumValues.filter((v) => v !== null);
      const pool = nonNull.length > 0 ? nonNull : enumValues;
      return structuredClone(pool[frame.salt % pool.length]) as JsonValue;
    }
    if (!this.options.ignoreExamples && "default" in schema && this.looksValid(schema, schema["default"], 0)) {
      return structuredClone(schema["default"]) as JsonValue;
    }
    for (const keyword of ["oneOf", "anyOf"] as const) {
      const variants = schema[keyword];
      if (Array.isArray(variants) && variants.length > 0) return this.sampleVariant(schema, keyword, variants, frame);
    }
    switch (primaryType(schema)) {
      case "object":
        return this.sampleObject(schema, frame);
      case "array":
        return this.sampleArray(schema, frame);
      case "string":
        return sampleString(schema, frame);
      case "integer":
        return sampleNumber(schema, frame, true);
      case "number":
        return sampleNumber(schema, frame, false);
      case "boolean":
        return true;
      case "null":
        return null;
      default:
        // No type information (`{}` or a description only): any value conforms.
        return sampleString({}, frame);
    }
  }

  /** Resolves `$ref`s and merges `allOf` into one schema (without `allOf`). */
  flatten(input: unknown, seen: readonly string[] = []): Schema {
    if (input === true || input === undefined) return {};
    if (input === false) return { not: {} };
    if (!isRecord(input)) throw new SampleError(`not a schema: ${JSON.stringify(input)}`);
    if (seen.length > MAX_FLATTEN) throw new SampleError(`$ref/allOf chain too deep: ${seen.slice(-3).join(" -> ")}`);
    let schema: Schema = { ...input };
    const ref = schema["$ref"];
    if (typeof ref === "string") {
      if (seen.includes(ref)) throw new SampleError(`$ref cycle through allOf: ${[...seen, ref].join(" -> ")}`);
      const target = this.flatten(resolveLocalRef(this.document, ref), [...seen, ref]);
      delete schema["$ref"];
      // Siblings of $ref (3.1; ignored annotations in 3.0) refine the target.
      schema = mergeSchemas(target, schema);
    }
    const allOf = schema["allOf"];
    if (Array.isArray(allOf)) {
      delete schema["allOf"];
      let merged: Schema = schema;
      for (const branch of allOf) merged = mergeSchemas(merged, withoutExamples(this.flatten(branch, [...seen, "allOf"])));
      schema = merged;
    }
    return schema;
  }

  private sampleVariant(schema: Schema, keyword: "oneOf" | "anyOf", variants: readonly unknown[], frame: Frame): JsonValue {
    const flattened = variants.map((variant) => this.flatten(variant));
    const refs = variants.map((variant) => (isRecord(variant) && typeof variant["$ref"] === "string" ? variant["$ref"] : undefined));
    const choose = this.options.chooseVariant;
    const resolve = (inner: unknown): SchemaObject => this.flatten(inner);
    let index = choose ? flattened.findIndex((variant, i) => choose(variant, { keyword, index: i, ref: refs[i], resolve })) : -1;
    if (index < 0) index = Math.max(0, flattened.findIndex((variant) => primaryType(variant) !== "null"));
    const rest: Schema = { ...schema };
    delete rest[keyword];
    const combined = mergeSchemas(withoutExamples(rest), flattened[index] ?? {});
    const value = this.sample(combined, { ...frame, hops: frame.hops + 1 });
    const discriminator = schema["discriminator"];
    const ref = refs[index];
    if (isRecord(discriminator) && typeof discriminator["propertyName"] === "string" && ref !== undefined && isRecord(value)) {
      const mapping = isRecord(discriminator["mapping"]) ? discriminator["mapping"] : {};
      const key = Object.keys(mapping).find((k) => mapping[k] === ref) ?? ref.split("/").pop() ?? "";
      const current = value[discriminator["propertyName"]];
      if (current === undefined || typeof current === "string") value[discriminator["propertyName"]] = key;
    }
    return value;
  }

  private sampleObject(schema: Schema, frame: Frame): JsonValue {
    const out: { [key: string]: JsonValue } = {};
    const properties = isRecord(schema["properties"]) ? schema["properties"] : {};
    const required = stringList(schema["required"]);
    const deep = frame.depth >= this.maxDepth;
    const wanted = new Set<string>(required);
    if (this.options.allProperties && !deep) for (const name of Object.keys(properties)) wanted.add(name);
    const minProperties = typeof schema["minProperties"] === "number" ? schema["minProperties"] : 0;
    for (const name of Object.keys(properties)) if (wanted.size < minProperties) wanted.add(name);
    for (const name of wanted) {
      const isRequired = required.includes(name);
      const propertySchema = Object.hasOwn(properties, name) ? properties[name] : additionalSchema(schema);
      if (!isRequired && this.skipsDirection(propertySchema)) continue;
      out[name] = this.sample(propertySchema, { name, depth: frame.depth + 1, salt: 0, hops: 0 });
    }
    // minProperties beyond the named properties: extra members the schema allows.
    for (let i = 0; Object.keys(out).length < minProperties && schema["additionalProperties"] !== false && i < minProperties; i++) {
      const name = `extra${i}`;
      if (!(name in out)) out[name] = this.sample(additionalSchema(schema), { name, depth: frame.depth + 1, salt: i, hops: 0 });
    }
    return out;
  }

  private sampleArray(schema: Schema, frame: Frame): JsonValue {
    const minItems = typeof schema["minItems"] === "number" ? schema["minItems"] : 0;
    const maxItems = typeof schema["maxItems"] === "number" ? schema["maxItems"] : Number.POSITIVE_INFINITY;
    const prefixItems = Array.isArray(schema["prefixItems"]) ? schema["prefixItems"] : [];
    const wantedCount = frame.depth >= this.maxDepth ? minItems : Math.max(1, minItems, prefixItems.length);
    const count = Math.min(wantedCount, maxItems);
    const unique = schema["uniqueItems"] === true;
    const out: JsonValue[] = [];
    for (let i = 0; i < count; i++) {
      const itemSchema = i < prefixItems.length ? prefixItems[i] : schema["items"];
      if (itemSchema === false) break;
      out.push(this.sample(itemSchema, { name: frame.name, depth: frame.depth + 1, salt: unique ? i : 0, hops: 0 }));
    }
    return out;
  }

  private skipsDirection(schema: unknown): boolean {
    const direction = this.options.direction;
    if (direction === undefined || !isRecord(schema)) return false;
    let resolved: Schema;
    try {
      resolved = this.flatten(schema);
    } catch {
      return false;
    }
    return (direction === "request" && resolved["readOnly"] === true) || (direction === "response" && resolved["writeOnly"] === true);
  }

  /** Structural check of a documented example against the schema (see the file comment). */
  looksValid(input: unknown, value: unknown, depth: number): boolean {
    if (depth > 32) return true;
    let schema: Schema;
    try {
      schema = this.flatten(input);
    } catch {
      return false;
    }
    if (isRecord(schema["not"]) && Object.keys(schema["not"]).length === 0) return false;
    if ("const" in schema && !deepEqual(schema["const"], value)) return false;
    const enumValues = schema["enum"];
    if (Array.isArray(enumValues) && !enumValues.some((v) => deepEqual(v, value))) {
      // 3.0 `nullable` admits null even when the enum does not list it.
      if (!(value === null && schema["nullable"] === true)) return false;
    }
    const types = allowedTypes(schema);
    const actual = jsonType(value);
    if (types !== undefined && !types.has(actual) && !(actual === "integer" && types.has("number"))) return false;
    for (const keyword of ["oneOf", "anyOf"] as const) {
      const variants = schema[keyword];
      if (Array.isArray(variants) && variants.length > 0 && !variants.some((variant) => this.looksValid(variant, value, depth + 1))) return false;
    }
    if (typeof value === "string") return stringFits(schema, value);
    if (typeof value === "number") return numberFits(schema, value);
    if (Array.isArray(value)) {
      if (typeof schema["minItems"] === "number" && value.length < schema["minItems"]) return false;
      if (typeof schema["maxItems"] === "number" && value.length > schema["maxItems"]) return false;
      const prefix = Array.isArray(schema["prefixItems"]) ? schema["prefixItems"] : [];
      return value.every((item, i) => this.looksValid(i < prefix.length ? prefix[i] : schema["items"], item, depth + 1));
    }
    if (isRecord(value)) {
      for (const name of stringList(schema["required"])) if (!Object.hasOwn(value, name)) return false;
      const properties = isRecord(schema["properties"]) ? schema["properties"] : {};
      for (const [name, member] of Object.entries(value)) {
        if (Object.hasOwn(properties, name)) {
          if (!this.looksValid(properties[name], member, depth + 1)) return false;
        } else if (schema["additionalProperties"] === false) {
          return false;
        } else if (isRecord(schema["additionalProperties"]) && !this.looksValid(schema["additionalProperties"], member, depth + 1)) {
          return false;
        }
      }
      if (typeof schema["minProperties"] === "number" && Object.keys(value).length < schema["minProperties"]) return false;
    }
    return true;
  }
}

// ---------------------------------------------------------------------------
// Schema merging (allOf, $ref siblings, chosen variants)

const MAX_KEYWORDS = new Set(["minimum", "minLength", "minItems", "minProperties", "exclusiveMinimum"]);
const MIN_KEYWORDS = new Set(["maximum", "maxLength", "maxItems", "maxProperties", "exclusiveMaximum"]);

/** `b` refines `a`: the result requires what both require. `a`'s annotations win. */
function mergeSchemas(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a };
  for (const [key, value] of Object.entries(b)) {
    if (!(key in out)) {
      out[key] = value;
      continue;
    }
    const current = out[key];
    if (key === "properties" && isRecord(current) && isRecord(value)) {
      const merged: Schema = { ...current };
      for (const [name, schema] of Object.entries(value)) merged[name] = Object.hasOwn(merged, name) ? { allOf: [merged[name], schema] } : schema;
      out[key] = merged;
    } else if (key === "required") {
      out[key] = [...new Set([...stringList(current), ...stringList(value)])];
    } else if (key === "type") {
      const left = typeList(current);
      const right = typeList(value);
      const both = left.filter((t) => right.includes(t) || (t === "integer" && right.includes("number")));
      const alsoInteger = right.includes("integer") && left.includes("number") ? ["integer"] : [];
      const result = [...new Set([...both, ...alsoInteger])];
      out[key] = result.length === 1 ? result[0] : result.length > 0 ? result : value;
    } else if (key === "enum" && Array.isArray(current) && Array.isArray(value)) {
      const common = current.filter((v) => value.some((w) => deepEqual(v, w)));
      out[key] = common.length > 0 ? common : value;
    } else if (key === "nullable") {
      // Null is allowed only when both allow it.
      out[key] = current === true && value === true;
    } else if ((key === "items" || key === "additionalProperties") && isRecord(current) && isRecord(value)) {
      out[key] = { allOf: [current, value] };
    } else if (key === "additionalProperties" && (current === false || value === false)) {
      out[key] = false;
    } else if (MAX_KEYWORDS.has(key) && typeof current === "number" && typeof value === "number") {
      out[key] = Math.max(current, value);
    } else if (MIN_KEYWORDS.has(key) && typeof current === "number" && typeof value === "number") {
      out[key] = Math.min(current, value);
    }
    // Anything else (annotations, a second oneOf): the first one stays.
  }
  return out;
}

function withoutExamples(schema: Schema): Schema {
  const { example: _example, examples: _examples, ...rest } = schema;
  return rest;
}

function exampleCandidates(schema: Schema): unknown[] {
  const out: unknown[] = [];
  if ("example" in schema) out.push(schema["example"]);
  const examples = schema["examples"];
  if (Array.isArray(examples) && examples.length > 0) out.push(examples[0]);
  // A null example says nothing useful about a value that may be non-null.
  return out.filter((value) => value !== null && value !== undefined);
}

function additionalSchema(schema: Schema): unknown {
  const additional = schema["additionalProperties"];
  return isRecord(additional) ? additional : {};
}

// ---------------------------------------------------------------------------
// Types

function typeList(type: unknown): string[] {
  if (typeof type === "string") return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === "string");
  return [];
}

/** The type a sample takes: the first non-null declared type, else one inferred from the keywords. */
function primaryType(schema: Schema): string | undefined {
  const declared = typeList(schema["type"]);
  const nonNull = declared.find((t) => t !== "null");
  if (nonNull !== undefined) return nonNull;
  if (declared.length > 0) return "null";
  if (isRecord(schema["properties"]) || Array.isArray(schema["required"]) || isRecord(schema["additionalProperties"])) return "object";
  if (schema["items"] !== undefined || Array.isArray(schema["prefixItems"])) return "array";
  if (typeof schema["format"] === "string" || typeof schema["pattern"] === "string" || typeof schema["minLength"] === "number") return "string";
  if (typeof schema["minimum"] === "number" || typeof schema["maximum"] === "number") return "number";
  return undefined;
}

function allowedTypes(schema: Schema): Set<string> | undefined {
  const declared = typeList(schema["type"]);
  if (declared.length === 0) return undefined;
  const types = new Set(declared);
  if (schema["nullable"] === true || schema["x-nullable"] === true) types.add("null");
  return types;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

// ---------------------------------------------------------------------------
// Scalars

function sampleNumber(schema: Schema, frame: Frame, integer: boolean): number {
  let value = 1 + frame.salt;
  const minimum = schema["minimum"];
  const maximum = schema["maximum"];
  // 3.0: boolean exclusive flags qualify minimum/maximum; 3.1: numbers.
  const exclusiveMinimum = schema["exclusiveMinimum"] === true ? minimum : schema["exclusiveMinimum"];
  const exclusiveMaximum = schema["exclusiveMaximum"] === true ? maximum : schema["exclusiveMaximum"];
  const step = integer ? 1 : 0.5;
  if (typeof minimum === "number" && value < minimum) value = minimum;
  if (typeof exclusiveMinimum === "number" && value <= exclusiveMinimum) value = exclusiveMinimum + step;
  if (typeof maximum === "number" && value > maximum) value = maximum;
  if (typeof exclusiveMaximum === "number" && value >= exclusiveMaximum) value = exclusiveMaximum - step;
  if (integer) value = Math.ceil(value);
  const multipleOf = schema["multipleOf"];
  if (typeof multipleOf === "number" && multipleOf > 0) {
    const up = Math.ceil(value / multipleOf) * multipleOf;
    const down = Math.floor(value / multipleOf) * multipleOf;
    value = numberFits(schema, up) ? up : down;
  }
  return value;
}

const FORMAT_SAMPLES: Readonly<Record<string, string>> = {
  "date-time": SAMPLE_DATE_TIME,
  date: SAMPLE_DATE_TIME.slice(0, 10),
  time: "00:00:00Z",
  uri: "https://example.com/sample",
  url: "https://example.com/sample",
  iri: "https://example.com/sample",
  "uri-reference": "https://example.com/sample",
  "iri-reference": "https://example.com/sample",
  "uri-template": "https://example.com/{sample}",
  email: "sample@example.com",
  "idn-email": "sample@example.com",
  hostname: "example.com",
  "idn-hostname": "example.com",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  uuid: "123e4567-e89b-42d3-a456-426614174000",
  byte: "c2FtcGxl",
  urn: "urn:example:sample",
  duration: "PT1H",
  "json-pointer": "/sample",
  regex: "^sample$",
};

function sampleString(schema: Schema, frame: Frame): string {
  const format = typeof schema["format"] === "string" ? schema["format"] : undefined;
  const suffix = frame.salt > 0 ? `-${frame.salt}` : "";
  const plain = `sample${frame.name ? `-${frame.name}` : ""}${suffix}`;
  const candidates: string[] = [];
  const formatted = format !== undefined ? FORMAT_SAMPLES[format] : undefined;
  if (formatted !== undefined) candidates.push(frame.salt > 0 && format === "uuid" ? formatted.replace(/0$/, String(frame.salt % 10)) : formatted);
  const pattern = typeof schema["pattern"] === "string" ? schema["pattern"] : undefined;
  if (pattern !== undefined) {
    const generated = fromPattern(pattern, frame.salt);
    if (generated !== undefined) candidates.push(generated);
  }
  candidates.push(plain, `sample${suffix}`, `${frame.salt + 1}`, "a");
  const fitted = candidates.map((candidate) => fitLength(schema, candidate));
  return fitted.find((candidate) => stringFits(schema, candidate)) ?? fitted[0] ?? plain;
}

function fitLength(schema: Schema, value: string): string {
  let out = value;
  const minLength = schema["minLength"];
  const maxLength = schema["maxLength"];
  if (typeof minLength === "number" && [...out].length < minLength) out = out + "x".repeat(minLength - [...out].length);
  if (typeof maxLength === "number" && [...out].length > maxLength) out = [...out].slice(0, maxLength).join("");
  return out;
}

function stringFits(schema: Schema, value: string): boolean {
  const length = [...value].length;
  if (typeof schema["minLength"] === "number" && length < schema["minLength"]) return false;
  if (typeof schema["maxLength"] === "number" && length > schema["maxLength"]) return false;
  const pattern = schema["pattern"];
  if (typeof pattern === "string") {
    const regex = compilePattern(pattern);
    if (regex !== undefined && !regex.test(value)) return false;
  }
  switch (schema["format"]) {
    case "date-time":
      return /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/.test(value);
    case "date":
      return /^\d{4}-\d{2}-\d{2}$/.test(value);
    case "email":
      return /^[^@\s]+@[^@\s]+$/.test(value);
    case "uuid":
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
    case "time":
      return /^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/.test(value);
    case "uri":
    case "url":
      return URL.canParse(value);
    case "byte":
      return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value);
    case "ipv4":
      return /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/.test(value);
    default:
      return true;
  }
}

function numberFits(schema: Schema, value: number): boolean {
  const minimum = schema["minimum"];
  const maximum = schema["maximum"];
  const exclusiveMinimum = schema["exclusiveMinimum"] === true ? minimum : schema["exclusiveMinimum"];
  const exclusiveMaximum = schema["exclusiveMaximum"] === true ? maximum : schema["exclusiveMaximum"];
  if (typeof minimum === "number" && value < minimum) return false;
  if (typeof maximum === "number" && value > maximum) return false;
  if (typeof exclusiveMinimum === "number" && value <= exclusiveMinimum) return false;
  if (typeof exclusiveMaximum === "number" && value >= exclusiveMaximum) return false;
  const multipleOf = schema["multipleOf"];
  if (typeof multipleOf === "number" && multipleOf > 0 && !Number.isInteger(Number((value / multipleOf).toFixed(9)))) return false;
  if (schema["type"] === "integer" && !Number.isInteger(value)) return false;
  if (schema["format"] === "int32" && !(Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31)) return false;
  if (schema["format"] === "int64" && !Number.isSafeInteger(value)) return false;
  return true;
}

const patternCache = new Map<string, RegExp | undefined>();

/** ECMA-262 with the `u` flag, as JSON Schema asks; a pattern JavaScript cannot read is not checked. */
function compilePattern(pattern: string): RegExp | undefined {
  if (!patternCache.has(pattern)) {
    let regex: RegExp | undefined;
    try {
      regex = new RegExp(pattern, "u");
    } catch {
      try {
        regex = new RegExp(pattern);
      } catch {
        regex = undefined;
      }
    }
    patternCache.set(pattern, regex);
  }
  return patternCache.get(pattern);
}

// ---------------------------------------------------------------------------
// A string from a regular expression: enough for the patterns specs use
// (anchors, literals, classes, groups, alternation, quantifiers). Takes the
// first alternative and the least repetition (at least one); gives up
// (undefined) on what it cannot read, or when the result does not match.

function fromPattern(pattern: string, salt: number): string | undefined {
  const regex = compilePattern(pattern);
  if (regex === undefined) return undefined;
  try {
    const parser = new PatternWriter(pattern, salt);
    const value = parser.alternation();
    return regex.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

class PatternWriter {
  private at = 0;

  constructor(
    private readonly source: string,
    private readonly salt: number,
  ) {}

  alternation(): string {
    const first = this.sequence();
    // Other alternatives are parsed (to move past them) but not used.
    while (this.peek() === "|") {
      this.at++;
      this.sequence();
    }
    return first;
  }

  private sequence(): string {
    let out = "";
    while (this.at < this.source.length && this.peek() !== "|" && this.peek() !== ")") {
      const atom = this.atom();
      out += this.repeat(atom);
    }
    return out;
  }

  private atom(): string {
    const char = this.source[this.at++] ?? "";
    switch (char) {
      case "^":
      case "$":
        return "";
      case ".":
        return "a";
      case "[":
        return this.characterClass();
      case "(": {
        let lookaround = false;
        if (this.peek() === "?") {
          this.at++;
          const kind = this.source[this.at++];
          if (kind === "<" && this.peek() !== "=" && this.peek() !== "!") {
            while (this.at < this.source.length && this.source[this.at] !== ">") this.at++;
            this.at++;
          } else if (kind === "=" || kind === "!" || kind === "<") {
            if (kind === "<") this.at++;
            lookaround = true;
          } else if (kind !== ":") {
            throw new Error("unsupported group");
          }
        }
        const inner = this.alternation();
        if (this.source[this.at++] !== ")") throw new Error("unbalanced group");
        return lookaround ? "" : inner;
      }
      case "\\":
        return this.escape(false);
      default:
        return char;
    }
  }

  private escape(inClass: boolean): string {
    const char = this.source[this.at++] ?? "";
    switch (char) {
      case "d":
        return String((1 + this.salt) % 10);
      case "D":
      case "w":
      case "S":
        return "a";
      case "W":
        return "-";
      case "s":
        return " ";
      case "b":
        if (inClass) return "\b";
        return "";
      case "B":
        return "";
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "u": {
        const hex = this.source.slice(this.at, this.at + 4);
        this.at += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      case "x": {
        const hex = this.source.slice(this.at, this.at + 2);
        this.at += 2;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        if (/[1-9]/.test(char) && !inClass) throw new Error("backreference");
        return char;
    }
  }

  /** The first character the class allows (for a negated class, a common one it does not exclude). */
  private characterClass(): string {
    const negated = this.peek() === "^";
    if (negated) this.at++;
    const ranges: [number, number][] = [];
    const classes: string[] = [];
    let first = true;
    while (this.at < this.source.length && (this.peek() !== "]" || first)) {
      first = false;
      let low: string;
      if (this.peek() === "\\") {
        this.at++;
        const escaped = this.source[this.at] ?? "";
        if ("dDwWsS".includes(escaped)) {
          this.at++;
          classes.push(escaped);
          continue;
        }
        low = this.escape(true);
      } else {
        low = this.source[this.at++] ?? "";
      }
      if (this.peek() === "-" && this.source[this.at + 1] !== "]" && this.at + 1 < this.source.length) {
        this.at++;
        const high = this.peek() === "\\" ? (this.at++, this.escape(true)) : (this.source[this.at++] ?? "");
        ranges.push([low.codePointAt(0) ?? 0, high.codePointAt(0) ?? 0]);
      } else {
        ranges.push([low.codePointAt(0) ?? 0, low.codePointAt(0) ?? 0]);
      }
    }
    this.at++; // ]
    const inClass = (c: string): boolean => {
      const code = c.codePointAt(0) ?? 0;
      if (ranges.some(([lo, hi]) => code >= lo && code <= hi)) return true;
      return classes.some((k) => {
        const regex = new RegExp(`\\${k}`);
        return regex.test(c);
      });
    };
    if (negated) {
      const pick = ["a", "A", "0", "x", "-", "_", " "].find((c) => !inClass(c));
      if (pick === undefined) throw new Error("negated class excludes everything tried");
      return pick;
    }
    const [range] = ranges;
    if (range !== undefined) {
      const span = range[1] - range[0] + 1;
      return String.fromCodePoint(range[0] + (span > 0 ? this.salt % span : 0));
    }
    const [shorthand] = classes;
    if (shorthand === undefined) throw new Error("empty class");
    return shorthand === "d" ? String((1 + this.salt) % 10) : shorthand === "s" ? " " : shorthand === "W" ? "-" : "a";
  }

  /** Applies a quantifier after an atom: the least count, but at least one. */
  private repeat(atom: string): string {
    const char = this.peek();
    let min: number;
    let max: number;
    if (char === "*" || char === "+" || char === "?") {
      this.at++;
      min = char === "+" ? 1 : 0;
      max = char === "?" ? 1 : Number.POSITIVE_INFINITY;
    } else if (char === "{") {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.at));
      if (match === null) return atom;
      this.at += match[0].length;
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === "" || match[3] === undefined ? Number.POSITIVE_INFINITY : Number(match[3]);
    } else {
      return atom;
    }
    if (this.peek() === "?") this.at++; // lazy
    const count = Math.min(Math.max(min, 1), max);
    return atom.repeat(count);
  }

  private peek(): string | undefined {
    return this.source[this.at];
  }
}

// ---------------------------------------------------------------------------

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && deepEqual(left[key], right[key]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
