// Several token operations in one spec (issue 12): which operations the search keeps, their names, grants and
// method names, the wire slice, and a generated ACR-like client driven against a real server on 127.0.0.1: each
// operation's grant methods, and a session on the operation that issues access tokens.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitProvider, grantMethods, runtimeFiles } from "../../generator/emit/index.js";
import { providerNames } from "../../generator/emit/names.js";
import { wireTypes } from "../../generator/emit/wire.js";
import { loadSpecText, type ProviderConfig } from "../../generator/load/index.js";
import { buildModel, type ProviderModel } from "../../generator/model/index.js";
import { startTokenServer, type TokenServer } from "../support/loopback.js";
import { diagnosticsUnder, ERROR_RESPONSE, modelError, modelOf, TOKEN_RESPONSE, transpileTree, typecheck, useTempDirs, writeTree, type Json } from "./helpers.js";

const grantBody = (...grants: string[]): Json => ({
  type: "object",
  required: ["grant_type"],
  properties: { grant_type: { type: "string", enum: grants }, service: { type: "string" }, refresh_token: { type: "string" }, access_token: { type: "string" } },
});
const REFRESH_ONLY: Json = { type: "object", properties: { refresh_token: { type: "string" } } };
const WITH_REFRESH: Json = { ...TOKEN_RESPONSE, properties: { ...(TOKEN_RESPONSE["properties"] as Json), refresh_token: { type: "string" } } };
const NO_TOKEN: Json = { type: "object", properties: { status: { type: "string" } } };

const post = (operationId: string, grants: readonly string[], response: Json = TOKEN_RESPONSE): Json => ({
  operationId,
  requestBody: { required: true, content: { "application/x-www-form-urlencoded": { schema: grantBody(...grants) } } },
  responses: {
    "200": { description: "ok", content: { "application/json": { schema: response } } },
    "400": { description: "bad", content: { "application/json": { schema: ERROR_RESPONSE } } },
  },
});

const documentOf = (paths: Json): Json => ({ openapi: "3.0.3", info: { title: "Acr Like", version: "1" }, paths });

/** ACR's shape: an exchange answering a refresh token only, and a token operation answering access tokens. */
const ACR_LIKE = documentOf({
  "/oauth2/exchange": { post: post("Authentication_Exchange", ["access_token", "refresh_token"], REFRESH_ONLY) },
  "/oauth2/token": { post: post("Authentication_Token", ["refresh_token", "password"], WITH_REFRESH) },
});

const summary = (model: ProviderModel) =>
  [model, ...(model.otherOperations ?? [])].map((o) => ({
    name: o.operation.name,
    label: `${o.operation.method.toUpperCase()} ${o.operation.path}`,
    grants: o.grants.map((g) => g.grantType),
    issues: o.success.issues ?? "access_token",
  }));

describe("which operations are token operations", () => {
  it.each<{ name: string; document: Json; want: ReturnType<typeof summary> }>([
    {
      name: "ACR-like: an exchange answering a refresh token, a token operation answering access tokens -> both, token first",
      document: ACR_LIKE,
      want: [
        { name: "token", label: "POST /oauth2/token", grants: ["refresh_token", "password"], issues: "access_token" },
        { name: "exchange", label: "POST /oauth2/exchange", grants: ["access_token", "refresh_token"], issues: "refresh_token" },
      ],
    },
    {
      name: "two access-token operations -> both, in document order; same last segment -> named by operationId",
      document: documentOf({ "/oauth/token": { post: post("getToken", ["client_credentials"]) }, "/v2/oauth/token": { post: post("getTokenV2", ["client_credentials"]) } }),
      want: [
        { name: "getToken", label: "POST /oauth/token", grants: ["client_credentials"], issues: "access_token" },
        { name: "getTokenV2", label: "POST /v2/oauth/token", grants: ["client_credentials"], issues: "access_token" },
      ],
    },
    {
      name: "one of two carries grant_type but answers no token -> one operation, unnamed",
      document: documentOf({ "/oauth/token": { post: post("getToken", ["client_credentials"]) }, "/oauth/check": { post: post("check", ["client_credentials"], NO_TOKEN) } }),
      want: [{ name: undefined, label: "POST /oauth/token", grants: ["client_credentials"], issues: "access_token" }],
    },
  ])("$name", async ({ document, want }) => {
    const model = await modelOf(document);
    expect(summary(model)).toEqual(want);
  });

  it("none of several answers a token -> ambiguous_token_operation naming both", async () => {
    const error = await modelError(documentOf({ "/a/token": { post: post("a", ["client_credentials"], NO_TOKEN) }, "/b/token": { post: post("b", ["client_credentials"], NO_TOKEN) } }));
    expect(error.code).toBe("ambiguous_token_operation");
    expect(error.message).toContain("POST /a/token");
    expect(error.message).toContain("POST /b/token");
  });

  it.each<{ name: string; config: Json; want: string[] }>([
    // given a provider config -> want the operations modelled, primary first
    { name: "tokenOperation: only this one", config: { tokenOperation: "POST /oauth2/token" }, want: ["POST /oauth2/token"] },
    { name: "tokenOperations: these, in this order", config: { tokenOperations: ["POST /oauth2/token", "POST /oauth2/exchange"] }, want: ["POST /oauth2/token", "POST /oauth2/exchange"] },
  ])("$name", async ({ config, want }) => {
    const model = await modelOf(ACR_LIKE, config as ProviderConfig);
    expect(summary(model).map((o) => o.label)).toEqual(want);
  });

  it("a config naming a refresh-token-only operation as the primary one -> no_access_token (sessions need an access token)", async () => {
    const error = await modelError(ACR_LIKE, { tokenOperations: ["POST /oauth2/exchange", "POST /oauth2/token"] });
    expect(error.code).toBe("no_access_token");
  });

  it("an operation answering a refresh token only: its token is read from refresh_token, no expiry, a fact says so", async () => {
    const model = await modelOf(ACR_LIKE);
    const exchange = model.otherOperations?.[0];
    expect(exchange?.success.tokenFields).toEqual({ accessToken: "refresh_token", refreshToken: "refresh_token" });
    expect(exchange?.success.expiry).toEqual({ kind: "none" });
    expect(model.facts.filter((f) => f.operation === "exchange").map((f) => f.statement)).toContainEqual(expect.stringMatching(/no session opens on this operation/));
  });

  it("the wire slice has both paths, each with only its token operation", async () => {
    const model = await modelOf(ACR_LIKE);
    const paths = model.wireDocument["paths"] as Record<string, Json>;
    expect(Object.keys(paths)).toEqual(["/oauth2/token", "/oauth2/exchange"]);
    expect(Object.keys(paths["/oauth2/exchange"] ?? {})).toEqual(["post"]);
  });
});

describe("method names across operations (emit/names.ts)", () => {
  it.each<{ name: string; document: Json; want: string[] }>([
    // given the operations' grants -> want every grant method, primary operation first
    { name: "ACR-like: the exchange's refresh_token is named for its operation", document: ACR_LIKE, want: ["refreshToken", "password", "accessToken", "refreshTokenExchange"] },
    {
      name: "the same grant in two operations named by operationId",
      document: documentOf({ "/oauth/token": { post: post("getToken", ["client_credentials"]) }, "/v2/oauth/token": { post: post("getTokenV2", ["client_credentials"]) } }),
      want: ["clientCredentials", "clientCredentialsGetTokenV2"],
    },
  ])("$name", async ({ document, want }) => {
    // grantMethods is what `generate` lists; each name is the one the client declares (emit/names.ts).
    const model = await modelOf(document);
    const names = providerNames(model);
    expect(grantMethods(model)).toEqual(want);
    expect([...model.grants, ...(model.otherOperations ?? []).flatMap((o) => o.grants)].map(names.method)).toEqual(want);
  });
});

interface Outcome {
  readonly ok: boolean;
  readonly token?: { readonly accessToken: string; readonly refreshToken?: string };
  readonly error?: { readonly kind: string; readonly message: string };
}
type Method = (params: Record<string, unknown>) => Promise<Outcome>;
interface Session {
  getAccessToken(): Promise<string>;
  invalidate(): Promise<void>;
  close(): Promise<void>;
}

describe("a generated ACR-like client against a server on 127.0.0.1", () => {
  const tempDir = useTempDirs();
  let root = "";
  let server: TokenServer | undefined;
  let client: Record<string, Method> = {};
  let createSession: ((client: unknown, request: Record<string, unknown>, options?: Record<string, unknown>) => Session) | undefined;
  let refreshCount = 0;
  let now = 1_750_000_000_000;

  beforeAll(async () => {
    root = await tempDir("multi-operation");
    const spec = await loadSpecText("specs/acr-like.json", new TextEncoder().encode(JSON.stringify(ACR_LIKE)));
    const model = buildModel({ spec });
    const files = [...runtimeFiles("npm run generate"), ...emitProvider(model, await wireTypes(model.wireDocument), "npm run generate")];
    writeTree(root, Object.fromEntries(files.map((f) => [f.path, f.content])));
    expect([...transpileTree(root)]).toEqual([]);
    const module = (await import(pathToFileURL(join(root, "acr-like", "index.js")).href)) as Record<string, unknown>;
    const create = module["createAcrLikeClient"] as (options: Record<string, unknown>) => Record<string, Method>;
    createSession = module["createAcrLikeSession"] as typeof createSession;
    server = await startTokenServer((request) => {
      const form = new URLSearchParams(request.body);
      if (request.url === "/oauth2/exchange") return { status: 200, body: { refresh_token: `acr-refresh-for-${form.get("grant_type") ?? ""}` } };
      if (form.get("grant_type") === "refresh_token") refreshCount += 1;
      return { status: 200, body: { access_token: `acr-access-${form.get("grant_type") ?? ""}-${refreshCount}`, token_type: "Bearer", refresh_token: "acr-refresh-2", expires_in: 3600 } };
    });
    client = create({ baseUrl: server.url, clock: () => now });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it("index.ts exports each operation's types", async () => {
    const { readFile } = await import("node:fs/promises");
    const index = await readFile(join(root, "acr-like", "index.ts"), "utf8");
    for (const name of ["AcrLikeExchangeResponse", "AcrLikeExchangeResponseError", "AcrLikeExchangeResult", "AcrLikeRefreshTokenExchangeParams", "AcrLikeAccessTokenParams"]) {
      expect(index).toContain(`  ${name},`);
    }
  });

  it("type-checks with the strict flags", () => {
    expect(diagnosticsUnder(typecheck(root, { skipLibCheck: true }), "acr-like")).toEqual([]);
  }, 60_000);

  it.each<{ method: string; params: Record<string, unknown>; path: string; token: string }>([
    // given a grant method -> want the request at its operation's path and the token that operation issues
    { method: "accessToken", params: { service: "r.azurecr.io", access_token: "aad" }, path: "/oauth2/exchange", token: "acr-refresh-for-access_token" },
    { method: "refreshTokenExchange", params: { service: "r.azurecr.io", refresh_token: "aad-refresh" }, path: "/oauth2/exchange", token: "acr-refresh-for-refresh_token" },
    { method: "password", params: { service: "r.azurecr.io" }, path: "/oauth2/token", token: "acr-access-password-0" },
  ])("$method() -> $path", async ({ method, params, path, token }) => {
    const call = client[method];
    if (call === undefined) throw new Error(`no ${method}()`);
    const before = server!.requests.length;
    const result = await call(params);
    expect(result.error?.message).toBeUndefined();
    expect(result.token?.accessToken).toBe(token);
    expect(server!.requests.slice(before).map((r) => r.url)).toEqual([path]);
  });

  it("a session opened with the token operation's password grant refreshes there; the exchange's grants open none", async () => {
    const session = createSession!(client, { grant: "password", service: "r.azurecr.io" }, { minRefreshIntervalMs: 0 });
    const before = server!.requests.length;
    expect(await session.getAccessToken()).toBe("acr-access-password-0");
    now += 2 * 3600_000; // past expiry: the session refreshes with the refresh token it holds
    expect(await session.getAccessToken()).toBe("acr-access-refresh_token-1");
    await session.close();
    const sent = server!.requests.slice(before).map((r) => ({ url: r.url, grant: new URLSearchParams(r.body).get("grant_type"), refresh: new URLSearchParams(r.body).get("refresh_token") }));
    console.log(`session: ${sent.length} requests: ${sent.map((s) => `${s.grant} -> ${s.url}`).join(", ")}`);
    expect(sent[0]).toEqual({ url: "/oauth2/token", grant: "password", refresh: null });
    expect(sent.slice(1)).toEqual([{ url: "/oauth2/token", grant: "refresh_token", refresh: "acr-refresh-2" }]);
    expect(() => createSession!(client, { grant: "access_token", service: "r.azurecr.io" })).toThrow(/unknown grant "access_token"/);
  });
});
