// The authorization request (RFC 6749 §4.1.1) with PKCE (RFC 7636), made
// with Web Crypto only so that it runs in browsers and workers, and pushed
// first (RFC 9126) when the provider has a PAR endpoint.
import { InvalidResponseError, TokenClientConfigError } from "./errors.js";
import { endpointUrl, postForm, scopeValue, type EndpointError, type FlowEndpoint } from "./flow-request.js";
import { fail, type Failure } from "./response-read.js";
import type { CallOptions, ClientAuthRule, ClientConfig } from "./types.js";

/**
 * How a provider's authorization request departs from RFC 6749 §4.1.1, as its spec or provider config says; the
 * model's `AuthorizationEndpointModel` carries the same facts.
 */
export interface AuthorizationQuirks {
  /** `{name}` templates of `url` the caller fills with `urlVariables` (`/{tenant}/authorize`). */
  readonly urlVariables?: readonly string[];
  /** Parameters every request carries (`prompt=consent`); the caller's `extra` wins. */
  readonly constantParameters?: Readonly<Record<string, string>>;
  /** `always`: a random `nonce` with every request, not only with OpenID Connect's `openid` scope. */
  readonly nonce?: "always";
  /** Scopes asked for when the caller passes none. */
  readonly defaultScopes?: readonly string[];
  /** Redirect parameters the callback hands back beside the token (QuickBooks `realmId`). */
  readonly callbackValues?: readonly string[];
  /** The provider's names for standard parameters (`{ client_id: "client_key" }`). */
  readonly parameterNames?: Readonly<Record<string, string>>;
  /** The callback parameter holding the code, when not `code`. */
  readonly codeParameter?: string;
  /** `fragment`: the response comes in the redirect's fragment, which the callback reads first. */
  readonly responseMode?: "fragment";
  /** Parameters sent with only the characters encoded that would change how the query splits. */
  readonly unencodedParameters?: readonly string[];
}

/** What the generator states about a provider's authorization endpoint (RFC 6749 §3.1). */
export interface AuthorizationEndpoint extends FlowEndpoint, AuthorizationQuirks {
  /**
   * RFC 7636 method: `S256`, or `none` when the provider lacks PKCE. `plain`
   * is never used (RFC 9700 §2.1.1).
   */
  readonly pkce: "S256" | "none";
  /** OpenID Connect: a `nonce` is made, and the ID token's is checked on the callback. */
  readonly openid: boolean;
  /** What joins several scopes (RFC 6749 §3.3: a space). */
  readonly scopeSeparator: string;
  /** RFC 9126 pushed authorization request endpoint: the parameters are POSTed there first. */
  readonly pushedAuthorization?: FlowEndpoint;
  /**
   * RFC 8414 / OpenID Connect metadata: where the callback learns the issuer and whether `iss` is always sent
   * (RFC 9207). Relative, it is on the client's `baseUrl`, so each server's own issuer is checked.
   */
  readonly metadata?: FlowEndpoint;
  /** How the client authenticates to the PAR endpoint (the token endpoint's rule for the authorization_code grant). */
  readonly clientAuth: ClientAuthRule;
}

/** What the caller passes to {@link authorizationUrl}. */
export interface AuthorizationParams<Scope extends string = string> {
  /** Where the server sends the user back; must be registered with the provider. */
  readonly redirectUri: string;
  /**
   * Scopes to ask for: one string as it is, or a list joined by the provider's separator. Left out, the provider's
   * default scopes (if it has any); empty, no `scope` parameter.
   */
  readonly scope?: Scope | readonly Scope[] | undefined;
  /**
   * Further request parameters (`prompt`, `login_hint`, `resource`, `response_mode`…). They cannot replace
   * `response_type`, `client_id`, `redirect_uri`, `scope`, `state`, `nonce`, `code_challenge` or
   * `code_challenge_method`, which this function sets (nor the provider's names for them). An empty value is
   * left out (RFC 6749 §3.1: a parameter without a value is as if omitted).
   */
  readonly extra?: Readonly<Record<string, string>> | undefined;
  /** Values of the authorization URL's own `{name}` templates (a tenant in its host or path), when it has any. */
  readonly urlVariables?: Readonly<Record<string, string>> | undefined;
}

/**
 * The authorization request: send the user to `url`; keep `state`,
 * `codeVerifier` and `nonce` (server-side session, or an encrypted cookie)
 * for the callback. All three are secrets: never put them in logs or URLs
 * of your own.
 */
export interface AuthorizationRequest {
  readonly url: string;
  readonly state: string;
  /** The PKCE verifier (RFC 7636 §4.1); absent when the provider lacks PKCE. */
  readonly codeVerifier?: string;
  /** OpenID Connect nonce; present when the request asked for an ID token. */
  readonly nonce?: string;
}

/** What {@link authorizationUrl} resolves to: only a pushed request (PAR) can fail. */
export type AuthorizationUrlResult = ({ readonly ok: true } & AuthorizationRequest) | Failure<EndpointError | InvalidResponseError>;

/** Parameters the authorization request sets itself, which `extra` cannot replace. */
const OWN_PARAMETERS = ["response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "request_uri", "dpop_jkt"];

/**
 * Makes an authorization code request (RFC 6749 §4.1.1): `response_type=code`,
 * the client id, the redirect URI, the scopes (joined by the endpoint's
 * separator), a random `state` (256 bits, RFC 6749 §10.10), a PKCE S256
 * challenge of a random verifier (RFC 7636 §4.1–4.2; `plain` never), and a
 * random `nonce` when the endpoint is OpenID Connect and `openid` is among
 * the scopes (OpenID Connect Core §3.1.2.1). A client with a `dpop` key sends
 * its thumbprint as `dpop_jkt` (RFC 9449 §10), so that the code is bound to
 * that key: a code stolen on its way back cannot be exchanged without it.
 *
 * With a PAR endpoint (RFC 9126 §2), the parameters are POSTed there with
 * the client's authentication and the URL carries only `client_id` and the
 * `request_uri` it answers (§4); a failed push resolves to `{ ok: false,
 * error }` (the server's OAuth error, or a transport error). Otherwise
 * nothing is sent and the result is always `ok`.
 *
 * @throws TokenClientConfigError for an insecure endpoint or base URL, or a
 *   `urlVariables` value missing or unsafe.
 * @throws DPoPProofError for a `dpop` key that cannot be used.
 */
export async function authorizationUrl(
  endpoint: AuthorizationEndpoint,
  config: ClientConfig,
  params: AuthorizationParams,
  call: CallOptions = {},
): Promise<AuthorizationUrlResult> {
  const authorizeUrl = new URL(endpointUrl({ ...endpoint, url: fillUrlVariables(endpoint, params.urlVariables) }, config.baseUrl));
  const state = randomToken();
  const codeVerifier = endpoint.pkce === "S256" ? randomToken() : undefined;
  const scope = scopeValue(params.scope ?? endpoint.defaultScopes, endpoint.scopeSeparator);
  const wantsIdToken = endpoint.openid && scope !== undefined && scope.split(endpoint.scopeSeparator).includes("openid");
  const nonce = wantsIdToken || endpoint.nonce === "always" ? randomToken() : undefined;
  const renamed = endpoint.parameterNames ?? {};
  const name = (standard: string): string => renamed[standard] ?? standard;
  const own = new Set([...OWN_PARAMETERS, ...OWN_PARAMETERS.map(name)]);
  const fields: Record<string, string> = {};
  for (const [parameter, value] of [...Object.entries(endpoint.constantParameters ?? {}), ...Object.entries(params.extra ?? {})]) {
    if (!own.has(parameter)) fields[parameter] = value;
  }
  fields[name("response_type")] = "code";
  fields[name("client_id")] = config.clientId;
  fields[name("redirect_uri")] = params.redirectUri;
  if (scope !== undefined) fields[name("scope")] = scope;
  fields[name("state")] = state;
  if (nonce !== undefined) fields[name("nonce")] = nonce;
  if (codeVerifier !== undefined) {
    fields[name("code_challenge")] = await s256(codeVerifier);
    fields[name("code_challenge_method")] = "S256";
  }
  if (config.dpop !== undefined) fields["dpop_jkt"] = await config.dpop.thumbprint();
  // RFC 6749 §3.1: a parameter sent without a value is as if omitted; some servers refuse it instead.
  for (const [parameter, value] of Object.entries(fields)) if (value === "") delete fields[parameter];
  const made = { state, ...(codeVerifier !== undefined ? { codeVerifier } : {}), ...(nonce !== undefined ? { nonce } : {}) };
  const par = endpoint.pushedAuthorization;
  if (par === undefined) {
    appendQuery(authorizeUrl, fields, endpoint.unencodedParameters ?? []);
    return { ok: true, url: authorizeUrl.href, ...made };
  }
  const parUrl = endpointUrl(par, config.baseUrl);
  const secrets = [state, ...(codeVerifier !== undefined ? [codeVerifier] : []), ...(nonce !== undefined ? [nonce] : [])];
  const pushed = await postForm("pushed authorization request endpoint", parUrl, fields, endpoint.clientAuth, config, call, secrets);
  if (!pushed.ok) return pushed;
  const requestUri: unknown = typeof pushed.json === "object" && pushed.json !== null ? (pushed.json as { request_uri?: unknown }).request_uri : undefined;
  if (typeof requestUri !== "string" || requestUri === "") {
    return fail(new InvalidResponseError(pushed.status, "the pushed authorization response has no request_uri", { endpoint: "pushed authorization request endpoint" }));
  }
  authorizeUrl.searchParams.append(name("client_id"), config.clientId);
  authorizeUrl.searchParams.append(name("request_uri"), requestUri);
  return { ok: true, url: authorizeUrl.href, ...made };
}

/** A template value becomes one host label or path segment: nothing that changes the URL's shape. */
const SAFE_URL_VALUE = /^[A-Za-z0-9._~-]+$/;

/**
 * The endpoint's URL with each `{name}` of `urlVariables` filled from the caller's values.
 *
 * @throws TokenClientConfigError for a value missing or one that could change the URL's structure.
 */
function fillUrlVariables(endpoint: AuthorizationEndpoint, values: Readonly<Record<string, string>> = {}): string {
  const names = endpoint.urlVariables ?? [];
  if (names.length === 0) return endpoint.url;
  return endpoint.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    if (!names.includes(name)) return whole;
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) throw new TokenClientConfigError(`authorization URL variable ${JSON.stringify(name)} has no value: pass it in urlVariables`);
    if (!SAFE_URL_VALUE.test(value)) throw new TokenClientConfigError(`authorization URL variable ${JSON.stringify(name)} may hold only letters, digits and . _ ~ -`);
    return value;
  });
}

/**
 * Appends `fields` to the URL's query, form-encoded (WHATWG `application/x-www-form-urlencoded`). The values of
 * `unencoded` keep the characters a query may hold as they are (`: / ? @ ! $ ' ( ) * , ; ~`) and percent-encode
 * only the ones that would change how the query splits or decodes (`& = + # %`, spaces, controls, non-ASCII): a
 * form decoder reads the same value either way, so this is safe for any value.
 */
function appendQuery(url: URL, fields: Readonly<Record<string, string>>, unencoded: readonly string[]): void {
  if (!Object.keys(fields).some((name) => unencoded.includes(name))) {
    for (const [name, value] of Object.entries(fields)) url.searchParams.append(name, value);
    return;
  }
  const pairs = Object.entries(fields).map(([name, value]) => {
    const encoded = unencoded.includes(name) ? encodeURIComponent(value).replace(/%(3A|2F|3F|40|24|2C|3B)/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : formEncode(value);
    return `${formEncode(name)}=${encoded}`;
  });
  // The URL's own query, as the spec wrote it, comes first and is kept as it is.
  url.search = [url.search.slice(1), ...pairs].filter((part) => part !== "").join("&");
}

function formEncode(value: string): string {
  return new URLSearchParams([["", value]]).toString().slice(1);
}

/** 32 random bytes as base64url: 43 characters, within RFC 7636 §4.1's verifier alphabet and length. */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** RFC 7636 §4.2 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export async function s256(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
