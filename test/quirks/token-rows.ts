// The catalogue's "Token endpoint and refresh" table (../shared/quirks/catalogue.md), one row per quirk,
// each a spec, a provider config where needed, a loopback server behaving as such providers do, and
// what must be on the wire. The quirks issue 13 adds are in issue-rows.ts.
import { generateKeyPairSync } from "node:crypto";
import { importJWK, jwtVerify, type JWK } from "jose";
import { expect } from "vitest";
import { CLIENT_ID, CLIENT_SECRET, START, basic, type Row, type Serve } from "./harness.js";
import { CREDENTIALS, RFC_TOKEN, doc } from "./specs.js";

const ID_AND_SECRET = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET };
const HOUR = 3_600_000;
/** A compact JWS: three base64url parts. */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** Okta's client key: the private JWK the client signs with, the public one the row verifies with. */
const OKTA_KEY = (() => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateJwk: privateKey.export({ format: "jwk" }) as JWK & Record<string, string>, publicJwk: publicKey.export({ format: "jwk" }) as JWK };
})();

/** Answers `at<n>` (and `rt<n>`) for the n-th request, valid for an hour. */
const numbered: Serve = (_request, index) => ({ status: 200, body: { access_token: `at${index}`, refresh_token: `rt${index}`, token_type: "Bearer", expires_in: 3600 } });

/** A code grant and its refresh, credentials in the body. */
const CODE_AND_REFRESH = {
  grantTypes: ["authorization_code", "refresh_token"],
  body: { code: { type: "string" }, redirect_uri: { type: "string" }, refresh_token: { type: "string" }, ...CREDENTIALS },
} as const;

export const TOKEN_ROWS: readonly Row[] = [
  {
    quirk: "host per tenant in the token URL",
    table: "token",
    examples: "Auth0, BambooHR",
    spec: doc({ servers: [{ url: "https://{domain}", variables: { domain: { default: "tenant.auth0.com" } } }], body: CREDENTIALS }),
    viaFetch: true,
    options: { serverVariables: { domain: "acme.eu.auth0.com" } },
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ url: "https://acme.eu.auth0.com/oauth/token", body: { grant_type: "client_credentials", ...ID_AND_SECRET } }], outcome: { token: { accessToken: "at" } } },
  },
  {
    quirk: "host fallback",
    table: "token",
    examples: "Salesforce, Zoho",
    // A host variable whose default is the global host: the tenant's host when the caller knows it, else the global one.
    spec: doc({ servers: [{ url: "https://{instance}", variables: { instance: { default: "login.salesforce.com" } } }], path: "/services/oauth2/token", body: CREDENTIALS }),
    viaFetch: true,
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ url: "https://login.salesforce.com/services/oauth2/token" }], outcome: { token: { accessToken: "at" } } },
  },
  {
    quirk: "tenant in the path or query of the token URL",
    table: "token",
    examples: "Microsoft (tenant-specific), Paycor",
    spec: doc({
      path: "/oauth2/v2.0/token",
      ...CODE_AND_REFRESH,
      parameters: [{ name: "subscription-key", in: "query", required: true, schema: { type: "string" } }],
    }),
    config: { requestPath: "/{tenantId}/oauth2/v2.0/token" },
    serve: numbered,
    // The session's refresh goes where its code exchange went: same tenant, same query.
    steps: [{ session: { grant: "authorization_code", code: "c1", tenantId: "contoso", "subscription-key": "k1" }, advanceMs: 2 * HOUR }],
    want: {
      requests: [
        { method: "POST", path: "/contoso/oauth2/v2.0/token", query: { "subscription-key": "k1" }, body: { grant_type: "authorization_code", code: "c1", ...ID_AND_SECRET } },
        { method: "POST", path: "/contoso/oauth2/v2.0/token", query: { "subscription-key": "k1" }, body: { grant_type: "refresh_token", refresh_token: "rt0", ...ID_AND_SECRET } },
      ],
      outcome: { token: { accessToken: "at1", refreshToken: "rt1" } },
    },
  },
  {
    quirk: "client id and secret in the body",
    table: "token",
    examples: "Accelo, Absorb LMS",
    spec: doc({ body: CREDENTIALS }),
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ headers: { authorization: null }, body: { grant_type: "client_credentials", ...ID_AND_SECRET } }], outcome: { token: { accessToken: "at" } } },
  },
  {
    quirk: "HTTP Basic",
    table: "token",
    examples: "Canva, 8x8",
    spec: doc({ basic: true }),
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ headers: { authorization: basic(CLIENT_ID, CLIENT_SECRET) }, body: { grant_type: "client_credentials" } }], outcome: { token: { accessToken: "at" } } },
  },
  {
    quirk: "id and secret under other names",
    table: "token",
    examples: "ZoomInfo",
    // No grant_type: the operation is named and its one grant implied; the caller passes the client's id and secret
    // as the fields the provider names (`password` is a credential field: redacted from every error).
    spec: doc({ path: "/authenticate", mediaType: "application/json", grantTypes: [], body: { username: { type: "string" }, password: { type: "string" } }, required: ["username", "password"], response: { jwt: { type: "string" } } }),
    config: { tokenOperation: "POST /authenticate", grants: { password: {} }, clientAuth: "none", response: { accessToken: "jwt" }, expiry: { kind: "none" } },
    serve: () => ({ status: 200, body: { jwt: "eyJ.zoominfo" } }),
    steps: [{ call: "password", params: { username: CLIENT_ID, password: CLIENT_SECRET } }],
    want: {
      requests: [{ path: "/authenticate", headers: { "content-type": "application/json", authorization: null }, body: { username: CLIENT_ID, password: CLIENT_SECRET } }],
      outcome: { token: { accessToken: "eyJ.zoominfo" } },
    },
  },
  {
    quirk: "`private_key_jwt`",
    table: "token",
    examples: "Okta (client credentials)",
    // The provider config names the one method Okta takes for this client; the assertion is checked with the public key.
    // Okta documents client_id in the body; without it the model finds no client id and sends "" (see the report).
    spec: doc({ body: { client_id: { type: "string" }, client_assertion_type: { type: "string" }, client_assertion: { type: "string" }, scope: { type: "string" } } }),
    config: { clientAuthMethods: ["private_key_jwt"] },
    options: { clientSecret: undefined, clientAuth: { method: "private_key_jwt", privateKey: OKTA_KEY.privateJwk, keyId: "k1" } },
    steps: [{ call: "clientCredentials", params: { scope: "okta.users.read" } }],
    want: {
      requests: [
        {
          headers: { authorization: null },
          body: { grant_type: "client_credentials", scope: "okta.users.read", client_id: CLIENT_ID, client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: COMPACT_JWS },
        },
      ],
      outcome: { token: { accessToken: "at" } },
    },
    verify: async ({ requests }) => {
      const assertion = new URLSearchParams(requests[0]!.body).get("client_assertion") ?? "";
      const { payload, protectedHeader } = await jwtVerify(assertion, await importJWK(OKTA_KEY.publicJwk, "ES256"));
      expect(protectedHeader).toMatchObject({ alg: "ES256", kid: "k1" });
      // RFC 7523 §3: issued by and about the client, for the token endpoint.
      expect(payload).toMatchObject({ iss: CLIENT_ID, sub: CLIENT_ID, aud: expect.stringMatching(/\/oauth\/token$/) });
    },
  },
  {
    quirk: "mTLS client certificate",
    table: "token",
    examples: "ADP",
    // tls_client_auth: the id in the body, no secret; the certificate is the user fetch's to present.
    spec: doc({ servers: [{ url: "https://accounts.adp.com" }], path: "/auth/oauth/v2/token", body: { client_id: { type: "string" } } }),
    viaFetch: true,
    options: { clientSecret: undefined },
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ url: "https://accounts.adp.com/auth/oauth/v2/token", headers: { authorization: null }, body: { grant_type: "client_credentials", client_id: CLIENT_ID } }], outcome: { token: { accessToken: "at" } } },
  },
  {
    quirk: "JSON body, or everything in the query",
    table: "token",
    examples: "Apollo, Kno Commerce",
    // A JSON body, and the client's credentials in the query (a request with no body at all, everything in the
    // query, is the "content type or grant in the URL" row).
    spec: doc({
      mediaType: "application/json",
      body: { scope: { type: "string" } },
      parameters: [
        { name: "client_id", in: "query", required: true, schema: { type: "string" } },
        { name: "client_secret", in: "query", required: true, schema: { type: "string" } },
      ],
    }),
    steps: [{ call: "clientCredentials", params: { scope: "contacts" } }],
    want: {
      requests: [{ headers: { "content-type": "application/json", authorization: null }, query: ID_AND_SECRET, body: { grant_type: "client_credentials", scope: "contacts" } }],
      outcome: { token: { accessToken: "at" } },
    },
  },
  {
    quirk: "constant extra fields",
    table: "token",
    examples: "Shopify `expiring=1`, BambooHR `request=token`",
    // `expiring` is a one-value enum in the spec; `request` is stated by the provider config. The caller passes neither.
    spec: doc({ body: { ...CREDENTIALS, expiring: { type: "string", enum: ["1"] } }, required: ["grant_type", "expiring"] }),
    config: { request: { constantFields: { request: "token" } } },
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ body: { grant_type: "client_credentials", expiring: "1", request: "token", ...ID_AND_SECRET } }], outcome: { token: { accessToken: "at" } } },
    compiles: "return client.clientCredentials();",
  },
  {
    quirk: "per-connection extra fields",
    table: "token",
    examples: "Auth0 `audience`, BigCommerce `context`",
    spec: doc({ body: { ...CREDENTIALS, audience: { type: "string" } } }),
    steps: [{ call: "clientCredentials", params: { audience: "https://api.example.com" } }],
    want: { requests: [{ body: { grant_type: "client_credentials", audience: "https://api.example.com", ...ID_AND_SECRET } }], outcome: { token: { accessToken: "at" } } },
  },
  {
    quirk: "a grant type of the provider's own",
    table: "token",
    examples: "Zoom `account_credentials`, SAP Ariba",
    // Callable as client.accountCredentials; a session runs a grant it does not know only once, unless the
    // provider config says it needs no user: then, its token expired, the session simply asks again.
    spec: doc({ grantTypes: ["account_credentials"], basic: true, parameters: [{ name: "account_id", in: "query", required: true, schema: { type: "string" } }] }),
    config: { grants: { account_credentials: { reobtainable: true } } },
    serve: numbered,
    steps: [{ session: { grant: "account_credentials", account_id: "A1" }, advanceMs: 2 * HOUR }],
    want: {
      requests: [
        { query: { account_id: "A1" }, headers: { authorization: basic(CLIENT_ID, CLIENT_SECRET) }, body: { grant_type: "account_credentials" } },
        { query: { account_id: "A1" }, headers: { authorization: basic(CLIENT_ID, CLIENT_SECRET) }, body: { grant_type: "account_credentials" } },
      ],
      outcome: { token: { accessToken: "at1" } },
    },
  },
  {
    quirk: "extra refresh fields",
    table: "token",
    examples: "Basecamp `type=refresh`, Zendesk `expires_in`",
    spec: doc(CODE_AND_REFRESH),
    config: { grants: { authorization_code: { constantFields: { type: "web_server" } }, refresh_token: { constantFields: { type: "refresh" } } } },
    serve: numbered,
    steps: [{ session: { grant: "authorization_code", code: "c1" }, advanceMs: 2 * HOUR }],
    want: {
      requests: [
        { body: { grant_type: "authorization_code", type: "web_server", code: "c1", ...ID_AND_SECRET } },
        { body: { grant_type: "refresh_token", type: "refresh", refresh_token: "rt0", ...ID_AND_SECRET } },
      ],
      outcome: { token: { accessToken: "at1" } },
    },
  },
  {
    quirk: "refresh at another URL",
    table: "token",
    examples: "Figma, TikTok",
    spec: {
      ...doc(CODE_AND_REFRESH),
      components: {
        securitySchemes: {
          oauth: {
            type: "oauth2",
            flows: { authorizationCode: { authorizationUrl: "https://www.figma.com/oauth", tokenUrl: "https://auth.example.com/oauth/token", refreshUrl: "https://auth.example.com/oauth/refresh", scopes: {} } },
          },
        },
      },
    },
    serve: numbered,
    steps: [{ session: { grant: "authorization_code", code: "c1" }, advanceMs: 2 * HOUR }],
    want: { requests: [{ path: "/oauth/token" }, { path: "/oauth/refresh", body: { grant_type: "refresh_token", refresh_token: "rt0", ...ID_AND_SECRET } }], outcome: { token: { accessToken: "at1" } } },
  },
  {
    quirk: "scope separator other than a space",
    table: "token",
    examples: "Domo, Grammarly",
    spec: doc({ body: { ...CREDENTIALS, scope: { type: "string" } } }),
    config: { request: { scopeSeparator: "," } },
    steps: [{ call: "clientCredentials", params: { scope: ["data", "user"] } }],
    want: { requests: [{ body: { grant_type: "client_credentials", scope: "data,user", ...ID_AND_SECRET } }], outcome: { token: { accessToken: "at" } } },
    compiles: 'return client.clientCredentials({ scope: ["data", "user"] });',
  },
  {
    quirk: "response members to keep",
    table: "token",
    examples: "Salesforce `instance_url`, Slack `team.id`",
    spec: doc({ body: CREDENTIALS, response: { ...RFC_TOKEN, instance_url: { type: "string" }, team: { type: "object", properties: { id: { type: "string" } } } } }),
    serve: () => ({ status: 200, body: { access_token: "at", token_type: "Bearer", instance_url: "https://acme.my.salesforce.com", team: { id: "T1" } } }),
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ method: "POST" }], outcome: { token: { accessToken: "at", raw: { instance_url: "https://acme.my.salesforce.com", team: { id: "T1" } } } } },
    compiles: 'const r = await client.clientCredentials(); return r.ok ? [r.token.raw.instance_url, r.token.raw.team?.id] : [];',
  },
  {
    quirk: "token in one of two places",
    table: "token",
    examples: "Slack `authed_user.access_token`",
    spec: doc({
      body: { ...CREDENTIALS, code: { type: "string" } },
      grantTypes: ["authorization_code"],
      response: { ok: { type: "boolean" }, access_token: { type: "string" }, authed_user: { type: "object", properties: { access_token: { type: "string" }, scope: { type: "string" } } } },
    }),
    config: { response: { fallbacks: { accessToken: ["authed_user.access_token"], scope: ["authed_user.scope"] } } },
    serve: () => ({ status: 200, body: { ok: true, authed_user: { access_token: "xoxp-user", scope: "chat:write" } } }),
    steps: [{ call: "authorizationCode", params: { code: "c1" } }],
    want: { requests: [{ body: { grant_type: "authorization_code", code: "c1", ...ID_AND_SECRET } }], outcome: { token: { accessToken: "xoxp-user", scope: "chat:write" } } },
  },
  {
    quirk: "lifetime in milliseconds",
    table: "token",
    examples: "Fiserv",
    spec: doc({ body: CREDENTIALS }),
    config: { expiry: { kind: "relative", field: "expires_in", unit: "ms" } },
    serve: () => ({ status: 200, body: { access_token: "at", token_type: "Bearer", expires_in: 899_000 } }),
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ method: "POST" }], outcome: { token: { accessToken: "at", expiresAt: START + 899_000 } } },
  },
  {
    quirk: "never expires",
    table: "token",
    examples: "Salesforce (client credentials)",
    spec: doc({ body: CREDENTIALS, response: { access_token: { type: "string" }, token_type: { type: "string" }, instance_url: { type: "string" } } }),
    serve: () => ({ status: 200, body: { access_token: "at", token_type: "Bearer", instance_url: "https://acme.my.salesforce.com" } }),
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ method: "POST" }], outcome: { token: { accessToken: "at", expiresAt: undefined } } },
  },
  {
    quirk: "content type or grant in the URL",
    table: "token",
    examples: "UKG Pro, Greenhouse",
    // No body: the grant type is a query parameter, the tenant's key a header, the client Basic.
    spec: doc({
      mediaType: null,
      grantTypes: [],
      basic: true,
      parameters: [
        { name: "grant_type", in: "query", required: true, schema: { type: "string", enum: ["client_credentials"] } },
        { name: "US-Customer-Api-Key", in: "header", required: true, schema: { type: "string" } },
      ],
    }),
    steps: [{ call: "clientCredentials", params: { "US-Customer-Api-Key": "ukg-key" } }],
    want: {
      requests: [{ query: { grant_type: "client_credentials" }, headers: { "us-customer-api-key": "ukg-key", authorization: basic(CLIENT_ID, CLIENT_SECRET) }, body: null }],
      outcome: { token: { accessToken: "at" } },
    },
  },
  {
    quirk: "refresh margin",
    table: "token",
    examples: "Exact Online",
    // A session option: 30 s before expiry the token is renewed. With a 2-minute token the default margin
    // (10 % of the lifetime, 12 s) would still hand out the old one 20 s before expiry.
    spec: doc({ body: CREDENTIALS }),
    serve: (_request, index) => ({ status: 200, body: { access_token: `at${index}`, token_type: "Bearer", expires_in: 120 } }),
    steps: [{ session: { grant: "client_credentials" }, advanceMs: 100_000, options: { refreshMarginMs: 30_000 } }],
    want: { requests: [{ body: { grant_type: "client_credentials", ...ID_AND_SECRET } }, { body: { grant_type: "client_credentials", ...ID_AND_SECRET } }], outcome: { token: { accessToken: "at1" } } },
  },
  {
    quirk: "ISO-8601 expiry",
    table: "token",
    examples: "Sentry `expiresAt`",
    spec: doc({ body: CREDENTIALS, response: { token: { type: "string" }, expiresAt: { type: "string", format: "date-time" } } }),
    config: { response: { accessToken: "token" }, expiry: { kind: "absolute", field: "expiresAt", unit: "iso8601" } },
    serve: () => ({ status: 200, body: { token: "sntrys_1", expiresAt: new Date(START + 8 * HOUR).toISOString() } }),
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ method: "POST" }], outcome: { token: { accessToken: "sntrys_1", expiresAt: START + 8 * HOUR } } },
  },
  {
    quirk: "hand-coded exchanges",
    table: "token",
    examples: "Facebook, Shopline",
    unsupported: "signed request headers, chained exchanges, GET refresh with the access token, two tokens at once: code, not facts a spec or config can state",
  },
];
