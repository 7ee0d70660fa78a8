// The whole OAuth flow through GENERATED clients against oidc-provider 9 on
// loopback: authorization code + PKCE driven end to end over HTTP (login and
// consent forms submitted by the test), PAR, the callback's refusals, a
// device-code run with `slow_down`, revocation and introspection. Hand-built surfaces; specs.test.ts runs the
// same flows from specs as providers publish them.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel, type OAuthSurfaceModel, type ProviderModel } from "../../generator/model/index.js";
import { diagnosticsUnder, loadDocument, typecheck, useTempDirs, type Json } from "../generator/helpers.js";
import { browse, startFlowProvider, type FlowProvider } from "./provider.js";
import {
  authorize as authorizeAt,
  CLIENT_ID,
  CLIENT_SECRET,
  emitInto,
  expectNoSecret,
  FLOW_CLIENT,
  type FlowClient,
  type FlowSession,
  importGenerated,
  REDIRECT_URI,
} from "./support.js";

/** The token endpoint as a provider publishes it: code, refresh and device-code grants, Basic client auth, oauth2 flows. */
function flowSpec(): Json {
  return {
    openapi: "3.0.3",
    info: { title: "Flow IdP", version: "1.0.0" },
    paths: {
      "/token": {
        post: {
          operationId: "token",
          security: [{ clientBasic: [] }],
          requestBody: {
            required: true,
            content: {
              "application/x-www-form-urlencoded": {
                schema: {
                  type: "object",
                  required: ["grant_type"],
                  properties: {
                    grant_type: { type: "string", enum: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"] },
                    code: { type: "string" },
                    redirect_uri: { type: "string" },
                    code_verifier: { type: "string" },
                    refresh_token: { type: "string" },
                    device_code: { type: "string" },
                  },
                },
              },
            },
          },
          responses: {
            "200": {
              description: "A token",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    required: ["access_token", "token_type"],
                    properties: {
                      access_token: { type: "string" },
                      token_type: { type: "string" },
                      expires_in: { type: "integer" },
                      refresh_token: { type: "string" },
                      id_token: { type: "string" },
                      scope: { type: "string" },
                    },
                  },
                },
              },
            },
            "400": {
              description: "An OAuth error",
              content: { "application/json": { schema: { type: "object", required: ["error"], properties: { error: { type: "string" }, error_description: { type: "string" } } } } },
            },
          },
        },
      },
    },
    components: { securitySchemes: { clientBasic: { type: "http", scheme: "basic" } } },
  };
}

const endpoint = (url: string): { url: string; relative: true; pointer: string; source: "spec" } => ({ url, relative: true, pointer: "#/test", source: "spec" });

/** The surface the spec's model gets by hand (the model stage fills it from specs in parallel work). */
function surface(issuer: string, par: boolean): OAuthSurfaceModel {
  return {
    authorization: {
      ...endpoint("/auth"),
      scopes: [{ name: "openid", description: "Sign in" }, { name: "offline_access" }, { name: "api:read" }],
      pkce: "S256",
      openid: true,
      scopeSeparator: " ",
    },
    deviceAuthorization: endpoint("/device/auth"),
    revocation: endpoint("/token/revocation"),
    introspection: endpoint("/token/introspection"),
    ...(par ? { pushedAuthorization: endpoint("/request") } : {}),
    metadata: { url: `${issuer}/.well-known/openid-configuration`, relative: false, pointer: "#/test", source: "spec" },
  };
}

describe("the OAuth flows of a generated client, against oidc-provider", () => {
  const tempDir = useTempDirs();
  let provider: FlowProvider;
  let root = "";
  const clients: Record<"plain" | "par", FlowClient> = {} as Record<"plain" | "par", FlowClient>;
  /** A client whose spec says DPoP, made per key pair. */
  let createDPoPClient: (pair: CryptoKeyPair) => FlowClient;
  let openSession: (client: FlowClient, request: Record<string, unknown>) => FlowSession;

  beforeAll(async () => {
    provider = await startFlowProvider([FLOW_CLIENT]);
    root = await tempDir("flows");
    const models: ProviderModel[] = [];
    for (const [name, par] of [["flowplain", false], ["flowpar", true], ["flowdpop", false]] as const) {
      const built = buildModel({ spec: await loadDocument(flowSpec(), `specs/${name}.json`) });
      const keys = name === "flowdpop" && built.keys !== undefined ? { keys: { ...built.keys, dpop: "optional" as const } } : {};
      models.push({ ...built, surface: surface(provider.issuer, par), ...keys });
    }
    await emitInto(root, models);
    for (const [key, folder, prefix] of [["plain", "flowplain", "Flowplain"], ["par", "flowpar", "Flowpar"]] as const) {
      const module = await importGenerated(root, join(folder, "index.js"));
      const create = module[`create${prefix}Client`] as (options: Record<string, unknown>) => FlowClient;
      clients[key] = create({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: provider.issuer });
      if (key === "plain") openSession = module[`create${prefix}Session`] as typeof openSession;
    }
    const dpopModule = await importGenerated(root, join("flowdpop", "index.js"));
    const createDPoP = dpopModule["createFlowdpopClient"] as (options: Record<string, unknown>) => FlowClient;
    createDPoPClient = (pair) => createDPoP({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: provider.issuer, dpop: { privateKey: pair.privateKey, publicKey: pair.publicKey } });
  }, 120_000);

  afterAll(() => provider?.close());

  it("the generated files typecheck", () => {
    expect(diagnosticsUnder(typecheck(root, { skipLibCheck: true }), "flowplain")).toEqual([]);
  }, 60_000);

  const authorize = (client: FlowClient, scope?: readonly string[], abort?: boolean) => authorizeAt(provider, client, scope, abort);

  let refreshToken = "";

  it("authorization code + PKCE S256 end to end: state, nonce, iss checked, code exchanged", async () => {
    const { request, callback, userAgentSteps } = await authorize(clients.plain);
    const url = new URL(request.url);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      scope: "openid offline_access",
      state: request.state,
      nonce: request.nonce,
      code_challenge_method: "S256",
    });
    expect(request.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new URL(callback).searchParams.get("iss")).toBe(provider.issuer);
    const before = provider.requests.length;
    const result = await clients.plain.authorizationCallback(callback, { state: request.state, codeVerifier: request.codeVerifier, redirectUri: REDIRECT_URI, nonce: request.nonce });
    if (!result.ok) throw new Error(`callback failed: ${result.error.message}`);
    expect(result.token.accessToken).not.toBe("");
    expect(typeof result.token.raw["id_token"]).toBe("string");
    refreshToken = result.token.refreshToken ?? "";
    expect(refreshToken).not.toBe("");
    const made = provider.requests.slice(before);
    console.log(`authorization code: user agent ${userAgentSteps} requests (login + consent forms); callback sent ${made.join(", ")}`);
    expect(made).toEqual(["GET /.well-known/openid-configuration", "POST /token"]);
  }, 20_000);

  it("PAR (RFC 9126): the parameters are pushed, the URL carries client_id and request_uri only", async () => {
    const before = provider.requests.length;
    const { request, callback } = await authorize(clients.par);
    expect(provider.requests.slice(before, before + 1)).toEqual(["POST /request"]);
    expect([...new URL(request.url).searchParams.keys()]).toEqual(["client_id", "request_uri"]);
    expect(new URL(request.url).searchParams.get("request_uri")).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const result = await clients.par.authorizationCallback(callback, { state: request.state, codeVerifier: request.codeVerifier, redirectUri: REDIRECT_URI, nonce: request.nonce });
    expect(result.ok).toBe(true);
    console.log(`PAR: ${provider.requests.slice(before).filter((r) => !r.startsWith("GET /interaction") && !r.startsWith("POST /interaction")).join(", ")}`);
  }, 20_000);

  it("DPoP (RFC 9449 §10): the request carries dpop_jkt, so the code is bound to the key; another key's exchange is invalid_grant", async () => {
    const keyPair = (): Promise<CryptoKeyPair> => crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]) as Promise<CryptoKeyPair>;
    const [own, other] = [await keyPair(), await keyPair()];
    const holder = createDPoPClient(own);
    const thumbprint = async (pair: CryptoKeyPair): Promise<string> => {
      const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
      const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
      return Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical))).toString("base64url");
    };
    const expected = (request: { state: string; codeVerifier: string; nonce: string }) => ({ state: request.state, codeVerifier: request.codeVerifier, redirectUri: REDIRECT_URI, nonce: request.nonce });

    const bound = await authorize(holder);
    expect(new URL(bound.request.url).searchParams.get("dpop_jkt")).toBe(await thumbprint(own));
    const exchanged = await holder.authorizationCallback(bound.callback, expected(bound.request));
    if (!exchanged.ok) throw new Error(`callback failed: ${exchanged.error.message}`);
    expect(exchanged.token.raw["token_type"]).toBe("DPoP");

    const stolen = await authorize(holder);
    const refused = await createDPoPClient(other).authorizationCallback(stolen.callback, expected(stolen.request));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect({ kind: refused.error.kind, body: refused.error.body }).toMatchObject({ kind: "response", body: { error: "invalid_grant" } });
    console.log(`DPoP: dpop_jkt sent; the holder's exchange gave a DPoP token, another key's got ${JSON.stringify(refused.error.body)}`);
  }, 30_000);

  it("an ID token without the request's nonce is a NonceMismatchError (signature unchecked: TLS from the token endpoint)", async () => {
    const { request, callback } = await authorize(clients.plain);
    const result = await clients.plain.authorizationCallback(callback, { state: request.state, codeVerifier: request.codeVerifier, redirectUri: REDIRECT_URI, nonce: `${request.nonce}-other` });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect({ kind: result.error.kind, code: result.error.code }).toEqual({ kind: "nonce_mismatch", code: "TOKEN_NONCE_MISMATCH" });
    expectNoSecret(result.error, [request.state, request.codeVerifier, request.nonce, new URL(callback).searchParams.get("code") ?? "?", CLIENT_SECRET]);
  }, 20_000);

  describe("a callback that does not hold is a typed error, never thrown, echoing no secret", () => {
    let flow: Awaited<ReturnType<typeof authorize>>;
    let denied: Awaited<ReturnType<typeof authorize>>;
    beforeAll(async () => {
      flow = await authorize(clients.plain);
      denied = await authorize(clients.plain, ["openid"], true);
    }, 20_000);

    const mutate = (url: string, change: (p: URLSearchParams) => void): string => {
      const parsed = new URL(url);
      change(parsed.searchParams);
      return parsed.href;
    };

    const rows: { given: string; callback: () => string; state?: () => string; want: { kind: string; code: string } }[] = [
      { given: "a wrong state", callback: () => flow.callback, state: () => `${flow.request.state}x`, want: { kind: "state_mismatch", code: "TOKEN_STATE_MISMATCH" } },
      { given: "no state", callback: () => mutate(flow.callback, (p) => p.delete("state")), want: { kind: "state_mismatch", code: "TOKEN_STATE_MISMATCH" } },
      { given: "error=access_denied (the user aborted)", callback: () => denied.callback, state: () => denied.request.state, want: { kind: "authorization_error", code: "TOKEN_AUTHORIZATION_ERROR" } },
      { given: "a mismatched iss", callback: () => mutate(flow.callback, (p) => p.set("iss", "https://evil.example")), want: { kind: "issuer_mismatch", code: "TOKEN_ISSUER_MISMATCH" } },
      { given: "no iss, which the metadata promises", callback: () => mutate(flow.callback, (p) => p.delete("iss")), want: { kind: "issuer_mismatch", code: "TOKEN_ISSUER_MISMATCH" } },
      { given: "no code", callback: () => mutate(flow.callback, (p) => p.delete("code")), want: { kind: "missing_code", code: "TOKEN_MISSING_CODE" } },
    ];

    it.each(rows)("$given -> $want.kind", async ({ callback, state, want }) => {
      const expected = { state: state?.() ?? flow.request.state, codeVerifier: flow.request.codeVerifier, redirectUri: REDIRECT_URI, nonce: flow.request.nonce };
      const before = provider.tokenRequests();
      const result = await clients.plain.authorizationCallback(callback(), expected);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect({ kind: result.error.kind, code: result.error.code }).toEqual(want);
      expect(provider.tokenRequests(), "no code is exchanged").toBe(before);
      const sent = new URL(callback()).searchParams;
      const secrets = [expected.state, expected.codeVerifier, expected.nonce, sent.get("state"), sent.get("code"), flow.request.state, CLIENT_SECRET];
      expectNoSecret(result.error, secrets.filter((v): v is string => typeof v === "string" && v !== ""));
      if (want.kind === "authorization_error") expect((result.error as unknown as { error: string }).error).toBe("access_denied");
    });

    it("the untouched callback then exchanges, and a replayed code is the server's invalid_grant", async () => {
      const expected = { state: flow.request.state, codeVerifier: flow.request.codeVerifier, redirectUri: REDIRECT_URI, nonce: flow.request.nonce };
      const first = await clients.plain.authorizationCallback(flow.callback, expected);
      expect(first.ok).toBe(true);
      const replay = await clients.plain.authorizationCallback(flow.callback, expected);
      expect(replay.ok).toBe(false);
      if (replay.ok) return;
      expect({ kind: replay.error.kind, status: (replay.error as unknown as { status: number }).status, error: (replay.error.body as { error?: string }).error }).toEqual({
        kind: "response",
        status: 400,
        error: "invalid_grant",
      });
      expectNoSecret(replay.error, [flow.request.codeVerifier, new URL(flow.callback).searchParams.get("code") ?? "?", CLIENT_SECRET]);
    });
  });

  it("device code (RFC 8628): interval honoured, slow_down adds 5 s, the user approves over HTTP", async () => {
    provider.deviceInterval = 1;
    const start = provider.tokenRequests();
    provider.slowDownAt = new Set([start + 2]);
    const device = await clients.plain.deviceAuthorization({ scope: ["openid", "offline_access"] });
    if (!device.ok) throw new Error(`device authorization failed: ${device.error.message}`);
    expect(device.interval).toBe(1);
    const begun = performance.now();
    const polled = device.poll();
    // The user, on another device, once the client has been told pending and slow_down.
    while (provider.tokenRequests() < start + 2) await new Promise((r) => setTimeout(r, 50));
    const approval = await browse(device.verificationUriComplete, { login: "bob", password: "any" }, () => false);
    expect(approval.done).toBe(true);
    const result = await polled;
    if (!result.ok) throw new Error(`poll failed: ${result.error.message}`);
    expect(result.token.accessToken).not.toBe("");
    const times = [begun, ...provider.tokenTimes.slice(start)];
    const waits = times.slice(1).map((t, i) => (t - (times[i] as number)) / 1000);
    console.log(`device: ${waits.length} polls, waits ${waits.map((w) => `${w.toFixed(1)} s`).join(", ")} (slow_down +5 after poll 2)`);
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeGreaterThanOrEqual(0.95);
    expect(waits[1]).toBeGreaterThanOrEqual(0.95);
    expect(waits[1]).toBeLessThan(2);
    expect(waits[2]).toBeGreaterThanOrEqual(5.95);
    provider.slowDownAt = new Set();
  }, 20_000);

  it("device polling stops at once on abort, with a typed AbortedError and no further request", async () => {
    provider.deviceInterval = 1;
    const device = await clients.plain.deviceAuthorization({ scope: "openid" });
    if (!device.ok) throw new Error("device authorization failed");
    const before = provider.tokenRequests();
    const controller = new AbortController();
    const begun = performance.now();
    setTimeout(() => controller.abort(), 200);
    const result = await device.poll({ signal: controller.signal });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.kind).toBe("aborted");
    expect(performance.now() - begun).toBeLessThan(900);
    await new Promise((r) => setTimeout(r, 1000));
    expect(provider.tokenRequests()).toBe(before);
  }, 10_000);

  it("device polling ends with access_denied when the user aborts", async () => {
    provider.deviceInterval = 1;
    const device = await clients.plain.deviceAuthorization({ scope: "openid" });
    if (!device.ok) throw new Error("device authorization failed");
    // The confirmation page's "[ Abort ]" button: abort=yes with the confirm form.
    const denial = await browse(device.verificationUriComplete, { login: "carol", password: "any" }, () => false, false, (fields) =>
      fields.has("confirm") ? { abort: "yes" } : {},
    );
    expect(denial.done).toBe(true);
    const result = await device.poll();
    expect(result.ok).toBe(false);
    if (!result.ok) expect({ kind: result.error.kind, error: (result.error as unknown as { error: string }).error }).toEqual({ kind: "device_flow_ended", error: "access_denied" });
  }, 10_000);

  it("session.close({ revoke: true }) revokes the refresh and access tokens the session holds", async () => {
    const { request, callback } = await authorize(clients.plain);
    const code = new URL(callback).searchParams.get("code") ?? "";
    const session = openSession(clients.plain, { grant: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: request.codeVerifier });
    const held = await session.getToken();
    if (!held.ok) throw new Error(`session failed: ${held.error.message}`);
    const tokens = { refresh: held.token.refreshToken ?? "", access: held.token.accessToken };
    expect(tokens.refresh).not.toBe("");
    for (const token of Object.values(tokens)) expect((await clients.plain.introspect({ token })).ok && "active").toBe("active");
    const before = provider.requests.length;
    await session.close({ revoke: true });
    expect(provider.requests.slice(before)).toEqual(["POST /token/revocation", "POST /token/revocation"]);
    const after = await Promise.all(Object.values(tokens).map((token) => clients.plain.introspect({ token })));
    expect(after.map((r) => r.ok && r.introspection.active)).toEqual([false, false]);
    console.log("session.close({ revoke: true }): 2 revocation requests (refresh, access); both inactive after");
  }, 20_000);

  it("revocation (RFC 7009): the refresh token is then inactive per introspection (RFC 7662)", async () => {
    expect(refreshToken).not.toBe("");
    const hint = { token: refreshToken, tokenTypeHint: "refresh_token" };
    const active = await clients.plain.introspect(hint);
    expect(active.ok && active.introspection.active).toBe(true);
    const revoked = await clients.plain.revoke(hint);
    expect(revoked.ok).toBe(true);
    const after = await clients.plain.introspect(hint);
    expect(after.ok && after.introspection.active).toBe(false);
    console.log("revocation: introspect active=true, revoke 200, introspect active=false");
  });
});
