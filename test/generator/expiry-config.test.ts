// The provider config's `expiry` (generator/load/config.ts reads it, generator/model/expiry.ts checks it against
// the spec): "the config is checked, not trusted". A contradiction is a config_contradicts_spec error naming the
// config pointer and the spec pointer; a doubt is a warning fact with the spec's evidence.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecError, loadProviderConfig, type ExpiryConfig } from "../../generator/load/index.js";
import type { ExpiryRule } from "../../generator/runtime/types.js";
import { CONFIG_FILE, modelError, modelOf, tokenSpec, useTempDirs, type Json } from "./helpers.js";

const tempDir = useTempDirs();
const SPEC_FILE = "specs/acme.json";
const SCHEMA = "/paths/~1oauth~1token/post/responses/200/content/application~1json/schema";

async function load(expiry: unknown): Promise<unknown> {
  const file = join(await tempDir("expiry-config"), "acme.tokenwright.json");
  writeFileSync(file, JSON.stringify({ expiry }));
  try {
    return await loadProviderConfig(file);
  } catch (error) {
    if (error instanceof SpecError) return { code: error.code, pointer: error.pointer, detail: error.detail };
    throw error;
  }
}

describe("loading the expiry key", () => {
  it.each<{ name: string; expiry: unknown; pointer: string; detail: RegExp }>([
    // given an expiry setting -> want a "config" error at this pointer
    { name: "unknown kind names every kind", expiry: { kind: "sliding" }, pointer: "/expiry/kind", detail: /"relative", "absolute", "none", "issued-at"/ },
    { name: "issued-at without lifetimeSeconds", expiry: { kind: "issued-at", field: "issued_at", unit: "ms" }, pointer: "/expiry/lifetimeSeconds", detail: /positive whole number/ },
    { name: "issued-at lifetime 0", expiry: { kind: "issued-at", field: "issued_at", unit: "ms", lifetimeSeconds: 0 }, pointer: "/expiry/lifetimeSeconds", detail: /positive/ },
    { name: "issued-at lifetime negative", expiry: { kind: "issued-at", field: "issued_at", unit: "ms", lifetimeSeconds: -60 }, pointer: "/expiry/lifetimeSeconds", detail: /positive/ },
    { name: "issued-at lifetime fractional", expiry: { kind: "issued-at", field: "issued_at", unit: "ms", lifetimeSeconds: 1.5 }, pointer: "/expiry/lifetimeSeconds", detail: /whole/ },
    { name: "issued-at lifetime a string", expiry: { kind: "issued-at", field: "issued_at", unit: "ms", lifetimeSeconds: "7200" }, pointer: "/expiry/lifetimeSeconds", detail: /whole/ },
    { name: "issued-at without unit", expiry: { kind: "issued-at", field: "issued_at", lifetimeSeconds: 7200 }, pointer: "/expiry/unit", detail: /^must be one of "s", "ms"$/ },
    { name: "issued-at in iso8601", expiry: { kind: "issued-at", field: "issued_at", unit: "iso8601", lifetimeSeconds: 7200 }, pointer: "/expiry/unit", detail: /^must be one of "s", "ms"$/ },
    { name: "issued-at without field", expiry: { kind: "issued-at", unit: "ms", lifetimeSeconds: 7200 }, pointer: "/expiry/field", detail: /dotted path/ },
    { name: "relative in iso8601", expiry: { kind: "relative", field: "expires_in", unit: "iso8601" }, pointer: "/expiry/unit", detail: /^must be one of "s", "ms"$/ },
    { name: "relative in minutes", expiry: { kind: "relative", field: "expires_in", unit: "min" }, pointer: "/expiry/unit", detail: /"s", "ms"/ },
    { name: "absolute in days", expiry: { kind: "absolute", field: "expires_at", unit: "d" }, pointer: "/expiry/unit", detail: /^must be one of "s", "ms", "iso8601"$/ },
    { name: "lifetimeSeconds only with issued-at", expiry: { kind: "relative", field: "expires_in", lifetimeSeconds: 60 }, pointer: "/expiry/lifetimeSeconds", detail: /does not apply to kind "relative"/ },
    { name: "lifetimeSeconds not with absolute", expiry: { kind: "absolute", field: "x", unit: "s", lifetimeSeconds: 60 }, pointer: "/expiry/lifetimeSeconds", detail: /does not apply/ },
    { name: "none takes no field", expiry: { kind: "none", field: "expires_in" }, pointer: "/expiry/field", detail: /does not apply to kind "none"/ },
    { name: "unknown expiry setting", expiry: { kind: "none", lifetime: 60 }, pointer: "/expiry/lifetime", detail: /unknown setting "lifetime"/ },
  ])("$name -> config error at $pointer", async ({ expiry, pointer, detail }) => {
    expect(await load(expiry)).toEqual({ code: "config", pointer, detail: expect.stringMatching(detail) });
  });

  it.each<{ expiry: ExpiryConfig }>([
    // the spellings other tests and users write, read as written
    { expiry: { kind: "relative", field: "expires_in", unit: "ms" } },
    { expiry: { kind: "relative", field: "expires_in", unit: "s" } },
    { expiry: { kind: "relative", field: "data.expires_in" } },
    { expiry: { kind: "absolute", field: "expiresAt", unit: "iso8601" } },
    { expiry: { kind: "absolute", field: "expires_at", unit: "ms" } },
    { expiry: { kind: "issued-at", field: "issued_at", unit: "ms", lifetimeSeconds: 7200 } },
    { expiry: { kind: "none" } },
  ])("$expiry.kind $expiry.unit is read as written", async ({ expiry }) => {
    expect(await load(expiry)).toEqual({ expiry });
  });
});

function response(properties: Json, extra: Json = {}): Json {
  return { type: "object", required: ["access_token"], properties: { access_token: { type: "string" }, ...properties }, ...extra };
}

describe("a config that contradicts the spec is refused, naming both pointers", () => {
  it.each<{ name: string; schema: Json; expiry: ExpiryConfig; configPointer: string; specPointer: string; detail: RegExp }>([
    // given the success schema and the config -> want config_contradicts_spec at the config pointer, naming the spec pointer
    {
      name: "absolute on issued_at (the issue time, not the expiry)",
      schema: response({ issued_at: { type: "string" } }),
      expiry: { kind: "absolute", field: "issued_at", unit: "ms" },
      configPointer: "/expiry/kind",
      specPointer: `${SCHEMA}/properties/issued_at`,
      detail: /documents it as the time the token was issued; use kind "issued-at"/,
    },
    {
      name: "absolute on issuedAt (another spelling)",
      schema: response({ issuedAt: { type: "integer" } }),
      expiry: { kind: "absolute", field: "issuedAt", unit: "s" },
      configPointer: "/expiry/kind",
      specPointer: `${SCHEMA}/properties/issuedAt`,
      detail: /issued/,
    },
    {
      name: "relative on a member the description calls the issue time",
      schema: response({ stamp: { type: "integer", description: "The moment the token was issued, in seconds." } }),
      expiry: { kind: "relative", field: "stamp" },
      configPointer: "/expiry/kind",
      specPointer: `${SCHEMA}/properties/stamp`,
      detail: /kind "relative" reads stamp as the expiry/,
    },
    {
      name: "iso8601 on an integer member",
      schema: response({ expires_at: { type: "integer" } }),
      expiry: { kind: "absolute", field: "expires_at", unit: "iso8601" },
      configPointer: "/expiry/unit",
      specPointer: `${SCHEMA}/properties/expires_at`,
      detail: /the schema types it as an integer/,
    },
    {
      name: "iso8601 on a nested number member",
      schema: response({ data: { type: "object", properties: { exp: { type: "number" } } } }),
      expiry: { kind: "absolute", field: "data.exp", unit: "iso8601" },
      configPointer: "/expiry/unit",
      specPointer: `${SCHEMA}/properties/data/properties/exp`,
      detail: /a number/,
    },
    {
      name: "seconds on a date-time member",
      schema: response({ expiresAt: { type: "string", format: "date-time" } }),
      expiry: { kind: "absolute", field: "expiresAt", unit: "s" },
      configPointer: "/expiry/unit",
      specPointer: `${SCHEMA}/properties/expiresAt`,
      detail: /expiresAt is a date-time \(its schema has format: date-time\), not a number of seconds/,
    },
    {
      name: "a lifetime on a date-time member",
      schema: response({ expires_in: { type: "string", format: "date-time" } }),
      expiry: { kind: "relative", field: "expires_in", unit: "ms" },
      configPointer: "/expiry/kind",
      specPointer: `${SCHEMA}/properties/expires_in`,
      detail: /not a number of milliseconds/,
    },
    {
      name: "a member a closed schema lacks",
      schema: response({ expires_in: { type: "integer" } }, { additionalProperties: false }),
      expiry: { kind: "relative", field: "ttl" },
      configPointer: "/expiry/field",
      specPointer: SCHEMA,
      detail: /"ttl" is not in the success response schema, which allows no other members/,
    },
    {
      name: "a nested member a closed object lacks",
      schema: response({ data: { type: "object", additionalProperties: false, properties: { token: { type: "string" } } } }),
      expiry: { kind: "absolute", field: "data.expires_at", unit: "s" },
      configPointer: "/expiry/field",
      specPointer: `${SCHEMA}/properties/data`,
      detail: /"data.expires_at" is not in the success response schema/,
    },
  ])("$name -> $configPointer", async ({ schema, expiry, configPointer, specPointer, detail }) => {
    const error = await modelError(tokenSpec({ response: schema }), { expiry });
    expect(error).toMatchObject({ code: "config_contradicts_spec", file: CONFIG_FILE, pointer: configPointer });
    expect(error.detail).toMatch(detail);
    expect(error.message).toContain(`${CONFIG_FILE}#${configPointer}: `);
    expect(error.detail).toContain(`(${SPEC_FILE}#${specPointer})`);
  });
});

describe("a config the spec only disputes is kept, with a warning fact", () => {
  it.each<{ name: string; schema: Json; expiry: ExpiryConfig; rule: ExpiryRule; configPointer: string; specPointer: string; warning: RegExp }>([
    // given the success schema and the config -> want the config's rule, and a warning with the spec's evidence
    {
      name: "a member an open schema does not document",
      schema: response({ expires_in: { type: "integer" } }),
      expiry: { kind: "relative", field: "ttl" },
      rule: { kind: "relative", field: "ttl" },
      configPointer: "/expiry/field",
      specPointer: SCHEMA,
      warning: /the expiry member ttl .* is not documented by the success response schema/,
    },
    {
      name: "seconds on a lifetime described in milliseconds",
      schema: response({ expires_in: { type: "integer", description: "Lifetime in milliseconds." } }),
      expiry: { kind: "relative", field: "expires_in" },
      rule: { kind: "relative", field: "expires_in" },
      configPointer: "/expiry/unit",
      specPointer: `${SCHEMA}/properties/expires_in`,
      warning: /expires_in is in seconds, but the spec suggests milliseconds \(its description says milliseconds\)/,
    },
    {
      name: "a lifetime on a member described as a unix timestamp",
      schema: response({ expires_in: { type: "integer", description: "Unix timestamp of expiry." } }),
      expiry: { kind: "relative", field: "expires_in" },
      rule: { kind: "relative", field: "expires_in" },
      configPointer: "/expiry/kind",
      specPointer: `${SCHEMA}/properties/expires_in`,
      warning: /expires_in is a lifetime, but the spec suggests an absolute unix time in seconds \(its description calls it a timestamp\)/,
    },
    {
      name: "a moment on a member described as a lifetime in milliseconds",
      schema: response({ expires_in: { type: "integer", description: "Milliseconds the token lives." } }),
      expiry: { kind: "absolute", field: "expires_in", unit: "ms" },
      rule: { kind: "absolute", field: "expires_in", unit: "ms" },
      configPointer: "/expiry/kind",
      specPointer: `${SCHEMA}/properties/expires_in`,
      warning: /is a moment, but the spec suggests a lifetime/,
    },
    {
      name: "a date-time on a string member described as a unix timestamp",
      schema: response({ expires_at: { type: "string", description: "Unix timestamp of expiry, as a string." } }),
      expiry: { kind: "absolute", field: "expires_at", unit: "iso8601" },
      rule: { kind: "absolute", field: "expires_at", unit: "iso8601" },
      configPointer: "/expiry/unit",
      specPointer: `${SCHEMA}/properties/expires_at`,
      warning: /expires_at is in ISO-8601 date-time, but the spec suggests seconds \(its description calls it a timestamp\)/,
    },
    {
      name: "an issue time in seconds the spec puts in milliseconds",
      schema: response({ issued_at: { type: "string", description: "Issue time, milliseconds since the Unix epoch." } }),
      expiry: { kind: "issued-at", field: "issued_at", unit: "s", lifetimeSeconds: 7200 },
      rule: { kind: "issued-at", field: "issued_at", unit: "s", lifetimeSeconds: 7200 },
      configPointer: "/expiry/unit",
      specPointer: `${SCHEMA}/properties/issued_at`,
      warning: /issued_at is in seconds, but the spec suggests milliseconds/,
    },
  ])("$name", async ({ schema, expiry, rule, configPointer, specPointer, warning }) => {
    const model = await modelOf(tokenSpec({ response: schema }), { expiry });
    expect(model.success.expiry).toEqual(rule);
    const facts = model.facts.filter((f) => f.topic === "expiry");
    expect(facts).toEqual([
      expect.objectContaining({ source: "config", evidence: `${CONFIG_FILE}#/expiry` }),
      { topic: "expiry", source: "spec", evidence: specPointer, statement: expect.stringMatching(warning) },
    ]);
    expect(facts[1]!.statement).toMatch(/^warning: /);
    expect(facts[1]!.statement).toContain(`${CONFIG_FILE}#${configPointer}`);
  });

  it.each<{ name: string; schema: Json; expiry: ExpiryConfig; rule: ExpiryRule; statement: string }>([
    // given a config the spec agrees with -> want the rule and the config fact alone
    {
      name: "Salesforce: issued_at in ms plus a documented lifetime",
      schema: response({ issued_at: { type: "string", description: "Time the signature was created, in milliseconds since the Unix epoch." } }),
      expiry: { kind: "issued-at", field: "issued_at", unit: "ms", lifetimeSeconds: 7200 },
      rule: { kind: "issued-at", field: "issued_at", unit: "ms", lifetimeSeconds: 7200 },
      statement: "issued_at is the issue time, an absolute unix time in milliseconds, and the token lives 7200 s from it",
    },
    {
      name: "Fiserv: a lifetime in milliseconds",
      schema: response({ expires_in: { type: "integer", description: "Lifetime in milliseconds." } }),
      expiry: { kind: "relative", field: "expires_in", unit: "ms" },
      rule: { kind: "relative", field: "expires_in", unit: "ms" },
      statement: "expires_in is milliseconds from receipt",
    },
    {
      name: "Sentry: an ISO-8601 expiresAt",
      schema: response({ expiresAt: { type: "string", format: "date-time" } }),
      expiry: { kind: "absolute", field: "expiresAt", unit: "iso8601" },
      rule: { kind: "absolute", field: "expiresAt", unit: "iso8601" },
      statement: "expiresAt is an ISO-8601 date-time",
    },
    {
      name: "a lifetime whose description only mentions the issue",
      schema: response({ expires_in: { type: "integer", description: "Seconds until the token, which was issued at sign-in, expires." } }),
      expiry: { kind: "relative", field: "expires_in" },
      rule: { kind: "relative", field: "expires_in" },
      statement: "expires_in is seconds from receipt",
    },
  ])("$name: no warning", async ({ schema, expiry, rule, statement }) => {
    const model = await modelOf(tokenSpec({ response: schema }), { expiry });
    expect(model.success.expiry).toEqual(rule);
    expect(model.facts.filter((f) => f.topic === "expiry")).toEqual([{ topic: "expiry", statement, source: "config", evidence: `${CONFIG_FILE}#/expiry` }]);
  });
});
