import { readFile } from "node:fs/promises";
import { SpecError } from "./errors.js";
import { checkAuthorization, type AuthorizationConfig } from "./config-authorization.js";
import { toPointer } from "./pointer.js";

export type { AuthorizationConfig, AuthorizationOwnParameter } from "./config-authorization.js";
export { AUTHORIZATION_OWN_PARAMETERS } from "./config-authorization.js";

/**
 * Facts about a provider that its spec does not state, kept next to the spec
 * as `<provider>.tokenwright.json` so the provider's own file stays untouched.
 * Every fact taken from here is reported as `config` in the model.
 */
export interface ProviderConfig {
  /** Human name; its words become the type prefix (`Commerce Layer` -> `CommerceLayer`). */
  readonly displayName?: string;
  /**
   * The token operation as `"<METHOD> <path key>"` (`"POST /oauth2/token"`),
   * when the spec has several candidates or a custom operation without `grant_type`.
   */
  readonly tokenOperation?: string;
  /** Several token operations, the first primary (sessions open on its grants first); instead of `tokenOperation`. */
  readonly tokenOperations?: readonly string[];
  /**
   * The path to send the token request to, when the spec's path is not the
   * whole story: `"/{tenant}/oauth2/token"`. Each `{name}` that is not a
   * documented path parameter becomes a required string path parameter.
   */
  readonly requestPath?: string;
  /**
   * How every grant authenticates the client, when the spec does not say:
   * `basic` (RFC 6749 §2.3.1 header), `fields` (`client_id`/`client_secret`
   * request fields, in the body or wherever the spec puts them) or `none`.
   */
  readonly clientAuth?: "basic" | "fields" | "none";
  /**
   * The client authentication methods the provider documents, as OAuth `token_endpoint_auth_method` names
   * (RFC 7591 §2): `["private_key_jwt", "client_secret_jwt"]`. The generated `clientAuth` option offers exactly
   * these; without this (and without metadata in the spec), every method.
   */
  readonly clientAuthMethods?: readonly ClientAuthMethodName[];
  /** DPoP (RFC 9449): `true` offers the `dpop` option, `"required"` makes it required; `false` leaves it out. */
  readonly dpop?: boolean | "required";
  /** Per grant type: what the spec cannot express. */
  readonly grants?: Readonly<Record<string, GrantConfig>>;
  /** Where the token's members are in the success body, and how it is encoded. */
  readonly response?: ResponseConfig;
  /** How the success body says when the token expires, when inference gets it wrong. */
  readonly expiry?: ExpiryConfig;
  /**
   * OAuth endpoints other than the token operation that the spec does not document: each an absolute https (or
   * loopback http) URL, or a path (`/oauth2/revoke`) on the client's server.
   */
  readonly endpoints?: EndpointsConfig;
  /** What the authorization request may carry, when the spec does not say. */
  readonly authorization?: AuthorizationConfig;
  /** What every token request carries that the spec does not say (issue 13 quirks). */
  readonly request?: RequestConfig;
}

/** The provider config's names for the OAuth endpoints around the token operation (model `OAuthSurfaceModel`). */
export const ENDPOINT_KEYS = ["authorization", "deviceAuthorization", "revocation", "introspection", "pushedAuthorization", "refresh", "metadata"] as const;
export type EndpointKey = (typeof ENDPOINT_KEYS)[number];
export type EndpointsConfig = Readonly<Partial<Record<EndpointKey, string>>>;

/** The `token_endpoint_auth_method` values a generated client can send (the runtime's `ClientAuthMethod`). */
export const CLIENT_AUTH_METHOD_NAMES = [
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt",
  "private_key_jwt",
  "none",
  "tls_client_auth",
  "self_signed_tls_client_auth",
] as const;
export type ClientAuthMethodName = (typeof CLIENT_AUTH_METHOD_NAMES)[number];

/** Token request quirks a spec cannot state. */
export interface RequestConfig {
  /** What joins several scopes in the token request, when not a space (`","`). */
  readonly scopeSeparator?: string;
  /** Fields sent with every grant's request whatever the caller passes (`{"expiring": "1"}`). */
  readonly constantFields?: Readonly<Record<string, ConstantValue>>;
}

export type ConstantValue = string | number | boolean;

export interface GrantConfig {
  /** Mutually exclusive credential sets, e.g. `[["username","password"],["linked_device_id","pin"]]`. */
  readonly alternatives?: readonly (readonly string[])[];
  /** Fields the schema marks required that this grant does not send (a schema that over-requires). */
  readonly relaxRequired?: readonly string[];
  /** Fields this grant's requests always carry (`{"type": "refresh"}`), sessions' refreshes included. */
  readonly constantFields?: Readonly<Record<string, ConstantValue>>;
  /**
   * For a grant of the provider's own: whether a session may run it again unattended for a new
   * token (Zoom `account_credentials` needs no user). The registry's grants say it themselves.
   */
  readonly reobtainable?: boolean;
}

export interface ResponseConfig {
  /** Dotted paths into the success body (`"data.token"`). */
  readonly accessToken?: string;
  readonly tokenType?: string;
  readonly refreshToken?: string;
  readonly scope?: string;
  /** `form` for a server that answers `application/x-www-form-urlencoded`. */
  readonly encoding?: "json" | "form";
  /**
   * A success-status body that is an error: its member `field` equals a value
   * (`{"field": "ok", "equals": false}`), is present (`{"field": "error", "present": true}`)
   * or is one of a set (`{"field": "status", "in": ["error", "failed"]}`); `code` names
   * the member holding the error's code.
   */
  readonly errorWhen?: ErrorWhenConfig;
  /** Other paths of a token member, tried in order when the first is absent (`{"accessToken": ["authed_user.access_token"]}`). */
  readonly fallbacks?: Readonly<Partial<Record<TokenMember, readonly string[]>>>;
}

export type TokenMember = "accessToken" | "tokenType" | "refreshToken" | "scope";

type Scalar = string | number | boolean | null;
export type ErrorWhenConfig =
  | { readonly field: string; readonly equals: Scalar; readonly code?: string }
  | { readonly field: string; readonly present: boolean; readonly code?: string }
  | { readonly field: string; readonly in: readonly Scalar[]; readonly code?: string };

/**
 * How the success body says when the token expires (checked against the spec by the model):
 * - `relative`: `field` is a lifetime from receipt, in seconds (`unit` `"s"`, the default) or `"ms"`;
 * - `absolute`: `field` is the moment of expiry, a unix time in `"s"` or `"ms"`, or an `"iso8601"` date-time;
 * - `issued-at`: `field` is the issue time in `"s"` or `"ms"`, and the token lives `lifetimeSeconds` from it
 *   (a lifetime the provider documents but does not send);
 * - `none`: the body never says.
 */
export type ExpiryConfig =
  | { readonly kind: "relative"; readonly field: string; readonly unit?: "s" | "ms" }
  | { readonly kind: "absolute"; readonly field: string; readonly unit: "s" | "ms" | "iso8601" }
  | { readonly kind: "issued-at"; readonly field: string; readonly unit: "s" | "ms"; readonly lifetimeSeconds: number }
  | { readonly kind: "none" };

/** Reads a provider config if the file exists; a malformed one is a located error. */
export async function loadProviderConfig(file: string): Promise<ProviderConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SpecError("read", file, "", "cannot read the provider config");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SpecError("config", file, "", `invalid JSON: ${(error as Error).message}`);
  }
  return checkConfig(file, value);
}

type Path = (string | number)[];

function checkConfig(file: string, value: unknown): ProviderConfig {
  const fail = (path: Path, detail: string): never => {
    throw new SpecError("config", file, toPointer(path), detail);
  };
  const object = (path: Path, node: unknown, known: readonly string[]): Record<string, unknown> => {
    if (!isRecord(node)) return fail(path, "must be a JSON object");
    for (const key of Object.keys(node)) if (!known.includes(key)) fail([...path, key], `unknown setting ${JSON.stringify(key)}; known: ${known.join(", ")}`);
    return node;
  };
  const oneOf = <T extends string>(path: Path, node: unknown, allowed: readonly T[]): T => {
    if (typeof node !== "string" || !(allowed as readonly string[]).includes(node)) return fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
    return node as T;
  };
  const fieldPath = (path: Path, node: unknown): string => {
    if (typeof node !== "string" || !/^[^.]+(\.[^.]+)*$/.test(node)) return fail(path, "must be a property name or a dotted path such as \"data.token\"");
    return node;
  };
  const root = object([], value, ["$schema", "displayName", "tokenOperation", "tokenOperations", "requestPath", "clientAuth", "clientAuthMethods", "dpop", "grants", "response", "expiry", "endpoints", "authorization", "request"]);
  const config: {
    -readonly [K in keyof ProviderConfig]: ProviderConfig[K];
  } = {};
  const displayName = root["displayName"];
  if (displayName !== undefined) {
    if (typeof displayName !== "string" || !/[A-Za-z]/.test(displayName)) fail(["displayName"], "must be a string with letters");
    config.displayName = displayName as string;
  }
  const tokenOperation = root["tokenOperation"];
  if (tokenOperation !== undefined) {
    if (typeof tokenOperation !== "string" || !/^(POST|GET) \/\S*$/.test(tokenOperation)) fail(["tokenOperation"], "must be \"POST /path\" or \"GET /path\", the path exactly as the spec's paths key");
    config.tokenOperation = tokenOperation as string;
  }
  const tokenOperations = root["tokenOperations"];
  if (tokenOperations !== undefined) {
    const labels = Array.isArray(tokenOperations) ? (tokenOperations as unknown[]) : [];
    const valid = labels.length > 0 && labels.every((label) => typeof label === "string" && /^(POST|GET) \/\S*$/.test(label)) && new Set(labels).size === labels.length;
    if (!valid) fail(["tokenOperations"], "must be a non-empty list of distinct \"POST /path\" or \"GET /path\", each path exactly as the spec's paths key");
    if (tokenOperation !== undefined) fail(["tokenOperations"], "takes the place of \"tokenOperation\": give one or the other");
    config.tokenOperations = labels as string[];
  }
  const requestPath = root["requestPath"];
  if (requestPath !== undefined) {
    // A path and nothing else: no scheme or host (credentials go only to the chosen server), no query or fragment.
    const valid = typeof requestPath === "string" && /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2}|\{[A-Za-z_][A-Za-z0-9_.-]*\})*$/.test(requestPath) && !requestPath.startsWith("//");
    if (!valid) fail(["requestPath"], "must be a path such as \"/{tenant}/oauth2/token\": a leading \"/\", no host, query or fragment, {name} templates");
    config.requestPath = requestPath as string;
  }
  if (root["clientAuth"] !== undefined) config.clientAuth = oneOf(["clientAuth"], root["clientAuth"], ["basic", "fields", "none"] as const);
  const methods = root["clientAuthMethods"];
  if (methods !== undefined) {
    if (!Array.isArray(methods) || methods.length === 0) return fail(["clientAuthMethods"], "must be a non-empty array of token_endpoint_auth_method names");
    const names = methods.map((method, index) => oneOf(["clientAuthMethods", index], method, CLIENT_AUTH_METHOD_NAMES));
    config.clientAuthMethods = [...new Set(names)];
  }
  const dpop = root["dpop"];
  if (dpop !== undefined) {
    if (dpop !== true && dpop !== false && dpop !== "required") fail(["dpop"], "must be true, false or \"required\"");
    config.dpop = dpop as boolean | "required";
  }
  const grants = root["grants"];
  if (grants !== undefined) {
    if (!isRecord(grants)) return fail(["grants"], "must be an object keyed by grant type");
    const entries: [string, GrantConfig][] = [];
    for (const [grantType, grant] of Object.entries(grants)) {
      const node = object(["grants", grantType], grant, ["alternatives", "relaxRequired", "constantFields", "reobtainable"]);
      const entry: { alternatives?: string[][]; relaxRequired?: string[]; constantFields?: Record<string, ConstantValue>; reobtainable?: boolean } = {};
      const alternatives = node["alternatives"];
      if (alternatives !== undefined) {
        const valid =
          Array.isArray(alternatives) &&
          alternatives.length >= 2 &&
          alternatives.every((set) => Array.isArray(set) && set.length > 0 && set.every((f) => typeof f === "string"));
        if (!valid) fail(["grants", grantType, "alternatives"], "must list at least two non-empty arrays of field names");
        entry.alternatives = alternatives as string[][];
      }
      const relax = node["relaxRequired"];
      if (relax !== undefined) {
        if (!Array.isArray(relax) || !relax.every((f) => typeof f === "string")) fail(["grants", grantType, "relaxRequired"], "must be an array of field names");
        entry.relaxRequired = relax as string[];
      }
      if (node["constantFields"] !== undefined) entry.constantFields = constantFields(["grants", grantType, "constantFields"], node["constantFields"]);
      const reobtainable = node["reobtainable"];
      if (reobtainable !== undefined) {
        if (typeof reobtainable !== "boolean") fail(["grants", grantType, "reobtainable"], "must be true or false");
        entry.reobtainable = reobtainable as boolean;
      }
      entries.push([grantType, entry]);
    }
    // fromEntries keeps a grant type spelled "__proto__" as data.
    config.grants = Object.fromEntries(entries);
  }
  if (root["response"] !== undefined) {
    const node = object(["response"], root["response"], ["accessToken", "tokenType", "refreshToken", "scope", "encoding", "errorWhen", "fallbacks"]);
    const response: { -readonly [K in keyof ResponseConfig]: ResponseConfig[K] } = {};
    for (const key of ["accessToken", "tokenType", "refreshToken", "scope"] as const) {
      if (node[key] !== undefined) response[key] = fieldPath(["response", key], node[key]);
    }
    if (node["encoding"] !== undefined) response.encoding = oneOf(["response", "encoding"], node["encoding"], ["json", "form"] as const);
    if (node["errorWhen"] !== undefined) response.errorWhen = errorWhen(node["errorWhen"]);
    if (node["fallbacks"] !== undefined) {
      const fallbacks = object(["response", "fallbacks"], node["fallbacks"], ["accessToken", "tokenType", "refreshToken", "scope"]);
      const checked: Partial<Record<TokenMember, string[]>> = {};
      for (const key of ["accessToken", "tokenType", "refreshToken", "scope"] as const) {
        const paths = fallbacks[key];
        if (paths === undefined) continue;
        if (!Array.isArray(paths) || paths.length === 0) fail(["response", "fallbacks", key], "must be a non-empty array of dotted paths");
        checked[key] = (paths as unknown[]).map((path, index) => fieldPath(["response", "fallbacks", key, index], path));
      }
      response.fallbacks = checked;
    }
    config.response = response;
  }
  if (root["expiry"] !== undefined) config.expiry = checkExpiry(root["expiry"], { object, oneOf, fieldPath, fail });
  if (root["endpoints"] !== undefined) {
    const node = object(["endpoints"], root["endpoints"], ENDPOINT_KEYS);
    const endpoints: Partial<Record<EndpointKey, string>> = {};
    for (const key of ENDPOINT_KEYS) {
      if (node[key] === undefined) continue;
      const problem = endpointProblem(node[key]);
      if (problem !== undefined) fail(["endpoints", key], problem);
      endpoints[key] = node[key] as string;
    }
    config.endpoints = endpoints;
  }
  if (root["authorization"] !== undefined) config.authorization = checkAuthorization(root["authorization"], { fail, object });
  // Token request quirks (issue 13): kept apart from the keys above, which others extend.
  if (root["request"] !== undefined) {
    const node = object(["request"], root["request"], ["scopeSeparator", "constantFields"]);
    const request: { scopeSeparator?: string; constantFields?: Record<string, ConstantValue> } = {};
    const separator = node["scopeSeparator"];
    if (separator !== undefined) {
      // One printable character other than a letter or digit: a separator a scope value cannot be mistaken for.
      if (typeof separator !== "string" || !/^[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/.test(separator)) {
        fail(["request", "scopeSeparator"], "must be one printable ASCII character that is not a letter or digit, such as \",\" or \"+\"");
      }
      request.scopeSeparator = separator as string;
    }
    if (node["constantFields"] !== undefined) request.constantFields = constantFields(["request", "constantFields"], node["constantFields"]);
    config.request = request;
  }
  return config;

  /** `{"name": value}` with scalar values, for fields sent on every request. */
  function constantFields(path: Path, node: unknown): Record<string, ConstantValue> {
    if (!isRecord(node) || Object.keys(node).length === 0) return fail(path, "must be an object of field names to strings, numbers or booleans");
    const entries: [string, ConstantValue][] = [];
    for (const [name, constant] of Object.entries(node)) {
      if (!/^[A-Za-z0-9_.\-[\]]+$/.test(name)) fail([...path, name], "must be a field name of letters, digits, _ . - [ ]");
      if (!["string", "number", "boolean"].includes(typeof constant)) fail([...path, name], "must be a string, number or boolean");
      entries.push([name, constant as ConstantValue]);
    }
    return Object.fromEntries(entries);
  }

  /** `errorWhen`: a field and exactly one of `equals`, `present`, `in`; `code` optional. */
  function errorWhen(node: unknown): ErrorWhenConfig {
    const base = ["response", "errorWhen"];
    const when = object(base, node, ["field", "equals", "present", "in", "code"]);
    const field = fieldPath([...base, "field"], when["field"]);
    const code = when["code"] === undefined ? {} : { code: fieldPath([...base, "code"], when["code"]) };
    const tests = (["equals", "present", "in"] as const).filter((key) => Object.hasOwn(when, key));
    if (tests.length !== 1) return fail(base, "must have exactly one of \"equals\", \"present\" and \"in\"");
    const isScalar = (v: unknown): v is Scalar => v === null || ["string", "number", "boolean"].includes(typeof v);
    switch (tests[0]) {
      case "equals": {
        const equals = when["equals"];
        if (!isScalar(equals)) return fail([...base, "equals"], "must be a string, number, boolean or null");
        return { field, equals, ...code };
      }
      case "present": {
        const present = when["present"];
        if (typeof present !== "boolean") return fail([...base, "present"], "must be true or false");
        return { field, present, ...code };
      }
      case "in": {
        const values = when["in"];
        if (!Array.isArray(values) || values.length === 0 || !values.every(isScalar)) return fail([...base, "in"], "must be a non-empty array of strings, numbers, booleans or null");
        return { field, in: values as Scalar[], ...code };
      }
      default:
        return fail(base, "must have exactly one of \"equals\", \"present\" and \"in\"");
    }
  }
}

/** The checks `checkConfig` makes, each failing with a located config error. */
interface Check {
  object: (path: Path, node: unknown, known: readonly string[]) => Record<string, unknown>;
  oneOf: <T extends string>(path: Path, node: unknown, allowed: readonly T[]) => T;
  fieldPath: (path: Path, node: unknown) => string;
  fail: (path: Path, detail: string) => never;
}

/** The `expiry` key: each kind takes only the settings it uses, and issued-at needs its lifetime. */
function checkExpiry(value: unknown, { object, oneOf, fieldPath, fail }: Check): ExpiryConfig {
  const node = object(["expiry"], value, ["kind", "field", "unit", "lifetimeSeconds"]);
  // "issued-at" last: the order of this list is the order the error message names them in.
  const kind = oneOf(["expiry", "kind"], node["kind"], ["relative", "absolute", "none", "issued-at"] as const);
  const only = (allowed: readonly string[]): void => {
    for (const key of ["field", "unit", "lifetimeSeconds"]) {
      if (node[key] !== undefined && !allowed.includes(key)) fail(["expiry", key], `"${key}" does not apply to kind ${JSON.stringify(kind)}`);
    }
  };
  switch (kind) {
    case "none":
      only([]);
      return { kind };
    case "relative": {
      only(["field", "unit"]);
      const field = fieldPath(["expiry", "field"], node["field"]);
      if (node["unit"] === undefined) return { kind, field };
      return { kind, field, unit: oneOf(["expiry", "unit"], node["unit"], ["s", "ms"] as const) };
    }
    case "absolute":
      only(["field", "unit"]);
      return { kind, field: fieldPath(["expiry", "field"], node["field"]), unit: oneOf(["expiry", "unit"], node["unit"], ["s", "ms", "iso8601"] as const) };
    case "issued-at": {
      only(["field", "unit", "lifetimeSeconds"]);
      const field = fieldPath(["expiry", "field"], node["field"]);
      const unit = oneOf(["expiry", "unit"], node["unit"], ["s", "ms"] as const);
      const lifetime = node["lifetimeSeconds"];
      if (typeof lifetime !== "number" || !Number.isSafeInteger(lifetime) || lifetime <= 0) {
        return fail(["expiry", "lifetimeSeconds"], "must be a positive whole number of seconds (the lifetime the provider documents)");
      }
      return { kind, field, unit, lifetimeSeconds: lifetime };
    }
    default: {
      const unknown: never = kind;
      throw new Error(`unknown expiry kind ${JSON.stringify(unknown)}`);
    }
  }
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * Why a configured endpoint is unusable, or undefined: an absolute https URL (loopback http for tests) with no
 * credentials or fragment (RFC 6749 §3.1: an endpoint URI has none), or a path on the client's server.
 */
function endpointProblem(value: unknown): string | undefined {
  const usage = 'must be an absolute https URL ("https://login.example.com/oauth2/authorize") or a path ("/oauth2/revoke")';
  if (typeof value !== "string" || value.trim() !== value || value === "") return usage;
  if (value.startsWith("/") && !value.startsWith("//")) {
    return /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2}|\{[A-Za-z_][A-Za-z0-9_.-]*\})*$/.test(value) ? undefined : `${usage}; a path has no fragment`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return usage;
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.test(url.hostname))) return `${usage}: tokens and codes travel only over https (or loopback)`;
  if (url.username !== "" || url.password !== "") return "carries credentials (user:password@); they are never copied into generated code";
  if (value.includes("#")) return "has a fragment (#…), which an endpoint URI must not have (RFC 6749 §3.1)";
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
