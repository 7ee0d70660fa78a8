import { authorizationCode } from "./authorization-code.js";
import { clientCredentials } from "./client-credentials.js";
import { customGrant } from "./custom.js";
import { deviceCode } from "./device-code.js";
import { jwtBearer } from "./jwt-bearer.js";
import { password } from "./password.js";
import { refreshToken } from "./refresh-token.js";
import { tokenExchange } from "./token-exchange.js";
import type { GrantDefinition } from "./types.js";

export type { GrantDefinition, GrantField, RfcSection } from "./types.js";
export { customGrant };

/**
 * Every grant type tokenwright knows, one module each. Order matters where
 * two grants fit a request's fields equally well (the first wins).
 */
export const STANDARD_GRANTS: readonly GrantDefinition[] = [authorizationCode, password, clientCredentials, refreshToken, deviceCode, jwtBearer, tokenExchange];

const BY_TYPE = new Map(STANDARD_GRANTS.map((grant) => [grant.grantType, grant]));

/** The registry's grant of this type, or undefined for a custom one (a Map: "constructor" is not a grant). */
export function standardGrant(grantType: string): GrantDefinition | undefined {
  return BY_TYPE.get(grantType);
}

/** What tokenwright knows of any grant type: the registry's, else a custom grant's. */
export function grantDefinition(grantType: string): GrantDefinition {
  return standardGrant(grantType) ?? customGrant(grantType);
}

/** `RFC 6749 §4.1.3, RFC 7636 §4.5`; empty for a custom grant. */
export function rfcText(grant: GrantDefinition): string {
  return grant.rfc.map((section) => section.label).join(", ");
}

/**
 * Whether a session retries this grant's requests on a transient failure.
 * The session (runtime/session-grant.ts) retries a grant's requests exactly
 * when it may run the grant again unattended, and always retries a refresh;
 * a grant that may not run again is sent once, since a second try could
 * spend it twice.
 */
export function retriedBySession(grant: Pick<GrantDefinition, "reobtainable" | "refreshTokenField">): boolean {
  return grant.reobtainable || grant.refreshTokenField !== undefined;
}

/** What a transient failure is, as the session's retry policy (runtime/session-retry.ts) decides it. */
const TRANSIENT = "network errors, timeouts, 429 and 5xx";

/** The sentence `explain` and the README use for a grant's retries: both print this, and a test holds the session to it. */
export function retryStatement(grant: Pick<GrantDefinition, "grantType" | "reobtainable" | "refreshTokenField">): string {
  const assertion = standardGrant(grant.grantType)?.assertion;
  if (assertion !== undefined) {
    // The session decides by what the caller passes (runtime reobtainableWith): a string is single-use, a function
    // makes a fresh credential for every request.
    const source = assertion.sources[0] ?? "assertion";
    return (
      `Given \`${source}\` as a string, a session sends it once and never retries it, and cannot run it again unattended; ` +
      `given as a function making a fresh one, a session retries its requests on ${TRANSIENT} (up to \`retry.tries\`), ` +
      "and may run it again unattended for a new token."
    );
  }
  if (grant.refreshTokenField !== undefined) {
    return `A session retries its refresh requests on ${TRANSIENT} (up to \`retry.tries\`); a session opened with this grant sends it once.`;
  }
  return retriedBySession(grant)
    ? `A session retries its requests on ${TRANSIENT} (up to \`retry.tries\`), and may run it again unattended for a new token.`
    : "A session sends it once and never retries it, and cannot run it again unattended.";
}
