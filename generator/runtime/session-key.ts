// What decides a session's token, and the store key made from it.
import { sourceIdentity } from "./source-identity.js";
import { canonicalJson } from "./canonical.js";
import type { ClientConfig, TokenEndpoint } from "./types.js";

/**
 * Everything that decides which token a session holds, as its store key's
 * parts: the provider, the token endpoint's URL (base URL with its server
 * variables filled in, path or discovery path), the client id, the client
 * secret, the grant and its parameters (a function-valued one by its
 * identity, see `sourceIdentity`). Two clients that differ in any of
 * them (sandbox and production, two tenants, a rotated secret) never share
 * a token. The session hashes the parts (SHA-256) into the key, so no
 * credential is ever stored or sent to the store as a key. A session with a
 * DPoP key pair (`SessionGrant.dpop`) adds the key's thumbprint itself.
 */
export function sessionKeyParts(
  provider: string,
  endpoint: TokenEndpoint,
  config: ClientConfig,
  grant: string,
  params: Readonly<Record<string, unknown>>,
): readonly string[] {
  const where = endpoint.discovery === undefined ? `path:${endpoint.path}` : `discovery:${endpoint.discovery}`;
  return [provider, config.baseUrl, where, config.clientId, config.clientSecret ?? "", grant, canonicalJson(keyView(params))];
}

/**
 * The parameters as a key sees them: a function (an assertion or subject
 * token made per request, see assertion-grants.ts) becomes its identity,
 * which JSON would otherwise drop, so that sessions whose credentials come
 * from different functions never share a token.
 */
function keyView(params: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  let view: Record<string, unknown> | undefined;
  for (const name of Object.keys(params)) {
    const value = params[name];
    if (typeof value !== "function") continue;
    view ??= { ...params };
    Object.defineProperty(view, name, { value: sourceIdentity(value), enumerable: true, writable: true, configurable: true });
  }
  return view ?? params;
}

/** The store key: hex SHA-256 of the key parts joined by NUL. */
export async function storeKey(parts: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
