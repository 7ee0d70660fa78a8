import { describe, expect, it } from "vitest";
import { lookupPointer, type ProviderConfig, type SpecErrorCode } from "../../generator/load/index.js";
import { type FieldModel } from "../../generator/model/index.js";
import type { ClientAuthRule, ExpiryRule } from "../../generator/runtime/types.js";
import { decidedClientAuth, ERROR_RESPONSE, grant, modelError, modelOf, TOKEN_RESPONSE, tokenSpec, type Json } from "./helpers.js";

const fieldNames = (fields: readonly FieldModel[]) => fields.map((f) => f.name);
const required = (fields: readonly FieldModel[]) => fields.filter((f) => f.required).map((f) => f.name);

/** A form body schema with the given properties (grant_type first) and required names. */
function body(properties: Json, requiredNames: string[] = ["grant_type"]): Json {
  return { type: "object", required: requiredNames, properties };
}

const BASIC_SCHEMES = { securitySchemes: { clientBasic: { type: "http", scheme: "basic" }, bearer: { type: "http", scheme: "bearer" } } };

describe("grant detection", () => {
  it.each<{ name: string; document: Json; grants: string[]; methods: string[]; source: "spec" | "inferred" }>([
    {
      name: "enum",
      document: tokenSpec({ body: body({ grant_type: { type: "string", enum: ["client_credentials", "refresh_token"] }, refresh_token: { type: "string" } }) }),
      grants: ["client_credentials", "refresh_token"],
      methods: ["clientCredentials", "refreshToken"],
      source: "spec",
    },
    {
      name: "const (OpenAPI 3.1)",
      document: tokenSpec({ openapi: "3.1.0", body: body({ grant_type: { const: "password" }, username: { type: "string" }, password: { type: "string" } }) }),
      grants: ["password"],
      methods: ["password"],
      source: "spec",
    },
    {
      name: "enum behind a $ref",
      document: tokenSpec({
        body: body({ grant_type: { $ref: "#/components/schemas/GrantType" }, code: { type: "string" } }),
        components: { schemas: { GrantType: { type: "string", enum: ["authorization_code"] } } },
      }),
      grants: ["authorization_code"],
      methods: ["authorizationCode"],
      source: "spec",
    },
    {
      name: "URN grant type: method from its last segment",
      document: tokenSpec({ body: body({ grant_type: { type: "string", enum: ["urn:ietf:params:oauth:grant-type:jwt-bearer"] }, assertion: { type: "string" } }) }),
      grants: ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
      methods: ["jwtBearer"],
      source: "spec",
    },
    {
      name: "free string with an example",
      document: tokenSpec({ body: body({ grant_type: { type: "string", example: "client_credentials" } }) }),
      grants: ["client_credentials"],
      methods: ["clientCredentials"],
      source: "inferred",
    },
    {
      name: "free string with a default",
      document: tokenSpec({ body: body({ grant_type: { type: "string", default: "password" }, username: { type: "string" }, password: { type: "string" } }) }),
      grants: ["password"],
      methods: ["password"],
      source: "inferred",
    },
    {
      name: "free string, inferred from username+password",
      document: tokenSpec({ body: body({ grant_type: { type: "string" }, username: { type: "string" }, password: { type: "string" } }) }),
      grants: ["password"],
      methods: ["password"],
      source: "inferred",
    },
    {
      name: "free string, inferred from code",
      document: tokenSpec({ body: body({ grant_type: { type: "string" }, code: { type: "string" }, redirect_uri: { type: "string" } }) }),
      grants: ["authorization_code"],
      methods: ["authorizationCode"],
      source: "inferred",
    },
    {
      name: "free string, no grant-specific fields -> client_credentials",
      document: tokenSpec({ body: body({ grant_type: { type: "string" }, scope: { type: "string" } }) }),
      grants: ["client_credentials"],
      methods: ["clientCredentials"],
      source: "inferred",
    },
  ])("$name -> $grants", async ({ document, grants, methods, source }) => {
    const model = await modelOf(document);
    expect(model.grants.map((g) => g.grantType)).toEqual(grants);
    expect(model.grants.map((g) => g.methodName)).toEqual(methods);
    expect(model.grants.every((g) => g.grantField === "grant_type")).toBe(true);
    const grantFacts = model.facts.filter((f) => f.topic === "grants");
    expect(grantFacts.length).toBeGreaterThan(0);
    expect(grantFacts.every((f) => f.source === source)).toBe(true);
  });

  it("a session never retries an authorization_code grant (single-use, RFC 6749 §10.5); it retries a refresh", async () => {
    const model = await modelOf(
      tokenSpec({
        body: body({
          grant_type: { type: "string", enum: ["authorization_code", "refresh_token"] },
          code: { type: "string" },
          refresh_token: { type: "string" },
        }),
      }),
    );
    expect(grant(model, "authorization_code")).toMatchObject({ retried: false, reobtainable: false });
    expect(grant(model, "refresh_token")).toMatchObject({ retried: true, reobtainable: false });
  });
});

describe("a flat multi-grant schema is split by RFC fields", () => {
  const flat = tokenSpec({
    body: body({
      grant_type: { type: "string", enum: ["password", "refresh_token", "client_credentials", "authorization_code"] },
      username: { type: "string" },
      password: { type: "string" },
      refresh_token: { type: "string", description: "The refresh token" },
      code: { type: "string" },
      redirect_uri: { type: "string" },
      code_verifier: { type: "string" },
      scope: { type: "string" },
    }),
  });

  it.each<{ grantType: string; fields: string[]; required: string[] }>([
    // given one schema listing every grant's fields -> want each grant's own fields only
    { grantType: "password", fields: ["username", "password", "scope"], required: ["username", "password"] },
    { grantType: "refresh_token", fields: ["refresh_token", "scope"], required: ["refresh_token"] },
    { grantType: "client_credentials", fields: ["scope"], required: [] },
    { grantType: "authorization_code", fields: ["code", "redirect_uri", "code_verifier", "scope"], required: ["code"] },
  ])("$grantType gets $fields", async ({ grantType, fields, required: requiredFields }) => {
    const model = await modelOf(flat);
    const g = grant(model, grantType);
    expect(fieldNames(g.fields).sort()).toEqual([...fields].sort());
    expect(required(g.fields).sort()).toEqual([...requiredFields].sort());
    expect(g.wire).toEqual({ kind: "request-body" });
  });

  it("records that refresh_token is required by RFC 6749 §6 although the schema does not say so", async () => {
    const model = await modelOf(flat);
    const fact = model.facts.find((f) => f.topic === "grant refresh_token" && f.statement.startsWith("refresh_token is required"));
    expect(fact).toMatchObject({ source: "inferred", evidence: "/paths/~1oauth~1token/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties/refresh_token" });
  });
});

describe("oneOf request variants", () => {
  const variant = (grantType: string, extra: Json, requiredNames: string[] = ["grant_type"]) => ({
    type: "object",
    required: requiredNames,
    properties: { grant_type: { type: "string", enum: [grantType] }, ...extra },
  });

  it("variants named by $ref are typed through their component", async () => {
    const model = await modelOf(
      tokenSpec({
        body: { oneOf: [{ $ref: "#/components/schemas/ClientCredentialsRequest" }, { $ref: "#/components/schemas/RefreshRequest" }] },
        components: {
          schemas: {
            ClientCredentialsRequest: variant("client_credentials", { scope: { type: "string" } }),
            RefreshRequest: variant("refresh_token", { refresh_token: { type: "string" } }, ["grant_type", "refresh_token"]),
          },
        },
      }),
    );
    expect(model.grants.map((g) => [g.grantType, g.wire])).toEqual([
      ["client_credentials", { kind: "component", name: "ClientCredentialsRequest" }],
      ["refresh_token", { kind: "component", name: "RefreshRequest" }],
    ]);
    expect(fieldNames(grant(model, "refresh_token").fields)).toEqual(["refresh_token"]);
    expect(fieldNames(grant(model, "client_credentials").fields)).toEqual(["scope"]);
  });

  it("inline variants are reached by index", async () => {
    const model = await modelOf(
      tokenSpec({
        body: { oneOf: [variant("client_credentials", {}), variant("password", { username: { type: "string" }, password: { type: "string" } })] },
      }),
    );
    expect(model.grants.map((g) => [g.grantType, g.wire])).toEqual([
      ["client_credentials", { kind: "request-body-variant", index: 0 }],
      ["password", { kind: "request-body-variant", index: 1 }],
    ]);
  });

  it("when every variant repeats the whole enum, each grant goes to the variant with its RFC fields", async () => {
    const all = ["password", "refresh_token"];
    const model = await modelOf(
      tokenSpec({
        body: {
          oneOf: [
            { $ref: "#/components/schemas/RefreshRequest" },
            { $ref: "#/components/schemas/PasswordRequest" },
          ],
        },
        components: {
          schemas: {
            PasswordRequest: { type: "object", properties: { grant_type: { type: "string", enum: all }, username: { type: "string" }, password: { type: "string" } } },
            RefreshRequest: { type: "object", properties: { grant_type: { type: "string", enum: all }, refresh_token: { type: "string" } } },
          },
        },
      }),
    );
    expect(grant(model, "password").wire).toEqual({ kind: "component", name: "PasswordRequest" });
    expect(grant(model, "refresh_token").wire).toEqual({ kind: "component", name: "RefreshRequest" });
  });
});

describe("client authentication", () => {
  const withClientFields = (secret: "required" | "optional" | "absent") =>
    body(
      {
        grant_type: { type: "string", enum: ["client_credentials"] },
        client_id: { type: "string" },
        ...(secret !== "absent" ? { client_secret: { type: "string" } } : {}),
      },
      secret === "required" ? ["grant_type", "client_id", "client_secret"] : ["grant_type", "client_id"],
    );
  const plain = body({ grant_type: { type: "string", enum: ["client_credentials"] } });

  it.each<{ name: string; document: Json; auth: ClientAuthRule; clientId: "required" | "absent"; clientSecret: "required" | "optional" | "absent" }>([
    {
      name: "client_id and a required client_secret in the body",
      document: tokenSpec({ body: withClientFields("required") }),
      auth: { kind: "fields", idField: "client_id", secretField: "client_secret" },
      clientId: "required",
      clientSecret: "required",
    },
    {
      name: "client_id and an optional client_secret in the body",
      document: tokenSpec({ body: withClientFields("optional") }),
      auth: { kind: "fields", idField: "client_id", secretField: "client_secret" },
      clientId: "required",
      clientSecret: "optional",
    },
    {
      name: "client_id alone in the body (public client)",
      document: tokenSpec({ body: withClientFields("absent") }),
      auth: { kind: "fields", idField: "client_id" },
      clientId: "required",
      clientSecret: "absent",
    },
    {
      name: "operation security is an http/basic scheme",
      document: tokenSpec({ body: plain, operation: { security: [{ clientBasic: [] }] }, components: BASIC_SCHEMES }),
      auth: { kind: "basic" },
      clientId: "required",
      clientSecret: "required",
    },
    {
      name: "global security is an http/basic scheme",
      document: tokenSpec({ body: plain, document: { security: [{ clientBasic: [] }] }, components: BASIC_SCHEMES }),
      auth: { kind: "basic" },
      clientId: "required",
      clientSecret: "required",
    },
    {
      name: "scheme name is case-insensitive (RFC 7235 §2.1): Basic",
      document: tokenSpec({ body: plain, operation: { security: [{ upper: [] }] }, components: { securitySchemes: { upper: { type: "http", scheme: "Basic" } } } }),
      auth: { kind: "basic" },
      clientId: "required",
      clientSecret: "required",
    },
    {
      name: "basic is one of several alternative requirements",
      document: tokenSpec({ body: plain, operation: { security: [{ bearer: [] }, { clientBasic: [] }] }, components: BASIC_SCHEMES }),
      auth: { kind: "basic" },
      clientId: "required",
      clientSecret: "required",
    },
    {
      name: "operation security [] overrides a global basic requirement",
      document: tokenSpec({ body: plain, operation: { security: [] }, document: { security: [{ clientBasic: [] }] }, components: BASIC_SCHEMES }),
      auth: { kind: "none" },
      clientId: "absent",
      clientSecret: "absent",
    },
    {
      name: "a bearer scheme is not client authentication",
      document: tokenSpec({ body: plain, operation: { security: [{ bearer: [] }] }, components: BASIC_SCHEMES }),
      auth: { kind: "none" },
      clientId: "absent",
      clientSecret: "absent",
    },
    {
      name: "no security and no client fields",
      document: tokenSpec({ body: plain }),
      auth: { kind: "none" },
      clientId: "absent",
      clientSecret: "absent",
    },
    {
      name: "client_id in the body wins over a declared basic scheme",
      document: tokenSpec({ body: withClientFields("optional"), operation: { security: [{ clientBasic: [] }] }, components: BASIC_SCHEMES }),
      auth: { kind: "fields", idField: "client_id", secretField: "client_secret" },
      clientId: "required",
      clientSecret: "optional",
    },
  ])("$name", async ({ document, auth, clientId, clientSecret }) => {
    const model = await modelOf(document);
    expect(model.grants.map(decidedClientAuth)).toEqual([auth]);
    expect(model.client).toEqual({ clientId, clientSecret });
    // Client credentials come from the client options, never from grant params.
    expect(fieldNames(model.grants[0]!.fields)).not.toContain("client_id");
    expect(fieldNames(model.grants[0]!.fields)).not.toContain("client_secret");
  });
});

describe("allOf request bodies", () => {
  it("merges allOf members: client fields from a shared base, grant fields from the extension", async () => {
    const model = await modelOf(
      tokenSpec({
        body: {
          allOf: [
            { $ref: "#/components/schemas/ClientAuth" },
            { type: "object", required: ["grant_type", "username", "password"], properties: { grant_type: { type: "string", enum: ["password"] }, username: { type: "string" }, password: { type: "string" } } },
          ],
        },
        components: {
          schemas: { ClientAuth: { type: "object", required: ["client_id", "client_secret"], properties: { client_id: { type: "string" }, client_secret: { type: "string" } } } },
        },
      }),
    );
    expect(model.grants.map((g) => g.grantType)).toEqual(["password"]);
    expect(decidedClientAuth(model.grants[0]!)).toEqual({ kind: "fields", idField: "client_id", secretField: "client_secret" });
    expect(model.client).toEqual({ clientId: "required", clientSecret: "required" });
    expect(required(model.grants[0]!.fields)).toEqual(["username", "password"]);
  });
});

describe("servers", () => {
  const server = (url: string, description?: string, variables?: Json) => ({ url, ...(description !== undefined ? { description } : {}), ...(variables ? { variables } : {}) });

  it.each<{ name: string; document: Json; want: { name: string; url: string }[] }>([
    {
      name: "names from description slugs",
      document: tokenSpec({ document: { servers: [server("https://auth.example.com", "Production (EU)"), server("https://sandbox.example.com", "  Sandbox!  ")] } }),
      want: [
        { name: "production-eu", url: "https://auth.example.com" },
        { name: "sandbox", url: "https://sandbox.example.com" },
      ],
    },
    {
      name: "names from the host when there is no description (or it has no letters/digits)",
      document: tokenSpec({ document: { servers: [server("https://auth.example.com:8443/v1"), server("https://other.example.com", "***")] } }),
      want: [
        { name: "auth.example.com:8443", url: "https://auth.example.com:8443/v1" },
        { name: "other.example.com", url: "https://other.example.com" },
      ],
    },
    {
      name: "duplicate names get -2, -3",
      document: tokenSpec({
        document: { servers: [server("https://a.example.com", "Sandbox"), server("https://b.example.com", "sandbox"), server("https://c.example.com", "SANDBOX")] },
      }),
      want: [
        { name: "sandbox", url: "https://a.example.com" },
        { name: "sandbox-2", url: "https://b.example.com" },
        { name: "sandbox-3", url: "https://c.example.com" },
      ],
    },
    {
      name: "server variables stay templates with their defaults and enums",
      document: tokenSpec({
        document: {
          servers: [server("https://{region}.auth.example.com/{version}", "Regional", { region: { default: "eu", enum: ["eu", "us"] }, version: { default: "v2" } })],
        },
      }),
      // The variables themselves: test/generator/server-urls.test.ts.
      want: [{ name: "regional", url: "https://{region}.auth.example.com/{version}" }],
    },
    {
      name: "path-level servers override the document's",
      document: tokenSpec({
        document: { servers: [server("https://api.example.com", "API")] },
        pathItem: { servers: [server("https://auth.example.com", "Auth")] },
      }),
      want: [{ name: "auth", url: "https://auth.example.com" }],
    },
    {
      name: "operation-level servers override path-level and the document's",
      document: tokenSpec({
        document: { servers: [server("https://api.example.com", "API")] },
        pathItem: { servers: [server("https://auth.example.com", "Auth")] },
        operation: { servers: [server("https://token.example.com", "Token")] },
      }),
      want: [{ name: "token", url: "https://token.example.com" }],
    },
    {
      name: "no servers anywhere",
      document: tokenSpec(),
      want: [],
    },
  ])("$name", async ({ document, want }) => {
    const model = await modelOf(document);
    expect(model.servers.map((s) => ({ name: s.name, url: s.url }))).toEqual(want);
  });

  it("names stay unique when a slug already ends in -2", async () => {
    const model = await modelOf(
      tokenSpec({ document: { servers: [server("https://a.example.com", "EU 2"), server("https://b.example.com", "EU"), server("https://c.example.com", "EU")] } }),
    );
    const names = model.servers.map((s) => s.name);
    expect(names.slice(0, 2)).toEqual(["eu-2", "eu"]);
    expect(new Set(names).size).toBe(names.length);
  });

  it("keeps the server description", async () => {
    const model = await modelOf(tokenSpec({ document: { servers: [server("https://auth.example.com", "Production")] } }));
    expect(model.servers).toEqual([{ name: "production", url: "https://auth.example.com", description: "Production" }]);
  });
});

describe("expiry", () => {
  const response = (properties: Json): Json => ({ type: "object", required: ["access_token"], properties: { access_token: { type: "string" }, ...properties } });

  it.each<{ name: string; properties: Json; want: ExpiryRule }>([
    { name: "expires_in: seconds from receipt", properties: { expires_in: { type: "integer", example: 3600 } }, want: { kind: "relative", field: "expires_in" } },
    {
      name: "expires_in described as a unix timestamp",
      properties: { expires_in: { type: "integer", description: "Unix timestamp at which the token expires" } },
      want: { kind: "absolute", field: "expires_in", unit: "s" },
    },
    {
      name: "expires_in described as epoch milliseconds",
      properties: { expires_in: { type: "integer", description: "Expiry as an epoch time in milliseconds" } },
      want: { kind: "absolute", field: "expires_in", unit: "ms" },
    },
    {
      name: "expires_in with a millisecond example (>= 1e12)",
      properties: { expires_in: { type: "integer", example: 1_700_000_000_000 } },
      want: { kind: "absolute", field: "expires_in", unit: "ms" },
    },
    {
      name: "expires_in with a seconds unix-time example (>= 1e9)",
      properties: { expires_in: { type: "integer", example: 1_700_000_000 } },
      want: { kind: "absolute", field: "expires_in", unit: "s" },
    },
    {
      name: "created_at plus expires_in",
      properties: { created_at: { type: "integer" }, expires_in: { type: "integer" } },
      want: { kind: "created-plus-relative", createdField: "created_at", createdUnit: "s", field: "expires_in" },
    },
    { name: "expires_at without expires_in", properties: { expires_at: { type: "integer" } }, want: { kind: "absolute", field: "expires_at", unit: "s" } },
    {
      name: "expires_at in milliseconds by example",
      properties: { expires_at: { type: "integer", example: 1_700_000_000_000 } },
      want: { kind: "absolute", field: "expires_at", unit: "ms" },
    },
    { name: "no expiry field", properties: { token_type: { type: "string" } }, want: { kind: "none" } },
  ])("$name", async ({ properties, want }) => {
    const model = await modelOf(tokenSpec({ response: response(properties) }));
    expect(model.success.expiry).toEqual(want);
  });

  it("finds expires_in in any variant of a oneOf response", async () => {
    const model = await modelOf(
      tokenSpec({
        response: { oneOf: [response({}), response({ expires_in: { type: "integer" }, refresh_token: { type: "string" } })] },
      }),
    );
    expect(model.success.expiry).toEqual({ kind: "relative", field: "expires_in" });
    expect(model.success.tokenFields).toEqual({ accessToken: "access_token", refreshToken: "refresh_token" });
  });
});

describe("success and error responses", () => {
  const json = (schema: Json) => ({ "application/json": { schema } });

  it("lists error statuses, range keys and default, each with its responses key", async () => {
    const model = await modelOf(
      tokenSpec({
        responses: {
          "200": { description: "ok", content: json(TOKEN_RESPONSE) },
          "400": { description: "Bad request", content: json(ERROR_RESPONSE) },
          "401": { description: "Unauthorized" },
          "4XX": { description: "Other client errors", content: json(ERROR_RESPONSE) },
          "503": { description: "Down", content: { "application/problem+json": { schema: ERROR_RESPONSE } } },
          default: { description: "Anything else", content: json(ERROR_RESPONSE) },
        },
      }),
    );
    expect(model.errors).toEqual([
      { status: 400, key: "400", description: "Bad request", mediaType: "application/json" },
      { status: 401, key: "401", description: "Unauthorized" },
      { status: "4XX", key: "4XX", description: "Other client errors", mediaType: "application/json" },
      { status: 503, key: "503", description: "Down", mediaType: "application/problem+json" },
      { status: "default", key: "default", description: "Anything else", mediaType: "application/json" },
    ]);
    const errorFacts = model.facts.filter((f) => f.topic === "errors").map((f) => f.statement);
    expect(errorFacts).toContain("documented statuses 400, 401, 4XX, 503, default");
    expect(model.success).toMatchObject({ statuses: [200], typedStatus: 200, mediaType: "application/json" });
  });

  it("types the first success status with a JSON body", async () => {
    const model = await modelOf(
      tokenSpec({
        responses: {
          "201": { description: "Created, JSON", content: json(TOKEN_RESPONSE) },
          "200": { description: "No body" },
        },
      }),
    );
    expect(model.success.statuses).toEqual([200, 201]);
    expect(model.success.typedStatus).toBe(201);
  });

  it.each<{ name: string; responses: Json; code: SpecErrorCode; pointer: string }>([
    {
      name: "no 2xx JSON body",
      responses: { "200": { description: "ok", content: { "text/plain": { schema: { type: "string" } } } } },
      code: "no_json_success",
      pointer: "/paths/~1oauth~1token/post/responses",
    },
    {
      name: "a success body without access_token",
      responses: { "200": { description: "ok", content: json({ type: "object", properties: { token: { type: "string" } } }) } },
      code: "no_access_token",
      pointer: "/paths/~1oauth~1token/post/responses/200/content/application~1json/schema",
    },
  ])("$name -> $code", async ({ responses, code, pointer }) => {
    const error = await modelError(tokenSpec({ responses }));
    expect(error.code).toBe(code);
    expect(error.pointer).toBe(pointer);
  });
});

describe("fields", () => {
  it.each<{ name: string; property: Json; inRequired: boolean; want: Partial<FieldModel> }>([
    { name: "required", property: { type: "string" }, inRequired: true, want: { required: true } },
    { name: "optional", property: { type: "string" }, inRequired: false, want: { required: false } },
    {
      name: "required but with a default -> optional, default documented",
      property: { type: "string", default: "read write" },
      inRequired: true,
      want: { required: false, documentedDefault: "read write" },
    },
    { name: "a default of false still counts", property: { type: "boolean", default: false }, inRequired: true, want: { required: false, documentedDefault: false } },
    { name: "enum values", property: { type: "string", enum: ["a", "b"] }, inRequired: false, want: { enumValues: ["a", "b"] } },
    { name: "nullable (3.0)", property: { type: "string", nullable: true }, inRequired: false, want: { nullable: true } },
    { name: "array", property: { type: "array", items: { type: "string" } }, inRequired: false, want: { isArray: true } },
    { name: "deprecated", property: { type: "string", deprecated: true }, inRequired: false, want: { deprecated: true } },
    { name: "description", property: { type: "string", description: "What to ask for" }, inRequired: false, want: { description: "What to ask for" } },
  ])("$name", async ({ property, inRequired, want }) => {
    const model = await modelOf(
      tokenSpec({ body: body({ grant_type: { type: "string", enum: ["client_credentials"] }, audience: property }, inRequired ? ["grant_type", "audience"] : ["grant_type"]) }),
    );
    const field = model.grants[0]!.fields.find((f) => f.name === "audience");
    expect(field).toMatchObject({ name: "audience", ...want });
  });

  it("a $ref'd property with a sibling default (3.1) is optional", async () => {
    const model = await modelOf(
      tokenSpec({
        openapi: "3.1.0",
        body: body({ grant_type: { type: "string", enum: ["client_credentials"] }, scope: { $ref: "#/components/schemas/Scope", default: "read" } }, ["grant_type", "scope"]),
        components: { schemas: { Scope: { type: "string" } } },
      }),
    );
    expect(model.grants[0]!.fields).toEqual([expect.objectContaining({ name: "scope", required: false, documentedDefault: "read" })]);
  });
});

describe("provider config", () => {
  const passwordSpec = tokenSpec({
    body: body({
      grant_type: { type: "string", enum: ["password"] },
      username: { type: "string" },
      password: { type: "string" },
      linked_device_id: { type: "string" },
      pin: { type: "string" },
      scope: { type: "string" },
    }),
  });

  it("alternatives become AlternativeModels and leave the shared fields", async () => {
    const config: ProviderConfig = { displayName: "Acme Identity", grants: { password: { alternatives: [["username", "password"], ["linked_device_id", "pin"]] } } };
    const model = await modelOf(passwordSpec, config, "specs/acme.tokenwright.json");
    const g = grant(model, "password");
    expect(g.alternatives.map((a) => ({ label: a.label, fields: fieldNames(a.fields), required: required(a.fields) }))).toEqual([
      { label: "UsernamePassword", fields: ["username", "password"], required: ["username", "password"] },
      { label: "LinkedDeviceIdPin", fields: ["linked_device_id", "pin"], required: ["linked_device_id", "pin"] },
    ]);
    expect(fieldNames(g.fields)).toEqual(["scope"]);
    expect(model.typePrefix).toBe("AcmeIdentity");
    expect(model.source.configFile).toBe("specs/acme.tokenwright.json");
    expect(model.facts).toContainEqual(expect.objectContaining({ source: "config", evidence: "specs/acme.tokenwright.json#/grants/password/alternatives" }));
  });

  it("a config naming a field the grant does not have is a located config error", async () => {
    const config: ProviderConfig = { grants: { password: { alternatives: [["username", "password"], ["device", "pin"]] } } };
    const error = await modelError(passwordSpec, config, "specs/acme.tokenwright.json");
    expect(error.code).toBe("config");
    expect(error.file).toBe("specs/acme.tokenwright.json");
    expect(error.pointer).toBe("/grants/password/alternatives/1/0");
    expect(error.message).toContain('"device"');
  });
});

describe("finding the token operation", () => {
  const notToken = {
    post: {
      requestBody: { content: { "application/json": { schema: { type: "object", properties: { name: { type: "string" } } } } } },
      responses: { "201": { description: "created" } },
    },
  };

  it.each<{ name: string; document: Json; code: SpecErrorCode; mentions: string[] }>([
    {
      name: "no POST body with grant_type",
      document: { openapi: "3.0.3", info: { title: "t", version: "1" }, paths: { "/users": notToken } },
      code: "no_token_operation",
      mentions: ["POST /users"],
    },
    {
      name: "no paths at all",
      document: { openapi: "3.0.3", info: { title: "t", version: "1" }, paths: {} },
      code: "no_token_operation",
      mentions: ["no POST operations"],
    },
    {
      // Two that each answer a token are both modelled (multi-operation.test.ts); neither answering one is ambiguous.
      name: "two token operations, neither answering a token",
      document: (() => {
        const noToken = { type: "object", properties: { status: { type: "string" } } };
        return tokenSpec({ response: noToken, document: { paths: { "/v2/token": (tokenSpec({ response: noToken }).paths as Json)["/oauth/token"] } } });
      })(),
      code: "ambiguous_token_operation",
      mentions: ["POST /oauth/token", "POST /v2/token"],
    },
  ])("$name -> $code", async ({ document, code, mentions }) => {
    const error = await modelError(document);
    expect(error.code).toBe(code);
    expect(error.pointer).toBe("/paths");
    for (const text of mentions) expect(error.message).toContain(text);
  });

  it("finds the token POST among other operations, and JSON bodies work", async () => {
    const model = await modelOf(
      tokenSpec({
        mediaType: "application/json",
        path: "/v1/auth/token",
        document: { paths: { "/users": notToken } },
      }),
    );
    expect(model.operation).toMatchObject({ path: "/v1/auth/token", method: "post", pointer: "/paths/~1v1~1auth~1token/post", operationId: "getToken" });
    expect(model.request).toEqual({ mediaType: "application/json", encoding: "json", bodyRequired: true });
  });

  it("prefers the form body when both form and JSON are offered (RFC 6749 §3.2)", async () => {
    const spec = tokenSpec();
    const operation = ((spec.paths as Json)["/oauth/token"] as Json)["post"] as { requestBody: { content: Json } };
    operation.requestBody.content = { "application/json": operation.requestBody.content["application/x-www-form-urlencoded"], ...operation.requestBody.content };
    const model = await modelOf(spec);
    expect(model.request.encoding).toBe("form");
    expect(model.request.mediaType).toBe("application/x-www-form-urlencoded");
  });
});

describe("the model as data", () => {
  const rich = tokenSpec({
    document: {
      servers: [{ url: "https://{env}.example.com", description: "Main", variables: { env: { default: "auth" } } }],
      security: [{ clientBasic: [] }],
      info: { title: "Acme", version: "1", description: "Acme's identity provider" },
    },
    body: {
      oneOf: [{ $ref: "#/components/schemas/CC" }, { $ref: "#/components/schemas/Refresh" }],
    },
    components: {
      ...BASIC_SCHEMES,
      schemas: {
        CC: { type: "object", required: ["grant_type"], properties: { grant_type: { type: "string", enum: ["client_credentials"] }, scope: { type: "string", default: "read", enum: ["read", "write"] } } },
        Refresh: { type: "object", required: ["grant_type"], properties: { grant_type: { type: "string", enum: ["refresh_token"] }, refresh_token: { type: "string", nullable: true } } },
      },
    },
  });

  it("is JSON-serialisable: a round trip gives the same value", async () => {
    const model = await modelOf(rich);
    const copy: unknown = JSON.parse(JSON.stringify(model));
    expect(copy).toStrictEqual(model);
  });

  it("is deterministic: building twice gives equal models", async () => {
    expect(await modelOf(rich)).toStrictEqual(await modelOf(rich));
  });

  it("names the provider from the spec file and prefixes types", async () => {
    const model = await modelOf(rich);
    expect(model.provider).toBe("acme");
    expect(model.typePrefix).toBe("Acme");
    expect(model.title).toBe("Acme");
    expect(model.description).toBe("Acme's identity provider");
    expect(model.source).toMatchObject({ file: "specs/acme.json", openapi: "3.0.3" });
    expect(model.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("wireDocument: the token operation's slice", () => {
  /** Every `$ref` in a value, with where it sits. */
  function refsIn(value: unknown, at = ""): { at: string; ref: string }[] {
    if (Array.isArray(value)) return value.flatMap((item, index) => refsIn(item, `${at}/${index}`));
    if (typeof value !== "object" || value === null) return [];
    return Object.entries(value).flatMap(([key, child]) =>
      key === "$ref" && typeof child === "string" ? [{ at, ref: child }] : refsIn(child, `${at}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`),
    );
  }

  const big = tokenSpec({
    body: { $ref: "#/components/schemas/TokenRequest" },
    responses: {
      "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/TokenResponse" } } } },
      "400": { $ref: "#/components/responses/BadRequest" },
    },
    pathItem: {
      get: { responses: { "200": { description: "unrelated", content: { "application/json": { schema: { $ref: "#/components/schemas/Unrelated" } } } } } },
    },
    document: {
      paths: {
        "/users": {
          post: {
            requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/User" } } } },
            responses: { "201": { description: "created" } },
          },
        },
      },
    },
    components: {
      schemas: {
        TokenRequest: { type: "object", properties: { grant_type: { $ref: "#/components/schemas/GrantType" }, scope: { type: "string" } } },
        GrantType: { type: "string", enum: ["client_credentials"] },
        TokenResponse: { type: "object", properties: { access_token: { type: "string" }, expires_in: { type: "integer" } } },
        OAuthError: ERROR_RESPONSE,
        User: { type: "object", properties: { name: { type: "string" } } },
        Unrelated: { type: "object" },
        Unused: { type: "object" },
      },
      responses: { BadRequest: { description: "Bad", content: { "application/json": { schema: { $ref: "#/components/schemas/OAuthError" } } } } },
      securitySchemes: BASIC_SCHEMES.securitySchemes,
    },
  });

  it("holds only the token path's POST and the components it reaches", async () => {
    const model = await modelOf(big);
    const slice = model.wireDocument as { paths: Json; components: Record<string, Json> };
    expect(Object.keys(slice.paths)).toEqual(["/oauth/token"]);
    expect(Object.keys(slice.paths["/oauth/token"] as Json)).toEqual(["post"]);
    expect(Object.keys(slice.components).sort()).toEqual(["responses", "schemas"]);
    expect(Object.keys(slice.components["schemas"]!).sort()).toEqual(["GrantType", "OAuthError", "TokenRequest", "TokenResponse"]);
    expect(Object.keys(slice.components["responses"]!)).toEqual(["BadRequest"]);
    expect(slice.components["schemas"]!["TokenRequest"]).toEqual((big.components as Record<string, Json>)["schemas"]!["TokenRequest"]);
  });

  it("every $ref in the slice resolves inside the slice", async () => {
    const model = await modelOf(big);
    const refs = refsIn(model.wireDocument);
    expect(refs.length).toBeGreaterThan(0);
    for (const { ref } of refs) expect(lookupPointer(model.wireDocument, decodeURIComponent(ref.slice(1))).found, ref).toBe(true);
  });

  it("keeps a component named __proto__ (a legal component name) as an own entry", async () => {
    const spec = tokenSpec({
      body: { $ref: "#/components/schemas/__proto__" },
      components: { schemas: JSON.parse('{"__proto__": {"type": "object", "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]}}}}') as Json },
    });
    const model = await modelOf(spec);
    expect(model.grants[0]!.wire).toEqual({ kind: "component", name: "__proto__" });
    const schemas = (model.wireDocument as { components?: Record<string, Json> }).components?.["schemas"];
    expect(schemas !== undefined && Object.prototype.hasOwnProperty.call(schemas, "__proto__")).toBe(true);
    for (const { ref } of refsIn(model.wireDocument)) expect(lookupPointer(model.wireDocument, ref.slice(1)).found, ref).toBe(true);
  });

  it("hoists a $ref into #/paths/... into components.schemas", async () => {
    const shared = { type: "object", properties: { access_token: { type: "string" }, token_type: { type: "string" } } };
    const spec = tokenSpec({
      responses: {
        "200": {
          description: "ok",
          content: { "application/json": { schema: { $ref: "#/paths/~1legacy~1token/get/responses/200/content/application~1json/schema" } } },
        },
      },
      document: {
        paths: { "/legacy/token": { get: { responses: { "200": { description: "legacy", content: { "application/json": { schema: shared } } } } } } },
      },
    });
    const model = await modelOf(spec);
    const slice = model.wireDocument as { paths: Json; components?: Record<string, Json> };
    expect(Object.keys(slice.paths)).toEqual(["/oauth/token"]);
    const refs = refsIn(slice);
    expect(refs.filter((r) => r.ref.startsWith("#/paths/"))).toEqual([]);
    const responseRef = refs.find((r) => r.at === "/paths/~1oauth~1token/post/responses/200/content/application~1json/schema");
    expect(responseRef?.ref).toMatch(/^#\/components\/schemas\/[A-Za-z0-9_]+$/);
    const name = responseRef!.ref.slice("#/components/schemas/".length);
    expect(slice.components?.["schemas"]?.[name]).toEqual(shared);
    // The model itself still reads the response through the original reference.
    expect(model.success.tokenFields).toEqual({ accessToken: "access_token", tokenType: "token_type" });
  });

  it("a hoisted name does not clobber an existing component of the same name", async () => {
    const spec = tokenSpec({
      responses: {
        "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/GetResponses200ApplicationJson" } } } },
        "400": {
          description: "bad",
          content: { "application/json": { schema: { $ref: "#/paths/~1legacy~1token/get/responses/200/content/application~1json/schema" } } },
        },
      },
      document: {
        paths: { "/legacy/token": { get: { responses: { "200": { description: "legacy", content: { "application/json": { schema: ERROR_RESPONSE } } } } } } },
      },
      components: { schemas: { GetResponses200ApplicationJson: TOKEN_RESPONSE } },
    });
    const model = await modelOf(spec);
    const schemas = (model.wireDocument as { components: Record<string, Json> }).components["schemas"]!;
    expect(schemas["GetResponses200ApplicationJson"]).toEqual(TOKEN_RESPONSE);
    const hoisted = Object.entries(schemas).filter(([name]) => name !== "GetResponses200ApplicationJson");
    expect(hoisted.map(([, schema]) => schema)).toEqual([ERROR_RESPONSE]);
    for (const { ref } of refsIn(model.wireDocument)) expect(lookupPointer(model.wireDocument, ref.slice(1)).found, ref).toBe(true);
  });
});
