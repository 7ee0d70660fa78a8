import { SpecError } from "./errors.js";
import { childKind, isExtension } from "./extensions.js";
import { MAX_NESTING, pointerOf, type Frame } from "./refs.js";

/**
 * Drops every Specification Extension member whose value holds a `$ref`
 * anywhere inside it, before references are checked, bundled or resolved.
 *
 * OpenAPI 3.0 §4.9 (Specification Extensions; 3.1 §4.9, Swagger 2.0 "Vendor
 * Extensions") leaves the value of an `x-` member to its vendor: it "can be
 * null, a primitive, an array or an object" and is not an OpenAPI object, so
 * a `$ref` inside it is vendor data, not a Reference Object. A token client
 * never needs vendor data, and references inside it often point at files that
 * were never published beside the spec (Azure's `x-ms-examples` point at
 * `./examples/*.json`). Left in, they would be fetched by the bundler, checked
 * by `checkRefs`, or rewritten and resolved by the Swagger 2.0 converter; so
 * the whole member goes (its value minus the refs would be half of a vendor
 * structure that the converter still interprets, e.g. `x-ms-paths` with empty
 * parameters, or `x-ms-parameterized-host` with a host variable it defaults to
 * "none"). Members without a `$ref` stay. What counts as an extension is
 * node-kind aware: `x-` names in maps of names (schema properties, component
 * names, media types…) are names, not extensions, and their refs are kept.
 *
 * The input is not changed: objects on the way to a dropped member are copied,
 * everything else is shared. Returns the pointers (in the input) of the
 * dropped members, in document order.
 */
export function dropExtensionRefs(file: string, document: unknown): { document: unknown; dropped: string[] } {
  const drops: Frame[] = [];
  // Extension members go on the stack too (as `extension`), so drops are found in document order.
  const stack: { frame: Frame; extension: boolean }[] = [{ frame: { node: document, parent: undefined, key: undefined, kind: "root", depth: 0 }, extension: false }];
  while (stack.length > 0) {
    const { frame, extension } = stack.pop()!;
    const { node, kind, depth } = frame;
    if (extension) {
      if (holdsRef(node)) drops.push(frame);
      continue;
    }
    if (typeof node !== "object" || node === null) continue;
    if (depth > MAX_NESTING) {
      throw new SpecError("too_deeply_nested", file, pointerOf(frame), `the document is nested more than ${MAX_NESTING} levels deep here`);
    }
    // Children are pushed last-first, so they are visited in document order.
    if (Array.isArray(node)) {
      for (let index = node.length - 1; index >= 0; index--) {
        stack.push({ frame: { node: node[index], parent: frame, key: index, kind: "object", depth: depth + 1 }, extension: false });
      }
      continue;
    }
    const parentKey = typeof frame.key === "string" ? frame.key : undefined;
    const members = Object.entries(node);
    for (let index = members.length - 1; index >= 0; index--) {
      const [member, child] = members[index]!;
      const childFrame: Frame = { node: child, parent: frame, key: member, kind: childKind(kind, member, parentKey), depth: depth + 1 };
      stack.push({ frame: childFrame, extension: isExtension(kind, member) });
    }
  }
  if (drops.length === 0) return { document, dropped: [] };
  return { document: without(document, trieOf(drops.map(pathOf))), dropped: drops.map(pointerOf) };
}

/** Whether a `$ref` member appears anywhere in a value (iteratively; shared YAML aliases are visited once). */
function holdsRef(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(node, "$ref")) return true;
    for (const child of Object.values(node)) stack.push(child);
  }
  return false;
}

function pathOf(frame: Frame): (string | number)[] {
  const segments: (string | number)[] = [];
  for (let at: Frame | undefined = frame; at?.key !== undefined; at = at.parent) segments.push(at.key);
  return segments.reverse();
}

/** Segment -> the rest of the path; `null` marks a member to drop. */
type Trie = Map<string | number, Trie | null>;

function trieOf(paths: readonly (readonly (string | number)[])[]): Trie {
  const root: Trie = new Map();
  for (const path of paths) {
    let at = root;
    path.forEach((segment, index) => {
      if (index === path.length - 1) {
        at.set(segment, null);
        return;
      }
      let next = at.get(segment);
      if (!next) {
        next = new Map();
        at.set(segment, next);
      }
      at = next;
    });
  }
  return root;
}

/** A copy of `node` along the trie's paths, without the members it marks. Depth is bounded by MAX_NESTING. */
function without(node: unknown, trie: Trie): unknown {
  if (Array.isArray(node)) {
    const copy = node.slice();
    for (const [index, rest] of trie) if (typeof index === "number" && rest) copy[index] = without(copy[index], rest);
    return copy;
  }
  if (typeof node !== "object" || node === null) return node;
  // fromEntries keeps a member named "__proto__" as data instead of setting the prototype.
  return Object.fromEntries(
    Object.entries(node)
      .filter(([member]) => trie.get(member) !== null)
      .map(([member, value]) => {
        const rest = trie.get(member);
        return [member, rest ? without(value, rest) : value];
      }),
  );
}
