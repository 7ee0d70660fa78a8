// model.surface (generator/model/surface.ts): the OAuth endpoints around the token operation, from the OAuth2 flows,
// from operations of `paths` that are clearly such endpoints, and from the provider config (issue 12).
import { describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../generator/load/index.js";
import { explanationText } from "../../generator/cli/explain.js";
import { readmeFile } from "../../generator/emit/readme.js";
import type { OAuthSurfaceModel } from "../../generator/model/index.js";
import { CONFIG_FILE, modelError, modelOf, tokenSpec, type Json } from "./helpers.js";

const CODE_BODY: Json = {
  type: "object",
  required: ["grant_type"],
  properties: { grant_type: { type: "string", enum: ["authorization_code", "refresh_token", "client_credentials"] }, code: { type: "string" }, refresh_token: { type: "string" } },
};
const FORM = "application/x-www-form-urlencoded";

/** A token operation taking code, refresh and client credentials, plus the given schemes, paths and servers. */
function spec({ schemes = {}, paths = {}, servers, body = CODE_BODY, openapi }: { schemes?: Json; paths?: Json; servers?: readonly Json[]; body?: Json; openapi?: string }): Json {
  return tokenSpec({
    body,
    ...(openapi !== undefined ? { openapi } : {}),
    document: { paths, ...(servers !== undefined ? { servers } : {}) },
    components: { securitySchemes: schemes },
  });
}

const codeFlow = (flow: Json, extra: Json = {}): Json => ({
  oauth: { type: "oauth2", ...extra, flows: { authorizationCode: { authorizationUrl: "https://login.example.com/authorize", tokenUrl: "https://api.example.com/oauth/token", scopes: {}, ...flow } } },
});

const formPost = (properties: Json, response: Json, extra: Json = {}): Json => ({
  post: {
    ...extra,
    requestBody: { content: { [FORM]: { schema: { type: "object", properties } } } },
    responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "object", properties: response } } } } },
  },
});

const API = [{ url: "https://api.example.com" }];
const str = { type: "string" };

describe("model.surface from a small spec", () => {
  it.each<{ name: string; given: Json; config?: ProviderConfig; want: OAuthSurfaceModel | undefined }>([
    // given a spec (and config) -> want the surface
    { name: "nothing around the token operation", given: tokenSpec(), want: undefined },
    {
      name: "an authorizationCode flow: absolute URL, scopes, S256, not OpenID",
      given: spec({ servers: API, schemes: codeFlow({ scopes: { read: "Read things", write: "" } }) }),
      want: {
        authorization: {
          url: "https://login.example.com/authorize",
          relative: false,
          pointer: "/components/securitySchemes/oauth/flows/authorizationCode/authorizationUrl",
          source: "spec",
          scopes: [{ name: "read", description: "Read things" }, { name: "write" }],
          pkce: "S256",
          openid: false,
          scopeSeparator: " ",
        },
      },
    },
    {
      name: "a relative authorizationUrl on the token operation's servers (sandbox and live) stays a path",
      given: spec({
        servers: [{ url: "https://sandbox.example.com" }, { url: "https://live.example.com" }],
        schemes: codeFlow({ authorizationUrl: "/oauth/authorize", tokenUrl: "/oauth/token", scopes: { openid: "OpenID" } }),
      }),
      want: {
        authorization: {
          url: "/oauth/authorize",
          relative: true,
          pointer: "/components/securitySchemes/oauth/flows/authorizationCode/authorizationUrl",
          source: "spec",
          scopes: [{ name: "openid", description: "OpenID" }],
          pkce: "S256",
          openid: true,
          scopeSeparator: " ",
        },
      },
    },
    {
      name: "a refreshUrl that is not the tokenUrl",
      given: spec({ servers: API, schemes: codeFlow({ authorizationUrl: "https://api.example.com/authorize", refreshUrl: "https://refresh.example.com/oauth/refresh" }) }),
      want: {
        authorization: {
          url: "/authorize",
          relative: true,
          pointer: "/components/securitySchemes/oauth/flows/authorizationCode/authorizationUrl",
          source: "spec",
          scopes: [],
          pkce: "S256",
          openid: false,
          scopeSeparator: " ",
        },
        refresh: { url: "https://refresh.example.com/oauth/refresh", relative: false, pointer: "/components/securitySchemes/oauth/flows/authorizationCode/refreshUrl", source: "spec" },
      },
    },
    {
      name: "RFC 7009 and RFC 7662 operations in paths, an openIdConnect scheme as the metadata URL",
      given: spec({
        servers: API,
        schemes: { oidc: { type: "openIdConnect", openIdConnectUrl: "https://api.example.com/.well-known/openid-configuration" } },
        paths: {
          "/oauth/revoke": formPost({ token: str, token_type_hint: str }, {}, { operationId: "revokeToken" }),
          "/oauth/introspect": formPost({ token: str }, { active: { type: "boolean" } }),
        },
      }),
      want: {
        revocation: { url: "/oauth/revoke", relative: true, pointer: "/paths/~1oauth~1revoke/post", source: "inferred" },
        introspection: { url: "/oauth/introspect", relative: true, pointer: "/paths/~1oauth~1introspect/post", source: "inferred" },
        metadata: { url: "/.well-known/openid-configuration", relative: true, pointer: "/components/securitySchemes/oidc/openIdConnectUrl", source: "spec" },
      },
    },
    {
      name: "device authorization and PAR operations; an authorize GET with code_challenge",
      given: spec({
        servers: API,
        body: { ...CODE_BODY, properties: { ...(CODE_BODY["properties"] as Json), grant_type: { type: "string", enum: ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"] } } },
        paths: {
          "/device": formPost({ client_id: str, scope: str }, { device_code: str, user_code: str, verification_uri: str }),
          "/par": formPost({ response_type: str, client_id: str }, { request_uri: str, expires_in: { type: "integer" } }),
          "/authorize": {
            get: {
              parameters: ["response_type", "client_id", "redirect_uri", "code_challenge"].map((name) => ({ name, in: "query", schema: str })),
              responses: { "302": { description: "redirect" } },
            },
          },
        },
      }),
      want: {
        authorization: { url: "/authorize", relative: true, pointer: "/paths/~1authorize/get", source: "inferred", scopes: [], pkce: "S256", openid: false, scopeSeparator: " " },
        deviceAuthorization: { url: "/device", relative: true, pointer: "/paths/~1device/post", source: "inferred" },
        pushedAuthorization: { url: "/par", relative: true, pointer: "/paths/~1par/post", source: "inferred" },
      },
    },
    {
      name: "conservative: a token POST named nothing in particular, a GET revoke (Slack's auth.revoke)",
      given: spec({
        servers: API,
        paths: {
          "/tokens/check": formPost({ token: str, token_type_hint: str }, { ok: { type: "boolean" } }),
          "/auth.revoke": { get: { parameters: [{ name: "token", in: "query", schema: str }], responses: { "200": { description: "ok" } } } },
        },
      }),
      want: undefined,
    },
    {
      name: "the provider config's endpoints and authorization settings",
      given: spec({}),
      config: {
        endpoints: { authorization: "https://login.example.com/oauth2/authorize", revocation: "/oauth2/revoke", metadata: "https://login.example.com/.well-known/oauth-authorization-server" },
        authorization: { pkce: false, scopeSeparator: "," },
      },
      want: {
        authorization: {
          url: "https://login.example.com/oauth2/authorize",
          relative: false,
          pointer: `${CONFIG_FILE}#/endpoints/authorization`,
          source: "config",
          scopes: [],
          pkce: "none",
          openid: false,
          scopeSeparator: ",",
        },
        revocation: { url: "/oauth2/revoke", relative: true, pointer: `${CONFIG_FILE}#/endpoints/revocation`, source: "config" },
        metadata: { url: "https://login.example.com/.well-known/oauth-authorization-server", relative: false, pointer: `${CONFIG_FILE}#/endpoints/metadata`, source: "config" },
      },
    },
    {
      name: "OpenAPI 3.2: a deprecated scheme's authorizationUrl loses to a current one's",
      given: spec({
        openapi: "3.2.0",
        servers: API,
        schemes: {
          ...Object.fromEntries(Object.entries(codeFlow({ authorizationUrl: "https://old.example.com/authorize" }, { deprecated: true })).map(([, v]) => ["old", v])),
          ...codeFlow({}, { oauth2MetadataUrl: "https://login.example.com/.well-known/oauth-authorization-server" }),
        },
      }),
      want: {
        authorization: {
          url: "https://login.example.com/authorize",
          relative: false,
          pointer: "/components/securitySchemes/oauth/flows/authorizationCode/authorizationUrl",
          source: "spec",
          scopes: [],
          pkce: "S256",
          openid: false,
          scopeSeparator: " ",
        },
        // On another host than the servers: absolute.
        metadata: { url: "https://login.example.com/.well-known/oauth-authorization-server", relative: false, pointer: "/components/securitySchemes/oauth/oauth2MetadataUrl", source: "spec" },
      },
    },
  ])("$name", async ({ given, config, want }) => {
    const model = await modelOf(given, config);
    expect(model.surface).toEqual(want);
    for (const [key, endpoint] of Object.entries(model.surface ?? {})) {
      if (typeof endpoint !== "object") continue;
      // Every endpoint has a fact with its pointer.
      expect(model.facts.some((f) => f.topic === "oauth surface" && f.evidence === endpoint.pointer), key).toBe(true);
    }
  });

  it("an operation whose response schema is only itself is passed over, not a reason to refuse the spec", async () => {
    const document = spec({
      servers: API,
      paths: {
        "/oauth/introspect": {
          post: {
            requestBody: { content: { [FORM]: { schema: { type: "object", properties: { token: str } } } } },
            responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Loop" } } } } },
          },
        },
      },
    });
    (document["components"] as Json)["schemas"] = { Loop: { allOf: [{ $ref: "#/components/schemas/Loop" }] } };
    expect((await modelOf(document)).surface).toBeUndefined();
  });

  it("PKCE: a spec documenting code_challenge is S256 from the spec; without, S256 inferred; code_challenge_method without S256 is none", async () => {
    const authorize = (methods?: string[]) => ({
      "/authorize": {
        get: {
          parameters: [
            ...["response_type", "client_id"].map((name) => ({ name, in: "query", schema: str })),
            ...(methods ? [{ name: "code_challenge", in: "query", schema: str }, { name: "code_challenge_method", in: "query", schema: { type: "string", enum: methods } }] : []),
          ],
          responses: { "302": { description: "redirect" } },
        },
      },
    });
    const pkceFact = async (paths: Json) => {
      const model = await modelOf(spec({ servers: API, paths }));
      return [model.surface?.authorization?.pkce, model.facts.find((f) => /^PKCE/.test(f.statement))?.source];
    };
    expect(await pkceFact(authorize(["S256", "plain"]))).toEqual(["S256", "spec"]);
    expect(await pkceFact(authorize())).toEqual(["S256", "inferred"]);
    expect(await pkceFact(authorize(["plain"]))).toEqual(["none", "spec"]);
  });

  it("a token operation with authorization_code and no authorization endpoint says how to state one", async () => {
    const model = await modelOf(spec({ body: { ...CODE_BODY, properties: { ...(CODE_BODY["properties"] as Json), code_challenge: str } } }));
    expect(model.surface).toBeUndefined();
    const hint = model.facts.find((f) => f.topic === "oauth surface");
    expect(hint).toMatchObject({ source: "inferred", evidence: "/paths/~1oauth~1token/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties/code_challenge" });
    expect(hint!.statement).toMatch(/documents PKCE.*endpoints\.authorization/);
  });
});

describe("Swagger 2.0", () => {
  it("an accessCode flow (converted to authorizationCode) gives the authorization endpoint and its scopes", async () => {
    const model = await modelOf({
      swagger: "2.0",
      info: { title: "Acme", version: "1" },
      host: "api.example.com",
      schemes: ["https"],
      paths: { "/v1/things": { get: { responses: { "200": { description: "ok" } } } } },
      securityDefinitions: {
        user: { type: "oauth2", flow: "accessCode", authorizationUrl: "https://api.example.com/oauth/authorize", tokenUrl: "https://api.example.com/oauth/token", scopes: { profile: "Your profile" } },
      },
    });
    expect(model.surface?.authorization).toMatchObject({ url: "/oauth/authorize", relative: true, scopes: [{ name: "profile", description: "Your profile" }], pkce: "S256" });
    expect(model.surface?.authorization?.pointer).toMatch(/^\/components\/securitySchemes\/user\/flows\/authorizationCode\/authorizationUrl$/);
  });
});

describe("explain and the provider README", () => {
  it("show each endpoint, where it is and what it came from; and say so when there is none", async () => {
    const model = await modelOf(spec({ servers: API, schemes: codeFlow({ scopes: { read: "Read" } }), paths: { "/oauth/revoke": formPost({ token: str }, {}, { summary: "Revoke" }) } }));
    const { wireDocument: _wire, ...explained } = model;
    const text = explanationText(explained);
    expect(text).toContain("OAuth endpoints besides the token operation\n  authorization              https://login.example.com/authorize [spec]\n    PKCE S256; scopes read\n");
    expect(text).toContain("  revocation                 /oauth/revoke (on the client's server) [inferred]\n");
    const readme = readmeFile(model, "npm run generate");
    expect(readme).toContain("| authorization | https://login.example.com/authorize | spec | PKCE S256; scopes read |");
    expect(readme).toContain("| revocation | `/oauth/revoke` on the client's server | inferred |  |");
    const configured = await modelOf(tokenSpec(), { endpoints: { metadata: "https://login.example.com/.well-known/openid-configuration" } });
    expect(explanationText(configured)).toContain("  metadata                   https://login.example.com/.well-known/openid-configuration [config]\n");
    const none = await modelOf(tokenSpec());
    expect(explanationText(none)).toContain("OAuth endpoints besides the token operation\n  none documented\n");
    expect(readmeFile(none, "npm run generate")).toContain("The spec documents none besides the token operation");
  });
});

describe("the provider config may not contradict the spec", () => {
  it.each<{ name: string; given: Json; config: ProviderConfig; pointer: string; message: RegExp }>([
    // given a spec and a config -> want a "config" refusal at this pointer
    {
      name: "another authorization URL than the spec's",
      given: spec({ servers: API, schemes: codeFlow({}) }),
      config: { endpoints: { authorization: "https://elsewhere.example.com/authorize" } },
      pointer: "/endpoints/authorization",
      message: /spec already names the authorization endpoint .* at specs\/acme\.json#\/components\/securitySchemes\/oauth\/flows\/authorizationCode\/authorizationUrl/,
    },
    {
      name: "another revocation path than the spec's operation",
      given: spec({ servers: API, paths: { "/oauth/revoke": formPost({ token: str }, {}, { summary: "Revoke a token" }) } }),
      config: { endpoints: { revocation: "/revoke" } },
      pointer: "/endpoints/revocation",
      message: /#\/paths\/~1oauth~1revoke\/post/,
    },
    {
      name: "pkce false where the spec documents code_challenge",
      given: spec({ servers: API, schemes: codeFlow({}), body: { ...CODE_BODY, properties: { ...(CODE_BODY["properties"] as Json), code_verifier: str } } }),
      config: { authorization: { pkce: false } },
      pointer: "/authorization/pkce",
      message: /lacks PKCE, but the spec documents it at specs\/acme\.json#.*code_verifier/,
    },
    {
      name: "authorization settings with no authorization endpoint",
      given: spec({}),
      config: { authorization: { scopeSeparator: "," } },
      pointer: "/authorization",
      message: /no.*authorization endpoint|neither the spec nor endpoints\.authorization/,
    },
    {
      name: "an authorization endpoint for a token operation without authorization_code",
      given: spec({ body: { type: "object", properties: { grant_type: { type: "string", enum: ["client_credentials"] } } } }),
      config: { endpoints: { authorization: "/authorize" } },
      pointer: "/endpoints/authorization",
      message: /does not take the authorization_code grant/,
    },
    {
      name: "a device authorization endpoint for a token operation without device_code",
      given: spec({}),
      config: { endpoints: { deviceAuthorization: "/device" } },
      pointer: "/endpoints/deviceAuthorization",
      message: /does not take the urn:ietf:params:oauth:grant-type:device_code grant/,
    },
    {
      name: "another metadata URL than the spec's openIdConnectUrl",
      given: spec({ schemes: { oidc: { type: "openIdConnect", openIdConnectUrl: "https://login.example.com/.well-known/openid-configuration" } } }),
      config: { endpoints: { metadata: "https://other.example.com/.well-known/openid-configuration" } },
      pointer: "/endpoints/metadata",
      message: /already names the metadata URL/,
    },
  ])("$name: refused at $pointer", async ({ given, config, pointer, message }) => {
    const error = await modelError(given, config);
    expect({ code: error.code, file: error.file, pointer: error.pointer }).toEqual({ code: "config", file: CONFIG_FILE, pointer });
    expect(error.message).toMatch(message);
  });

  it("the spec's own endpoint restated with the same URL is accepted, and the spec stays its source", async () => {
    const model = await modelOf(spec({ servers: API, schemes: codeFlow({}) }), { endpoints: { authorization: "https://login.example.com/authorize" } });
    expect(model.surface?.authorization).toMatchObject({ source: "spec", pointer: "/components/securitySchemes/oauth/flows/authorizationCode/authorizationUrl" });
    expect(model.facts.find((f) => f.source === "config" && f.topic === "oauth surface")?.statement).toMatch(/agrees with the spec/);
  });
});
