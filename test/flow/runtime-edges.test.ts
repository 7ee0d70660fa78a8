// The flow runtime's edges that oidc-provider does not reach, against a loopback server that answers as
// told: the device code running out on the client's clock, expired_token, request shapes (PKCE none, a
// comma separator, `extra` that tries to replace what the request sets), callbacks read from a fragment
// or a path, an unusable introspection answer, and a server that echoes the token it was sent.
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authorizationCallback,
  authorizationUrl,
  deviceAuthorization,
  introspectToken,
  requestTokenNoDiscovery,
  revokeToken,
  TokenClientConfigError,
  type AuthorizationEndpoint,
  type ClientConfig,
  type TokenEndpoint,
  type TokenResult,
} from "../../generator/runtime/index.js";
import { issuerOfMetadataUrl } from "../../generator/runtime/callback.js";
import { startTokenServer, type TokenServer, type TokenServerReply } from "../support/loopback.js";

const TOKEN_ENDPOINT: TokenEndpoint = {
  path: "/token",
  encoding: "form",
  successStatuses: [200],
  errorStatuses: [400],
  tokenFields: { accessToken: "access_token" },
  expiry: { kind: "relative", field: "expires_in" },
};
const DEVICE_GRANT = { grantType: "urn:ietf:params:oauth:grant-type:device_code", grantField: "grant_type", clientAuth: { kind: "basic" as const } };
const TOKEN_VALUE = "tok-3f9a2b7c1d0e";

describe("flow runtime edges", () => {
  let server: TokenServer;
  /** What the token endpoint answers a device poll (the device endpoint's answer is `deviceAnswer`). */
  let pollAnswer: TokenServerReply = { status: 400, body: { error: "authorization_pending" } };
  let deviceAnswer: Record<string, unknown> = {};
  let config: ClientConfig;

  beforeAll(async () => {
    server = await startTokenServer((request) => {
      if (request.url === "/device") return { status: 200, body: deviceAnswer };
      if (request.url === "/token") return pollAnswer;
      if (request.url === "/.well-known/openid-configuration") return { status: 200, body: { issuer: "https://elsewhere.example", authorization_response_iss_parameter_supported: true } };
      // A tenant's own issuer, under its path (OpenID Connect Discovery §4: <issuer>/.well-known/openid-configuration).
      if (request.url === "/tenant-7/.well-known/openid-configuration") return { status: 200, body: { issuer: `${server.url}/tenant-7`, authorization_response_iss_parameter_supported: true } };
      if (request.url === "/introspect") return { status: 200, body: { no: "active member" } };
      if (request.url === "/revoke") return { status: 400, body: { error: "unsupported_token_type", error_description: `cannot revoke ${request.body}` } };
      return { status: 404 };
    });
    config = { clientId: "edge-client", clientSecret: "edge-secret-9876", baseUrl: server.url };
  });
  afterAll(() => server.close());

  const poller = (params: Readonly<Record<string, unknown>>, call: { signal?: AbortSignal }) => requestTokenNoDiscovery(TOKEN_ENDPOINT, DEVICE_GRANT, config, params, call);
  const device = { url: "/device", relative: true, clientAuth: { kind: "basic" as const }, scopeSeparator: " " };

  it.each([
    { given: "expires_in passes while the user has not approved", answer: { expires_in: 1, interval: 0.3 }, poll: { status: 400, body: { error: "authorization_pending" } }, want: { error: "expired_token", expiredLocally: true } },
    { given: "the server says expired_token", answer: { expires_in: 60, interval: 0.2 }, poll: { status: 400, body: { error: "expired_token" } }, want: { error: "expired_token", expiredLocally: false } },
  ])("device: $given -> device_flow_ended $want.error", async ({ answer, poll, want }) => {
    deviceAnswer = { device_code: "dev-code-secret-1", user_code: "ABCD-EFGH", verification_uri: `${server.url}/verify`, ...answer };
    pollAnswer = poll;
    const started = await deviceAuthorization(device, config, { scope: ["a", "b"] }, poller);
    if (!started.ok) throw new Error(started.error.message);
    const begun = performance.now();
    const polls = server.requests.length;
    const [result, again] = await Promise.all([started.poll(), started.poll()]);
    expect(again, "a second poll() while one runs shares it").toBe(result);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect({ kind: result.error.kind, error: (result.error as { error?: string }).error, expiredLocally: (result.error as { expiredLocally?: boolean }).expiredLocally }).toEqual({
      kind: "device_flow_ended",
      ...want,
    });
    if (want.expiredLocally) expect(performance.now() - begun).toBeLessThan(1500);
    expect(inspect(result.error) + JSON.stringify(result.error)).not.toContain("dev-code-secret-1");
    expect(server.requests.find((r) => r.url === "/device")?.body).toBe("scope=a+b");
    const tokenPolls = server.requests.slice(polls).filter((r) => r.url === "/token").length;
    // One loop: 0.3 s apart within 1 s (2 or 3, as the timers fall on a loaded machine; two loops would
    // make 4 to 6), or the one expired_token answer.
    if (want.expiredLocally) expect([2, 3]).toContain(tokenPolls);
    else expect(tokenPolls).toBe(1);
  }, 10_000);

  it("device: a public client (client auth none) sends its client_id and no Authorization", async () => {
    deviceAnswer = { device_code: "d", user_code: "u", verification_uri: "https://v", expires_in: 5 };
    const started = await deviceAuthorization({ ...device, clientAuth: { kind: "none" } }, { clientId: "public-1", baseUrl: server.url }, { scope: "x" }, poller);
    expect(started.ok).toBe(true);
    const sent = server.requests.at(-1)!;
    expect({ body: sent.body, authorization: sent.headers.authorization }).toEqual({ body: "scope=x&client_id=public-1", authorization: undefined });
  });

  it.each([
    { given: "no user code", answer: { device_code: "x", verification_uri: "https://v", expires_in: 5 }, reason: "user_code is missing" },
    {
      given: "an interval no timer can wait (it would fire at once: a busy loop)",
      answer: { device_code: "x", user_code: "u", verification_uri: "https://v", expires_in: 5e9, interval: 2_147_484 },
      reason: "interval is longer than a timer can wait",
    },
  ])("device: an answer with $given is invalid_response, from the device authorization endpoint", async ({ answer, reason }) => {
    deviceAnswer = answer;
    const started = await deviceAuthorization(device, config, {}, poller);
    expect(started.ok ? "ok" : started.error.kind).toBe("invalid_response");
    expect(started.ok ? "" : started.error.message).toBe(`device authorization endpoint answered 200 with an unusable body: the device authorization response's ${reason}`);
  });

  const endpoint = (extra: Partial<AuthorizationEndpoint> = {}): AuthorizationEndpoint => ({
    url: "https://as.example/authorize?tenant=7",
    pkce: "S256",
    openid: false,
    scopeSeparator: " ",
    clientAuth: { kind: "basic" },
    ...extra,
  });

  it.each([
    { given: "S256, a space", endpoint: endpoint(), scope: ["a", "b"], want: { scope: "a b", code_challenge_method: "S256", tenant: "7" }, absent: ["nonce"] },
    { given: "PKCE none, a comma", endpoint: endpoint({ pkce: "none", scopeSeparator: "," }), scope: ["a", "b"], want: { scope: "a,b" }, absent: ["code_challenge", "code_challenge_method"] },
    { given: "OpenID with openid", endpoint: endpoint({ openid: true }), scope: ["openid"], want: { scope: "openid" }, absent: [] },
  ])("authorization URL: $given", async ({ endpoint: e, scope, want, absent }) => {
    const made = await authorizationUrl(e, config, { redirectUri: "https://app.example/cb", scope, extra: { state: "mine", prompt: "login", code_challenge_method: "plain" } });
    if (!made.ok) throw new Error(made.error.message);
    const query = Object.fromEntries(new URL(made.url).searchParams);
    expect(query).toMatchObject({ ...want, state: made.state, prompt: "login", response_type: "code", client_id: "edge-client" });
    for (const name of absent) expect(query).not.toHaveProperty(name);
    expect(made.codeVerifier === undefined).toBe(e.pkce === "none");
    expect(made.nonce === undefined).toBe(!e.openid);
    if (made.nonce !== undefined) expect(query["nonce"]).toBe(made.nonce);
  });

  it.each([
    { given: "a fragment", callback: "https://app.example/cb#state=S1&error=access_denied", want: "authorization_error" },
    { given: "a path and query", callback: "/cb?state=S1", want: "missing_code" },
    { given: "URLSearchParams", callback: new URLSearchParams("state=S2&code=c"), want: "state_mismatch" },
    { given: "an iss and a caller-given issuer", callback: "/cb?state=S1&code=c&iss=https%3A%2F%2Fother", want: "issuer_mismatch" },
  ])("callback read from $given -> $want", async ({ callback, want }) => {
    const result = await authorizationCallback(endpoint(), config, callback, { state: "S1", redirectUri: "https://app.example/cb", issuer: "https://as.example" }, (): Promise<TokenResult<never, never>> => {
      throw new Error("no exchange expected");
    });
    expect(result.ok ? "ok" : result.error.kind).toBe(want);
  });

  it("metadata naming another issuer than its URL is not used: a discovery error, no exchange", async () => {
    const e = endpoint({ metadata: { url: `${server.url}/.well-known/openid-configuration` } });
    const result = await authorizationCallback(e, config, "/cb?state=S1&code=c&iss=https%3A%2F%2Felsewhere.example", { state: "S1", redirectUri: "https://app.example/cb" }, (): Promise<TokenResult<never, never>> => {
      throw new Error("no exchange expected");
    });
    expect(result.ok ? "ok" : result.error.kind).toBe("discovery");
  });

  it.each([
    { given: "its own issuer", iss: "<tenant>", want: "ok" },
    { given: "another issuer (the spec's first server's)", iss: "https://api.example.com", want: "issuer_mismatch" },
    { given: "no iss, which its metadata says it always sends", iss: undefined, want: "issuer_mismatch" },
  ])("metadata on the client's own server (relative): a callback with $given -> $want", async ({ iss, want }) => {
    const tenant = { ...config, baseUrl: `${server.url}/tenant-7` };
    const e = endpoint({ metadata: { url: "/.well-known/openid-configuration", relative: true } });
    const issParam = iss === undefined ? "" : `&iss=${encodeURIComponent(iss.replace("<tenant>", tenant.baseUrl))}`;
    const result = await authorizationCallback(e, tenant, `/cb?state=S1&code=c${issParam}`, { state: "S1", redirectUri: "https://app.example/cb" }, async (): Promise<TokenResult<never, never>> => ({
      ok: true,
      token: { accessToken: "at", tokenType: "Bearer", raw: {} as never },
    }));
    expect(result.ok ? "ok" : result.error.kind).toBe(want);
  });

  it.each([
    { given: "https://as.example/.well-known/openid-configuration", want: "https://as.example" },
    { given: "https://as.example/tenant/.well-known/openid-configuration", want: "https://as.example/tenant" },
    { given: "https://as.example/.well-known/oauth-authorization-server/tenant", want: "https://as.example/tenant" },
    { given: "https://as.example/.well-known/oauth-authorization-server", want: "https://as.example" },
    { given: "https://as.example/metadata.json", want: undefined },
  ])("the issuer of metadata URL $given is $want", ({ given, want }) => {
    expect(issuerOfMetadataUrl(given)).toBe(want);
  });

  it("introspection without a boolean active is invalid_response, from the introspection endpoint", async () => {
    const result = await introspectToken({ url: "/introspect", relative: true, clientAuth: { kind: "basic" } }, config, { token: TOKEN_VALUE });
    expect(result.ok ? "ok" : result.error.kind).toBe("invalid_response");
    expect(result.ok ? "" : result.error.message).toMatch(/^introspection endpoint answered 200 with an unusable body/);
  });

  it.each([0, 2 ** 31, Number.NaN])("a timeoutMs of %s is refused before anything is sent, as for token requests", async (timeoutMs) => {
    const before = server.requests.length;
    const revoking = revokeToken({ url: "/revoke", relative: true, clientAuth: { kind: "basic" } }, { ...config, timeoutMs }, { token: TOKEN_VALUE });
    await expect(revoking).rejects.toThrow(TokenClientConfigError);
    await expect(revoking).rejects.toThrow("timeoutMs must be a number of milliseconds in (0, 2147483647]");
    expect(server.requests.length).toBe(before);
  });

  it("a revocation error echoing the token keeps no trace of it", async () => {
    const result = await revokeToken({ url: "/revoke", relative: true, clientAuth: { kind: "basic" } }, config, { token: TOKEN_VALUE, tokenTypeHint: "refresh_token" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("response");
    expect(result.error.message).toMatch(/^revocation endpoint answered 400 \(unsupported_token_type/);
    const shown = [result.error.message, String(result.error), inspect(result.error, { depth: 10 }), JSON.stringify(result.error)].join("\n");
    expect(shown).toContain("unsupported_token_type");
    expect(shown).not.toContain(TOKEN_VALUE);
    expect(shown).not.toContain("edge-secret-9876");
    expect(server.requests.at(-1)?.headers.authorization).toMatch(/^Basic /);
  });
});
