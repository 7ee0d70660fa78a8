// Keys through the GENERATED code: test/keys/specs/okta.yaml (a provider's spec whose RFC 8414 metadata example lists
// client_secret_basic, client_secret_jwt and private_key_jwt and DPoP algorithms) is generated into a temp folder,
// and its createOktaClient / createOktaSession are driven against oidc-provider on loopback configured to require
// keys, a resource server that verifies DPoP proofs with jose, and the loopback server that validates JWT-bearer and
// token-exchange requests (assertion-server.ts). Nothing here calls generator/runtime directly.
import { decodeJwt, decodeProtectedHeader, exportJWK } from "jose";
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTokenServer } from "../support/loopback.js";
import { useTempDirs } from "../generator/helpers.js";
import { useServers } from "../runtime/helpers.js";
import { ISSUER, assertionServer } from "./assertion-server.js";
import { generateFixtures, importGenerated } from "./generate.js";
import { startProvider, type ProviderServer } from "./provider.js";
import { startResourceServer, type ResourceServer } from "./resource.js";

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
interface Result {
  readonly ok: boolean;
  readonly token?: { readonly accessToken: string; readonly tokenType: string };
  readonly error?: { readonly kind: string; readonly status?: number; readonly body?: unknown };
}
type GrantMethod = (params?: Record<string, unknown>) => Promise<Result>;
interface OktaClient {
  readonly clientCredentials: GrantMethod;
  readonly jwtBearer: GrantMethod;
  readonly tokenExchange: GrantMethod;
}
interface Session {
  fetch(input: string, init?: RequestInit): Promise<Response>;
  getAccessToken(): Promise<string>;
  getToken(): Promise<Result>;
  close(): Promise<void>;
}
type ErrorClass = new (...args: never[]) => Error;

const SECRET = "cs-jwt-secret-0123456789-abcdefghijklmnopqrstuv";
const PREFIX = "/api";
const tempDir = useTempDirs();
const start = useServers();

let root = "";
let createOktaClient: (options: Record<string, unknown>) => OktaClient;
let createOktaSession: (client: OktaClient, request: Record<string, unknown>, options?: Record<string, unknown>) => Session;
let errors: Record<string, ErrorClass>;
let runtime: Record<string, unknown>;
let provider: ProviderServer;
let rs: ResourceServer;
let esKey: CryptoKeyPair;
const assertions: { header: Record<string, unknown>; claims: Record<string, unknown> }[] = [];

async function publicJwk(key: CryptoKey, kid: string): Promise<JWK> {
  return { ...(await exportJWK(key)), kid };
}

async function esPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
}

beforeAll(async () => {
  root = await tempDir("keys-generated");
  await generateFixtures(root, ["okta"]);
  const okta = await importGenerated(root, "okta/index.js");
  createOktaClient = okta["createOktaClient"] as typeof createOktaClient;
  createOktaSession = okta["createOktaSession"] as typeof createOktaSession;
  errors = okta as Record<string, ErrorClass>;
  runtime = await importGenerated(root, "runtime/index.js");
  esKey = await esPair();
  rs = await startResourceServer({ prefix: PREFIX, requireNonce: true }, startTokenServer);
  provider = await startProvider({
    resource: rs.audience,
    clients: [
      { client_id: "pk-es", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [await publicJwk(esKey.publicKey, "es-1")] } },
      { client_id: "cs-jwt", client_secret: SECRET, token_endpoint_auth_method: "client_secret_jwt" },
      { client_id: "dpop", token_endpoint_auth_method: "private_key_jwt", dpop_bound_access_tokens: true, jwks: { keys: [await publicJwk(esKey.publicKey, "es-1")] } },
    ],
    assertClientAssertion: (claims, header) => {
      assertions.push({ claims, header });
    },
  });
  rs.trust(provider.issuer, provider.jwks);
}, 120_000);

afterAll(async () => {
  await provider?.close();
  await rs?.server.close();
});

describe("the generated client authenticates with keys against oidc-provider", () => {
  it("private_key_jwt, as the issue writes it: a token, with a fresh assertion whose aud is the token URL", async () => {
    assertions.length = 0;
    const okta = createOktaClient({ clientId: "pk-es", clientAuth: { method: "private_key_jwt", privateKey: esKey.privateKey, keyId: "es-1" }, baseUrl: provider.issuer });
    const first = await okta.clientCredentials({ scope: "api:read" });
    const second = await okta.clientCredentials({ scope: "api:read" });
    expect([first.ok, second.ok], JSON.stringify(first.error)).toEqual([true, true]);
    expect(decodeJwt(first.token!.accessToken)["client_id"]).toBe("pk-es");
    expect(assertions.map((a) => a.header)).toEqual([expect.objectContaining({ alg: "ES256", kid: "es-1" }), expect.objectContaining({ kid: "es-1" })]);
    expect(assertions[0]!.claims).toMatchObject({ iss: "pk-es", sub: "pk-es", aud: provider.tokenUrl });
    expect(assertions[0]!.claims["jti"]).not.toBe(assertions[1]!.claims["jti"]);
  });

  it("client_secret_jwt: HS256 over the client secret, which itself is never sent", async () => {
    assertions.length = 0;
    const sent: string[] = [];
    const fetch: FetchLike = (url, init) => {
      sent.push(String(init.body), JSON.stringify(init.headers));
      return globalThis.fetch(url, init);
    };
    const okta = createOktaClient({ clientId: "cs-jwt", clientSecret: SECRET, clientAuth: { method: "client_secret_jwt" }, baseUrl: provider.issuer, fetch });
    const result = await okta.clientCredentials({ scope: "api:read" });
    expect(result.ok, JSON.stringify(result.error)).toBe(true);
    expect(assertions[0]?.header).toMatchObject({ alg: "HS256" });
    expect(sent.join("\n")).not.toContain(SECRET);
  });

  it("without clientAuth the spec's own method (client_secret_basic) is sent, which this client is not registered for", async () => {
    const okta = createOktaClient({ clientId: "pk-es", clientSecret: "not-registered", baseUrl: provider.issuer });
    const result = await okta.clientCredentials({ scope: "api:read" });
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ kind: "response", body: { error: "invalid_client" } });
  });

  it.each([
    ["a private key that is not a key", { method: "private_key_jwt", privateKey: "-----BEGIN PRIVATE KEY-----" }, "ClientKeyError"],
    ["a secret method without a secret", { method: "client_secret_jwt" }, "TokenClientConfigError"],
    ["a method the runtime does not know", { method: "bogus_auth" }, "TokenClientConfigError"],
  ] as const)("%s: the factory throws, before any request", (_name, clientAuth, errorName) => {
    const before = provider.tokenRequests.length;
    expect(() => createOktaClient({ clientId: "pk-es", clientAuth, baseUrl: provider.issuer })).toThrow(errors[errorName]!);
    expect(provider.tokenRequests.length).toBe(before);
  });

  it("a refused request whose answer echoes what was sent: no rendering of the error shows the JWK's d or the assertion", async () => {
    const echo = await start((request) => ({ status: 400, body: { error: "invalid_client", error_description: `got ${request.body}` } }));
    const ec = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
    const jwk = { ...(await crypto.subtle.exportKey("jwk", ec.privateKey)), kid: "k" } as { d: string; kty: string };
    const okta = createOktaClient({ clientId: "pk-es", clientAuth: { method: "private_key_jwt", privateKey: jwk }, baseUrl: echo.url });
    const result = await okta.clientCredentials({ scope: "api:read" });
    const assertion = new URLSearchParams(echo.requests[0]!.body).get("client_assertion")!;
    expect(assertion.split(".")).toHaveLength(3);
    const { inspect } = await import("node:util");
    const renderings = [String(result.error), JSON.stringify(result.error), inspect(result.error, { depth: 10, showHidden: true }), (result.error as unknown as Error).message];
    for (const text of renderings) {
      expect(text).not.toContain(jwk.d);
      expect(text).not.toContain(assertion);
    }
    expect(inspect(okta, { showHidden: true, depth: 10 })).not.toContain(jwk.d);
  });

  it("a dpop option that is not a key pair: the factory throws DPoPProofError", () => {
    expect(() => createOktaClient({ clientId: "dpop", dpop: { privateKey: "x", publicKey: "y" }, baseUrl: provider.issuer })).toThrow(errors["DPoPProofError"]!);
  });
});

/** A DPoP session of the generated client, as the issue writes it. */
async function dpopSession(fetch?: FetchLike, options: Record<string, unknown> = {}): Promise<{ session: Session; pair: CryptoKeyPair }> {
  const pair = await esPair();
  const okta = createOktaClient({
    clientId: "dpop",
    clientAuth: { method: "private_key_jwt", privateKey: esKey.privateKey, keyId: "es-1" },
    dpop: { privateKey: pair.privateKey, publicKey: pair.publicKey },
    baseUrl: provider.issuer,
    ...(fetch !== undefined ? { fetch } : {}),
  });
  return { session: createOktaSession(okta, { grant: "client_credentials", scope: "api:read" }, { origins: [rs.origin], ...options }), pair };
}

describe("a DPoP-bound session of the generated client", () => {
  it("gets a DPoP token after the provider's nonce round-trip, and session.fetch is accepted after the resource's", async () => {
    const { session, pair } = await dpopSession();
    const tokenBefore = provider.tokenRequests.length;
    const rsBefore = rs.outcomes.length;
    const response = await session.fetch(`${rs.origin}${PREFIX}/users?limit=5`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, sub: "dpop", path: `${PREFIX}/users` });
    const exchange = provider.tokenRequests.slice(tokenBefore);
    expect(exchange.map((r) => r.status)).toEqual([400, 200]);
    expect(JSON.parse(exchange[0]!.body)).toMatchObject({ error: "use_dpop_nonce" });
    expect(decodeJwt(exchange[1]!.dpop!)).toMatchObject({ htm: "POST", htu: provider.tokenUrl, nonce: expect.any(String) });
    expect(rs.outcomes.slice(rsBefore).map((o) => o.outcome)).toEqual(["use_dpop_nonce", "ok"]);
    expect(rs.outcomes.at(-1)!.proof).toMatchObject({ htm: "GET", htu: `${rs.origin}${PREFIX}/users`, nonce: rs.nonce() });
    const token = await session.getToken();
    expect(token.token?.tokenType).toBe("DPoP");
    // Bound to the session's key pair: cnf.jkt is the thumbprint of the key in the proof header.
    const jwk = decodeProtectedHeader(exchange[1]!.dpop!).jwk!;
    expect(decodeJwt(token.token!.accessToken)["cnf"]).toEqual({ jkt: await (runtime["dpopKeyPair"] as (p: CryptoKeyPair) => { thumbprint(): Promise<string> })(pair).thumbprint() });
    expect(jwk).toMatchObject({ kty: "EC", crv: "P-256" });
    await session.close();
  });

  it("10,000 concurrent callers on one DPoP session: one token request (with its one nonce retry)", async () => {
    const { session } = await dpopSession();
    const before = provider.tokenRequests.length;
    const tokens = await Promise.all(Array.from({ length: 10_000 }, () => session.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(provider.tokenRequests.slice(before).map((r) => r.status)).toEqual([400, 200]);
    await session.close();
  });

  it("two sessions with different DPoP keys on one store never use each other's token", async () => {
    const Store = errors["MemoryTokenStore"] as unknown as new () => object;
    const store = new Store();
    const a = await dpopSession(undefined, { store });
    const b = await dpopSession(undefined, { store });
    const [tokenA, tokenB] = [await a.session.getAccessToken(), await b.session.getAccessToken()];
    expect(tokenA).not.toBe(tokenB);
    const thumbprint = (pair: CryptoKeyPair) => (runtime["dpopKeyPair"] as (p: CryptoKeyPair) => { thumbprint(): Promise<string> })(pair).thumbprint();
    expect(decodeJwt(tokenA)["cnf"]).toEqual({ jkt: await thumbprint(a.pair) });
    expect(decodeJwt(tokenB)["cnf"]).toEqual({ jkt: await thumbprint(b.pair) });
    await Promise.all([a.session.close(), b.session.close()]);
  });

  it("a replayed proof is refused by the server and surfaced as DPoPProofRejectedError", async () => {
    let captured: string | undefined;
    const replaying: FetchLike = (url, init) => {
      if (!url.startsWith(rs.origin)) return globalThis.fetch(url, init);
      const headers = new Headers(init.headers);
      if (captured === undefined) captured = headers.get("dpop") ?? undefined;
      else headers.set("DPoP", captured);
      return globalThis.fetch(url, { ...init, headers });
    };
    const { session } = await dpopSession(replaying);
    const error = await session.fetch(`${rs.origin}${PREFIX}/users`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors["DPoPProofRejectedError"]!);
    expect(error).toMatchObject({ code: "TOKEN_DPOP_PROOF_REJECTED", status: 401, error: "invalid_dpop_proof", description: "jti replayed" });
    await session.close();
  });

  it("a wrong htu (a proxy rewrites the path) is refused and surfaced as DPoPProofRejectedError", async () => {
    const rewriting: FetchLike = (url, init) => globalThis.fetch(url.replace(`${PREFIX}/a`, `${PREFIX}/b`), init);
    const { session } = await dpopSession(rewriting);
    const error = await session.fetch(`${rs.origin}${PREFIX}/a`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors["DPoPProofRejectedError"]!);
    expect(error).toMatchObject({ status: 401, description: "htu mismatch" });
    await session.close();
  });

  it("a proof from a key that is not the token's is refused and surfaced as DPoPProofRejectedError", async () => {
    const other = (runtime["dpopKeyPair"] as (p: CryptoKeyPair) => { proof(m: string, u: string, n: number, t?: string): Promise<string> })(await esPair());
    const swapping: FetchLike = async (url, init) => {
      if (!url.startsWith(rs.origin)) return globalThis.fetch(url, init);
      const headers = new Headers(init.headers);
      const token = (headers.get("authorization") ?? "").slice("DPoP ".length);
      headers.set("DPoP", await other.proof(init.method ?? "GET", url, Date.now(), token));
      return globalThis.fetch(url, { ...init, headers });
    };
    const { session } = await dpopSession(swapping);
    const error = await session.fetch(`${rs.origin}${PREFIX}/users`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors["DPoPProofRejectedError"]!);
    expect(error).toMatchObject({ status: 401, description: "key is not the token's (cnf.jkt)" });
    await session.close();
  });
});

/** The generated client on the assertion server, on a clock the test moves (Basic credentials: the spec's rule). */
async function onAssertionServer() {
  const pair = await esPair();
  const server = await assertionServer(start, pair.publicKey, "/token");
  let now = Date.now();
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const okta = createOktaClient({ clientId: "te-client", clientSecret: "te-secret-XYZ123", baseUrl: server.server.url, clock: clock.now });
  const open = (request: Record<string, unknown>) => createOktaSession(okta, request, { minRefreshIntervalMs: 0, retry: { tries: 1 } });
  return { ...server, pair, clock, okta, open };
}

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

describe("JWT bearer and token exchange as session grants of the generated client", () => {
  it("JWT bearer with an assertion the client signs (jwtAssertion): the session renews by itself, a fresh jti each time", async () => {
    const { open, clock, pair, tokenUrl, received } = await onAssertionServer();
    const jwtAssertion = runtime["jwtAssertion"] as (o: Record<string, unknown>) => () => Promise<string>;
    const assertion = jwtAssertion({ privateKey: pair.privateKey, keyId: "svc-1", claims: { iss: ISSUER, sub: "user-1", aud: tokenUrl } });
    const session = open({ grant: JWT_BEARER, assertion, scope: "read" });
    expect(await session.getAccessToken()).toBe("jb-1");
    clock.advance(61_000);
    expect(await session.getAccessToken()).toBe("jb-2");
    expect(received.map((r) => r.verified?.["sub"])).toEqual(["user-1", "user-1"]);
    expect(new Set(received.map((r) => r.verified?.["jti"])).size).toBe(2);
    await session.close();
  });

  it("JWT bearer with an assertion passed as a string: sent once; after expiry the session asks for the user", async () => {
    const { open, clock, pair, tokenUrl, server } = await onAssertionServer();
    const assertion = await (runtime["jwtAssertion"] as (o: Record<string, unknown>) => () => Promise<string>)({ privateKey: pair.privateKey, claims: { iss: ISSUER, sub: "user-2", aud: tokenUrl } })();
    const session = open({ grant: JWT_BEARER, assertion });
    expect(await session.getAccessToken()).toBe("jb-1");
    clock.advance(61_000);
    const result = await session.getToken();
    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(errors["ReauthenticationRequiredError"]!);
    expect(server.requests).toHaveLength(1);
    await session.close();
  });

  it("JWT bearer refused (invalid_grant): the session's error is the typed TokenResponseError", async () => {
    const { open, pair, tokenUrl } = await onAssertionServer();
    const assertion = (runtime["jwtAssertion"] as (o: Record<string, unknown>) => () => Promise<string>)({ privateKey: pair.privateKey, claims: { iss: ISSUER, sub: "blocked", aud: tokenUrl } });
    const session = open({ grant: JWT_BEARER, assertion });
    const result = await session.getToken();
    expect(result.error).toBeInstanceOf(errors["TokenResponseError"]!);
    expect(result.error).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    await session.close();
  });

  it("token exchange with a subject token function: exchanged again by itself, with Basic client credentials", async () => {
    const { open, clock, received, server } = await onAssertionServer();
    let calls = 0;
    const session = open({ grant: TOKEN_EXCHANGE, subject_token: () => `subject-${++calls}`, subject_token_type: ACCESS_TOKEN_TYPE, audience: "orders" });
    expect(await session.getAccessToken()).toBe("te-1");
    clock.advance(61_000);
    expect(await session.getAccessToken()).toBe("te-2");
    expect(received.map((r) => [r.fields.get("subject_token"), r.fields.get("audience")])).toEqual([["subject-1", "orders"], ["subject-2", "orders"]]);
    expect(server.requests[0]!.headers.authorization).toMatch(/^Basic /);
    await session.close();
  });

  it("token exchange refused (invalid_grant) through the client method; a missing subject_token_type never leaves", async () => {
    const { okta, server } = await onAssertionServer();
    const refused = await okta.tokenExchange({ subject_token: "revoked", subject_token_type: ACCESS_TOKEN_TYPE });
    expect(refused.error).toMatchObject({ kind: "response", status: 400, body: { error: "invalid_grant" } });
    const before = server.requests.length;
    const error = await okta.tokenExchange({ subject_token: "s" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^subject_token_type is required/);
    expect(server.requests).toHaveLength(before);
  });
});
