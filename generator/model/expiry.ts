import { SpecError, type ExpiryConfig } from "../load/index.js";
import { readField } from "../runtime/field-path.js";
import type { ExpiryRule, FieldPath } from "../runtime/types.js";
import { found, type Found } from "./found.js";
import { isJson, memberAt, type Located, type ObjectShape, type SpecView } from "./schema.js";
import { spellingKey, spellingOf } from "./spelling.js";
import type { Fact } from "./types.js";

/*
 * The one place that decides how a token response says when the token
 * expires: which member, and what its value is (a lifetime or a moment, in
 * which unit). The runtime applies the resulting ExpiryRule and reads no
 * meaning into a value's size; so the thresholds below exist here only.
 */

const EXPIRES_IN = "expires_in";
/** Absolute expiry names seen in real specs, in order of preference (any spelling: `expiresAt`). */
const ABSOLUTE_EXPIRY_FIELDS = ["expires_at", "expires_on", "expires"];
/** Creation-time names from which a relative `expires_in` counts (Doorkeeper-style servers). */
const CREATED_FIELDS = ["created_at"];
/** Issue-time names: a moment the token was issued, never its expiry. */
const ISSUED_FIELDS = ["issued_at", "iat"];

/** Unix times in seconds passed 1e9 in 2001; durations that large (31 years) are not plausible. */
const PLAUSIBLE_UNIX_SECONDS = 1e9;
/** Unix times in milliseconds passed 1e12 in 2001; a lifetime of 1e12 ms is 31 years. */
const PLAUSIBLE_UNIX_MILLISECONDS = 1e12;

const TIMESTAMP_WORDS = /\b(unix|epoch|timestamp|posix)\b/i;
const ISO_WORDS = /\b(ISO[ -]?8601|RFC[ -]?3339)\b/i;
const MILLISECOND_WORDS = /\b(milli-?seconds?|ms)\b/i;
const ISSUE_WORDS = /\b(issued[ _-]?at|issue (time|date)|time of issue|(was|were) issued)\b/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/;

/** What a member's schema says its value is, and why. */
type Reading =
  | { readonly kind: "moment"; readonly unit: "s" | "ms" | "iso8601"; readonly why: string }
  | { readonly kind: "lifetime"; readonly unit: "ms"; readonly why: string };

/**
 * The expiry rule of a success response: the provider config's `expiry`,
 * checked against the schema, else inferred from the schema.
 */
export function expiryOf(view: SpecView, success: SuccessBody, stated: ExpiryConfig | undefined, configFile: string): Found<ExpiryRule> {
  const examples = bodyExamples(view, success.media);
  return stated === undefined ? inferredExpiry(view, success.shape, examples) : configuredExpiry(view, success.schema, examples, stated, configFile);
}

/** The documented success body: its schema, the union of its variants' members, and its media type object. */
export interface SuccessBody {
  readonly schema: Located;
  readonly shape: ObjectShape;
  /** The Media Type Object (OpenAPI 3.0 §4.7.11), whose `example`/`examples` show whole bodies. */
  readonly media: Located;
}

/** The example bodies of a Media Type Object: `example`, and each `examples` entry's `value` (`$ref`s followed). */
function bodyExamples(view: SpecView, media: Located): unknown[] {
  if (!isJson(media.node)) return [];
  const bodies: unknown[] = media.node["example"] !== undefined ? [media.node["example"]] : [];
  const examples = view.objectAt(media, "examples");
  for (const key of Object.keys(examples && isJson(examples.node) ? examples.node : {})) {
    const example = view.objectAt(examples!, key);
    if (example && isJson(example.node) && example.node["value"] !== undefined) bodies.push(example.node["value"]);
  }
  return bodies;
}

/**
 * RFC 6749 §5.1 `expires_in` is a lifetime in seconds, but some providers
 * document it (or another member) as a unix time, a date-time or
 * milliseconds; the member's schema, description and examples decide.
 */
function inferredExpiry(view: SpecView, shape: ObjectShape, examples: readonly unknown[]): Found<ExpiryRule> {
  const fact = (statement: string, source: Fact["source"], evidence: string): Fact[] => [{ topic: "expiry", statement, source, evidence }];
  const member = (rfcName: string): { name: string; schema: Located; shown: unknown[] } | undefined => {
    const name = spellingOf(shape.properties.keys(), rfcName);
    const property = name === undefined ? undefined : shape.properties.get(name);
    return name === undefined || !property ? undefined : { name, schema: property.schema, shown: shownValues(examples, name) };
  };
  const expiresIn = member(EXPIRES_IN);
  if (expiresIn) {
    const { name, schema } = expiresIn;
    const reading = readingOf(view, schema, expiresIn.shown);
    if (reading?.kind === "moment") {
      return found({ kind: "absolute", field: name, unit: reading.unit }, fact(`${name} is ${momentText(reading.unit)} (${reading.why})`, "inferred", schema.pointer));
    }
    const created = CREATED_FIELDS.map(member).find((m) => m !== undefined);
    if (created) {
      const { unit, why } = createdUnitOf(view, created.schema, created.shown);
      const rule: ExpiryRule = { kind: "created-plus-relative", createdField: created.name, createdUnit: unit, field: name };
      const statement = `${name} seconds counted from ${created.name}, ${momentText(unit)} or an ISO-8601 date-time (${why})`;
      return found(rule, fact(statement, "inferred", created.schema.pointer));
    }
    if (reading?.kind === "lifetime") {
      return found({ kind: "relative", field: name, unit: "ms" }, fact(`${name} is milliseconds from receipt (${reading.why})`, "inferred", schema.pointer));
    }
    return found({ kind: "relative", field: name }, fact(`${name} is seconds from receipt (RFC 6749 §5.1)`, "spec", schema.pointer));
  }
  for (const rfcName of ABSOLUTE_EXPIRY_FIELDS) {
    const absolute = member(rfcName);
    if (!absolute) continue;
    const reading = readingOf(view, absolute.schema, absolute.shown);
    // A moment named as one: the unit is the reading's (a "milliseconds" description is a unit here), else seconds.
    const unit = reading?.unit ?? "s";
    const why = reading?.why ?? "its name says it is the expiry; nothing says the unit, so seconds";
    return found({ kind: "absolute", field: absolute.name, unit }, fact(`${absolute.name} is ${momentText(unit)} (${why})`, "inferred", absolute.schema.pointer));
  }
  const issued = ISSUED_FIELDS.map(member).find((m) => m !== undefined);
  if (issued) {
    const statement = `${issued.name} says when the token was issued, but nothing says how long it lives: it is kept until a 401 (state the documented lifetime in the provider config: "expiry": {"kind": "issued-at", "field": "${issued.name}", "unit": ..., "lifetimeSeconds": ...})`;
    return found({ kind: "none" }, fact(statement, "inferred", issued.schema.pointer));
  }
  return found({ kind: "none" }, fact("the response documents no expiry: a token is kept until a 401", "spec", ""));
}

/**
 * The unit of a creation time when it is a number: milliseconds when its
 * schema says so, else seconds. (An ISO-8601 string says what it is; the
 * runtime reads one whatever the unit.)
 */
function createdUnitOf(view: SpecView, schema: Located, shown: readonly unknown[]): { unit: "s" | "ms"; why: string } {
  const reading = readingOf(view, schema, shown);
  if (reading?.unit === "ms") return { unit: "ms", why: reading.why };
  if (reading?.unit === "s") return { unit: "s", why: reading.why };
  return { unit: "s", why: "nothing says milliseconds" };
}

/** A config's expiry, checked against the member it names: a contradiction is refused, a doubt is a warning fact. */
function configuredExpiry(view: SpecView, schema: Located, examples: readonly unknown[], stated: ExpiryConfig, configFile: string): Found<ExpiryRule> {
  const configFact = (statement: string): Fact => ({ topic: "expiry", statement, source: "config", evidence: `${configFile}#/expiry` });
  if (stated.kind === "none") return found({ kind: "none" }, [configFact("the response carries no expiry: a token is kept until a 401")]);
  const segments = stated.field.split(".");
  const member = memberAt(view, schema, segments);
  const warnings =
    "missing" in member
      ? missingMember(view, member, stated.field, configFile)
      : contradictions(view, member.schema, shownValues(examples, segments), stated, configFile);
  const { rule, statement } = configuredRule(stated, segments.length === 1 ? stated.field : segments);
  return found(rule, [configFact(statement), ...warnings]);
}

function configuredRule(stated: Exclude<ExpiryConfig, { kind: "none" }>, field: FieldPath): { rule: ExpiryRule; statement: string } {
  switch (stated.kind) {
    case "relative":
      return stated.unit === "ms"
        ? { rule: { kind: "relative", field, unit: "ms" }, statement: `${stated.field} is milliseconds from receipt` }
        : { rule: { kind: "relative", field }, statement: `${stated.field} is seconds from receipt` };
    case "absolute":
      return { rule: { kind: "absolute", field, unit: stated.unit }, statement: `${stated.field} is ${momentText(stated.unit)}` };
    case "issued-at":
      return {
        rule: { kind: "issued-at", field, unit: stated.unit, lifetimeSeconds: stated.lifetimeSeconds },
        statement: `${stated.field} is the issue time, ${momentText(stated.unit)}, and the token lives ${stated.lifetimeSeconds} s from it`,
      };
    default: {
      const unknown: never = stated;
      throw new Error(`unknown expiry ${JSON.stringify(unknown)}`);
    }
  }
}

/** A member the schema does not document: refused when the schema allows no other members, else a warning. */
function missingMember(view: SpecView, lookup: { missing: string; pointer: string; open: boolean }, field: string, configFile: string): Fact[] {
  const where = `${view.file}#${lookup.pointer}`;
  if (!lookup.open) {
    throw new SpecError("config_contradicts_spec", configFile, "/expiry/field", `the expiry member ${JSON.stringify(field)} is not in the success response schema, which allows no other members (${where})`);
  }
  const statement = `warning: the expiry member ${field} (${configFile}#/expiry/field) is not documented by the success response schema; it is read as the config says`;
  return [{ topic: "expiry", statement, source: "spec", evidence: lookup.pointer }];
}

/**
 * What the member's schema says against the config. Refused: an expiry read
 * from an issue time, a date-time read as a number or a number as a
 * date-time. Warned: a unit or kind the description or example disputes.
 */
function contradictions(view: SpecView, member: Located, shown: readonly unknown[], stated: Exclude<ExpiryConfig, { kind: "none" }>, configFile: string): Fact[] {
  const refuse = (configPointer: string, detail: string): never => {
    throw new SpecError("config_contradicts_spec", configFile, configPointer, `${detail} (${view.file}#${member.pointer})`);
  };
  const described = view.describe(member);
  const lastName = stated.field.split(".").at(-1)!;
  const numeric = described.types.has("integer") || described.types.has("number");
  const reading = readingOf(view, member, shown);
  const text = described.description ?? "";
  // "Seconds until the token, which was issued at sign-in, expires" is about the expiry: the issue is only mentioned.
  const isIssueTime = ISSUED_FIELDS.some((name) => spellingKey(name) === spellingKey(lastName)) || (ISSUE_WORDS.test(text) && !/expir/i.test(text));
  if (stated.kind !== "issued-at" && isIssueTime) {
    refuse("/expiry/kind", `kind ${JSON.stringify(stated.kind)} reads ${stated.field} as the expiry, but the spec documents it as the time the token was issued; use kind "issued-at" with the documented lifetimeSeconds`);
  }
  if (stated.unit === "iso8601" && numeric && !described.types.has("string")) {
    refuse("/expiry/unit", `unit "iso8601" reads ${stated.field} as a date-time string, but the schema types it as ${described.types.has("integer") ? "an integer" : "a number"}`);
  }
  if (reading?.kind === "moment" && reading.unit === "iso8601" && stated.unit !== "iso8601") {
    refuse(stated.kind === "relative" ? "/expiry/kind" : "/expiry/unit", `${stated.field} is a date-time (${reading.why}), not a number of ${stated.unit === "ms" ? "milliseconds" : "seconds"}`);
  }
  const warn = (configPointer: string, detail: string): Fact[] => [
    { topic: "expiry", statement: `warning: ${configFile}#${configPointer} says ${detail}`, source: "spec", evidence: member.pointer },
  ];
  if (stated.kind === "relative" && reading?.kind === "moment") {
    return warn("/expiry/kind", `${stated.field} is a lifetime, but the spec suggests ${momentText(reading.unit)} (${reading.why})`);
  }
  if (stated.kind === "absolute" && reading?.kind === "lifetime") {
    return warn("/expiry/kind", `${stated.field} is a moment, but the spec suggests a lifetime (${reading.why})`);
  }
  const statedUnit = stated.unit ?? "s";
  if (reading !== undefined && reading.unit !== statedUnit && reading.unit !== "iso8601") {
    return warn("/expiry/unit", `${stated.field} is in ${unitName(statedUnit)}, but the spec suggests ${unitName(reading.unit)} (${reading.why})`);
  }
  return [];
}

/** The values a member has in the example bodies. */
function shownValues(examples: readonly unknown[], path: string | readonly string[]): unknown[] {
  return examples.map((body) => readField(body, typeof path === "string" ? path : [...path])).filter((value) => value !== undefined);
}

/**
 * What a member's format, description and examples (its own, then its values
 * in the example bodies, `shown`) say its value is; undefined when they say nothing.
 */
function readingOf(view: SpecView, schema: Located, shown: readonly unknown[]): Reading | undefined {
  const described = view.describe(schema);
  const text = described.description ?? "";
  if (formatsOf(view, schema).has("date-time")) return { kind: "moment", unit: "iso8601", why: "its schema has format: date-time" };
  if (ISO_WORDS.test(text)) return { kind: "moment", unit: "iso8601", why: "its description says ISO 8601" };
  const millis = MILLISECOND_WORDS.test(text);
  if (TIMESTAMP_WORDS.test(text)) return { kind: "moment", unit: millis ? "ms" : "s", why: "its description calls it a timestamp" };
  const samples = [
    ...described.examples.map((value) => ({ value, where: "its example" })),
    ...shown.map((value) => ({ value, where: "its value in the example response" })),
  ];
  const number = samples.find((sample): sample is { value: number; where: string } => typeof sample.value === "number");
  if (number !== undefined && number.value >= PLAUSIBLE_UNIX_MILLISECONDS) return { kind: "moment", unit: "ms", why: `${number.where} ${number.value} is a millisecond unix time` };
  // A lifetime documented in milliseconds may pass 1e9 (11.6 days); one in seconds may not.
  if (number !== undefined && number.value >= PLAUSIBLE_UNIX_SECONDS && !millis) return { kind: "moment", unit: "s", why: `${number.where} ${number.value} is a unix time` };
  const dateTime = samples.find((sample): sample is { value: string; where: string } => typeof sample.value === "string" && DATE_TIME.test(sample.value));
  if (dateTime !== undefined) return { kind: "moment", unit: "iso8601", why: `${dateTime.where} ${JSON.stringify(dateTime.value)} is a date-time` };
  if (millis) return { kind: "lifetime", unit: "ms", why: "its description says milliseconds" };
  return undefined;
}

/** The `format`s of a schema and its variants. */
function formatsOf(view: SpecView, schema: Located): Set<string> {
  const formats = new Set<string>();
  for (const located of [view.deref(schema), ...view.variants(schema)]) {
    if (isJson(located.node) && typeof located.node["format"] === "string") formats.add(located.node["format"]);
  }
  return formats;
}

function unitName(unit: "s" | "ms" | "iso8601"): string {
  return unit === "iso8601" ? "ISO-8601 date-time" : unit === "s" ? "seconds" : "milliseconds";
}

function momentText(unit: "s" | "ms" | "iso8601"): string {
  return unit === "iso8601" ? "an ISO-8601 date-time" : `an absolute unix time in ${unit === "s" ? "seconds" : "milliseconds"}`;
}
