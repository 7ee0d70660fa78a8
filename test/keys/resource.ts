// A loopback resource server that accepts DPoP-bound access tokens only
// after checking the proof as RFC 9449 §4.3 and §7 say, with jose: the
// proof's signature under its embedded `jwk`, `typ`, `htm`, `htu` (query and
// fragment dropped), `iat` within a minute, `jti` never seen before, `ath`
// (SHA-256 of the token) and, when asked, its own nonce; the access token's
// signature (the provider's JWKS), issuer, audience and `cnf.jkt` equal to
// the proof key's thumbprint. Refusals are `401` with a `WWW-Authenticate:
// DPoP` challenge.
import { createHash } from "node:crypto";
import { createLocalJWKSet, calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from "jose";
import type { JWK, JWTPayload } from "jose";
import type { RecordedRequest, TokenServer, TokenServerReply } from "../support/loopback.js";

export interface ResourceSetup {
  /** Path prefix the API lives under; the token's audience is `<origin><prefix>`. */
  readonly prefix: string;
  /** Demand this server's own DPoP nonce (RFC 9449 §9). */
  readonly requireNonce?: boolean;
}

export interface ResourceOutcome {
  readonly request: RecordedRequest;
  /** `ok`, or the error code of the challenge answered. */
  readonly outcome: string;
  readonly reason: string;
  readonly proof: JWTPayload | undefined;
}

export interface ResourceServer {
  readonly server: TokenServer;
  readonly origin: string;
  /** The token audience the provider must issue for (`<origin><prefix>`). */
  readonly audience: string;
  readonly outcomes: ResourceOutcome[];
  /** The nonce the server currently demands. */
  nonce(): string;
  /** Trusts the tokens of this issuer, signed with these keys (the provider starts after the server, which is its audience). */
  trust(issuer: string, jwks: { readonly keys: JWK[] }): void;
}

/** Answers with a DPoP challenge; the description is the reason. */
function challenge(error: string, reason: string, extra: Record<string, string> = {}): TokenServerReply {
  return {
    status: 401,
    headers: { "WWW-Authenticate": `DPoP error="${error}", error_description="${reason}", algs="ES256 EdDSA RS256 PS256"`, ...extra },
    body: { error },
  };
}

export async function startResourceServer(setup: ResourceSetup, start: (handler: (r: RecordedRequest) => Promise<TokenServerReply>) => Promise<TokenServer>): Promise<ResourceServer> {
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;
  let issuer = "";
  const seen = new Set<string>();
  const outcomes: ResourceOutcome[] = [];
  const currentNonce = "rs-nonce-1";
  let origin = "";
  const server = await start(async (request) => {
    const record = (outcome: string, reason: string, proof?: JWTPayload): void => {
      outcomes.push({ request, outcome, reason, proof });
    };
    const authorization = request.headers.authorization ?? "";
    const match = /^DPoP ([\x21-\x7e]+)$/i.exec(authorization);
    if (match === null) {
      record("invalid_token", "no DPoP authorization");
      return challenge("invalid_token", "a DPoP-bound token is required");
    }
    const token = match[1] as string;
    let claims: JWTPayload;
    try {
      if (keys === undefined) throw new Error("no issuer trusted yet");
      ({ payload: claims } = await jwtVerify(token, keys, { issuer, audience: `${origin}${setup.prefix}` }));
    } catch {
      record("invalid_token", "token does not verify");
      return challenge("invalid_token", "the access token does not verify");
    }
    const proofHeader = request.headers["dpop"];
    if (typeof proofHeader !== "string") {
      record("invalid_dpop_proof", "no proof");
      return challenge("invalid_dpop_proof", "a DPoP proof is required");
    }
    let proof: JWTPayload;
    let jwk: JWK;
    try {
      const verified = await jwtVerify(proofHeader, EmbeddedJWK, { typ: "dpop+jwt", algorithms: ["ES256", "EdDSA", "RS256", "PS256"] });
      proof = verified.payload;
      jwk = verified.protectedHeader.jwk as JWK;
    } catch {
      record("invalid_dpop_proof", "signature");
      return challenge("invalid_dpop_proof", "the proof does not verify");
    }
    const refuse = (reason: string): TokenServerReply => {
      record("invalid_dpop_proof", reason, proof);
      return challenge("invalid_dpop_proof", reason);
    };
    if (typeof proof.jti !== "string" || proof.jti === "") return refuse("jti missing");
    if (seen.has(proof.jti)) return refuse("jti replayed");
    seen.add(proof.jti);
    if (proof["htm"] !== request.method) return refuse("htm mismatch");
    const target = new URL(request.url, origin);
    target.search = "";
    if (proof["htu"] !== target.href) return refuse("htu mismatch");
    if (typeof proof.iat !== "number" || Math.abs(proof.iat - Date.now() / 1000) > 60) return refuse("iat not recent");
    const ath = createHash("sha256").update(token, "ascii").digest("base64url");
    if (proof["ath"] !== ath) return refuse("ath mismatch");
    const jkt = (claims["cnf"] as { jkt?: unknown } | undefined)?.jkt;
    if (jkt !== (await calculateJwkThumbprint(jwk))) return refuse("key is not the token's (cnf.jkt)");
    if (setup.requireNonce === true && proof["nonce"] !== currentNonce) {
      record("use_dpop_nonce", "nonce", proof);
      return challenge("use_dpop_nonce", "a nonce is required", { "DPoP-Nonce": currentNonce });
    }
    record("ok", "", proof);
    return { status: 200, body: { ok: true, sub: claims.sub, path: target.pathname, method: request.method, body: request.body } };
  });
  origin = server.url;
  return {
    server,
    origin,
    audience: `${origin}${setup.prefix}`,
    outcomes,
    nonce: () => currentNonce,
    trust: (trusted, jwks) => {
      issuer = trusted;
      keys = createLocalJWKSet(jwks);
    },
  };
}
