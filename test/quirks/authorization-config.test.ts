// The provider config's `authorization` settings (issue 13) are checked, not trusted: a malformed one is refused
// at its pointer; one the spec's authorization operation contradicts is refused naming both pointers
// (`config_contradicts_spec`); a doubt is a warning fact; each setting is a fact with its provenance that
// `explain` and the provider README show.
import { describe, expect, it } from "vitest";
import { explanationText } from "../../generator/cli/explain.js";
import { readmeFile } from "../../generator/emit/readme.js";
import { configFiles, refusal, type Json } from "../generator/helpers.js";
import { authorizationDoc } from "./specs.js";

const { load, model } = configFiles("authorization-config");

/** The authorization doc with an authorization operation in `paths` (RFC 6749 §4.1.1: `response_type`, `client_id`) documenting `parameters` besides. */
function withAuthorizeOperation(parameters: readonly Json[]): Json {
  const standard = [
    { name: "response_type", in: "query", required: true, schema: { type: "string", enum: ["code"] } },
    ...(parameters.some((p) => p["name"] === "client_id") ? [] : [{ name: "client_id", in: "query", required: true, schema: { type: "string" } }]),
  ];
  const spec = authorizationDoc({ authorizationUrl: "/oauth/authorize" });
  const paths = spec["paths"] as Json;
  return { ...spec, paths: { ...paths, "/oauth/authorize": { get: { parameters: [...parameters, ...standard], responses: { "302": { description: "to the redirect URI" } } } } } };
}

describe("authorization settings are validated at their pointer", () => {
  it.each<{ name: string; config: Json; pointer: string; message: RegExp }>([
    { name: "a constant that is a standard parameter", config: { constantParameters: { client_id: "x" } }, pointer: "/authorization/constantParameters/client_id", message: /request sets itself/ },
    { name: "a constant under a standard parameter's new name", config: { parameterNames: { client_id: "client_key" }, constantParameters: { client_key: "x" } }, pointer: "/authorization/constantParameters/client_key", message: /request sets itself/ },
    { name: "an empty constant", config: { constantParameters: { prompt: "" } }, pointer: "/authorization/constantParameters/prompt", message: /non-empty string/ },
    { name: "a number as a constant", config: { constantParameters: { max_age: 0 } }, pointer: "/authorization/constantParameters/max_age", message: /non-empty string/ },
    { name: "no constants", config: { constantParameters: {} }, pointer: "/authorization/constantParameters", message: /at least one/ },
    { name: "nonce as a word", config: { nonce: "yes" }, pointer: "/authorization/nonce", message: /true or false/ },
    { name: "default scopes as a string", config: { defaultScopes: "read write" }, pointer: "/authorization/defaultScopes", message: /non-empty array/ },
    { name: "a default scope with a space", config: { defaultScopes: ["read write"] }, pointer: "/authorization/defaultScopes/0", message: /scope token/ },
    { name: "a default scope holding the separator", config: { scopeSeparator: ",", defaultScopes: ["a,b"] }, pointer: "/authorization/defaultScopes/0", message: /separator/ },
    { name: "the state as a callback value", config: { callbackValues: ["realmId", "state"] }, pointer: "/authorization/callbackValues/1", message: /callback reads itself/ },
    { name: "a renamed parameter that is not standard", config: { parameterNames: { prompt: "p" } }, pointer: "/authorization/parameterNames/prompt", message: /unknown setting/ },
    { name: "a new name that is another standard one", config: { parameterNames: { client_id: "state" } }, pointer: "/authorization/parameterNames/client_id", message: /already the name/ },
    { name: "two parameters under one name", config: { parameterNames: { client_id: "id", redirect_uri: "id" } }, pointer: "/authorization/parameterNames", message: /same name/ },
    { name: "the state as the code", config: { codeParameter: "state" }, pointer: "/authorization/codeParameter", message: /callback reads itself/ },
    { name: "the code handed out as a value", config: { callbackValues: ["spapi_oauth_code"], codeParameter: "spapi_oauth_code" }, pointer: "/authorization/callbackValues", message: /exchanges/ },
    { name: "a response mode of OpenID's form_post", config: { responseMode: "form_post" }, pointer: "/authorization/responseMode", message: /"query" or "fragment"/ },
    { name: "a malformed unencoded name", config: { unencodedParameters: ["redirect uri"] }, pointer: "/authorization/unencodedParameters/0", message: /parameter name/ },
  ])("$name", async ({ config, pointer, message }) => {
    const error = await refusal(() => load({ authorization: config }));
    expect({ code: error.code, pointer: error.pointer }).toEqual({ code: "config", pointer });
    expect(error.detail).toMatch(message);
  });
});

describe("an authorization setting the spec contradicts is refused naming both", () => {
  it.each<{ name: string; parameters: Json[]; config: Json; pointer: string; spec: string }>([
    {
      name: "a renamed parameter the operation documents under its standard name",
      parameters: [{ name: "client_id", in: "query", required: true, schema: { type: "string" } }],
      config: { parameterNames: { client_id: "client_key" } },
      pointer: "/authorization/parameterNames/client_id",
      spec: "specs/quirk.json#/paths/~1oauth~1authorize/get/parameters/0",
    },
    {
      name: "a constant outside the documented enum",
      parameters: [{ name: "prompt", in: "query", schema: { type: "string", enum: ["login", "none"] } }],
      config: { constantParameters: { prompt: "consent" } },
      pointer: "/authorization/constantParameters/prompt",
      spec: "specs/quirk.json#/paths/~1oauth~1authorize/get/parameters/0/schema/enum",
    },
  ])("$name", async ({ parameters, config, pointer, spec }) => {
    const error = await refusal(() => model(withAuthorizeOperation(parameters), { authorization: config }));
    expect({ code: error.code, pointer: error.pointer }).toEqual({ code: "config_contradicts_spec", pointer });
    expect(error.file).toMatch(/\.tokenwright\.json$/);
    expect(error.detail).toContain(spec);
  });

  it("the same settings stand where the spec documents the provider's name and value", async () => {
    const spec = withAuthorizeOperation([
      { name: "client_id", in: "query", schema: { type: "string" } },
      { name: "client_key", in: "query", schema: { type: "string" } },
      { name: "prompt", in: "query", schema: { type: "string", enum: ["consent"] } },
    ]);
    const built = await model(spec, { authorization: { parameterNames: { client_id: "client_key" }, constantParameters: { prompt: "consent" } } });
    expect(built.surface?.authorization).toMatchObject({ parameterNames: { client_id: "client_key" }, constantParameters: { prompt: "consent" } });
  });
});

describe("each authorization setting is a fact that explain and the README show", () => {
  it.each<{ name: string; spec?: Json; config: Json; statement: RegExp; source: string; evidence: RegExp }>([
    { name: "constant parameters", config: { constantParameters: { prompt: "consent" } }, statement: /^every authorization request carries prompt=consent/, source: "config", evidence: /#\/authorization\/constantParameters$/ },
    { name: "a nonce every time", config: { nonce: true }, statement: /^a random nonce goes with every authorization request$/, source: "config", evidence: /#\/authorization\/nonce$/ },
    { name: "default scopes", config: { defaultScopes: ["read"] }, statement: /^scopes asked for when the caller passes none: read$/, source: "config", evidence: /#\/authorization\/defaultScopes$/ },
    {
      name: "a default scope the spec does not name (a warning)",
      config: { defaultScopes: ["admin"] },
      statement: /^warning: the default scopes admin .* are not among the scopes the spec names at specs\/quirk\.json#\/components\/securitySchemes\/oauth\/flows\/authorizationCode\/scopes/,
      source: "config",
      evidence: /#\/authorization\/defaultScopes$/,
    },
    { name: "callback values", config: { callbackValues: ["realmId"] }, statement: /^the callback hands back the redirect's realmId beside the token$/, source: "config", evidence: /#\/authorization\/callbackValues$/ },
    { name: "renamed parameters", config: { parameterNames: { client_id: "client_key" } }, statement: /under the provider's names: client_key for client_id$/, source: "config", evidence: /#\/authorization\/parameterNames$/ },
    { name: "the code's name", config: { codeParameter: "spapi_oauth_code" }, statement: /^the callback reads the code from spapi_oauth_code/, source: "config", evidence: /#\/authorization\/codeParameter$/ },
    { name: "the fragment", config: { responseMode: "fragment" }, statement: /in the redirect's fragment/, source: "config", evidence: /#\/authorization\/responseMode$/ },
    { name: "unencoded parameters", config: { unencodedParameters: ["redirect_uri"] }, statement: /^redirect_uri sent with only/, source: "config", evidence: /#\/authorization\/unencodedParameters$/ },
    {
      name: "a templated authorization URL",
      spec: authorizationDoc({ authorizationUrl: "https://{domain}/authorize" }, { servers: [{ url: "https://{domain}", variables: { domain: { default: "tenant.auth0.com" } } }] }),
      config: {},
      statement: /^authorization endpoint: \/authorize on the client's server \(https:\/\/\{domain\}\/authorize: \{domain\} filled from the client's serverVariables/,
      source: "spec",
      evidence: /authorizationCode\/authorizationUrl$/,
    },
  ])("$name", async ({ spec, config, statement, source, evidence }) => {
    const built = await model(spec ?? authorizationDoc(), { authorization: config });
    const found = built.facts.filter((f) => statement.test(f.statement));
    expect(found, JSON.stringify(built.facts.map((f) => f.statement))).toHaveLength(1);
    expect(found[0]).toMatchObject({ source, evidence: expect.stringMatching(evidence) });
    expect(explanationText(built)).toContain(found[0]!.statement);
    // The README escapes for Markdown tables and HTML.
    expect(readmeFile(built, "test")).toContain(found[0]!.statement.replace(/\|/g, "\\|").replace(/&/g, "&amp;"));
  });

  it.each([
    { given: "a host", url: "https://{tenant}.example.com/authorize", want: { url: "https://{tenant}.example.com/authorize", relative: false } },
    { given: "a path", url: "/{tenant}/oauth/authorize", want: { url: "/{tenant}/oauth/authorize", relative: true } },
  ])("a template no server declares in $given is the caller's to fill (urlVariables)", async ({ url, want }) => {
    const built = await model(authorizationDoc({ authorizationUrl: url }), {});
    expect(built.surface?.authorization).toMatchObject({ ...want, urlVariables: ["tenant"] });
    expect(built.facts.map((f) => f.statement)).toContainEqual(expect.stringMatching(/\{tenant\} passed to authorizationUrl as urlVariables/));
  });

  it("an authorization URL with a template that names nothing is left out, saying why", async () => {
    const built = await model(authorizationDoc({ authorizationUrl: "https://auth.example.com/{}/authorize" }), {});
    expect(built.surface?.authorization).toBeUndefined();
    expect(built.facts.map((f) => f.statement)).toContainEqual(expect.stringMatching(/left out: \{\} is not a template variable name/));
  });

  it("the surface line of explain and the README names each quirk", async () => {
    const built = await model(authorizationDoc(), {
      authorization: { defaultScopes: ["read"], constantParameters: { prompt: "consent" }, parameterNames: { client_id: "client_key" }, codeParameter: "spapi_oauth_code", callbackValues: ["realmId"] },
    });
    const words = ["default scopes read", "always prompt=consent", "client_key for client_id", "the code in spapi_oauth_code", "the callback hands back realmId"];
    for (const text of [explanationText(built), readmeFile(built, "test")]) for (const word of words) expect(text).toContain(word);
  });
});
