import { SpecError } from "../load/index.js";
import type { ExpiryRule, TokenFieldNames } from "../runtime/types.js";
import { isJsonMediaType, type TokenOperation } from "./operation.js";
import { isJson, type Located, type ObjectShape, type SpecView } from "./schema.js";
import type { ErrorStatusModel, Fact, SuccessModel } from "./types.js";

/** RFC 6749 §5.1 names of the successful response's members. */
const ACCESS_TOKEN = "access_token";
const TOKEN_TYPE = "token_type";
const REFRESH_TOKEN = "refresh_token";
const SCOPE = "scope";
const EXPIRES_IN = "expires_in";
/** Absolute expiry names seen in real specs, in order of preference. */
const ABSOLUTE_EXPIRY_FIELDS = ["expires_at", "expires_on", "expires"];
/** Creation-time names from which a relative `expires_in` counts (Doorkeeper-style servers). */
const CREATED_FIELDS = ["created_at"];

/** Unix times in seconds passed 1e9 in 2001; durations that large (31 years) are not plausible. */
const PLAUSIBLE_UNIX_SECONDS = 1e9;
const PLAUSIBLE_UNIX_MILLISECONDS = 1e12;

/** Reads the documented success response and what it says about expiry. */
export function buildSuccess(view: SpecView, token: TokenOperation, facts: Fact[]): SuccessModel {
  const responses = view.objectAt(token.operation, "responses");
  const statuses: number[] = [];
  let typed: { status: number; mediaType: string; schema: Located } | undefined;
  for (const key of Object.keys(responses?.node ?? {}).sort()) {
    const status = Number(key);
    if (!/^2\d\d$/.test(key) || !responses) continue;
    statuses.push(status);
    const json = jsonContent(view, responses, key);
    if (json && !typed) typed = { status, ...json };
  }
  if (!typed) {
    throw new SpecError("unsupported", view.file, `${token.operation.pointer}/responses`, "no 2xx response with a JSON schema: the token response cannot be typed");
  }
  const shape = unionShape(view, typed.schema);
  if (!shape.properties.has(ACCESS_TOKEN)) {
    throw new SpecError("unsupported", view.file, typed.schema.pointer, `the success response has no "${ACCESS_TOKEN}" property`);
  }
  const tokenFields: TokenFieldNames = {
    accessToken: ACCESS_TOKEN,
    ...(shape.properties.has(TOKEN_TYPE) ? { tokenType: TOKEN_TYPE } : {}),
    ...(shape.properties.has(REFRESH_TOKEN) ? { refreshToken: REFRESH_TOKEN } : {}),
    ...(shape.properties.has(SCOPE) ? { scope: SCOPE } : {}),
  };
  facts.push({ topic: "success", statement: `status ${typed.status}, ${typed.mediaType}`, source: "spec", evidence: typed.schema.pointer });
  return { statuses, typedStatus: typed.status, mediaType: typed.mediaType, tokenFields, expiry: expiryRule(view, shape, facts) };
}

/** Documented error statuses (3.0 §4.7.16 Responses); range keys and `default` come later. */
export function buildErrors(view: SpecView, token: TokenOperation, facts: Fact[]): ErrorStatusModel[] {
  const responses = view.objectAt(token.operation, "responses");
  const errors: ErrorStatusModel[] = [];
  for (const key of Object.keys(responses?.node ?? {}).sort()) {
    if (!responses || !/^[3-5]\d\d$/.test(key)) {
      if (responses && !/^2\d\d$/.test(key)) {
        facts.push({ topic: "errors", statement: `response key ${JSON.stringify(key)} is not a single status; such answers surface as unexpected_status`, source: "spec", evidence: `${responses.pointer}/${key}` });
      }
      continue;
    }
    const response = view.objectAt(responses, key);
    const description = response && isJson(response.node) && typeof response.node["description"] === "string" && response.node["description"] !== "" ? response.node["description"] : undefined;
    const json = jsonContent(view, responses, key);
    errors.push({ status: Number(key), ...(description !== undefined ? { description } : {}), ...(json ? { mediaType: json.mediaType } : {}) });
  }
  if (errors.length > 0) facts.push({ topic: "errors", statement: `documented statuses ${errors.map((e) => e.status).join(", ")}`, source: "spec", evidence: `${token.operation.pointer}/responses` });
  return errors;
}

function jsonContent(view: SpecView, responses: Located, key: string): { mediaType: string; schema: Located } | undefined {
  const response = view.objectAt(responses, key);
  const content = response && view.objectAt(response, "content");
  if (!content || !isJson(content.node)) return undefined;
  const mediaType = Object.keys(content.node).find(isJsonMediaType);
  const media = mediaType === undefined ? undefined : view.objectAt(content, mediaType);
  if (!media || mediaType === undefined || !isJson(media.node) || media.node["schema"] === undefined) return undefined;
  return { mediaType, schema: view.deref({ node: media.node["schema"], pointer: `${media.pointer}/schema` }) };
}

/** All properties any variant of a (possibly `oneOf`) response may carry. */
function unionShape(view: SpecView, schema: Located): ObjectShape {
  const properties = new Map<string, ObjectShape["properties"] extends ReadonlyMap<string, infer P> ? P : never>();
  const required = new Set<string>();
  for (const variant of view.variants(schema)) {
    const shape = view.objectShape(variant);
    for (const [name, property] of shape.properties) if (!properties.has(name)) properties.set(name, property);
    for (const name of shape.required) required.add(name);
  }
  return { properties, required };
}

/**
 * How the response expresses expiry. RFC 6749 §5.1 `expires_in` is a
 * duration in seconds, but some providers document it (or another field) as
 * a unix time; the field's description and examples decide.
 */
function expiryRule(view: SpecView, shape: ObjectShape, facts: Fact[]): ExpiryRule {
  const expiresIn = shape.properties.get(EXPIRES_IN);
  if (expiresIn) {
    const absolute = absoluteEvidence(view, expiresIn.schema);
    if (absolute) {
      facts.push({ topic: "expiry", statement: `${EXPIRES_IN} is an absolute unix time in ${absolute.unit === "s" ? "seconds" : "milliseconds"} (${absolute.why})`, source: "inferred", evidence: expiresIn.schema.pointer });
      return { kind: "absolute", field: EXPIRES_IN, unit: absolute.unit };
    }
    const created = CREATED_FIELDS.find((name) => shape.properties.has(name));
    if (created !== undefined) {
      facts.push({ topic: "expiry", statement: `${EXPIRES_IN} seconds counted from ${created}`, source: "inferred", evidence: shape.properties.get(created)!.schema.pointer });
      return { kind: "created-plus-relative", createdField: created, field: EXPIRES_IN };
    }
    facts.push({ topic: "expiry", statement: `${EXPIRES_IN} is seconds from receipt (RFC 6749 §5.1)`, source: "spec", evidence: expiresIn.schema.pointer });
    return { kind: "relative", field: EXPIRES_IN };
  }
  for (const name of ABSOLUTE_EXPIRY_FIELDS) {
    const property = shape.properties.get(name);
    if (!property) continue;
    const unit = absoluteEvidence(view, property.schema)?.unit ?? "s";
    facts.push({ topic: "expiry", statement: `${name} is an absolute unix time in ${unit === "s" ? "seconds" : "milliseconds"}`, source: "inferred", evidence: property.schema.pointer });
    return { kind: "absolute", field: name, unit };
  }
  facts.push({ topic: "expiry", statement: "the response documents no expiry: a token is kept until a 401", source: "spec", evidence: "" });
  return { kind: "none" };
}

function absoluteEvidence(view: SpecView, schema: Located): { unit: "s" | "ms"; why: string } | undefined {
  const described = view.describe(schema);
  const text = described.description ?? "";
  const millis = /milli/i.test(text);
  if (/\b(unix|epoch|timestamp|posix)\b/i.test(text)) return { unit: millis ? "ms" : "s", why: "its description calls it a timestamp" };
  const numericExample = described.examples.find((value): value is number => typeof value === "number");
  if (numericExample !== undefined && numericExample >= PLAUSIBLE_UNIX_MILLISECONDS) return { unit: "ms", why: `its example ${numericExample} is a millisecond unix time` };
  if (numericExample !== undefined && numericExample >= PLAUSIBLE_UNIX_SECONDS) return { unit: "s", why: `its example ${numericExample} is a unix time` };
  return undefined;
}
