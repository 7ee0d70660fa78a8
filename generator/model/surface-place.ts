import { SpecError } from "../load/index.js";
import { resolveUrl } from "./security.js";

/** Where an endpoint lives, as `EndpointModel` says it: absolute, or a path joined to the client's server URL. */
export interface Placed {
  readonly url: string;
  readonly relative: boolean;
  /** Set when the spec's servers put the endpoint at several different absolute URLs and the first was taken. */
  readonly others?: readonly string[];
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

const trimSlash = (url: string) => url.replace(/\/+$/, "");

/**
 * Places a URL the spec gives in a Security Scheme (OpenAPI 3.1 §4.8.27 OAuth Flow Object: "The URL … MAY be relative,
 * resolved against the Server Object URLs", 3.2 §4.27 likewise), the way `synthesise.ts` `locate` places a `tokenUrl`:
 * RFC 3986 §5 resolution against each of the document's servers. When that lands, for every server the client may
 * use (`clientServers`, variables at their defaults), at that server's URL plus one same path, the endpoint is that
 * path, so it follows the server (sandbox or live) the caller picks; otherwise it is absolute.
 * Returns undefined for a URL that cannot be used (not https or loopback http, a fragment): the caller records why.
 */
export function placeSpecUrl(
  file: string,
  pointer: string,
  url: string,
  documentServers: readonly string[],
  clientServers: readonly string[],
): Placed | { readonly unusable: string } {
  const bases = documentServers.length > 0 ? documentServers : [undefined];
  const resolved = bases.map((base) => resolveUrl(url, base)).filter((u): u is URL => u !== undefined);
  if (resolved.length === 0) {
    // Relative, and no absolute server to resolve it against: joined to whatever baseUrl the caller passes.
    return url.includes("#") ? { unusable: "it has a fragment (#…), which an endpoint URI must not have (RFC 6749 §3.1)" } : { url: url.startsWith("/") ? url : `/${url}`, relative: true };
  }
  for (const u of resolved) {
    if (u.username !== "" || u.password !== "") throw new SpecError("url_credentials", file, pointer, "the URL carries credentials (user:password@)");
    if (u.hash !== "" || url.includes("#")) return { unusable: "it has a fragment (#…), which an endpoint URI must not have (RFC 6749 §3.1)" };
    if (u.protocol !== "https:" && !(u.protocol === "http:" && LOOPBACK.test(u.hostname))) return { unusable: `${u.href} is neither https nor loopback http` };
  }
  const hrefs = [...new Set(resolved.map((u) => u.href))];
  const path = suffixOn(clientServers, hrefs);
  if (path !== undefined) return { url: path, relative: true };
  return { url: hrefs[0]!, relative: false, ...(hrefs.length > 1 ? { others: hrefs.slice(1) } : {}) };
}

/**
 * Places an operation of `paths` (OpenAPI 3.0 §4.7.8): its URL is its servers' URL plus its path key. Served where
 * the token operation is, it is that path on the client's server; elsewhere, absolute on its first server.
 */
export function placeOperation(requestPath: string, operationServers: readonly string[], clientServers: readonly string[]): Placed {
  const absolute = operationServers.map((server) => resolveUrl(`${trimSlash(server)}${requestPath}`, undefined)).filter((u): u is URL => u !== undefined);
  if (absolute.length === 0 || sameList(operationServers, clientServers)) return { url: requestPath, relative: true };
  const hrefs = [...new Set(absolute.map((u) => decodeURI(u.href)))];
  const path = suffixOn(clientServers, hrefs);
  if (path !== undefined) return { url: path, relative: true };
  return { url: hrefs[0]!, relative: false, ...(hrefs.length > 1 ? { others: hrefs.slice(1) } : {}) };
}

/** The one path that, joined to each client server, gives exactly the resolved URLs; undefined when there is none. */
function suffixOn(clientServers: readonly string[], hrefs: readonly string[]): string | undefined {
  if (clientServers.length === 0 || clientServers.length !== hrefs.length) return undefined;
  const first = trimSlash(clientServers[0]!);
  const match = hrefs.find((href) => href.startsWith(`${first}/`));
  if (match === undefined) return undefined;
  const path = match.slice(first.length);
  return clientServers.every((server) => hrefs.includes(`${trimSlash(server)}${path}`)) ? path : undefined;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => trimSlash(value) === trimSlash(b[index]!));
}

/** The URL a placed endpoint names for the first client server, for comparing two endpoints. */
export function placedHref(placed: Placed, clientServers: readonly string[]): string {
  return placed.relative ? `${trimSlash(clientServers[0] ?? "")}${placed.url}` : placed.url;
}

/** What stands for a template variable no server declares while a URL is placed: a host label and a path segment alike. */
const PLACEHOLDER = "tokenwright-variable-";

/**
 * A flow URL with `{name}` templates (`https://{domain}/authorize`, `https://login.example.com/{tenant}/authorize`):
 * each `{name}` a variable of the document's servers gets its default, so the URL can be placed on the client's
 * server, whose variables the caller fills (`serverVariables`) for every endpoint alike. Any other `{name}` stands
 * as a placeholder while the URL is placed ({@link restoreTemplate} puts it back): the caller passes its value.
 */
export function fillServerTemplate(url: string, servers: unknown): { readonly url: string; readonly filled: readonly string[]; readonly kept: readonly string[] } {
  const variables = new Map<string, string>();
  for (const server of Array.isArray(servers) ? servers : []) {
    const declared = isRecord(server) && isRecord(server["variables"]) ? server["variables"] : {};
    for (const [name, variable] of Object.entries(declared)) {
      const value = isRecord(variable) ? variable["default"] : undefined;
      if (!variables.has(name) && typeof value === "string") variables.set(name, value);
    }
  }
  const filled: string[] = [];
  const kept: string[] = [];
  const out = url.replace(/\{([^}]*)\}/g, (_whole, name: string) => {
    const value = variables.get(name);
    if (value !== undefined) {
      filled.push(name);
      return value;
    }
    if (!kept.includes(name)) kept.push(name);
    return `${PLACEHOLDER}${kept.indexOf(name)}`;
  });
  return { url: out, filled, kept };
}

/** Puts the `{name}` templates {@link fillServerTemplate} kept back into a placed URL. */
export function restoreTemplate(url: string, kept: readonly string[]): string {
  return url.replace(new RegExp(`${PLACEHOLDER}(\\d+)`, "g"), (whole, index: string) => {
    const name = kept[Number(index)];
    return name !== undefined ? `{${name}}` : whole;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
