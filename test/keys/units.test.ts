// The pieces under the key tests: JWS signing with Web Crypto (checked with
// jose), JWK import, RFC 7638 thumbprints, WWW-Authenticate parsing, the
// clientAuth method values, the DPoP nonce retry at a token endpoint, and the
// typed errors for keys that cannot sign.
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify } from "jose";
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import { CLIENT_SECRET_BASIC } from "../../generator/runtime/client-auth.js";
import { clientAuthValue, keyOptions, privateKeyJwt } from "../../generator/runtime/client-jwt.js";
import { dpopKeyPair, parseChallenges } from "../../generator/runtime/dpop.js";
import { ClientKeyError, DPoPProofError, TokenClientConfigError } from "../../generator/runtime/errors.js";
import { exportPublicJwk, importPrivateJwk, jwkThumbprint, signJws } from "../../generator/runtime/jws.js";
import type { AsymmetricAlgorithm, Jwk } from "../../generator/runtime/jws.js";
import { requestToken } from "../../generator/runtime/request.js";
import type { SessionGrant } from "../../generator/runtime/session-types.js";
import { createSession } from "../../generator/runtime/session.js";
import type { ClientAuth, ClientAuthValue, ClientConfig, GrantRule } from "../../generator/runtime/types.js";
import type { TokenResponseError } from "../../generator/runtime/errors.js";
import { basicGrant, endpoint } from "../runtime/helpers.js";
import { testClock, useServers } from "../session/helpers.js";

const start = useServers();
const EP = endpoint();

describe("JWS with Web Crypto, verified by jose", () => {
  it.each(["ES256", "ES384", "ES512", "EdDSA", "RS256", "PS256", "PS512"] as const)("%s: a compact JWS that jose verifies, from a CryptoKey and from a private JWK", async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg === "EdDSA" ? "Ed25519" : alg, { extractable: true });
    const payload = { sub: "x", n: 1 };
    const direct = await signJws({ kid: "k" }, payload, privateKey as CryptoKey, alg);
    const verified = await jwtVerify(direct, publicKey, { algorithms: [alg] });
    expect(verified.payload).toEqual(payload);
    expect(verified.protectedHeader).toEqual({ kid: "k", alg });
    const imported = await importPrivateJwk((await exportJWK(privateKey)) as Jwk, alg);
    expect(imported.alg).toBe(alg);
    expect((imported.key as CryptoKey).extractable).toBe(false);
    await jwtVerify(await signJws({}, payload, imported.key, imported.alg), publicKey, { algorithms: [alg] });
  });

  it("RFC 7638 thumbprints: the RFC's example, and jose's value for EC, OKP and RSA keys", async () => {
    const example = {
      kty: "RSA",
      e: "AQAB",
      n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    };
    expect(await jwkThumbprint(example)).toBe("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    for (const alg of ["ES256", "Ed25519", "RS256"] as const) {
      const { publicKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = await exportPublicJwk(publicKey as CryptoKey);
      expect(await jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint((await exportJWK(publicKey)) as JWK));
    }
  });
});

describe("DPoP proofs", () => {
  it("typ, alg and a jwk with public members only; htm, htu without query and fragment, iat from the clock, jti, ath", async () => {
    // Even an extractable private key puts nothing private in the header.
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const proof = await dpopKeyPair(pair).proof("PATCH", "https://api.example:8443/v1/x?q=1#frag", 1_700_000_000_900, "tok");
    const header = decodeProtectedHeader(proof);
    expect(header.typ).toBe("dpop+jwt");
    expect(header.alg).toBe("ES256");
    expect(Object.keys(header.jwk!).sort()).toEqual(["crv", "kty", "x", "y"]);
    const { payload } = await jwtVerify(proof, await importJWK(header.jwk!, "ES256"), { typ: "dpop+jwt", currentDate: new Date(1_700_000_000_000) });
    expect(payload).toMatchObject({ htm: "PATCH", htu: "https://api.example:8443/v1/x", iat: 1_700_000_000 });
    expect(payload["ath"]).toBe(Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("tok"))).toString("base64url"));
    expect(typeof payload.jti === "string" && payload.jti.length >= 22).toBe(true);
    expect(await dpopKeyPair(pair).thumbprint()).toBe(await calculateJwkThumbprint(header.jwk!));
    // Printing the value shows no key.
    const { inspect } = await import("node:util");
    const privateD = ((await crypto.subtle.exportKey("jwk", pair.privateKey)) as { d: string }).d;
    expect(inspect(dpopKeyPair(pair), { showHidden: true, depth: 10 }) + JSON.stringify(dpopKeyPair(pair))).not.toContain(privateD);
  });

  it("WWW-Authenticate: the DPoP challenge's error among other challenges, quoted and token values", () => {
    const header = 'Bearer realm="api", error="invalid_token", DPoP algs="ES256 EdDSA", error="use_dpop_nonce", error_description="Resource server requires nonce, \\"fresh\\""';
    const challenges = parseChallenges(header);
    expect(challenges.map((c) => c.scheme)).toEqual(["Bearer", "DPoP"]);
    expect(challenges[1]!.params).toEqual({ algs: "ES256 EdDSA", error: "use_dpop_nonce", error_description: 'Resource server requires nonce, "fresh"' });
    expect(parseChallenges("Basic abc==, DPoP error=invalid_dpop_proof").map((c) => [c.scheme, c.params["error"]])).toEqual([
      ["Basic", undefined],
      ["DPoP", "invalid_dpop_proof"],
    ]);
    expect(parseChallenges("Negotiate a/b+c=, dpop error=\"x\"")[1]?.params["error"]).toBe("x");
  });

  it("a token endpoint asking for a nonce twice: one retry, then its answer is the result", async () => {
    const server = await start(() => ({ status: 400, headers: { "DPoP-Nonce": "n-1" }, body: { error: "use_dpop_nonce" } }));
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair;
    const result = await requestToken(EP, basicGrant, { clientId: "c", clientSecret: "s", baseUrl: server.url, dpop: dpopKeyPair(pair) }, {});
    expect(result.ok ? undefined : result.error).toMatchObject({ kind: "response", status: 400, body: { error: "use_dpop_nonce" } });
    expect(server.requests).toHaveLength(2);
    expect(decodeJwt(server.requests[1]!.headers["dpop"] as string)["nonce"]).toBe("n-1");
  });

  it("a resource that wants a nonce for a streamed body: the 401 is returned (no replay), and the next call carries the nonce", async () => {
    const issuer = await start(() => ({ status: 200, body: { access_token: "dpop-at", token_type: "DPoP", expires_in: 3600 } }));
    const api = await start((request) =>
      decodeJwt(request.headers["dpop"] as string)["nonce"] === "rs-1"
        ? { status: 200, body: { got: request.body } }
        : { status: 401, headers: { "WWW-Authenticate": 'DPoP error="use_dpop_nonce"', "DPoP-Nonce": "rs-1" } },
    );
    const pair = dpopKeyPair((await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair);
    const config: ClientConfig = { clientId: "c", clientSecret: "s", baseUrl: issuer.url, dpop: pair };
    const grant: SessionGrant<Record<string, unknown>, TokenResponseError> = {
      obtain: (call) => requestToken(EP, basicGrant, config, {}, call) as never,
      reobtainable: true,
      keyParts: ["x"],
      clock: Date.now,
      dpop: pair,
    };
    const session = createSession(grant, { origins: [api.url] });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    const first = await session.fetch(`${api.url}/upload`, { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(first.status).toBe(401);
    expect(api.requests).toHaveLength(1);
    const second = await session.fetch(`${api.url}/upload`, { method: "POST", body: "again" });
    expect(await second.json()).toEqual({ got: "again" });
    expect(issuer.requests).toHaveLength(1);
    await session.close();
  });
});

describe("clientAuth method values", () => {
  async function sent(clientAuth: ClientAuth | ClientAuthValue, rule: GrantRule = basicGrant, clientSecret: string | undefined = "sec-ret") {
    const server = await start(() => ({ status: 200, body: { access_token: "t", token_type: "Bearer", expires_in: 60 } }));
    const result = await requestToken(EP, rule, { clientId: "cid", clientSecret, baseUrl: server.url, clientAuth: clientAuthValue(clientAuth) }, {});
    expect(result.ok).toBe(true);
    const request = server.requests[0]!;
    return { fields: Object.fromEntries(new URLSearchParams(request.body)), authorization: request.headers.authorization };
  }
  const fieldsRule: GrantRule = { grantType: "client_credentials", grantField: "grant_type", clientAuth: { kind: "fields", idField: "clientId", secretField: "clientSecret" } };

  it("client_secret_basic, client_secret_post (in the spec's field names when it has them), none, tls_client_auth", async () => {
    expect(await sent(CLIENT_SECRET_BASIC, fieldsRule)).toEqual({ fields: { grant_type: "client_credentials" }, authorization: "Basic Y2lkOnNlYy1yZXQ=" });
    expect(await sent({ method: "client_secret_post" })).toEqual({ fields: { grant_type: "client_credentials", client_id: "cid", client_secret: "sec-ret" }, authorization: undefined });
    expect((await sent({ method: "client_secret_post" }, fieldsRule)).fields).toEqual({ grant_type: "client_credentials", clientId: "cid", clientSecret: "sec-ret" });
    expect(await sent({ method: "none" })).toEqual({ fields: { grant_type: "client_credentials", client_id: "cid" }, authorization: undefined });
    expect(await sent({ method: "tls_client_auth" })).toEqual({ fields: { grant_type: "client_credentials", client_id: "cid" }, authorization: undefined });
  });

  it("client_secret_jwt and private_key_jwt: client_id, client_assertion_type, a client_assertion; no secret sent", async () => {
    const { fields } = await sent({ method: "client_secret_jwt", audience: "https://issuer.example" });
    expect(Object.keys(fields).sort()).toEqual(["client_assertion", "client_assertion_type", "client_id", "grant_type"]);
    expect(decodeJwt(fields["client_assertion"]!)).toMatchObject({ iss: "cid", sub: "cid", aud: "https://issuer.example" });
    const pair = await generateKeyPair("ES256");
    const pk = await sent(privateKeyJwt(pair.privateKey as CryptoKey, { keyId: "k9", lifetimeSeconds: 30 }), basicGrant, undefined);
    const claims = decodeJwt(pk.fields["client_assertion"]!);
    expect(claims.exp! - claims.iat!).toBe(30);
    expect(decodeProtectedHeader(pk.fields["client_assertion"]!)).toEqual({ kid: "k9", alg: "ES256" });
    await jwtVerify(pk.fields["client_assertion"]!, pair.publicKey, { audience: claims.aud as string });
  });

  it("unusable values: TokenClientConfigError for a method that is none, a secret method without a secret, bad options, a bare JWT description", async () => {
    expect(() => keyOptions({ clientAuth: { method: "client_secret_jwt" } })).toThrow(TokenClientConfigError);
    expect(() => keyOptions({ clientAuth: { method: "client_secret_post" }, clientSecret: undefined })).toThrow(/needs the client secret/);
    expect(() => keyOptions({ clientAuth: { method: "magic" } as unknown as ClientAuth })).toThrow(/clientAuth.method must be one of/);
    expect(() => keyOptions({ clientAuth: { method: "private_key_jwt", privateKey: {} as Jwk, lifetimeSeconds: 0 } })).toThrow(/lifetimeSeconds/);
    // requestToken takes JWT methods only as values that carry their signing code.
    const bare = { method: "private_key_jwt", privateKey: (await generateKeyPair("ES256")).privateKey } as unknown as ClientAuthValue;
    const error = await requestToken(EP, basicGrant, { clientId: "c", baseUrl: "http://127.0.0.1:9", clientAuth: bare }, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenClientConfigError);
    const raw = await requestToken(EP, basicGrant, { clientId: "c", baseUrl: "http://127.0.0.1:9", dpop: {} as never }, {}).catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(TokenClientConfigError);
  });

  it("privateKeyJwt() shows no key in any rendering, not even util.inspect with showHidden", async () => {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = (await exportJWK(privateKey)) as Jwk;
    const value = privateKeyJwt(jwk, { keyId: "k1" });
    const { inspect } = await import("node:util");
    for (const text of [JSON.stringify(value), inspect(value, { depth: 10, showHidden: true }), String(value), Object.keys(value).join()]) {
      expect(text).not.toContain(jwk.d!);
    }
    expect(Object.keys(value)).toEqual(["method", "keyId"]);
    expect(value.privateKey).toBe(jwk);
  });
});

describe("typed errors for keys that cannot sign", () => {
  const unusable = async () => ({
    ecdh: (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"])) as CryptoKeyPair,
    oaep: (await crypto.subtle.generateKey({ name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, false, ["encrypt", "decrypt"])) as CryptoKeyPair,
    hmac: (await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"])) as CryptoKey,
    es: (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair,
    ed: (await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair,
  });

  it("private_key_jwt: ECDH, RSA-OAEP, HMAC, a public key, an oct JWK, a JWK without d: ClientKeyError (kind client_key), at once", async () => {
    const keys = await unusable();
    const cases: [string, unknown][] = [
      ["ECDH", keys.ecdh.privateKey],
      ["RSA-OAEP", keys.oaep.privateKey],
      ["HMAC", keys.hmac],
      ["public", keys.es.publicKey],
      ["oct JWK", { kty: "oct", k: "c2VjcmV0" }],
      ["EC JWK without d", { kty: "EC", crv: "P-256", x: "a", y: "b" }],
      ["P-256K", { kty: "EC", crv: "secp256k1", x: "a", y: "b", d: "c" }],
      ["a string", "-----BEGIN PRIVATE KEY-----"],
    ];
    for (const [name, privateKey] of cases) {
      let error: unknown;
      try {
        keyOptions({ clientAuth: { method: "private_key_jwt", privateKey: privateKey as Jwk } });
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(ClientKeyError);
      expect(error, name).toMatchObject({ kind: "client_key", code: "TOKEN_CLIENT_KEY_UNUSABLE" });
    }
  });

  it("a JWK whose members do not import: requestToken rejects with ClientKeyError before sending, naming no member value", async () => {
    const server = await start(() => ({ status: 500 }));
    const d = "A".repeat(40);
    const error = await requestToken(EP, basicGrant, { clientId: "c", baseUrl: server.url, clientAuth: privateKeyJwt({ kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA", d }) }, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientKeyError);
    expect(JSON.stringify(error) + String(error)).not.toContain(d);
    expect(server.requests).toHaveLength(0);
  });

  it("dpop: ECDH, RSA-OAEP, not CryptoKeys, halves of different algorithms: DPoPProofError (kind dpop_proof) from dpopKeyPair; a private key as the public one: from the proof", async () => {
    const keys = await unusable();
    const pairs: [string, unknown][] = [
      ["ECDH", keys.ecdh],
      ["RSA-OAEP", keys.oaep],
      ["JWKs", { privateKey: { kty: "EC" }, publicKey: { kty: "EC" } }],
      ["mismatched", { privateKey: keys.es.privateKey, publicKey: keys.ed.publicKey }],
      ["nothing", undefined],
    ];
    for (const [name, pair] of pairs) {
      let thrown: unknown;
      try {
        dpopKeyPair(pair as CryptoKeyPair);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, name).toBeInstanceOf(DPoPProofError);
      expect(thrown, name).toMatchObject({ kind: "dpop_proof", code: "TOKEN_DPOP_PROOF_FAILED" });
    }
    const server = await start(() => ({ status: 500 }));
    const privateAsPublic = dpopKeyPair({ privateKey: keys.es.privateKey, publicKey: keys.es.privateKey });
    await expect(privateAsPublic.thumbprint()).rejects.toBeInstanceOf(DPoPProofError);
    // Halves of two different P-256 pairs: caught by a sign-and-verify check, once.
    const stranger = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
    const crossed = dpopKeyPair({ privateKey: stranger.privateKey, publicKey: keys.es.publicKey });
    await expect(crossed.proof("GET", "https://a.example/", Date.now())).rejects.toThrow(/not the public half/);
    const rejected = await requestToken(EP, basicGrant, { clientId: "c", clientSecret: "s", baseUrl: server.url, dpop: privateAsPublic }, {}).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(DPoPProofError);
    expect(() => createSession({ obtain: async () => ({ ok: false, error: new Error() }) as never, reobtainable: true, keyParts: [], clock: Date.now, dpop: keys.es as never })).toThrow(TokenClientConfigError);
    expect(server.requests).toHaveLength(0);
  });

  it("a session over a key that cannot sign: getToken resolves with the ClientKeyError (no rejection, no request, no cool-down)", async () => {
    const server = await start(() => ({ status: 200, body: { access_token: "t", expires_in: 60 } }));
    // Accepted when made (its members are all there), refused by Web Crypto when imported.
    const offCurve = { kty: "EC", crv: "P-256", x: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", y: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", d: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE" };
    const config: ClientConfig = { clientId: "c", baseUrl: server.url, clientAuth: privateKeyJwt(offCurve) };
    const clock = testClock();
    const session = createSession({ obtain: (call) => requestToken(EP, basicGrant, config, {}, call), reobtainable: true, keyParts: ["k"], clock: clock.now, elapsed: clock.now }, { minRefreshIntervalMs: 0 });
    for (let i = 0; i < 3; i++) {
      const result = await session.getToken();
      expect(result.ok ? undefined : result.error).toBeInstanceOf(ClientKeyError);
    }
    await expect(session.getAccessToken()).rejects.toBeInstanceOf(ClientKeyError);
    expect(session.stats().coolDownRemainingMs).toBe(0);
    expect(server.requests).toHaveLength(0);
    await session.close();
  });

  it("a DPoP token met by a session without a key pair: session.fetch throws DPoPProofError, and sends nothing", async () => {
    const issuer = await start(() => ({ status: 200, body: { access_token: "bound", token_type: "DPoP", expires_in: 60 } }));
    const api = await start(() => ({ status: 200 }));
    const config: ClientConfig = { clientId: "c", clientSecret: "s", baseUrl: issuer.url };
    const session = createSession({ obtain: (call) => requestToken(EP, basicGrant, config, {}, call), reobtainable: true, keyParts: ["k"], clock: Date.now }, { origins: [api.url] });
    await expect(session.fetch(`${api.url}/x`)).rejects.toBeInstanceOf(DPoPProofError);
    expect(api.requests).toHaveLength(0);
    await session.close();
  });
});

/** Keeps the list of algorithms above honest. */
export type Checked = AsymmetricAlgorithm;
