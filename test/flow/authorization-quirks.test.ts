// The authorization request quirks (issue 13) at the runtime's edges the quirk rows do not reach: a pushed
// request (RFC 9126) carries the constants and the provider's names, an "unencoded" value still cannot split
// the query, the endpoint's own query is kept, a per-call value wins over a constant, a caller's `extra`
// cannot reach a standard parameter under its provider's name, and a code under another name is a secret too.
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenClientConfigError, authorizationCallback, authorizationUrl, type AuthorizationEndpoint, type ClientConfig, type TokenResult } from "../../generator/runtime/index.js";
import { startTokenServer, type TokenServer } from "../support/loopback.js";

const REDIRECT = "https://app.example/cb";

describe("authorization request quirks at the runtime's edges", () => {
  let server: TokenServer;
  let config: ClientConfig;
  beforeAll(async () => {
    server = await startTokenServer((request) => (request.url === "/par" ? { status: 201, body: { request_uri: "urn:ietf:params:oauth:request_uri:r1", expires_in: 60 } } : { status: 404 }));
    config = { clientId: "quirk-client", clientSecret: "quirk-secret-4711", baseUrl: server.url };
  });
  afterAll(() => server.close());

  const endpoint = (extra: Partial<AuthorizationEndpoint> = {}): AuthorizationEndpoint => ({
    url: "/authorize?tenant=t%201",
    relative: true,
    pkce: "none",
    openid: false,
    scopeSeparator: " ",
    clientAuth: { kind: "basic" },
    ...extra,
  });

  it("a pushed request sends the constants and the provider's names; the URL carries the client under its name", async () => {
    const made = await authorizationUrl(endpoint({ pushedAuthorization: { url: "/par", relative: true }, parameterNames: { client_id: "client_key" }, constantParameters: { prompt: "consent" } }), config, {
      redirectUri: REDIRECT,
    });
    if (!made.ok) throw new Error(made.error.message);
    const pushed = Object.fromEntries(new URLSearchParams(server.requests.at(-1)!.body));
    expect(pushed).toMatchObject({ client_key: "quirk-client", prompt: "consent", response_type: "code", redirect_uri: REDIRECT });
    expect(pushed).not.toHaveProperty("client_id");
    expect(Object.fromEntries(new URL(made.url).searchParams)).toEqual({ tenant: "t 1", client_key: "quirk-client", request_uri: "urn:ietf:params:oauth:request_uri:r1" });
  });

  it.each([
    { given: "a plain URL", value: "https://app.example/cb", raw: "redirect_uri=https://app.example/cb" },
    { given: "& = + # % and a space", value: "https://app.example/cb?a=1&b=c+d#x y%", raw: "redirect_uri=https://app.example/cb?a%3D1%26b%3Dc%2Bd%23x%20y%25" },
    { given: "non-ASCII", value: "https://app.example/é", raw: "redirect_uri=https://app.example/%C3%A9" },
  ])("unencoded, $given: only what would split the query is encoded, and a decoder reads the same value", async ({ value, raw }) => {
    const made = await authorizationUrl(endpoint({ unencodedParameters: ["redirect_uri"] }), config, { redirectUri: value, extra: { note: "a/b" } });
    if (!made.ok) throw new Error(made.error.message);
    const url = new URL(made.url);
    expect(url.search.slice(1).split("&")).toContain(raw);
    // The endpoint's own query first, as it was; the parameters not listed form-encoded as always.
    expect(url.search).toMatch(/^\?tenant=t%201&note=a%2Fb&/);
    expect(url.searchParams.get("redirect_uri")).toBe(value);
    expect(url.searchParams.getAll("redirect_uri")).toHaveLength(1);
  });

  it.each([
    { given: "a per-call value and a constant", extra: { prompt: "login" }, want: { prompt: "login" }, absent: [] },
    { given: "extra under the client id's provider name", extra: { client_key: "intruder", client_id: "intruder" }, want: { client_key: "quirk-client" }, absent: ["client_id"] },
    { given: "an empty per-call value over a constant", extra: { prompt: "" }, want: {}, absent: ["prompt"] },
    { given: "extra under the nonce's provider name, no nonce made", extra: { once: "mine" }, want: {}, absent: ["once", "nonce"] },
  ])("$given", async ({ extra, want, absent }) => {
    const made = await authorizationUrl(endpoint({ constantParameters: { prompt: "consent" }, parameterNames: { client_id: "client_key", nonce: "once" } }), config, { redirectUri: REDIRECT, extra });
    if (!made.ok) throw new Error(made.error.message);
    const query = Object.fromEntries(new URL(made.url).searchParams);
    expect(query).toMatchObject(want);
    for (const name of absent) expect(query).not.toHaveProperty(name);
  });

  it("a code under the provider's name is redacted from a refused callback like `code` is", async () => {
    const code = "spapi-code-5f2a9c";
    const callback = `/cb?spapi_oauth_code=${code}&state=S1&error=access_denied&error_description=code%20${code}%20refused`;
    const exchange = (): Promise<TokenResult<never, never>> => Promise.reject(new Error("a refused callback exchanges nothing"));
    const result = await authorizationCallback(endpoint({ codeParameter: "spapi_oauth_code" }), config, callback, { state: "S1", redirectUri: REDIRECT }, exchange);
    if (result.ok) throw new Error("expected a refusal");
    expect(result.error).toMatchObject({ code: "TOKEN_AUTHORIZATION_ERROR", error: "access_denied" });
    for (const rendering of [result.error.message, String(result.error), inspect(result.error, { depth: 5 }), JSON.stringify(result.error)]) expect(rendering).not.toContain(code);
  });

  it.each([
    { given: "a tenant", values: { tenant: "contoso" }, want: "/contoso/authorize" },
    { given: "no value", values: {}, want: /urlVariables/ },
    { given: "a value with a slash", values: { tenant: "a/../b" }, want: /only letters, digits/ },
    { given: "a value with an @", values: { tenant: "evil.example@x" }, want: /only letters, digits/ },
  ])("urlVariables, $given", async ({ values, want }) => {
    const made = authorizationUrl(endpoint({ url: "/{tenant}/authorize", urlVariables: ["tenant"] }), config, { redirectUri: REDIRECT, urlVariables: values });
    if (typeof want === "string") {
      const result = await made;
      if (!result.ok) throw new Error(result.error.message);
      expect(new URL(result.url).pathname).toBe(want);
    } else {
      await expect(made).rejects.toThrow(TokenClientConfigError);
      await expect(made).rejects.toThrow(want);
    }
  });
});
