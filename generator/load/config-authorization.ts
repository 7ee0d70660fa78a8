// The provider config's `authorization` key: what the authorization request (RFC 6749 §4.1.1) and its
// callback (§4.1.2) do that a spec cannot say. Checked here for shape; surface.ts checks it against the spec.

/** The parameters the authorization request sets itself (`extra` and constant parameters cannot replace them). */
export const AUTHORIZATION_OWN_PARAMETERS = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
  "request_uri",
] as const;
export type AuthorizationOwnParameter = (typeof AUTHORIZATION_OWN_PARAMETERS)[number];

/** Parameters an authorization response carries that `callbackValues` cannot name: the callback reads them itself. */
const CALLBACK_OWN_PARAMETERS = ["code", "state", "iss", "error", "error_description", "error_uri"];

export interface AuthorizationConfig {
  /** `false`: the server lacks PKCE (RFC 7636), so no `code_challenge` is sent. Default: S256. */
  readonly pkce?: boolean;
  /** What joins scopes in the authorization request, for a server that deviates from RFC 6749 §3.3's space. */
  readonly scopeSeparator?: string;
  /** Parameters every authorization request carries (`{"prompt": "consent"}`); a caller's `extra` wins. */
  readonly constantParameters?: Readonly<Record<string, string>>;
  /** `true`: a random `nonce` goes with every request (Walmart), not only with OpenID Connect's `openid` scope. */
  readonly nonce?: boolean;
  /** Scopes asked for when the caller passes none. */
  readonly defaultScopes?: readonly string[];
  /** Parameters of the redirect the app needs later (QuickBooks `realmId`): the callback's result holds them. */
  readonly callbackValues?: readonly string[];
  /** Standard parameters the provider names otherwise (`{"client_id": "client_key"}`). */
  readonly parameterNames?: Readonly<Partial<Record<AuthorizationOwnParameter, string>>>;
  /** The callback parameter holding the code, when not `code` (`spapi_oauth_code`). */
  readonly codeParameter?: string;
  /** `fragment`: the provider puts the response in the redirect's fragment, which the callback then reads first. */
  readonly responseMode?: "query" | "fragment";
  /**
   * Parameters whose value is sent with only the characters percent-encoded that would change how the query
   * splits (`& = + # %`, spaces, non-ASCII): `https://app/cb` rather than `https%3A%2F%2Fapp%2Fcb`.
   */
  readonly unencodedParameters?: readonly string[];
}

type Path = (string | number)[];

export interface ConfigCheckers {
  readonly fail: (path: Path, detail: string) => never;
  readonly object: (path: Path, node: unknown, known: readonly string[]) => Record<string, unknown>;
}

/** A query parameter name as providers spell them: letters, digits and `_ . - [ ] :`. */
const PARAMETER_NAME = /^[A-Za-z0-9_.\-[\]:]+$/;
/** RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

const AUTHORIZATION_KEYS = [
  "pkce",
  "scopeSeparator",
  "constantParameters",
  "nonce",
  "defaultScopes",
  "callbackValues",
  "parameterNames",
  "codeParameter",
  "responseMode",
  "unencodedParameters",
];

/** Checks the `authorization` key's shape; every refusal names its JSON pointer. */
export function checkAuthorization(node: unknown, { fail, object }: ConfigCheckers): AuthorizationConfig {
  const base = ["authorization"];
  const at = (key: string, ...rest: (string | number)[]): Path => [...base, key, ...rest];
  const root = object(base, node, AUTHORIZATION_KEYS);
  const out: { -readonly [K in keyof AuthorizationConfig]: AuthorizationConfig[K] } = {};
  const names = (key: string, value: unknown, own: readonly string[]): string[] => {
    if (!Array.isArray(value) || value.length === 0) return fail(at(key), "must be a non-empty array of parameter names");
    return value.map((name: unknown, index) => {
      if (typeof name !== "string" || !PARAMETER_NAME.test(name)) return fail(at(key, index), "must be a parameter name of letters, digits, _ . - [ ] :");
      if (own.includes(name)) return fail(at(key, index), `${JSON.stringify(name)} is a parameter the ${key === "callbackValues" ? "callback reads" : "request sets"} itself`);
      return name;
    });
  };
  if (root["pkce"] !== undefined) {
    if (typeof root["pkce"] !== "boolean") fail(at("pkce"), "must be true or false (false: the server lacks PKCE)");
    out.pkce = root["pkce"] as boolean;
  }
  const separator = root["scopeSeparator"];
  if (separator !== undefined) {
    // One printable character that cannot be part of a scope token (RFC 6749 §3.3: %x21 / %x23-5B / %x5D-7E).
    if (typeof separator !== "string" || ![" ", ",", "+", ";"].includes(separator)) fail(at("scopeSeparator"), 'must be one of " ", ",", "+", ";"');
    out.scopeSeparator = separator as string;
  }
  const parameterNames = root["parameterNames"];
  if (parameterNames !== undefined) {
    const node = object(at("parameterNames"), parameterNames, AUTHORIZATION_OWN_PARAMETERS);
    const renamed: Partial<Record<AuthorizationOwnParameter, string>> = {};
    for (const [standard, name] of Object.entries(node)) {
      if (typeof name !== "string" || !PARAMETER_NAME.test(name)) fail(at("parameterNames", standard), "must be a parameter name of letters, digits, _ . - [ ] :");
      renamed[standard as AuthorizationOwnParameter] = name as string;
    }
    const taken = Object.values(renamed);
    const clash = Object.entries(renamed).find(([standard, name]) => name !== standard && (AUTHORIZATION_OWN_PARAMETERS as readonly string[]).includes(name) && !Object.hasOwn(renamed, name));
    if (clash !== undefined) fail(at("parameterNames", clash[0]), `${JSON.stringify(clash[1])} is already the name of a parameter the request sets`);
    if (new Set(taken).size !== taken.length) fail(at("parameterNames"), "gives two parameters the same name");
    out.parameterNames = renamed;
  }
  // What the request sets, under both its standard and its provider's names, is not the config's to set again.
  const own = [...AUTHORIZATION_OWN_PARAMETERS, ...Object.values(out.parameterNames ?? {})];
  const constants = root["constantParameters"];
  if (constants !== undefined) {
    const node = object(at("constantParameters"), constants, Object.keys(isObject(constants) ? constants : {}));
    if (Object.keys(node).length === 0) fail(at("constantParameters"), "must name at least one parameter");
    const entries: [string, string][] = [];
    for (const [name, value] of Object.entries(node)) {
      if (!PARAMETER_NAME.test(name)) fail(at("constantParameters", name), "must be a parameter name of letters, digits, _ . - [ ] :");
      if (own.includes(name)) fail(at("constantParameters", name), `${JSON.stringify(name)} is a parameter the request sets itself`);
      if (typeof value !== "string" || value === "") fail(at("constantParameters", name), "must be a non-empty string");
      entries.push([name, value as string]);
    }
    // fromEntries keeps a parameter spelled "__proto__" as data.
    out.constantParameters = Object.fromEntries(entries);
  }
  if (root["nonce"] !== undefined) {
    if (typeof root["nonce"] !== "boolean") fail(at("nonce"), "must be true or false (true: a random nonce with every request)");
    out.nonce = root["nonce"] as boolean;
  }
  const defaults = root["defaultScopes"];
  if (defaults !== undefined) {
    if (!Array.isArray(defaults) || defaults.length === 0) fail(at("defaultScopes"), "must be a non-empty array of scopes");
    out.defaultScopes = (defaults as unknown[]).map((scope, index) => {
      if (typeof scope !== "string" || !SCOPE_TOKEN.test(scope)) return fail(at("defaultScopes", index), "must be a scope token (RFC 6749 §3.3: printable ASCII, no space, \" or \\)");
      if (out.scopeSeparator !== undefined && out.scopeSeparator !== " " && scope.includes(out.scopeSeparator)) {
        return fail(at("defaultScopes", index), `holds the scope separator ${JSON.stringify(out.scopeSeparator)}`);
      }
      return scope;
    });
  }
  if (root["callbackValues"] !== undefined) out.callbackValues = [...new Set(names("callbackValues", root["callbackValues"], CALLBACK_OWN_PARAMETERS))];
  const code = root["codeParameter"];
  if (code !== undefined) {
    if (typeof code !== "string" || !PARAMETER_NAME.test(code)) fail(at("codeParameter"), "must be a parameter name of letters, digits, _ . - [ ] :");
    if (code !== "code" && CALLBACK_OWN_PARAMETERS.includes(code as string)) fail(at("codeParameter"), `${JSON.stringify(code)} is a parameter the callback reads itself`);
    if (out.callbackValues?.includes(code as string)) fail(at("callbackValues"), `names the code parameter ${JSON.stringify(code)}, which the callback exchanges and does not hand out`);
    out.codeParameter = code as string;
  }
  const mode = root["responseMode"];
  if (mode !== undefined) {
    if (mode !== "query" && mode !== "fragment") fail(at("responseMode"), 'must be "query" or "fragment"');
    out.responseMode = mode as "query" | "fragment";
  }
  const unencoded = root["unencodedParameters"];
  if (unencoded !== undefined) {
    // The request's own parameters may be listed (redirect_uri is the usual one): encoding is all this changes.
    out.unencodedParameters = [...new Set(names("unencodedParameters", unencoded, []))];
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
