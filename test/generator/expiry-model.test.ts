// What the model infers about expiry from a success schema (generator/model/expiry.ts), with the fact that says
// why; `explain` and the README show that fact. The runtime rows are in test/runtime/expiry.test.ts.
import { describe, expect, it } from "vitest";
import { explanationText } from "../../generator/cli/explain.js";
import { readmeFile } from "../../generator/emit/readme.js";
import type { ExpiryRule } from "../../generator/runtime/types.js";
import { modelOf, tokenSpec, type Json } from "./helpers.js";

const RESPONSE_POINTER = "/paths/~1oauth~1token/post/responses/200/content/application~1json/schema";

function response(properties: Json): Json {
  return { type: "object", required: ["access_token"], properties: { access_token: { type: "string" }, ...properties } };
}

describe("expiry inferred from the success schema", () => {
  it.each<{ name: string; properties: Json; want: ExpiryRule; fact: RegExp; member: string }>([
    // given the expiry members of the success body -> want the rule, and a fact naming the member that decided it
    {
      name: "Fiserv: a lifetime the description puts in milliseconds",
      properties: { expires_in: { type: "integer", description: "Lifetime of the access token in milliseconds.", example: 899000 } },
      want: { kind: "relative", field: "expires_in", unit: "ms" },
      fact: /^expires_in is milliseconds from receipt \(its description says milliseconds\)$/,
      member: "expires_in",
    },
    {
      name: "a millisecond lifetime past 1e9 (two weeks) stays a lifetime",
      properties: { expires_in: { type: "integer", description: "Token lifetime, ms.", example: 1_209_600_000 } },
      want: { kind: "relative", field: "expires_in", unit: "ms" },
      fact: /milliseconds from receipt/,
      member: "expires_in",
    },
    {
      name: "a millisecond example past 1e12 is a moment in ms even when the description says milliseconds",
      properties: { expires_in: { type: "integer", description: "Expiry in milliseconds.", example: 1_765_000_000_000 } },
      want: { kind: "absolute", field: "expires_in", unit: "ms" },
      fact: /an absolute unix time in milliseconds \(its example 1765000000000 is a millisecond unix time\)/,
      member: "expires_in",
    },
    {
      name: "Sentry: expiresAt with format date-time",
      properties: { expiresAt: { type: "string", format: "date-time" }, refreshToken: { type: "string" } },
      want: { kind: "absolute", field: "expiresAt", unit: "iso8601" },
      fact: /^expiresAt is an ISO-8601 date-time \(its schema has format: date-time\)$/,
      member: "expiresAt",
    },
    {
      name: "an expires_at the description calls ISO 8601",
      properties: { expires_at: { type: "string", description: "When the token expires, an ISO 8601 timestamp." } },
      want: { kind: "absolute", field: "expires_at", unit: "iso8601" },
      fact: /ISO-8601 date-time \(its description says ISO 8601\)/,
      member: "expires_at",
    },
    {
      name: "an expires_at whose example is a date-time",
      properties: { expires_at: { type: "string", example: "2026-12-06T12:00:00Z" } },
      want: { kind: "absolute", field: "expires_at", unit: "iso8601" },
      fact: /its example "2026-12-06T12:00:00Z" is a date-time/,
      member: "expires_at",
    },
    {
      name: "an expires_in with format date-time is the moment, not a lifetime",
      properties: { expires_in: { type: "string", format: "date-time" } },
      want: { kind: "absolute", field: "expires_in", unit: "iso8601" },
      fact: /format: date-time/,
      member: "expires_in",
    },
    {
      name: "an expires_at described in milliseconds",
      properties: { expires_at: { type: "integer", description: "Expiry, in milliseconds." } },
      want: { kind: "absolute", field: "expires_at", unit: "ms" },
      fact: /expires_at is an absolute unix time in milliseconds/,
      member: "expires_at",
    },
    {
      name: "an expires_at nothing describes: seconds, and the fact says it was assumed",
      properties: { expires_at: { type: "integer" } },
      want: { kind: "absolute", field: "expires_at", unit: "s" },
      fact: /nothing says the unit, so seconds/,
      member: "expires_at",
    },
    {
      name: "created_at in milliseconds plus expires_in",
      properties: { created_at: { type: "integer", description: "Unix time in milliseconds." }, expires_in: { type: "integer" } },
      want: { kind: "created-plus-relative", createdField: "created_at", createdUnit: "ms", field: "expires_in" },
      fact: /expires_in seconds counted from created_at, an absolute unix time in milliseconds or an ISO-8601 date-time/,
      member: "created_at",
    },
    {
      name: "created_at typed as a string: numbers in it are seconds",
      properties: { created_at: { type: "string" }, expires_in: { type: "integer" } },
      want: { kind: "created-plus-relative", createdField: "created_at", createdUnit: "s", field: "expires_in" },
      fact: /nothing says milliseconds/,
      member: "created_at",
    },
    {
      name: "Salesforce: issued_at and no lifetime: none, and the fact says how to state it",
      properties: { issued_at: { type: "string", description: "Time the signature was created, in milliseconds since the epoch." } },
      want: { kind: "none" },
      fact: /issued_at says when the token was issued, but nothing says how long it lives.*"kind": "issued-at".*"lifetimeSeconds"/,
      member: "issued_at",
    },
  ])("$name", async ({ properties, want, fact, member }) => {
    const model = await modelOf(tokenSpec({ response: response(properties) }));
    expect(model.success.expiry).toEqual(want);
    const facts = model.facts.filter((f) => f.topic === "expiry");
    expect(facts).toEqual([expect.objectContaining({ statement: expect.stringMatching(fact), evidence: `${RESPONSE_POINTER}/properties/${member}` })]);
  });
});

describe("expiry read from the example response", () => {
  const withExample = (properties: Json, media: Json): Json =>
    tokenSpec({
      responses: { "200": { description: "A token", content: { "application/json": { schema: response(properties), ...media } } } },
    });

  it.each<{ name: string; properties: Json; media: Json; want: ExpiryRule; fact: RegExp }>([
    // given the schema and the media type's examples -> want the rule, and a fact saying the example decided it
    {
      name: "Twilio: an example response whose expires_in is a millisecond unix time",
      properties: { expires_in: { type: "integer", format: "int64", nullable: true } },
      media: { examples: { create: { value: { access_token: "a", expires_in: 1438315200000 } } } },
      want: { kind: "absolute", field: "expires_in", unit: "ms" },
      fact: /its value in the example response 1438315200000 is a millisecond unix time/,
    },
    {
      name: "a single example with a seconds unix time",
      properties: { expires_in: { type: "integer" } },
      media: { example: { access_token: "a", expires_in: 1_765_000_000 } },
      want: { kind: "absolute", field: "expires_in", unit: "s" },
      fact: /its value in the example response 1765000000 is a unix time/,
    },
    {
      name: "an example reached through $ref with a date-time",
      properties: { expires_at: { type: "string" } },
      media: { examples: { ok: { $ref: "#/components/examples/Token" } } },
      want: { kind: "absolute", field: "expires_at", unit: "iso8601" },
      fact: /its value in the example response "2026-12-06T12:00:00Z" is a date-time/,
    },
    {
      name: "an example lifetime stays a lifetime",
      properties: { expires_in: { type: "integer" } },
      media: { example: { access_token: "a", expires_in: 3600 } },
      want: { kind: "relative", field: "expires_in" },
      fact: /seconds from receipt \(RFC 6749 §5.1\)/,
    },
  ])("$name", async ({ properties, media, want, fact }) => {
    const document = { ...withExample(properties, media), components: { examples: { Token: { value: { access_token: "a", expires_at: "2026-12-06T12:00:00Z" } } } } };
    const model = await modelOf(document);
    expect(model.success.expiry).toEqual(want);
    expect(model.facts.filter((f) => f.topic === "expiry")).toEqual([expect.objectContaining({ statement: expect.stringMatching(fact) })]);
  });
});

describe("explain and the README show the expiry and the fact behind it", () => {
  it.each<{ name: string; properties: Json; explain: string[]; readme: string[] }>([
    {
      name: "milliseconds lifetime",
      properties: { expires_in: { type: "integer", description: "Lifetime in milliseconds." } },
      explain: ["  expiry: expires_in milliseconds from receipt", "[inferred] expiry: expires_in is milliseconds from receipt (its description says milliseconds)"],
      readme: ["`expiresAt` is the time of receipt plus `expires_in` milliseconds.", "| expiry | expires_in is milliseconds from receipt (its description says milliseconds) | inferred |"],
    },
    {
      name: "ISO-8601 moment",
      properties: { expiresAt: { type: "string", format: "date-time" } },
      explain: ["  expiry: expiresAt is an ISO-8601 date-time", "[inferred] expiry: expiresAt is an ISO-8601 date-time (its schema has format: date-time)"],
      readme: ["`expiresAt` is an ISO-8601 date-time; `expiresAt` is that moment.", "| expiry | expiresAt is an ISO-8601 date-time (its schema has format: date-time) | inferred |"],
    },
  ])("$name", async ({ properties, explain, readme }) => {
    const model = await modelOf(tokenSpec({ response: response(properties) }));
    const text = explanationText(model);
    for (const line of explain) expect(text).toContain(line);
    const markdown = readmeFile(model, "npm run generate");
    for (const line of readme) expect(markdown).toContain(line);
  });
});
