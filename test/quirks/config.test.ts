// The provider config's quirk settings (issue 13) are checked, not trusted: each malformed setting is
// refused at its pointer, a path the spec's schema lacks is refused naming both the config's pointer
// and the schema's (stable code `config_contradicts_spec`), and each quirk stated becomes a fact with
// its provenance that `explain` and the provider README show.
import { describe, expect, it } from "vitest";
import { explanationText } from "../../generator/cli/explain.js";
import { readmeFile } from "../../generator/emit/readme.js";
import { configFiles, refusal, type Json } from "../generator/helpers.js";
import { CREDENTIALS, doc } from "./specs.js";

const { load, model } = configFiles("quirk-config");

describe("quirk settings are validated at their pointer", () => {
  it.each<{ name: string; config: Json; pointer: string; message: RegExp }>([
    { name: "a separator of two characters", config: { request: { scopeSeparator: ", " } }, pointer: "/request/scopeSeparator", message: /one printable ASCII character/ },
    { name: "a letter as separator", config: { request: { scopeSeparator: "x" } }, pointer: "/request/scopeSeparator", message: /not a letter or digit/ },
    { name: "an unknown request setting", config: { request: { scopeSeperator: "," } }, pointer: "/request/scopeSeperator", message: /unknown setting/ },
    { name: "constant fields as an array", config: { request: { constantFields: ["expiring"] } }, pointer: "/request/constantFields", message: /object of field names/ },
    { name: "an object as a constant", config: { request: { constantFields: { expiring: { v: 1 } } } }, pointer: "/request/constantFields/expiring", message: /string, number or boolean/ },
    { name: "null as a grant's constant", config: { grants: { refresh_token: { constantFields: { type: null } } } }, pointer: "/grants/refresh_token/constantFields/type", message: /string, number or boolean/ },
    { name: "errorWhen without a test", config: { response: { errorWhen: { field: "ok" } } }, pointer: "/response/errorWhen", message: /exactly one of/ },
    { name: "errorWhen with two tests", config: { response: { errorWhen: { field: "ok", equals: false, present: true } } }, pointer: "/response/errorWhen", message: /exactly one of/ },
    { name: "present not a boolean", config: { response: { errorWhen: { field: "error", present: "yes" } } }, pointer: "/response/errorWhen/present", message: /true or false/ },
    { name: "an empty set", config: { response: { errorWhen: { field: "status", in: [] } } }, pointer: "/response/errorWhen/in", message: /non-empty array/ },
    { name: "an object in the set", config: { response: { errorWhen: { field: "status", in: [{}] } } }, pointer: "/response/errorWhen/in", message: /non-empty array/ },
    { name: "an empty code path", config: { response: { errorWhen: { field: "ok", equals: false, code: "a..b" } } }, pointer: "/response/errorWhen/code", message: /dotted path/ },
    { name: "reobtainable not a boolean", config: { grants: { account_credentials: { reobtainable: "yes" } } }, pointer: "/grants/account_credentials/reobtainable", message: /true or false/ },
    { name: "no fallback paths", config: { response: { fallbacks: { accessToken: [] } } }, pointer: "/response/fallbacks/accessToken", message: /non-empty array/ },
    { name: "a malformed fallback path", config: { response: { fallbacks: { accessToken: ["a.", "b"] } } }, pointer: "/response/fallbacks/accessToken/0", message: /dotted path/ },
    { name: "a fallback for a member there is none of", config: { response: { fallbacks: { expiresIn: ["x"] } } }, pointer: "/response/fallbacks/expiresIn", message: /unknown setting/ },
  ])("$name", async ({ config, pointer, message }) => {
    const error = await refusal(() => load(config));
    expect({ code: error.code, pointer: error.pointer }).toEqual({ code: "config", pointer });
    expect(error.detail).toMatch(message);
  });
});

describe("a quirk setting that contradicts the spec is refused naming both", () => {
  // A closed success schema: nothing beyond what it documents can arrive.
  const closed = doc({
    body: CREDENTIALS,
    response: { access_token: { type: "string" }, authed_user: { type: "object", additionalProperties: false, properties: { id: { type: "string" } } } },
  });
  const success = ((((closed["paths"] as Json)["/oauth/token"] as Json)["post"] as Json)["responses"] as Json)["200"] as Json;
  const media = (success["content"] as Json)["application/json"] as Json;
  media["schema"] = { ...(media["schema"] as Json), additionalProperties: false };
  it.each<{ name: string; config: Json; pointer: string; missing: string; schema: string }>([
    { name: "a fallback token path", config: { response: { fallbacks: { accessToken: ["authed_user.access_token"] } } }, pointer: "/response/fallbacks/accessToken/0", missing: "access_token", schema: "/properties/authed_user" },
    { name: "an errorWhen field", config: { response: { errorWhen: { field: "ok", equals: false } } }, pointer: "/response/errorWhen/field", missing: "ok", schema: "/content/application~1json/schema" },
    { name: "an errorWhen code", config: { response: { errorWhen: { field: "access_token", present: false, code: "error" } } }, pointer: "/response/errorWhen/code", missing: "error", schema: "/content/application~1json/schema" },
  ])("$name", async ({ config, pointer, missing, schema }) => {
    const error = await refusal(() => model(closed, config));
    expect({ code: error.code, pointer: error.pointer }).toEqual({ code: "config_contradicts_spec", pointer });
    expect(error.file).toMatch(/\.tokenwright\.json$/);
    expect(error.detail).toContain(`has no ${JSON.stringify(missing)} member`);
    // The schema's pointer, in the spec file.
    expect(error.detail).toContain(`specs/quirk.json#/paths/~1oauth~1token/post/responses/200`);
    expect(error.detail).toContain(schema);
  });

  it("a registry grant's reobtainability is its RFC's, not the config's", async () => {
    const spec = doc({ grantTypes: ["authorization_code"], body: { code: { type: "string" }, ...CREDENTIALS } });
    const error = await refusal(() => model(spec, { grants: { authorization_code: { reobtainable: true } } }));
    expect({ code: error.code, pointer: error.pointer }).toEqual({ code: "config", pointer: "/grants/authorization_code/reobtainable" });
  });

  it("an open schema leaves room for what it does not document", async () => {
    const open = doc({ body: CREDENTIALS, response: { access_token: { type: "string" } } });
    const built = await model(open, { response: { fallbacks: { accessToken: ["authed_user.access_token"] }, errorWhen: { field: "ok", equals: false } } });
    expect(built.success.tokenFields.fallbacks).toEqual({ accessToken: [["authed_user", "access_token"]] });
  });
});

describe("each quirk stated is a fact that explain and the README show", () => {
  it.each<{ name: string; spec: Json; config: Json; fact: { statement: RegExp; source: string; evidence: RegExp } }>([
    {
      name: "a one-value enum",
      spec: doc({ body: { ...CREDENTIALS, expiring: { type: "string", enum: ["1"] } }, required: ["grant_type", "expiring"] }),
      config: {},
      fact: { statement: /^expiring=1 is sent with every request: its enum has one value$/, source: "inferred", evidence: /one-value enum/ },
    },
    {
      name: "a constant field stated",
      spec: doc({ body: CREDENTIALS }),
      config: { request: { constantFields: { request: "token" } } },
      fact: { statement: /^request=token is sent with every request$/, source: "config", evidence: /#\/request\/constantFields$/ },
    },
    {
      name: "a refresh field stated",
      spec: doc({ grantTypes: ["authorization_code", "refresh_token"], body: { code: { type: "string" }, refresh_token: { type: "string" }, ...CREDENTIALS } }),
      config: { grants: { refresh_token: { constantFields: { type: "refresh" } } } },
      fact: { statement: /^type=refresh is sent with every request$/, source: "config", evidence: /#\/grants\/refresh_token\/constantFields$/ },
    },
    {
      name: "a scope separator",
      spec: doc({ body: { ...CREDENTIALS, scope: { type: "string" } } }),
      config: { request: { scopeSeparator: "," } },
      fact: { statement: /joined with "," in the token request/, source: "config", evidence: /#\/request\/scopeSeparator$/ },
    },
    {
      name: "a + separator in a form body: a space, which the form encoding writes as +",
      spec: doc({ body: { ...CREDENTIALS, scope: { type: "string" } } }),
      config: { request: { scopeSeparator: "+" } },
      fact: { statement: /^several scopes are joined with a space, which the form encoding writes as "\+" in the token request$/, source: "config", evidence: /#\/request\/scopeSeparator$/ },
    },
    {
      name: "fallback token paths",
      spec: doc({ body: CREDENTIALS }),
      config: { response: { fallbacks: { accessToken: ["authed_user.access_token"] } } },
      fact: { statement: /^accessToken is read from authed_user\.access_token when the first place is empty$/, source: "config", evidence: /#\/response\/fallbacks\/accessToken$/ },
    },
    {
      name: "an error sent with 200, by a set",
      spec: doc({ body: CREDENTIALS }),
      config: { response: { errorWhen: { field: "status", in: ["error", "failed"], code: "message" } } },
      fact: { statement: /^a success body whose status is one of "error", "failed" is an error; its code is at message$/, source: "config", evidence: /#\/response\/errorWhen$/ },
    },
    {
      name: "a tenant kept by a session's refresh",
      spec: doc({
        grantTypes: ["authorization_code", "refresh_token"],
        body: { code: { type: "string" }, refresh_token: { type: "string" }, ...CREDENTIALS },
        parameters: [{ name: "subscription-key", in: "query", required: true, schema: { type: "string" } }],
      }),
      config: { requestPath: "/{tenantId}/oauth/token" },
      fact: { statement: /^a session's refresh sends tenantId, subscription-key as the request that opened it did$/, source: "inferred", evidence: /request-quirks/ },
    },
    {
      name: "a grant of the provider's own run again",
      spec: doc({ grantTypes: ["account_credentials"], basic: true }),
      config: { grants: { account_credentials: { reobtainable: true } } },
      fact: { statement: /^a session may run it again unattended for a new token$/, source: "config", evidence: /#\/grants\/account_credentials\/reobtainable$/ },
    },
    {
      name: "a form body labelled JSON",
      spec: doc({ body: CREDENTIALS }),
      config: { response: { encoding: "form" } },
      fact: { statement: /labelled JSON .* is read as a form/, source: "config", evidence: /#\/response\/encoding$/ },
    },
  ])("$name", async ({ spec, config, fact }) => {
    const built = await model(spec, config);
    const found = built.facts.filter((f) => fact.statement.test(f.statement));
    expect(found, JSON.stringify(built.facts.map((f) => f.statement))).toHaveLength(1);
    expect(found[0]).toMatchObject({ source: fact.source, evidence: expect.stringMatching(fact.evidence) });
    expect(explanationText(built)).toContain(found[0]!.statement);
    expect(readmeFile(built, "test")).toContain(found[0]!.statement.replace(/\|/g, "\\|"));
  });
});

describe("a documented scope separator, as the runtime joins with it", () => {
  it.each([
    // given the separator and the body's media type -> want the request model's scopeSeparator (absent: a space)
    { given: ", in a form body", separator: ",", mediaType: undefined, want: "," },
    { given: "+ in a form body (an encoded space)", separator: "+", mediaType: undefined, want: undefined },
    { given: "+ in a JSON body (no form encoding: a literal +)", separator: "+", mediaType: "application/json", want: "+" },
  ])("$given -> $want", async ({ separator, mediaType, want }) => {
    const built = await model(doc({ body: { ...CREDENTIALS, scope: { type: "string" } }, ...(mediaType !== undefined ? { mediaType } : {}) }), { request: { scopeSeparator: separator } });
    expect(built.request.scopeSeparator).toBe(want);
    expect(built.grants[0]?.fields.find((field) => field.name === "scope")?.spaceDelimited).toBe(true);
  });
});
