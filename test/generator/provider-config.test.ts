// The provider config (`<provider>.tokenwright.json`, generator/load/config.ts): its validation, and
// what each setting does to the model.
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SpecError, loadProviderConfig, type ProviderConfig } from "../../generator/load/index.js";
import { decidedClientAuth, CONFIG_FILE, field, grant, modelError, modelOf, TOKEN_RESPONSE, tokenSpec, useTempDirs, type Json } from "./helpers.js";

const tempDir = useTempDirs();

/** Writes `text` as a config file in a fresh temp folder and loads it. */
async function loadConfigText(text: string): Promise<{ file: string; result: Promise<ProviderConfig | undefined> }> {
  const file = join(await tempDir("config"), "acme.tokenwright.json");
  writeFileSync(file, text);
  return { file, result: loadProviderConfig(file) };
}

async function configError(value: unknown): Promise<{ file: string; error: SpecError }> {
  const { file, result } = await loadConfigText(JSON.stringify(value));
  try {
    await result;
  } catch (error) {
    if (error instanceof SpecError) return { file, error };
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

describe("loadProviderConfig validation", () => {
  it.each<{ name: string; config: unknown; pointer: string; message: RegExp }>([
    // given a config -> want a "config" error at this pointer
    { name: "not an object", config: ["grants"], pointer: "", message: /must be a JSON object/ },
    { name: "unknown top-level key", config: { tokenOperaton: "POST /token" }, pointer: "/tokenOperaton", message: /unknown setting "tokenOperaton"; known: .*tokenOperation/ },
    { name: "tokenOperation with another method", config: { tokenOperation: "DELETE /x" }, pointer: "/tokenOperation", message: /"POST \/path" or "GET \/path"/ },
    { name: "tokenOperation without a leading slash", config: { tokenOperation: "POST x" }, pointer: "/tokenOperation", message: /"POST \/path"/ },
    { name: "tokenOperation lowercase method", config: { tokenOperation: "post /x" }, pointer: "/tokenOperation", message: /"POST \/path"/ },
    { name: "tokenOperation not a string", config: { tokenOperation: 1 }, pointer: "/tokenOperation", message: /"POST \/path"/ },
    { name: "bad clientAuth", config: { clientAuth: "header" }, pointer: "/clientAuth", message: /must be one of "basic", "fields", "none"/ },
    { name: "displayName without letters", config: { displayName: "123" }, pointer: "/displayName", message: /letters/ },
    { name: "grants not an object", config: { grants: ["client_credentials"] }, pointer: "/grants", message: /keyed by grant type/ },
    { name: "unknown grant setting", config: { grants: { password: { fields: [] } } }, pointer: "/grants/password/fields", message: /unknown setting "fields"/ },
    { name: "relaxRequired not an array", config: { grants: { client_credentials: { relaxRequired: "scope" } } }, pointer: "/grants/client_credentials/relaxRequired", message: /array of field names/ },
    { name: "relaxRequired with a number", config: { grants: { client_credentials: { relaxRequired: ["scope", 1] } } }, pointer: "/grants/client_credentials/relaxRequired", message: /array of field names/ },
    { name: "one alternative only", config: { grants: { password: { alternatives: [["username", "password"]] } } }, pointer: "/grants/password/alternatives", message: /at least two/ },
    { name: "a grant type with a slash is escaped in the pointer", config: { grants: { "a/b": { relaxRequired: "x" } } }, pointer: "/grants/a~1b/relaxRequired", message: /array/ },
    { name: "response.accessToken with an empty segment", config: { response: { accessToken: "a..b" } }, pointer: "/response/accessToken", message: /dotted path/ },
    { name: "response.tokenType starting with a dot", config: { response: { tokenType: ".type" } }, pointer: "/response/tokenType", message: /dotted path/ },
    { name: "response.accessToken empty", config: { response: { accessToken: "" } }, pointer: "/response/accessToken", message: /dotted path/ },
    { name: "unknown response setting", config: { response: { token: "x" } }, pointer: "/response/token", message: /unknown setting "token"/ },
    { name: "response.encoding xml", config: { response: { encoding: "xml" } }, pointer: "/response/encoding", message: /"json", "form"/ },
    { name: "errorWhen.equals an object", config: { response: { errorWhen: { field: "ok", equals: { no: 1 } } } }, pointer: "/response/errorWhen/equals", message: /string, number, boolean or null/ },
    { name: "errorWhen.equals an array", config: { response: { errorWhen: { field: "ok", equals: [false] } } }, pointer: "/response/errorWhen/equals", message: /string, number, boolean or null/ },
    { name: "errorWhen without a field", config: { response: { errorWhen: { equals: false } } }, pointer: "/response/errorWhen/field", message: /dotted path/ },
    { name: "expiry absolute without unit", config: { expiry: { kind: "absolute", field: "expires_at" } }, pointer: "/expiry/unit", message: /"s", "ms"/ },
    { name: "expiry unknown kind", config: { expiry: { kind: "sliding" } }, pointer: "/expiry/kind", message: /"relative", "absolute", "none"/ },
    { name: "expiry relative without field", config: { expiry: { kind: "relative" } }, pointer: "/expiry/field", message: /dotted path/ },
  ])("$name -> config error at $pointer", async ({ config, pointer, message }) => {
    const { file, error } = await configError(config);
    expect(error.code).toBe("config");
    expect(error.file).toBe(file);
    expect(error.pointer).toBe(pointer);
    expect(error.detail).toMatch(message);
    expect(error.message).toContain(`${file}#${pointer}: `);
  });

  it("invalid JSON is a config error at the whole document", async () => {
    const { file, result } = await loadConfigText("{ grants: }");
    await expect(result).rejects.toMatchObject({ code: "config", file, pointer: "", detail: expect.stringMatching(/^invalid JSON/) });
  });

  it("a missing file is no config", async () => {
    const dir = await tempDir("config-missing");
    await expect(loadProviderConfig(join(dir, "absent.tokenwright.json"))).resolves.toBeUndefined();
  });

  it("a valid config is read as it is written", async () => {
    const written = {
      $schema: "./tokenwright.schema.json",
      displayName: "Acme Cloud",
      tokenOperation: "POST /oauth2/token#refresh",
      clientAuth: "fields",
      grants: { password: { alternatives: [["username", "password"], ["device", "pin"]], relaxRequired: ["username"] }, client_credentials: {} },
      response: { accessToken: "data.token", tokenType: "data.type", encoding: "form", errorWhen: { field: "ok", equals: false } },
      expiry: { kind: "absolute", field: "data.expires_at", unit: "ms" },
    };
    const { result } = await loadConfigText(JSON.stringify(written));
    const { $schema: _schema, ...rest } = written;
    expect(await result).toEqual(rest);
  });

  it("a grant type named __proto__ stays data", async () => {
    const { result } = await loadConfigText('{"grants": {"__proto__": {}}}');
    const config = await result;
    expect(Object.keys(config!.grants!)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(config!.grants)).toBe(Object.prototype);
  });
});

describe("tokenOperation", () => {
  it("naming an operation the spec lacks -> config error listing token-like operations", async () => {
    const document = tokenSpec({
      document: {
        paths: {
          "/oauth/authorize": { get: { responses: { "200": { description: "a page" } } } },
          "/users": { get: { responses: { "200": { description: "users" } } } },
        },
      },
    });
    const error = await modelError(document, { tokenOperation: "POST /oauth/tokens" });
    expect(error.code).toBe("config");
    expect(error.file).toBe(CONFIG_FILE);
    expect(error.pointer).toBe("/tokenOperation");
    expect(error.detail).toMatch(/the spec has no operation "POST \/oauth\/tokens"; token-like operations: /);
    expect(error.detail).toContain("POST /oauth/token");
    expect(error.detail).toContain("GET /oauth/authorize");
    expect(error.detail).not.toContain("/users");
  });
});

describe("a custom token operation without grant_type (Vipps)", () => {
  const header = (name: string, required: boolean) => ({ name, in: "header", required, schema: { type: "string" } });
  const vipps: Json = {
    openapi: "3.0.3",
    info: { title: "Vipps Access Token", version: "1.0.0" },
    servers: [{ url: "https://apitest.vipps.no", description: "Test" }],
    paths: {
      "/accesstoken/get": {
        post: {
          operationId: "fetchAuthorizationTokenUsingPost",
          parameters: [header("client_id", true), header("client_secret", true), header("Ocp-Apim-Subscription-Key", true), header("Merchant-Serial-Number", false)],
          responses: {
            "200": { description: "A token", content: { "application/json": { schema: TOKEN_RESPONSE } } },
            "500": { description: "Error" },
          },
        },
      },
    },
  };
  const config: ProviderConfig = { tokenOperation: "POST /accesstoken/get", grants: { client_credentials: {} } };

  it("takes no body, implies its one grant, and sends the client credentials as headers", async () => {
    const model = await modelOf(vipps, config);
    expect(model.operation).toMatchObject({ path: "/accesstoken/get", method: "post" });
    expect(model.request.encoding).toBe("none");
    expect(model.request.mediaType).toBeUndefined();
    expect(model.request.bodyRequired).toBe(false);
    expect(model.grants).toHaveLength(1);
    const g = grant(model, "client_credentials");
    expect(g.grantField).toBeUndefined();
    expect(g.wire).toEqual({ kind: "no-body" });
    expect(decidedClientAuth(g)).toEqual({ kind: "fields", idField: "client_id", secretField: "client_secret" });
    expect(model.client).toEqual({ clientId: "required", clientSecret: "required" });
    expect(model.request.parameters).toEqual({ client_id: "header", client_secret: "header", "Ocp-Apim-Subscription-Key": "header", "Merchant-Serial-Number": "header" });
    expect(field(g.fields, "Ocp-Apim-Subscription-Key")).toMatchObject({ in: "header", required: true });
    expect(field(g.fields, "Merchant-Serial-Number")).toMatchObject({ in: "header", required: false });
    expect(g.fields.map((f) => f.name)).not.toContain("client_id");
    expect(model.facts.find((f) => f.topic === "grants")).toMatchObject({ source: "config", evidence: `${CONFIG_FILE}#/grants` });
    expect(model.facts[0]).toMatchObject({ topic: "operation", source: "config" });
    expect(model.facts.find((f) => f.topic === "grant client_credentials" && f.statement.startsWith("client authentication"))!.statement).toMatch(/in the header/);
  });

  it.each<{ name: string; config: ProviderConfig; code: string; pointer: string; file: string }>([
    { name: "no grants entry", config: { tokenOperation: "POST /accesstoken/get" }, code: "no_grant_type", pointer: "/paths/~1accesstoken~1get/post", file: "specs/acme.json" },
    { name: "two grants entries", config: { tokenOperation: "POST /accesstoken/get", grants: { client_credentials: {}, password: {} } }, code: "config", pointer: "/grants", file: CONFIG_FILE },
  ])("$name -> refused, asking for one entry under grants", async ({ config: stated, code, pointer, file }) => {
    const error = await modelError(vipps, stated);
    expect(error.code).toBe(code);
    expect(error.pointer).toBe(pointer);
    expect(error.file).toBe(file);
    expect(error.detail).toMatch(/takes no grant_type/);
    expect(error.detail).toMatch(/exactly one entry under "grants"/);
  });
});

describe("response settings", () => {
  /** Personio style: the token inside `data`, the whole body an allOf of an envelope and a payload. */
  const envelope = (data: Json) =>
    tokenSpec({
      response: { allOf: [{ $ref: "#/components/schemas/Envelope" }, { type: "object", properties: { data } }] },
      components: { schemas: { Envelope: { type: "object", required: ["success"], properties: { success: { type: "boolean" } } } } },
    });
  const closed = envelope({ type: "object", additionalProperties: false, properties: { token: { type: "string" } } });
  const open = envelope({ type: "object", properties: { token: { type: "string" } } });

  it("accessToken: data.token -> a field path, with a config fact", async () => {
    const model = await modelOf(closed, { response: { accessToken: "data.token" } });
    expect(model.success.tokenFields).toEqual({ accessToken: ["data", "token"] });
    expect(model.facts.find((f) => f.topic === "response")).toEqual({ topic: "response", statement: "accessToken is at data.token", source: "config", evidence: `${CONFIG_FILE}#/response/accessToken` });
  });

  it("without the setting the envelope has no access_token -> no_access_token, naming the setting", async () => {
    const error = await modelError(closed);
    expect(error.code).toBe("no_access_token");
    expect(error.detail).toMatch(/"response": \{"accessToken"/);
  });

  it.each<{ name: string; document: Json; path: string; pointer: string }>([
    { name: "a member a closed object lacks", document: closed, path: "data.jwt", pointer: "/response/accessToken" },
    { name: "a top-level member a closed body lacks", document: tokenSpec({ response: { type: "object", additionalProperties: false, properties: { access_token: { type: "string" } } } }), path: "token", pointer: "/response/accessToken" },
  ])("$name -> config error", async ({ document, path, pointer }) => {
    const error = await modelError(document, { response: { accessToken: path } });
    expect(error.code).toBe("config_contradicts_spec");
    expect(error.file).toBe(CONFIG_FILE);
    expect(error.pointer).toBe(pointer);
    expect(error.detail).toMatch(/has no "(jwt|token)" member/);
    // The spec's pointer too: the schema that lacks it.
    expect(error.detail).toMatch(/specs\/acme\.json#\/paths\/|specs\/acme\.json#\/components\//);
  });

  it("a member an open object may have is accepted", async () => {
    const model = await modelOf(open, { response: { accessToken: "data.jwt", tokenType: "data.kind" } });
    expect(model.success.tokenFields).toEqual({ accessToken: ["data", "jwt"], tokenType: ["data", "kind"] });
  });

  it("errorWhen -> errorInSuccess, with a config fact", async () => {
    const model = await modelOf(tokenSpec(), { response: { errorWhen: { field: "ok", equals: false } } });
    expect(model.success.errorInSuccess).toEqual({ field: "ok", equals: false });
    expect(model.facts.find((f) => f.topic === "errors" && f.source === "config")).toMatchObject({ evidence: `${CONFIG_FILE}#/response/errorWhen` });
  });

  it("errorWhen with a dotted field -> a field path", async () => {
    const model = await modelOf(tokenSpec(), { response: { errorWhen: { field: "status.code", equals: "ERR" } } });
    expect(model.success.errorInSuccess).toEqual({ field: ["status", "code"], equals: "ERR" });
  });

  it("encoding form -> responseEncoding, and a form-encoded success body can be typed", async () => {
    const document = tokenSpec({
      responses: { "200": { description: "A token", content: { "application/x-www-form-urlencoded": { schema: TOKEN_RESPONSE } } } },
    });
    const refused = await modelError(document);
    expect(refused.code).toBe("no_json_success");
    const model = await modelOf(document, { response: { encoding: "form" } });
    expect(model.success).toMatchObject({ responseEncoding: "form", mediaType: "application/x-www-form-urlencoded", typedKey: "200" });
    expect(model.success.tokenFields.accessToken).toBe("access_token");
  });

  it("without settings there is no errorInSuccess and no responseEncoding", async () => {
    const model = await modelOf(tokenSpec());
    expect(model.success.errorInSuccess).toBeUndefined();
    expect(model.success.responseEncoding).toBeUndefined();
  });
});

describe("expiry override", () => {
  it.each<{ expiry: NonNullable<ProviderConfig["expiry"]>; rule: unknown; statement: RegExp }>([
    { expiry: { kind: "none" }, rule: { kind: "none" }, statement: /no expiry/ },
    { expiry: { kind: "relative", field: "ttl" }, rule: { kind: "relative", field: "ttl" }, statement: /ttl is seconds from receipt/ },
    { expiry: { kind: "absolute", field: "expires_in", unit: "s" }, rule: { kind: "absolute", field: "expires_in", unit: "s" }, statement: /absolute unix time in seconds/ },
    { expiry: { kind: "absolute", field: "meta.expires_at", unit: "ms" }, rule: { kind: "absolute", field: ["meta", "expires_at"], unit: "ms" }, statement: /milliseconds/ },
  ])("$expiry.kind -> the stated rule", async ({ expiry, rule, statement }) => {
    const model = await modelOf(tokenSpec(), { expiry });
    expect(model.success.expiry).toEqual(rule);
    // A member the schema does not document adds a warning (test/generator/expiry-config.test.ts); the rule is the config's.
    const facts = model.facts.filter((f) => f.topic === "expiry" && f.source === "config");
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({ source: "config", evidence: `${CONFIG_FILE}#/expiry`, statement: expect.stringMatching(statement) });
  });
});

describe("grants settings", () => {
  const freeForm = (extra: Json = {}, requiredNames: string[] = ["grant_type"]) =>
    tokenSpec({
      body: {
        type: "object",
        required: requiredNames,
        properties: { grant_type: { type: "string" }, username: { type: "string" }, password: { type: "string" }, scope: { type: "string" }, ...extra },
      },
    });

  it("grants listed for a free-form grant_type field (no enum) are the grants", async () => {
    const model = await modelOf(freeForm(), { grants: { client_credentials: {}, password: {} } });
    expect(model.grants.map((g) => g.grantType)).toEqual(["client_credentials", "password"]);
    expect(model.grants.every((g) => g.grantField === "grant_type")).toBe(true);
    const grantFacts = model.facts.filter((f) => f.topic === "grants");
    expect(grantFacts).toEqual([{ topic: "grants", statement: "grant types client_credentials, password (the field has no enum)", source: "config", evidence: `${CONFIG_FILE}#/grants` }]);
    // the flat schema is split: username/password belong to the password grant
    expect(grant(model, "client_credentials").fields.map((f) => f.name)).toEqual(["scope"]);
  });

  it("a grants entry the enum does not list -> config error at that grant", async () => {
    const document = tokenSpec();
    const error = await modelError(document, { grants: { password: {} } });
    expect(error.code).toBe("config");
    expect(error.pointer).toBe("/grants/password");
    expect(error.detail).toMatch(/no "password" grant; its grants are client_credentials/);
  });

  it("relaxRequired: the field becomes optional, is listed, and a config fact says so", async () => {
    const document = tokenSpec({
      body: {
        type: "object",
        required: ["grant_type", "audience", "scope"],
        properties: { grant_type: { type: "string", enum: ["client_credentials"] }, audience: { type: "string" }, scope: { type: "string" } },
      },
    });
    const model = await modelOf(document, { grants: { client_credentials: { relaxRequired: ["audience"] } } });
    const g = grant(model, "client_credentials");
    expect(field(g.fields, "audience").required).toBe(false);
    expect(field(g.fields, "scope").required).toBe(true);
    expect(g.relaxedRequired).toEqual(["audience"]);
    expect(model.facts.find((f) => f.topic === "grant client_credentials" && f.statement.startsWith("audience"))).toEqual({
      topic: "grant client_credentials",
      statement: "audience is required by the schema but this grant does not send it",
      source: "config",
      evidence: `${CONFIG_FILE}#/grants/client_credentials/relaxRequired`,
    });
  });

  it("relaxRequired naming a field that is not required -> config error at that entry", async () => {
    const error = await modelError(freeForm(), { grants: { password: { relaxRequired: ["scope"] } } });
    expect(error.code).toBe("config");
    expect(error.file).toBe(CONFIG_FILE);
    expect(error.pointer).toBe("/grants/password/relaxRequired/0");
    expect(error.detail).toMatch(/"scope" is not a required field of the password request/);
  });

  it("relaxRequired with a repeated entry: the bad entry's own index is reported", async () => {
    const document = tokenSpec({
      body: { type: "object", required: ["grant_type", "audience"], properties: { grant_type: { type: "string", enum: ["client_credentials"] }, audience: { type: "string" }, scope: { type: "string" } } },
    });
    const error = await modelError(document, { grants: { client_credentials: { relaxRequired: ["audience", "audience", "scope"] } } });
    expect(error).toMatchObject({ code: "config", pointer: "/grants/client_credentials/relaxRequired/2" });
  });

  // Extension grant types are absolute URIs (RFC 6749 §4.5): each "/" is "~1" in a pointer (RFC 6901).
  describe("a URI grant type is escaped in config pointers", () => {
    const uri = "http://oauth.net/grant_type/device/1.0";
    const escaped = "http:~1~1oauth.net~1grant_type~1device~11.0";
    const document = tokenSpec({
      body: { type: "object", required: ["grant_type", "audience"], properties: { grant_type: { type: "string", enum: [uri] }, audience: { type: "string" }, scope: { type: "string" } } },
    });

    it("control: the grant is read and relaxRequired applies", async () => {
      const model = await modelOf(document, { grants: { [uri]: { relaxRequired: ["audience"] } } });
      expect(grant(model, uri).relaxedRequired).toEqual(["audience"]);
    });

    it("control: a configured grant the spec lacks is reported at an escaped pointer", async () => {
      const error = await modelError(tokenSpec(), { grants: { [uri]: {} } });
      expect(error).toMatchObject({ code: "config", pointer: `/grants/${escaped}` });
    });

    it("relaxRequired naming a field that is not required", async () => {
      const error = await modelError(document, { grants: { [uri]: { relaxRequired: ["scope"] } } });
      expect(error).toMatchObject({ code: "config", pointer: `/grants/${escaped}/relaxRequired/0` });
    });

    it("alternatives naming a field the schema lacks", async () => {
      const error = await modelError(document, { grants: { [uri]: { alternatives: [["audience"], ["nope"]] } } });
      expect(error).toMatchObject({ code: "config", pointer: `/grants/${escaped}/alternatives/1/0` });
    });

    it("the relaxRequired fact's evidence", async () => {
      const model = await modelOf(document, { grants: { [uri]: { relaxRequired: ["audience"] } } });
      expect(model.facts.find((f) => f.statement.startsWith("audience is required"))!.evidence).toBe(`${CONFIG_FILE}#/grants/${escaped}/relaxRequired`);
    });
  });

  it("relaxRequired naming a field the schema does not have -> config error", async () => {
    const error = await modelError(freeForm(), { grants: { password: { relaxRequired: ["otp"] } } });
    expect(error).toMatchObject({ code: "config", pointer: "/grants/password/relaxRequired/0" });
  });
});

describe("clientAuth and displayName", () => {
  it("clientAuth fields without a client_id field -> config error", async () => {
    const error = await modelError(tokenSpec(), { clientAuth: "fields" });
    expect(error).toMatchObject({ code: "config", file: CONFIG_FILE, pointer: "/clientAuth" });
    expect(error.detail).toMatch(/client_id/);
  });

  it.each<{ clientAuth: "basic" | "none"; kind: string }>([
    { clientAuth: "basic", kind: "basic" },
    { clientAuth: "none", kind: "none" },
  ])("clientAuth $clientAuth overrides a client_id field, with a config fact", async ({ clientAuth, kind }) => {
    const document = tokenSpec({
      body: { type: "object", required: ["grant_type"], properties: { grant_type: { type: "string", enum: ["client_credentials"] }, client_id: { type: "string" } } },
    });
    const model = await modelOf(document, { clientAuth });
    expect(decidedClientAuth(model.grants[0]!)).toEqual({ kind });
    expect(model.facts.find((f) => f.statement.startsWith("client authentication"))).toMatchObject({ source: "config", evidence: `${CONFIG_FILE}#/clientAuth` });
  });

  it("displayName sets the type prefix; the config file is recorded", async () => {
    const model = await modelOf(tokenSpec(), { displayName: "Commerce Layer" });
    expect(model.typePrefix).toBe("CommerceLayer");
    expect(model.provider).toBe("acme");
    expect(model.source.configFile).toBe(CONFIG_FILE);
  });
});

describe("requestPath: a path the spec does not state (a tenant)", () => {
  it.each<{ name: string; requestPath: unknown }>([
    { name: "an absolute URL (credentials would follow the host)", requestPath: "https://evil.example/token" },
    { name: "a scheme-relative URL", requestPath: "//evil.example/token" },
    { name: "a query", requestPath: "/token?x=1" },
    { name: "a fragment", requestPath: "/token#a" },
    { name: "no leading slash", requestPath: "token" },
    { name: "a template that is not a name", requestPath: "/{a b}/token" },
  ])("refuses $name", async ({ requestPath }) => {
    const { error } = await configError({ requestPath });
    expect(error).toMatchObject({ code: "config", pointer: "/requestPath" });
  });

  it("adds each undocumented {name} as a required string path parameter of every grant, with a config fact", async () => {
    const model = await modelOf(tokenSpec(), { requestPath: "/{tenant}/oauth2/v2.0/token" });
    expect(model.operation.requestPath).toBe("/{tenant}/oauth2/v2.0/token");
    expect(model.request.parameters).toMatchObject({ tenant: "path" });
    for (const g of model.grants) expect(field(g.fields, "tenant")).toMatchObject({ in: "path", required: true, fromConfig: true });
    expect(model.facts.find((f) => f.statement.includes("{tenant}"))).toMatchObject({ source: "config", evidence: `${CONFIG_FILE}#/requestPath` });
  });

  it("refuses a requestPath that drops one of the spec's own path parameters", async () => {
    const document = tokenSpec({ path: "/keys/{keyName}/token", operation: { parameters: [{ name: "keyName", in: "path", required: true, schema: { type: "string" } }] } });
    const error = await modelError(document, { requestPath: "/token" });
    expect(error).toMatchObject({ code: "config", pointer: "/requestPath" });
    expect(error.message).toContain("{keyName}");
  });
});
