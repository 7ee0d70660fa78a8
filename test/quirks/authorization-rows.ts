// The catalogue's "Authorization request and callback" table: one row per quirk, with the spec (and
// config) stating it and the authorization URL parameters it must produce. The generated client's
// `authorizationUrl` is being built on another branch (issue 12): every row waits for it, except the
// one no spec can state. `null` as a parameter value: the parameter must be absent.
import type { Row } from "./harness.js";
import { authorizationDoc } from "./specs.js";

const PENDING = "authorization URL (issue 12)";
const REDIRECT = "https://app.example.com/callback";

export const AUTHORIZATION_ROWS: readonly Row[] = [
  {
    quirk: "extra authorization parameters",
    table: "authorization",
    examples: "Microsoft `prompt`, Walmart `nonce` (random)",
    pending: PENDING,
    spec: authorizationDoc(),
    config: { authorization: { constantParameters: { prompt: "consent" }, randomParameters: ["nonce"] } },
    authorization: { call: { redirectUri: REDIRECT, scope: ["read"] }, params: { prompt: "consent", nonce: "<random, 16+ bytes>", response_type: "code" } },
  },
  {
    quirk: "templated authorization URL",
    table: "authorization",
    examples: "per-tenant hosts",
    pending: PENDING,
    spec: authorizationDoc({ authorizationUrl: "https://{domain}/authorize" }, { servers: [{ url: "https://{domain}", variables: { domain: { default: "tenant.auth0.com" } } }] }),
    options: { serverVariables: { domain: "acme.eu.auth0.com" } },
    authorization: { call: { redirectUri: REDIRECT }, params: { "<origin and path>": "https://acme.eu.auth0.com/authorize" } },
  },
  {
    quirk: "default scopes",
    table: "authorization",
    examples: "",
    pending: PENDING,
    spec: authorizationDoc(),
    config: { authorization: { defaultScopes: ["read"] } },
    authorization: { call: { redirectUri: REDIRECT }, params: { scope: "read" } },
  },
  {
    quirk: "values returned on the redirect and needed later",
    table: "authorization",
    examples: "QuickBooks `realmId`; Zoho reuses one in the token URL",
    pending: PENDING,
    spec: authorizationDoc(),
    config: { authorization: { callbackValues: ["realmId"] } },
    authorization: { call: { callbackUrl: `${REDIRECT}?code=c1&state=<state>&realmId=123` }, params: { "<callback value realmId>": "123" } },
  },
  {
    quirk: "scope separator `,` or `+`",
    table: "authorization",
    examples: "Figma, Pennylane",
    pending: PENDING,
    spec: authorizationDoc(),
    config: { authorization: { scopeSeparator: "," } },
    authorization: { call: { redirectUri: REDIRECT, scope: ["read", "write"] }, params: { scope: "read,write" } },
  },
  {
    quirk: "renamed standard parameters",
    table: "authorization",
    examples: "TikTok `client_key` for `client_id`",
    pending: PENDING,
    spec: authorizationDoc(),
    config: { authorization: { parameterNames: { client_id: "client_key" } } },
    authorization: { call: { redirectUri: REDIRECT }, params: { client_key: "quirk-client", client_id: null } },
  },
  {
    quirk: "empty parameters left out",
    table: "authorization",
    examples: "",
    pending: PENDING,
    spec: authorizationDoc(),
    authorization: { call: { redirectUri: REDIRECT, scope: [] }, params: { scope: null } },
  },
  {
    quirk: "the code under another name",
    table: "authorization",
    examples: "Amazon Selling Partner `spapi_oauth_code`",
    pending: PENDING,
    spec: authorizationDoc(),
    config: { authorization: { callbackNames: { code: "spapi_oauth_code" } } },
    authorization: { call: { callbackUrl: `${REDIRECT}?spapi_oauth_code=c1&state=<state>` }, params: { "<code>": "c1" } },
  },
  {
    quirk: "parameters in the fragment",
    table: "authorization",
    examples: "Apollo",
    pending: PENDING,
    spec: authorizationDoc(),
    config: { authorization: { responseMode: "fragment" } },
    authorization: { call: { callbackUrl: `${REDIRECT}#code=c1&state=<state>` }, params: { response_mode: "fragment", "<code>": "c1" } },
  },
  {
    quirk: "parameters not encoded",
    table: "authorization",
    examples: "",
    pending: PENDING,
    spec: authorizationDoc(),
    config: { authorization: { unencodedParameters: ["redirect_uri"] } },
    authorization: { call: { redirectUri: REDIRECT }, params: { "<raw redirect_uri>": REDIRECT } },
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
    pending: PENDING,
    spec: authorizationDoc(),
    config: { authorization: { pkce: "none" } },
    authorization: { call: { redirectUri: REDIRECT }, params: { code_challenge: null, code_challenge_method: null } },
  },
];
