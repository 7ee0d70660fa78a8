import type { ClientAuthRule, ClientConfig } from "./types.js";

/**
 * Applies the `application/x-www-form-urlencoded` encoding algorithm of
 * RFC 6749 Appendix B to one value (space becomes `+`, everything outside
 * `*-._` and alphanumerics is percent-encoded as UTF-8).
 */
function formEncodeValue(value: string): string {
  return new URLSearchParams([["", value]]).toString().slice(1);
}

/**
 * Builds the `Authorization` header value for HTTP Basic client
 * authentication as RFC 6749 §2.3.1 specifies: the client id and secret are
 * each encoded with the `application/x-www-form-urlencoded` algorithm
 * (Appendix B), joined with `:`, and the UTF-8 bytes of the result are
 * base64-encoded (RFC 7617 §2).
 *
 * @example basicAuthorization("my client", "s:cr t") // "Basic bXkrY2xpZW50OnMlM0Fjcit0"
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const userPass = `${formEncodeValue(clientId)}:${formEncodeValue(clientSecret)}`;
  const bytes = new TextEncoder().encode(userPass);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** Mutable request pieces that client authentication writes into. */
export type MutableFields = Record<string, unknown>;
export type MutableHeaders = Record<string, string>;

/**
 * Adds client credentials to a token request as the grant's rule says
 * (RFC 6749 §2.3), mutating `fields` and `headers` in place:
 *
 * - `basic`: sets `Authorization: Basic …` (§2.3.1); an unset secret is sent
 *   as the empty string.
 * - `fields`: sets the field `idField` to the client id and, only when a
 *   secret is configured, `secretField` to the secret. These are request
 *   fields like any other: they travel in the body (§2.3.1 "including the
 *   client credentials in the request-body") unless the endpoint's
 *   `parameters` place them in the query or in headers (as some APIs
 *   document: `client_id`/`client_secret` request headers), which
 *   `requestToken` does after this. They overwrite same-named fields already
 *   present: credentials come from the client config only.
 * - `none`: adds nothing (a public client, §2.1).
 *
 * A `discovered` rule cannot be applied here: it stands for one of the above,
 * picked from an OpenID Connect discovery document, which `requestToken`
 * reads first and then applies the rule it resolves to.
 *
 * @throws TypeError for a `discovered` rule, or a rule of unknown kind.
 */
export function applyClientAuth(
  rule: ClientAuthRule,
  config: Pick<ClientConfig, "clientId" | "clientSecret">,
  fields: MutableFields,
  headers: MutableHeaders,
): void {
  switch (rule.kind) {
    case "basic":
      headers["Authorization"] = basicAuthorization(config.clientId, config.clientSecret ?? "");
      return;
    case "fields":
      fields[rule.idField] = config.clientId;
      if (rule.secretField !== undefined && config.clientSecret !== undefined) {
        fields[rule.secretField] = config.clientSecret;
      }
      return;
    case "none":
      return;
    case "discovered":
      throw new TypeError("discovered client authentication is resolved from the discovery document first (requestToken does this)");
    default: {
      const unknownRule: never = rule;
      throw new TypeError(`unknown client authentication rule ${JSON.stringify(describeKind(unknownRule))}`);
    }
  }
}

function describeKind(rule: unknown): string {
  const kind: unknown = typeof rule === "object" && rule !== null ? (rule as { kind?: unknown }).kind : undefined;
  return typeof kind === "string" ? kind.slice(0, 32) : typeof kind;
}
