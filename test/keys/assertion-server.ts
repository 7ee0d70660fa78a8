// A loopback token server for the grants that carry assertions, validating their fields as the RFCs say: JWT
// bearer (RFC 7523 §2.1: the assertion's signature, iss/sub/aud/exp/iat/jti, verified with jose) and token exchange
// (RFC 8693 §2.1: subject and actor tokens with their type URIs, repeated resource URIs, audience,
// requested_token_type; §2.2.1 issued_token_type); each answers invalid_grant for a subject it refuses.
import { jwtVerify } from "jose";
import { JWT_BEARER_GRANT_TYPE, TOKEN_EXCHANGE_GRANT_TYPE, TOKEN_TYPES } from "../../generator/runtime/assertion-grants.js";
import type { RecordedRequest, TokenServer, TokenServerHandler, TokenServerReply } from "../support/loopback.js";

/** The issuer every assertion must name. */
export const ISSUER = "svc-account@example.test";
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/;

export interface Received {
  readonly grant: string | null;
  readonly fields: URLSearchParams;
  readonly verified?: Record<string, unknown>;
}

/**
 * A token server for both grants. JWT bearer: the assertion must verify
 * under `publicKey` with iss, sub, aud (the token URL), exp, iat and an
 * unseen jti; `sub: "blocked"` is invalid_grant. Token exchange: the RFC's
 * required fields and pairs, URIs where URIs go; a subject token `revoked`
 * is invalid_grant.
 */
export async function assertionServer(start: (handler: TokenServerHandler) => Promise<TokenServer>, publicKey: CryptoKey, path = "/oauth/token") {
  const received: Received[] = [];
  const jtis = new Set<string>();
  let n = 0;
  let tokenUrl = "";
  const invalid = (error: string, description: string): TokenServerReply => ({ status: 400, body: { error, error_description: description } });
  const server = await start(async (request: RecordedRequest): Promise<TokenServerReply> => {
    const fields = new URLSearchParams(request.body);
    const grant = fields.get("grant_type");
    if (grant === JWT_BEARER_GRANT_TYPE) {
      const assertions = fields.getAll("assertion");
      if (assertions.length !== 1) return invalid("invalid_request", "exactly one assertion");
      try {
        const { payload } = await jwtVerify(assertions[0]!, publicKey, { issuer: ISSUER, audience: tokenUrl, requiredClaims: ["sub", "exp", "iat", "jti"] });
        if (jtis.has(payload.jti!)) return invalid("invalid_grant", "assertion replayed");
        jtis.add(payload.jti!);
        received.push({ grant, fields, verified: payload as Record<string, unknown> });
        if (payload.sub === "blocked") return invalid("invalid_grant", "subject is blocked");
      } catch {
        received.push({ grant, fields });
        return invalid("invalid_grant", "assertion does not verify");
      }
      return { status: 200, body: { access_token: `jb-${++n}`, token_type: "Bearer", expires_in: 60 } };
    }
    if (grant === TOKEN_EXCHANGE_GRANT_TYPE) {
      received.push({ grant, fields });
      if (!request.headers.authorization?.startsWith("Basic ")) return { status: 401, body: { error: "invalid_client" } };
      const one = (name: string): string | null => (fields.getAll(name).length > 1 ? "__many__" : fields.get(name));
      const subject = one("subject_token");
      const subjectType = one("subject_token_type");
      if (subject === null || subject === "" || subjectType === null || !ABSOLUTE_URI.test(subjectType)) return invalid("invalid_request", "subject_token and a subject_token_type URI");
      const actor = one("actor_token");
      const actorType = one("actor_token_type");
      if ((actor === null) !== (actorType === null)) return invalid("invalid_request", "actor_token with actor_token_type");
      if (actorType !== null && !ABSOLUTE_URI.test(actorType)) return invalid("invalid_request", "actor_token_type is a URI");
      const requested = one("requested_token_type");
      if (requested !== null && !ABSOLUTE_URI.test(requested)) return invalid("invalid_request", "requested_token_type is a URI");
      for (const resource of fields.getAll("resource")) {
        if (!ABSOLUTE_URI.test(resource) || resource.includes("#")) return invalid("invalid_target", "resource is an absolute URI");
      }
      if (subject === "revoked") return invalid("invalid_grant", "the subject token is revoked");
      return { status: 200, body: { access_token: `te-${++n}`, issued_token_type: requested ?? TOKEN_TYPES.accessToken, token_type: "Bearer", expires_in: 60 } };
    }
    return invalid("unsupported_grant_type", "no");
  });
  tokenUrl = `${server.url}${path}`;
  return { server, received, tokenUrl };
}

