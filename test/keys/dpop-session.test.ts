// DPoP sessions: the store key includes the key pair's thumbprint, so two
// sessions with different keys on one store never use each other's token
// (and two with the same key share one); 10,000 concurrent callers cause one
// token request; the warm path makes no crypto call.
import { createHash } from "node:crypto";
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from "jose";
import type { JWK } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { dpopKeyPair } from "../../generator/runtime/dpop.js";
import type { TokenResponseError } from "../../generator/runtime/errors.js";
import { requestToken } from "../../generator/runtime/request.js";
import { sessionKeyParts } from "../../generator/runtime/session-key.js";
import type { SessionGrant } from "../../generator/runtime/session-types.js";
import { createSession } from "../../generator/runtime/session.js";
import { MemoryTokenStore } from "../../generator/runtime/store.js";
import type { TokenStore } from "../../generator/runtime/store.js";
import { RedisTokenStore } from "../../generator/stores/redis-store.js";
import { startRedis } from "../support/redis-topology.js";
import type { ClientConfig } from "../../generator/runtime/types.js";
import type { RecordedRequest, TokenServerReply } from "../support/loopback.js";
import { basicGrant, endpoint } from "../runtime/helpers.js";
import { RecordingStore, useServers, useUnhandledRejectionTrap } from "../session/helpers.js";

const start = useServers();
useUnhandledRejectionTrap();
afterEach(() => {
  vi.restoreAllMocks();
});

const EP = endpoint();

/** A token server binding each token to the proof's key: `at-<jkt>-<n>`, type DPoP. */
async function bindingIssuer() {
  let n = 0;
  return start(async (request: RecordedRequest): Promise<TokenServerReply> => {
    const proof = request.headers["dpop"];
    if (typeof proof !== "string") return { status: 400, body: { error: "invalid_dpop_proof" } };
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt" });
    if (payload["htm"] !== "POST") return { status: 400, body: { error: "invalid_dpop_proof" } };
    const jkt = await calculateJwkThumbprint(protectedHeader.jwk as JWK);
    return { status: 200, body: { access_token: `at-${jkt}-${++n}`, token_type: "DPoP", expires_in: 3600 } };
  });
}

/** An API accepting a token only with a proof by the key it is bound to, for this request. */
async function bindingApi() {
  return start(async (request: RecordedRequest): Promise<TokenServerReply> => {
    const match = /^DPoP (at-([\w-]+)-\d+)$/.exec(request.headers.authorization ?? "");
    const proof = request.headers["dpop"];
    if (match === null || typeof proof !== "string") return { status: 401, headers: { "WWW-Authenticate": 'DPoP error="invalid_token"' } };
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt" });
    const bound = thumbprint(protectedHeader.jwk as JWK) === match[2];
    const ath = createHash("sha256").update(match[1]!).digest("base64url") === payload["ath"];
    if (!bound || !ath) return { status: 401, headers: { "WWW-Authenticate": 'DPoP error="invalid_dpop_proof"' } };
    return { status: 200, body: { token: match[1] } };
  });
}

/** RFC 7638 with node:crypto (jose's would use crypto.subtle, which the warm-path check watches). */
function thumbprint(jwk: JWK): string {
  const members = jwk.kty === "EC" ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : jwk.kty === "OKP" ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash("sha256").update(JSON.stringify(members)).digest("base64url");
}

async function pair(name: "ECDSA" | "Ed25519" = "ECDSA"): Promise<CryptoKeyPair> {
  const algorithm = name === "ECDSA" ? { name, namedCurve: "P-256" } : { name };
  return (await crypto.subtle.generateKey(algorithm, false, ["sign", "verify"])) as CryptoKeyPair;
}

/** A session as a generated client opens one: the same client, grant and params; only the DPoP key differs. */
function session(baseUrl: string, pair: CryptoKeyPair, store: TokenStore, api: string) {
  const dpop = dpopKeyPair(pair);
  const config: ClientConfig = { clientId: "shared-client", clientSecret: "shared-secret", baseUrl, dpop };
  const grant: SessionGrant<Record<string, unknown>, TokenResponseError> = {
    obtain: (call) => requestToken(EP, basicGrant, config, {}, call) as never,
    reobtainable: true,
    keyParts: sessionKeyParts("dpop-test", EP, config, "client_credentials", {}),
    clock: Date.now,
    dpop,
  };
  return createSession(grant, { store, origins: [api] });
}

describe("DPoP sessions on a shared store", () => {
  it("two sessions with different DPoP keys on one store never use each other's token; the same key shares one", async () => {
    const issuer = await bindingIssuer();
    const api = await bindingApi();
    const store = new RecordingStore(new MemoryTokenStore());
    const [keyA, keyB] = [await pair(), await pair("Ed25519")];
    const a = session(issuer.url, keyA, store, api.url);
    const b = session(issuer.url, keyB, store, api.url);
    const tokenA = await a.getAccessToken();
    const tokenB = await b.getAccessToken();
    expect(tokenA).toBe(`at-${await dpopKeyPair(keyA).thumbprint()}-1`);
    expect(tokenB).toBe(`at-${await dpopKeyPair(keyB).thumbprint()}-2`);
    expect(issuer.requests).toHaveLength(2);
    // Each session's calls carry its own token, with proofs the API accepts.
    for (const [s, t] of [[a, tokenA], [b, tokenB]] as const) {
      const response = await s.fetch(`${api.url}/me`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ token: t });
    }
    // A third session with keyA (another process, say) finds keyA's token in the store.
    const a2 = session(issuer.url, keyA, store, api.url);
    expect(await a2.getAccessToken()).toBe(tokenA);
    expect(issuer.requests).toHaveLength(2);
    await Promise.all([a.close(), b.close(), a2.close()]);
  });

  it("10,000 concurrent callers on one DPoP session: one token request, and the warm path makes no crypto call", async () => {
    const issuer = await bindingIssuer();
    const api = await bindingApi();
    const s = session(issuer.url, await pair(), new MemoryTokenStore(), api.url);
    const tokens = await Promise.all(Array.from({ length: 10_000 }, () => s.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(issuer.requests).toHaveLength(1);
    const sign = vi.spyOn(crypto.subtle, "sign");
    const digest = vi.spyOn(crypto.subtle, "digest");
    const exportKey = vi.spyOn(crypto.subtle, "exportKey");
    for (let i = 0; i < 1000; i++) await s.getAccessToken();
    await s.getToken();
    expect([sign.mock.calls.length, digest.mock.calls.length, exportKey.mock.calls.length]).toEqual([0, 0, 0]);
    // Every session.fetch signs one proof; 100 at once still share the one token.
    const responses = await Promise.all(Array.from({ length: 100 }, () => s.fetch(`${api.url}/x`)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(sign.mock.calls.length).toBe(100);
    expect(issuer.requests).toHaveLength(1);
    // The ath of one token is computed once (the API hashes with node:crypto, not crypto.subtle).
    expect(digest.mock.calls.length).toBe(1);
    expect(decodeProtectedHeader(api.requests[0]!.headers["dpop"] as string).typ).toBe("dpop+jwt");
    await s.close();
  });

  it("on one Redis store, sessions with different keys (separate connections, as separate processes) keep apart", async () => {
    const redis = await startRedis();
    const stores = [new RedisTokenStore(redis.url), new RedisTokenStore(redis.url), new RedisTokenStore(redis.url)];
    try {
      const issuer = await bindingIssuer();
      const api = await bindingApi();
      const [keyA, keyB] = [await pair(), await pair()];
      const a = session(issuer.url, keyA, stores[0]!, api.url);
      const b = session(issuer.url, keyB, stores[1]!, api.url);
      const [tokenA, tokenB] = [await a.getAccessToken(), await b.getAccessToken()];
      expect(tokenA).toBe(`at-${await dpopKeyPair(keyA).thumbprint()}-1`);
      expect(tokenB).toBe(`at-${await dpopKeyPair(keyB).thumbprint()}-2`);
      const a2 = session(issuer.url, keyA, stores[2]!, api.url);
      expect(await a2.getAccessToken()).toBe(tokenA);
      expect((await (await a2.fetch(`${api.url}/me`)).json())).toEqual({ token: tokenA });
      expect(issuer.requests).toHaveLength(2);
      await Promise.all([a.close(), b.close(), a2.close()]);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await redis.stop();
    }
  }, 20_000);
});
