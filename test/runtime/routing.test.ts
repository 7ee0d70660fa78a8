// Where each request field travels: body, query, headers or path
// (TokenEndpoint.method, encoding, parameters, spaceDelimited, grantField).
import { describe, expect, it } from "vitest";
import { basicAuthorization } from "../../generator/runtime/client-auth.js";
import { TokenClientConfigError } from "../../generator/runtime/errors.js";
import { requestToken } from "../../generator/runtime/request.js";
import type { ClientConfig, GrantRule, ParameterLocation, TokenEndpoint } from "../../generator/runtime/types.js";
import { CLIENT_ID, CLIENT_SECRET, NOW, basicGrant, bodyPasswordGrant, endpoint, useServers } from "./helpers.js";

const start = useServers();

const TOKEN_BODY = { access_token: "at-1", token_type: "Bearer", expires_in: 3600 };
const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const q = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1);

function config(baseUrl: string, extra: Partial<ClientConfig> = {}): ClientConfig {
  return { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl, clock: () => NOW, ...extra };
}

/** Client credentials with the id and secret as request fields, routed by `parameters`. */
const fieldsGrant: GrantRule = {
  grantType: "client_credentials",
  grantField: "grant_type",
  clientAuth: { kind: "fields", idField: "client_id", secretField: "client_secret" },
};
/** A custom token operation with no grant type field (the grant is implied). */
const impliedGrant: GrantRule = { grantType: "client_credentials", clientAuth: { kind: "fields", idField: "client_id", secretField: "client_secret" } };

interface Want {
  readonly method: string;
  /** Path and query as the server saw them. */
  readonly url: string;
  readonly body: string;
  /** Lower-cased header names; `undefined` means the header must be absent. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

describe("requestToken routes fields by TokenEndpoint", () => {
  it.each<{ name: string; ep: Partial<TokenEndpoint>; grant: GrantRule; params: Record<string, unknown>; base?: string; want: Want }>([
    {
      name: "Vipps-style: encoding none, no grant field, client_id/client_secret and a subscription key as headers",
      ep: {
        path: "/accesstoken/get",
        encoding: "none",
        parameters: { client_id: "header", client_secret: "header", "Ocp-Apim-Subscription-Key": "header" },
      },
      grant: impliedGrant,
      params: { "Ocp-Apim-Subscription-Key": "sub-key-1" },
      want: {
        method: "POST",
        url: "/accesstoken/get",
        body: "",
        headers: {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          "ocp-apim-subscription-key": "sub-key-1",
          "content-type": undefined,
          authorization: undefined,
          accept: "application/json",
        },
      },
    },
    {
      name: "client-auth fields in the query, the rest in the form body",
      ep: { parameters: { client_id: "query", client_secret: "query" } },
      grant: fieldsGrant,
      params: { scope: "read" },
      want: {
        method: "POST",
        url: `/oauth/token?client_id=${q(CLIENT_ID)}&client_secret=${q(CLIENT_SECRET)}`,
        body: "grant_type=client_credentials&scope=read",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
    },
    {
      name: "the grant field in the query",
      ep: { parameters: { grant_type: "query" } },
      grant: basicGrant,
      params: { scope: "read" },
      want: {
        method: "POST",
        url: "/oauth/token?grant_type=client_credentials",
        body: "scope=read",
        headers: { authorization: basicAuthorization(CLIENT_ID, CLIENT_SECRET) },
      },
    },
    {
      name: "a client id header next to a JSON body",
      ep: { encoding: "json", parameters: { client_id: "header" } },
      grant: fieldsGrant,
      params: { audience: "api" },
      want: {
        method: "POST",
        url: "/oauth/token",
        body: JSON.stringify({ grant_type: "client_credentials", audience: "api", client_secret: CLIENT_SECRET }),
        headers: { client_id: CLIENT_ID, "content-type": "application/json" },
      },
    },
    {
      name: "GET: every field in the query, no body, no content type",
      ep: { method: "GET" },
      grant: basicGrant,
      params: { scope: "read write", resource: ["https://a.example/", "https://b.example/"], skipped: undefined },
      want: {
        method: "GET",
        url: `/oauth/token?${form({ grant_type: "client_credentials", scope: "read write" })}&resource=${q("https://a.example/")}&resource=${q("https://b.example/")}`,
        body: "",
        headers: { "content-type": undefined, authorization: basicAuthorization(CLIENT_ID, CLIENT_SECRET) },
      },
    },
    {
      name: "GET with a header field: header stays a header",
      ep: { method: "GET", parameters: { "X-Tenant": "header" } },
      grant: basicGrant,
      params: { "X-Tenant": "t1", a: "1" },
      want: { method: "GET", url: "/oauth/token?grant_type=client_credentials&a=1", body: "", headers: { "x-tenant": "t1" } },
    },
    {
      name: "encoding none without parameters: fields go to the query string",
      ep: { encoding: "none" },
      grant: fieldsGrant,
      params: {},
      want: {
        method: "POST",
        url: `/oauth/token?grant_type=client_credentials&client_id=${q(CLIENT_ID)}&client_secret=${q(CLIENT_SECRET)}`,
        body: "",
        headers: { "content-type": undefined },
      },
    },
    {
      name: "path template filled and escaped, the path field left out of the body",
      ep: { path: "/tenants/{tenant}/oauth/{version}/token", parameters: { tenant: "path", version: "path" } },
      grant: basicGrant,
      params: { tenant: "a/b c?d#é", version: 2, scope: "read" },
      want: {
        method: "POST",
        url: "/tenants/a%2Fb%20c%3Fd%23%C3%A9/oauth/2/token",
        body: "grant_type=client_credentials&scope=read",
        headers: {},
      },
    },
    {
      name: "path template under a base URL with a path",
      ep: { path: "/{realm}/token", parameters: { realm: "path" } },
      grant: basicGrant,
      params: { realm: "master" },
      base: "/auth/realms",
      want: { method: "POST", url: "/auth/realms/master/token", body: "grant_type=client_credentials", headers: {} },
    },
    {
      name: "a query already in the path is kept",
      ep: { path: "/token?api-version=2", parameters: { a: "query" } },
      grant: basicGrant,
      params: { a: "x y" },
      want: { method: "POST", url: "/token?api-version=2&a=x+y", body: "grant_type=client_credentials", headers: {} },
    },
    {
      name: "an array header value is joined with comma-space",
      ep: { parameters: { "X-Features": "header" } },
      grant: basicGrant,
      params: { "X-Features": ["a", "b", 3] },
      want: { method: "POST", url: "/oauth/token", body: "grant_type=client_credentials", headers: { "x-features": "a, b, 3" } },
    },
    {
      name: "a null header field sends no header",
      ep: { parameters: { "X-Optional": "header" } },
      grant: basicGrant,
      params: { "X-Optional": null },
      want: { method: "POST", url: "/oauth/token", body: "grant_type=client_credentials", headers: { "x-optional": undefined } },
    },
    {
      name: "a parameter cannot replace the Basic credentials",
      ep: { parameters: { authorization: "header" } },
      grant: basicGrant,
      params: { authorization: "Bearer spoofed" },
      want: { method: "POST", url: "/oauth/token", body: "grant_type=client_credentials", headers: { authorization: basicAuthorization(CLIENT_ID, CLIENT_SECRET) } },
    },
    {
      name: "params cannot replace header-routed credentials either",
      ep: { encoding: "none", parameters: { client_id: "header", client_secret: "header" } },
      grant: impliedGrant,
      params: { client_id: "spoofed", client_secret: "spoofed" },
      want: { method: "POST", url: "/oauth/token", body: "", headers: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET } },
    },
    {
      name: "no grant field: no grant type is sent at all",
      ep: {},
      grant: impliedGrant,
      params: { code: "c1" },
      want: { method: "POST", url: "/oauth/token", body: form({ code: "c1", client_id: CLIENT_ID, client_secret: CLIENT_SECRET }), headers: {} },
    },
    {
      name: "space-delimited scope in a form body (RFC 6749 §3.3)",
      ep: { spaceDelimited: ["scope"] },
      grant: basicGrant,
      params: { scope: ["read", "write"], resource: ["r1", "r2"] },
      want: { method: "POST", url: "/oauth/token", body: "grant_type=client_credentials&scope=read+write&resource=r1&resource=r2", headers: {} },
    },
    {
      name: "space-delimited scope in a JSON body",
      ep: { encoding: "json", spaceDelimited: ["scope"] },
      grant: basicGrant,
      params: { scope: ["read", "write"] },
      want: { method: "POST", url: "/oauth/token", body: JSON.stringify({ grant_type: "client_credentials", scope: "read write" }), headers: {} },
    },
    {
      name: "space-delimited scope in the query of a GET",
      ep: { method: "GET", spaceDelimited: ["scope"] },
      grant: basicGrant,
      params: { scope: ["read", "write"] },
      want: { method: "GET", url: "/oauth/token?grant_type=client_credentials&scope=read+write", body: "", headers: {} },
    },
    {
      name: "space-delimited scope in a header",
      ep: { spaceDelimited: ["scope"], parameters: { scope: "header" } },
      grant: basicGrant,
      params: { scope: ["read", "write"] },
      want: { method: "POST", url: "/oauth/token", body: "grant_type=client_credentials", headers: { scope: "read write" } },
    },
    {
      name: "an empty space-delimited array sends no field",
      ep: { spaceDelimited: ["scope"] },
      grant: basicGrant,
      params: { scope: [] },
      want: { method: "POST", url: "/oauth/token", body: "grant_type=client_credentials", headers: {} },
    },
    {
      name: "a field named like a prototype member is routed as data",
      // Parsed, as a literal `constructor` key does not take the contextual type.
      ep: { parameters: JSON.parse('{"constructor":"query"}') as Record<string, ParameterLocation> },
      grant: basicGrant,
      params: { constructor: "c", toString: "x" },
      want: { method: "POST", url: "/oauth/token?constructor=c", body: "grant_type=client_credentials&toString=x", headers: {} },
    },
  ])("$name", async ({ ep, grant, params, base, want }) => {
    const server = await start(() => ({ status: 200, body: TOKEN_BODY }));
    const result = await requestToken(endpoint(ep), grant, config(`${server.url}${base ?? ""}`), params);
    expect(result.ok && result.token.accessToken).toBe("at-1");
    expect(server.requests).toHaveLength(1);
    const [seen] = server.requests;
    expect({ method: seen?.method, url: seen?.url, body: seen?.body }).toEqual({ method: want.method, url: want.url, body: want.body });
    for (const [name, value] of Object.entries(want.headers)) expect(seen?.headers[name], name).toBe(value);
  });

  it("reads a Vipps-style answer (string expires_in, extra string members)", async () => {
    const answer = {
      token_type: "Bearer",
      expires_in: "86398",
      ext_expires_in: "0",
      expires_on: "1547823408",
      not_before: "1547736710",
      resource: "00000002-0000-0000-c000-000000000000",
      access_token: "eyJ0eXAiOi-vipps",
    };
    const server = await start(() => ({ status: 200, body: answer }));
    const ep = endpoint({ path: "/accesstoken/get", encoding: "none", parameters: { client_id: "header", client_secret: "header" }, tokenFields: { accessToken: "access_token", tokenType: "token_type" } });
    const result = await requestToken(ep, impliedGrant, config(server.url), {});
    expect(result).toEqual({ ok: true, token: { accessToken: "eyJ0eXAiOi-vipps", tokenType: "Bearer", expiresAt: NOW + 86_398_000, raw: answer } });
  });
});

describe("requestToken refuses unsendable fields before any request", () => {
  const SECRET_VALUE = "pw-Qz7-do-not-echo";
  it.each<{ name: string; ep: Partial<TokenEndpoint>; grant?: GrantRule; params?: Record<string, unknown>; cfg?: Partial<ClientConfig>; want: RegExp; wantClass?: new (...args: never[]) => Error }>([
    {
      name: "a CR LF in a header field",
      ep: { parameters: { "X-Key": "header" } },
      params: { "X-Key": `${SECRET_VALUE}\r\nX-Injected: yes` },
      want: /header parameter "X-Key" holds a line break/,
    },
    {
      name: "a bare LF in a header field",
      ep: { parameters: { "X-Key": "header" } },
      params: { "X-Key": `${SECRET_VALUE}\n` },
      want: /"X-Key"/,
    },
    {
      name: "a CR LF in the client secret routed to a header",
      ep: { encoding: "none", parameters: { client_id: "header", client_secret: "header" } },
      grant: impliedGrant,
      cfg: { clientSecret: `${SECRET_VALUE}\r\nX-Injected: yes` },
      want: /header parameter "client_secret"/,
    },
    {
      name: "a missing path value",
      ep: { path: "/tenants/{tenant}/token", parameters: { tenant: "path" } },
      // A typed error with a stable code: a session or an untyped caller can meet it.
      wantClass: TokenClientConfigError,
      params: { other: SECRET_VALUE },
      want: /path parameter "tenant" has no value/,
    },
    {
      name: "an empty path value",
      ep: { path: "/tenants/{tenant}/token", parameters: { tenant: "path" } },
      // A typed error with a stable code: a session or an untyped caller can meet it.
      wantClass: TokenClientConfigError,
      params: { tenant: "" },
      want: /path parameter "tenant" has no value/,
    },
    {
      name: "a dot-segment path value",
      ep: { path: "/tenants/{tenant}/token", parameters: { tenant: "path" } },
      params: { tenant: ".." },
      want: /path parameter "tenant" cannot be a dot segment/,
    },
    {
      name: "a template that is not a declared path parameter",
      ep: { path: "/tenants/{tenant}/token", parameters: { tenant: "query" } },
      params: { tenant: SECRET_VALUE },
      want: /path template "\{tenant\}" is not a declared path parameter/,
    },
    {
      name: "an object in the query of a GET",
      ep: { method: "GET" },
      params: { claims: { password: SECRET_VALUE } },
      want: /query parameter "claims"/,
    },
    {
      name: "a discovered client authentication without discovery",
      ep: {},
      grant: { grantType: "client_credentials", grantField: "grant_type", clientAuth: { kind: "discovered" } },
      want: /discovered/,
      wantClass: TokenClientConfigError,
    },
  ])("$name", async ({ ep, grant, params, cfg, want, wantClass }) => {
    const server = await start(() => ({ status: 200, body: TOKEN_BODY }));
    let caught: unknown;
    try {
      await requestToken(endpoint(ep), grant ?? bodyPasswordGrant, config(server.url, cfg), params ?? {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(wantClass ?? TypeError);
    const message = (caught as Error).message;
    expect(message).toMatch(want);
    expect(message).not.toContain(SECRET_VALUE);
    expect(message).not.toContain(CLIENT_SECRET);
    expect(server.requests).toHaveLength(0);
  });
});
