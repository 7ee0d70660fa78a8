import { SpecError, escapeToken, localRefToPointer, lookupPointer, unescapeToken } from "../load/index.js";

/** Refs are followed at most this many hops: a longer chain is a cycle of refs-to-refs. */
const MAX_REF_HOPS = 32;

export type Json = Record<string, unknown>;

/** A node of the document with the pointer it was reached at. */
export interface Located {
  readonly node: unknown;
  readonly pointer: string;
  /** Set when the node was reached through `$ref: #/components/schemas/<name>`. */
  readonly componentName?: string;
}

export interface PropertyShape {
  readonly schema: Located;
}

/** The properties and required names of an object schema, `allOf` merged. */
export interface ObjectShape {
  readonly properties: ReadonlyMap<string, PropertyShape>;
  readonly required: ReadonlySet<string>;
}

/**
 * Read access to a loaded document for the model stage: follows local `$ref`s
 * (already checked by `load`) and keeps the names emitters need.
 */
export class SpecView {
  constructor(
    readonly file: string,
    readonly document: Json,
  ) {}

  /** Follows `$ref` chains from a node (OpenAPI 3.0 §4.7.23 Reference Object). */
  deref(located: Located): Located {
    let current = located;
    for (let hop = 0; hop < MAX_REF_HOPS; hop++) {
      const ref = isJson(current.node) ? current.node["$ref"] : undefined;
      if (typeof ref !== "string") return current;
      const target = localRefToPointer(ref);
      const lookup = target === undefined ? undefined : lookupPointer(this.document, target);
      if (target === undefined || !lookup?.found) {
        throw new SpecError("unresolved_ref", this.file, current.pointer, `$ref ${JSON.stringify(ref)} does not resolve`);
      }
      const name = /^\/components\/schemas\/([^/]+)$/.exec(target)?.[1];
      current = { node: lookup.value, pointer: target, ...(name !== undefined ? { componentName: unescapeToken(name) } : {}) };
    }
    throw new SpecError("ref_cycle", this.file, located.pointer, `$ref chain longer than ${MAX_REF_HOPS} hops (a reference cycle?)`);
  }

  /**
   * Dereferences a schema whose `$ref` has sibling keywords (allowed in 3.1,
   * common in 3.0 documents): the siblings, such as a local `description` or
   * `default`, describe this use of the target and win over the target's own.
   */
  withSiblings(located: Located): Located {
    const target = this.deref(located);
    if (!isJson(located.node) || !isJson(target.node) || target === located) return target;
    const siblings = Object.entries(located.node).filter(([key]) => key !== "$ref");
    if (siblings.length === 0) return target;
    return { node: { ...target.node, ...Object.fromEntries(siblings) }, pointer: located.pointer };
  }

  /** The object at `pointer`, dereferenced; undefined when absent or not an object. */
  objectAt(parent: Located, key: string): Located | undefined {
    if (!isJson(parent.node) || !Object.prototype.hasOwnProperty.call(parent.node, key)) return undefined;
    const child = this.deref({ node: parent.node[key], pointer: `${parent.pointer}/${escapeToken(key)}` });
    return isJson(child.node) ? child : undefined;
  }

  /** Members of a `oneOf`/`anyOf` (dereferenced), or the schema itself when it is not a union. */
  variants(schema: Located): Located[] {
    const resolved = this.deref(schema);
    if (!isJson(resolved.node)) return [resolved];
    for (const keyword of ["oneOf", "anyOf"] as const) {
      const members = resolved.node[keyword];
      if (Array.isArray(members) && members.length > 0) {
        return members
          .map((member, index) => this.deref({ node: member, pointer: `${resolved.pointer}/${keyword}/${index}` }))
          .filter((member) => !isNullSchema(member.node));
      }
    }
    return [resolved];
  }

  /**
   * Properties and required names of an object schema, merging `allOf`
   * members (JSON Schema §10.2.1.1: all must hold, so their constraints add up).
   */
  objectShape(schema: Located): ObjectShape {
    const properties = new Map<string, PropertyShape>();
    const required = new Set<string>();
    const visit = (located: Located, depth: number): void => {
      if (depth > MAX_REF_HOPS) throw new SpecError("too_deeply_nested", this.file, located.pointer, "allOf nested too deeply");
      const resolved = this.deref(located);
      if (!isJson(resolved.node)) return;
      const node = resolved.node;
      if (Array.isArray(node["allOf"])) {
        node["allOf"].forEach((member, index) => visit({ node: member, pointer: `${resolved.pointer}/allOf/${index}` }, depth + 1));
      }
      if (isJson(node["properties"])) {
        for (const [name, propertySchema] of Object.entries(node["properties"])) {
          properties.set(name, { schema: this.withSiblings({ node: propertySchema, pointer: `${resolved.pointer}/properties/${escapeToken(name)}` }) });
        }
      }
      if (Array.isArray(node["required"])) {
        for (const name of node["required"]) if (typeof name === "string") required.add(name);
      }
    };
    visit(schema, 0);
    return { properties, required };
  }

  /** Facts about one property schema that the model records. */
  describe(schema: Located): SchemaFacts {
    const node = isJson(schema.node) ? schema.node : {};
    const alternatives = [node, ...this.variants(schema).map((v) => (isJson(v.node) ? v.node : {}))];
    const types = new Set<string>();
    for (const alternative of alternatives) {
      const type = alternative["type"];
      if (typeof type === "string") types.add(type);
      if (Array.isArray(type)) for (const t of type) if (typeof t === "string") types.add(t);
    }
    const enumValues = enumOf(node) ?? this.variants(schema).map((v) => enumOf(v.node)).find((e) => e !== undefined);
    const examples = Array.isArray(node["examples"]) ? node["examples"] : node["example"] !== undefined ? [node["example"]] : [];
    return {
      types,
      ...(typeof node["description"] === "string" && node["description"].trim() !== "" ? { description: node["description"] } : {}),
      ...(Object.prototype.hasOwnProperty.call(node, "default") ? { documentedDefault: node["default"] } : {}),
      ...(enumValues !== undefined ? { enumValues } : {}),
      examples,
      nullable: node["nullable"] === true || types.has("null") || (Array.isArray(node["anyOf"]) && node["anyOf"].some(isNullSchema)) || (Array.isArray(node["oneOf"]) && node["oneOf"].some(isNullSchema)),
      isArray: types.has("array"),
      deprecated: node["deprecated"] === true,
    };
  }
}

export interface SchemaFacts {
  readonly types: ReadonlySet<string>;
  readonly description?: string;
  readonly documentedDefault?: unknown;
  readonly enumValues?: readonly unknown[];
  readonly examples: readonly unknown[];
  readonly nullable: boolean;
  readonly isArray: boolean;
  readonly deprecated: boolean;
}

function enumOf(node: unknown): unknown[] | undefined {
  if (!isJson(node)) return undefined;
  if (Array.isArray(node["enum"])) return node["enum"].filter((value) => value !== null);
  if (Object.prototype.hasOwnProperty.call(node, "const")) return [node["const"]];
  return undefined;
}

function isNullSchema(node: unknown): boolean {
  return isJson(node) && node["type"] === "null";
}

export function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export type MemberLookup = { readonly schema: Located } | { readonly missing: string; readonly pointer: string; readonly open: boolean };

/** The schema of the member at a dotted path, through every variant; where the path ends when there is none. */
export function memberAt(view: SpecView, schema: Located, segments: readonly string[]): MemberLookup {
  let current: Located[] = [schema];
  for (const segment of segments) {
    const next: Located[] = [];
    let open = false;
    for (const located of current) {
      for (const variant of view.variants(located)) {
        const property = view.objectShape(variant).properties.get(segment);
        if (property) next.push(view.deref(property.schema));
        else if (!isJson(variant.node) || variant.node["additionalProperties"] !== false) open = true;
      }
    }
    if (next.length === 0) return { missing: segment, pointer: current[0]!.pointer, open };
    current = next;
  }
  return { schema: current[0]! };
}
