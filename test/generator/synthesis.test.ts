// Specs that name a token endpoint only in their security schemes: the token operation is synthesised
// (generator/model/synthesise.ts) from the OAuth2 flows or an OpenID Connect scheme.
import { describe, expect, it } from "vitest";
import { lookupPointer, type SpecErrorCode } from "../../generator/load/index.js";
import { buildModel } from "../../generator/model/index.js";
import { decidedClientAuth, field, grant, loadDocument, modelError, modelOf, tokenSpec, type Json } from "./helpers.js";

/** A document with no token path: an unrelated API plus the given security schemes. */
function apiDocument(securitySchemes: Json, extra: Json = {}): Json {
  return {
    openapi: "3.0.3",
    info: { title: "Acme API", version: "1.0.0" },
    ...extra,
    paths: {
      "/v1/catalogs/products": {
        get: { security: [{ oauth: [] }], responses: { "200": { description: "products" } } },
      },
    },
    components: { securitySchemes },
  };
}

const clientCredentials = (tokenUrl: string, scopes: Json = {}) => ({ oauth: { type: "oauth2", flows: { clientCredentials: { tokenUrl, scopes } } } });

const PAYPAL_SERVERS = [
  { url: "https://api-m.sandbox.paypal.com", description: "Sandbox" },
  { url: "https://api-m.paypal.com", description: "Live" },
];

describe("from an OAuth2 clientCredentials flow (PayPal)", () => {
  const paypal = apiDocument(clientCredentials("/v1/oauth2/token"), { servers: PAYPAL_SERVERS });

  it("writes POST /v1/oauth2/token, served from each server's origin", async () => {
    const model = await modelOf(paypal);
    expect(model.operation.synthesisedFrom).toBe('the OAuth2 flows of security scheme "oauth"');
    expect(model.operation).toMatchObject({ path: "/v1/oauth2/token", requestPath: "/v1/oauth2/token", method: "post" });
    expect(model.operation.discovery).toBeUndefined();
    expect(model.servers.map((s) => s.url)).toEqual(["https://api-m.sandbox.paypal.com", "https://api-m.paypal.com"]);
    expect(model.candidates[0]).toMatchObject({ operation: "POST /v1/oauth2/token", pointer: "/components/securitySchemes", chosen: true });
    expect(model.candidates[0]!.reason).toMatch(/^synthesised from the OAuth2 flows/);
    expect(model.facts[0]).toMatchObject({ topic: "operation", source: "inferred", evidence: "/components/securitySchemes" });
  });

  it("offers the client_credentials grant with HTTP Basic client auth, inferred", async () => {
    const model = await modelOf(paypal);
    expect(model.grants.map((g) => g.grantType)).toEqual(["client_credentials"]);
    const g = grant(model, "client_credentials");
    expect(g).toMatchObject({ grantField: "grant_type", methodName: "clientCredentials", relaxedRequired: [] });
    expect(decidedClientAuth(g)).toEqual({ kind: "basic" });
    expect(model.client).toEqual({ clientId: "required", clientSecret: "required" });
    expect(model.request).toMatchObject({ encoding: "form", mediaType: "application/x-www-form-urlencoded", bodyRequired: true });
    const basic = model.facts.find((f) => f.topic === "client authentication" && f.statement.startsWith("HTTP Basic: the spec does not say"));
    expect(basic).toMatchObject({ source: "inferred", evidence: "RFC 6749 §2.3.1" });
    expect(model.facts.find((f) => f.topic === "grants")).toMatchObject({ source: "spec", evidence: "/components/securitySchemes/oauth/flows/clientCredentials" });
  });

  it("every spec fact points at something in the user's document", async () => {
    const spec = await loadDocument(paypal);
    const model = buildModel({ spec });
    const dangling = model.facts.filter((f) => f.source === "spec" && f.evidence.startsWith("/") && !lookupPointer(spec.document, f.evidence).found);
    expect(dangling).toEqual([]);
  });

  it("control: for a documented token operation, every spec fact points into the document", async () => {
    const spec = await loadDocument(tokenSpec({ document: { servers: PAYPAL_SERVERS } }));
    const model = buildModel({ spec });
    const dangling = model.facts.filter((f) => f.source === "spec" && f.evidence.startsWith("/") && !lookupPointer(spec.document, f.evidence).found);
    expect(dangling).toEqual([]);
  });

  it("says config when the provider config states clientAuth basic", async () => {
    const model = await modelOf(paypal, { clientAuth: "basic" });
    expect(decidedClientAuth(grant(model, "client_credentials"))).toEqual({ kind: "basic" });
    // What RFC 6749 documents stays an inference; the config's word is the grant's.
    const basic = model.facts.find((f) => f.topic === "client authentication" && f.statement.startsWith("HTTP Basic: the spec does not say"));
    expect(basic).toMatchObject({ source: "inferred" });
    expect(model.facts.find((f) => f.topic === "grant client_credentials" && f.statement.startsWith("client authentication"))).toMatchObject({ source: "config" });
  });

  it.each<{ clientAuth: "fields" | "none"; auth: unknown }>([
    { clientAuth: "fields", auth: { kind: "fields", idField: "client_id", secretField: "client_secret" } },
    { clientAuth: "none", auth: { kind: "none" } },
  ])("clientAuth $clientAuth in the provider config", async ({ clientAuth, auth }) => {
    const model = await modelOf(paypal, { clientAuth });
    expect(decidedClientAuth(grant(model, "client_credentials"))).toEqual(auth);
    expect(model.facts.find((f) => f.topic === "grant client_credentials" && f.statement.startsWith("client authentication"))).toMatchObject({
      statement: expect.stringMatching(`^client authentication: ${clientAuth}`),
      source: "config",
    });
  });

  it("the standard RFC 6749 response and errors", async () => {
    const model = await modelOf(paypal);
    expect(model.success).toMatchObject({ statuses: [200], typedStatus: 200, typedKey: "200", mediaType: "application/json" });
    expect(model.success.tokenFields).toEqual({ accessToken: "access_token", tokenType: "token_type", refreshToken: "refresh_token", scope: "scope" });
    expect(model.success.expiry).toEqual({ kind: "relative", field: "expires_in" });
    expect(model.errors.map((e) => [e.status, e.key, e.mediaType])).toEqual([
      [400, "400", "application/json"],
      [401, "401", "application/json"],
    ]);
  });

  it("a relative tokenUrl and no absolute server: no servers, callers pass baseUrl", async () => {
    const model = await modelOf(apiDocument(clientCredentials("/v1/oauth2/token")));
    expect(model.operation.path).toBe("/v1/oauth2/token");
    expect(model.servers).toEqual([]);
  });

  it("a tokenUrl whose path the spec already uses for a POST gets a fragment key; the request path is unchanged", async () => {
    const document = apiDocument(clientCredentials("https://api.example.com/v1/catalogs/products"));
    (document["paths"] as Record<string, Json>)["/v1/catalogs/products"]!["post"] = { responses: { "201": { description: "created" } } };
    const model = await modelOf(document, { grants: { client_credentials: {} } });
    // The existing POST has no grant_type, but its URL is the tokenUrl only if it is served there:
    // with no document servers it is not, so the operation is synthesised beside it.
    expect(model.operation.synthesisedFrom).toBeDefined();
    expect(model.operation.path).toBe("/v1/catalogs/products#token");
    expect(model.operation.requestPath).toBe("/v1/catalogs/products");
  });
});

describe("from an authorizationCode flow (Xero)", () => {
  const xero = (flow: Json) =>
    apiDocument(
      { oauth: { type: "oauth2", flows: { authorizationCode: { authorizationUrl: "https://login.xero.com/identity/connect/authorize", tokenUrl: "https://identity.xero.com/connect/token", scopes: {}, ...flow } } } },
      { servers: [{ url: "https://api.xero.com/api.xro/2.0", description: "Accounting" }] },
    );

  it("is served from the tokenUrl's origin, not the document's servers", async () => {
    const model = await modelOf(xero({}));
    expect(model.operation.path).toBe("/connect/token");
    expect(model.servers.map((s) => s.url)).toEqual(["https://identity.xero.com"]);
  });

  it("offers authorization_code and an inferred refresh_token grant", async () => {
    const model = await modelOf(xero({}));
    expect(model.grants.map((g) => g.grantType)).toEqual(["authorization_code", "refresh_token"]);
    expect(grant(model, "authorization_code")).toMatchObject({ retried: false, reobtainable: false });
    expect(grant(model, "authorization_code").fields.filter((f) => f.required).map((f) => f.name)).toEqual(["code"]);
    expect(grant(model, "refresh_token").refreshTokenField).toBe("refresh_token");
    const refresh = model.facts.find((f) => f.topic === "grants" && f.statement.startsWith("refresh_token"));
    expect(refresh).toMatchObject({ source: "inferred", evidence: "/components/securitySchemes/oauth/flows/authorizationCode" });
    expect(refresh!.statement).toMatch(/RFC 6749 §6/);
  });

  it("a refreshUrl equal to the tokenUrl: refresh_token from the spec", async () => {
    const model = await modelOf(xero({ refreshUrl: "https://identity.xero.com/connect/token" }));
    expect(model.grants.map((g) => g.grantType)).toEqual(["authorization_code", "refresh_token"]);
    expect(model.facts.find((f) => f.topic === "grants" && f.statement.startsWith("refresh_token"))).toMatchObject({ source: "spec" });
  });

  it("a refreshUrl that is another URL: the refresh grant stays, and the surface records where refreshes go", async () => {
    const model = await modelOf(xero({ refreshUrl: "https://identity.xero.com/connect/refresh" }));
    expect(model.grants.map((g) => g.grantType)).toEqual(["authorization_code", "refresh_token"]);
    const why = model.facts.find((f) => f.topic === "grants" && f.statement.startsWith("refresh_token from the flow's refreshUrl"));
    expect(why).toMatchObject({ source: "spec", evidence: "/components/securitySchemes/oauth/flows/authorizationCode/refreshUrl" });
    expect(why!.statement).toContain("https://identity.xero.com/connect/refresh");
    expect(model.surface?.refresh).toEqual({
      url: "/connect/refresh",
      relative: true,
      pointer: "/components/securitySchemes/oauth/flows/authorizationCode/refreshUrl",
      source: "spec",
    });
  });
});

describe("flow scopes", () => {
  it("become the scope field's known values, sent space-delimited", async () => {
    const model = await modelOf(apiDocument(clientCredentials("https://auth.example.com/token", { "catalog:read": "Read", "catalog:write": "Write" })));
    const scope = field(grant(model, "client_credentials").fields, "scope");
    expect(scope).toMatchObject({ knownValues: ["catalog:read", "catalog:write"], spaceDelimited: true, required: false });
    expect(model.request.spaceDelimited).toEqual(["scope"]);
  });

  it("a flow without scopes: a plain scope field and no spaceDelimited", async () => {
    const model = await modelOf(apiDocument(clientCredentials("https://auth.example.com/token")));
    const scope = field(grant(model, "client_credentials").fields, "scope");
    expect(scope.knownValues).toBeUndefined();
    expect(scope.spaceDelimited).toBeUndefined();
    expect(model.request.spaceDelimited).toBeUndefined();
  });

  it("two flows at the same tokenUrl: one grant each, each with its own scopes", async () => {
    const model = await modelOf(
      apiDocument({
        oauth: {
          type: "oauth2",
          flows: {
            clientCredentials: { tokenUrl: "https://auth.example.com/token", scopes: { admin: "Admin" } },
            password: { tokenUrl: "https://auth.example.com/token", scopes: { user: "User" } },
          },
        },
      }),
    );
    expect(model.grants.map((g) => g.grantType)).toEqual(["client_credentials", "password", "refresh_token"]);
    expect(field(grant(model, "client_credentials").fields, "scope").knownValues).toEqual(["admin"]);
    expect(field(grant(model, "password").fields, "scope").knownValues).toEqual(["user"]);
    expect(field(grant(model, "refresh_token").fields, "scope").knownValues).toEqual(["user"]);
  });
});

describe("refusals", () => {
  it("two flows with different tokenUrls -> ambiguous_token_operation", async () => {
    const error = await modelError(
      apiDocument({
        oauth: { type: "oauth2", flows: { clientCredentials: { tokenUrl: "https://auth.example.com/token", scopes: {} } } },
        other: { type: "oauth2", flows: { password: { tokenUrl: "https://login.example.com/token", scopes: {} } } },
      }),
    );
    expect(error.code).toBe("ambiguous_token_operation");
    expect(error.pointer).toBe("/components/securitySchemes/other/flows/password");
    expect(error.message).toContain("https://auth.example.com/token");
    expect(error.message).toContain("https://login.example.com/token");
  });

  it("an implicit flow alone and no paths -> no_token_operation", async () => {
    const document = apiDocument({ oauth: { type: "oauth2", flows: { implicit: { authorizationUrl: "https://auth.example.com/authorize", scopes: {} } } } });
    document["paths"] = {};
    const error = await modelError(document);
    expect(error.code).toBe("no_token_operation");
    expect(error.pointer).toBe("/paths");
    expect(error.message).toMatch(/no token operation/);
    expect(error.message).toMatch(/"tokenOperation"/);
  });

  it.each<{ name: string; url: string; code: SpecErrorCode }>([
    { name: "http on a public host", url: "http://id.example.com/.well-known/openid-configuration", code: "insecure_url" },
    { name: "credentials in the URL", url: "https://user:pw@id.example.com/.well-known/openid-configuration", code: "url_credentials" },
    { name: "a fragment", url: "https://id.example.com/.well-known/openid-configuration#x", code: "url_fragment" },
  ])("openIdConnectUrl with $name -> $code", async ({ url, code }) => {
    const error = await modelError(apiDocument({ oidc: { type: "openIdConnect", openIdConnectUrl: url } }));
    expect(error.code).toBe(code);
    expect(error.pointer).toBe("/components/securitySchemes/oidc/openIdConnectUrl");
  });

  it("a tokenUrl with credentials -> url_credentials at the flow", async () => {
    const error = await modelError(apiDocument(clientCredentials("https://user:pw@auth.example.com/token")));
    expect(error.code).toBe("url_credentials");
    expect(error.pointer).toBe("/components/securitySchemes/oauth/flows/clientCredentials");
  });

  it("openIdConnectUrl with a non-http scheme on loopback -> insecure_url", async () => {
    const error = await modelError(apiDocument({ oidc: { type: "openIdConnect", openIdConnectUrl: "ftp://localhost/.well-known/openid-configuration" } }));
    expect(error.code).toBe("insecure_url");
  });
});

describe("from an openIdConnect scheme", () => {
  it("reads the token endpoint from the discovery document at run time", async () => {
    const model = await modelOf(apiDocument({ oidc: { type: "openIdConnect", openIdConnectUrl: "https://id.example.com/.well-known/openid-configuration" } }));
    expect(model.operation.discovery).toBe("/.well-known/openid-configuration");
    expect(model.operation.synthesisedFrom).toMatch(/OpenID Connect scheme "oidc"/);
    expect(model.servers.map((s) => s.url)).toEqual(["https://id.example.com"]);
    expect(model.grants.map((g) => g.grantType)).toEqual(["client_credentials", "authorization_code", "refresh_token"]);
    for (const g of model.grants) expect(decidedClientAuth(g)).toEqual({ kind: "discovered" });
    expect(model.success.tokenFields.accessToken).toBe("access_token");
    expect(model.facts.find((f) => f.topic === "grants")).toMatchObject({ source: "inferred", evidence: "/components/securitySchemes/oidc/openIdConnectUrl" });
  });

  it("loopback http is allowed", async () => {
    const model = await modelOf(apiDocument({ oidc: { type: "openIdConnect", openIdConnectUrl: "http://localhost:8080/realms/x/.well-known/openid-configuration" } }));
    expect(model.operation.discovery).toBe("/realms/x/.well-known/openid-configuration");
    expect(model.servers.map((s) => s.url)).toEqual(["http://localhost:8080"]);
  });

  it("the provider config's grants narrow the usual OpenID Connect grants", async () => {
    const model = await modelOf(apiDocument({ oidc: { type: "openIdConnect", openIdConnectUrl: "https://id.example.com/.well-known/openid-configuration" } }), {
      grants: { client_credentials: {} },
    });
    expect(model.grants.map((g) => g.grantType)).toEqual(["client_credentials"]);
    expect(model.facts.find((f) => f.topic === "grants")).toMatchObject({ source: "config" });
  });
});

describe("the input is not changed", () => {
  it.each<{ name: string; document: Json }>([
    { name: "OAuth2 flows", document: apiDocument(clientCredentials("/v1/oauth2/token", { read: "Read" }), { servers: PAYPAL_SERVERS }) },
    { name: "openIdConnect", document: apiDocument({ oidc: { type: "openIdConnect", openIdConnectUrl: "https://id.example.com/.well-known/openid-configuration" } }) },
  ])("synthesis from $name leaves the loaded document as it was", async ({ document }) => {
    const spec = await loadDocument(document);
    const before = structuredClone(spec.document);
    const model = buildModel({ spec });
    expect(model.operation.synthesisedFrom).toBeDefined();
    expect(spec.document).toEqual(before);
    expect(Object.keys(spec.document["paths"] as Json)).toEqual(["/v1/catalogs/products"]);
    // The wire slice holds the synthesised operation, though.
    expect(Object.keys(model.wireDocument["paths"] as Json)).toEqual([model.operation.path]);
  });
});
