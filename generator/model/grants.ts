import { SpecError, toPointer, type GrantConfig, type ProviderConfig } from "../load/index.js";
import { GRANT_FIELD, type TokenOperation, type TokenParameter } from "./operation.js";
import { isJson, type Located, type ObjectShape, type PropertyShape, type SpecView } from "./schema.js";
import { methodNameFor, pascalCase, uniqueMethodNames } from "./names.js";
import { spellingKey, spellingOf } from "./spelling.js";
import { CLIENT_ID_FIELD, CLIENT_SECRET_FIELD, clientAuthFor, clientOptions, declaresBasicAuth } from "./client-auth.js";
import type { AlternativeModel, ClientOptionsModel, Fact, FieldModel, GrantModel, WireSource } from "./types.js";

/** What the RFCs say each standard grant's request carries. */
interface StandardGrant {
  /** Fields the grant cannot do without. */
  readonly required: readonly string[];
  /** Fields that belong to this grant only (so a flat multi-grant schema can be split). */
  readonly owns: readonly string[];
  /** False where replaying the request is wrong: a code is single-use (RFC 6749 §10.5). */
  readonly replayable: boolean;
  /**
   * Whether a session may run the grant again, unattended, for a new token:
   * client credentials and a held password may; a code, a device code, an
   * assertion or a refresh token (rotated away after use) may not.
   */
  readonly reobtainable: boolean;
  readonly rfc: string;
}

const STANDARD_GRANTS: Readonly<Record<string, StandardGrant>> = {
  authorization_code: { required: ["code"], owns: ["code", "redirect_uri", "code_verifier"], replayable: false, reobtainable: false, rfc: "RFC 6749 §4.1.3, RFC 7636 §4.5" },
  password: { required: ["username", "password"], owns: ["username", "password"], replayable: true, reobtainable: true, rfc: "RFC 6749 §4.3.2" },
  client_credentials: { required: [], owns: [], replayable: true, reobtainable: true, rfc: "RFC 6749 §4.4.2" },
  refresh_token: { required: ["refresh_token"], owns: ["refresh_token"], replayable: true, reobtainable: false, rfc: "RFC 6749 §6" },
  "urn:ietf:params:oauth:grant-type:device_code": { required: ["device_code"], owns: ["device_code"], replayable: true, reobtainable: false, rfc: "RFC 8628 §3.4" },
  "urn:ietf:params:oauth:grant-type:jwt-bearer": { required: ["assertion"], owns: ["assertion"], replayable: true, reobtainable: false, rfc: "RFC 7523 §2.1" },
  "urn:ietf:params:oauth:grant-type:token-exchange": {
    required: ["subject_token", "subject_token_type"],
    owns: ["subject_token", "subject_token_type", "actor_token", "actor_token_type", "requested_token_type"],
    replayable: true,
    reobtainable: false,
    rfc: "RFC 8693 §2.1",
  },
};

/** The RFC facts for a grant type, read as an own property (grant types come from the spec: "constructor" is not a grant). */
function standardGrant(grantType: string): StandardGrant | undefined {
  return Object.hasOwn(STANDARD_GRANTS, grantType) ? STANDARD_GRANTS[grantType] : undefined;
}

/** RFC 6749 §6: the field a refresh grant carries the refresh token in. */
const REFRESH_TOKEN_FIELD = "refresh_token";

interface Variant {
  readonly schema: Located;
  /** Body properties merged with the operation's parameters (each parameter keeps its location). */
  readonly shape: ObjectShape;
  readonly wire: WireSource;
  readonly grantTypes: readonly string[];
  /** The field carrying the grant type, as the spec spells it; absent when the operation implies its grant. */
  readonly grantField: string | undefined;
}

export interface GrantsResult {
  readonly grants: GrantModel[];
  readonly client: ClientOptionsModel;
}

/** What the model knows beyond the operation: from a synthesised operation. */
export interface GrantExtras {
  /** Path parameters the provider config's `requestPath` adds to every grant. */
  readonly pathFields?: readonly FieldModel[];
  /** Known scopes per grant type (OAuth2 flow `scopes`). */
  readonly scopes?: Readonly<Record<string, readonly string[]>>;
  /** OpenID Connect: client authentication follows the discovery document. */
  readonly discovered?: boolean;
}

/** Describes every grant the token operation accepts. */
export function buildGrants(view: SpecView, token: TokenOperation, config: ProviderConfig | undefined, configFile: string, facts: Fact[], extras: GrantExtras = {}): GrantsResult {
  const variants = readVariants(view, token, config, configFile, facts);
  const assigned = assignGrants(variants, facts);
  const basicDeclared = declaresBasicAuth(view, token, facts);
  for (const configured of Object.keys(config?.grants ?? {})) {
    if (!assigned.has(configured)) {
      throw new SpecError("config", configFile, toPointer(["grants", configured]), `the spec has no ${JSON.stringify(configured)} grant; its grants are ${[...assigned.keys()].join(", ")}`);
    }
  }
  const methodNames = uniqueMethodNames([...assigned.keys()].map(methodNameFor));
  const grants = [...assigned.entries()].map(([grantType, variant], index) => {
    const siblings = variant.grantTypes.filter((other) => other !== grantType && assigned.get(other) === variant);
    return describeGrant(view, token, grantType, variant, siblings, methodNames[index]!, basicDeclared, config, configFile, facts, extras);
  });
  return { grants, client: clientOptions(grants, variants.map((v) => v.shape.required)) };
}

/** Where each parameter travels, by name (body fields are not listed). */
const parameterLocations = new WeakMap<PropertyShape, TokenParameter["in"]>();

/** The body schema's properties plus the operation's query, header and path parameters. */
function withParameters(shape: ObjectShape, parameters: readonly TokenParameter[]): ObjectShape {
  if (parameters.length === 0) return shape;
  const properties = new Map(shape.properties);
  const required = new Set(shape.required);
  for (const parameter of parameters) {
    if (properties.has(parameter.name)) continue;
    // The Parameter Object's own description (OpenAPI 3.0 §4.7.12) describes the field better than its schema's.
    const schemaNode = isJson(parameter.schema.node) ? parameter.schema.node : {};
    const schema = parameter.description === undefined ? parameter.schema : { ...parameter.schema, node: { ...schemaNode, description: parameter.description } };
    const property: PropertyShape = { schema };
    parameterLocations.set(property, parameter.in);
    properties.set(parameter.name, property);
    if (parameter.required) required.add(parameter.name);
  }
  return { properties, required };
}

function readVariants(view: SpecView, token: TokenOperation, config: ProviderConfig | undefined, configFile: string, facts: Fact[]): Variant[] {
  const members = token.body ? view.variants(token.body.schema) : [];
  const variants: Variant[] = [];
  members.forEach((schema, index) => {
    const shape = withParameters(view.objectShape(schema), token.parameters);
    const grantField = spellingOf(view.objectShape(schema).properties.keys(), GRANT_FIELD);
    if (grantField === undefined) return;
    if (grantField !== GRANT_FIELD) {
      facts.push({ topic: "fields", statement: `${grantField} is ${GRANT_FIELD} spelt another way`, source: "inferred", evidence: shape.properties.get(grantField)!.schema.pointer });
    }
    const wire: WireSource =
      schema.componentName !== undefined ? { kind: "component", name: schema.componentName } : members.length === 1 ? { kind: "request-body" } : { kind: "request-body-variant", index };
    variants.push({ schema, shape, wire, grantField, grantTypes: grantTypesOf(view, schema, shape, shape.properties.get(grantField)!.schema, facts, config, configFile) });
  });
  if (variants.length > 0) return variants;
  // No body variant carries grant_type: a query parameter may, or the operation implies its grant.
  const schema: Located = token.body?.schema ?? token.operation;
  const shape = withParameters(token.body ? view.objectShape(token.body.schema) : { properties: new Map(), required: new Set() }, token.parameters);
  const wire: WireSource = !token.body ? { kind: "no-body" } : schema.componentName !== undefined ? { kind: "component", name: schema.componentName } : { kind: "request-body" };
  const grantParameter = spellingOf(token.parameters.filter((p) => p.in === "query").map((p) => p.name), GRANT_FIELD);
  if (grantParameter !== undefined) {
    return [{ schema, shape, wire, grantField: grantParameter, grantTypes: grantTypesOf(view, schema, shape, shape.properties.get(grantParameter)!.schema, facts, config, configFile) }];
  }
  const configured = Object.keys(config?.grants ?? {});
  if (configured.length !== 1) {
    throw new SpecError(
      configured.length === 0 ? "unsupported" : "config",
      configured.length === 0 ? view.file : configFile,
      configured.length === 0 ? token.operation.pointer : "/grants",
      `the token operation ${token.method.toUpperCase()} ${token.path} takes no ${GRANT_FIELD}, so the grant it issues must be named in the provider config as exactly one entry under "grants" (e.g. {"grants": {"client_credentials": {}}})`,
    );
  }
  facts.push({ topic: "grants", statement: `${configured[0]} is implied: the operation takes no ${GRANT_FIELD}`, source: "config", evidence: `${configFile}#/grants` });
  return [{ schema, shape, wire, grantField: undefined, grantTypes: configured }];
}

/** The grant types one request variant accepts: its enum or const, else inferred. */
function grantTypesOf(view: SpecView, variant: Located, shape: ObjectShape, grantSchema: Located, facts: Fact[], config: ProviderConfig | undefined, configFile: string): string[] {
  const described = view.describe(grantSchema);
  const enumerated = (described.enumValues ?? []).filter((value): value is string => typeof value === "string");
  if (enumerated.length > 0) {
    facts.push({ topic: "grants", statement: `grant types ${enumerated.join(", ")}`, source: "spec", evidence: grantSchema.pointer });
    return enumerated;
  }
  // A free-form grant type field: the provider config may list the values it takes.
  const configured = Object.keys(config?.grants ?? {});
  if (configured.length > 0) {
    facts.push({ topic: "grants", statement: `grant types ${configured.join(", ")} (the field has no enum)`, source: "config", evidence: `${configFile}#/grants` });
    return configured;
  }
  const hinted = [described.documentedDefault, ...described.examples].find((value): value is string => typeof value === "string" && value !== "");
  if (hinted !== undefined) {
    facts.push({ topic: "grants", statement: `grant type ${hinted}, from the field's example or default (it has no enum)`, source: "inferred", evidence: grantSchema.pointer });
    return [hinted];
  }
  const byFields = Object.entries(STANDARD_GRANTS)
    .filter(([, grant]) => grant.required.length > 0 && grant.required.every((field) => shape.properties.has(field)))
    .sort(([, a], [, b]) => b.required.length - a.required.length)[0];
  const inferred = byFields?.[0] ?? "client_credentials";
  facts.push({
    topic: "grants",
    statement: `grant type ${inferred}, from the fields the request carries (${byFields ? byFields[1].required.join(", ") : "no grant-specific fields"})`,
    source: "inferred",
    evidence: variant.pointer,
  });
  return [inferred];
}

/**
 * Gives each grant type one request variant. When several variants list the
 * same grant (rendered docs often repeat the whole enum in every variant), the
 * variant holding that grant's RFC fields wins.
 */
function assignGrants(variants: readonly Variant[], facts: Fact[]): Map<string, Variant> {
  const assigned = new Map<string, Variant>();
  const allTypes = [...new Set(variants.flatMap((v) => v.grantTypes))];
  for (const grantType of allTypes) {
    const holders = variants.filter((v) => v.grantTypes.includes(grantType));
    if (holders.length === 1) {
      assigned.set(grantType, holders[0]!);
      continue;
    }
    const scored = holders.map((variant) => ({ variant, score: fitScore(grantType, variant) }));
    scored.sort((a, b) => b.score - a.score);
    assigned.set(grantType, scored[0]!.variant);
    facts.push({ topic: "grants", statement: `${grantType} is listed by ${holders.length} request variants; using the one whose fields fit the grant`, source: "inferred", evidence: scored[0]!.variant.schema.pointer });
  }
  return assigned;
}

function fitScore(grantType: string, variant: Variant): number {
  const own = standardGrant(grantType);
  const has = (field: string) => spellingOf(variant.shape.properties.keys(), field) !== undefined;
  let score = 0;
  for (const field of own?.required ?? []) if (has(field)) score += 2;
  for (const [other, grant] of Object.entries(STANDARD_GRANTS)) {
    if (other === grantType) continue;
    for (const field of grant.owns) if (has(field) && !own?.owns.includes(field)) score -= 1;
  }
  return score;
}

/** Whether `name` is one of `rfcNames` in any spelling (`RefreshToken` is `refresh_token`). */
function spelledIn(rfcNames: readonly string[] | undefined, name: string): boolean {
  const key = spellingKey(name);
  return (rfcNames ?? []).some((rfc) => spellingKey(rfc) === key);
}

function describeGrant(
  view: SpecView,
  token: TokenOperation,
  grantType: string,
  variant: Variant,
  siblings: readonly string[],
  methodName: string,
  basicDeclared: boolean,
  config: ProviderConfig | undefined,
  configFile: string,
  facts: Fact[],
  extras: GrantExtras,
): GrantModel {
  const standard = standardGrant(grantType);
  const grantConfig = ownGrantConfig(config, grantType);
  const configured = grantConfig?.alternatives ?? [];
  const alternativeFields = new Set(configured.flat());
  const relaxByConfig = new Set(grantConfig?.relaxRequired ?? []);
  for (const [index, name] of (grantConfig?.relaxRequired ?? []).entries()) {
    if (!variant.shape.required.has(name)) {
      throw new SpecError("config", configFile, toPointer(["grants", grantType, "relaxRequired", index]), `${JSON.stringify(name)} is not a required field of the ${grantType} request`);
    }
  }
  // Fields another grant in the same flat schema owns, by RFC or by config.
  const ownedElsewhere = new Set<string>();
  for (const sibling of siblings) {
    for (const field of variant.shape.properties.keys()) if (spelledIn(standardGrant(sibling)?.owns, field)) ownedElsewhere.add(field);
    for (const field of (ownGrantConfig(config, sibling)?.alternatives ?? []).flat()) ownedElsewhere.add(field);
  }
  const names = [...variant.shape.properties.keys()];
  const idField = spellingOf(names, CLIENT_ID_FIELD);
  const secretField = spellingOf(names, CLIENT_SECRET_FIELD);
  const isClientField = (name: string) => name === idField || name === secretField;
  const fields: FieldModel[] = [...(extras.pathFields ?? [])];
  for (const field of fields) {
    if (variant.shape.properties.has(field.name)) {
      throw new SpecError("config", configFile, "/requestPath", `{${field.name}} is already a field of the ${grantType} request`);
    }
  }
  for (const [name, property] of variant.shape.properties) {
    if (name === variant.grantField || isClientField(name) || alternativeFields.has(name)) continue;
    if (ownedElsewhere.has(name) && !spelledIn(standard?.owns, name)) continue;
    const rfcRequired = spelledIn(standard?.required, name);
    if (rfcRequired && !variant.shape.required.has(name)) {
      facts.push({ topic: `grant ${grantType}`, statement: `${name} is required (${standard!.rfc}) although the schema does not say so`, source: "inferred", evidence: property.schema.pointer });
    }
    const required = !relaxByConfig.has(name) && (variant.shape.required.has(name) || rfcRequired);
    const location = parameterLocations.get(property);
    const known = spellingKey(name) === "scope" ? extras.scopes?.[grantType] : undefined;
    fields.push({
      ...fieldModel(view, name, property.schema, required),
      ...(location !== undefined ? { in: location } : {}),
      ...(known !== undefined && known.length > 0 ? { knownValues: known, spaceDelimited: true } : {}),
    });
  }
  const alternatives: AlternativeModel[] = configured.map((set, setIndex) => ({
    label: pascalCase(set.join(" ")),
    fields: set.map((name, fieldIndex) => {
      const property = variant.shape.properties.get(name);
      if (!property) {
        throw new SpecError("config", configFile, toPointer(["grants", grantType, "alternatives", setIndex, fieldIndex]), `field ${JSON.stringify(name)} is not in the ${grantType} request schema`);
      }
      return fieldModel(view, name, property.schema, true);
    }),
  }));
  if (alternatives.length > 0) {
    facts.push({ topic: `grant ${grantType}`, statement: `credentials are one of: ${configured.map((s) => s.join("+")).join(" | ")}`, source: "config", evidence: `${configFile}#${toPointer(["grants", grantType, "alternatives"])}` });
  }
  const relaxedRequired = [...variant.shape.required].filter((name) => {
    if (name === variant.grantField || isClientField(name)) return false;
    if (relaxByConfig.has(name)) {
      facts.push({ topic: `grant ${grantType}`, statement: `${name} is required by the schema but this grant does not send it`, source: "config", evidence: `${configFile}#${toPointer(["grants", grantType, "relaxRequired"])}` });
      return true;
    }
    const inEveryAlternative = configured.length > 0 && configured.every((set) => set.includes(name));
    if (alternativeFields.has(name) && !inEveryAlternative) {
      facts.push({ topic: `grant ${grantType}`, statement: `${name} is required by the schema but sent only with the credential set that contains it`, source: "config", evidence: `${configFile}#${toPointer(["grants", grantType, "alternatives"])}` });
      return true;
    }
    if (!alternativeFields.has(name) && ownedElsewhere.has(name) && !spelledIn(standard?.owns, name)) {
      facts.push({ topic: `grant ${grantType}`, statement: `${name} is required by the schema but belongs to another grant, so this grant does not send it`, source: "inferred", evidence: variant.schema.pointer });
      return true;
    }
    return false;
  });
  const { rule: clientAuth, source } = clientAuthFor({ idField, secretField, basic: basicDeclared || token.authorizationHeader, config, configFile, extras });
  const where = clientAuth.kind === "fields" ? ` (${[idField, secretField].filter(Boolean).join(", ")}${parameterLocations.get(variant.shape.properties.get(idField!)!) ? ` in the ${parameterLocations.get(variant.shape.properties.get(idField!)!)}` : ""})` : "";
  facts.push({ topic: `grant ${grantType}`, statement: `client authentication: ${clientAuth.kind}${where}`, source, evidence: source === "config" ? `${configFile}#/clientAuth` : clientAuth.kind === "fields" ? variant.schema.pointer : "security" });
  const variantDescription = isJson(variant.schema.node) && typeof variant.schema.node["description"] === "string" ? variant.schema.node["description"] : undefined;
  const refreshTokenField = grantType === REFRESH_TOKEN_FIELD ? spellingOf(names, REFRESH_TOKEN_FIELD) ?? REFRESH_TOKEN_FIELD : undefined;
  return {
    grantType,
    ...(variant.grantField !== undefined ? { grantField: variant.grantField } : {}),
    ...(refreshTokenField !== undefined ? { refreshTokenField } : {}),
    methodName,
    paramsTypeName: `${pascalCase(methodName)}Params`,
    ...(variantDescription !== undefined ? { description: variantDescription } : {}),
    wire: variant.wire,
    clientAuth,
    fields,
    alternatives,
    replayable: standard?.replayable ?? false,
    reobtainable: standard?.reobtainable ?? false,
    relaxedRequired,
  };
}

function fieldModel(view: SpecView, name: string, schema: Located, requiredByShape: boolean): FieldModel {
  const facts = view.describe(schema);
  const hasDefault = facts.documentedDefault !== undefined;
  return {
    name,
    // A documented default means the server fills the field in: the caller may omit it.
    required: requiredByShape && !hasDefault,
    ...(facts.description !== undefined ? { description: facts.description } : {}),
    ...(hasDefault ? { documentedDefault: facts.documentedDefault } : {}),
    ...(facts.enumValues !== undefined ? { enumValues: facts.enumValues } : {}),
    nullable: facts.nullable,
    isArray: facts.isArray,
    deprecated: facts.deprecated,
  };
}

/** A grant's config, read as an own property only (grant types come from the spec). */
function ownGrantConfig(config: ProviderConfig | undefined, grantType: string): GrantConfig | undefined {
  const grants = config?.grants;
  return grants && Object.prototype.hasOwnProperty.call(grants, grantType) ? grants[grantType] : undefined;
}
