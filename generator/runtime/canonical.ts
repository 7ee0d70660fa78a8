/**
 * JSON with object keys sorted at every level, so that the same parameters
 * give the same text (and the same store key) whatever order a caller wrote
 * them in. Undefined members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "null";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => [key, sortKeys(member)] as const);
  // fromEntries keeps a member named "__proto__" as data.
  return Object.fromEntries(entries);
}
