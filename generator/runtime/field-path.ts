import type { FieldPath } from "./types.js";

/**
 * Reads the member at `path` in a parsed body: a top-level property name, or
 * the property names leading to it through nested objects (`["data",
 * "token"]` reads `body.data.token`).
 *
 * Every step is an own-property check, so a path never reads from a
 * prototype (`constructor`, `__proto__` and `toString` are absent unless the
 * server sent them). A step through something that is not an object (or
 * array) gives `undefined`, as an absent member does. An empty path reads
 * nothing.
 */
export function readField(body: unknown, path: FieldPath): unknown {
  if (typeof path === "string") return ownMember(body, path);
  if (path.length === 0) return undefined;
  let value: unknown = body;
  for (const name of path) {
    value = ownMember(value, name);
    if (value === undefined) return undefined;
  }
  return value;
}

/** A path as messages show it: the names joined with `.` (`data.token`). */
export function fieldPathName(path: FieldPath): string {
  return typeof path === "string" ? path : path.join(".");
}

function ownMember(value: unknown, name: string): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  return Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}

/** Sets an own data property, even one named `__proto__`. */
export function defineField(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}
