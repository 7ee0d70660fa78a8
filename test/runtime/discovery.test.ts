// OpenID Connect Discovery 1.0: the token endpoint and its client
// authentication read from the discovery document, once per client config.
import { describe, expect, expectTypeOf, it } from "vitest";
import { basicAuthorization } from "../../generator/runtime/client-auth.js";
import { decideClientAuth } from "../../generator/runtime/client-auth.js";
import { DiscoveryError, TokenResponseError } from "../../generator/runtime/errors.js";
import type { DiscoveryTransportError } from "../../generator/runtime/errors.js";
import { MAX_BODY_BYTES, requestToken } from "../../generator/runtime/request.js";
import type { ClientConfig, GrantRule, TokenEndpoint, TokenResult } from "../../generator/runtime/types.js";
import type { RecordedRequest, TokenServer, TokenServerReply } from "../support/loopback.js";
import { CLIENT_ID, CLIENT_SECRET, NOW, basicGrant, delay, endpoint, useServers } from "./helpers.js";

const start = useServers();

const WELL_KNOWN = "/.well-known/openid-configuration";
const TOKEN_BODY = { access_token: "at-d", token_type: "Bearer", expires_in: 60 };
const discoveredGrant: GrantRule = { grantType: "client_credentials", grantField: "grant_type", clientAuth: { kind: "discovered" } };

type Raw = Record<string, unknown>;
type Result = TokenResult<Raw, TokenResponseError<number, unknown> | DiscoveryTransportError>;

function config(baseUrl: string, extra: Partial<ClientConfig> = {}): ClientConfig {
  return { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl, clock: () => NOW, ...extra };
}

function discoveryEndpoint(overrides: Partial<TokenEndpoint> = {}): TokenEndpoint {
  return endpoint({ path: "/unused", discovery: WELL_KNOWN, ...overrides });
}

function request(ep: TokenEndpoint, grant: GrantRule, cfg: ClientConfig, params: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Result> {
  return requestToken<Raw, TokenResponseError<number, unknown>, DiscoveryError>(ep, grant, cfg, params, signal === undefined ? {} : { signal });
}

/**
 * A provider: the discovery document (from `document`, given the server's
 * URL) at the well-known path, tokens at /oauth2/token.
 */
async function provider(document: (url: string) => TokenServerReply | undefined | Promise<TokenServerReply | undefined>): Promise<TokenServer> {
  let self: TokenServer | undefined;
  const server = await start(async (seen) => {
    if (seen.url.endsWith(WELL_KNOWN)) return document(self?.url ?? "");
    if (seen.url.startsWith("/oauth2/token")) return { status: 200, body: TOKEN_BODY };
    return { status: 404, body: { error: "not_found" } };
  });
  self = server;
  return server;
}

const doc = (url: string, extra: Record<string, unknown> = {}): TokenServerReply => ({
  status: 200,
  body: { issuer: url, token_endpoint: `${url}/oauth2/token`, ...extra },
});

const discoveryGets = (server: TokenServer): RecordedRequest[] => server.requests.filter((r) => r.url.endsWith(WELL_KNOWN));
const tokenPosts = (server: TokenServer): RecordedRequest[] => server.requests.filter((r) => r.url.startsWith("/oauth2/token"));

function errorOf(result: Result): TokenResponseError<number, unknown> | DiscoveryTransportError {
  if (result.ok) throw new Error(`expected an error, got token ${JSON.stringify(result.token)}`);
  return result.error;
}

describe("discovery: the happy path", () => {
  it("reads the document, then sends the token request to its token_endpoint", async () => {
    const server = await provider((url) => doc(url, { token_endpoint_auth_methods_supported: ["client_secret_basic"] }));
    const result = await request(discoveryEndpoint(), discoveredGrant, config(server.url), { scope: "read" });
    expect(result).toEqual({ ok: true, token: { accessToken: "at-d", tokenType: "Bearer", expiresAt: NOW + 60_000, raw: TOKEN_BODY } });
    const [get, post] = server.requests;
    expect({ method: get?.method, url: get?.url, accept: get?.headers["accept"], authorization: get?.headers["authorization"], body: get?.body }).toEqual({
      method: "GET",
      url: WELL_KNOWN,
      accept: "application/json",
      authorization: undefined,
      body: "",
    });
    expect({ method: post?.method, url: post?.url, authorization: post?.headers["authorization"], body: post?.body }).toEqual({
      method: "POST",
      url: "/oauth2/token",
      authorization: basicAuthorization(CLIENT_ID, CLIENT_SECRET),
      body: "grant_type=client_credentials&scope=read",
    });
    expect(server.requests).toHaveLength(2);
  });

  it("joins the discovery path onto a base URL with a path", async () => {
    const server = await provider((url) => doc(url));
    const result = await request(discoveryEndpoint(), discoveredGrant, config(`${server.url}/realms/x`));
    expect(result.ok).toBe(true);
    expect(server.requests[0]?.url).toBe(`/realms/x${WELL_KNOWN}`);
  });

  it("keeps a query in token_endpoint and appends query parameters to it", async () => {
    const server = await provider((url) => doc(url, { token_endpoint: `${url}/oauth2/token?tenant=t1` }));
    const ep = discoveryEndpoint({ parameters: { audience: "query" } });
    const result = await request(ep, discoveredGrant, config(server.url), { audience: "api 1" });
    expect(result.ok).toBe(true);
    expect(tokenPosts(server)[0]?.url).toBe("/oauth2/token?tenant=t1&audience=api+1");
  });

  it("uses a grant's own client authentication when it is not discovered", async () => {
    const server = await provider((url) => doc(url, { token_endpoint_auth_methods_supported: ["none"] }));
    const result = await request(discoveryEndpoint(), basicGrant, config(server.url));
    expect(result.ok).toBe(true);
    expect(tokenPosts(server)[0]?.headers["authorization"]).toBe(basicAuthorization(CLIENT_ID, CLIENT_SECRET));
  });

  it("reads the document once per client config", async () => {
    const server = await provider((url) => doc(url));
    const cfg = config(server.url);
    for (let i = 0; i < 3; i++) expect((await request(discoveryEndpoint(), discoveredGrant, cfg)).ok).toBe(true);
    expect(discoveryGets(server)).toHaveLength(1);
    expect(tokenPosts(server)).toHaveLength(3);
    // Another client (config object) reads it again.
    expect((await request(discoveryEndpoint(), discoveredGrant, config(server.url))).ok).toBe(true);
    expect(discoveryGets(server)).toHaveLength(2);
  });

  it("shares one discovery request between concurrent first calls", async () => {
    const server = await provider(async (url) => {
      await delay(100);
      return doc(url);
    });
    const cfg = config(server.url);
    const results = await Promise.all(Array.from({ length: 8 }, () => request(discoveryEndpoint(), discoveredGrant, cfg)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(discoveryGets(server)).toHaveLength(1);
    expect(tokenPosts(server)).toHaveLength(8);
  });

  it("does not keep a failed discovery: the next call reads the document again", async () => {
    let calls = 0;
    const server = await provider((url) => (++calls === 1 ? { status: 503, body: { error: "down" } } : doc(url)));
    const cfg = config(server.url);
    const first = errorOf(await request(discoveryEndpoint(), discoveredGrant, cfg));
    expect(first).toBeInstanceOf(DiscoveryError);
    expect(first.kind === "discovery" && { status: first.status, reason: first.reason, code: first.code }).toEqual({
      status: 503,
      reason: "discovery document answered 503",
      code: "TOKEN_DISCOVERY_FAILED",
    });
    expect(tokenPosts(server)).toHaveLength(0);
    expect((await request(discoveryEndpoint(), discoveredGrant, cfg)).ok).toBe(true);
    expect(discoveryGets(server)).toHaveLength(2);
    expect(tokenPosts(server)).toHaveLength(1);
  });

  it("concurrent callers all see one failure, and the next call retries", async () => {
    let calls = 0;
    const server = await provider(async (url) => {
      await delay(50);
      return ++calls === 1 ? { status: 500, body: "boom" } : doc(url);
    });
    const cfg = config(server.url);
    const results = await Promise.all(Array.from({ length: 4 }, () => request(discoveryEndpoint(), discoveredGrant, cfg)));
    expect(results.map((r) => !r.ok && r.error.kind)).toEqual(["discovery", "discovery", "discovery", "discovery"]);
    expect(discoveryGets(server)).toHaveLength(1);
    expect((await request(discoveryEndpoint(), discoveredGrant, cfg)).ok).toBe(true);
    expect(discoveryGets(server)).toHaveLength(2);
  });
});

describe("discovered client authentication (token_endpoint_auth_methods_supported)", () => {
  const POST_BODY = new URLSearchParams({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: CLIENT_SECRET }).toString();
  it.each<{ name: string; methods: unknown; ep?: Partial<TokenEndpoint>; want: { authorization?: string; body?: string; url?: string } | { reason: string } }>([
    { name: "absent: client_secret_basic (the OIDC default)", methods: undefined, want: { authorization: basicAuthorization(CLIENT_ID, CLIENT_SECRET), body: "grant_type=client_credentials" } },
    { name: "null: as absent", methods: null, want: { authorization: basicAuthorization(CLIENT_ID, CLIENT_SECRET), body: "grant_type=client_credentials" } },
    { name: "basic listed", methods: ["private_key_jwt", "client_secret_basic"], want: { authorization: basicAuthorization(CLIENT_ID, CLIENT_SECRET), body: "grant_type=client_credentials" } },
    { name: "basic wins over post", methods: ["client_secret_post", "client_secret_basic"], want: { authorization: basicAuthorization(CLIENT_ID, CLIENT_SECRET), body: "grant_type=client_credentials" } },
    { name: "post only: body fields", methods: ["client_secret_post"], want: { body: POST_BODY } },
    {
      name: "post with a JSON body",
      methods: ["client_secret_post"],
      ep: { encoding: "json" },
      want: { body: JSON.stringify({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: CLIENT_SECRET }) },
    },
    { name: "post wins over none", methods: ["none", "client_secret_post"], want: { body: POST_BODY } },
    { name: "none only: no credentials", methods: ["none"], want: { body: "grant_type=client_credentials" } },
    {
      name: "post and none on a GET: none, so the secret never goes in the URL",
      methods: ["client_secret_post", "none"],
      ep: { method: "GET" },
      want: { url: "/oauth2/token?grant_type=client_credentials", body: "" },
    },
    {
      name: "post only on a GET: refused",
      methods: ["client_secret_post"],
      ep: { method: "GET" },
      want: { reason: "token_endpoint_auth_methods_supported lists none of client_secret_basic, client_secret_post (with a request body) and none" },
    },
    { name: "only private_key_jwt: refused", methods: ["private_key_jwt"], want: { reason: "token_endpoint_auth_methods_supported lists none of" } },
    { name: "an empty list: refused", methods: [], want: { reason: "token_endpoint_auth_methods_supported lists none of" } },
    { name: "not an array", methods: "client_secret_basic", want: { reason: "token_endpoint_auth_methods_supported is not an array of strings" } },
    { name: "an array with a number", methods: ["client_secret_basic", 1], want: { reason: "token_endpoint_auth_methods_supported is not an array of strings" } },
  ])("$name", async ({ methods, ep, want }) => {
    const server = await provider((url) => doc(url, methods === undefined ? {} : { token_endpoint_auth_methods_supported: methods }));
    const result = await request(discoveryEndpoint(ep), discoveredGrant, config(server.url));
    const [post] = tokenPosts(server);
    if ("reason" in want) {
      const error = errorOf(result);
      expect(error).toBeInstanceOf(DiscoveryError);
      expect(error.kind === "discovery" && error.reason).toContain(want.reason);
      expect(tokenPosts(server)).toHaveLength(0);
      return;
    }
    expect(result.ok).toBe(true);
    expect(post?.headers["authorization"]).toBe(want.authorization);
    if (want.body !== undefined) expect(post?.body).toBe(want.body);
    if (want.url !== undefined) expect(post?.url).toBe(want.url);
  });

  it.each<{ methods: readonly string[] | undefined; hasBody: boolean; want: string | undefined }>([
    { methods: undefined, hasBody: true, want: "basic" },
    { methods: ["client_secret_basic"], hasBody: false, want: "basic" },
    { methods: ["client_secret_post"], hasBody: true, want: "fields" },
    { methods: ["client_secret_post"], hasBody: false, want: undefined },
    { methods: ["none"], hasBody: true, want: "none" },
    { methods: ["tls_client_auth"], hasBody: true, want: undefined },
  ])("decideClientAuth(discovered, $methods, body: $hasBody) → $want", ({ methods, hasBody, want }) => {
    const decision = decideClientAuth({ kind: "discovered" }, {}, { authMethods: methods, hasBody });
    expect(decision.kind === "decided" ? decision.rule.kind : undefined).toBe(want);
  });
});

describe("discovery refuses unsafe or unusable documents, and sends no token request", () => {
  it.each<{ name: string; reply: (url: string, elsewhere: string) => TokenServerReply; want: RegExp; status?: number }>([
    { name: "token_endpoint on another port (another origin)", reply: (url, elsewhere) => doc(url, { token_endpoint: `${elsewhere}/oauth2/token` }), want: /token_endpoint is on "http:\/\/127\.0\.0\.1:\d+", not on the discovery document's origin/ },
    { name: "token_endpoint on localhost instead of 127.0.0.1", reply: (url) => doc(url, { token_endpoint: `${url.replace("127.0.0.1", "localhost")}/oauth2/token` }), want: /not on the discovery document's origin/ },
    { name: "token_endpoint over http to a non-loopback host", reply: (url) => doc(url, { token_endpoint: "http://auth.example.com/oauth2/token" }), want: /token_endpoint http:\/\/auth\.example\.com\/oauth2\/token must use https:/ },
    { name: "token_endpoint over https to another host", reply: (url) => doc(url, { token_endpoint: "https://auth.example.com/oauth2/token" }), want: /not on the discovery document's origin/ },
    { name: "token_endpoint with a non-http scheme", reply: (url) => doc(url, { token_endpoint: "javascript:alert(1)" }), want: /must use https:/ },
    { name: "token_endpoint with userinfo", reply: (url) => doc(url, { token_endpoint: url.replace("http://", "http://u:p@") + "/oauth2/token" }), want: /must not contain a username or password/ },
    { name: "token_endpoint with a fragment", reply: (url) => doc(url, { token_endpoint: `${url}/oauth2/token#x` }), want: /must not contain a fragment/ },
    { name: "a relative token_endpoint", reply: (url) => doc(url, { token_endpoint: "/oauth2/token" }), want: /token_endpoint is not an absolute URL/ },
    { name: "no token_endpoint", reply: () => ({ status: 200, body: { issuer: "x" } }), want: /token_endpoint is missing or not a string/ },
    { name: "a numeric token_endpoint", reply: () => ({ status: 200, body: { token_endpoint: 1 } }), want: /token_endpoint is missing or not a string/ },
    { name: "token_endpoint only on the prototype chain", reply: () => ({ status: 200, headers: { "Content-Type": "application/json" }, body: '{"__proto__":{"token_endpoint":"x"}}' }), want: /token_endpoint is missing/ },
    { name: "a JSON array", reply: () => ({ status: 200, body: [] }), want: /not a JSON object/ },
    { name: "broken JSON", reply: () => ({ status: 200, headers: { "Content-Type": "application/json" }, body: "{" }), want: /not valid JSON/ },
    { name: "HTML", reply: () => ({ status: 200, headers: { "Content-Type": "text/html" }, body: "<p>" }), want: /content type "text\/html" is not JSON/ },
    { name: "a 404", reply: () => ({ status: 404, body: { error: "nf" } }), want: /answered 404/, status: 404 },
    { name: "a 201 (OIDC requires 200)", reply: (url) => ({ ...doc(url), status: 201 }), want: /answered 201/, status: 201 },
    { name: "a redirect to elsewhere, not followed", reply: (_url, elsewhere) => ({ status: 302, headers: { Location: `${elsewhere}${WELL_KNOWN}` } }), want: /answered 302/, status: 302 },
    { name: "a document over 1 MiB", reply: (url) => ({ status: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token_endpoint: `${url}/oauth2/token`, pad: "x".repeat(MAX_BODY_BYTES) }) }), want: /exceeds 1 MiB/ },
  ])("$name", async ({ reply, want, status }) => {
    const elsewhere = await start(() => ({ status: 200, body: { ...TOKEN_BODY, token_endpoint: "x" } }));
    const server = await provider((url) => reply(url, elsewhere.url));
    const error = errorOf(await request(discoveryEndpoint(), discoveredGrant, config(server.url)));
    expect(error).toBeInstanceOf(DiscoveryError);
    if (error.kind !== "discovery") return;
    expect(error.reason).toMatch(want);
    expect(error.message).toBe(`OpenID Connect discovery failed: ${error.reason}`);
    expect(error.status).toBe(status ?? 200);
    expect(tokenPosts(server)).toHaveLength(0);
    expect(elsewhere.requests).toHaveLength(0);
  });
});

describe("discovery transport failures", () => {
  it("a document that never comes is a timeout, and is not kept", async () => {
    let calls = 0;
    const server = await provider((url) => (++calls === 1 ? new Promise<undefined>(() => undefined) : doc(url)));
    const cfg = config(server.url, { timeoutMs: 150 });
    const error = errorOf(await request(discoveryEndpoint(), discoveredGrant, cfg));
    expect(error.kind).toBe("timeout");
    // The shared read has its own timeout; once it has fired, the next call reads again.
    await delay(100);
    expect((await request(discoveryEndpoint(), discoveredGrant, cfg)).ok).toBe(true);
    expect(discoveryGets(server)).toHaveLength(2);
  }, 3000);

  it("a destroyed socket is a network error", async () => {
    const server = await start((_request, { socket }) => void socket.destroy());
    const error = errorOf(await request(discoveryEndpoint(), discoveredGrant, config(server.url)));
    expect(error.kind).toBe("network");
  });

  it("the caller's abort ends its wait without failing other callers", async () => {
    const server = await provider(async (url) => {
      await delay(150);
      return doc(url);
    });
    const cfg = config(server.url);
    const controller = new AbortController();
    const aborted = request(discoveryEndpoint(), discoveredGrant, cfg, {}, controller.signal);
    const patient = request(discoveryEndpoint(), discoveredGrant, cfg);
    setTimeout(() => controller.abort(), 30);
    expect(errorOf(await aborted).kind).toBe("aborted");
    expect((await patient).ok).toBe(true);
    expect(discoveryGets(server)).toHaveLength(1);
    expect(tokenPosts(server)).toHaveLength(1);
  }, 3000);

  it("an already-aborted signal sends nothing, not even discovery", async () => {
    const server = await provider((url) => doc(url));
    const error = errorOf(await request(discoveryEndpoint(), discoveredGrant, config(server.url), {}, AbortSignal.abort()));
    expect(error.kind).toBe("aborted");
    expect(server.requests).toHaveLength(0);
  });

  it("a caller bug rejects before the discovery request", async () => {
    const server = await provider((url) => doc(url));
    await expect(request(discoveryEndpoint(), discoveredGrant, config(server.url), { claims: { a: 1 } })).rejects.toBeInstanceOf(TypeError);
    const ep = discoveryEndpoint({ parameters: { "X-Key": "header" } });
    await expect(request(ep, discoveredGrant, config(server.url), { "X-Key": "a\r\nb" })).rejects.toBeInstanceOf(TypeError);
    expect(server.requests).toHaveLength(0);
  });

  it("uses the injected fetch for discovery too", async () => {
    const server = await provider((url) => doc(url));
    const seen: string[] = [];
    const fetch = (input: string, init: RequestInit): Promise<Response> => {
      seen.push(`${init.method ?? "GET"} ${input}`);
      return globalThis.fetch(input, init);
    };
    expect((await request(discoveryEndpoint(), discoveredGrant, config(server.url, { fetch }))).ok).toBe(true);
    expect(seen).toEqual([`GET ${server.url}${WELL_KNOWN}`, `POST ${server.url}/oauth2/token`]);
  });
});

describe("discovery types", () => {
  it("types DiscoveryError when the caller asks for it, and not otherwise", () => {
    type With = Awaited<ReturnType<typeof requestToken<Raw, never, DiscoveryError>>>;
    type Without = Awaited<ReturnType<typeof requestToken<Raw, never>>>;
    expectTypeOf<Extract<Exclude<With, { ok: true }>["error"], { kind: "discovery" }>>().toEqualTypeOf<DiscoveryError>();
    expectTypeOf<Extract<Exclude<Without, { ok: true }>["error"], { kind: "discovery" }>>().toBeNever();
  });
});
