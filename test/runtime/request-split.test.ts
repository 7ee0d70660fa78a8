// buildTokenRequest and processTokenResponse: requestToken's two halves (oauth4webapi's shape), usable with any
// transport. Building is checked without a server; a built request goes out through node:http to a loopback server;
// processing is checked on hand-made Responses.
import { request as httpRequest } from "node:http";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { clientSecretJwt } from "../../generator/runtime/client-jwt.js";
import { dpopKeyPair } from "../../generator/runtime/dpop.js";
import {
  DiscoveryError,
  InvalidResponseError,
  TokenClientConfigError,
  TokenResponseError,
  UnexpectedStatusError,
} from "../../generator/runtime/errors.js";
import { buildTokenRequest } from "../../generator/runtime/request.js";
import { processTokenResponse } from "../../generator/runtime/token-response.js";
import type { ClientConfig, GrantRule, TokenEndpoint } from "../../generator/runtime/types.js";
import { CLIENT_ID, CLIENT_SECRET, NOW, PASSWORD, basicGrant, bodyPasswordGrant, endpoint, useServers } from "./helpers.js";

const BASE = "https://auth.example.com";
const config = (overrides: Partial<ClientConfig> = {}): ClientConfig => ({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: BASE, clock: () => NOW, ...overrides });
const basicOf = (id: string, secret: string): string => {
  const form = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1);
  return `Basic ${Buffer.from(`${form(id)}:${form(secret)}`).toString("base64")}`;
};
const documented: GrantRule = { grantType: "client_credentials", grantField: "grant_type", clientAuth: { kind: "documented", idField: "client_id", secretField: "client_secret", basic: true } };

describe("buildTokenRequest: the request, without a server", () => {
  it.each<{ name: string; endpoint: TokenEndpoint; grant: GrantRule; config: ClientConfig; params: Record<string, unknown>; want: { url: string; authorization: string | null; contentType: string | null; body: string } }>([
    {
      name: "Basic, form body (RFC 6749 §4.4.2, §2.3.1)",
      endpoint: endpoint(),
      grant: basicGrant,
      config: config(),
      params: { scope: ["a", "b"] },
      want: { url: `${BASE}/oauth/token`, authorization: basicOf(CLIENT_ID, CLIENT_SECRET), contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&scope=a&scope=b" },
    },
    {
      name: "body credentials (RFC 6749 §4.3.2)",
      endpoint: endpoint(),
      grant: bodyPasswordGrant,
      config: config(),
      params: { username: "ann", password: PASSWORD },
      want: {
        url: `${BASE}/oauth/token`,
        authorization: null,
        contentType: "application/x-www-form-urlencoded",
        body: new URLSearchParams({ grant_type: "password", username: "ann", password: PASSWORD, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }).toString(),
      },
    },
    {
      name: "documented facts: the spec's fields win over its Basic",
      endpoint: endpoint({ encoding: "json" }),
      grant: documented,
      config: config(),
      params: {},
      want: { url: `${BASE}/oauth/token`, authorization: null, contentType: "application/json", body: JSON.stringify({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: CLIENT_SECRET }) },
    },
    {
      name: "the clientAuth option decides over the documented fields",
      endpoint: endpoint(),
      grant: documented,
      config: config({ clientAuth: { method: "client_secret_basic" } }),
      params: {},
      want: { url: `${BASE}/oauth/token`, authorization: basicOf(CLIENT_ID, CLIENT_SECRET), contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials" },
    },
    {
      name: "query and header parameters",
      endpoint: endpoint({ parameters: { client_id: "header", audience: "query" } }),
      grant: { grantType: "client_credentials", grantField: "grant_type", clientAuth: { kind: "fields", idField: "client_id" } },
      config: config(),
      params: { audience: "api" },
      want: { url: `${BASE}/oauth/token?audience=api`, authorization: null, contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials" },
    },
  ])("$name", async ({ endpoint: ep, grant, config: cfg, params, want }) => {
    const request = await buildTokenRequest(ep, grant, cfg, params);
    expect(request).toBeInstanceOf(Request);
    expect(request.method).toBe("POST");
    expect(request.redirect).toBe("manual");
    expect(request.url).toBe(want.url);
    expect(request.headers.get("authorization")).toBe(want.authorization);
    expect(request.headers.get("content-type")).toBe(want.contentType);
    expect(await request.text()).toBe(want.body);
  });

  it("signs a client assertion (RFC 7523 §2.2) for the token endpoint, and a DPoP proof (RFC 9449 §4)", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
    const request = await buildTokenRequest(endpoint(), basicGrant, config({ clientAuth: clientSecretJwt(), dpop: dpopKeyPair(pair) }), {});
    const body = new URLSearchParams(await request.text());
    expect(body.get("client_assertion_type")).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    expect(request.headers.get("authorization")).toBeNull();
    const assertion = body.get("client_assertion")!;
    const { payload } = await jwtVerify(assertion, new TextEncoder().encode(CLIENT_SECRET), { currentDate: new Date(NOW) });
    expect(payload).toMatchObject({ iss: CLIENT_ID, sub: CLIENT_ID, aud: `${BASE}/oauth/token` });
    const proof = request.headers.get("dpop")!;
    expect(decodeProtectedHeader(proof).typ).toBe("dpop+jwt");
    expect(decodeJwt(proof)).toMatchObject({ htm: "POST", htu: `${BASE}/oauth/token` });
  });

  it("goes to a discovered endpoint with the method its document allows", async () => {
    const ep = endpoint({ discovery: "/.well-known/openid-configuration" });
    const grant: GrantRule = { grantType: "client_credentials", grantField: "grant_type", clientAuth: { kind: "discovered" } };
    const request = await buildTokenRequest(ep, grant, config(), {}, { discovered: { tokenEndpoint: `${BASE}/connect/token`, authMethods: ["client_secret_post"] } });
    expect(request.url).toBe(`${BASE}/connect/token`);
    expect(new URLSearchParams(await request.text()).get("client_secret")).toBe(CLIENT_SECRET);
    await expect(buildTokenRequest(ep, grant, config(), {})).rejects.toThrow(TokenClientConfigError);
    await expect(buildTokenRequest(ep, grant, config(), {}, { discovered: { tokenEndpoint: `${BASE}/t`, authMethods: ["private_key_jwt"] } })).rejects.toThrow(DiscoveryError);
  });

  it("rejects the caller bugs requestToken rejects", async () => {
    await expect(buildTokenRequest(endpoint(), basicGrant, config({ baseUrl: "http://auth.example.com" }), {})).rejects.toThrow(TokenClientConfigError);
    await expect(buildTokenRequest(endpoint(), basicGrant, config({ timeoutMs: 0 }), {})).rejects.toThrow(/timeoutMs/);
    await expect(buildTokenRequest(endpoint(), basicGrant, config({ clientAuth: { method: "client_secret_post" }, clientSecret: undefined }), {})).rejects.toThrow(/needs the client secret/);
  });
});

describe("a built request through your own transport (node:http), and its answer processed", () => {
  const serve = useServers();

  const headerObject = (headers: Headers): Record<string, string> => {
    const out: Record<string, string> = {};
    headers.forEach((value, name) => {
      out[name] = value;
    });
    return out;
  };

  /** Sends a WHATWG Request with node:http and returns the answer as a WHATWG Response. */
  async function sendWithNodeHttp(request: Request): Promise<Response> {
    const body = Buffer.from(await request.arrayBuffer());
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(request.url, { method: request.method, headers: headerObject(request.headers) }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
          resolve(new Response(Buffer.concat(chunks), { status: incoming.statusCode ?? 0, headers }));
        });
      });
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }

  it("the server sees what was built; the answer becomes a token", async () => {
    const server = await serve(() => ({ status: 200, body: { access_token: "at-1", token_type: "Bearer", expires_in: 60 } }));
    const cfg = config({ baseUrl: server.url });
    const request = await buildTokenRequest(endpoint(), basicGrant, cfg, { scope: "read" });
    const result = await processTokenResponse(endpoint(), await sendWithNodeHttp(request), { request, receivedAt: NOW });
    const [seen] = server.requests;
    expect(seen).toMatchObject({ method: "POST", url: "/oauth/token", body: "grant_type=client_credentials&scope=read" });
    expect(seen!.headers["authorization"]).toBe(basicOf(CLIENT_ID, CLIENT_SECRET));
    expect(result).toMatchObject({ ok: true, token: { accessToken: "at-1", tokenType: "Bearer", expiresAt: NOW + 60_000 } });
  });

  it("a server that echoes the client secret: the error shows none of what the request sent", async () => {
    const server = await serve((sent) => ({ status: 400, body: { error: "invalid_client", error_description: `bad ${sent.headers["authorization"]} ${CLIENT_SECRET}` } }));
    const request = await buildTokenRequest(endpoint(), basicGrant, config({ baseUrl: server.url }), {});
    const result = await processTokenResponse(endpoint(), await sendWithNodeHttp(request), { request });
    expect(result.ok).toBe(false);
    const error = result.ok ? undefined : result.error;
    expect(error).toBeInstanceOf(TokenResponseError);
    const shown = JSON.stringify(error) + String(error) + JSON.stringify((error as unknown as TokenResponseError<number, unknown>).body);
    expect(shown).not.toContain(CLIENT_SECRET);
    expect(shown).not.toContain(basicOf(CLIENT_ID, CLIENT_SECRET).slice("Basic ".length));
  });
});

describe("processTokenResponse on hand-made Responses, no server", () => {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

  it.each<{ name: string; endpoint: TokenEndpoint; response: () => Response; want: (result: Awaited<ReturnType<typeof processTokenResponse>>) => void }>([
    {
      name: "success (RFC 6749 §5.1)",
      endpoint: endpoint(),
      response: () => json(200, { access_token: "at", token_type: "Bearer", expires_in: 3600, refresh_token: "rt", scope: "a b" }),
      want: (result) => expect(result).toMatchObject({ ok: true, token: { accessToken: "at", refreshToken: "rt", scope: "a b", expiresAt: NOW + 3_600_000 } }),
    },
    {
      name: "documented error (RFC 6749 §5.2)",
      endpoint: endpoint(),
      response: () => json(400, { error: "invalid_grant", error_description: "expired" }),
      want: (result) => {
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error).toBeInstanceOf(TokenResponseError);
        expect(result.error).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
      },
    },
    {
      name: "error at 200 (the endpoint's errorInSuccess mark)",
      endpoint: endpoint({ errorInSuccess: { field: "status", equals: "error" } }),
      response: () => json(200, { status: "error", message: "no" }),
      want: (result) => {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error).toMatchObject({ kind: "response", status: 200 });
      },
    },
    {
      name: "invalid JSON at 200",
      endpoint: endpoint(),
      response: () => new Response("{not json", { status: 200, headers: { "content-type": "application/json" } }),
      want: (result) => {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error).toBeInstanceOf(InvalidResponseError);
      },
    },
    {
      name: "an undocumented status",
      endpoint: endpoint(),
      response: () => new Response("gateway down", { status: 502 }),
      want: (result) => {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error).toBeInstanceOf(UnexpectedStatusError);
      },
    },
    {
      name: "issued_token_type (RFC 8693 §2.2.1)",
      endpoint: endpoint(),
      response: () => json(200, { access_token: "at", token_type: "N_A", issued_token_type: "urn:ietf:params:oauth:token-type:jwt" }),
      want: (result) => expect(result).toMatchObject({ ok: true, token: { issuedTokenType: "urn:ietf:params:oauth:token-type:jwt" } }),
    },
  ])("$name", async ({ endpoint: ep, response, want }) => {
    want(await processTokenResponse(ep, response(), { receivedAt: NOW }));
  });
});
