// What a function-valued token request parameter (an assertion or subject
// token made per request, see assertion-grants.ts) contributes to a
// session's store key. Kept apart so that a session's key costs no signing code.
import { randomId } from "./jws.js";

const identities = /* @__PURE__ */ new WeakMap<object, string>();

/**
 * Gives a credential-making function the identity it stands for across
 * processes (a `jwtAssertion` maker: its claims and key id), so that sessions
 * running it in several processes share one token.
 */
export function registerSourceIdentity(source: object, identity: string): void {
  identities.set(source, identity);
}

/**
 * A function parameter's identity in a store key: the one registered for
 * it, else one that is this function's alone, in this process. So two
 * sessions whose credentials come from different functions never share a
 * token, and a token got with a plain function is never shared with
 * another process.
 */
export function sourceIdentity(source: object): string {
  let identity = identities.get(source);
  if (identity === undefined) {
    identity = `function:${randomId()}`;
    identities.set(source, identity);
  }
  return identity;
}
