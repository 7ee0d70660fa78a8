// How answers are read: StatusKey ranges and "default", FieldPath token
// fields, numeric-string expiry, form-encoded success bodies and errors
// reported with a success status (errorInSuccess).
import { describe, expect, it } from "vitest";
import { TokenResponseError } from "../../generator/runtime/errors.js";
import type { TransportError } from "../../generator/runtime/errors.js";
import { requestToken } from "../../generator/runtime/request.js";
import type { ClientConfig, StatusKey, TokenEndpoint, TokenResult } from "../../generator/runtime/types.js";
import type { TokenServerReply } from "../support/loopback.js";
import { CLIENT_ID, CLIENT_SECRET, NOW, basicGrant, endpoint, useServers } from "./helpers.js";

const start = useServers();

type Result = TokenResult<Record<string, unknown>, TokenResponseError<number, unknown> | TransportError>;

function config(baseUrl: string, extra: Partial<ClientConfig> = {}): ClientConfig {
  return { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl, clock: () => NOW, ...extra };
}

async function run(ep: Partial<TokenEndpoint>, reply: TokenServerReply): Promise<Result> {
  const server = await start(() => reply);
  return requestToken<Record<string, unknown>, TokenResponseError<number, unknown>>(endpoint(ep), basicGrant, config(server.url), {});
}

const TOKEN_BODY = { access_token: "at-1", token_type: "Bearer", expires_in: 3600 };
const FORM_TYPE = { "Content-Type": "application/x-www-form-urlencoded" };

/** The outcome reduced to what a row compares. */
function outcome(result: Result): { kind: string; status?: number } {
  if (result.ok) return { kind: "token" };
  const error = result.error;
  return "status" in error ? { kind: error.kind, status: error.status } : { kind: error.kind };
}

describe("status keys (OpenAPI Responses: numbers, ranges, default)", () => {
  it.each<{ name: string; success: StatusKey[]; errors: StatusKey[]; reply: TokenServerReply; want: { kind: string; status?: number } }>([
    { name: "2XX accepts 201", success: ["2XX"], errors: [], reply: { status: 201, body: TOKEN_BODY }, want: { kind: "token" } },
    { name: "2XX accepts 299", success: ["2XX"], errors: [], reply: { status: 299, body: TOKEN_BODY }, want: { kind: "token" } },
    { name: "2XX refuses 302", success: ["2XX"], errors: [], reply: { status: 302, body: TOKEN_BODY }, want: { kind: "unexpected_status", status: 302 } },
    { name: "a number and a range", success: [200, "2XX"], errors: [], reply: { status: 203, body: TOKEN_BODY }, want: { kind: "token" } },
    { name: "an empty list is any 2xx", success: [], errors: [], reply: { status: 226, body: TOKEN_BODY }, want: { kind: "token" } },
    { name: "200 only refuses 201", success: [200], errors: [], reply: { status: 201, body: TOKEN_BODY }, want: { kind: "unexpected_status", status: 201 } },
    { name: "success default is any 2xx", success: ["default"], errors: [], reply: { status: 202, body: TOKEN_BODY }, want: { kind: "token" } },
    { name: "success default is not a 4xx", success: ["default"], errors: [], reply: { status: 400, body: { error: "x" } }, want: { kind: "unexpected_status", status: 400 } },
    { name: "4XX types a 418 JSON body", success: [200], errors: ["4XX"], reply: { status: 418, body: { error: "teapot" } }, want: { kind: "response", status: 418 } },
    { name: "4XX with a text body is unexpected", success: [200], errors: ["4XX"], reply: { status: 418, headers: { "Content-Type": "text/plain" }, body: "no" }, want: { kind: "unexpected_status", status: 418 } },
    { name: "4XX does not cover a 500", success: [200], errors: ["4XX"], reply: { status: 500, body: { error: "x" } }, want: { kind: "unexpected_status", status: 500 } },
    { name: "exact status next to its range", success: [200], errors: [400, "4XX"], reply: { status: 400, body: { error: "invalid_grant" } }, want: { kind: "response", status: 400 } },
    { name: "a range next to another exact status", success: [200], errors: [400, "4XX"], reply: { status: 429, body: { error: "slow_down" } }, want: { kind: "response", status: 429 } },
    { name: "5XX types a 503", success: [200], errors: ["5XX"], reply: { status: 503, body: { error: "down" } }, want: { kind: "response", status: 503 } },
    { name: "default types a 500", success: [200], errors: ["default"], reply: { status: 500, body: { error: "x" } }, want: { kind: "response", status: 500 } },
    { name: "default types a 3xx with a JSON body", success: [200], errors: ["default"], reply: { status: 302, body: { error: "moved" } }, want: { kind: "response", status: 302 } },
    { name: "default types an undocumented 2xx", success: [200], errors: ["default"], reply: { status: 202, body: { pending: true } }, want: { kind: "response", status: 202 } },
    { name: "default never turns a success into an error", success: [200], errors: ["default"], reply: { status: 200, body: TOKEN_BODY }, want: { kind: "token" } },
    { name: "default with a text body is unexpected", success: [200], errors: ["default"], reply: { status: 500, headers: { "Content-Type": "text/html" }, body: "<p>" }, want: { kind: "unexpected_status", status: 500 } },
    { name: "a 4XX range and default: 404", success: [200], errors: ["4XX", "default"], reply: { status: 404, body: { error: "nf" } }, want: { kind: "response", status: 404 } },
  ])("$name", async ({ success, errors, reply, want }) => {
    expect(outcome(await run({ successStatuses: success, errorStatuses: errors }, reply))).toEqual(want);
  });

  it("keeps Retry-After on an error matched by its range", async () => {
    const result = await run({ errorStatuses: ["4XX"] }, { status: 429, headers: { "Retry-After": "7" }, body: { error: "slow_down" } });
    expect(!result.ok && result.error instanceof TokenResponseError && result.error.retryAfterMs).toBe(7000);
  });
});

describe("token fields at nested paths", () => {
  const nested: Partial<TokenEndpoint> = {
    tokenFields: { accessToken: ["data", "token"], tokenType: ["data", "type"], refreshToken: ["data", "refresh", "value"], scope: ["data", "scope"] },
    expiry: { kind: "relative", field: ["data", "expires_in"] },
  };

  it("normalises a nested token", async () => {
    const body = { ok: true, data: { token: "at-n", type: "Bearer", refresh: { value: "rt-n" }, scope: "a b", expires_in: "600" } };
    const result = await run(nested, { status: 200, body });
    expect(result).toEqual({
      ok: true,
      token: { accessToken: "at-n", tokenType: "Bearer", expiresAt: NOW + 600_000, refreshToken: "rt-n", scope: "a b", raw: body },
    });
  });

  it.each<{ name: string; body: unknown; ep?: Partial<TokenEndpoint>; wantReason: string }>([
    { name: "missing parent", body: { token: "at" }, wantReason: "data.token is missing or not a non-empty string" },
    { name: "parent is a string", body: { data: "at" }, wantReason: "data.token is missing or not a non-empty string" },
    { name: "parent is an array", body: { data: ["at"] }, wantReason: "data.token is missing or not a non-empty string" },
    { name: "numeric token", body: { data: { token: 5 } }, wantReason: "data.token is missing or not a non-empty string" },
    { name: "numeric token type", body: { data: { token: "at", type: 1 } }, wantReason: "data.type is not a string" },
    { name: "object refresh token", body: { data: { token: "at", refresh: { value: {} } } }, wantReason: "data.refresh.value is not a string" },
    { name: "garbage nested expiry", body: { data: { token: "at", expires_in: "1.5e3" } }, wantReason: "data.expires_in is not a number" },
    {
      name: "a path through the prototype reads nothing",
      body: { data: {} },
      ep: { tokenFields: { accessToken: ["data", "constructor", "name"] } },
      wantReason: "data.constructor.name is missing or not a non-empty string",
    },
  ])("$name → invalid_response naming the dotted path", async ({ body, ep, wantReason }) => {
    const result = await run({ ...nested, ...ep }, { status: 200, body: body as object });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("invalid_response");
    expect(result.error.kind === "invalid_response" && result.error.reason).toContain(wantReason);
  });
});

describe("numeric-string expiry over HTTP", () => {
  it.each<{ given: unknown; want: { expiresAt?: number; reason?: string } }>([
    { given: "86398", want: { expiresAt: NOW + 86_398_000 } },
    { given: " 3600 ", want: { expiresAt: NOW + 3_600_000 } },
    { given: "1.5", want: { expiresAt: NOW + 1_500 } },
    { given: "1.5e3", want: { reason: "expires_in is not a number" } },
    { given: "-60", want: { reason: "expires_in is not a number" } },
    { given: "soon", want: { reason: "expires_in is not a number" } },
  ])("expires_in $given", async ({ given, want }) => {
    const result = await run({}, { status: 200, body: { access_token: "a", expires_in: given } });
    if (want.expiresAt !== undefined) {
      expect(result.ok && result.token.expiresAt).toBe(want.expiresAt);
    } else {
      expect(!result.ok && result.error.kind === "invalid_response" && result.error.reason).toContain(want.reason);
    }
  });
});

describe("form-encoded success bodies (responseEncoding: form)", () => {
  const FORM_BODY = "access_token=at-f&token_type=bearer&expires_in=3600&scope=repo+gist&refresh_token=rt%2Bf&access_token=second";
  const wantRaw = { access_token: "at-f", token_type: "bearer", expires_in: "3600", scope: "repo gist", refresh_token: "rt+f" };

  it.each<{ name: string; reply: TokenServerReply }>([
    { name: "application/x-www-form-urlencoded", reply: { status: 200, headers: FORM_TYPE, body: FORM_BODY } },
    { name: "with a charset", reply: { status: 200, headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" }, body: FORM_BODY } },
    { name: "text/plain", reply: { status: 200, headers: { "Content-Type": "text/plain" }, body: FORM_BODY } },
    { name: "no content type", reply: { status: 200, body: FORM_BODY } },
    { name: "a trailing newline", reply: { status: 200, headers: FORM_TYPE, body: `${FORM_BODY}\n` } },
  ])("reads $name into string values, first value per key", async ({ reply }) => {
    const result = await run({ responseEncoding: "form" }, reply);
    expect(result).toEqual({
      ok: true,
      token: { accessToken: "at-f", tokenType: "bearer", expiresAt: NOW + 3_600_000, refreshToken: "rt+f", scope: "repo gist", raw: wantRaw },
    });
  });

  it("still reads a JSON answer from a server that sends one", async () => {
    const result = await run({ responseEncoding: "form" }, { status: 200, body: TOKEN_BODY });
    expect(result.ok && result.token.accessToken).toBe("at-1");
  });

  it("asks for the form answer first", async () => {
    const server = await start(() => ({ status: 200, headers: FORM_TYPE, body: FORM_BODY }));
    await requestToken(endpoint({ responseEncoding: "form" }), basicGrant, config(server.url), {});
    expect(server.requests[0]?.headers["accept"]).toMatch(/^application\/x-www-form-urlencoded, application\/json/);
  });

  it("keeps a __proto__ key as data", async () => {
    const result = await run({ responseEncoding: "form" }, { status: 200, headers: FORM_TYPE, body: "__proto__=x&access_token=a" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.token.raw)).toBe(Object.prototype);
    expect(Object.hasOwn(result.token.raw, "__proto__")).toBe(true);
  });

  it.each<{ name: string; reply: TokenServerReply; wantReason: RegExp }>([
    { name: "HTML", reply: { status: 200, headers: { "Content-Type": "text/html" }, body: "<p>access_token=a</p>" }, wantReason: /not form-encoded or JSON/ },
    { name: "no access token", reply: { status: 200, headers: FORM_TYPE, body: "token_type=bearer" }, wantReason: /access_token/ },
    { name: "an empty body", reply: { status: 200, headers: FORM_TYPE, body: "" }, wantReason: /access_token/ },
    { name: "a non-numeric expires_in", reply: { status: 200, headers: FORM_TYPE, body: "access_token=a&expires_in=later" }, wantReason: /expires_in/ },
  ])("$name → invalid_response", async ({ reply, wantReason }) => {
    const result = await run({ responseEncoding: "form" }, reply);
    expect(!result.ok && result.error.kind === "invalid_response" && result.error.reason).toMatch(wantReason);
  });

  it("a form body without responseEncoding form is still not JSON", async () => {
    const result = await run({}, { status: 200, headers: FORM_TYPE, body: FORM_BODY });
    expect(!result.ok && result.error.kind === "invalid_response" && result.error.reason).toMatch(/not JSON/);
  });
});

describe("errors reported with a success status (errorInSuccess)", () => {
  it.each<{
    name: string;
    ep: Partial<TokenEndpoint>;
    reply: TokenServerReply;
    want: { kind: "token" } | { kind: "response"; status: number; body: unknown; message: string };
  }>([
    {
      name: '{"ok":false,"error":"invalid_code"} with 200',
      ep: { errorInSuccess: { field: "ok", equals: false } },
      reply: { status: 200, body: { ok: false, error: "invalid_code" } },
      want: { kind: "response", status: 200, body: { ok: false, error: "invalid_code" }, message: "token endpoint answered 200 (invalid_code)" },
    },
    {
      name: "a matching body with a 201 keeps the real status",
      ep: { successStatuses: ["2XX"], errorInSuccess: { field: "ok", equals: false } },
      reply: { status: 201, body: { ok: false, error: "invalid_code" } },
      want: { kind: "response", status: 201, body: { ok: false, error: "invalid_code" }, message: "token endpoint answered 201 (invalid_code)" },
    },
    {
      name: "a success body is a token",
      ep: { errorInSuccess: { field: "ok", equals: false } },
      reply: { status: 200, body: { ok: true, ...TOKEN_BODY } },
      want: { kind: "token" },
    },
    {
      name: "strict equality: the string \"false\" is not false",
      ep: { errorInSuccess: { field: "ok", equals: false } },
      reply: { status: 200, body: { ok: "false", ...TOKEN_BODY } },
      want: { kind: "token" },
    },
    {
      name: "a nested field",
      ep: { errorInSuccess: { field: ["meta", "status"], equals: "error" } },
      reply: { status: 200, body: { meta: { status: "error" }, error: "expired" } },
      want: { kind: "response", status: 200, body: { meta: { status: "error" }, error: "expired" }, message: "token endpoint answered 200 (expired)" },
    },
    {
      name: "equals null matches an explicit null only",
      ep: { errorInSuccess: { field: "access_token", equals: null } },
      reply: { status: 200, body: { access_token: null, error: "denied" } },
      want: { kind: "response", status: 200, body: { access_token: null, error: "denied" }, message: "token endpoint answered 200 (denied)" },
    },
    {
      name: "a numeric code",
      ep: { errorInSuccess: { field: "code", equals: 1 } },
      reply: { status: 200, body: { code: 1, msg: "bad" } },
      want: { kind: "response", status: 200, body: { code: 1, msg: "bad" }, message: "token endpoint answered 200" },
    },
    {
      name: "a form body with an error member (GitHub-style)",
      ep: { responseEncoding: "form", errorInSuccess: { field: "error", equals: "bad_verification_code" } },
      reply: { status: 200, headers: FORM_TYPE, body: "error=bad_verification_code&error_description=The+code+is+wrong" },
      want: {
        kind: "response",
        status: 200,
        body: { error: "bad_verification_code", error_description: "The code is wrong" },
        message: "token endpoint answered 200 (bad_verification_code)",
      },
    },
    {
      name: "the body is cleaned of control characters",
      ep: { errorInSuccess: { field: "ok", equals: false } },
      reply: { status: 200, body: { ok: false, error_description: "a\u001b[2Jb\rc" } },
      want: { kind: "response", status: 200, body: { ok: false, error_description: "a[2Jbc" }, message: "token endpoint answered 200" },
    },
  ])("$name", async ({ ep, reply, want }) => {
    const result = await run(ep, reply);
    if (want.kind === "token") {
      expect(result.ok).toBe(true);
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(TokenResponseError);
    if (!(result.error instanceof TokenResponseError)) return;
    expect({ status: result.error.status, body: result.error.body, message: result.error.message }).toEqual({
      status: want.status,
      body: want.body,
      message: want.message,
    });
  });
});
