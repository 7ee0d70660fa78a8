// The whole OAuth flow from SPECS written the way a provider publishes them (test/flow/specs/), generated into a
// temp folder and pointed at oidc-provider 9 on loopback by `baseUrl` (the specs name https://idp.example.com):
// - openidp.json (OpenAPI 3.1): an authorizationCode flow (authorizationUrl, tokenUrl, refreshUrl = tokenUrl, scopes
//   with openid), revocation, introspection and PAR as operations of `paths`; no token operation, so it is
//   synthesised from the flow;
// - tvsignin.json (OpenAPI 3.2): a deviceAuthorization flow and oauth2MetadataUrl.
// Each run prints its figures (requests made, waits honoured).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderModel } from "../../generator/model/index.js";
import { diagnosticsUnder, typecheck, useTempDirs } from "../generator/helpers.js";
import { browse, startFlowProvider, type FlowProvider } from "./provider.js";
import {
  authorize,
  CLIENT_ID,
  CLIENT_SECRET,
  emitInto,
  expectNoSecret,
  FLOW_CLIENT,
  type FlowClient,
  type FlowSession,
  importGenerated,
  REDIRECT_URI,
  specModel,
} from "./support.js";

describe("the OAuth flows generated from published specs, against oidc-provider", () => {
  const tempDir = useTempDirs();
  let provider: FlowProvider;
  let root = "";
  let openidp: ProviderModel;
  let tvsignin: ProviderModel;
  let web: FlowClient;
  let tv: FlowClient;
  let openSession: (client: FlowClient, request: Record<string, unknown>) => FlowSession;
  let webModule: Record<string, unknown> = {};

  beforeAll(async () => {
    provider = await startFlowProvider([FLOW_CLIENT]);
    root = await tempDir("flow-specs");
    openidp = await specModel("openidp.json");
    tvsignin = await specModel("tvsignin.json");
    await emitInto(root, [openidp, tvsignin]);
    const options = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: provider.issuer };
    webModule = await importGenerated(root, join("openidp", "index.js"));
    const tvModule = await importGenerated(root, join("tvsignin", "index.js"));
    web = (webModule["createOpenidpClient"] as (o: typeof options) => FlowClient)(options);
    tv = (tvModule["createTvsigninClient"] as (o: typeof options) => FlowClient)(options);
    openSession = webModule["createOpenidpSession"] as typeof openSession;
  }, 120_000);

  afterAll(() => provider?.close());

  it("the specs give the surface a provider documents, and the generated files typecheck", () => {
    const where = (m: ProviderModel) => Object.fromEntries(Object.entries(m.surface ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : `${v.url} [${v.source}]`]));
    expect(where(openidp)).toEqual({
      authorization: "/auth [spec]",
      pushedAuthorization: "/request [inferred]",
      revocation: "/token/revocation [inferred]",
      introspection: "/token/introspection [inferred]",
    });
    expect(openidp.surface?.authorization).toMatchObject({ pkce: "S256", openid: true, scopes: [{ name: "openid" }, { name: "offline_access" }, { name: "api:read" }] });
    expect(where(tvsignin)).toEqual({ deviceAuthorization: "/device/auth [spec]", metadata: "/.well-known/oauth-authorization-server [spec]" });
    expect([openidp, tvsignin].map((m) => m.grants.map((g) => g.grantType))).toEqual([
      ["authorization_code", "refresh_token"],
      ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
    ]);
    const result = typecheck(root, { skipLibCheck: true });
    expect([...diagnosticsUnder(result, "openidp"), ...diagnosticsUnder(result, "tvsignin")]).toEqual([]);
  }, 60_000);

  let refreshToken = "";

  it("authorization code + PKCE S256 through PAR, end to end: login and consent over HTTP, state, nonce, iss checked", async () => {
    const before = provider.requests.length;
    const { request, callback, userAgentSteps } = await authorize(provider, web);
    // The spec's PAR operation: the parameters were pushed, the URL carries client_id and request_uri only.
    expect(provider.requests[before]).toBe("POST /request");
    expect([...new URL(request.url).searchParams.keys()]).toEqual(["client_id", "request_uri"]);
    expect(new URL(request.url).pathname).toBe("/auth");
    expect(request.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const exchangedAt = provider.requests.length;
    // The spec names no metadata URL: the caller says which issuer the callback's `iss` must be (RFC 9207).
    const expected = { state: request.state, codeVerifier: request.codeVerifier, redirectUri: REDIRECT_URI, nonce: request.nonce, issuer: provider.issuer };
    const result = await web.authorizationCallback(callback, expected);
    if (!result.ok) throw new Error(`callback failed: ${result.error.message}`);
    expect(typeof result.token.raw["id_token"]).toBe("string");
    refreshToken = result.token.refreshToken ?? "";
    expect(refreshToken).not.toBe("");
    expect(provider.requests.slice(exchangedAt)).toEqual(["POST /token"]);
    const wrongIssuer = await web.authorizationCallback(callback, { ...expected, issuer: "https://other.example" });
    expect(wrongIssuer.ok || { kind: wrongIssuer.error.kind }).toEqual({ kind: "issuer_mismatch" });
    if (!wrongIssuer.ok) expectNoSecret(wrongIssuer.error, [request.state, request.codeVerifier, new URL(callback).searchParams.get("code") ?? "?", CLIENT_SECRET]);
    console.log(`openidp (3.1) code + PKCE: POST /request (PAR), user agent ${userAgentSteps} requests (login + consent), callback sent POST /token`);
  }, 20_000);

  it("refresh (refreshUrl = tokenUrl): client.refreshToken goes to POST /token", async () => {
    const before = provider.requests.length;
    const refreshed = await web.refreshToken({ refresh_token: refreshToken });
    if (!refreshed.ok) throw new Error(`refresh failed: ${refreshed.error.message}`);
    refreshToken = refreshed.token.refreshToken ?? refreshToken;
    expect(provider.requests.slice(before)).toEqual(["POST /token"]);
  });

  it("revocation (RFC 7009, from paths): the refresh token is then inactive per introspection (RFC 7662, from paths)", async () => {
    const hint = { token: refreshToken, tokenTypeHint: "refresh_token" };
    const before = provider.requests.length;
    const active = await web.introspect(hint);
    expect(active.ok && active.introspection.active).toBe(true);
    expect((await web.revoke(hint)).ok).toBe(true);
    const after = await web.introspect(hint);
    expect(after.ok && after.introspection.active).toBe(false);
    const made = provider.requests.slice(before);
    expect(made).toEqual(["POST /token/introspection", "POST /token/revocation", "POST /token/introspection"]);
    console.log(`openidp revocation: ${made.join(", ")}; active true, then false`);
  });

  it("a session from the spec: the code once, a refresh at POST /token once the token expires, revoked on close", async () => {
    let now = Date.now();
    const clocked = (webModule["createOpenidpClient"] as (o: Record<string, unknown>) => FlowClient)({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: provider.issuer, clock: () => now });
    const { request, callback } = await authorize(provider, clocked);
    const code = new URL(callback).searchParams.get("code") ?? "";
    const before = provider.requests.length;
    const session = openSession(clocked, { grant: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: request.codeVerifier });
    const first = await session.getToken();
    if (!first.ok) throw new Error(`session failed: ${first.error.message}`);
    now += 3_600_000; // oidc-provider's access tokens live 600 s
    const second = await session.getToken();
    if (!second.ok) throw new Error(`session refresh failed: ${second.error.message}`);
    expect(second.token.accessToken).not.toBe(first.token.accessToken);
    await session.close({ revoke: true });
    const made = provider.requests.slice(before);
    expect(made).toEqual(["POST /token", "POST /token", "POST /token/revocation", "POST /token/revocation"]);
    const after = await web.introspect({ token: second.token.accessToken });
    expect(after.ok && after.introspection.active).toBe(false);
    console.log(`openidp session: ${made.join(", ")} (code, refresh after expiry, revoke refresh + access on close)`);
  }, 20_000);

  it("device code from an OpenAPI 3.2 deviceAuthorization flow: interval honoured, slow_down adds 5 s", async () => {
    provider.deviceInterval = 1;
    const start = provider.tokenRequests();
    provider.slowDownAt = new Set([start + 2]);
    const before = provider.requests.length;
    const device = await tv.deviceAuthorization({ scope: ["openid", "offline_access"] });
    if (!device.ok) throw new Error(`device authorization failed: ${device.error.message}`);
    expect(provider.requests[before]).toBe("POST /device/auth");
    const begun = performance.now();
    const polled = device.poll();
    while (provider.tokenRequests() < start + 2) await new Promise((r) => setTimeout(r, 50));
    const approval = await browse(device.verificationUriComplete, { login: "dave", password: "any" }, () => false);
    expect(approval.done).toBe(true);
    const result = await polled;
    if (!result.ok) throw new Error(`poll failed: ${result.error.message}`);
    expect(result.token.accessToken).not.toBe("");
    const times = [begun, ...provider.tokenTimes.slice(start)];
    const waits = times.slice(1).map((t, i) => (t - (times[i] as number)) / 1000);
    console.log(`tvsignin (3.2) device: POST /device/auth, ${waits.length} polls, waits ${waits.map((w) => `${w.toFixed(1)} s`).join(", ")} (slow_down +5 after poll 2)`);
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeGreaterThanOrEqual(0.95);
    expect(waits[1]).toBeGreaterThanOrEqual(0.95);
    expect(waits[1]).toBeLessThan(2);
    expect(waits[2]).toBeGreaterThanOrEqual(5.95);
    provider.slowDownAt = new Set();
  }, 20_000);
});
