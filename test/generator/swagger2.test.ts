// Swagger 2.0 input: validated as 2.0 (errors point into the 2.0 file), then
// converted to OpenAPI 3.0 by swagger2openapi in the load stage, so the rest of
// the pipeline only ever reads OpenAPI 3.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecError, loadSpec, loadSpecText, lookupPointer, type LoadedSpec, type SpecErrorCode } from "../../generator/load/index.js";
import { REPO_ROOT, sha256Hex, type Json } from "./helpers.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const FORM = "application~1x-www-form-urlencoded";
const TOKEN_OP = "/paths/~1token/post";

/** A small valid Swagger 2.0 token spec (client credentials in a form); `change` edits a copy. */
function swagger(change: (document: Json & { paths: Record<string, Json> }) => void = () => undefined): Json {
  const document = {
    swagger: "2.0",
    info: { title: "Acme", version: "1" },
    host: "auth.example.com",
    basePath: "/v1",
    schemes: ["https"],
    consumes: ["application/x-www-form-urlencoded"],
    produces: ["application/json"],
    paths: {
      "/token": {
        post: {
          operationId: "getToken",
          parameters: [
            { name: "grant_type", in: "formData", type: "string", required: true, enum: ["client_credentials"] },
            { name: "client_id", in: "formData", type: "string", required: true },
            { name: "client_secret", in: "formData", type: "string", required: true },
          ],
          responses: { "200": { description: "A token", schema: { $ref: "#/definitions/Token" } } },
        },
      },
    } as Record<string, Json>,
    definitions: {
      Token: { type: "object", required: ["access_token"], properties: { access_token: { type: "string" }, expires_in: { type: "integer" } } },
    },
    securityDefinitions: {
      oauth: { type: "oauth2", flow: "application", tokenUrl: "https://auth.example.com/v1/token", scopes: { read: "Read" } },
    },
  };
  change(document);
  return document;
}

const load = (document: unknown, file = "specs/acme.json") => loadSpecText(file, bytes(JSON.stringify(document, null, 2)));

async function refusal(document: unknown, file = "specs/acme.json"): Promise<SpecError> {
  const outcome = await load(document, file).then(() => undefined, (error: unknown) => error);
  if (!(outcome instanceof SpecError)) throw new Error(`expected a SpecError, got ${outcome === undefined ? "a loaded spec" : String(outcome)}`);
  return outcome;
}

function at(spec: LoadedSpec, pointer: string): unknown {
  const found = lookupPointer(spec.document, pointer);
  if (!found.found) throw new Error(`nothing at ${pointer} (missing ${found.missingAt}) in ${JSON.stringify(spec.document).slice(0, 2000)}`);
  return found.value;
}

const formSchema = `${TOKEN_OP}/requestBody/content/${FORM}/schema`;

describe("Swagger 2.0 -> OpenAPI 3.0: what the model gets", () => {
  it.each<{ name: string; given: Json; want: Record<string, unknown>; absent?: string[] }>([
    {
      name: "formData grant_type/client_id/client_secret -> a form requestBody",
      given: swagger(),
      want: {
        [`${formSchema}/type`]: "object",
        [`${formSchema}/properties/grant_type`]: { type: "string", enum: ["client_credentials"] },
        [`${formSchema}/properties/client_id/type`]: "string",
        [`${formSchema}/required`]: ["grant_type", "client_id", "client_secret"],
      },
      absent: [`${TOKEN_OP}/parameters`, "/consumes", "/produces", "/swagger", "/host", "/basePath", "/schemes", "/definitions", "/securityDefinitions"],
    },
    {
      name: "operation consumes multipart/form-data (overrides the document's) -> that media type",
      given: swagger((d) => {
        d.paths["/token"]!["post"] = { ...(d.paths["/token"]!["post"] as Json), consumes: ["multipart/form-data"] };
      }),
      want: { [`${TOKEN_OP}/requestBody/content/multipart~1form-data/schema/properties/client_secret/type`]: "string" },
      absent: [`${TOKEN_OP}/requestBody/content/${FORM}`],
    },
    {
      name: "a body parameter with consumes application/json -> a JSON requestBody with the schema ref rewritten",
      given: swagger((d) => {
        d["consumes"] = ["application/json"];
        (d["definitions"] as Json)["TokenRequest"] = { type: "object", properties: { grantType: { type: "string" } } };
        (d.paths["/token"]!["post"] as Json)["parameters"] = [{ name: "body", in: "body", required: true, schema: { $ref: "#/definitions/TokenRequest" } }];
      }),
      want: {
        [`${TOKEN_OP}/requestBody/content/application~1json/schema/$ref`]: "#/components/schemas/TokenRequest",
        [`${TOKEN_OP}/requestBody/required`]: true,
        "/components/schemas/TokenRequest/properties/grantType/type": "string",
      },
    },
    {
      name: "query parameters on a GET (Slack's token methods) stay parameters, with a schema, and no requestBody",
      given: swagger((d) => {
        d.paths["/token"] = {
          get: {
            parameters: [
              { name: "client_id", in: "query", type: "string" },
              { name: "code", in: "query", type: "string", required: true },
            ],
            responses: { "200": { description: "ok", schema: { $ref: "#/definitions/Token" } } },
          },
        };
      }),
      want: {
        "/paths/~1token/get/parameters/0": { name: "client_id", in: "query", schema: { type: "string" } },
        "/paths/~1token/get/parameters/1/required": true,
      },
      absent: ["/paths/~1token/get/requestBody"],
    },
    {
      name: "a $ref to #/definitions/Token -> #/components/schemas/Token, and it resolves",
      given: swagger(),
      want: {
        [`${TOKEN_OP}/responses/200/content/application~1json/schema/$ref`]: "#/components/schemas/Token",
        "/components/schemas/Token/properties/access_token/type": "string",
      },
    },
    {
      name: "a shared #/parameters entry -> #/components/parameters",
      given: swagger((d) => {
        d["parameters"] = { Version: { name: "Api-Version", in: "header", type: "string", required: true } };
        (d.paths["/token"]!["post"] as { parameters: unknown[] }).parameters.push({ $ref: "#/parameters/Version" });
      }),
      want: {
        [`${TOKEN_OP}/parameters/0/$ref`]: "#/components/parameters/Version",
        "/components/parameters/Version/schema/type": "string",
      },
    },
    {
      name: "host + basePath + schemes [https, http] -> one server per scheme",
      given: swagger((d) => {
        d["schemes"] = ["https", "http"];
      }),
      want: { "/servers": [{ url: "https://auth.example.com/v1" }, { url: "http://auth.example.com/v1" }] },
    },
    {
      name: "basePath without host -> a relative server",
      given: swagger((d) => {
        delete d["host"];
      }),
      want: { "/servers": [{ url: "/v1" }] },
    },
    {
      name: "x-servers (swagger++ / APIs.guru) replaces the servers host would give",
      given: swagger((d) => {
        d["x-servers"] = [{ url: "https://{region}.example.com", variables: { region: { default: "eu" } } }];
      }),
      want: { "/servers": [{ url: "https://{region}.example.com", variables: { region: { default: "eu" } } }] },
      absent: ["/x-servers"],
    },
    {
      name: "flow application -> clientCredentials",
      given: swagger(),
      want: {
        "/components/securitySchemes/oauth/type": "oauth2",
        "/components/securitySchemes/oauth/flows/clientCredentials": { tokenUrl: "https://auth.example.com/v1/token", scopes: { read: "Read" } },
      },
      absent: ["/components/securitySchemes/oauth/flow", "/components/securitySchemes/oauth/tokenUrl"],
    },
    {
      name: "flow accessCode -> authorizationCode",
      given: swagger((d) => {
        d["securityDefinitions"] = { oauth: { type: "oauth2", flow: "accessCode", authorizationUrl: "https://a.example.com/authorize", tokenUrl: "https://a.example.com/token", scopes: {} } };
      }),
      want: { "/components/securitySchemes/oauth/flows/authorizationCode": { authorizationUrl: "https://a.example.com/authorize", tokenUrl: "https://a.example.com/token", scopes: {} } },
    },
    {
      name: "flow password -> password",
      given: swagger((d) => {
        d["securityDefinitions"] = { oauth: { type: "oauth2", flow: "password", tokenUrl: "https://a.example.com/token", scopes: {} } };
      }),
      want: { "/components/securitySchemes/oauth/flows/password/tokenUrl": "https://a.example.com/token" },
    },
    {
      name: "flow implicit -> implicit",
      given: swagger((d) => {
        d["securityDefinitions"] = { oauth: { type: "oauth2", flow: "implicit", authorizationUrl: "https://a.example.com/authorize", scopes: {} } };
      }),
      want: { "/components/securitySchemes/oauth/flows/implicit/authorizationUrl": "https://a.example.com/authorize" },
    },
    {
      name: "a tokenUrl with a query string is kept as written (the converter would cut it at ?)",
      given: swagger((d) => {
        d["securityDefinitions"] = { oauth: { type: "oauth2", flow: "application", tokenUrl: "https://a.example.com/token?api-version=2", scopes: {} } };
      }),
      want: { "/components/securitySchemes/oauth/flows/clientCredentials/tokenUrl": "https://a.example.com/token?api-version=2" },
    },
    {
      name: "type basic -> http basic",
      given: swagger((d) => {
        d["securityDefinitions"] = { basic: { type: "basic" } };
        d["security"] = [{ basic: [] }];
      }),
      want: { "/components/securitySchemes/basic": { type: "http", scheme: "basic" }, "/security": [{ basic: [] }] },
    },
    {
      name: "scheme names with spaces (Lyft) -> component names with _, requirements renamed with them",
      given: swagger((d) => {
        d["securityDefinitions"] = { "Client Authentication": { type: "oauth2", flow: "application", tokenUrl: "https://a.example.com/token", scopes: { public: "p" } } };
        d["security"] = [{ "Client Authentication": ["public"] }];
        (d.paths["/token"]!["post"] as Json)["security"] = [{ "Client Authentication": [] }];
      }),
      want: {
        "/components/securitySchemes/Client_Authentication/flows/clientCredentials/tokenUrl": "https://a.example.com/token",
        "/security": [{ Client_Authentication: ["public"] }],
        [`${TOKEN_OP}/security`]: [{ Client_Authentication: [] }],
      },
      absent: ["/components/securitySchemes/Client Authentication"],
    },
    {
      name: "type: [null, string] in a definition -> nullable string",
      given: swagger((d) => {
        (d["definitions"] as { Token: { properties: Json } }).Token.properties["scope"] = { type: ["null", "string"] };
      }),
      want: { "/components/schemas/Token/properties/scope": { type: "string", nullable: true } },
    },
  ])("$name", async ({ given, want, absent }) => {
    const spec = await load(given);
    expect(spec.version).toBe("3.0");
    expect(spec.convertedFrom).toBe("2.0");
    expect(at(spec, "/openapi")).toMatch(/^3\.0\.\d+$/);
    for (const [pointer, value] of Object.entries(want)) expect(at(spec, pointer), pointer).toEqual(value);
    for (const pointer of absent ?? []) expect(lookupPointer(spec.document, pointer).found, pointer).toBe(false);
    // Every $ref of the converted document is local and resolves (the loader checks; this restates it).
    const refs = JSON.stringify(spec.document).match(/"\$ref":"[^"]*"/g) ?? [];
    for (const ref of refs) expect(lookupPointer(spec.document, decodeURIComponent((JSON.parse(`{${ref}}`) as { $ref: string }).$ref.slice(1))).found, ref).toBe(true);
  });

  it("states the conversion as facts; the sha256 is the file's", async () => {
    const text = JSON.stringify(
      swagger((d) => {
        d["securityDefinitions"] = { "Client Authentication": { type: "oauth2", flow: "application", tokenUrl: "https://a.example.com/token", scopes: {} } };
        (d["definitions"] as { Token: { properties: Json } }).Token.properties["scope"] = { type: ["null", "string"] };
      }),
    );
    const spec = await loadSpecText("specs/acme.json", bytes(text));
    expect(spec.sha256).toBe(sha256Hex(text));
    expect(spec.file).toBe("specs/acme.json");
    expect(spec.conversion).toEqual({
      swagger: "2.0",
      openapi: "3.0.0",
      converter: "swagger2openapi@7.0.8",
      patches: 1,
      renamedSecuritySchemes: { "Client Authentication": "Client_Authentication" },
      serversFrom: ["host"],
      warnings: [],
    });
  });

  it("an OpenAPI 3 file is not marked as converted", async () => {
    const spec = await load({ openapi: "3.0.3", info: { title: "a", version: "1" }, paths: {} });
    expect(spec.convertedFrom).toBeUndefined();
    expect(spec.conversion).toBeUndefined();
  });

  it.each<{ name: string; given: Json; serversFrom: string[]; warnings: { pointer: string; message: RegExp }[] }>([
    { name: "no host, no basePath -> no servers", given: swagger((d) => { delete d["host"]; delete d["basePath"]; }), serversFrom: [], warnings: [] },
    {
      name: "an inline x-ms-parameterized-host without a default -> a server whose invented default is a warning",
      given: swagger((d) => {
        delete d["host"];
        d["x-ms-parameterized-host"] = { hostTemplate: "{url}", useSchemePrefix: false, parameters: [{ name: "url", in: "path", required: true, type: "string" }] };
      }),
      serversFrom: ["basePath", "x-ms-parameterized-host"],
      warnings: [{ pointer: "/servers/1/variables/url/default", message: /no default; the converter wrote "none"/ }],
    },
    {
      name: "collectionFormat ssv on a header (lossy in OAS3) -> the converter's warning, located, and removed from the document",
      given: swagger((d) => {
        (d.paths["/token"]!["post"] as { parameters: unknown[] }).parameters.push({ name: "X-Scopes", in: "header", type: "array", items: { type: "string" }, collectionFormat: "ssv" });
      }),
      serversFrom: ["host"],
      warnings: [{ pointer: `${TOKEN_OP}/parameters/0`, message: /ssv is no longer supported/ }],
    },
  ])("conversion facts: $name", async ({ given, serversFrom, warnings }) => {
    const spec = await load(given);
    expect(spec.conversion?.serversFrom).toEqual(serversFrom);
    expect(spec.conversion?.warnings.map((w) => w.pointer)).toEqual(warnings.map((w) => w.pointer));
    spec.conversion?.warnings.forEach((warning, index) => expect(warning.message).toMatch(warnings[index]!.message));
    expect(JSON.stringify(spec.document)).not.toContain("x-s2o-warning");
  });

  it("is deterministic: two loads give byte-identical documents and facts", async () => {
    const text = JSON.stringify(swagger());
    const [a, b] = [await loadSpecText("a.json", bytes(text)), await loadSpecText("a.json", bytes(text))];
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(a.document)).not.toMatch(/x-origin|x-s2o/);
  });

  it("YAML anchors shared between operations convert (the converter alone would refuse them); the shared body becomes a component", async () => {
    const yaml = [
      'swagger: "2.0"',
      "info: {title: a, version: '1'}",
      "paths:",
      "  /token:",
      "    post:",
      "      consumes: [application/x-www-form-urlencoded]",
      "      parameters: &params",
      "        - {name: grant_type, in: formData, type: string}",
      "      responses: &responses",
      "        '200': {description: ok}",
      "  /token2:",
      "    post:",
      "      consumes: [application/x-www-form-urlencoded]",
      "      parameters: *params",
      "      responses: *responses",
      "",
    ].join("\n");
    const spec = await loadSpecText("a.yaml", bytes(yaml));
    // Identical bodies of several operations become one components.requestBodies entry (resolveInternal is off).
    expect(at(spec, "/paths/~1token/post/requestBody")).toEqual({ $ref: "#/components/requestBodies/postToken" });
    expect(at(spec, "/paths/~1token2/post/requestBody")).toEqual({ $ref: "#/components/requestBodies/postToken" });
    expect(at(spec, `/components/requestBodies/postToken/content/${FORM}/schema/properties/grant_type/type`)).toBe("string");
  });
});

describe("Swagger 2.0: a bad document names the file and a pointer into the 2.0 document", () => {
  it.each<{ name: string; given: unknown; code: SpecErrorCode; pointer: string; mentions: string }>([
    {
      name: "a parameter missing `in`",
      given: swagger((d) => {
        (d.paths["/token"]!["post"] as { parameters: Json[] }).parameters[1] = { name: "client_id", type: "string" };
      }),
      code: "invalid",
      pointer: `${TOKEN_OP}/parameters/1`,
      mentions: "not a valid Swagger 2.0 document",
    },
    {
      name: "a response without a description",
      given: swagger((d) => {
        (d.paths["/token"]!["post"] as Json)["responses"] = { "200": { schema: { type: "object" } } };
      }),
      code: "invalid",
      pointer: `${TOKEN_OP}/responses/200`,
      mentions: "description",
    },
    {
      name: "an oauth2 definition with an OAS3 flow name",
      given: swagger((d) => {
        d["securityDefinitions"] = { oauth: { type: "oauth2", flow: "clientCredentials", tokenUrl: "https://a.example.com/token", scopes: {} } };
      }),
      code: "invalid",
      pointer: "/securityDefinitions/oauth/flow",
      mentions: "Swagger 2.0",
    },
    {
      name: "body and formData parameters together (semantic)",
      given: swagger((d) => {
        (d.paths["/token"]!["post"] as { parameters: Json[] }).parameters.push({ name: "body", in: "body", schema: { type: "object" } });
      }),
      code: "invalid",
      pointer: TOKEN_OP,
      mentions: "body parameters and formData parameters",
    },
    {
      name: "a path parameter with no {placeholder} (semantic)",
      given: swagger((d) => {
        (d.paths["/token"]!["post"] as { parameters: Json[] }).parameters.push({ name: "tenant", in: "path", required: true, type: "string" });
      }),
      code: "invalid",
      pointer: TOKEN_OP,
      mentions: "no corresponding {tenant}",
    },
    {
      name: "a duplicate operationId (semantic): the second one",
      given: swagger((d) => {
        d.paths["/token2"] = d.paths["/token"]!;
      }),
      code: "invalid",
      pointer: "/paths/~1token2/post/operationId",
      mentions: "Duplicate operation id 'getToken'",
    },
    {
      name: "a required property that is not declared (semantic)",
      given: swagger((d) => {
        (d["definitions"] as { Token: { required: string[] } }).Token.required.push("token_type");
      }),
      code: "invalid",
      pointer: "/definitions/Token",
      mentions: "'token_type' listed as required",
    },
    {
      name: "a dangling #/definitions ref: the pointer of the object holding it",
      given: swagger((d) => {
        (d.paths["/token"]!["post"] as Json)["responses"] = { "200": { description: "ok", schema: { $ref: "#/definitions/Missing" } } };
      }),
      code: "unresolved_ref",
      pointer: `${TOKEN_OP}/responses/200/schema`,
      mentions: "#/definitions/Missing",
    },
    {
      name: "an external ref in a spec that was not read from a file",
      given: swagger((d) => {
        (d.paths["/token"]!["post"] as Json)["responses"] = { "200": { description: "ok", schema: { $ref: "token.json#/Token" } } };
      }),
      code: "external_ref",
      pointer: `${TOKEN_OP}/responses/200/schema`,
      mentions: "token.json",
    },
    {
      name: 'a member named "__proto__" (the converter would set a prototype)',
      given: JSON.parse(JSON.stringify(swagger()).replace('"expires_in"', '"__proto__"')) as unknown,
      code: "proto_member",
      pointer: "/definitions/Token/properties/__proto__",
      mentions: "__proto__",
    },
    {
      name: 'security schemes "Client Auth" and "Client_Auth" (the same OAS3 component name)',
      given: swagger((d) => {
        d["securityDefinitions"] = { Client_Auth: { type: "basic" }, "Client Auth": { type: "basic" } };
      }),
      code: "conversion_failed",
      pointer: "/securityDefinitions/Client Auth",
      mentions: "cannot convert this Swagger 2.0 document to OpenAPI 3.0: Duplicate sanitised securityScheme name Client_Auth",
    },
    { name: 'swagger "1.2"', given: { swagger: "1.2", info: { title: "a", version: "1" }, paths: {} }, code: "unsupported_version", pointer: "/swagger", mentions: "Swagger 1.2" },
    { name: "swagger as the number 2 (unquoted YAML)", given: { swagger: 2, info: { title: "a", version: "1" }, paths: {} }, code: "version_not_string", pointer: "/swagger", mentions: 'the string "2.0"' },
  ])("$name -> $code at $pointer", async ({ given, code, pointer, mentions }) => {
    const error = await refusal(given, "specs/acme.json");
    expect(error.code).toBe(code);
    expect(error.file).toBe("specs/acme.json");
    expect(error.pointer).toBe(pointer);
    expect(error.message.startsWith(`specs/acme.json#${pointer}: `)).toBe(true);
    expect(error.message).toContain(mentions);
  });
});

// The real 2.0 documents of test/corpus/specs/INDEX.md (or ../shared/corpus before they are copied in).
const CORPUS = [join(REPO_ROOT, "test/corpus/specs"), join(REPO_ROOT, "../shared/corpus")].find((dir) => existsSync(join(dir, "slack-web-api.json")));
const corpusFile = (name: string) => join(CORPUS ?? "", name);

describe.skipIf(CORPUS === undefined)(`corpus Swagger 2.0 documents${CORPUS === undefined ? " (SKIPPED: no corpus at test/corpus/specs or ../shared/corpus)" : ""}`, () => {
  it.each<{ file: string; want: Record<string, unknown>; facts: Partial<Record<string, unknown>> }>([
    {
      file: "slack-web-api.json",
      want: {
        // GET with query params: stays parameters, consumes is dropped, there is no body.
        "/paths/~1oauth.v2.access/get/parameters/0": { description: "Issued when you created your application.", in: "query", name: "client_id", schema: { type: "string" } },
        "/paths/~1oauth.v2.access/get/security": [{ slackAuth: ["none"] }],
        "/components/securitySchemes/slackAuth/flows/authorizationCode/tokenUrl": "https://slack.com/api/oauth.access",
        "/servers": [{ url: "https://slack.com/api" }],
      },
      facts: { serversFrom: ["host"], renamedSecuritySchemes: {}, patches: 32, warnings: [] },
    },
    {
      file: "azure-containerregistry.json",
      want: {
        "/paths/~1oauth2~1token/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties/grant_type/enum": ["refresh_token", "password"],
        "/paths/~1oauth2~1token/post/security": [],
        "/paths/~1oauth2~1token/get/parameters/0/in": "query",
        "/components/securitySchemes/registry_auth": { type: "http", scheme: "basic" },
      },
      facts: { serversFrom: [], renamedSecuritySchemes: {}, warnings: [] },
    },
    {
      file: "lyft-api.yaml",
      want: {
        "/components/securitySchemes/Client_Authentication/flows/clientCredentials/tokenUrl": "https://api.lyft.com/oauth/token",
        "/components/securitySchemes/User_Authentication/flows/authorizationCode/tokenUrl": "https://api.lyft.com/oauth/token",
        "/security": [{ Client_Authentication: ["public"] }, { User_Authentication: ["public"] }],
        "/servers": [{ url: "https://api.lyft.com/v1" }],
      },
      facts: { serversFrom: ["host"], renamedSecuritySchemes: { "Client Authentication": "Client_Authentication", "User Authentication": "User_Authentication" }, warnings: [] },
    },
    {
      file: "aws-sso-oidc.yaml",
      want: {
        "/paths/~1token/post/requestBody/content/application~1json/schema/required": ["clientId", "clientSecret", "grantType", "deviceCode"],
        "/paths/~1token/parameters/0/$ref": "#/components/parameters/X-Amz-Content-Sha256",
        "/servers/1/url": "https://oidc.{region}.amazonaws.com",
        "/servers/1/variables/region/default": "us-east-1",
      },
      facts: { serversFrom: ["x-servers"], renamedSecuritySchemes: {}, warnings: [] },
    },
  ])("$file loads and converts", async ({ file, want, facts }) => {
    const path = corpusFile(file);
    const spec = await loadSpec(path);
    expect(spec.version).toBe("3.0");
    expect(spec.convertedFrom).toBe("2.0");
    expect(spec.sha256).toBe(sha256Hex(readFileSync(path)));
    expect(at(spec, "/openapi")).toBe("3.0.0");
    expect(spec.conversion).toMatchObject(facts);
    for (const [pointer, value] of Object.entries(want)) expect(at(spec, pointer), pointer).toEqual(value);
  });

  it("Azure: the x-ms-examples refs to absent ./examples files are dropped, not followed", async () => {
    const spec = await loadSpec(corpusFile("azure-containerregistry.json"));
    const dropped = spec.droppedExtensions ?? [];
    expect(dropped).toContain("/paths/~1oauth2~1token/post/x-ms-examples");
    // Also the two extensions holding local refs: the parameterized host and the extra paths.
    expect(dropped.filter((pointer) => !pointer.endsWith("/x-ms-examples"))).toEqual(["/x-ms-parameterized-host", "/x-ms-paths"]);
    expect(JSON.stringify(spec.document)).not.toContain("./examples/");
    expect(spec.document["servers"]).toBeUndefined();
  });

  it("Slack converts to byte-identical JSON twice", async () => {
    const [a, b] = [await loadSpec(corpusFile("slack-web-api.json")), await loadSpec(corpusFile("slack-web-api.json"))];
    expect(JSON.stringify(b.document)).toBe(JSON.stringify(a.document));
    expect(b.conversion).toEqual(a.conversion);
  });
});
