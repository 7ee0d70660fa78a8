import { SpecError, toPointer, type GrantConfig, type ProviderConfig } from "../load/index.js";
import { GRANT_FIELD, type TokenOperation, type TokenParameter } from "./operation.js";
import { isJson, type Located, type ObjectShape, type PropertyShape, type SpecView } from "./schema.js";
import { methodNameFor, pascalCase, uniqueMethodNames } from "./names.js";
import { spellingKey, spellingOf } from "./spelling.js";
import { CLIENT_ID_FIELD, CLIENT_SECRET_FIELD, clientOptions, documentClientAuth, declaresBasicAuth } from "./client-auth.js";
import type { AlternativeModel, ClientOptionsModel, Fact, FieldModel, GrantModel, WireSource } from "./types.js";
import { found, type Found } from "./found.js";
import { STANDARD_GRANTS, grantDefinition, retriedBySession, rfcText, standardGrant } from "./grants/index.js";

/** The fields the registry says a grant's request cannot do without. */
function requiredFields(grantType: string): readonly string[] {
  return standardGrant(grantType)?.fields.filter((field) => field.required).map((field) => field.name) ?? [];
}

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
export function buildGrants(view: SpecView, token: TokenOperation, config: ProviderConfig | undefined, configFile: string, extras: GrantExtras = {}): Found<GrantsResult> {
  const read = readVariants(view, token, config, configFile);
  const variants = read.value;
  const assignment = assignGrants(variants);
  const assigned = assignment.value;
  const basic = declaresBasicAuth(view, token);
  for (const configured of Object.keys(config?.grants ?? {})) {
    if (!assigned.has(configured)) {
      throw new SpecError("config", configFile, toPointer(["grants", configured]), `the spec has no ${JSON.stringify(configured)} grant; its grants are ${[...assigned.keys()].join(", ")}`);
    }
  }
  const methodNames = uniqueMethodNames([...assigned.keys()].map(methodNameFor));
  const described = [...assigned.entries()].map(([grantType, variant], index) => {
    const siblings = variant.grantTypes.filter((other) => other !== grantType && assigned.get(other) === variant);
    return describeGrant(view, token, grantType, variant, siblings, methodNames[index]!, basic.value, config, configFile, extras);
  });
  const grants = described.map((d) => d.value);
  return found(
    { grants, client: clientOptions(grants, variants.map((v) => v.shape.required)) },
    [read.facts, assignment.facts, basic.facts, ...described.map((d) => d.facts)].flat(),
  );
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

function readVariants(view: SpecView, token: TokenOperation, config: ProviderConfig | undefined, configFile: string): Found<Variant[]> {
  const facts: Fact[] = [];
  const grantTypes = (variant: Located, shape: ObjectShape, grantSchema: Located): string[] => {
    const types = grantTypesOf(view, variant, shape, grantSchema, config, configFile);
    facts.push(...types.facts);
    return types.value;
  };
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
    variants.push({ schema, shape, wire, grantField, grantTypes: grantTypes(schema, shape, shape.properties.get(grantField)!.schema) });
  });
  if (variants.length > 0) return found(variants, facts);
  // No body variant carries grant_type: a query parameter may, or the operation implies its grant.
  const schema: Located = token.body?.schema ?? token.operation;
  const shape = withParameters(token.body ? view.objectShape(token.body.schema) : { properties: new Map(), required: new Set() }, token.parameters);
  const wire: WireSource = !token.body ? { kind: "no-body" } : schema.componentName !== undefined ? { kind: "component", name: schema.componentName } : { kind: "request-body" };
  const grantParameter = spellingOf(token.parameters.filter((p) => p.in === "query").map((p) => p.name), GRANT_FIELD);
  if (grantParameter !== undefined) {
    return found([{ schema, shape, wire, grantField: grantParameter, grantTypes: grantTypes(schema, shape, shape.properties.get(grantParameter)!.schema) }], facts);
  }
  const configured = Object.keys(config?.grants ?? {});
  if (configured.length !== 1) {
    throw new SpecError(
      configured.length === 0 ? "no_grant_type" : "config",
      configured.length === 0 ? view.file : configFile,
      configured.length === 0 ? token.operation.pointer : "/grants",
      `the token operation ${token.method.toUpperCase()} ${token.path} takes no ${GRANT_FIELD}, so the grant it issues must be named in the provider config as exactly one entry under "grants" (e.g. {"grants": {"client_credentials": {}}})`,
    );
  }
  facts.push({ topic: "grants", statement: `${configured[0]} is implied: the operation takes no ${GRANT_FIELD}`, source: "config", evidence: `${configFile}#/grants` });
  return found([{ schema, shape, wire, grantField: undefined, grantTypes: configured }], facts);
}

/** The grant types one request variant accepts: its enum or const, else inferred. */
function grantTypesOf(view: SpecView, variant: Located, shape: ObjectShape, grantSchema: Located, config: ProviderConfig | undefined, configFile: string): Found<string[]> {
  const described = view.describe(grantSchema);
  const enumerated = (described.enumValues ?? []).filter((value): value is string => typeof value === "string");
  if (enumerated.length > 0) {
    return found(enumerated, [{ topic: "grants", statement: `grant types ${enumerated.join(", ")}`, source: "spec", evidence: grantSchema.pointer }]);
  }
  // A free-form grant type field: the provider config may list the values it takes.
  const configured = Object.keys(config?.grants ?? {});
  if (configured.length > 0) {
    return found(configured, [{ topic: "grants", statement: `grant types ${configured.join(", ")} (the field has no enum)`, source: "config", evidence: `${configFile}#/grants` }]);
  }
  const hinted = [described.documentedDefault, ...described.examples].find((value): value is string => typeof value === "string" && value !== "");
  if (hinted !== undefined) {
    return found([hinted], [{ topic: "grants", statement: `grant type ${hinted}, from the field's example or default (it has no enum)`, source: "inferred", evidence: grantSchema.pointer }]);
  }
  const byFields = STANDARD_GRANTS.map((grant) => ({ grantType: grant.grantType, required: requiredFields(grant.grantType) }))
    .filter(({ required }) => required.length > 0 && required.every((field) => shape.properties.has(field)))
    .sort((a, b) => b.required.length - a.required.length)[0];
  const inferred = byFields?.grantType ?? "client_credentials";
  return found([inferred], [{
    topic: "grants",
    statement: `grant type ${inferred}, from the fields the request carries (${byFields ? byFields.required.join(", ") : "no grant-specific fields"})`,
    source: "inferred",
    evidence: variant.pointer,
  }]);
}

/**
 * Gives each grant type one request variant. When several variants list the
 * same grant (rendered docs often repeat the whole enum in every variant), the
 * variant holding that grant's RFC fields wins.
 */
function assignGrants(variants: readonly Variant[]): Found<Map<string, Variant>> {
  const facts: Fact[] = [];
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
  return found(assigned, facts);
}

function fitScore(grantType: string, variant: Variant): number {
  const own = grantDefinition(grantType);
  const has = (field: string) => spellingOf(variant.shape.properties.keys(), field) !== undefined;
  let score = 0;
  for (const field of requiredFields(grantType)) if (has(field)) score += 2;
  for (const grant of STANDARD_GRANTS) {
    if (grant.grantType === grantType) continue;
    for (const field of grant.owns) if (has(field) && !own.owns.includes(field)) score -= 1;
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
  extras: GrantExtras,
): Found<GrantModel> {
  const facts: Fact[] = [];
  const definition = grantDefinition(grantType);
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
    if (ownedElsewhere.has(name) && !spelledIn(definition.owns, name)) continue;
    const rfcRequired = spelledIn(requiredFields(grantType), name);
    if (rfcRequired && !variant.shape.required.has(name)) {
      facts.push({ topic: `grant ${grantType}`, statement: `${name} is required (${rfcText(definition)}) although the schema does not say so`, source: "inferred", evidence: property.schema.pointer });
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
    if (!alternativeFields.has(name) && ownedElsewhere.has(name) && !spelledIn(definition.owns, name)) {
      facts.push({ topic: `grant ${grantType}`, statement: `${name} is required by the schema but belongs to another grant, so this grant does not send it`, source: "inferred", evidence: variant.schema.pointer });
      return true;
    }
    return false;
  });
  const idProperty = idField !== undefined ? variant.shape.properties.get(idField) : undefined;
  const idLocation = idProperty !== undefined ? parameterLocations.get(idProperty) : undefined;
  const documented = documentClientAuth({ grantType, idField, secretField, idLocation, fieldsPointer: variant.schema.pointer, basic: basicDeclared || token.authorizationHeader, config, configFile, extras });
  facts.push(...documented.facts);
  const clientAuth = documented.value;
  const variantDescription = isJson(variant.schema.node) && typeof variant.schema.node["description"] === "string" ? variant.schema.node["description"] : undefined;
  const rfcRefreshField = definition.refreshTokenField;
  const refreshTokenField = rfcRefreshField !== undefined ? spellingOf(names, rfcRefreshField) ?? rfcRefreshField : undefined;
  return found({
    grantType,
    ...(variant.grantField !== undefined ? { grantField: variant.grantField } : {}),
    ...(refreshTokenField !== undefined ? { refreshTokenField } : {}),
    methodName,
    ...(variantDescription !== undefined ? { description: variantDescription } : {}),
    wire: variant.wire,
    clientAuth,
    fields,
    alternatives,
    reobtainable: definition.reobtainable,
    retried: retriedBySession(definition),
    relaxedRequired,
  }, facts);
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
