import { SpecError, fromPointer, localRefToPointer, lookupPointer, toPointer, unescapeToken } from "../load/index.js";
import { pascalCase } from "./names.js";
import { isJson, type Json } from "./schema.js";

/** Another token operation the wire types cover, beside the primary one. */
export interface WireOperation {
  readonly path: string;
  readonly method: "post" | "get";
}

/**
 * The smallest valid document that still types the token operations: each
 * token path (with only its token operations) and every component it reaches through
 * `$ref`s, copied. openapi-typescript reads this instead of the whole spec, so
 * a 2 MB whole-API document costs about as much as a small one, and names in
 * the generated `paths`/`components` types stay the spec's own.
 *
 * A `$ref` to a schema inside a path (`#/paths/~1oauth~1token/post/.../schema`)
 * is legal, but openapi-typescript turns it into a type index that does not
 * exist; such schemas are hoisted into `components/schemas` under a name
 * derived from their location, and the ref is rewritten to point there.
 */
export function sliceForWireTypes(document: Json, tokenPath: string, file = "", method: "post" | "get" = "post", others: readonly WireOperation[] = []): Json {
  const paths = isJson(document["paths"]) ? document["paths"] : {};
  // Every token operation's path item, each with only its token operations (a provider may have several).
  const keptPaths: Json = {};
  for (const wanted of [{ path: tokenPath, method }, ...others]) {
    const found = paths[wanted.path];
    const pathItem: Json = isJson(found) ? found : {};
    const kept = keptPaths[wanted.path];
    const keptItem: Json = isJson(kept) ? kept : {};
    for (const key of [wanted.method, "parameters", "servers", "summary", "description"]) {
      if (pathItem[key] !== undefined) keptItem[key] = structuredClone(pathItem[key]);
    }
    keptPaths[wanted.path] = keptItem;
  }
  // Maps, not objects: component names are the spec's, and "__proto__" is a legal one.
  const components = new Map<string, Map<string, unknown>>();
  const put = (kind: string, name: string, value: unknown) => {
    let byName = components.get(kind);
    if (!byName) components.set(kind, (byName = new Map()));
    byName.set(name, value);
  };
  const taken = new Set<string>();
  const documentComponents = isJson(document["components"]) ? document["components"] : {};
  for (const [kind, byName] of Object.entries(documentComponents)) if (isJson(byName)) for (const name of Object.keys(byName)) taken.add(`${kind}/${name}`);
  const hoisted = new Map<string, string>();
  const seen = new Set<string>();
  const pending: unknown[] = Object.values(keptPaths);
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    if (!isJson(node)) continue;
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith("x-")) continue;
      if (key !== "$ref" || typeof value !== "string") {
        pending.push(value);
        continue;
      }
      const pointer = localRefToPointer(value);
      if (pointer === undefined) continue;
      const tokens = fromPointer(pointer);
      if (tokens[0] === "paths") {
        node["$ref"] = hoist(pointer, tokens);
        continue;
      }
      const [root, kind, name] = tokens;
      if (root !== "components" || kind === undefined || name === undefined) continue;
      const ownerPointer = toPointer([root, kind, name]);
      if (seen.has(ownerPointer)) continue;
      seen.add(ownerPointer);
      const owner = lookupPointer(document, ownerPointer);
      if (!owner.found) continue;
      const copy = structuredClone(owner.value);
      put(kind, name, copy);
      pending.push(copy);
    }
  }

  function hoist(pointer: string, tokens: readonly string[]): string {
    const existing = hoisted.get(pointer);
    if (existing !== undefined) return existing;
    const kind = componentKindAt(tokens);
    const base = pascalCase(tokens.slice(2).filter((t) => t !== "content" && t !== "schema").join(" ")) || "Hoisted";
    let name = base;
    for (let n = 2; taken.has(`${kind}/${name}`); n++) name = `${base}${n}`;
    taken.add(`${kind}/${name}`);
    const ref = `#/components/${kind}/${name}`;
    hoisted.set(pointer, ref);
    const target = lookupPointer(document, pointer);
    const copy = target.found ? structuredClone(target.value) : {};
    put(kind, name, copy);
    pending.push(copy);
    return ref;
  }

  const slice: Json = {
    openapi: document["openapi"],
    info: isJson(document["info"]) ? { title: document["info"]["title"], version: document["info"]["version"] } : { title: "", version: "" },
    paths: keptPaths,
  };
  if (components.size > 0) slice["components"] = sorted(components);
  refuseUnionCycles(file, components.get("schemas"));
  return slice;
}

/**
 * A schema that reaches itself only through `$ref`, `oneOf`, `anyOf` or
 * `allOf` (never through `properties` or `items`) describes no finite value,
 * and its TypeScript alias would refer to itself (TS2502); it is refused with
 * its pointer. Cycles through properties or items are ordinary and allowed.
 */
function refuseUnionCycles(file: string, schemas: ReadonlyMap<string, unknown> | undefined): void {
  if (!schemas) return;
  const COMPOSITION = ["oneOf", "anyOf", "allOf"];
  const targets = (node: unknown): string[] => {
    const out: string[] = [];
    const visit = (value: unknown, depth: number): void => {
      if (!isJson(value) || depth > 64) return;
      const ref = value["$ref"];
      const name = typeof ref === "string" ? /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1] : undefined;
      if (name !== undefined) out.push(unescapeToken(decodeURIComponentSafe(name)));
      for (const keyword of COMPOSITION) {
        const members = value[keyword];
        if (Array.isArray(members)) for (const member of members) visit(member, depth + 1);
      }
    };
    visit(node, 0);
    return out;
  };
  for (const start of schemas.keys()) {
    const seen = new Set<string>();
    const pending = targets(schemas.get(start));
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (name === start) {
        throw new SpecError("self_referencing_schema", file, toPointer(["components", "schemas", start]), `schema ${JSON.stringify(start)} is made only of itself (through $ref/oneOf/anyOf/allOf), so it has no finite type`);
      }
      if (seen.has(name) || !schemas.has(name)) continue;
      seen.add(name);
      pending.push(...targets(schemas.get(name)));
    }
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Component order follows the names, not discovery order, so output is stable. */
function sorted(components: ReadonlyMap<string, ReadonlyMap<string, unknown>>): Json {
  const byKind = [...components.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // fromEntries creates own properties, so a component named "__proto__" stays data.
  return Object.fromEntries(
    byKind.map(([kind, byName]) => [kind, Object.fromEntries([...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))]),
  );
}

/** The component kind (OpenAPI 3.0 §4.7.7) of the object a path-internal pointer names. */
function componentKindAt(tokens: readonly string[]): string {
  if (tokens.includes("schema")) return "schemas";
  const last = tokens[tokens.length - 1];
  const parent = tokens[tokens.length - 2];
  if (parent === "responses") return "responses";
  if (parent === "parameters") return "parameters";
  if (last === "requestBody") return "requestBodies";
  if (parent === "headers") return "headers";
  return "schemas";
}
