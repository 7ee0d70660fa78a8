import { TokenClientConfigError } from "./errors.js";
import type { ClientAuthRule, ClientAuthValue, ClientConfig, JwtClientAuth } from "./types.js";

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

/**
 * Request fields whose values are credentials, as the specs that define them
 * name them: `password` (RFC 6749 §4.3.2), `refresh_token` (§6), `code`
 * (§4.1.3), `client_secret` (§2.3.1), `code_verifier` (RFC 7636 §4.5),
 * `client_assertion` (RFC 7521 §4.2), `assertion` (RFC 7521 §4.1),
 * `subject_token` and `actor_token` (RFC 8693 §2.1), `device_code`
 * (RFC 8628 §3.4). A field matches when its name does once case, `_` and
 * `-` are ignored (`refreshToken`, `Refresh-Token`). Besides these, the
 * field a `fields` client-auth rule names as `secretField` is a credential
 * under whatever name the spec gives it, and so are the configured client
 * secret and the `Authorization` header that `basic` sets.
 *
 * Errors redact the values sent in these fields (see `SecretRedactor` in
 * errors.ts, and {@link sentSecrets}); other parameters (`username`,
 * `scope`, a provider's own fields) are not redacted.
 */
export const CREDENTIAL_FIELDS: readonly string[] = [
  "password",
  "refresh_token",
  "code",
  "client_secret",
  "code_verifier",
  "client_assertion",
  "assertion",
  "subject_token",
  "actor_token",
  "device_code",
];

const normalizeFieldName = (name: string): string => name.toLowerCase().replace(/[_-]/g, "");
const CREDENTIAL_NAMES: ReadonlySet<string> = new Set(CREDENTIAL_FIELDS.map(normalizeFieldName));

/** Whether a request field carries a credential: one of {@link CREDENTIAL_FIELDS}, or the rule's `secretField`. */
export function isCredentialField(name: string, rule?: ClientAuthRule): boolean {
  if (rule !== undefined && rule.kind === "fields" && rule.secretField === name) return true;
  return CREDENTIAL_NAMES.has(normalizeFieldName(name));
}

/** Nested values of a credential field (a JSON body may carry any) are read this deep. */
const MAX_SECRET_VALUE_DEPTH = 8;

/**
 * The secret values a token request sends, for redaction: the configured
 * client secret (whatever the rule, so that it is never shown), the
 * credentials of an `Authorization: Basic` header (the base64 of
 * `id:secret`: the one sent, and with a client secret the one `basic` would
 * send, which a server can work out from the id and secret it got), and the
 * values of the credential fields in `fields` (strings, and numbers as
 * their decimal text; array elements and nested values too). `fields` and
 * `headers` are the request's pieces after {@link applyClientAuth}.
 */
export function sentSecrets(
  config: Pick<ClientConfig, "clientId" | "clientSecret">,
  rule: ClientAuthRule,
  fields: MutableFields,
  headers: MutableHeaders,
): string[] {
  const secrets: string[] = [];
  const secret = config.clientSecret;
  if (secret !== undefined && secret !== "") secrets.push(secret, basicAuthorization(config.clientId, secret).slice("Basic ".length));
  for (const name of Object.keys(fields)) {
    if (isCredentialField(name, rule)) collectScalars(fields[name], secrets, 0);
  }
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() !== "authorization") continue;
    const value = headers[name] ?? "";
    const space = value.indexOf(" ");
    secrets.push(space === -1 ? value : value.slice(space + 1).trim());
  }
  return secrets.filter((value) => value !== "");
}

function collectScalars(value: unknown, into: string[], depth: number): void {
  if (typeof value === "string") into.push(value);
  else if (typeof value === "number" || typeof value === "bigint") into.push(String(value));
  else if (typeof value === "object" && value !== null && depth < MAX_SECRET_VALUE_DEPTH) {
    for (const item of Array.isArray(value) ? (value as readonly unknown[]) : Object.values(value)) collectScalars(item, into, depth + 1);
  }
}

// ------------------------------------------------- client authentication methods

/** `client_assertion_type` for a JWT client assertion (RFC 7523 §2.2). */
export const JWT_CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/**
 * How a request authenticates the client once `config.clientAuth` (when
 * given) has been read: a rule for what goes into fields and headers, and
 * for the JWT methods, the value that signs the assertion.
 */
export interface ResolvedClientAuth {
  readonly rule: ClientAuthRule;
  readonly jwt: JwtClientAuth | undefined;
}

const CLIENT_ID_FIELD = "client_id";

/**
 * What `config.clientAuth` makes of a grant's rule. Without it, the rule
 * stands. With it, the method decides:
 *
 * - `client_secret_basic`: the `basic` rule (RFC 6749 §2.3.1).
 * - `client_secret_post`: the `fields` rule, with the field names the
 *   spec gives when the grant's rule is `fields` with a secret field, else
 *   `client_id` and `client_secret`.
 * - `none`, `tls_client_auth`, `self_signed_tls_client_auth`: the client id
 *   only, as `client_id` (or the spec's id field): a public client (RFC 6749
 *   §2.1), or one whose `fetch` presents its certificate (RFC 8705 §2).
 * - `client_secret_jwt`, `private_key_jwt`: `client_id`,
 *   `client_assertion_type` and a `client_assertion` the value signs for
 *   each request (RFC 7523 §2.2). The value must carry its signer: one made
 *   by `privateKeyJwt()`, `clientSecretJwt()` or `clientAuthValue()`
 *   (client-jwt.ts), so that clients without these methods bundle no signing code.
 *
 * @throws TokenClientConfigError for a value that is no method, a
 *   `client_secret_*` method without a client secret, or a JWT method given
 *   as a bare description.
 */
export function resolveClientAuth(clientAuth: ClientAuthValue | undefined, rule: ClientAuthRule, config: Pick<ClientConfig, "clientSecret">): ResolvedClientAuth {
  if (clientAuth === undefined) return { rule, jwt: undefined };
  const method: unknown = typeof clientAuth === "object" && clientAuth !== null ? clientAuth.method : undefined;
  const idField = rule.kind === "fields" ? rule.idField : CLIENT_ID_FIELD;
  switch (method) {
    case "client_secret_basic":
      needsSecret(config, method);
      return { rule: { kind: "basic" }, jwt: undefined };
    case "client_secret_post":
      needsSecret(config, method);
      return {
        rule: rule.kind === "fields" && rule.secretField !== undefined ? rule : { kind: "fields", idField: CLIENT_ID_FIELD, secretField: "client_secret" },
        jwt: undefined,
      };
    case "none":
    case "tls_client_auth":
    case "self_signed_tls_client_auth":
      return { rule: { kind: "fields", idField }, jwt: undefined };
    case "client_secret_jwt":
    case "private_key_jwt": {
      if (method === "client_secret_jwt") needsSecret(config, method);
      const jwt = clientAuth as Partial<JwtClientAuth>;
      if (typeof jwt.assertion !== "function" || typeof jwt.secrets !== "function") {
        throw new TokenClientConfigError(`clientAuth ${method} must be made by privateKeyJwt(), clientSecretJwt() or clientAuthValue(), ` +
          "which carry the signing code");
      }
      return { rule: { kind: "fields", idField: CLIENT_ID_FIELD }, jwt: clientAuth as JwtClientAuth };
    }
    default:
      throw new TokenClientConfigError(
        "clientAuth.method must be one of client_secret_basic, client_secret_post, client_secret_jwt, " +
          `private_key_jwt, none, tls_client_auth, self_signed_tls_client_auth; got ${describeMethod(method)}`,
      );
  }
}

/** A method name as messages show it: quoted when it looks like one, else its type. */
export function describeMethod(method: unknown): string {
  return typeof method === "string" && /^[\w-]{1,40}$/.test(method) ? JSON.stringify(method) : typeof method;
}

function needsSecret(config: Pick<ClientConfig, "clientSecret">, method: string): void {
  if (typeof config.clientSecret !== "string" || config.clientSecret === "") {
    throw new TokenClientConfigError(`clientAuth ${method} needs the client secret (clientSecret)`);
  }
}

/** `client_secret_basic` (RFC 6749 §2.3.1). */
export const CLIENT_SECRET_BASIC: ClientAuthValue = /* @__PURE__ */ Object.freeze({ method: "client_secret_basic" });
/** `client_secret_post` (RFC 6749 §2.3.1). */
export const CLIENT_SECRET_POST: ClientAuthValue = /* @__PURE__ */ Object.freeze({ method: "client_secret_post" });
/** `none`: a public client, which sends its `client_id` only (RFC 6749 §2.1). */
export const NO_CLIENT_AUTH: ClientAuthValue = /* @__PURE__ */ Object.freeze({ method: "none" });
/** `tls_client_auth` (RFC 8705 §2.1): `client_id` only; the client's `fetch` presents its certificate. */
export const TLS_CLIENT_AUTH: ClientAuthValue = /* @__PURE__ */ Object.freeze({ method: "tls_client_auth" });
