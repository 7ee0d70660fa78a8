/**
 * The words the model takes from the spec: the provider id, the prefix of
 * its exported names, each grant's method name and each server's name. The
 * identifiers the generated code declares are composed from these words in
 * one place, emit/names.ts.
 */

/**
 * Names a client cannot use for a grant method: its own `session`, `then`
 * (which would make the client awaitable, so `await`ing or returning it from
 * an async function would call it), and Object.prototype's members.
 */
const RESERVED_METHOD_NAMES = new Set(["session", "then", ...Object.getOwnPropertyNames(Object.prototype)]);

/** `client_credentials` -> `clientCredentials`; URN grants use their last segment (`jwt-bearer` -> `jwtBearer`). */
export function methodNameFor(grantType: string): string {
  const lastSegment = grantType.includes(":") ? grantType.slice(grantType.lastIndexOf(":") + 1) : grantType;
  const camel = camelCase(lastSegment);
  if (camel === "") return "grant";
  if (RESERVED_METHOD_NAMES.has(camel)) return `${camel}Grant`;
  return /^[0-9]/.test(camel) ? `grant${pascalCase(camel)}` : camel;
}

/**
 * Unique method names, also ignoring case: each becomes an UPPER_CASE
 * constant in the generated client, where `tokenExchange` and
 * `tokenEXCHANGE` would collide.
 */
export function uniqueMethodNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let n = 2; seen.has(unique.toLowerCase()); n++) unique = `${name}${n}`;
    seen.add(unique.toLowerCase());
    return unique;
  });
}

export function camelCase(text: string): string {
  const pascal = pascalCase(text);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}

/** Words are runs of letters and digits; everything else separates them. */
export function pascalCase(text: string): string {
  return (text.match(/[A-Za-z0-9]+/g) ?? []).map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("");
}

/** Provider id from a spec file name: `specs/Commerce Layer.yaml` -> `commerce-layer`. */
export function providerIdFor(file: string): string {
  const base = file.split("/").pop() ?? file;
  const stem = base.replace(/\.(ya?ml|json)$/i, "");
  const id = stem.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return id === "" ? "provider" : /^[0-9]/.test(id) ? `p${id}` : id;
}

/** A server's name: a slug of a short description (up to three words), else its host. */
export function serverNameFor(url: string, description: string | undefined): string {
  if (description !== undefined) {
    const slug = description.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    // A label ("Sandbox", "Production server") names a server; a sentence does not, and the host is clearer.
    if (slug !== "" && slug.split("-").length <= 3 && slug.length <= 32) return slug;
  }
  try {
    return new URL(url).host;
  } catch {
    // A template such as `https://oidc.{region}.amazonaws.com` is not a URL; its host part still names it.
    return /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(url)?.[1] ?? url;
  }
}

/**
 * Makes names unique in order of appearance: the second `sandbox` becomes
 * `sandbox-2`, skipping any suffixed name that is already taken.
 */
export function uniqueNames(names: readonly string[], separator = "-"): string[] {
  const literal = new Set(names);
  const used = new Set<string>();
  return names.map((name) => {
    let unique = name;
    // A suffixed name that some other entry carries literally is never given away.
    for (let n = 2; used.has(unique); n++) {
      unique = `${name}${separator}${n}`;
      if (literal.has(unique)) unique = name;
    }
    used.add(unique);
    return unique;
  });
}

/** Prefix of every exported name; always a valid identifier start. */
export function typePrefixFor(name: string): string {
  const pascal = pascalCase(name);
  if (pascal === "") return "Provider";
  return /^[0-9]/.test(pascal) ? `P${pascal}` : pascal;
}

/**
 * Names of a provider's token operations, when it has several: the last literal segment of each path, camel-cased
 * (`/oauth2/exchange` -> `exchange`, `/oauth2/token` -> `token`); where two would share one, their operationIds
 * camel-cased; then, ignoring case, a number for what still collides. A name that is not an identifier start
 * (`/v2`) is prefixed `op`.
 */
export function operationNamesFor(operations: readonly { readonly path: string; readonly operationId?: string | undefined }[]): string[] {
  const byPath = operations.map(({ path }) => {
    const literal = path.split("#")[0]!.split("/").filter((segment) => segment !== "" && !segment.includes("{"));
    return identifierStart(camelCase(literal[literal.length - 1] ?? "token") || "token");
  });
  const count = (names: readonly string[], name: string) => names.filter((n) => n.toLowerCase() === name.toLowerCase()).length;
  const chosen = byPath.map((name, index) => {
    const operationId = operations[index]!.operationId;
    return count(byPath, name) > 1 && operationId !== undefined && camelCase(operationId) !== "" ? identifierStart(camelCase(operationId)) : name;
  });
  return uniqueMethodNames(chosen);
}

function identifierStart(name: string): string {
  return /^[0-9]/.test(name) ? `op${pascalCase(name)}` : name;
}
