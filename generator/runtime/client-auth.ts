import { TokenClientConfigError } from "./errors.js";
import type { AppliedClientAuth, ClientAuthRule, ClientAuthValue, ClientConfig, DocumentedClientAuth, JwtClientAuth } from "./types.js";

/** RFC 6749 §2.3.1 names for client credentials sent as request fields. */
export const CLIENT_ID_FIELD = "client_id";
export const CLIENT_SECRET_FIELD = "client_secret";

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
 * A `discovered` or `documented` rule cannot be applied here: it stands for
 * one of the above, which {@link decideClientAuth} picks (for `discovered`,
 * once `requestToken` has read the discovery document).
 *
 * @throws TypeError for a `discovered` or `documented` rule, or a rule of unknown kind.
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
    case "documented":
      throw new TypeError("documented client authentication is decided by decideClientAuth first (requestToken does this)");
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

/** The discovery document's word on client authentication (OpenID Connect Discovery 1.0 §3). */
export interface DiscoveredAuthMethods {
  /** `token_endpoint_auth_methods_supported`; `undefined` when the document has none. */
  readonly authMethods: readonly string[] | undefined;
  /** Whether the token request has a body (see {@link decideClientAuth}). */
  readonly hasBody: boolean;
}

/** What decided a request's client authentication, as `explain` and the README say it. */
export type ClientAuthReason = "option" | "stated" | "discovery" | "fields" | "basic" | "nothing";

/**
 * Which method a request uses, or why there is none yet: `awaiting-discovery`
 * until the discovery document is read, `unsupported` when it lists no method
 * the client can use.
 */
export type ClientAuthDecision =
  | { readonly kind: "decided"; readonly rule: AppliedClientAuth; readonly jwt: JwtClientAuth | undefined; readonly by: ClientAuthReason }
  | { readonly kind: "awaiting-discovery" }
  | { readonly kind: "unsupported" };

/** What the user gave: the `clientAuth` option and the client secret it may need. */
export type ClientAuthGiven = Pick<ClientConfig, "clientAuth" | "clientSecret">;

/**
 * The one place that decides how a token request authenticates the client
 * (RFC 6749 §2.3): `requestToken` calls it for every request, and the
 * generator's `explain` and README call it to say what a generated client
 * will do. First match wins:
 *
 * 1. `given.clientAuth` (the user's option), by its method:
 *    - `client_secret_basic`: `basic` (RFC 6749 §2.3.1).
 *    - `client_secret_post`: `fields`, named as the spec names them when the
 *      documented method is `fields` with a secret field, else `client_id`
 *      and `client_secret`.
 *    - `none`, `tls_client_auth`, `self_signed_tls_client_auth`: the client id
 *      only, as the spec's id field (else `client_id`): a public client (RFC
 *      6749 §2.1), or one whose `fetch` presents its certificate (RFC 8705 §2).
 *    - `client_secret_jwt`, `private_key_jwt`: `client_id`, with the value
 *      that signs a `client_assertion` for each request (RFC 7523 §2.2). The
 *      value must carry its signer: one made by `privateKeyJwt()`,
 *      `clientSecretJwt()` or `clientAuthValue()` (client-jwt.ts), so that
 *      clients without these methods bundle no signing code.
 * 2. A method stated outright: the provider config's `clientAuth` in a
 *    {@link DocumentedClientAuth}, or a rule of kind `basic`, `fields` or `none`.
 * 3. OpenID Connect discovery (`discovered`, or `discovery` documented): from
 *    `discovered.authMethods`, `client_secret_basic` when listed or when the
 *    list is absent (its default), else `client_secret_post` (`client_id` and
 *    `client_secret` fields) when the request has a body to carry them
 *    (without one the secret would go in the URL, which RFC 6749 §2.3.1
 *    forbids), else `none` when listed; `unsupported` otherwise, and
 *    `awaiting-discovery` before the document is read.
 * 4. The request has a client id field: `fields` (§2.3.1, in the request).
 * 5. HTTP Basic is documented: `basic`.
 * 6. Otherwise `none`.
 *
 * @throws TokenClientConfigError for a `clientAuth` that is no method, a
 *   `client_secret_*` method without a client secret, or a JWT method given
 *   as a bare description.
 */
export function decideClientAuth(rule: ClientAuthRule, given: ClientAuthGiven = {}, discovered?: DiscoveredAuthMethods): ClientAuthDecision {
  const documented = asDocumented(rule);
  const clientAuth = given.clientAuth;
  if (clientAuth !== undefined) return byOption(clientAuth, decideClientAuth(rule), given);
  const decided = (applied: AppliedClientAuth, by: ClientAuthReason): ClientAuthDecision => ({ kind: "decided", rule: applied, jwt: undefined, by });
  const fields = (): AppliedClientAuth => fieldsRule(documented.idField ?? CLIENT_ID_FIELD, documented.secretField);
  const stated = documented.stated;
  switch (stated) {
    case "basic":
      return decided(BASIC, "stated");
    case "fields":
      return decided(fields(), "stated");
    case "none":
      return decided(NONE, "stated");
    case undefined:
      break;
    default: {
      const unknown: never = stated;
      throw new TypeError(`unknown stated client authentication ${describeMethod(unknown)}`);
    }
  }
  if (documented.discovery === true) {
    if (discovered === undefined) return { kind: "awaiting-discovery" };
    const methods = discovered.authMethods;
    if (methods === undefined || methods.includes("client_secret_basic")) return decided(BASIC, "discovery");
    if (discovered.hasBody && methods.includes("client_secret_post")) return decided(POST, "discovery");
    if (methods.includes("none")) return decided(NONE, "discovery");
    return { kind: "unsupported" };
  }
  if (documented.idField !== undefined) return decided(fields(), "fields");
  return documented.basic === true ? decided(BASIC, "basic") : decided(NONE, "nothing");
}

const BASIC = { kind: "basic" } as const;
const NONE = { kind: "none" } as const;
const POST = { kind: "fields", idField: CLIENT_ID_FIELD, secretField: CLIENT_SECRET_FIELD } as const;

function fieldsRule(idField: string, secretField: string | undefined): AppliedClientAuth {
  return secretField === undefined ? { kind: "fields", idField } : { kind: "fields", idField, secretField };
}

/** A rule as the facts it documents: a method stated outright is a statement, `discovered` defers to discovery. */
function asDocumented(rule: ClientAuthRule): Omit<DocumentedClientAuth, "kind"> {
  switch (rule.kind) {
    case "documented":
      return rule;
    case "basic":
    case "none":
      return { stated: rule.kind };
    case "fields":
      return { stated: "fields", idField: rule.idField, ...(rule.secretField !== undefined ? { secretField: rule.secretField } : {}) };
    case "discovered":
      return { discovery: true };
    default: {
      const unknownRule: never = rule;
      throw new TypeError(`unknown client authentication rule ${JSON.stringify(describeKind(unknownRule))}`);
    }
  }
}

/** Step 1 of {@link decideClientAuth}: the user's option, keeping the field names of `spec`, the decision without it. */
function byOption(clientAuth: ClientAuthValue, spec: ClientAuthDecision, given: ClientAuthGiven): ClientAuthDecision {
  const method: unknown = typeof clientAuth === "object" && clientAuth !== null ? clientAuth.method : undefined;
  const decided = (applied: AppliedClientAuth, jwt?: JwtClientAuth): ClientAuthDecision => ({ kind: "decided", rule: applied, jwt, by: "option" });
  const specFields = spec.kind === "decided" && spec.rule.kind === "fields" ? spec.rule : undefined;
  switch (method) {
    case "client_secret_basic":
      needsSecret(given, method);
      return decided(BASIC);
    case "client_secret_post":
      needsSecret(given, method);
      return decided(specFields?.secretField !== undefined ? specFields : POST);
    case "none":
    case "tls_client_auth":
    case "self_signed_tls_client_auth":
      return decided({ kind: "fields", idField: specFields?.idField ?? CLIENT_ID_FIELD });
    case "client_secret_jwt":
    case "private_key_jwt": {
      if (method === "client_secret_jwt") needsSecret(given, method);
      const jwt = clientAuth as Partial<JwtClientAuth>;
      if (typeof jwt.assertion !== "function" || typeof jwt.secrets !== "function") {
        throw new TokenClientConfigError(`clientAuth ${method} must be made by privateKeyJwt(), clientSecretJwt() or clientAuthValue(), ` +
          "which carry the signing code");
      }
      return decided({ kind: "fields", idField: CLIENT_ID_FIELD }, clientAuth as JwtClientAuth);
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
