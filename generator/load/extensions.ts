/**
 * Which keys are Specification Extensions (OpenAPI 3.0 §4.9, 3.1 §4.9;
 * Swagger 2.0 "Vendor Extensions"): `x-` keys of OpenAPI objects are opaque
 * vendor data, but the same prefix in a map of user-chosen names (schema
 * properties, component names, media types, headers…) is just a name.
 * Walkers track what kind of node they are in to tell the two apart.
 */
export type NodeKind =
  /** The document itself: an object whose `x-` keys are extensions. */
  | "root"
  /** An OpenAPI object or a schema: its `x-` keys are extensions. */
  | "object"
  /** A map of user-chosen names: every key is a name. */
  | "names"
  /** A map of names that also allows extensions (Paths §4.7.8, Responses §4.7.16). */
  | "names-and-extensions";

const NAME_MAPS = new Set([
  "properties",
  "patternProperties",
  "$defs",
  "definitions",
  "dependentSchemas",
  "schemas",
  "parameters",
  "examples",
  "requestBodies",
  "headers",
  "securitySchemes",
  "links",
  "callbacks",
  "pathItems",
  "content",
  "encoding",
  "variables",
  "scopes",
  "mapping",
  "webhooks",
  // Swagger 2.0: Security Definitions Object (its Parameters and Definitions Objects are listed above).
  "securityDefinitions",
]);

/** The kind of the value found at `key` in a node of kind `parent` (itself found at `parentKey`). */
export function childKind(parent: NodeKind, key: string, parentKey: string | undefined): NodeKind {
  if (parent !== "object" && parent !== "root") return "object";
  if (key === "paths") return "names-and-extensions";
  // An operation's responses allow extensions; components' responses (and a
  // Swagger 2.0 document's top-level Responses Definitions) are just names.
  if (key === "responses") return parentKey === "components" || parent === "root" ? "names" : "names-and-extensions";
  return NAME_MAPS.has(key) ? "names" : "object";
}

export function isExtension(parent: NodeKind, key: string): boolean {
  return key.startsWith("x-") && parent !== "names";
}

/** A copy of the document without extensions (for validators that try to resolve refs inside them). */
export function withoutExtensions(node: unknown, kind: NodeKind = "root", key?: string): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutExtensions(item, "object"));
  if (typeof node !== "object" || node === null) return node;
  // fromEntries keeps a member named "__proto__" as data instead of setting the prototype.
  return Object.fromEntries(
    Object.entries(node)
      .filter(([member]) => !isExtension(kind, member))
      .map(([member, value]) => [member, withoutExtensions(value, childKind(kind, member, key), member)]),
  );
}
