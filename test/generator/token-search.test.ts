// The token search of the model stage (generator/model/operation.ts): which operation is the token
// operation, which ones were passed over and why, spellings of RFC names, parameters and status keys.
import { describe, expect, it } from "vitest";
import { type ProviderConfig } from "../../generator/load/index.js";
import { type FieldModel } from "../../generator/model/index.js";
import { spellingOf } from "../../generator/model/spelling.js";
import { decidedClientAuth, ERROR_RESPONSE, field, grant, modelError, modelOf, TOKEN_RESPONSE, tokenSpec, type Json } from "./helpers.js";

const names = (fields: readonly FieldModel[]) => fields.map((f) => f.name);

const form = (schema: Json) => ({ required: true, content: { "application/x-www-form-urlencoded": { schema } } });
const jsonBody = (schema: Json) => ({ required: true, content: { "application/json": { schema } } });
const ok = (schema: Json = TOKEN_RESPONSE) => ({ "200": { description: "A token", content: { "application/json": { schema } } } });
const GRANT_BODY: Json = { type: "object", required: ["grant_type"], properties: { grant_type: { type: "string", enum: ["client_credentials"] } } };

/** A POST operation with a form body carrying grant_type. */
const tokenPost = (operationId: string, schema: Json = GRANT_BODY): Json => ({ operationId, requestBody: form(schema), responses: ok() });

/** A document from a paths object (and extra document keys). */
const documentOf = (paths: Json, extra: Json = {}): Json => ({ openapi: "3.0.3", info: { title: "Acme", version: "1.0.0" }, ...extra, paths });

describe("the POST carrying grant_type is chosen", () => {
  it("among many unrelated paths; only token-like paths are listed as candidates", async () => {
    const model = await modelOf(
      documentOf({
        "/users": {
          get: { responses: { "200": { description: "users" } } },
          post: { requestBody: jsonBody({ type: "object", properties: { name: { type: "string" } } }), responses: { "201": { description: "created" } } },
        },
        "/users/{id}": { get: { parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "a user" } } } },
        "/auth/login": { post: { requestBody: jsonBody({ type: "object", properties: { username: { type: "string" } } }), responses: { "200": { description: "a session" } } } },
        "/oauth/token": { post: tokenPost("getToken") },
        "/orders": { post: { requestBody: form({ type: "object", properties: { item: { type: "string" } } }), responses: { "200": { description: "an order" } } } },
      }),
    );
    expect(model.operation).toMatchObject({ path: "/oauth/token", requestPath: "/oauth/token", method: "post", pointer: "/paths/~1oauth~1token/post", operationId: "getToken" });
    expect(model.candidates[0]).toMatchObject({ operation: "POST /oauth/token", pointer: "/paths/~1oauth~1token/post", chosen: true });
    expect(model.candidates[0]!.reason).toMatch(/grant_type/);
    expect(model.candidates.filter((c) => c.chosen)).toHaveLength(1);
    // Unrelated paths are not listed; a token-like one that is not a token operation is, with why.
    expect(model.candidates.map((c) => c.operation)).toEqual(["POST /oauth/token", "POST /auth/login"]);
    expect(model.candidates[1]!.reason).toMatch(/no grant_type field/);
    expect(model.facts[0]).toMatchObject({ topic: "operation", source: "spec", evidence: "/paths/~1oauth~1token/post" });
  });

  it("a token-info GET /security/oauth2/token/{access_token} (Amadeus) is passed over as a GET", async () => {
    const model = await modelOf(
      documentOf({
        "/security/oauth2/token/{access_token}": {
          get: {
            parameters: [{ name: "access_token", in: "path", required: true, schema: { type: "string" } }],
            responses: { "200": { description: "token info", content: { "application/json": { schema: { type: "object", properties: { state: { type: "string" } } } } } } },
          },
        },
        "/security/oauth2/token": { post: tokenPost("oauth2token") },
      }),
    );
    expect(model.operation.path).toBe("/security/oauth2/token");
    expect(model.operation.method).toBe("post");
    const passed = model.candidates.find((c) => c.operation === "GET /security/oauth2/token/{access_token}");
    expect(passed).toMatchObject({ chosen: false, pointer: "/paths/~1security~1oauth2~1token~1{access_token}/get" });
    expect(passed!.reason).toMatch(/\bGET\b/);
    expect(passed!.reason).toMatch(/reads a token/);
    expect(model.candidates[0]).toMatchObject({ operation: "POST /security/oauth2/token", chosen: true });
  });

  it("a GET carrying grant_type as a query parameter is not a token operation", async () => {
    const error = await modelError(
      documentOf({
        "/oauth/token": {
          get: { parameters: [{ name: "grant_type", in: "query", required: true, schema: { type: "string" } }], responses: ok() },
        },
      }),
    );
    expect(error.code).toBe("no_token_operation");
    expect(error.pointer).toBe("/paths");
    expect(error.message).toMatch(/GET \/oauth\/token \(a GET/);
  });
});

describe("one endpoint under several paths keys (Box)", () => {
  it.each<{ name: string; order: string[] }>([
    { name: "plain key first", order: ["/oauth2/token", "/oauth2/token#refresh"] },
    { name: "fragment key first", order: ["/oauth2/token#refresh", "/oauth2/token"] },
  ])("the key without a fragment is chosen ($name); the other is the same endpoint", async ({ order }) => {
    const paths: Json = {};
    for (const key of order) paths[key] = { post: tokenPost(key.includes("#") ? "refreshToken" : "requestToken") };
    const model = await modelOf(documentOf(paths));
    expect(model.operation).toMatchObject({ path: "/oauth2/token", requestPath: "/oauth2/token", operationId: "requestToken" });
    expect(model.candidates[0]).toMatchObject({ operation: "POST /oauth2/token", chosen: true });
    const other = model.candidates.find((c) => c.operation === "POST /oauth2/token#refresh");
    expect(other).toMatchObject({ chosen: false, pointer: "/paths/~1oauth2~1token#refresh/post" });
    expect(other!.reason).toMatch(/^the same endpoint as POST \/oauth2\/token/);
  });

  it("only /oauth2/token#refresh: the key indexes the wire types, the request goes to the path without the fragment", async () => {
    const model = await modelOf(documentOf({ "/oauth2/token#refresh": { post: tokenPost("refreshToken") } }));
    expect(model.operation.path).toBe("/oauth2/token#refresh");
    expect(model.operation.requestPath).toBe("/oauth2/token");
    expect(model.candidates).toEqual([expect.objectContaining({ operation: "POST /oauth2/token#refresh", chosen: true })]);
    expect(Object.keys(model.wireDocument["paths"] as Json)).toEqual(["/oauth2/token#refresh"]);
  });
});

describe("two token endpoints", () => {
  const noToken = (operationId: string): Json => ({ ...tokenPost(operationId), responses: ok({ type: "object", properties: { status: { type: "string" } } }) });
  it.each<{ name: string; paths: Json; labels: string[] }>([
    {
      name: "two paths",
      paths: { "/oauth/token": { post: noToken("a") }, "/v2/oauth/token": { post: noToken("b") } },
      labels: ["POST /oauth/token", "POST /v2/oauth/token"],
    },
    {
      name: "two paths, one of them a fragment key of another path",
      paths: { "/oauth/token": { post: noToken("a") }, "/connect/token#refresh": { post: noToken("b") } },
      labels: ["POST /oauth/token", "POST /connect/token#refresh"],
    },
  ])("$name, neither answering a token -> ambiguous_token_operation naming both", async ({ paths, labels }) => {
    const error = await modelError(documentOf(paths));
    expect(error.code).toBe("ambiguous_token_operation");
    expect(error.pointer).toBe("/paths");
    for (const label of labels) expect(error.message).toContain(label);
    expect(error.message).toMatch(/"tokenOperation"/);
  });

  it("two paths each answering a token -> both modelled, chosen, in document order", async () => {
    const model = await modelOf(documentOf({ "/oauth/token": { post: tokenPost("a") }, "/v2/oauth/token": { post: tokenPost("b") } }));
    expect(model.candidates.filter((c) => c.chosen).map((c) => c.operation)).toEqual(["POST /oauth/token", "POST /v2/oauth/token"]);
    expect([model.operation.name, ...(model.otherOperations ?? []).map((o) => o.operation.name)]).toEqual(["a", "b"]);
  });

  it("naming one of them in the provider config resolves it", async () => {
    const model = await modelOf(documentOf({ "/oauth/token": { post: tokenPost("a") }, "/v2/oauth/token": { post: tokenPost("b") } }), { tokenOperation: "POST /v2/oauth/token" });
    expect(model.operation.path).toBe("/v2/oauth/token");
    expect(model.candidates).toEqual([
      { operation: "POST /v2/oauth/token", pointer: "/paths/~1v2~1oauth~1token/post", chosen: true, reason: "named by the provider config" },
      { operation: "POST /oauth/token", pointer: "/paths/~1oauth~1token/post", chosen: false, reason: "the provider config names POST /v2/oauth/token" },
    ]);
    expect(model.facts[0]).toMatchObject({ topic: "operation", source: "config" });
  });
});

describe("spellings of RFC names (Twilio PascalCase, camelCase)", () => {
  const twilio = tokenSpec({
    path: "/v1/token",
    body: {
      type: "object",
      required: ["GrantType", "ClientId"],
      properties: {
        GrantType: { type: "string", enum: ["client_credentials", "refresh_token"] },
        ClientId: { type: "string" },
        ClientSecret: { type: "string" },
        RefreshToken: { type: "string" },
      },
    },
  });

  it("a PascalCase form body: GrantType, ClientId, ClientSecret, RefreshToken", async () => {
    const model = await modelOf(twilio);
    expect(model.operation.path).toBe("/v1/token");
    expect(model.candidates[0]!.reason).toMatch(/GrantType, a spelling of grant_type/);
    expect(model.grants.map((g) => g.grantType)).toEqual(["client_credentials", "refresh_token"]);
    for (const g of model.grants) {
      expect(g.grantField).toBe("GrantType");
      expect(decidedClientAuth(g)).toEqual({ kind: "fields", idField: "ClientId", secretField: "ClientSecret" });
      expect(names(g.fields)).not.toContain("ClientId");
      expect(names(g.fields)).not.toContain("ClientSecret");
      expect(names(g.fields)).not.toContain("GrantType");
    }
    expect(grant(model, "refresh_token").refreshTokenField).toBe("RefreshToken");
    expect(field(grant(model, "refresh_token").fields, "RefreshToken").required).toBe(true);
    expect(grant(model, "client_credentials").refreshTokenField).toBeUndefined();
    expect(names(grant(model, "client_credentials").fields)).not.toContain("RefreshToken");
    expect(model.client).toEqual({ clientId: "required", clientSecret: "optional" });
    const spelling = model.facts.find((f) => f.source === "inferred" && f.statement.includes("GrantType") && f.statement.includes("grant_type"));
    expect(spelling).toMatchObject({ topic: "fields", evidence: "/paths/~1v1~1token/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties/GrantType" });
  });

  it("a camelCase response: accessToken, tokenType, expiresIn", async () => {
    const model = await modelOf(
      tokenSpec({
        response: {
          type: "object",
          required: ["accessToken"],
          properties: { accessToken: { type: "string" }, tokenType: { type: "string" }, expiresIn: { type: "integer" }, refreshToken: { type: "string" } },
        },
      }),
    );
    expect(model.success.tokenFields).toEqual({ accessToken: "accessToken", tokenType: "tokenType", refreshToken: "refreshToken" });
    expect(model.success.expiry).toEqual({ kind: "relative", field: "expiresIn" });
    const inferred = model.facts.filter((f) => f.topic === "response" && f.source === "inferred").map((f) => f.statement);
    expect(inferred).toContain("accessToken is access_token spelt another way");
    expect(inferred).toContain("tokenType is token_type spelt another way");
  });

  it("two non-RFC spellings of client_id (ClientId and clientId) are not guessed between", async () => {
    const model = await modelOf(
      tokenSpec({
        body: { type: "object", required: ["grant_type"], properties: { grant_type: { type: "string", enum: ["client_credentials"] }, ClientId: { type: "string" }, clientId: { type: "string" } } },
      }),
    );
    const g = model.grants[0]!;
    expect(decidedClientAuth(g)).toEqual({ kind: "none" });
    expect(names(g.fields).sort()).toEqual(["ClientId", "clientId"]);
  });

  it("client_id next to ClientId: the RFC spelling is the client field, the other an ordinary field", async () => {
    const model = await modelOf(
      tokenSpec({
        body: { type: "object", required: ["grant_type"], properties: { grant_type: { type: "string", enum: ["client_credentials"] }, client_id: { type: "string" }, ClientId: { type: "string" } } },
      }),
    );
    expect(decidedClientAuth(model.grants[0]!)).toEqual({ kind: "fields", idField: "client_id" });
    expect(names(model.grants[0]!.fields)).toEqual(["ClientId"]);
  });

  it("two non-RFC spellings of grant_type: the operation is not taken for a token operation", async () => {
    const error = await modelError(
      tokenSpec({ body: { type: "object", properties: { GrantType: { type: "string", enum: ["client_credentials"] }, grantType: { type: "string" } } } }),
    );
    expect(error.code).toBe("no_token_operation");
  });

  it.each<{ names: string[]; rfcName: string; want: string | undefined }>([
    // given the names a schema has -> want the one that spells the RFC name
    { names: ["grant_type", "scope"], rfcName: "grant_type", want: "grant_type" },
    { names: ["GrantType", "Scope"], rfcName: "grant_type", want: "GrantType" },
    { names: ["grantType"], rfcName: "grant_type", want: "grantType" },
    { names: ["grant-type"], rfcName: "grant_type", want: "grant-type" },
    { names: ["GRANT_TYPE"], rfcName: "grant_type", want: "GRANT_TYPE" },
    { names: ["ClientId", "clientId"], rfcName: "client_id", want: undefined },
    { names: ["ClientId", "client-id", "Scope"], rfcName: "client_id", want: undefined },
    { names: ["ClientId", "client_id"], rfcName: "client_id", want: "client_id" },
    { names: ["client_id", "ClientId"], rfcName: "client_id", want: "client_id" },
    { names: ["clientIdentifier"], rfcName: "client_id", want: undefined },
    { names: [], rfcName: "client_id", want: undefined },
  ])("spellingOf($names, $rfcName) -> $want", ({ names: given, rfcName, want }) => {
    expect(spellingOf(given, rfcName)).toBe(want);
  });
});

describe("a POST whose URL is an OAuth2 flow's tokenUrl", () => {
  const flows = (tokenUrl: string) => ({
    securitySchemes: { oauth: { type: "oauth2", flows: { clientCredentials: { tokenUrl, scopes: {} } } } },
  });
  // The operation carries no grant_type, so the grant it issues comes from the provider config.
  const config: ProviderConfig = { grants: { client_credentials: {} } };
  const issue = { post: { requestBody: form({ type: "object", properties: { audience: { type: "string" } } }), responses: ok() } };

  it.each<{ name: string; servers: Json[]; tokenUrl: string }>([
    { name: "absolute tokenUrl under the document's server", servers: [{ url: "https://api.example.com/v1" }], tokenUrl: "https://api.example.com/v1/oauth/issue" },
    { name: "a trailing slash on the tokenUrl", servers: [{ url: "https://api.example.com/v1/" }], tokenUrl: "https://api.example.com/v1/oauth/issue/" },
    { name: "relative tokenUrl resolved against the server", servers: [{ url: "https://api.example.com" }], tokenUrl: "/v1/oauth/issue" },
  ])("$name", async ({ servers, tokenUrl }) => {
    const path = tokenUrl.startsWith("/") ? tokenUrl : "/oauth/issue";
    const model = await modelOf(documentOf({ [path]: issue, "/oauth/other": issue }, { servers, components: flows(tokenUrl) }), config);
    expect(model.operation.path).toBe(path);
    expect(model.operation.synthesisedFrom).toBeUndefined();
    expect(model.candidates[0]).toMatchObject({ operation: `POST ${path}`, chosen: true });
    expect(model.candidates[0]!.reason).toMatch(/tokenUrl of security scheme "oauth"/);
    expect(model.candidates.find((c) => c.operation === "POST /oauth/other")).toMatchObject({ chosen: false, reason: expect.stringMatching(/tokenUrl/) });
    expect(model.grants.map((g) => g.grantType)).toEqual(["client_credentials"]);
    expect(model.grants[0]!.grantField).toBeUndefined();
  });

  it("a tokenUrl on another host does not match the operation", async () => {
    const model = await modelOf(
      documentOf({ "/oauth/issue": issue }, { servers: [{ url: "https://api.example.com" }], components: flows("https://auth.example.com/oauth/issue") }),
      config,
    );
    // No operation matches, so the token operation is synthesised from the flow.
    expect(model.operation.synthesisedFrom).toMatch(/"oauth"/);
    expect(model.servers.map((s) => s.url)).toEqual(["https://auth.example.com"]);
  });
});

describe("parameters become fields", () => {
  const stringSchema = { type: "string" };
  const document = tokenSpec({
    path: "/oauth/{region}/token",
    pathItem: {
      parameters: [
        { name: "region", in: "path", required: true, schema: stringSchema, description: "The region" },
        { name: "tenant", in: "query", required: true, schema: stringSchema },
        { name: "X-Api-Key", in: "header", required: false, schema: stringSchema },
      ],
    },
    operation: {
      parameters: [
        // overrides the path-item's tenant: no longer required
        { name: "tenant", in: "query", required: false, schema: stringSchema, description: "Operation level" },
        // overrides X-Api-Key: header names are case-insensitive
        { name: "x-api-key", in: "header", required: true, schema: stringSchema },
        { name: "Content-Type", in: "header", required: true, schema: stringSchema },
        { name: "Accept", in: "header", schema: stringSchema },
        { name: "trace", in: "cookie", schema: stringSchema },
      ],
    },
  });

  it("query, header and path parameters at path-item and operation level; the operation's win", async () => {
    const model = await modelOf(document);
    const fields = model.grants[0]!.fields;
    expect(names(fields).sort()).toEqual(["region", "scope", "tenant", "x-api-key"]);
    expect(field(fields, "region")).toMatchObject({ in: "path", required: true });
    expect(field(fields, "tenant")).toMatchObject({ in: "query", required: false });
    expect(field(fields, "x-api-key")).toMatchObject({ in: "header", required: true });
    expect(field(fields, "scope").in).toBeUndefined();
    expect(model.request.parameters).toEqual({ region: "path", tenant: "query", "x-api-key": "header" });
    expect(model.operation.requestPath).toBe("/oauth/{region}/token");
  });

  it("a parameter's own description documents its field", async () => {
    const model = await modelOf(document);
    const fields = model.grants[0]!.fields;
    expect(field(fields, "region").description).toBe("The region");
    expect(field(fields, "tenant").description).toBe("Operation level");
  });

  it("Content-Type and Accept header parameters are not fields", async () => {
    const model = await modelOf(document);
    const all = model.grants.flatMap((g) => names(g.fields)).map((n) => n.toLowerCase());
    expect(all).not.toContain("content-type");
    expect(all).not.toContain("accept");
    expect(Object.keys(model.request.parameters ?? {}).map((n) => n.toLowerCase())).not.toContain("content-type");
  });

  it.each<{ name: string; body: Json; auth: unknown }>([
    {
      name: "an Authorization header parameter and no client_id field -> basic",
      body: GRANT_BODY,
      auth: { kind: "basic" },
    },
    {
      name: "an Authorization header parameter and a client_id field -> fields",
      body: { type: "object", required: ["grant_type"], properties: { grant_type: { type: "string", enum: ["client_credentials"] }, client_id: { type: "string" } } },
      auth: { kind: "fields", idField: "client_id" },
    },
  ])("$name", async ({ body, auth }) => {
    const model = await modelOf(tokenSpec({ body, operation: { parameters: [{ name: "Authorization", in: "header", required: true, schema: { type: "string" } }] } }));
    expect(decidedClientAuth(model.grants[0]!)).toEqual(auth);
    expect(names(model.grants[0]!.fields)).not.toContain("Authorization");
    expect(model.request.parameters).toBeUndefined();
  });

  it("client_id as a query parameter is the client field, located in the query", async () => {
    const model = await modelOf(tokenSpec({ body: GRANT_BODY, operation: { parameters: [{ name: "client_id", in: "query", required: true, schema: { type: "string" } }] } }));
    expect(decidedClientAuth(model.grants[0]!)).toEqual({ kind: "fields", idField: "client_id" });
    expect(model.request.parameters).toEqual({ client_id: "query" });
    expect(names(model.grants[0]!.fields)).toEqual([]);
  });
});

describe("success and error status keys", () => {
  const json = (schema: Json) => ({ "application/json": { schema } });

  it.each<{ name: string; responses: Json; statuses: unknown[]; typedStatus: unknown; typedKey: string }>([
    { name: "201 only", responses: { "201": { description: "created", content: json(TOKEN_RESPONSE) } }, statuses: [201], typedStatus: 201, typedKey: "201" },
    { name: "2XX only", responses: { "2XX": { description: "ok", content: json(TOKEN_RESPONSE) } }, statuses: ["2XX"], typedStatus: "2XX", typedKey: "2XX" },
    {
      name: "200 without a body and 2XX with one",
      responses: { "200": { description: "ok" }, "2XX": { description: "ok", content: json(TOKEN_RESPONSE) } },
      statuses: [200, "2XX"],
      typedStatus: "2XX",
      typedKey: "2XX",
    },
    {
      name: "a */* success body is typed",
      responses: { "200": { description: "ok", content: { "*/*": { schema: TOKEN_RESPONSE } } } },
      statuses: [200],
      typedStatus: 200,
      typedKey: "200",
    },
  ])("$name -> statuses $statuses", async ({ responses, statuses, typedStatus, typedKey }) => {
    const model = await modelOf(tokenSpec({ responses }));
    expect(model.success).toMatchObject({ statuses, typedStatus, typedKey });
  });

  it("error statuses: numbers, range keys and default, each with its key", async () => {
    const model = await modelOf(
      tokenSpec({
        responses: {
          ...ok(),
          "400": { description: "Bad request", content: json(ERROR_RESPONSE) },
          "4XX": { description: "Other client errors", content: json(ERROR_RESPONSE) },
          "5XX": { description: "Server errors" },
          default: { description: "Anything else", content: { "*/*": { schema: ERROR_RESPONSE } } },
        },
      }),
    );
    expect(model.errors).toEqual([
      { status: 400, key: "400", description: "Bad request", mediaType: "application/json" },
      { status: "4XX", key: "4XX", description: "Other client errors", mediaType: "application/json" },
      { status: "5XX", key: "5XX", description: "Server errors" },
      { status: "default", key: "default", description: "Anything else", mediaType: "*/*" },
    ]);
    expect(model.facts.find((f) => f.topic === "errors")).toMatchObject({ statement: "documented statuses 400, 4XX, 5XX, default", source: "spec" });
  });

  it("a */* error body is typed", async () => {
    const model = await modelOf(tokenSpec({ responses: { ...ok(), "401": { description: "Unauthorized", content: { "*/*": { schema: ERROR_RESPONSE } } } } }));
    expect(model.errors).toEqual([{ status: 401, key: "401", description: "Unauthorized", mediaType: "*/*" }]);
  });

  it("no JSON success body -> no_json_success, at the responses", async () => {
    const error = await modelError(tokenSpec({ responses: { "200": { description: "ok", content: { "text/plain": { schema: { type: "string" } } } } } }));
    expect(error.code).toBe("no_json_success");
    expect(error.pointer).toBe("/paths/~1oauth~1token/post/responses");
  });
});
