import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { basicAuthorization } from "../../generator/runtime/client-auth.js";
import { encodeBody } from "../../generator/runtime/encode.js";
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
}

const never: TokenServerHandler = () => undefined;

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
];

describe("no error carries a credential", () => {
  const seenKinds = new Set<string>();

  it.each(scenarios)("$name", async (scenario) => {
    const server = await start(scenario.handler);
    const controller = new AbortController();
    if (scenario.abortAfterMs !== undefined) setTimeout(() => controller.abort(), scenario.abortAfterMs);
    const config: ClientConfig = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: server.url, ...scenario.config };
    const result = await requestToken(endpoint(scenario.endpoint), scenario.grant, config, { username: "u", password: PASSWORD }, {
      signal: controller.signal,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe(scenario.wantKind);
    seenKinds.add(result.error.kind);
    // The credentials really were sent, so a leak would have had the chance to happen.
    const sent = server.requests.map((r) => `${r.body} ${r.headers["authorization"] ?? ""}`).join("\n");
    if (server.requests.length > 0) expect(FORBIDDEN.some((needle) => sent.includes(needle))).toBe(true);
    for (const text of renderings(result.error)) {
      for (const needle of FORBIDDEN) expect(text).not.toContain(needle);
    }
  });

  it("covered every transport and response error kind", () => {
    expect([...seenKinds].sort()).toEqual(["aborted", "invalid_response", "network", "response", "timeout", "unexpected_status"]);
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
    expect(thrown).toHaveLength(3);
    for (const error of thrown) {
      for (const text of renderings(error)) {
        for (const needle of FORBIDDEN) expect(text).not.toContain(needle);
      }
    }
  });
});
