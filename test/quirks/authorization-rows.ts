// The catalogue's "Authorization request and callback" table: one row per quirk, with the spec (and provider
// config) stating it, every parameter of the authorization URL the generated client makes, and, where the quirk
// is about the redirect back, the callback's code exchange (against a loopback token endpoint) and its result.
import { CLIENT_ID, CLIENT_SECRET, type AuthorizationWant, type Row } from "./harness.js";
import { authorizationDoc } from "./specs.js";

const REDIRECT = "https://app.example.com/callback";
/** A value made fresh for each request: 32 random bytes, base64url (state, PKCE verifier and challenge, nonce). */
const RANDOM = /^[A-Za-z0-9_-]{43}$/;

/** The parameters of a plain request: RFC 6749 §4.1.1 with PKCE S256 (RFC 7636 §4.3). */
const PLAIN: AuthorizationWant["params"] = {
  response_type: "code",
  client_id: CLIENT_ID,
  redirect_uri: REDIRECT,
  state: RANDOM,
  code_challenge: RANDOM,
  code_challenge_method: "S256",
};

/** The code exchange of a callback whose code is `c1` (credentials in the body, as the spec's token operation has them). */
const EXCHANGE_C1 = {
  body: { grant_type: "authorization_code", code: "c1", redirect_uri: REDIRECT, code_verifier: RANDOM, client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
};
const TOKEN = { ok: true, token: { accessToken: "at" } };

export const AUTHORIZATION_ROWS: readonly Row[] = [
  {
    quirk: "extra authorization parameters",
    table: "authorization",
    examples: "Microsoft `prompt`, Walmart `nonce` (random)",
    // A constant one from the config, a per-call one, and a random nonce on every request (no OpenID Connect here,
    // so the callback checks it only if an ID token came).
    spec: authorizationDoc(),
    config: { authorization: { constantParameters: { prompt: "consent" }, nonce: true } },
    authorization: {
      call: { redirectUri: REDIRECT, scope: ["read"], extra: { login_hint: "ada@example.com" } },
      params: { ...PLAIN, scope: "read", prompt: "consent", login_hint: "ada@example.com", nonce: RANDOM },
      callback: { redirect: `${REDIRECT}?code=c1&state=<state>`, exchange: EXCHANGE_C1, result: TOKEN },
    },
  },
  {
    quirk: "templated authorization URL",
    table: "authorization",
    examples: "per-tenant hosts",
    // The tenant's host from serverVariables, as the token URL's (no baseUrl); a path template no server declares
    // (Microsoft's `/{tenant}/`) from the call's urlVariables, which the generated type requires.
    spec: authorizationDoc({ authorizationUrl: "https://{domain}/{tenant}/authorize" }, { servers: [{ url: "https://{domain}", variables: { domain: { default: "tenant.auth0.com" } } }] }),
    viaFetch: true,
    options: { serverVariables: { domain: "acme.eu.auth0.com" } },
    authorization: { call: { redirectUri: REDIRECT, urlVariables: { tenant: "contoso" } }, at: "https://acme.eu.auth0.com/contoso/authorize", params: PLAIN },
    compiles:
      '// @ts-expect-error the tenant is required\n  void client.authorizationUrl({ redirectUri: "https://app.example.com/cb" });\n' +
      '  return client.authorizationUrl({ redirectUri: "https://app.example.com/cb", urlVariables: { tenant: "contoso" } });',
  },
  {
    quirk: "default scopes",
    table: "authorization",
    examples: "",
    spec: authorizationDoc(),
    config: { authorization: { defaultScopes: ["read", "write"] } },
    authorization: { call: { redirectUri: REDIRECT }, params: { ...PLAIN, scope: "read write" } },
  },
  {
    quirk: "values returned on the redirect and needed later",
    table: "authorization",
    examples: "QuickBooks `realmId`; Zoho reuses one in the token URL",
    spec: authorizationDoc(),
    config: { authorization: { callbackValues: ["realmId"] } },
    authorization: {
      call: { redirectUri: REDIRECT },
      params: PLAIN,
      callback: { redirect: `${REDIRECT}?code=c1&state=<state>&realmId=123`, exchange: EXCHANGE_C1, result: { ...TOKEN, values: { realmId: "123" } } },
    },
    compiles: 'const r = await client.authorizationCallback("/cb", { state: "s", codeVerifier: "v", redirectUri: "/cb" }); return r.ok ? r.values.realmId : undefined;',
  },
  {
    quirk: "scope separator `,` or `+`",
    table: "authorization",
    examples: "Figma, Pennylane",
    spec: authorizationDoc(),
    // `+` rather than `,` (which test/flow/runtime-edges.test.ts sends): in a query it is an encoded space, never %2B.
    config: { authorization: { scopeSeparator: "+" } },
    authorization: { call: { redirectUri: REDIRECT, scope: ["read", "write"] }, params: { ...PLAIN, scope: "read write" }, rawQuery: /(^|&)scope=read\+write(&|$)/ },
  },
  {
    quirk: "renamed standard parameters",
    table: "authorization",
    examples: "TikTok `client_key` for `client_id`",
    spec: authorizationDoc(),
    config: { authorization: { parameterNames: { client_id: "client_key" } } },
    // No client_id at all: the exact parameter list says so.
    authorization: { call: { redirectUri: REDIRECT, extra: { client_key: "someone-else" } }, params: { ...withoutClientId(PLAIN), client_key: CLIENT_ID } },
  },
  {
    quirk: "empty parameters left out",
    table: "authorization",
    examples: "",
    spec: authorizationDoc(),
    config: { authorization: { defaultScopes: ["read"] } },
    // An empty scope list (not the default) and an empty extra: neither is sent (RFC 6749 §3.1).
    authorization: { call: { redirectUri: REDIRECT, scope: [], extra: { prompt: "" } }, params: PLAIN },
  },
  {
    quirk: "the code under another name",
    table: "authorization",
    examples: "Amazon Selling Partner `spapi_oauth_code`",
    spec: authorizationDoc(),
    config: { authorization: { codeParameter: "spapi_oauth_code" } },
    authorization: {
      call: { redirectUri: REDIRECT },
      params: PLAIN,
      callback: { redirect: `${REDIRECT}?spapi_oauth_code=c1&state=<state>&selling_partner_id=A1`, exchange: EXCHANGE_C1, result: TOKEN },
    },
  },
  {
    quirk: "parameters in the fragment",
    table: "authorization",
    examples: "Apollo",
    spec: authorizationDoc(),
    config: { authorization: { responseMode: "fragment" } },
    // The redirect URI's own query is there too: the response is the fragment's.
    authorization: {
      call: { redirectUri: REDIRECT },
      params: PLAIN,
      callback: { redirect: `${REDIRECT}?tab=1#code=c1&state=<state>`, exchange: EXCHANGE_C1, result: TOKEN },
    },
  },
  {
    quirk: "parameters not encoded",
    table: "authorization",
    examples: "",
    spec: authorizationDoc(),
    config: { authorization: { unencodedParameters: ["redirect_uri"] } },
    // The same values for any form decoder; only the bytes differ.
    authorization: { call: { redirectUri: REDIRECT }, params: PLAIN, rawQuery: /(^|&)redirect_uri=https:\/\/app\.example\.com\/callback(&|$)/ },
  },
  {
    quirk: "the code delivered by webhook",
    table: "authorization",
    examples: "Sentry",
    unsupported: "the code reaches the app's server by a webhook, not the redirect: no authorization URL or callback to generate",
  },
  {
    quirk: "PKCE off",
    table: "authorization",
    examples: "Autodesk, Slack",
    spec: authorizationDoc(),
    config: { authorization: { pkce: false } },
    authorization: {
      call: { redirectUri: REDIRECT },
      params: { response_type: "code", client_id: CLIENT_ID, redirect_uri: REDIRECT, state: RANDOM },
      callback: { redirect: `${REDIRECT}?code=c1&state=<state>`, exchange: { body: { grant_type: "authorization_code", code: "c1", redirect_uri: REDIRECT, client_id: CLIENT_ID, client_secret: CLIENT_SECRET } }, result: TOKEN },
    },
  },
];

function withoutClientId(params: AuthorizationWant["params"]): AuthorizationWant["params"] {
  const { client_id: _clientId, ...rest } = params;
  return rest;
}
