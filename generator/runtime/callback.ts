// The authorization response (RFC 6749 §4.1.2): checked (state, RFC 9207
// `iss`, §4.1.2.1 errors, the code) before its code is exchanged (§4.1.3,
// with the PKCE verifier, RFC 7636 §4.5), and the ID token's nonce after.
import type { AuthorizationEndpoint } from "./authorize.js";
import { DiscoveryError, SecretRedactor } from "./errors.js";
import { AuthorizationResponseError, IssuerMismatchError, MissingCodeError, NonceMismatchError, StateMismatchError } from "./flow-errors.js";
import type { TransportError } from "./errors.js";
import type { CallbackError } from "./flow-errors.js";
import { endpointUrl, readMetadata } from "./flow-request.js";
import { fail } from "./response-read.js";
import type { CallOptions, ClientConfig, TokenResult } from "./types.js";

/** What the caller kept from {@link authorizationUrl} (authorize.ts), and the redirect URI it sent. */
export interface CallbackExpectation {
  readonly state: string;
  /** The PKCE verifier; required when the authorization request sent a challenge. */
  readonly codeVerifier?: string | undefined;
  /** The `redirect_uri` of the authorization request, sent again with the code (RFC 6749 §4.1.3). */
  readonly redirectUri: string;
  /** The nonce of an OpenID Connect request: the ID token must carry it. */
  readonly nonce?: string | undefined;
  /**
   * The issuer the request went to (RFC 9207), when the provider's metadata
   * does not name it; the metadata's `issuer` otherwise.
   */
  readonly issuer?: string | undefined;
}

/** What the code exchange sends: the authorization_code grant's fields (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export type CodeExchangeParams = {
  readonly code: string;
  readonly redirect_uri: string;
  readonly code_verifier?: string;
};

/** Why a callback gives no token: the refused callback, the token endpoint's error, the metadata's. */
export type CallbackFailure<E> = E | CallbackError | NonceMismatchError | DiscoveryError | TransportError;

/**
 * What a callback resolves to: the token, or why not. With `Values` (the provider's `callbackValues`, such as
 * QuickBooks' `realmId`), a token comes with `values`: each named redirect parameter, undefined when absent.
 */
export type CallbackResult<Raw, E, Values extends string = never> = [Values] extends [never]
  ? TokenResult<Raw, CallbackFailure<E>>
  :
      | (Extract<TokenResult<Raw, CallbackFailure<E>>, { readonly ok: true }> & { readonly values: Readonly<Record<Values, string | undefined>> })
      | Extract<TokenResult<Raw, CallbackFailure<E>>, { readonly ok: false }>;

/**
 * Reads the authorization response the user came back with and, when it
 * holds, exchanges its code for a token with `exchange` (the client's
 * authorization_code grant). `callback` is the URL the user agent was sent
 * to (absolute, or a path and query such as a server's `req.url`), or its
 * parameters; a URL without a query is read from its fragment.
 *
 * In order, each failure a typed `{ ok: false, error }`, never thrown, and
 * none holding the state, code, verifier or nonce:
 *
 * 1. `state` must be the one sent ({@link StateMismatchError}; RFC 6749
 *    §10.12), whatever else the response says.
 * 2. `iss` (RFC 9207 §2.4): when present it must equal the issuer (the
 *    caller's `issuer`, else the metadata's); when absent, the metadata must
 *    not promise it (`authorization_response_iss_parameter_supported`)
 *    ({@link IssuerMismatchError}). With no issuer known, a present `iss`
 *    cannot be checked and is let through. The metadata (at
 *    `endpoint.metadata`) is read once per client; when it cannot be
 *    read, a {@link DiscoveryError} or transport error.
 * 3. An `error` (§4.1.2.1: `access_denied`, …) is an {@link AuthorizationResponseError}.
 * 4. No `code` (or the provider's `codeParameter`) is a {@link MissingCodeError}.
 * 5. The code is exchanged; the token endpoint's refusal (a replayed code is
 *    `invalid_grant`, §5.2) is returned as the grant methods return it.
 * 6. With an expected `nonce`, the token's `id_token` must carry it
 *    ({@link NonceMismatchError}); for a provider that is not OpenID Connect
 *    and sends a nonce with every request, only when an ID token comes.
 * 7. The provider's `callbackValues` are read from the response and handed
 *    back as `values` beside the token. The ID token's signature is NOT verified:
 *    it came straight from the token endpoint over TLS, which OpenID Connect
 *    Core §3.1.3.7 (6) allows in place of a signature check for this flow;
 *    verify it yourself (e.g. with jose) before trusting other claims.
 */
export async function authorizationCallback<Raw, E, Values extends string = never>(
  endpoint: AuthorizationEndpoint,
  config: ClientConfig,
  callback: string | URL | URLSearchParams,
  expected: CallbackExpectation,
  exchange: (params: CodeExchangeParams, call: CallOptions) => Promise<TokenResult<Raw, E>>,
  call: CallOptions = {},
): Promise<CallbackResult<Raw, E, Values>> {
  const params = callbackParams(callback, endpoint.responseMode);
  const codeParameter = endpoint.codeParameter ?? "code";
  const received = { state: params.get("state"), code: params.get(codeParameter), iss: params.get("iss"), error: params.get("error") };
  const redact = new SecretRedactor(
    [expected.state, expected.codeVerifier, expected.nonce, received.state, received.code].filter((s): s is string => typeof s === "string"),
  );
  if (received.state === null || !sameText(received.state, expected.state)) return fail(new StateMismatchError(received.state === null));

  let issuer = expected.issuer;
  let issAlwaysSent = false;
  if (endpoint.metadata !== undefined && (issuer === undefined || received.iss === null)) {
    const metadataUrl = endpointUrl(endpoint.metadata, config.baseUrl);
    const read = await readMetadata(metadataUrl, config, call);
    if (!read.ok) return read;
    const named = read.metadata["issuer"];
    const fromUrl = issuerOfMetadataUrl(metadataUrl);
    // RFC 8414 §3.3, OpenID Connect Discovery §4.3: a document naming another issuer than its URL is not used.
    if (fromUrl !== undefined && named !== fromUrl) return fail(new DiscoveryError("the metadata's issuer is not the one its URL names"));
    if (issuer === undefined && typeof named === "string") issuer = named;
    issAlwaysSent = read.metadata["authorization_response_iss_parameter_supported"] === true;
  }
  if (issuer !== undefined) {
    if (received.iss !== null && received.iss !== issuer) return fail(new IssuerMismatchError(issuer, received.iss, { redact }));
    if (received.iss === null && issAlwaysSent) return fail(new IssuerMismatchError(issuer, undefined));
  }

  if (received.error !== null) {
    return fail(new AuthorizationResponseError(received.error, params.get("error_description") ?? undefined, { redact }));
  }
  if (received.code === null || received.code === "") return fail(new MissingCodeError());

  const result = await exchange(
    {
      code: received.code,
      redirect_uri: expected.redirectUri,
      ...(expected.codeVerifier !== undefined ? { code_verifier: expected.codeVerifier } : {}),
    },
    call,
  );
  // The result's type follows the endpoint's callbackValues, which the generated client's Values names.
  type Result = CallbackResult<Raw, E, Values>;
  if (!result.ok) return result as Result;
  if (expected.nonce !== undefined) {
    const raw: unknown = result.token.raw;
    const idToken = typeof raw === "object" && raw !== null ? (raw as { id_token?: unknown }).id_token : undefined;
    // A nonce sent only because the provider wants one on every request (not OpenID Connect) is checked when an ID token comes.
    const checked = endpoint.openid || idToken !== undefined;
    if (checked && (typeof idToken !== "string" || idTokenNonce(idToken) !== expected.nonce)) return fail(new NonceMismatchError()) as Result;
  }
  const names = endpoint.callbackValues;
  if (names === undefined) return result as Result;
  const values = Object.fromEntries(names.map((name) => [name, params.get(name) ?? undefined])) as Record<Values, string | undefined>;
  return { ...result, values } as Result;
}

const OPENID_SUFFIX = "/.well-known/openid-configuration";
const OAUTH_WELL_KNOWN = "/.well-known/oauth-authorization-server";

/**
 * The issuer a metadata URL names: `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery
 * §4), or `<origin>/.well-known/oauth-authorization-server<path>` for issuer `<origin><path>` (RFC 8414
 * §3.1); undefined for a URL of neither form, whose document's issuer is taken as it is.
 */
export function issuerOfMetadataUrl(metadataUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(metadataUrl);
  } catch {
    return undefined;
  }
  if (url.search !== "" || url.hash !== "") return undefined;
  if (url.pathname.endsWith(OPENID_SUFFIX)) return `${url.origin}${url.pathname.slice(0, -OPENID_SUFFIX.length)}`;
  if (url.pathname.startsWith(OAUTH_WELL_KNOWN)) return `${url.origin}${url.pathname.slice(OAUTH_WELL_KNOWN.length)}`;
  return undefined;
}

/**
 * The response's parameters: the query, else the fragment (`response_mode=fragment`); for a provider that answers
 * in the fragment, the fragment when it has any, since the redirect URI's own query may be there too.
 */
function callbackParams(callback: string | URL | URLSearchParams, mode: "fragment" | undefined): URLSearchParams {
  if (callback instanceof URLSearchParams) return callback;
  // A path and query (a server's `req.url`) is read against a placeholder origin.
  const url = callback instanceof URL ? callback : new URL(callback, "http://callback.invalid");
  if ((mode === "fragment" || url.search === "") && url.hash.length > 1) return new URLSearchParams(url.hash.slice(1));
  return url.searchParams;
}

/** Compares without stopping at the first difference, so timing does not tell how much of a guess was right. */
function sameText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** The `nonce` claim of a compact JWS's payload, read without checking the signature (see {@link authorizationCallback}). */
function idTokenNonce(jwt: string): string | undefined {
  const payload = jwt.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const binary = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const nonce = typeof claims === "object" && claims !== null ? (claims as { nonce?: unknown }).nonce : undefined;
    return typeof nonce === "string" ? nonce : undefined;
  } catch {
    return undefined;
  }
}
