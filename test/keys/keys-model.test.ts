// Which client authentication methods and DPoP the generated options offer (generator/model/keys.ts), from the
// provider config, from RFC 8414 metadata written into the spec, or from security scheme descriptions; and the
// provider config's `clientAuthMethods` and `dpop` checked as a located SpecError.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecError, loadProviderConfig, type ProviderConfig } from "../../generator/load/index.js";
import type { KeysModel } from "../../generator/model/index.js";
import { modelOf, tokenSpec, useTempDirs, type Json } from "../generator/helpers.js";

const BASIC = {
  operation: { security: [{ basic: [] }] },
  components: { securitySchemes: { basic: { type: "http", scheme: "basic" } } },
};

/** A spec with an RFC 8414 metadata endpoint whose example answer lists `metadata`. */
function withMetadata(metadata: Json, path = "/.well-known/oauth-authorization-server"): Json {
  const answer = { description: "metadata", content: { "application/json": { schema: { type: "object" }, examples: { org: { value: metadata } } } } };
  return tokenSpec({ ...BASIC, document: { paths: { [path]: { get: { responses: { "200": answer } } } } } });
}

function withSchemeDescription(description: string): Json {
  return tokenSpec({ ...BASIC, components: { securitySchemes: { basic: { type: "http", scheme: "basic", description } } } });
}

const CASES: readonly { readonly given: string; readonly spec: Json; readonly config?: ProviderConfig; readonly want: KeysModel }[] = [
  {
    // Nothing in the request names the client, yet every method does (a JWT's iss and sub, client_id): the option stays.
    given: "config: private_key_jwt, a request without client_id or Basic",
    spec: tokenSpec(),
    config: { clientAuthMethods: ["private_key_jwt"] },
    want: { clientAuthMethods: ["private_key_jwt"], clientId: "required", clientAuth: "required", clientSecret: "absent", dpop: "absent" },
  },
  { given: "nothing said", spec: tokenSpec(BASIC), want: { clientId: "required", clientAuth: "optional", clientSecret: "required", dpop: "absent" } },
  {
    given: "config: private_key_jwt only",
    spec: tokenSpec(BASIC),
    config: { clientAuthMethods: ["private_key_jwt"] },
    want: { clientAuthMethods: ["private_key_jwt"], clientId: "required", clientAuth: "required", clientSecret: "absent", dpop: "absent" },
  },
  {
    given: "config: basic and private_key_jwt, DPoP required",
    spec: tokenSpec(BASIC),
    config: { clientAuthMethods: ["client_secret_basic", "private_key_jwt"], dpop: "required" },
    want: { clientAuthMethods: ["client_secret_basic", "private_key_jwt"], clientId: "required", clientAuth: "optional", clientSecret: "optional", dpop: "required" },
  },
  {
    given: "config: secret methods only",
    spec: tokenSpec(BASIC),
    config: { clientAuthMethods: ["client_secret_basic", "client_secret_jwt"], dpop: true },
    want: { clientAuthMethods: ["client_secret_basic", "client_secret_jwt"], clientId: "required", clientAuth: "optional", clientSecret: "required", dpop: "optional" },
  },
  {
    given: "metadata example: methods and DPoP algorithms",
    spec: withMetadata({ token_endpoint_auth_methods_supported: ["private_key_jwt", "tls_client_auth", "x_custom"], dpop_signing_alg_values_supported: ["ES256"] }, "/.well-known/openid-configuration"),
    want: { clientAuthMethods: ["private_key_jwt", "tls_client_auth"], clientId: "required", clientAuth: "required", clientSecret: "absent", dpop: "optional" },
  },
  {
    given: "config over metadata",
    spec: withMetadata({ token_endpoint_auth_methods_supported: ["private_key_jwt"], dpop_signing_alg_values_supported: ["ES256"] }),
    config: { clientAuthMethods: ["client_secret_basic"], dpop: false },
    want: { clientAuthMethods: ["client_secret_basic"], clientId: "required", clientAuth: "optional", clientSecret: "required", dpop: "absent" },
  },
  {
    given: "a security scheme description naming methods and DPoP (prose 'none' is not a method)",
    spec: withSchemeDescription("Use client_secret_basic or private_key_jwt; none of the others. Tokens may be bound with DPoP."),
    want: { clientAuthMethods: ["client_secret_basic", "private_key_jwt"], clientId: "required", clientAuth: "optional", clientSecret: "optional", dpop: "optional" },
  },
];

describe("the keys a client's options offer", () => {
  it.each(CASES)("$given", async ({ spec, config, want }) => {
    const model = await modelOf(spec, config);
    expect(model.keys).toEqual(want);
  });

  it("says where each decision came from", async () => {
    const model = await modelOf(withMetadata({ token_endpoint_auth_methods_supported: ["private_key_jwt"], dpop_signing_alg_values_supported: ["ES256"] }));
    const facts = model.facts.filter((f) => f.topic === "DPoP" || f.statement.startsWith("documented methods"));
    const pointer = "/paths/~1.well-known~1oauth-authorization-server/get/responses/200/content/application~1json/examples/org/value";
    expect(facts).toEqual([
      { topic: "client authentication", statement: "documented methods: private_key_jwt; the clientAuth option offers these only", source: "spec", evidence: pointer },
      { topic: "DPoP", statement: "DPoP (RFC 9449) supported: the client takes a dpop option", source: "spec", evidence: pointer },
    ]);
  });
});

describe("the provider config's clientAuthMethods and dpop", () => {
  const tempDir = useTempDirs();
  it.each([
    [{ clientAuthMethods: ["private_key_jwt", "bogus"] }, "/clientAuthMethods/1"],
    [{ clientAuthMethods: [] }, "/clientAuthMethods"],
    [{ clientAuthMethods: "private_key_jwt" }, "/clientAuthMethods"],
    [{ dpop: "yes" }, "/dpop"],
  ])("%j: a SpecError at %s", async (config, pointer) => {
    const file = join(await tempDir("keys-config"), "p.tokenwright.json");
    writeFileSync(file, JSON.stringify(config));
    const error = await loadProviderConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect(error).toMatchObject({ code: "config", file, pointer });
  });

  it("accepts the spellings the README shows, duplicates dropped", async () => {
    const file = join(await tempDir("keys-config"), "p.tokenwright.json");
    writeFileSync(file, JSON.stringify({ clientAuthMethods: ["private_key_jwt", "client_secret_basic", "private_key_jwt"], dpop: "required" }));
    expect(await loadProviderConfig(file)).toEqual({ clientAuthMethods: ["private_key_jwt", "client_secret_basic"], dpop: "required" });
  });
});
