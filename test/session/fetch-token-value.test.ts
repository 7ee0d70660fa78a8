// The one rule for a token that can travel in an Authorization header, and
// the typed error the session refuses other tokens with.
import { describe, expect, it } from "vitest";
import { TokenError } from "../../generator/runtime/errors.js";
import { InvalidTokenValueError } from "../../generator/runtime/session-errors.js";
import { authorizationValue, headerUnsafeToken } from "../../generator/runtime/session-fetch.js";
import type { StoredToken } from "../../generator/runtime/store.js";

const SECRET = "Zq81secret";

function stored(accessToken: string, tokenType?: string): StoredToken {
  return { accessToken, ...(tokenType !== undefined ? { tokenType } : {}), receivedAt: 0 };
}

describe("headerUnsafeToken", () => {
  it.each([
    [stored(`${SECRET}.AZaz09-._~+/=`), "Bearer"],
    [stored(SECRET, "bearer"), "Bearer"],
    [stored(SECRET, "BEARER"), "Bearer"],
    [stored(SECRET, ""), "Bearer"],
    [stored(SECRET, "DPoP"), "DPoP"],
    [stored("!#$%&'()*,:;<>?@[\\]^`{|}~\""), "Bearer"],
  ])("accepts %j, sent with scheme %s", (token, scheme) => {
    expect(headerUnsafeToken(token)).toBeUndefined();
    expect(authorizationValue(token)).toBe(`${scheme} ${token.accessToken}`);
  });

  it.each([
    ["a space", stored(`${SECRET} more`), /access token/],
    ["a tab", stored(`${SECRET}\tmore`), /access token/],
    ["CR LF", stored(`${SECRET}\r\nX-Injected: 1`), /access token/],
    ["NUL", stored(`${SECRET}\u0000`), /access token/],
    ["DEL", stored(`${SECRET}\u007f`), /access token/],
    ["a non-ASCII letter", stored(`${SECRET}é`), /access token/],
    ["a C1 control", stored(`${SECRET}\u009b`), /access token/],
    ["an empty token", stored(""), /access token is empty/],
    ["a type with a space", stored(SECRET, `Bear ${SECRET}`), /token_type/],
    ["a type with a line break", stored(SECRET, `DPoP\n${SECRET}`), /token_type/],
  ])("refuses a token with %s, with a reason that does not quote it", (_what, token, names) => {
    const reason = headerUnsafeToken(token);
    expect(reason).toMatch(names);
    expect(reason).not.toContain(SECRET);
    // authorizationValue follows the same rule, and fails as fetch fails on a bad header.
    const error: unknown = (() => {
      try {
        return authorizationValue(token);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain(reason);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it("is the rule Headers enforces, or stricter", () => {
    for (let code = 0; code < 0x100; code++) {
      const token = stored(`a${String.fromCharCode(code)}b`);
      if (headerUnsafeToken(token) === undefined) expect(() => new Headers({ Authorization: authorizationValue(token) })).not.toThrow();
    }
  });
});

describe("InvalidTokenValueError", () => {
  it("is a typed TokenError whose message and fields never hold the token", () => {
    const reason = headerUnsafeToken(stored(`${SECRET}\r\n`));
    expect(reason).toBeDefined();
    const error = new InvalidTokenValueError(reason ?? "");
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.kind, error.code, error.reason]).toEqual(["InvalidTokenValueError", "invalid_token_value", "TOKEN_INVALID_VALUE", reason]);
    expect(error.message).toContain(reason);
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(SECRET);
  });
});
