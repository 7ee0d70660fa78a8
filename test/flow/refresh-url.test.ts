// A flow whose refreshUrl is not its tokenUrl (OpenAPI OAuth Flow Object): every refresh_token request, the
// client's own `refreshToken()` and a session's refresh after expiry, goes to the refresh URL; the code goes to the
// token URL. Given as a path on the spec's server (it follows the caller's baseUrl) and as an absolute URL on
// another host (a second loopback server). Generated from the spec, run against real loopback servers.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderModel } from "../../generator/model/index.js";
import { TokenClientConfigError } from "../../generator/runtime/errors.js";
import { buildTokenRequest, requestToken } from "../../generator/runtime/request.js";
import type { ClientConfig, GrantRule, GrantUrl, TokenEndpoint } from "../../generator/runtime/types.js";
import { startTokenServer, type TokenServer, type TokenServerHandler } from "../support/loopback.js";
import { useTempDirs } from "../generator/helpers.js";
import { CLIENT_ID, CLIENT_SECRET, emitInto, importGenerated, writtenSpecModel, type FlowClient, type FlowSession } from "./support.js";

const HOUR = 3_600_000;

/** An authorization-code provider that publishes only its OAuth2 flow (the token operation is synthesised from it). */
function refreshSpec(tokenUrl: string, refreshUrl: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: { title: "Refresh elsewhere", version: "1" },
    servers: [{ url: "https://auth.example.com" }],
    paths: {},
    components: {
      securitySchemes: {
        oauth: { type: "oauth2", flows: { authorizationCode: { authorizationUrl: "https://auth.example.com/oauth/authorize", tokenUrl, refreshUrl, scopes: { read: "Read" } } } },
      },
    },
  };
}

/** Numbered tokens: at1/rt1, at2/rt2, …, each living an hour. */
const numbered = (): TokenServerHandler => {
  let n = 0;
  return () => {
    n += 1;
    return { status: 200, body: { access_token: `at${n}`, token_type: "Bearer", expires_in: 3600, refresh_token: `rt${n}` } };
  };
};

interface Row {
  readonly given: string;
  readonly name: string;
  /** The refresh URL, given the token server's and the other server's URLs. */
  readonly refreshUrl: (other: string) => string;
  /** Where refreshes must land: which server, which path. */
  readonly want: { readonly server: "token" | "other"; readonly path: string };
}

const ROWS: readonly Row[] = [
  { given: "a path on the spec's server", name: "refreshpath", refreshUrl: () => "https://auth.example.com/oauth/refresh", want: { server: "token", path: "/oauth/refresh" } },
  { given: "an absolute URL on another host", name: "refreshhost", refreshUrl: (other) => `${other}/v2/refresh?tenant=t1`, want: { server: "other", path: "/v2/refresh?tenant=t1" } },
];

describe("refresh at the flow's own refreshUrl", () => {
  const tempDir = useTempDirs();
  let tokenServer: TokenServer;
  let otherServer: TokenServer;
  const generated = new Map<string, { model: ProviderModel; module: Record<string, unknown> }>();

  beforeAll(async () => {
    const handler = numbered();
    tokenServer = await startTokenServer(handler);
    otherServer = await startTokenServer(handler);
    const root = await tempDir("refresh-url");
    const models = [];
    for (const row of ROWS) models.push(await writtenSpecModel(join(root, "specs"), row.name, refreshSpec("https://auth.example.com/oauth/token", row.refreshUrl(otherServer.url))));
    await emitInto(join(root, "out"), models);
    for (const [index, row] of ROWS.entries()) generated.set(row.name, { model: models[index]!, module: await importGenerated(join(root, "out"), join(row.name, "index.js")) });
  }, 60_000);

  afterAll(async () => {
    await tokenServer?.close();
    await otherServer?.close();
  });

  /** Requests since `marks`, as `token POST /oauth/token`. */
  const since = (marks: readonly [number, number]): string[] => [
    ...tokenServer.requests.slice(marks[0]).map((r) => `token ${r.method} ${r.url}`),
    ...otherServer.requests.slice(marks[1]).map((r) => `other ${r.method} ${r.url}`),
  ];
  const mark = (): [number, number] => [tokenServer.requests.length, otherServer.requests.length];

  it.each(ROWS)("$given: the model records it, client.refreshToken and a session's refresh go there", async ({ name, want }) => {
    const { model, module } = generated.get(name)!;
    expect(model.surface?.refresh).toMatchObject(want.server === "token" ? { url: "/oauth/refresh", relative: true, source: "spec" } : { relative: false, source: "spec" });
    expect(model.grants.map((g) => g.grantType)).toEqual(["authorization_code", "refresh_token"]);
    const prefix = `${name[0]!.toUpperCase()}${name.slice(1)}`;
    let now = Date.UTC(2026, 0, 1);
    const client = (module[`create${prefix}Client`] as (o: Record<string, unknown>) => FlowClient)({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: tokenServer.url, clock: () => now });
    const refreshAt = `${want.server} POST ${want.path}`;

    let at = mark();
    const direct = await client.refreshToken({ refresh_token: "rt-direct" });
    expect(direct.ok).toBe(true);
    expect(since(at)).toEqual([refreshAt]);
    const sent = (want.server === "token" ? tokenServer : otherServer).requests.at(-1)!;
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({ grant_type: "refresh_token", refresh_token: "rt-direct" });
    expect(sent.headers.authorization).toMatch(/^Basic /);

    at = mark();
    const openSession = module[`create${prefix}Session`] as (c: FlowClient, r: Record<string, unknown>) => FlowSession;
    const session = openSession(client, { grant: "authorization_code", code: "c1", redirect_uri: "https://app.example/cb" });
    const first = await session.getToken();
    now += 2 * HOUR;
    const second = await session.getToken();
    expect([first.ok, second.ok]).toEqual([true, true]);
    const made = since(at);
    expect(made).toEqual(["token POST /oauth/token", refreshAt]);
    console.log(`refresh at ${want.path} (${name}): client.refreshToken -> ${refreshAt}; session: ${made.join(", ")}`);
    await session.close();
  });
});

// The runtime half, for what the generated rows above do not reach: an OpenID provider whose token endpoint is
// discovered (the document still decides the client authentication; the refresh still goes to its own URL),
// buildTokenRequest (the same request-draft.ts), and a grant URL that is not https.
describe("request-draft.ts: a grant's own URL", () => {
  const WELL_KNOWN = "/.well-known/openid-configuration";
  const refreshRule = (url: GrantUrl): GrantRule => ({ grantType: "refresh_token", grantField: "grant_type", clientAuth: { kind: "discovered" }, url });
  const tokenEndpoint = (discovery?: string): TokenEndpoint => ({
    path: "/oauth/token",
    encoding: "form",
    successStatuses: [200],
    errorStatuses: [400],
    tokenFields: { accessToken: "access_token", tokenType: "token_type", refreshToken: "refresh_token" },
    expiry: { kind: "relative", field: "expires_in" },
    ...(discovery !== undefined ? { discovery } : {}),
  });
  let server: TokenServer;
  beforeAll(async () => {
    server = await startTokenServer((request) => {
      if (request.url === WELL_KNOWN) {
        return { status: 200, body: { issuer: server.url, token_endpoint: `${server.url}/discovered/token`, token_endpoint_auth_methods_supported: ["client_secret_post"] } };
      }
      return { status: 200, body: { access_token: "at", token_type: "Bearer", expires_in: 60 } };
    });
  });
  afterAll(() => server?.close());
  const config = (): ClientConfig => ({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: server.url });

  it("with discovery: the document decides client_secret_post, the refresh goes to the grant's URL, not token_endpoint", async () => {
    const before = server.requests.length;
    const result = await requestToken(tokenEndpoint(WELL_KNOWN), refreshRule({ url: "/oauth/refresh", relative: true }), config(), { refresh_token: "rt" });
    expect(result.ok).toBe(true);
    const made = server.requests.slice(before);
    expect(made.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${WELL_KNOWN}`, "POST /oauth/refresh"]);
    expect(Object.fromEntries(new URLSearchParams(made[1]!.body))).toEqual({ grant_type: "refresh_token", refresh_token: "rt", client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  });

  it("buildTokenRequest: the Request's URL is the grant's, absolute or joined to the base URL", async () => {
    const rule = (url: GrantUrl): GrantRule => ({ ...refreshRule(url), clientAuth: { kind: "basic" } });
    const relative = await buildTokenRequest(tokenEndpoint(), rule({ url: "/oauth/refresh", relative: true }), config(), { refresh_token: "rt" });
    const absolute = await buildTokenRequest(tokenEndpoint(), rule({ url: "https://refresh.example.com/r?x=1" }), config(), { refresh_token: "rt" });
    const { url: _none, ...withoutUrl } = rule({ url: "/x" });
    const plain = await buildTokenRequest(tokenEndpoint(), withoutUrl, config(), { refresh_token: "rt" });
    expect([relative.url, absolute.url, plain.url]).toEqual([`${server.url}/oauth/refresh`, "https://refresh.example.com/r?x=1", `${server.url}/oauth/token`]);
  });

  it("a grant URL that is not https (nor loopback http) is a TokenClientConfigError before anything is sent", async () => {
    const before = server.requests.length;
    const sent = requestToken(tokenEndpoint(), { ...refreshRule({ url: "http://refresh.example.com/r" }), clientAuth: { kind: "basic" } }, config(), { refresh_token: "rt" });
    await expect(sent).rejects.toBeInstanceOf(TokenClientConfigError);
    expect(server.requests.length).toBe(before);
  });
});
