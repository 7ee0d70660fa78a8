// What decides a session's token, and the store key made from it.
import { canonicalJson } from "./canonical.js";
import type { ClientConfig, TokenEndpoint } from "./types.js";

/**
 * Everything that decides which token a session holds, as its store key's
 * parts: the provider, the token endpoint's URL (base URL with its server
 * variables filled in, path or discovery path), the client id, the client
 * secret, the grant and its parameters. Two clients that differ in any of
 * them (sandbox and production, two tenants, a rotated secret) never share
 * a token. The session hashes the parts (SHA-256) into the key, so no
 * credential is ever stored or sent to the store as a key.
 */
export function sessionKeyParts(
  provider: string,
  endpoint: TokenEndpoint,
  config: ClientConfig,
  grant: string,
  params: Readonly<Record<string, unknown>>,
): readonly string[] {
  const where = endpoint.discovery === undefined ? `path:${endpoint.path}` : `discovery:${endpoint.discovery}`;
  return [provider, config.baseUrl, where, config.clientId, config.clientSecret ?? "", grant, canonicalJson(params)];
}

/** The store key: hex SHA-256 of the key parts joined by NUL. */
export async function storeKey(parts: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
