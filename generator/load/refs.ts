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
  forEachRef(file, document, (ref, frame) => checkOneRef(file, document, pointerOf(frame), ref));
}

/**
 * Calls `visit` for every `$ref` string in the document, skipping
 * Specification Extensions, iteratively and at most {@link MAX_NESTING}
 * levels deep. Paths are parent links, turned into a pointer only when one is
 * reported: copying the path at every node would make deep documents cost depth².
 */
export function forEachRef(file: string, document: unknown, visit: (ref: string, holder: Frame) => void): void {
  const stack: Frame[] = [{ node: document, parent: undefined, key: undefined, kind: "root", depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { node, kind, depth } = frame;
    if (typeof node !== "object" || node === null) continue;
    if (depth > MAX_NESTING) {
      throw new SpecError("too_deeply_nested", file, pointerOf(frame), `the document is nested more than ${MAX_NESTING} levels deep here`);
    }
    if (Array.isArray(node)) {
      node.forEach((child, index) => stack.push({ node: child, parent: frame, key: index, kind: "object", depth: depth + 1 }));
      continue;
    }
    const key = frame.key;
    for (const [member, child] of Object.entries(node)) {
      if (isExtension(kind, member)) continue;
      if (member === "$ref" && kind !== "names" && kind !== "names-and-extensions" && typeof child === "string") visit(child, frame);
      else stack.push({ node: child, parent: frame, key: member, kind: childKind(kind, member, typeof key === "string" ? key : undefined), depth: depth + 1 });
    }
  }
}

/** Deeper than this, a document is refused before any recursive validator can overflow the stack. */
export const MAX_NESTING = 512;

export interface Frame {
  readonly node: unknown;
  readonly parent: Frame | undefined;
  readonly key: string | number | undefined;
  readonly kind: NodeKind;
  readonly depth: number;
}

export function pointerOf(frame: Frame): string {
  const segments: (string | number)[] = [];
  for (let at: Frame | undefined = frame; at?.key !== undefined; at = at.parent) segments.push(at.key);
  return toPointer(segments.reverse());
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
  if (target !== "" && !target.startsWith("/")) {
    throw new SpecError("unresolved_ref", file, at, `$ref ${JSON.stringify(ref)} does not resolve: its fragment is not a JSON pointer ("#/...")`);
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
