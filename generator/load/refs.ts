import { SpecError } from "./errors.js";
import { childKind, isExtension, type NodeKind } from "./extensions.js";
import { localRefToPointer, lookupPointer, toPointer } from "./pointer.js";

/**
 * Checks that every `$ref` in the document is local and resolves, so that a
 * broken reference is reported with the pointer of the object that holds it
 * (swagger-parser only names the target). Specification Extensions (`x-*`)
 * are opaque data to OpenAPI (3.1 §4.9), so references inside them are not
 * followed; an `x-` name in a map of names (a property, a component) is checked.
 */
export function checkRefs(file: string, document: unknown): void {
  const stack: { node: unknown; path: (string | number)[]; kind: NodeKind }[] = [{ node: document, path: [], kind: "object" }];
  while (stack.length > 0) {
    const { node, path, kind } = stack.pop()!;
    if (Array.isArray(node)) {
      node.forEach((child, index) => stack.push({ node: child, path: [...path, index], kind: "object" }));
      continue;
    }
    if (typeof node !== "object" || node === null) continue;
    const key = path[path.length - 1];
    for (const [member, child] of Object.entries(node)) {
      if (isExtension(kind, member)) continue;
      if (member === "$ref" && kind === "object" && typeof child === "string") checkOneRef(file, document, toPointer(path), child);
      else stack.push({ node: child, path: [...path, member], kind: childKind(kind, member, typeof key === "string" ? key : undefined) });
    }
  }
}

function checkOneRef(file: string, document: unknown, at: string, ref: string): void {
  const target = localRefToPointer(ref);
  if (target === undefined) {
    throw new SpecError(
      "external_ref",
      file,
      at,
      `$ref ${JSON.stringify(ref)} points outside this document; only local references ("#/...") are resolved`,
    );
  }
  const lookup = lookupPointer(document, target);
  if (!lookup.found) {
    throw new SpecError(
      "unresolved_ref",
      file,
      at,
      `$ref ${JSON.stringify(ref)} does not resolve: nothing at ${lookup.missingAt || "/"}`,
    );
  }
}
