import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpecSchemas } from "./spec-schema.js";
import type { OperationSchemas, RequestCheck } from "./spec-schema.js";

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

function specPath(file: string): string {
  return fileURLToPath(new URL(`../../specs/${file}`, import.meta.url));
}

type Fields = Record<string, string | string[]>;

function encode(mediaType: string, fields: Fields): string {
  if (mediaType === JSON_TYPE) return JSON.stringify(fields);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
  }
  return params.toString();
}

function without(fields: Fields, field: string): Fields {
  const copy = { ...fields };
  delete copy[field];
  return copy;
}

function errorsOf(check: RequestCheck | { ok: true } | { ok: false; errors: string[] }): string[] {
  return check.ok ? [] : check.errors;
}

interface TokenCase {
  spec: string;
  path: string;
  method: string;
  mediaType: typeof FORM | typeof JSON_TYPE;
  valid: Fields;
  /** A field the schema requires for `valid`'s variant. */
  required: string;
  /** A value outside the enum of `valid[field]`; null when the spec declares no enum. */
  wrongEnum: { field: string; value: string } | null;
}

const cases: TokenCase[] = [
  {
    spec: "zype.json",
    path: "/oauth/token",
    method: "post",
    mediaType: JSON_TYPE,
    valid: { client_id: "cid", client_secret: "secret", username: "a@example.com", password: "pw", grant_type: "password" },
    required: "client_secret",
    wrongEnum: { field: "grant_type", value: "client_credentials" },
  },
  {
    spec: "zeepay.yaml",
    path: "/oauth/token",
    method: "post",
    mediaType: FORM,
    valid: { client_id: "cid", client_secret: "secret", username: "a@example.com", password: "pw", grant_type: "password" },
    required: "password",
    wrongEnum: null, // grant_type is a plain string with an example, no enum
  },
  {
    spec: "asset.yaml",
    path: "/v0/auth/token",
    method: "post",
    mediaType: FORM,
    valid: { client_id: "cid", client_secret: "secret", grant_type: "client_credentials", expires_in: "3600", scope: "ledger:read" },
    required: "client_id",
    wrongEnum: { field: "grant_type", value: "password" },
  },
  {
    spec: "commercelayer.yaml",
    path: "/oauth/token",
    method: "post",
    mediaType: JSON_TYPE,
    valid: { grant_type: "password", username: "a@example.com", password: "pw", client_id: "cid", scope: "market:id:x" },
    required: "password",
    wrongEnum: { field: "grant_type", value: "authorization_code" },
  },
  {
    spec: "devportal.yaml",
    path: "/oauth2/tokens",
    method: "post",
    mediaType: FORM,
    valid: { grant_type: "authorization_code", code: "c0de", redirect_uri: "https://app.example.com/cb", client_id: "cid" },
    required: "redirect_uri",
    wrongEnum: { field: "grant_type", value: "password" },
  },
];

describe.each(cases)("$spec $method $path", (c) => {
  let op: OperationSchemas;
  beforeAll(async () => {
    op = (await loadSpecSchemas(specPath(c.spec))).operation(c.path, c.method);
  });

  it("declares the expected request media type", () => {
    expect(op.requestMediaTypes).toEqual([c.mediaType]);
  });

  it("accepts a valid request body (content-type parameters ignored)", () => {
    const check = op.validateRequest(`${c.mediaType}; charset=UTF-8`, encode(c.mediaType, c.valid));
    expect(errorsOf(check)).toEqual([]);
    expect(check.ok && check.value["grant_type"]).toBe(c.valid["grant_type"]);
  });

  it(`rejects a body missing a required field`, () => {
    const check = op.validateRequest(c.mediaType, encode(c.mediaType, without(c.valid, c.required)));
    expect(check.ok).toBe(false);
    expect(errorsOf(check).join("\n")).toContain(`must have required property '${c.required}'`);
  });

  if (c.wrongEnum) {
    const { field, value } = c.wrongEnum;
    it(`rejects ${field}=${value} (not in the enum)`, () => {
      const check = op.validateRequest(c.mediaType, encode(c.mediaType, { ...c.valid, [field]: value }));
      expect(check.ok).toBe(false);
      expect(errorsOf(check).some((e) => e.includes(`/${field} must be equal to one of the allowed values`))).toBe(true);
    });
  } else {
    it("declares no enum for grant_type, so any value passes the schema", () => {
      expect(errorsOf(op.validateRequest(c.mediaType, encode(c.mediaType, { ...c.valid, grant_type: "anything" })))).toEqual([]);
    });
  }

  it("rejects the body under a media type the operation does not declare", () => {
    const other = c.mediaType === FORM ? JSON_TYPE : FORM;
    const check = op.validateRequest(other, encode(JSON_TYPE, c.valid));
    expect(errorsOf(check)).toEqual([`media type "${other}" is not declared by the request body (declared: ${c.mediaType})`]);
  });

  it("rejects a request without a content type", () => {
    expect(errorsOf(op.validateRequest(undefined, encode(c.mediaType, c.valid)))[0]).toMatch(/missing Content-Type/);
  });

  it("rejects an empty body (requestBody is required)", () => {
    expect(errorsOf(op.validateRequest(c.mediaType, ""))).toEqual(["request body is required but empty"]);
  });

  it("samples a conforming body for every documented response status", () => {
    expect(op.responseStatuses.length).toBeGreaterThan(0);
    for (const status of op.responseStatuses) {
      const sampled = op.sampleResponse(status);
      expect(sampled.contentType, status).toBe(JSON_TYPE);
      expect(op.validateResponse(status, sampled.body), status).toEqual({ ok: true });
      expect(op.sampleResponse(status), `${status} is deterministic`).toEqual(sampled);
    }
  });
});

describe("request decoding", () => {
  let asset: OperationSchemas;
  beforeAll(async () => {
    asset = (await loadSpecSchemas(specPath("asset.yaml"))).operation("/v0/auth/token", "post");
  });

  it("decodes repeated form keys into an array (asset `resource`)", () => {
    const check = asset.validateRequest(FORM, "client_id=cid&resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example");
    expect(check).toEqual({ ok: true, value: { client_id: "cid", resource: ["https://a.example", "https://b.example"] } });
  });

  it("decodes a single value of an array-only property as a one-element array", () => {
    const check = asset.validateRequest(FORM, "client_id=cid&resource=https%3A%2F%2Fa.example");
    expect(check).toEqual({ ok: true, value: { client_id: "cid", resource: ["https://a.example"] } });
  });

  it("rejects a repeated key whose schema is a string", () => {
    expect(errorsOf(asset.validateRequest(FORM, "client_id=a&client_id=b"))).toEqual(["/client_id must be string"]);
  });

  it("coerces form strings to the declared integer type, and reports non-integers", () => {
    const ok = asset.validateRequest(FORM, "client_id=cid&expires_in=60");
    expect(ok.ok && ok.value["expires_in"]).toBe(60);
    expect(errorsOf(asset.validateRequest(FORM, "client_id=cid&expires_in=soon"))).toEqual(["/expires_in must be integer"]);
    expect(errorsOf(asset.validateRequest(FORM, "client_id=cid&expires_in=0"))).toEqual(["/expires_in must be > 0"]);
  });

  it("looks through oneOf alternatives for property types (devportal)", async () => {
    const devportal = (await loadSpecSchemas(specPath("devportal.yaml"))).operation("/oauth2/tokens", "post");
    expect(devportal.validateRequest(FORM, "grant_type=client_credentials&scope=a+b")).toEqual({
      ok: true,
      value: { grant_type: "client_credentials", scope: "a b" },
    });
    expect(devportal.validateRequest(FORM, "grant_type=refresh_token&refresh_token=r1")).toEqual({
      ok: true,
      value: { grant_type: "refresh_token", refresh_token: "r1" },
    });
  });

  it("accepts either oneOf variant of a JSON body (commercelayer refresh grant) and rejects invalid JSON", async () => {
    const cl = (await loadSpecSchemas(specPath("commercelayer.yaml"))).operation("/oauth/token", "post");
    const refresh = { grant_type: "refresh_token", refresh_token: "r1", client_id: "cid" };
    expect(cl.validateRequest(JSON_TYPE, JSON.stringify(refresh))).toEqual({ ok: true, value: refresh });
    expect(errorsOf(cl.validateRequest(JSON_TYPE, "grant_type=password"))[0]).toMatch(/^body is not valid JSON/);
  });

  it("rejects a JSON body sent to a JSON operation as form content", async () => {
    const zype = (await loadSpecSchemas(specPath("zype.json"))).operation("/oauth/token", "post");
    const check = zype.validateRequest(`${FORM};charset=UTF-8`, JSON.stringify({ client_id: "cid" }));
    expect(errorsOf(check)).toEqual([`media type "${FORM}" is not declared by the request body (declared: application/json)`]);
  });
});

describe("responses", () => {
  it("resolves a $ref into #/paths (zype 401 → the 400 schema)", async () => {
    const zype = (await loadSpecSchemas(specPath("zype.json"))).operation("/oauth/token", "post");
    expect(zype.sampleResponse("401")).toEqual(zype.sampleResponse("400"));
    expect(zype.sampleResponse(401).body).toEqual({ error: "sample-error", error_description: "sample-error_description" });
  });

  it("synthesises every property, using valid examples/defaults", async () => {
    const asset = (await loadSpecSchemas(specPath("asset.yaml"))).operation("/v0/auth/token", "post");
    expect(asset.sampleResponse("200")).toEqual({
      contentType: JSON_TYPE,
      body: { access_token: "sample-access_token", token_type: "Bearer", expires_in: 1777657168 },
    });
    // anyOf [string, null] → the string alternative; `data` has no type at all.
    expect(asset.sampleResponse("422").body).toEqual({ error: "sample-error", data: "sample-data" });
    const zeepay = (await loadSpecSchemas(specPath("zeepay.yaml"))).operation("/oauth/token", "post");
    expect(zeepay.sampleResponse("200").body).toEqual({
      token_type: "Bearer",
      expires_in: 31536000,
      access_token: "sample-access_token",
      refresh_token: "sample-refresh_token",
    });
    expect(zeepay.sampleResponse("400").body).toEqual({ error: 1, message: "sample-message" });
  });

  it("shallow-merges overrides and re-validates them", async () => {
    const asset = (await loadSpecSchemas(specPath("asset.yaml"))).operation("/v0/auth/token", "post");
    expect(asset.sampleResponse("200", { expires_in: 60, extra: "kept" }).body).toEqual({
      access_token: "sample-access_token",
      token_type: "Bearer",
      expires_in: 60,
      extra: "kept",
    });
    expect(asset.sampleResponse("200", { token_type: undefined }).body).toEqual({
      access_token: "sample-access_token",
      expires_in: 1777657168,
    });
    expect(() => asset.sampleResponse("200", { expires_in: "soon" })).toThrow(/\/expires_in must be integer/);
    expect(() => asset.sampleResponse("200", { access_token: undefined })).toThrow(/must have required property 'access_token'/);
  });

  it("validates response bodies and reports readable errors", async () => {
    const cl = (await loadSpecSchemas(specPath("commercelayer.yaml"))).operation("/oauth/token", "post");
    expect(cl.validateResponse(200, { token_type: "bearer", expires_in: "7200" })).toEqual({
      ok: false,
      errors: ["/ must have required property 'access_token'", "/expires_in must be integer"],
    });
    expect(() => cl.sampleResponse(401)).toThrow(/no response documented for status 401 \(documented: 200\)/);
  });

  it("devportal 200 (anyOf of overlapping token shapes) accepts a realistic token and rejects a wrong type", async () => {
    const devportal = (await loadSpecSchemas(specPath("devportal.yaml"))).operation("/oauth2/tokens", "post");
    expect(devportal.validateResponse(200, { access_token: "at", expires_in: 3600, token_type: "bearer" })).toEqual({ ok: true });
    expect(devportal.validateResponse(200, { access_token: "at", expires_in: "soon" }).ok).toBe(false);
  });

  it("throws for unknown paths and methods", async () => {
    const spec = await loadSpecSchemas(specPath("zype.json"));
    expect(() => spec.operation("/nope", "post")).toThrow(/no path "\/nope"/);
    expect(() => spec.operation("/oauth/token", "get")).toThrow(/has no "get" operation/);
  });
});

describe("OpenAPI dialect handling (synthetic specs)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "spec-schema-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const annotated = {
    type: "object",
    required: ["id", "kind"],
    discriminator: { propertyName: "kind" },
    xml: { name: "Thing" },
    externalDocs: { url: "https://example.com/docs" },
    properties: {
      id: { type: "string", readOnly: true, example: 42 },
      kind: { type: "string", enum: ["thing", "other"] },
      secret: { type: "string", writeOnly: true },
      old: { type: "string", deprecated: true },
      issued_at: { type: "string", format: "date-time" },
      link: { type: "string", format: "uri" },
      expires_at: { type: "integer" },
      ratio: { type: "number", minimum: 5 },
      active: { type: "boolean" },
      tags: { type: "array", items: { type: "string" } },
    },
  };

  async function write(name: string, doc: unknown): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, JSON.stringify(doc));
    return file;
  }

  it("3.0: tolerates OpenAPI keywords, honours nullable and boolean exclusiveMinimum, ranges and default", async () => {
    const file = await write("oas30.json", {
      openapi: "3.0.3",
      info: { title: "t", version: "1" },
      paths: {
        "/things": {
          post: {
            requestBody: {
              required: true,
              content: {
                "application/x-www-form-urlencoded": {
                  schema: {
                    type: "object",
                    properties: {
                      count: { type: "integer", minimum: 0, exclusiveMinimum: true },
                      flag: { type: "boolean" },
                      note: { type: "string", nullable: true },
                    },
                  },
                },
              },
            },
            responses: {
              "201": { description: "ok", content: { "application/json": { schema: annotated } } },
              "4XX": {
                description: "client error",
                content: { "application/problem+json": { schema: { allOf: [{ $ref: "#/components/schemas/Problem" }], nullable: true } } },
              },
              default: { description: "other", content: { "application/json": { schema: { type: "object", nullable: true } } } },
            },
          },
        },
      },
      components: { schemas: { Problem: { type: "object", properties: { title: { type: "string" } } } } },
    });
    const op = (await loadSpecSchemas(file)).operation("/things", "POST");
    expect(op.validateRequest(FORM, "count=2&flag=true")).toEqual({ ok: true, value: { count: 2, flag: true } });
    expect(errorsOf(op.validateRequest(FORM, "count=0"))).toEqual(["/count must be > 0"]);
    expect(errorsOf(op.validateRequest(FORM, "flag=yes"))).toEqual(["/flag must be boolean"]);

    expect(op.responseStatuses).toEqual(["201", "4XX", "default"]);
    expect(op.sampleResponse("201").body).toEqual({
      // `example: 42` does not conform to `type: string`, so it is not used
      id: "sample-id",
      kind: "thing",
      old: "sample-old",
      issued_at: "2025-01-01T00:00:00.000Z",
      link: "https://example.com/x",
      expires_at: 3600,
      ratio: 5,
      active: true,
      tags: ["sample-tags"],
    });
    expect(op.sampleResponse(404)).toEqual({ contentType: "application/problem+json", body: { title: "sample-title" } });
    expect(op.validateResponse(404, null)).toEqual({ ok: true });
    expect(op.validateResponse(500, null)).toEqual({ ok: true });
    expect(op.validateResponse(500, "text")).toEqual({ ok: false, errors: ["/ must be object"] });
  });

  it("3.1: uses Ajv 2020 (type arrays, const, examples) and tolerates OpenAPI keywords", async () => {
    const file = await write("oas31.json", {
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {
        "/token": {
          post: {
            requestBody: {
              content: { "application/json": { schema: { type: "object", required: ["n"], properties: { n: { type: ["integer", "null"] } } } } },
            },
            responses: {
              "200": {
                description: "ok",
                content: {
                  "application/json": {
                    schema: {
                      ...annotated,
                      properties: {
                        ...annotated.properties,
                        token_type: { const: "Bearer" },
                        scope: { type: ["string", "null"], examples: ["read write"] },
                        expires_in: { anyOf: [{ type: "null" }, { type: "integer" }] },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    });
    const op = (await loadSpecSchemas(file)).operation("/token", "post");
    expect(op.validateRequest(JSON_TYPE, '{"n":null}')).toEqual({ ok: true, value: { n: null } });
    expect(errorsOf(op.validateRequest(JSON_TYPE, '{"n":"1"}'))).toEqual(["/n must be integer,null"]);
    // no requestBody.required: an empty body is acceptable
    expect(op.validateRequest(JSON_TYPE, "")).toEqual({ ok: true, value: {} });
    const body = op.sampleResponse("200").body;
    expect(body).toMatchObject({ token_type: "Bearer", scope: "read write", expires_in: 3600, kind: "thing" });
    expect(body).not.toHaveProperty("secret");
  });
});
