// Each emitter as a table: given a small model (plain data, as the model stage hands it over), want the
// printed text. The typecheck-and-run tests (emit.test.ts, test/providers) show the files work; these show
// what each emitter writes for each shape of model, and a change to the output shows up here as a diff.
import { describe, expect, it } from "vitest";
import { clientFile } from "../../generator/emit/client-file.js";
import { emitProvider } from "../../generator/emit/index.js";
import { indexFile } from "../../generator/emit/index-file.js";
import { Printer } from "../../generator/emit/printer.js";
import { readmeFile } from "../../generator/emit/readme.js";
import { sessionFile } from "../../generator/emit/session-file.js";
import { typesFile } from "../../generator/emit/types-file.js";
import { wireTypes } from "../../generator/emit/wire.js";
import type { FieldModel, GrantModel, ProviderModel } from "../../generator/model/index.js";

const BANNER = "// banner";
const printer = new Printer();

/** The printed file without its banner. */
const printed = (file: ReturnType<typeof typesFile>, path: string): string => printer.print(file, BANNER, path).slice(BANNER.length + 2);

const field = (name: string, extra: Partial<FieldModel> = {}): FieldModel => ({ name, required: false, nullable: false, isArray: false, deprecated: false, ...extra });

const CLIENT_CREDENTIALS: GrantModel = {
  grantType: "client_credentials",
  grantField: "grant_type",
  methodName: "clientCredentials",
  wire: { kind: "request-body" },
  clientAuth: { kind: "basic" },
  fields: [field("scope", { description: "Space-delimited scopes." })],
  alternatives: [],
  reobtainable: true,
  retried: true,
  relaxedRequired: [],
};

const REFRESH: GrantModel = {
  grantType: "refresh_token",
  grantField: "grant_type",
  refreshTokenField: "refresh_token",
  methodName: "refreshToken",
  wire: { kind: "request-body" },
  clientAuth: { kind: "basic" },
  fields: [field("refresh_token", { required: true })],
  alternatives: [],
  reobtainable: false,
  retried: true,
  relaxedRequired: [],
};

/** The smallest model: one client_credentials grant, HTTP Basic, one server, relative expiry. */
const BASE: ProviderModel = {
  provider: "acme",
  typePrefix: "Acme",
  title: "Acme",
  source: { file: "specs/acme.yaml", sha256: "0".repeat(64), openapi: "3.0.3" },
  operation: { path: "/token", requestPath: "/token", method: "post", pointer: "/paths/~1token/post" },
  servers: [{ name: "live", url: "https://auth.acme.test" }],
  request: { mediaType: "application/x-www-form-urlencoded", encoding: "form", bodyRequired: true },
  grants: [CLIENT_CREDENTIALS],
  client: { clientId: "required", clientSecret: "required" },
  success: {
    statuses: [200],
    typedStatus: 200,
    typedKey: "200",
    mediaType: "application/json",
    tokenFields: { accessToken: "access_token", tokenType: "token_type" },
    expiry: { kind: "relative", field: "expires_in" },
  },
  errors: [],
  facts: [{ topic: "operation", statement: "POST /token", source: "spec", evidence: "/paths/~1token/post" }],
  candidates: [],
  wireDocument: {},
};

const model = (change: Partial<ProviderModel>): ProviderModel => ({ ...BASE, ...change });

describe("types file", () => {
  it.each<{ name: string; given: ProviderModel; want: string }>([
    {
      name: "a grant typed from the request body",
      given: BASE,
      want: [
        "/** The request body as the spec types it. */",
        'type RequestBody = NonNullable<TokenOperation["requestBody"]>["content"]["application/x-www-form-urlencoded"];',
        "",
        "/**",
        " * Parameters of the `client_credentials` grant.",
        " * Client credentials come from the client options and are not repeated here.",
        " */",
        "export type AcmeClientCredentialsParams = {",
        "  /** Space-delimited scopes. */",
        '  scope?: RequestBody["scope"];',
        "};",
      ].join("\n"),
    },
    {
      name: "a component schema gets a local alias, and each field reads it",
      given: model({ grants: [{ ...CLIENT_CREDENTIALS, wire: { kind: "component", name: "Body_get_token_post" } }] }),
      want: [
        "/** The `client_credentials` request body as the spec types it. */",
        'type ClientCredentialsBody = components["schemas"]["Body_get_token_post"];',
        "",
        "/**",
        " * Parameters of the `client_credentials` grant.",
        " * Client credentials come from the client options and are not repeated here.",
        " */",
        "export type AcmeClientCredentialsParams = {",
        "  /** Space-delimited scopes. */",
        '  scope?: ClientCredentialsBody["scope"];',
        "};",
      ].join("\n"),
    },
    {
      name: "a required field is Defined, whatever the wire type allows",
      given: model({ grants: [{ ...CLIENT_CREDENTIALS, fields: [field("audience", { required: true })] }] }),
      want: 'export type AcmeClientCredentialsParams = {\n  audience: Defined<RequestBody["audience"]>;\n};',
    },
    {
      name: "credential sets are a union whose members exclude each other",
      given: model({
        grants: [{ ...CLIENT_CREDENTIALS, fields: [], alternatives: [{ label: "A", fields: [field("a", { required: true })] }, { label: "B", fields: [field("b", { required: true })] }] }],
      }),
      want: [
        "export type AcmeClientCredentialsParams =",
        "  | {",
        '    a: Defined<RequestBody["a"]>;',
        "    b?: never;",
        "  }",
        "  | {",
        '    b: Defined<RequestBody["b"]>;',
        "    a?: never;",
        "  };",
      ].join("\n"),
    },
    {
      name: "no servers: baseUrl is required",
      given: model({ servers: [] }),
      want: "} & {\n  /** Any base URL; `https:` unless it is a loopback address. */\n  baseUrl: string;\n};",
    },
    {
      name: "a session request per grant",
      given: model({ grants: [CLIENT_CREDENTIALS, REFRESH] }),
      want: [
        "export type AcmeSessionRequest =",
        '  | { grant: "client_credentials" } & AcmeClientCredentialsParams',
        '  | { grant: "refresh_token" } & AcmeRefreshTokenParams;',
      ].join("\n"),
    },
    {
      name: "documented error statuses, each with its typed body",
      given: model({ errors: [{ status: 400, key: "400", description: "Bad request", mediaType: "application/json" }] }),
      want: [
        "/**",
        " * Error answers the spec documents, each with its typed body:",
        " * - 400: Bad request",
        " */",
        "export type AcmeResponseError = TokenResponseError<",
        "  400,",
        '  TokenOperation["responses"][400]["content"]["application/json"]',
        ">;",
      ].join("\n"),
    },
  ])("$name", ({ given, want }) => {
    expect(printed(typesFile(given), "acme/types.ts")).toContain(want);
  });
});

describe("client file", () => {
  it.each<{ name: string; given: ProviderModel; want: string }>([
    {
      name: "servers are exported data",
      given: BASE,
      want: [
        "/** Servers named in the spec; `server` takes their names. */",
        "export const ACME_SERVERS: readonly NamedServer[] = [",
        "  {",
        '    name: "live",',
        '    url: "https://auth.acme.test",',
        "  },",
        "];",
      ].join("\n"),
    },
    {
      name: "a grant's rule is a constant named for its method (exported for session.ts, not by index.ts)",
      given: BASE,
      want: [
        "/** The `client_credentials` grant. */",
        "export const CLIENT_CREDENTIALS_GRANT: GrantRule = {",
        '  grantType: "client_credentials",',
        '  grantField: "grant_type",',
        "  clientAuth: {",
        '    kind: "basic",',
        "  },",
        "};",
      ].join("\n"),
    },
    {
      name: "the factory's doc says what it throws, in TSDoc",
      given: BASE,
      want: [
        "/**",
        " * Creates a token client for Acme.",
        " * @throws {TokenClientConfigError} When no usable server or base URL is given",
        " * (an `http:` URL that is not loopback, an unknown server name).",
        " */",
        "export function createAcmeClient(options: AcmeClientOptions): AcmeClient {",
      ].join("\n"),
    },
    {
      name: "a grant without required params may be called without them (no discovery: requestTokenNoDiscovery)",
      given: BASE,
      want: "    clientCredentials: (params, call) =>\n      requestTokenNoDiscovery<AcmeTokenResponse, AcmeResponseError>(\n        ENDPOINT,\n        CLIENT_CREDENTIALS_GRANT,\n        config,\n        params ?? {},\n        call,\n      ),",
    },
    {
      name: "the client reaches no session code; its config goes to CLIENT_CONFIGS for session.ts",
      given: BASE,
      want: "  CLIENT_CONFIGS.set(client, config);\n  return client;\n}",
    },
    {
      name: "no client id: the client sends an empty one",
      given: model({ client: { clientId: "absent", clientSecret: "absent" }, grants: [{ ...CLIENT_CREDENTIALS, clientAuth: { kind: "none" } }] }),
      want: '  const config: ClientConfig = Object.freeze({\n    clientId: "",\n    baseUrl: resolveBaseUrl(options, ACME_SERVERS),',
    },
  ])("$name", ({ given, want }) => {
    expect(printed(clientFile(given), "acme/client.ts")).toContain(want);
  });

  it("imports nothing of the session runtime", () => {
    const text = printed(clientFile(model({ grants: [CLIENT_CREDENTIALS, REFRESH] })), "acme/client.ts");
    expect(text).not.toMatch(/createSession|sessionKeyParts|SESSION_GRANTS|session\(/);
  });
});

describe("session file", () => {
  it.each<{ name: string; given: ProviderModel; want: string }>([
    {
      name: "createAcmeSession takes the client, the request and the options",
      given: BASE,
      want: "export function createAcmeSession(\n  client: AcmeClient,\n  request: AcmeSessionRequest,\n  options?: SessionOptions,\n): TokenSession<AcmeTokenError> {\n  const config = CLIENT_CONFIGS.get(client);",
    },
    {
      name: "the session's parameters do not shadow its options",
      given: BASE,
      want: "  const { grant, ...params } = request;",
    },
    {
      name: "a refresh grant makes the session refresh with it",
      given: model({ grants: [CLIENT_CREDENTIALS, REFRESH] }),
      want: "      refresh: (refreshToken, call) =>\n        requestTokenNoDiscovery<AcmeTokenResponse, AcmeResponseError>(ENDPOINT, REFRESH_TOKEN_GRANT, config, {\n          refresh_token: refreshToken,\n        }, call),",
    },
    {
      name: "whether a session may run each grant again is data",
      given: model({ grants: [CLIENT_CREDENTIALS, REFRESH] }),
      want: [
        "const SESSION_GRANTS = {",
        "  client_credentials: { rule: CLIENT_CREDENTIALS_GRANT, reobtainable: true },",
        "  refresh_token: { rule: REFRESH_TOKEN_GRANT, reobtainable: false },",
        "} as const;",
      ].join("\n"),
    },
    {
      name: "events name the provider and the grant, and go to the client's hook",
      given: BASE,
      want: "      provider: config.provider,\n      grantType: grant,\n      onEvent: config.onEvent,",
    },
  ])("$name", ({ given, want }) => {
    expect(printed(sessionFile(given), "acme/session.ts")).toContain(want);
  });
});

describe("index file", () => {
  it("names every export, the runtime's error classes among them", () => {
    const text = printed(indexFile(BASE), "acme/index.ts");
    expect(text).toContain('export { createAcmeClient, ACME_SERVERS } from "./client.js";\nexport { createAcmeSession } from "./session.js";\n');
    expect(text).toContain(
      [
        "export type {",
        "  AcmeClient,",
        "  AcmeClientOptions,",
        "  AcmeServerName,",
        "  AcmeClientCredentialsParams,",
        "  AcmeTokenResponse,",
        "  AcmeToken,",
        "  AcmeTokenResult,",
        "  AcmeResponseError,",
        "  AcmeTokenError,",
        "  AcmeSessionRequest,",
        '} from "./types.js";',
        'export type { components, paths } from "./wire.js";',
      ].join("\n"),
    );
    expect(text).toMatch(/export \{\n(  \w+Error,\n)+  MemoryTokenStore,\n\} from "\.\.\/runtime\/index\.js";/);
    expect(text).toContain(
      "export type {\n  SessionOptions,\n  TokenSession,\n  TokenStore,\n  StoredToken,\n  RetryOptions,\n  SessionStats,\n  TokenEvent,\n  TokenEventHook,\n} from \"../runtime/index.js\";",
    );
  });

  const keys = (clientAuthMethods?: NonNullable<ProviderModel["keys"]>["clientAuthMethods"]): NonNullable<ProviderModel["keys"]> => ({
    ...(clientAuthMethods !== undefined ? { clientAuthMethods } : {}),
    clientAuth: "optional",
    clientId: "required",
    clientSecret: "optional",
    dpop: "absent",
  });
  const grant = (grantType: string): GrantModel => ({ ...CLIENT_CREDENTIALS, grantType, methodName: grantType.split(":").at(-1)!.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) });
  it.each([
    // given the documented methods and the grants -> want the key helpers re-exported (values; the Jwk type with them)
    { given: "no method documented: every method offered", change: { keys: keys() }, want: ["clientSecretJwt", "privateKeyJwt"] },
    { given: "only client_secret_basic documented", change: { keys: keys(["client_secret_basic"]) }, want: [] },
    { given: "private_key_jwt documented", change: { keys: keys(["private_key_jwt"]) }, want: ["privateKeyJwt"] },
    {
      given: "token exchange and JWT bearer grants, basic auth",
      change: { keys: keys(["client_secret_basic"]), grants: [grant("urn:ietf:params:oauth:grant-type:token-exchange"), grant("urn:ietf:params:oauth:grant-type:jwt-bearer")] },
      want: ["jwtAssertion", "TOKEN_TYPES"],
    },
  ])("re-exports the key helpers the options take: $given -> $want", ({ change, want }) => {
    const text = printed(indexFile(model(change)), "acme/index.ts");
    const helpers = /export \{ ([^}]*) \} from "\.\.\/runtime\/index\.js";/.exec(text)?.[1]?.split(", ") ?? [];
    expect(helpers).toEqual(want);
    expect(text.includes('export type { Jwk } from "../runtime/index.js";')).toBe(want.some((name) => name !== "TOKEN_TYPES"));
  });
});

describe("wire file", () => {
  const slice = {
    openapi: "3.0.3",
    info: { title: "Acme", version: "1" },
    paths: {
      "/token": {
        post: {
          requestBody: {
            content: { "application/x-www-form-urlencoded": { schema: { type: "object", properties: { grant_type: { type: "string", enum: ["client_credentials"] } } } } },
          },
          responses: {
            "200": {
              description: "A token",
              content: { "application/json": { schema: { type: "object", properties: { access_token: { type: "string", description: "x".repeat(130) } } } } },
            },
          },
        },
      },
    },
  };

  it.each<{ name: string; want: string }>([
    { name: "two-space indentation", want: 'export interface paths {\n  "/token": {\n    parameters: {\n      query?: never;' },
    { name: "string enums are literal unions", want: '            grant_type?: "client_credentials";' },
    { name: "a description longer than a line opens its comment, the long word on a line of its own", want: `              /**\n               * @description\n               * ${"x".repeat(130)}\n               */\n              access_token?: string;` },
  ])("$name", async ({ want }) => {
    const files = emitProvider({ ...BASE, wireDocument: slice }, await wireTypes(slice), "npm run generate");
    expect(files.find((f) => f.path === "acme/wire.ts")!.content).toContain(want);
  });
});

describe("README", () => {
  it.each<{ name: string; given: ProviderModel; want: string }>([
    {
      name: "a grant: what it is for, its RFC as a link, its client authentication and its retries",
      given: BASE,
      want: [
        "### `clientCredentials`: `client_credentials`",
        "",
        "The client asks for a token on its own behalf, with nothing but its own credentials, so a session may ask again whenever it needs a token. Specified in [RFC 6749 §4.4.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2).",
        "",
        "Client authentication: HTTP Basic with the form-encoded id and secret (RFC 6749 §2.3.1). A session retries its requests on network errors, timeouts, 429 and 5xx (up to `retry.tries`), and may run it again unattended for a new token.",
        "",
        "| field | required | description |",
        "| --- | --- | --- |",
        "| `scope` | no | Space-delimited scopes. |",
      ].join("\n"),
    },
    {
      name: "a single-use grant is sent once",
      given: model({ grants: [{ ...CLIENT_CREDENTIALS, grantType: "authorization_code", methodName: "authorizationCode", reobtainable: false, retried: false }] }),
      want: "A session sends it once and never retries it, and cannot run it again unattended.",
    },
    {
      name: "a custom grant has no RFC line",
      given: model({ grants: [{ ...CLIENT_CREDENTIALS, grantType: "urn:acme:magic", methodName: "magic", reobtainable: false, retried: false }] }),
      want: "### `magic`: `urn:acme:magic`\n\nClient authentication:",
    },
    {
      name: "servers as a table",
      given: BASE,
      want: "| `server` | URL |\n| --- | --- |\n| `live` | https://auth.acme.test |",
    },
    {
      name: "spec text cannot break the table",
      given: model({ facts: [{ topic: "a|b", statement: "<script>", source: "spec", evidence: "`x`" }] }),
      want: "| a\\|b | &lt;script&gt; | spec | `'x'` |",
    },
  ])("$name", ({ given, want }) => {
    expect(readmeFile(given, "npm run generate")).toContain(want);
  });
});
