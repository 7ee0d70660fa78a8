import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { basicAuthorization } from "../../generator/runtime/client-auth.js";
import { encodeBody } from "../../generator/runtime/encode.js";
import type { DiscoveryError, TokenResponseError } from "../../generator/runtime/errors.js";
import { requestToken } from "../../generator/runtime/request.js";
import { resolveBaseUrl } from "../../generator/runtime/url.js";
import type { ClientConfig, GrantRule, TokenEndpoint } from "../../generator/runtime/types.js";
import type { TokenServerHandler } from "../support/loopback.js";
import { CLIENT_ID, CLIENT_SECRET, PASSWORD, basicGrant, bodyPasswordGrant, endpoint, useServers } from "./helpers.js";

const start = useServers();

/** Every spelling in which a credential could leak: raw, form-encoded, percent-encoded, inside the Basic header. */
const FORBIDDEN = [
  CLIENT_SECRET,
  PASSWORD,
  encodeBody("form", { x: CLIENT_SECRET }).body.slice(2),
  encodeBody("form", { x: PASSWORD }).body.slice(2),
  encodeURIComponent(CLIENT_SECRET),
  encodeURIComponent(PASSWORD),
  JSON.stringify(CLIENT_SECRET).slice(1, -1),
  basicAuthorization(CLIENT_ID, CLIENT_SECRET).slice("Basic ".length),
  "s3cr", // a distinctive prefix of the secret, to catch partial echoes
  "Xy7",
];

function renderings(error: unknown): string[] {
  const message = error instanceof Error ? error.message : "";
  return [message, String(error), JSON.stringify(error) ?? "", inspect(error, { depth: 8, showHidden: true })];
}

interface Scenario {
  readonly name: string;
  readonly handler: TokenServerHandler;
  readonly endpoint?: Partial<TokenEndpoint>;
  readonly grant: GrantRule;
  readonly config?: Partial<ClientConfig>;
  readonly abortAfterMs?: number;
  readonly wantKind: string;
  /** False when the scenario fails before credentials are sent (discovery). */
  readonly sendsCredentials?: boolean;
}

const never: TokenServerHandler = () => undefined;

/** Client id and secret as request headers, no body (Vipps-style). */
const headerCredentials: Partial<TokenEndpoint> = { encoding: "none", parameters: { client_id: "header", client_secret: "header", username: "header" } };
/** Client id and secret in the query string. */
const queryCredentials: Partial<TokenEndpoint> = { parameters: { client_id: "query", client_secret: "query", password: "query" } };
const discoveredGrant: GrantRule = { grantType: "password", grantField: "grant_type", clientAuth: { kind: "discovered" } };
const WELL_KNOWN = "/.well-known/openid-configuration";
/** Answers discovery with a document naming the same server's /token (methods as given), and tokens with `token`. */
function discoveryThen(methods: readonly string[], token: TokenServerHandler): TokenServerHandler {
  return (request, raw) => {
    if (request.url === WELL_KNOWN) {
      const origin = `http://${request.headers.host ?? ""}`;
      return { status: 200, body: { token_endpoint: `${origin}/token`, token_endpoint_auth_methods_supported: methods } };
    }
    return token(request, raw);
  };
}

const scenarios: Scenario[] = [
  { name: "documented error", handler: () => ({ status: 401, body: { error: "invalid_client" } }), grant: basicGrant, wantKind: "response" },
  { name: "documented error, body auth", handler: () => ({ status: 400, body: { error: "invalid_grant" } }), grant: bodyPasswordGrant, wantKind: "response" },
  { name: "undocumented status", handler: () => ({ status: 500, body: "internal" }), grant: bodyPasswordGrant, wantKind: "unexpected_status" },
  { name: "redirect", handler: () => ({ status: 307, headers: { Location: "https://elsewhere.example/" } }), grant: basicGrant, wantKind: "unexpected_status" },
  { name: "HTML success", handler: () => ({ status: 200, headers: { "Content-Type": "text/html" }, body: "<p>" }), grant: bodyPasswordGrant, wantKind: "invalid_response" },
  { name: "missing access token", handler: () => ({ status: 200, body: { token_type: "bearer" } }), grant: basicGrant, wantKind: "invalid_response" },
  { name: "bad expiry", handler: () => ({ status: 200, body: { access_token: "a", expires_in: "soon" } }), grant: bodyPasswordGrant, wantKind: "invalid_response" },
  {
    name: "oversized body",
    handler: () => ({ status: 200, headers: { "Content-Type": "application/json" }, body: "[" + "0,".repeat(600_000) + "0]" }),
    grant: bodyPasswordGrant,
    wantKind: "invalid_response",
  },
  { name: "timeout", handler: never, grant: bodyPasswordGrant, config: { timeoutMs: 150 }, wantKind: "timeout" },
  { name: "socket destroyed", handler: (_r, { socket }) => void socket.destroy(), grant: bodyPasswordGrant, wantKind: "network" },
  { name: "socket destroyed, basic", handler: (_r, { socket }) => void socket.destroy(), grant: basicGrant, wantKind: "network" },
  { name: "caller abort", handler: never, grant: bodyPasswordGrant, abortAfterMs: 30, wantKind: "aborted" },
  { name: "documented error, header credentials", handler: () => ({ status: 401, body: { error: "invalid_client" } }), endpoint: headerCredentials, grant: bodyPasswordGrant, wantKind: "response" },
  { name: "undocumented status, header credentials", handler: () => ({ status: 500, body: "x" }), endpoint: headerCredentials, grant: bodyPasswordGrant, wantKind: "unexpected_status" },
  { name: "socket destroyed, header credentials", handler: (_r, { socket }) => void socket.destroy(), endpoint: headerCredentials, grant: bodyPasswordGrant, wantKind: "network" },
  { name: "timeout, header credentials", handler: never, endpoint: headerCredentials, grant: bodyPasswordGrant, config: { timeoutMs: 150 }, wantKind: "timeout" },
  { name: "socket destroyed, query credentials", handler: (_r, { socket }) => void socket.destroy(), endpoint: queryCredentials, grant: bodyPasswordGrant, wantKind: "network" },
  { name: "documented error, query credentials", handler: () => ({ status: 400, body: { error: "invalid_request" } }), endpoint: queryCredentials, grant: bodyPasswordGrant, wantKind: "response" },
  { name: "documented error, GET", handler: () => ({ status: 400, body: { error: "invalid_request" } }), endpoint: { method: "GET" }, grant: bodyPasswordGrant, wantKind: "response" },
  {
    name: "error in a success body",
    handler: () => ({ status: 200, body: { ok: false, error: "invalid_code" } }),
    endpoint: { errorInSuccess: { field: "ok", equals: false } },
    grant: bodyPasswordGrant,
    wantKind: "response",
  },
  {
    name: "nested token missing",
    handler: () => ({ status: 200, body: { data: {} } }),
    endpoint: { tokenFields: { accessToken: ["data", "token"] } },
    grant: bodyPasswordGrant,
    wantKind: "invalid_response",
  },
  {
    name: "discovery: unusable auth methods",
    handler: discoveryThen(["private_key_jwt"], () => ({ status: 200, body: { access_token: "a" } })),
    endpoint: { discovery: WELL_KNOWN },
    grant: discoveredGrant,
    wantKind: "discovery",
    sendsCredentials: false,
  },
  {
    name: "discovery: cross-origin token_endpoint",
    handler: (request) => (request.url === WELL_KNOWN ? { status: 200, body: { token_endpoint: "https://attacker.example/token" } } : { status: 200, body: {} }),
    endpoint: { discovery: WELL_KNOWN },
    grant: discoveredGrant,
    wantKind: "discovery",
    sendsCredentials: false,
  },
  {
    name: "discovery then documented error, basic",
    handler: discoveryThen(["client_secret_basic"], () => ({ status: 401, body: { error: "invalid_client" } })),
    endpoint: { discovery: WELL_KNOWN },
    grant: discoveredGrant,
    wantKind: "response",
  },
  {
    name: "discovery then documented error, post",
    handler: discoveryThen(["client_secret_post"], () => ({ status: 400, body: { error: "invalid_grant" } })),
    endpoint: { discovery: WELL_KNOWN },
    grant: discoveredGrant,
    wantKind: "response",
  },
];

describe("no error carries a credential", () => {
  const seenKinds = new Set<string>();

  it.each(scenarios)("$name", async (scenario) => {
    const server = await start(scenario.handler);
    const controller = new AbortController();
    if (scenario.abortAfterMs !== undefined) setTimeout(() => controller.abort(), scenario.abortAfterMs);
    const config: ClientConfig = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: server.url, ...scenario.config };
    const result = await requestToken<Record<string, unknown>, TokenResponseError<number, unknown>, DiscoveryError>(
      endpoint(scenario.endpoint),
      scenario.grant,
      config,
      { username: "u", password: PASSWORD },
      { signal: controller.signal },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe(scenario.wantKind);
    seenKinds.add(result.error.kind);
    // The credentials really were sent, so a leak would have had the chance to happen.
    const sent = server.requests.map((r) => `${r.url} ${r.body} ${JSON.stringify(r.headers)}`).join("\n");
    const sendsCredentials = scenario.sendsCredentials ?? true;
    if (server.requests.length > 0) expect(FORBIDDEN.some((needle) => sent.includes(needle))).toBe(sendsCredentials);
    for (const text of renderings(result.error)) {
      for (const needle of FORBIDDEN) expect(text).not.toContain(needle);
    }
  });

  it("covered every transport and response error kind", () => {
    expect([...seenKinds].sort()).toEqual(["aborted", "discovery", "invalid_response", "network", "response", "timeout", "unexpected_status"]);
  });

  it("rejections for caller bugs carry no credential either", async () => {
    const thrown: unknown[] = [];
    const base: ClientConfig = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: "https://auth.example" };
    await requestToken(endpoint(), bodyPasswordGrant, base, { password: PASSWORD, nested: { password: PASSWORD } }).catch((e: unknown) => thrown.push(e));
    await requestToken(endpoint(), basicGrant, { ...base, baseUrl: `https://${CLIENT_ID}:${encodeURIComponent(CLIENT_SECRET)}@auth.example/` }, {}).catch(
      (e: unknown) => thrown.push(e),
    );
    try {
      resolveBaseUrl({ baseUrl: `http://u:${encodeURIComponent(PASSWORD)}@auth.example/` }, []);
    } catch (e) {
      thrown.push(e);
    }
    // A secret that cannot be a header value, where the endpoint puts it in a header.
    await requestToken(endpoint(headerCredentials), bodyPasswordGrant, { ...base, clientSecret: `${CLIENT_SECRET}\r\n` }, {}).catch((e: unknown) =>
      thrown.push(e),
    );
    // A password routed to a header: its emoji cannot be a header byte.
    await requestToken(endpoint({ parameters: { password: "header" } }), bodyPasswordGrant, base, { password: PASSWORD }).catch((e: unknown) =>
      thrown.push(e),
    );
    await requestToken(endpoint({ path: "/t/{tenant}", parameters: { tenant: "path" } }), bodyPasswordGrant, base, { password: PASSWORD }).catch(
      (e: unknown) => thrown.push(e),
    );
    await requestToken(endpoint({ spaceDelimited: ["password"] }), bodyPasswordGrant, base, { password: [PASSWORD, { PASSWORD }] }).catch(
      (e: unknown) => thrown.push(e),
    );
    expect(thrown).toHaveLength(7);
    for (const error of thrown) {
      for (const text of renderings(error)) {
        for (const needle of FORBIDDEN) expect(text).not.toContain(needle);
      }
    }
  });
});
