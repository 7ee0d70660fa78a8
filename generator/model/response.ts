import { SpecError, type ProviderConfig } from "../load/index.js";
import type { ErrorWhenConfig, ResponseConfig } from "../load/config.js";
import type { ErrorInSuccessRule, FieldPath, StatusKey, TokenFieldFallbacks, TokenFieldNames } from "../runtime/types.js";
import { expiryOf } from "./expiry.js";
import { isJsonMediaType, mediaTypeBase, type TokenOperation } from "./operation.js";
import { isJson, memberAt, type Located, type ObjectShape, type SpecView } from "./schema.js";
import { spellingOf } from "./spelling.js";
import type { ErrorStatusModel, Fact, SuccessModel } from "./types.js";
import { found, type Found } from "./found.js";

/** RFC 6749 §5.1 names of the successful response's members. */
const ACCESS_TOKEN = "access_token";
const TOKEN_TYPE = "token_type";
const REFRESH_TOKEN = "refresh_token";
const SCOPE = "scope";

/** `"200"` -> 200, `"2XX"`/`"2xx"` -> `"2XX"`, `"default"`; undefined for anything else (OpenAPI 3.0 §4.7.16). */
export function statusKeyOf(key: string): StatusKey | undefined {
  if (/^[1-5]\d\d$/.test(key)) return Number(key);
  if (/^[1-5]XX$/i.test(key)) return key.toUpperCase() as StatusKey;
  return key === "default" ? "default" : undefined;
}

function isSuccessKey(status: StatusKey): boolean {
  return status === "2XX" || (typeof status === "number" && status >= 200 && status <= 299);
}

/** Reads the documented success response and what it says about expiry. */
export function buildSuccess(
  view: SpecView,
  token: TokenOperation,
  config: ProviderConfig | undefined,
  configFile: string,
  options: { readonly refreshTokenOnly?: boolean } = {},
): Found<SuccessModel> {
  const facts: Fact[] = [];
  const responses = view.objectAt(token.operation, "responses");
  const statuses: StatusKey[] = [];
  const formResponse = config?.response?.encoding === "form";
  let typed: { status: StatusKey; key: string; mediaType: string; schema: Located; media: Located } | undefined;
  for (const key of Object.keys(responses?.node ?? {}).sort()) {
    const status = statusKeyOf(key);
    if (status === undefined || !isSuccessKey(status) || !responses) continue;
    statuses.push(status);
    const json = jsonContent(view, responses, key, formResponse);
    if (json && !typed) typed = { status, key, ...json };
  }
  if (!typed) {
    throw new SpecError("no_json_success", view.file, `${token.operation.pointer}/responses`, "no 2xx response with a JSON schema: the token response cannot be typed");
  }
  const shape = unionShape(view, typed.schema);
  const stated = config?.response;
  const member = (rfcName: string, configured: string | undefined, topic: string): FieldPath | undefined => {
    if (configured !== undefined) {
      const path = fieldPathOf(configured);
      checkPath(view, typed!.schema, path, configFile, `/response/${topic}`);
      facts.push({ topic: "response", statement: `${topic} is at ${configured}`, source: "config", evidence: `${configFile}#/response/${topic}` });
      return path;
    }
    const name = spellingOf(shape.properties.keys(), rfcName);
    if (name !== undefined && name !== rfcName) {
      facts.push({ topic: "response", statement: `${name} is ${rfcName} spelt another way`, source: "inferred", evidence: shape.properties.get(name)!.schema.pointer });
    }
    return name;
  };
  const accessToken = member(ACCESS_TOKEN, stated?.accessToken, "accessToken");
  const refreshOnly = accessToken === undefined && options.refreshTokenOnly === true ? refreshOnlySuccess(typed, statuses, shape) : undefined;
  if (refreshOnly !== undefined) return refreshOnly;
  if (accessToken === undefined) {
    throw new SpecError("no_access_token", view.file, typed.schema.pointer, `the success response has no "${ACCESS_TOKEN}" property (in any spelling); if the token is elsewhere, state its path in the provider config as "response": {"accessToken": "..."}`);
  }
  const tokenType = member(TOKEN_TYPE, stated?.tokenType, "tokenType");
  const refreshToken = member(REFRESH_TOKEN, stated?.refreshToken, "refreshToken");
  const scope = member(SCOPE, stated?.scope, "scope");
  const fallbacks = configuredFallbacks(view, typed.schema, stated?.fallbacks, configFile, facts);
  const tokenFields: TokenFieldNames = {
    accessToken,
    ...(tokenType !== undefined ? { tokenType } : {}),
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(fallbacks !== undefined ? { fallbacks } : {}),
  };
  facts.push({ topic: "success", statement: `status ${typed.key}, ${typed.mediaType}`, source: "spec", evidence: typed.schema.pointer });
  const errorInSuccess = configuredErrorInSuccess(view, typed.schema, stated?.errorWhen, configFile, facts);
  if (formResponse) {
    facts.push({ topic: "response", statement: "the success body is form-encoded; one labelled JSON that does not parse as JSON is read as a form (GitHub)", source: "config", evidence: `${configFile}#/response/encoding` });
  }
  const expiry = expiryOf(view, { schema: typed.schema, shape, media: typed.media }, config?.expiry, configFile);
  const success: SuccessModel = {
    statuses,
    typedStatus: typed.status,
    typedKey: typed.key,
    mediaType: typed.mediaType,
    tokenFields,
    expiry: expiry.value,
    ...(formResponse ? { responseEncoding: "form" as const } : {}),
    ...(errorInSuccess !== undefined ? { errorInSuccess } : {}),
  };
  return found(success, [...facts, ...expiry.facts]);
}

/**
 * An operation that answers with a refresh token only (one of several token operations, such as an exchange for a
 * refresh token): the refresh token is the token it issues, read where an access token would be.
 */
function refreshOnlySuccess(
  typed: { status: StatusKey; key: string; mediaType: string; schema: Located; media: Located },
  statuses: StatusKey[],
  shape: ObjectShape,
): Found<SuccessModel> | undefined {
  const refreshToken = spellingOf(shape.properties.keys(), REFRESH_TOKEN);
  if (refreshToken === undefined) return undefined;
  const success: SuccessModel = {
    statuses,
    typedStatus: typed.status,
    typedKey: typed.key,
    mediaType: typed.mediaType,
    tokenFields: { accessToken: refreshToken, refreshToken },
    expiry: { kind: "none" },
    issues: "refresh_token",
  };
  return found(success, [
    { topic: "success", statement: `status ${typed.key}, ${typed.mediaType}`, source: "spec", evidence: typed.schema.pointer },
    {
      topic: "response",
      statement: `the success response has ${refreshToken} and no access_token: the grant methods return the refresh token as the token, and no session opens on this operation`,
      source: "spec",
      evidence: shape.properties.get(refreshToken)!.schema.pointer,
    },
  ]);
}

/** `"data.token"` -> `["data", "token"]`; a plain name stays a string. */
function fieldPathOf(dotted: string): FieldPath {
  return dotted.includes(".") ? dotted.split(".") : dotted;
}

/** `response.fallbacks`: each path checked against the success schema, each member a fact. */
function configuredFallbacks(
  view: SpecView,
  schema: Located,
  stated: ResponseConfig["fallbacks"],
  configFile: string,
  facts: Fact[],
): TokenFieldFallbacks | undefined {
  if (stated === undefined) return undefined;
  const out: { -readonly [K in keyof TokenFieldFallbacks]: FieldPath[] } = {};
  for (const member of ["accessToken", "tokenType", "refreshToken", "scope"] as const) {
    const paths = stated[member];
    if (paths === undefined) continue;
    out[member] = paths.map((dotted, index) => {
      const path = fieldPathOf(dotted);
      checkPath(view, schema, path, configFile, `/response/fallbacks/${member}/${index}`);
      return path;
    });
    facts.push({ topic: "response", statement: `${member} is read from ${paths.join(", then ")} when the first place is empty`, source: "config", evidence: `${configFile}#/response/fallbacks/${member}` });
  }
  return out;
}

/** `response.errorWhen`: its field (and code field) checked against the success schema, as a fact. */
function configuredErrorInSuccess(
  view: SpecView,
  schema: Located,
  stated: ErrorWhenConfig | undefined,
  configFile: string,
  facts: Fact[],
): ErrorInSuccessRule | undefined {
  if (stated === undefined) return undefined;
  const field = fieldPathOf(stated.field);
  checkPath(view, schema, field, configFile, "/response/errorWhen/field");
  const code = stated.code === undefined ? undefined : fieldPathOf(stated.code);
  if (code !== undefined) checkPath(view, schema, code, configFile, "/response/errorWhen/code");
  const withCode = code === undefined ? {} : { code };
  const rule: ErrorInSuccessRule =
    "equals" in stated
      ? { field, equals: stated.equals, ...withCode }
      : "present" in stated
        ? { field, present: stated.present, ...withCode }
        : { field, in: stated.in, ...withCode };
  facts.push({ topic: "errors", statement: errorInSuccessText(rule), source: "config", evidence: `${configFile}#/response/errorWhen` });
  return rule;
}

/** The rule in words, for facts and `explain`: "a success body whose ok is false is an error". */
export function errorInSuccessText(rule: ErrorInSuccessRule): string {
  const field = typeof rule.field === "string" ? rule.field : rule.field.join(".");
  const test = "equals" in rule
    ? `is ${JSON.stringify(rule.equals)}`
    : "present" in rule
      ? rule.present ? "is present" : "is absent"
      : `is one of ${rule.in.map((v) => JSON.stringify(v)).join(", ")}`;
  const code = rule.code === undefined ? "" : `; its code is at ${typeof rule.code === "string" ? rule.code : rule.code.join(".")}`;
  return `a success body whose ${field} ${test} is an error${code}`;
}

/**
 * A configured path must exist in the schema, unless the schema leaves room
 * for undocumented members; one that does not is refused naming both the
 * config's pointer and the schema's.
 */
function checkPath(view: SpecView, schema: Located, path: FieldPath, configFile: string, pointer: string): void {
  const member = memberAt(view, schema, typeof path === "string" ? [path] : path);
  if (!("missing" in member) || member.open) return;
  throw new SpecError("config_contradicts_spec", configFile, pointer, `the success response schema (${view.file}#${member.pointer}) has no ${JSON.stringify(member.missing)} member`);
}

/** Documented error statuses (3.0 §4.7.16 Responses): single statuses, range keys (`4XX`) and `default`. */
export function buildErrors(view: SpecView, token: TokenOperation): Found<ErrorStatusModel[]> {
  const responses = view.objectAt(token.operation, "responses");
  const errors: ErrorStatusModel[] = [];
  for (const key of Object.keys(responses?.node ?? {}).sort()) {
    const status = statusKeyOf(key);
    if (!responses || status === undefined || isSuccessKey(status)) continue;
    if (status === "1XX" || (typeof status === "number" && status < 300)) continue;
    const response = view.objectAt(responses, key);
    const description = response && isJson(response.node) && typeof response.node["description"] === "string" && response.node["description"] !== "" ? response.node["description"] : undefined;
    const json = jsonContent(view, responses, key, false);
    errors.push({ status, key, ...(description !== undefined ? { description } : {}), ...(json ? { mediaType: json.mediaType } : {}) });
  }
  if (errors.length === 0) return found(errors);
  return found(errors, [{ topic: "errors", statement: `documented statuses ${errors.map((e) => e.key).join(", ")}`, source: "spec", evidence: `${token.operation.pointer}/responses` }]);
}

/**
 * The JSON body of a response: a JSON media type, or `*\/*` (which a JSON
 * answer satisfies; the runtime still checks the content type it gets).
 * With `anyMedia`, any media type with a schema (a form-encoded answer).
 */
function jsonContent(view: SpecView, responses: Located, key: string, anyMedia: boolean): { mediaType: string; schema: Located; media: Located } | undefined {
  const response = view.objectAt(responses, key);
  const content = response && view.objectAt(response, "content");
  if (!content || !isJson(content.node)) return undefined;
  const keys = Object.keys(content.node);
  const mediaType = keys.find(isJsonMediaType) ?? keys.find((m) => mediaTypeBase(m) === "*/*") ?? (anyMedia ? keys[0] : undefined);
  const media = mediaType === undefined ? undefined : view.objectAt(content, mediaType);
  if (!media || mediaType === undefined || !isJson(media.node) || media.node["schema"] === undefined) return undefined;
  return { mediaType, schema: view.deref({ node: media.node["schema"], pointer: `${media.pointer}/schema` }), media };
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
