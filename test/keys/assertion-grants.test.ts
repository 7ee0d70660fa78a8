// Grants that carry assertions, against a loopback server that validates
// their fields as the RFCs say: JWT bearer (RFC 7523 §2.1: the assertion's
// signature, iss/sub/aud/exp/iat/jti, verified with jose) and token exchange
// (RFC 8693 §2.1: subject and actor tokens with their type URIs, repeated
// resource URIs, audience, requested_token_type; §2.2.1 issued_token_type).
// Fields are checked before anything is sent; sessions run the grants again
// only when a function makes each credential.
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  JWT_BEARER_GRANT_TYPE,
  TOKEN_EXCHANGE_GRANT_TYPE,
  TOKEN_TYPES,
  jwtAssertion,
  jwtBearerGrant,
  reobtainableWith,
  tokenExchangeGrant,
} from "../../generator/runtime/assertion-grants.js";
import { ClientKeyError, TokenResponseError } from "../../generator/runtime/errors.js";
import { requestToken } from "../../generator/runtime/request.js";
import { ReauthenticationRequiredError } from "../../generator/runtime/session-errors.js";
import { sessionKeyParts } from "../../generator/runtime/session-key.js";
import type { SessionGrant } from "../../generator/runtime/session-types.js";
import { createSession } from "../../generator/runtime/session.js";
import { MemoryTokenStore } from "../../generator/runtime/store.js";
import type { ClientConfig, GrantRule } from "../../generator/runtime/types.js";
import { ISSUER, assertionServer, type Received } from "./assertion-server.js";
import { endpoint } from "../runtime/helpers.js";
import { testClock, useServers } from "../session/helpers.js";
import type { TestClock } from "../session/helpers.js";

const start = useServers();
const EP = endpoint({ errorStatuses: [400, 401] });
const SUBJECT_TOKEN = "subject-token-VALUE-7f3a";
const ACTOR_TOKEN = "actor-token-VALUE-91bc";

async function esPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
}

const JWT_BEARER = jwtBearerGrant();
const EXCHANGE = tokenExchangeGrant({ kind: "basic" });

function clientConfig(baseUrl: string, clock?: TestClock): ClientConfig {
  return { clientId: "te-client", clientSecret: "te-secret-XYZ123", baseUrl, ...(clock !== undefined ? { clock: clock.now } : {}) };
}

describe("JWT bearer (RFC 7523 §2.1)", () => {
  it("an assertion the client signs (jwtAssertion): verified by the server with jose, with a kid and a fresh jti per request", async () => {
    const pair = await esPair();
    const { server, received, tokenUrl } = await assertionServer(start, pair.publicKey);
    const assertion = jwtAssertion({ privateKey: pair.privateKey, keyId: "svc-1", claims: { iss: ISSUER, sub: "user-42", aud: tokenUrl }, lifetimeSeconds: 120 });
    const config = clientConfig(server.url);
    const first = await requestToken(EP, JWT_BEARER, config, { assertion, scope: ["read", "write"] });
    const second = await requestToken(EP, JWT_BEARER, config, { assertion });
    if (!first.ok) throw first.error;
    expect(first.token.accessToken).toBe("jb-1");
    expect(second.ok).toBe(true);
    expect(received).toHaveLength(2);
    const [a, b] = received as [Received, Received];
    expect(a.verified).toMatchObject({ iss: ISSUER, sub: "user-42", aud: tokenUrl });
    expect((a.verified!["exp"] as number) - (a.verified!["iat"] as number)).toBe(120);
    expect(a.verified!["jti"]).not.toBe(b.verified!["jti"]);
    expect(a.fields.get("scope")).toBe("read write");
    // Client authentication is optional for this grant (RFC 7523 §3.1): none by default.
    expect(a.fields.has("client_secret")).toBe(false);
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
    expect(JSON.parse(Buffer.from(a.fields.get("assertion")!.split(".")[0]!, "base64url").toString())).toMatchObject({ alg: "ES256", kid: "svc-1" });
  });

  it("an assertion the user passes as a string is sent as it is", async () => {
    const pair = await esPair();
    const { server, received, tokenUrl } = await assertionServer(start, pair.publicKey);
    const assertion = await new SignJWT({}).setProtectedHeader({ alg: "ES256" }).setIssuer(ISSUER).setSubject("user-7").setAudience(tokenUrl).setIssuedAt().setExpirationTime("1m").setJti("j-1").sign(pair.privateKey);
    const result = await requestToken(EP, JWT_BEARER, clientConfig(server.url), { assertion });
    expect(result.ok).toBe(true);
    expect(received[0]!.fields.get("assertion")).toBe(assertion);
  });

  it("a server that answers invalid_grant: a typed TokenResponseError", async () => {
    const pair = await esPair();
    const { server, tokenUrl } = await assertionServer(start, pair.publicKey);
    const assertion = jwtAssertion({ privateKey: pair.privateKey, claims: { iss: ISSUER, sub: "blocked", aud: tokenUrl } });
    const result = await requestToken(EP, JWT_BEARER, clientConfig(server.url), { assertion });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(TokenResponseError);
    expect(result.error).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    // And one signed by a key the server does not trust: invalid_grant too.
    const stranger = await esPair();
    const forged = await requestToken(EP, JWT_BEARER, clientConfig(server.url), { assertion: jwtAssertion({ privateKey: stranger.privateKey, claims: { iss: ISSUER, sub: "x", aud: tokenUrl } }) });
    expect(forged.ok ? undefined : forged.error).toMatchObject({ body: { error: "invalid_grant" } });
  });

  it("fields are checked before anything is sent; a TypeError names the field, never the value", async () => {
    const pair = await esPair();
    const { server } = await assertionServer(start, pair.publicKey);
    const config = clientConfig(server.url);
    const missing = await requestToken(EP, JWT_BEARER, config, {}).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TypeError);
    expect((missing as Error).message).toMatch(/^assertion is required/);
    const secretish = "opaque-SECRET-not-a-jwt";
    const notJwt = await requestToken(EP, JWT_BEARER, config, { assertion: secretish }).catch((e: unknown) => e);
    expect(notJwt).toBeInstanceOf(TypeError);
    expect((notJwt as Error).message).toContain("assertion");
    expect((notJwt as Error).message).not.toContain(secretish);
    const badFunction = await requestToken(EP, JWT_BEARER, config, { assertion: () => 42 as unknown as string }).catch((e: unknown) => e);
    expect((badFunction as Error).message).toMatch(/^assertion: the function gave/);
    expect(server.requests).toHaveLength(0);
  });

  it("a signing key of an unusable type: a typed ClientKeyError when the assertion is made, nothing sent", async () => {
    const { server, tokenUrl } = await assertionServer(start, (await esPair()).publicKey);
    const hmac = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const assertion = jwtAssertion({ privateKey: hmac as CryptoKey, claims: { iss: ISSUER, sub: "s", aud: tokenUrl } });
    const error = await requestToken(EP, JWT_BEARER, clientConfig(server.url), { assertion }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientKeyError);
    expect(error).toMatchObject({ kind: "client_key", code: "TOKEN_CLIENT_KEY_UNUSABLE" });
    expect(server.requests).toHaveLength(0);
  });
});

describe("token exchange (RFC 8693)", () => {
  it("every field as the RFC names it, resource repeated, and issued_token_type read from the answer", async () => {
    const { server, received } = await assertionServer(start, (await esPair()).publicKey);
    const result = await requestToken(EP, EXCHANGE, clientConfig(server.url), {
      subject_token: SUBJECT_TOKEN,
      subject_token_type: TOKEN_TYPES.accessToken,
      actor_token: ACTOR_TOKEN,
      actor_token_type: TOKEN_TYPES.jwt,
      requested_token_type: TOKEN_TYPES.refreshToken,
      audience: "billing-api",
      resource: ["https://api.example/a", "https://api.example/b"],
      scope: ["read", "write"],
    });
    if (!result.ok) throw result.error;
    expect(result.token.issuedTokenType).toBe(TOKEN_TYPES.refreshToken);
    const fields = received[0]!.fields;
    expect(fields.get("grant_type")).toBe(TOKEN_EXCHANGE_GRANT_TYPE);
    expect(fields.get("subject_token")).toBe(SUBJECT_TOKEN);
    expect(fields.get("actor_token_type")).toBe(TOKEN_TYPES.jwt);
    expect(fields.getAll("resource")).toEqual(["https://api.example/a", "https://api.example/b"]);
    expect(fields.get("audience")).toBe("billing-api");
    expect(fields.get("scope")).toBe("read write");
  });

  it("a server that answers invalid_grant (a revoked subject token): a typed TokenResponseError", async () => {
    const { server } = await assertionServer(start, (await esPair()).publicKey);
    const result = await requestToken(EP, EXCHANGE, clientConfig(server.url), { subject_token: "revoked", subject_token_type: TOKEN_TYPES.accessToken });
    expect(result.ok ? undefined : result.error).toMatchObject({ kind: "response", status: 400, body: { error: "invalid_grant" } });
  });

  it.each([
    ["subject_token missing", { subject_token_type: TOKEN_TYPES.accessToken }, /^subject_token is required/],
    ["subject_token_type missing", { subject_token: SUBJECT_TOKEN }, /^subject_token_type is required/],
    ["subject_token_type not a URI", { subject_token: SUBJECT_TOKEN, subject_token_type: "access_token" }, /^subject_token_type must be a token type URI/],
    ["actor_token without its type", { subject_token: SUBJECT_TOKEN, subject_token_type: TOKEN_TYPES.jwt, actor_token: ACTOR_TOKEN }, /^actor_token_type is required/],
    ["actor_token_type without the token", { subject_token: SUBJECT_TOKEN, subject_token_type: TOKEN_TYPES.jwt, actor_token_type: TOKEN_TYPES.jwt }, /^actor_token_type must not be given/],
    ["requested_token_type not a URI", { subject_token: SUBJECT_TOKEN, subject_token_type: TOKEN_TYPES.jwt, requested_token_type: "jwt" }, /^requested_token_type must be/],
    ["a resource with a fragment", { subject_token: SUBJECT_TOKEN, subject_token_type: TOKEN_TYPES.jwt, resource: ["https://a.example/#x"] }, /^resource must be an absolute URI/],
    ["an empty audience", { subject_token: SUBJECT_TOKEN, subject_token_type: TOKEN_TYPES.jwt, audience: "" }, /^audience must be/],
  ] as const)("%s: a TypeError naming the field before anything is sent", async (_name, params, message) => {
    const { server } = await assertionServer(start, (await esPair()).publicKey);
    const error = await requestToken(EP, EXCHANGE, clientConfig(server.url), params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(SUBJECT_TOKEN);
    expect((error as Error).message).not.toContain(ACTOR_TOKEN);
    expect(server.requests).toHaveLength(0);
  });
});

/** A session as a generated client would open one over an assertion grant. */
function sessionOver(rule: GrantRule, baseUrl: string, clock: TestClock, params: Readonly<Record<string, unknown>>, store?: MemoryTokenStore) {
  const config = clientConfig(baseUrl, clock);
  const grant: SessionGrant<Record<string, unknown>, TokenResponseError> = {
    obtain: (call) => requestToken(EP, rule, config, params, call) as never,
    reobtainable: reobtainableWith(rule, params, true),
    keyParts: sessionKeyParts("assertions", EP, config, rule.grantType, params),
    clock: clock.now,
    elapsed: clock.now,
  };
  return createSession(grant, { minRefreshIntervalMs: 0, retry: { tries: 1 }, ...(store !== undefined ? { store } : {}) });
}

describe("sessions over assertion grants", () => {
  it("JWT bearer with a jwtAssertion maker runs again by itself after expiry, with a fresh assertion", async () => {
    const pair = await esPair();
    const { server, received, tokenUrl } = await assertionServer(start, pair.publicKey);
    const clock = testClock(Date.now());
    const params = { assertion: jwtAssertion({ privateKey: pair.privateKey, claims: { iss: ISSUER, sub: "user-1", aud: tokenUrl } }) };
    expect(reobtainableWith(JWT_BEARER, params, false)).toBe(true);
    const session = sessionOver(JWT_BEARER, server.url, clock, params);
    expect(await session.getAccessToken()).toBe("jb-1");
    clock.advance(61_000);
    expect(await session.getAccessToken()).toBe("jb-2");
    expect(received.map((r) => r.verified?.["jti"])).toHaveLength(2);
    expect(new Set(received.map((r) => r.verified?.["jti"])).size).toBe(2);
    await session.close();
  });

  it("token exchange with a subject token function: called again for each new token", async () => {
    const { server, received } = await assertionServer(start, (await esPair()).publicKey);
    const clock = testClock();
    let calls = 0;
    const params = { subject_token: () => `${SUBJECT_TOKEN}-${++calls}`, subject_token_type: TOKEN_TYPES.accessToken };
    const session = sessionOver(EXCHANGE, server.url, clock, params);
    expect(await session.getAccessToken()).toBe("te-1");
    clock.advance(61_000);
    expect(await session.getAccessToken()).toBe("te-2");
    expect(calls).toBe(2);
    expect(received.map((r) => r.fields.get("subject_token"))).toEqual([`${SUBJECT_TOKEN}-1`, `${SUBJECT_TOKEN}-2`]);
    await session.close();
  });

  it("a fixed subject token is single-use: sent once, then the session asks for the user", async () => {
    const { server } = await assertionServer(start, (await esPair()).publicKey);
    const clock = testClock();
    const params = { subject_token: SUBJECT_TOKEN, subject_token_type: TOKEN_TYPES.accessToken };
    expect(reobtainableWith(EXCHANGE, params, true)).toBe(false);
    const session = sessionOver(EXCHANGE, server.url, clock, params);
    expect(await session.getAccessToken()).toBe("te-1");
    clock.advance(61_000);
    const result = await session.getToken();
    expect(result.ok ? undefined : result.error).toBeInstanceOf(ReauthenticationRequiredError);
    expect(server.requests).toHaveLength(1);
    await session.close();
  });

  it("on one store, sessions whose subject tokens come from different functions never share a token", async () => {
    const { server } = await assertionServer(start, (await esPair()).publicKey);
    const clock = testClock();
    const store = new MemoryTokenStore(clock.now);
    const alice = sessionOver(EXCHANGE, server.url, clock, { subject_token: () => "alice-token", subject_token_type: TOKEN_TYPES.accessToken }, store);
    const bob = sessionOver(EXCHANGE, server.url, clock, { subject_token: () => "bob-token", subject_token_type: TOKEN_TYPES.accessToken }, store);
    const a = await alice.getAccessToken();
    const b = await bob.getAccessToken();
    expect(a).not.toBe(b);
    expect(server.requests.map((r) => new URLSearchParams(r.body).get("subject_token"))).toEqual(["alice-token", "bob-token"]);
    // Two makers of the same claims stand for the same subject: the same key parts.
    const pair = await esPair();
    const make = () => jwtAssertion({ privateKey: pair.privateKey, claims: { iss: ISSUER, sub: "s", aud: "https://as.example/token" } });
    const parts = (assertion: unknown) => sessionKeyParts("p", EP, clientConfig(server.url), JWT_BEARER_GRANT_TYPE, { assertion });
    expect(parts(make())).toEqual(parts(make()));
    expect(parts(() => "x")).not.toEqual(parts(() => "x"));
    await Promise.all([alice.close(), bob.close()]);
  });
});
