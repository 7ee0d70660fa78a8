/** JSON pointer helpers (RFC 6901), including the URI-fragment form `#/a/b`. */

export function escapeToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapeToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Builds a pointer from path segments: `["paths", "/oauth/token"]` -> `/paths/~1oauth~1token`. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => "/" + escapeToken(String(s))).join("");
}

/** Splits `/a/b~1c` into `["a", "b/c"]`. */
export function fromPointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`not a JSON pointer: ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split("/").map(unescapeToken);
}

/**
 * Turns a local `$ref` (`#/components/schemas/A%20B`) into a JSON pointer
 * (`/components/schemas/A B`), or returns undefined when the ref is not local.
 */
export function localRefToPointer(ref: string): string | undefined {
  if (!ref.startsWith("#")) return undefined;
  try {
    return decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
}

export type PointerLookup =
  | { readonly found: true; readonly value: unknown }
  | { readonly found: false; readonly missingAt: string };

/** Looks up a pointer in a parsed document without ever reading inherited properties. */
export function lookupPointer(document: unknown, pointer: string): PointerLookup {
  let current: unknown = document;
  const done: string[] = [];
  for (const token of fromPointer(pointer)) {
    const next = childOf(current, token);
    if (next === undefined) return { found: false, missingAt: toPointer([...done, token]) };
    current = next.value;
    done.push(token);
  }
  return { found: true, value: current };
}

function childOf(node: unknown, token: string): { value: unknown } | undefined {
  if (Array.isArray(node)) {
    if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
    const index = Number(token);
    return index < node.length ? { value: node[index] } : undefined;
  }
  if (typeof node === "object" && node !== null && Object.prototype.hasOwnProperty.call(node, token)) {
    return { value: (node as Record<string, unknown>)[token] };
  }
  return undefined;
}
