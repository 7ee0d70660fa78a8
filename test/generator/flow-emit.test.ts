// The flow methods emitter (generator/emit/flow-methods.ts) as a table: given a model's `surface`, want
// these lines in client.ts, types.ts and index.ts (and, for none, no flow code at all); then the
// output of a model with every endpoint typechecks under the project's strict flags.
import { beforeAll, describe, expect, it } from "vitest";
import { emitProvider, runtimeFiles, type EmittedFile } from "../../generator/emit/index.js";
import { wireTypes } from "../../generator/emit/wire.js";
import type { EndpointModel, OAuthSurfaceModel, ProviderModel } from "../../generator/model/index.js";
import { diagnosticsUnder, modelOf, tokenSpec, typecheck, useTempDirs, writeTree } from "./helpers.js";

const at = (url: string, relative = true): EndpointModel => ({ url, relative, pointer: "/components/securitySchemes/oauth", source: "spec" });

const AUTHORIZATION = {
  ...at("https://login.acme.test/authorize", false),
  scopes: [{ name: "read", description: "Read things" }, { name: "write" }],
  pkce: "S256" as const,
  openid: false,
  scopeSeparator: " ",
};

interface Row {
  readonly given: string;
  readonly surface: OAuthSurfaceModel | undefined;
  /** Snippets each file must hold (whitespace as printed). */
  readonly want: Readonly<Record<"client.ts" | "types.ts" | "index.ts", readonly string[]>> & { readonly "session.ts"?: readonly string[] };
  readonly absent?: Readonly<Record<string, readonly string[]>>;
}

const ROWS: readonly Row[] = [
  {
    given: "no surface",
    surface: undefined,
    want: { "client.ts": [], "types.ts": [], "index.ts": [] },
    absent: {
      "client.ts": ["AUTHORIZATION_ENDPOINT", "authorizationUrl", "deviceAuthorization", "revokeToken", "introspectToken"],
      "session.ts": ["revokeToken", "REVOCATION_ENDPOINT"],
      "types.ts": ["authorizationUrl", "AuthorizationScope", "RevocationResult"],
      "index.ts": ["AcmeAuthorizationScope"],
    },
  },
  {
    given: "an absolute authorization endpoint with scopes and S256, no authorization_code grant in the spec",
    surface: { authorization: AUTHORIZATION },
    want: {
      "client.ts": [
        'const AUTHORIZATION_ENDPOINT: AuthorizationEndpoint = {\n  url: "https://login.acme.test/authorize",\n  pkce: "S256",\n  openid: false,\n  scopeSeparator: " ",\n  clientAuth: {\n    kind: "documented",\n  },\n};',
        'const AUTHORIZATION_CODE_EXCHANGE: GrantRule = {\n  grantType: "authorization_code",\n  grantField: "grant_type",',
        "authorizationUrl: (params, call) => authorizationUrl(AUTHORIZATION_ENDPOINT, config, params, call),",
        "requestTokenNoDiscovery<AcmeTokenResponse, AcmeResponseError>(\n            ENDPOINT,\n            AUTHORIZATION_CODE_EXCHANGE,\n            config,\n            params,\n            c,",
      ],
      "types.ts": [
        'export type AcmeAuthorizationScope = "read" | "write" | (string & {});',
        "params: AuthorizationParams<AcmeAuthorizationScope>,",
        "): Promise<AuthorizationUrlResult>;",
        "expected: CallbackExpectation & { readonly codeVerifier: string },",
        "): Promise<CallbackResult<AcmeTokenResponse, AcmeTokenError>>;",
      ],
      "index.ts": ["AcmeAuthorizationScope"],
    },
    absent: { "client.ts": ["DEVICE_AUTHORIZATION_ENDPOINT", "revokeToken"] },
  },
  {
    given: "a relative endpoint without PKCE, pushed (PAR), with metadata",
    surface: {
      authorization: { ...AUTHORIZATION, ...at("/authorize"), scopes: [], pkce: "none", openid: true },
      pushedAuthorization: at("/par"),
      metadata: { url: "https://login.acme.test/.well-known/openid-configuration", relative: false, pointer: "#/x", source: "spec" },
    },
    want: {
      "client.ts": [
        '  url: "/authorize",\n  relative: true,\n  pkce: "none",\n  openid: true,',
        '  pushedAuthorization: {\n    url: "/par",\n    relative: true,\n  },\n  metadata: {\n    url: "https://login.acme.test/.well-known/openid-configuration",\n  },',
      ],
      "types.ts": ["authorizationUrl(params: AuthorizationParams<string>, options?: CallOptions)", "expected: CallbackExpectation,"],
      "index.ts": [],
    },
    absent: { "types.ts": ["AcmeAuthorizationScope"] },
  },
  {
    given: "device authorization, revocation and introspection",
    surface: { deviceAuthorization: at("/device"), revocation: at("/revoke"), introspection: at("https://login.acme.test/introspect", false) },
    want: {
      "client.ts": [
        'const DEVICE_AUTHORIZATION_ENDPOINT: DeviceAuthorizationEndpoint = {\n  url: "/device",\n  relative: true,',
        'const DEVICE_CODE_POLL: GrantRule = {\n  grantType: "urn:ietf:params:oauth:grant-type:device_code",',
        "deviceAuthorization: (params, call) =>",
        "requestTokenNoDiscovery<AcmeTokenResponse, AcmeResponseError>(ENDPOINT, DEVICE_CODE_POLL, config, poll, c),",
        'const REVOCATION_ENDPOINT: TokenManagementEndpoint = {\n  url: "/revoke",\n  relative: true,',
        'const INTROSPECTION_ENDPOINT: TokenManagementEndpoint = {\n  url: "https://login.acme.test/introspect",\n  clientAuth',
        "revoke: (params, call) => revokeToken(REVOCATION_ENDPOINT, config, params, call),",
        "introspect: (params, call) => introspectToken(INTROSPECTION_ENDPOINT, config, params, call),",
      ],
      "types.ts": [
        "deviceAuthorization(\n    params?: DeviceAuthorizationParams<string>,",
        "revoke(params: TokenManagementParams, options?: CallOptions): Promise<RevocationResult>;",
        "introspect(params: TokenManagementParams, options?: CallOptions): Promise<IntrospectionResult>;",
      ],
      "index.ts": [],
      "session.ts": [
        "REVOCATION_ENDPOINT } from \"./client.js\";",
        "revoke: (token, tokenTypeHint, call) => revokeToken(REVOCATION_ENDPOINT, config, { token, tokenTypeHint }, call),",
      ],
    },
    absent: { "client.ts": ["const AUTHORIZATION_ENDPOINT:"] },
  },
];

describe("flow methods: given a surface, want these methods and endpoint literals", () => {
  const tempDir = useTempDirs();
  let base: ProviderModel;
  const emitted = new Map<string, EmittedFile[]>();

  beforeAll(async () => {
    base = await modelOf(tokenSpec());
    const wire = await wireTypes(base.wireDocument);
    for (const row of ROWS) {
      const model: ProviderModel = row.surface === undefined ? base : { ...base, surface: row.surface };
      emitted.set(row.given, emitProvider(model, wire, "npm run generate"));
    }
  }, 60_000);

  it.each(ROWS)("$given", (row) => {
    const files = emitted.get(row.given)!;
    const text = (name: string): string => files.find((f) => f.path === `acme/${name}`)!.content;
    for (const [name, snippets] of Object.entries(row.want)) {
      for (const snippet of snippets) expect(text(name), `${name} holds ${snippet}`).toContain(snippet);
    }
    for (const [name, snippets] of Object.entries(row.absent ?? {})) {
      for (const snippet of snippets) expect(text(name), `${name} lacks ${snippet}`).not.toContain(snippet);
    }
    for (const file of files) {
      const long = file.content.split("\n").filter((line) => line.length > 120 && file.path.endsWith(".ts") && !file.path.endsWith("wire.ts"));
      expect(long, `${file.path}: no line over 120 columns`).toEqual([]);
    }
  });

  it("the output with every endpoint typechecks, and a grant method named like a flow method is refused", async () => {
    const root = await tempDir("flow-emit");
    const full: OAuthSurfaceModel = { ...ROWS[1]!.surface, ...ROWS[3]!.surface, pushedAuthorization: at("/par") };
    const files = [...runtimeFiles("npm run generate"), ...emitProvider({ ...base, surface: full }, await wireTypes(base.wireDocument), "npm run generate")];
    writeTree(root, Object.fromEntries(files.map((f) => [f.path, f.content])));
    expect(diagnosticsUnder(typecheck(root, { skipLibCheck: true }), "acme")).toEqual([]);
    const clashing: ProviderModel = { ...base, surface: full, grants: base.grants.map((g) => ({ ...g, methodName: "revoke" })) };
    expect(() => emitProvider(clashing, "", "npm run generate")).toThrow(/grant method revoke would be shadowed/);
  }, 60_000);
});
