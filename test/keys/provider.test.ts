// Keys instead of shared secrets, against oidc-provider on loopback:
// private_key_jwt (ES256 CryptoKey, RSA PS256 JWK, Ed25519) and
// client_secret_jwt clients get client-credentials tokens; a DPoP-bound token
// is issued after the provider's nonce round-trip; a resource server that
// verifies proofs with jose accepts session.fetch and the middleware (after
// its own nonce round-trip), and refuses a replayed proof, a wrong htu and a
// wrong key, which the client surfaces as DPoPProofRejectedError.
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from "jose";
import type { JWK } from "jose";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAuthValue, privateKeyJwt } from "../../generator/runtime/client-jwt.js";
import { dpopKeyPair } from "../../generator/runtime/dpop.js";
import { DPoPProofRejectedError, TokenResponseError } from "../../generator/runtime/errors.js";
import { requestToken } from "../../generator/runtime/request.js";
import { sessionKeyParts } from "../../generator/runtime/session-key.js";
import type { SessionGrant } from "../../generator/runtime/session-types.js";
import { createSession } from "../../generator/runtime/session.js";
import type { Jwk } from "../../generator/runtime/jws.js";
import type { ClientAuth, ClientConfig, FetchLike, GrantRule } from "../../generator/runtime/types.js";
import { startTokenServer } from "../support/loopback.js";
import { endpoint } from "../runtime/helpers.js";
import { startProvider } from "./provider.js";
import type { ProviderServer } from "./provider.js";
import { startResourceServer } from "./resource.js";
import type { ResourceServer } from "./resource.js";

const EP = endpoint({ path: "/token", errorStatuses: [400, 401] });
/** The grant's own rule says basic; clientAuth decides over it. */
const CC: GrantRule = { grantType: "client_credentials", grantField: "grant_type", clientAuth: { kind: "basic" } };
const SECRET = "cs-jwt-secret-0123456789-abcdefghijklmnopqrstuv";
const PREFIX = "/api";

let provider: ProviderServer;
let rs: ResourceServer;
let esKey: CryptoKeyPair;
let edKey: CryptoKeyPair;
let rsaPrivateJwk: JWK;
/** Client assertions the provider checked, in order (header and claims). */
const assertions: { header: Record<string, unknown>; claims: Record<string, unknown> }[] = [];

async function publicJwk(key: CryptoKey, kid: string): Promise<JWK> {
  return { ...(await exportJWK(key)), kid };
}

beforeAll(async () => {
  // Private keys non-extractable: the client never needs their bytes.
  esKey = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  edKey = (await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const rsa = await generateKeyPair("PS256", { extractable: true, modulusLength: 2048 });
  rsaPrivateJwk = { ...(await exportJWK(rsa.privateKey)), kid: "rsa-1" };
  rs = await startResourceServer({ prefix: PREFIX, requireNonce: true }, startTokenServer);
  provider = await startProvider({
    resource: rs.audience,
    clients: [
      { client_id: "pk-es", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [await publicJwk(esKey.publicKey, "es-1")] } },
      { client_id: "pk-rsa", token_endpoint_auth_method: "private_key_jwt", token_endpoint_auth_signing_alg: "PS256", jwks: { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: "rsa-1" }] } },
      { client_id: "pk-ed", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [await publicJwk(edKey.publicKey, "ed-1")] } },
      { client_id: "pk-issuer-aud", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [await publicJwk(esKey.publicKey, "es-1")] } },
      { client_id: "cs-jwt", client_secret: SECRET, token_endpoint_auth_method: "client_secret_jwt" },
      // Every token of this client must be DPoP-bound.
      { client_id: "dpop", token_endpoint_auth_method: "private_key_jwt", dpop_bound_access_tokens: true, jwks: { keys: [await publicJwk(esKey.publicKey, "es-1")] } },
    ],
    assertClientAssertion: (claims, header) => {
      assertions.push({ claims, header });
      // What RFC 7523 §3 asks of the client, beyond what oidc-provider checks itself.
      if (claims["sub"] !== claims["iss"]) throw new Error("sub must be the client id");
      if (typeof claims["iat"] !== "number" || typeof claims["exp"] !== "number" || (claims["exp"] as number) - (claims["iat"] as number) > 60) throw new Error("short exp");
      if (claims["iss"] === "pk-issuer-aud" && claims["aud"] !== provider.issuer) throw new Error("aud must be the issuer");
    },
  });
  rs.trust(provider.issuer, provider.jwks);
}, 30_000);

afterAll(async () => {
  await provider?.close();
  await rs?.server.close();
});

/** Client options as a user gives them: a clientAuth description, a bare DPoP key pair. */
type Extra = Omit<Partial<ClientConfig>, "dpop"> & { readonly dpop?: CryptoKeyPair };

/** The config a generated client makes of them (clientAuthValue, dpopKeyPair). */
function config(clientId: string, clientAuth: ClientAuth, extra: Extra = {}): ClientConfig {
  const { dpop, ...rest } = extra;
  return { clientId, baseUrl: provider.issuer, ...rest, clientAuth: clientAuthValue(clientAuth), ...(dpop !== undefined ? { dpop: dpopKeyPair(dpop) } : {}) };
}

async function token(clientId: string, clientAuth: ClientAuth, extra: Extra = {}) {
  return requestToken(EP, CC, config(clientId, clientAuth, extra), { scope: "api:read" });
}

describe("private_key_jwt and client_secret_jwt against oidc-provider", () => {
  it("private_key_jwt with a non-extractable ES256 CryptoKey: a token, and a fresh assertion per request (RFC 7523 §2.2, §3)", async () => {
    assertions.length = 0;
    const auth: ClientAuth = { method: "private_key_jwt", privateKey: esKey.privateKey, keyId: "es-1" };
    const first = await token("pk-es", auth);
    const second = await token("pk-es", auth);
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok) throw first.error;
    expect(decodeJwt(first.token.accessToken)["client_id"]).toBe("pk-es");
    expect(assertions).toHaveLength(2);
    const [a, b] = assertions as [(typeof assertions)[0], (typeof assertions)[0]];
    expect(a.header).toMatchObject({ alg: "ES256", kid: "es-1" });
    expect(a.claims).toMatchObject({ iss: "pk-es", sub: "pk-es", aud: provider.tokenUrl });
    expect((a.claims["exp"] as number) - (a.claims["iat"] as number)).toBe(60);
    expect(a.claims["jti"]).not.toBe(b.claims["jti"]);
  });

  it("private_key_jwt with a private RSA JWK signing PS256 (its kid becomes the header's)", async () => {
    assertions.length = 0;
    const result = await token("pk-rsa", { method: "private_key_jwt", privateKey: rsaPrivateJwk as Jwk, algorithm: "PS256" });
    if (!result.ok) throw result.error;
    expect(assertions[0]?.header).toMatchObject({ alg: "PS256", kid: "rsa-1" });
  });

  it("private_key_jwt with Ed25519, made with privateKeyJwt()", async () => {
    assertions.length = 0;
    const result = await token("pk-ed", privateKeyJwt(edKey.privateKey, { keyId: "ed-1" }));
    if (!result.ok) throw result.error;
    expect(assertions[0]?.header).toMatchObject({ alg: "EdDSA", kid: "ed-1" });
  });

  it("the audience option: a provider that wants the issuer as aud refuses the token URL and accepts the issuer", async () => {
    const refused = await token("pk-issuer-aud", { method: "private_key_jwt", privateKey: esKey.privateKey });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error).toBeInstanceOf(TokenResponseError);
    expect((refused.error as unknown as TokenResponseError).body).toMatchObject({ error: "invalid_client" });
    const accepted = await token("pk-issuer-aud", { method: "private_key_jwt", privateKey: esKey.privateKey, audience: provider.issuer });
    expect(accepted.ok).toBe(true);
  });

  it("client_secret_jwt: HS256 over the client secret, which itself is never sent", async () => {
    assertions.length = 0;
    const sent: string[] = [];
    const fetch: FetchLike = (url, init) => {
      sent.push(String(init.body), JSON.stringify(init.headers));
      return globalThis.fetch(url, init);
    };
    const result = await token("cs-jwt", { method: "client_secret_jwt" }, { clientSecret: SECRET, fetch });
    if (!result.ok) throw result.error;
    expect(assertions[0]?.header).toMatchObject({ alg: "HS256" });
    expect(sent.join("\n")).not.toContain(SECRET);
    expect(new URLSearchParams(sent[0]).get("client_assertion_type")).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  });

  it("a key the client was not registered with is refused by the provider (invalid_client), a typed TokenResponseError", async () => {
    const result = await token("pk-es", { method: "private_key_jwt", privateKey: edKey.privateKey });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("response");
    expect((result.error as unknown as TokenResponseError).body).toMatchObject({ error: "invalid_client" });
  });
});

describe("DPoP against oidc-provider", () => {
  it("a DPoP-bound client-credentials token after the provider's nonce round-trip (RFC 9449 §8), then the nonce is reused", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
    const before = provider.tokenRequests.length;
    const result = await token("dpop", { method: "private_key_jwt", privateKey: esKey.privateKey, keyId: "es-1" }, { dpop: pair });
    if (!result.ok) throw result.error;
    expect(result.token.tokenType).toBe("DPoP");
    const exchange = provider.tokenRequests.slice(before);
    // The provider demanded a nonce, and the client retried exactly once with it.
    expect(exchange.map((r) => r.status)).toEqual([400, 200]);
    expect(JSON.parse(exchange[0]!.body)).toMatchObject({ error: "use_dpop_nonce" });
    const [firstProof, secondProof] = exchange.map((r) => decodeJwt(r.dpop!));
    expect(firstProof!["nonce"]).toBeUndefined();
    expect(typeof secondProof!["nonce"]).toBe("string");
    expect(secondProof).toMatchObject({ htm: "POST", htu: provider.tokenUrl });
    expect(firstProof!["jti"]).not.toBe(secondProof!["jti"]);
    const header = decodeProtectedHeader(exchange[1]!.dpop!);
    expect(header).toMatchObject({ typ: "dpop+jwt", alg: "ES256", jwk: { kty: "EC", crv: "P-256" } });
    expect(Object.keys(header.jwk!).sort()).toEqual(["crv", "kty", "x", "y"]);
    // Bound to the key pair: cnf.jkt is its RFC 7638 thumbprint.
    expect(decodeJwt(result.token.accessToken)["cnf"]).toEqual({ jkt: await dpopKeyPair(pair).thumbprint() });
    // The nonce is remembered for the origin: the next request needs no round-trip.
    const again = provider.tokenRequests.length;
    const next = await token("dpop", { method: "private_key_jwt", privateKey: esKey.privateKey }, { dpop: pair });
    expect(next.ok).toBe(true);
    expect(provider.tokenRequests.slice(again).map((r) => r.status)).toEqual([200]);
  });

  it("an Ed25519 DPoP key pair works too", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair;
    const result = await token("dpop", { method: "private_key_jwt", privateKey: esKey.privateKey }, { dpop: pair });
    if (!result.ok) throw result.error;
    expect(decodeJwt(result.token.accessToken)["cnf"]).toEqual({ jkt: await dpopKeyPair(pair).thumbprint() });
  });
});

/** A session as a generated client opens one: DPoP key pair in the config and on the grant. */
function dpopSession(pair: CryptoKeyPair, fetch?: FetchLike) {
  const cfg = config("dpop", { method: "private_key_jwt", privateKey: esKey.privateKey, keyId: "es-1" }, { dpop: pair });
  const params = { scope: "api:read" };
  const grant: SessionGrant<Record<string, unknown>, TokenResponseError> = {
    obtain: (call) => requestToken(EP, CC, cfg, params, call) as never,
    reobtainable: true,
    keyParts: sessionKeyParts("oidc-provider", EP, cfg, "client_credentials", params),
    clock: Date.now,
    fetch,
    dpop: cfg.dpop,
  };
  return createSession(grant, { origins: [rs.origin] });
}

async function freshPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
}

describe("session.fetch and the middleware against a resource server that verifies proofs with jose", () => {
  it("session.fetch: Authorization DPoP plus a proof with ath; the server's nonce round-trip, then the nonce is reused", async () => {
    const session = dpopSession(await freshPair());
    const before = rs.outcomes.length;
    const response = await session.fetch(`${rs.origin}${PREFIX}/items?page=2#top`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, path: `${PREFIX}/items`, sub: "dpop" });
    const seen = rs.outcomes.slice(before);
    expect(seen.map((o) => o.outcome)).toEqual(["use_dpop_nonce", "ok"]);
    expect(seen[0]!.request.headers.authorization).toMatch(/^DPoP /);
    // htu without the query or fragment; the second proof carries the server's nonce.
    expect(seen[1]!.proof).toMatchObject({ htm: "GET", htu: `${rs.origin}${PREFIX}/items`, nonce: rs.nonce() });
    const after = rs.outcomes.length;
    const post = await session.fetch(`${rs.origin}${PREFIX}/items`, { method: "POST", body: "hello" });
    expect(await post.json()).toMatchObject({ ok: true, method: "POST", body: "hello" });
    expect(rs.outcomes.slice(after).map((o) => o.outcome)).toEqual(["ok"]);
    await session.close();
  });

  it("session.middleware (openapi-fetch): the same proof, nonce retry and answer", async () => {
    const session = dpopSession(await freshPair());
    const client = createClient<Record<string, never>>({ baseUrl: `${rs.origin}${PREFIX}` });
    client.use(session.middleware);
    const loose = client as unknown as { POST(path: string, init: Record<string, unknown>): Promise<{ response: Response; data?: unknown }> };
    const before = rs.outcomes.length;
    const { response, data } = await loose.POST("/orders", { body: { n: 1 } });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ ok: true, path: `${PREFIX}/orders`, body: '{"n":1}' });
    expect(rs.outcomes.slice(before).map((o) => o.outcome)).toEqual(["use_dpop_nonce", "ok"]);
    await session.close();
  });

  it("a replayed proof: the server refuses it (jti seen) and session.fetch throws DPoPProofRejectedError", async () => {
    let captured: string | undefined;
    // Something between the client and the server sends the first proof again.
    const replaying: FetchLike = (url, init) => {
      if (url.startsWith(rs.origin)) {
        const headers = new Headers(init.headers);
        if (captured === undefined) captured = headers.get("dpop") ?? undefined;
        else headers.set("DPoP", captured);
        return globalThis.fetch(url, { ...init, headers });
      }
      return globalThis.fetch(url, init);
    };
    const session = dpopSession(await freshPair(), replaying);
    const before = rs.outcomes.length;
    const error = await session.fetch(`${rs.origin}${PREFIX}/items`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DPoPProofRejectedError);
    expect(error).toMatchObject({ kind: "dpop_rejected", code: "TOKEN_DPOP_PROOF_REJECTED", status: 401, error: "invalid_dpop_proof", origin: rs.origin, description: "jti replayed" });
    expect(rs.outcomes.slice(before).map((o) => o.reason)).toContain("jti replayed");
    await session.close();
  });

  it("a wrong htu: a proxy rewrites the path, the server refuses the proof and session.fetch throws DPoPProofRejectedError", async () => {
    const rewriting: FetchLike = (url, init) => globalThis.fetch(url.replace(`${PREFIX}/a`, `${PREFIX}/b`), init);
    const session = dpopSession(await freshPair(), rewriting);
    const before = rs.outcomes.length;
    const error = await session.fetch(`${rs.origin}${PREFIX}/a`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DPoPProofRejectedError);
    expect(error).toMatchObject({ status: 401, error: "invalid_dpop_proof", description: "htu mismatch" });
    expect(rs.outcomes.slice(before).map((o) => o.reason)).toEqual(["htu mismatch"]);
    await session.close();
  });

  it("a wrong key: a proof signed by another key pair is refused (cnf.jkt) and session.fetch throws DPoPProofRejectedError", async () => {
    const other = await freshPair();
    let url = "";
    const swapping: FetchLike = async (input, init) => {
      if (!input.startsWith(rs.origin)) return globalThis.fetch(input, init);
      url = input;
      const headers = new Headers(init.headers);
      const token = (headers.get("authorization") ?? "").slice("DPoP ".length);
      // A well-formed proof for this very request (htm, htu, ath, nonce), from the wrong key.
      headers.set("DPoP", await dpopKeyPair(other).proof(init.method ?? "GET", input, Date.now(), token));
      return globalThis.fetch(input, { ...init, headers });
    };
    const session = dpopSession(await freshPair(), swapping);
    const before = rs.outcomes.length;
    const error = await session.fetch(`${rs.origin}${PREFIX}/items`).catch((e: unknown) => e);
    expect(url).not.toBe("");
    expect(error).toBeInstanceOf(DPoPProofRejectedError);
    expect(error).toMatchObject({ status: 401, error: "invalid_dpop_proof", description: "key is not the token's (cnf.jkt)" });
    expect(rs.outcomes.slice(before).map((o) => o.reason)).toContain("key is not the token's (cnf.jkt)");
    await session.close();
  });

  it("the server itself refuses the three, sent by hand: a replayed proof, a wrong htu, a wrong key", async () => {
    const pair = await freshPair();
    const result = await token("dpop", { method: "private_key_jwt", privateKey: esKey.privateKey }, { dpop: pair });
    if (!result.ok) throw result.error;
    const access = result.token.accessToken;
    const url = `${rs.origin}${PREFIX}/hand`;
    const send = (proof: string, to = url) => globalThis.fetch(to, { headers: { Authorization: `DPoP ${access}`, DPoP: proof } });
    const proofFor = (p: CryptoKeyPair, u: string) => dpopKeyPair(p).proof("GET", u, Date.now(), access);
    // The nonce is known to the key pair (every value made from it) once kept.
    const first = await send(await proofFor(pair, url));
    expect(first.status).toBe(401);
    expect(first.headers.get("dpop-nonce")).toBe(rs.nonce());
    dpopKeyPair(pair).remember(url, first.headers);
    const good = await proofFor(pair, url);
    expect((await send(good)).status).toBe(200);
    const replayed = await send(good);
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get("www-authenticate")).toContain('error="invalid_dpop_proof"');
    expect((await send(await proofFor(pair, `${rs.origin}${PREFIX}/elsewhere`))).status).toBe(401);
    const other = await freshPair();
    dpopKeyPair(other).remember(url, first.headers);
    expect((await send(await proofFor(other, url))).status).toBe(401);
    expect(rs.outcomes.slice(-3).map((o) => o.reason)).toEqual(["jti replayed", "htu mismatch", "key is not the token's (cnf.jkt)"]);
  });
});
