import { SpecError, type ProviderConfig } from "../load/index.js";
import type { ClientAuthRule } from "../runtime/types.js";
import { GRANT_FIELD, type TokenOperation } from "./operation.js";
import { isJson, type Located, type ObjectShape, type SpecView } from "./schema.js";
import { methodNameFor, pascalCase, uniqueMethodNames } from "./names.js";
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

/** RFC 6749 §2.3.1 names for client credentials sent in the body. */
const CLIENT_ID_FIELD = "client_id";
const CLIENT_SECRET_FIELD = "client_secret";

interface Variant {
  readonly schema: Located;
  readonly shape: ObjectShape;
  readonly wire: WireSource;
  readonly grantTypes: readonly string[];
}

export interface GrantsResult {
  readonly grants: GrantModel[];
  readonly client: ClientOptionsModel;
}

/** Describes every grant the token operation accepts. */
export function buildGrants(view: SpecView, token: TokenOperation, config: ProviderConfig | undefined, configFile: string, facts: Fact[]): GrantsResult {
  const variants = readVariants(view, token, facts);
  const assigned = assignGrants(variants, facts);
  const basicDeclared = declaresBasicAuth(view, token, facts);
  for (const configured of Object.keys(config?.grants ?? {})) {
    if (!assigned.has(configured)) {
      throw new SpecError("config", configFile, `/grants/${configured.replace(/~/g, "~0").replace(/\//g, "~1")}`, `the spec has no ${JSON.stringify(configured)} grant; its grants are ${[...assigned.keys()].join(", ")}`);
    }
  }
  const methodNames = uniqueMethodNames([...assigned.keys()].map(methodNameFor));
  const grants = [...assigned.entries()].map(([grantType, variant], index) => {
    const siblings = variant.grantTypes.filter((other) => other !== grantType && assigned.get(other) === variant);
    return describeGrant(view, grantType, variant, siblings, methodNames[index]!, basicDeclared, config, configFile, facts);
  });
  return { grants, client: clientOptions(grants, variants) };
}

function readVariants(view: SpecView, token: TokenOperation, facts: Fact[]): Variant[] {
  const members = view.variants(token.bodySchema);
  const variants: Variant[] = [];
  members.forEach((schema, index) => {
    const shape = view.objectShape(schema);
    const grantProperty = shape.properties.get(GRANT_FIELD);
    if (!grantProperty) return;
    const wire: WireSource =
      schema.componentName !== undefined ? { kind: "component", name: schema.componentName } : members.length === 1 ? { kind: "request-body" } : { kind: "request-body-variant", index };
    variants.push({ schema, shape, wire, grantTypes: grantTypesOf(view, schema, shape, grantProperty.schema, facts) });
  });
  return variants;
}

/** The grant types one request variant accepts: its enum or const, else inferred. */
function grantTypesOf(view: SpecView, variant: Located, shape: ObjectShape, grantSchema: Located, facts: Fact[]): string[] {
  const described = view.describe(grantSchema);
  const enumerated = (described.enumValues ?? []).filter((value): value is string => typeof value === "string");
  if (enumerated.length > 0) {
    facts.push({ topic: "grants", statement: `grant types ${enumerated.join(", ")}`, source: "spec", evidence: grantSchema.pointer });
    return enumerated;
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
  let score = 0;
  for (const field of own?.required ?? []) if (variant.shape.properties.has(field)) score += 2;
  for (const [other, grant] of Object.entries(STANDARD_GRANTS)) {
    if (other === grantType) continue;
    for (const field of grant.owns) if (variant.shape.properties.has(field) && !own?.owns.includes(field)) score -= 1;
  }
  return score;
}

function describeGrant(
  view: SpecView,
  grantType: string,
  variant: Variant,
  siblings: readonly string[],
  methodName: string,
  basicDeclared: boolean,
  config: ProviderConfig | undefined,
  configFile: string,
  facts: Fact[],
): GrantModel {
  const standard = standardGrant(grantType);
  const configured = ownGrantConfig(config, grantType)?.alternatives ?? [];
  const alternativeFields = new Set(configured.flat());
  // Fields another grant in the same flat schema owns, by RFC or by config.
  const ownedElsewhere = new Set<string>();
  for (const sibling of siblings) {
    for (const field of standardGrant(sibling)?.owns ?? []) ownedElsewhere.add(field);
    for (const field of (ownGrantConfig(config, sibling)?.alternatives ?? []).flat()) ownedElsewhere.add(field);
  }
  const isClientField = (name: string) => name === CLIENT_ID_FIELD || name === CLIENT_SECRET_FIELD;
  const fields: FieldModel[] = [];
  for (const [name, property] of variant.shape.properties) {
    if (name === GRANT_FIELD || isClientField(name) || alternativeFields.has(name)) continue;
    if (ownedElsewhere.has(name) && !standard?.owns.includes(name)) continue;
    const rfcRequired = standard?.required.includes(name) ?? false;
    if (rfcRequired && !variant.shape.required.has(name)) {
      facts.push({ topic: `grant ${grantType}`, statement: `${name} is required (${standard!.rfc}) although the schema does not say so`, source: "inferred", evidence: property.schema.pointer });
    }
    fields.push(fieldModel(view, name, property.schema, variant.shape.required.has(name) || rfcRequired));
  }
  const alternatives: AlternativeModel[] = configured.map((set, setIndex) => ({
    label: pascalCase(set.join(" ")),
    fields: set.map((name, fieldIndex) => {
      const property = variant.shape.properties.get(name);
      if (!property) {
        throw new SpecError("config", configFile, `/grants/${grantType}/alternatives/${setIndex}/${fieldIndex}`, `field ${JSON.stringify(name)} is not in the ${grantType} request schema`);
      }
      return fieldModel(view, name, property.schema, true);
    }),
  }));
  if (alternatives.length > 0) {
    facts.push({ topic: `grant ${grantType}`, statement: `credentials are one of: ${configured.map((s) => s.join("+")).join(" | ")}`, source: "config", evidence: `${configFile}#/grants/${grantType}/alternatives` });
  }
  const relaxedRequired = [...variant.shape.required].filter((name) => {
    if (name === GRANT_FIELD || isClientField(name)) return false;
    const inEveryAlternative = configured.length > 0 && configured.every((set) => set.includes(name));
    if (alternativeFields.has(name) && !inEveryAlternative) {
      facts.push({ topic: `grant ${grantType}`, statement: `${name} is required by the schema but sent only with the credential set that contains it`, source: "config", evidence: `${configFile}#/grants/${grantType}/alternatives` });
      return true;
    }
    if (!alternativeFields.has(name) && ownedElsewhere.has(name) && !standard?.owns.includes(name)) {
      facts.push({ topic: `grant ${grantType}`, statement: `${name} is required by the schema but belongs to another grant, so this grant does not send it`, source: "inferred", evidence: variant.schema.pointer });
      return true;
    }
    return false;
  });
  const clientAuth = clientAuthFor(variant.shape, basicDeclared);
  facts.push({ topic: `grant ${grantType}`, statement: `client authentication: ${clientAuth.kind}`, source: "spec", evidence: clientAuth.kind === "fields" ? variant.schema.pointer : "security" });
  const variantDescription = isJson(variant.schema.node) && typeof variant.schema.node["description"] === "string" ? variant.schema.node["description"] : undefined;
  return {
    grantType,
    grantField: GRANT_FIELD,
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

/** Body credentials when the variant has `client_id`; else HTTP Basic when the operation declares it. */
function clientAuthFor(shape: ObjectShape, basicDeclared: boolean): ClientAuthRule {
  if (shape.properties.has(CLIENT_ID_FIELD)) {
    return { kind: "fields", idField: CLIENT_ID_FIELD, ...(shape.properties.has(CLIENT_SECRET_FIELD) ? { secretField: CLIENT_SECRET_FIELD } : {}) };
  }
  return basicDeclared ? { kind: "basic" } : { kind: "none" };
}

/** Whether the operation's effective security (OpenAPI 3.0 §4.7.10 `security`) includes an `http`/`basic` scheme. */
function declaresBasicAuth(view: SpecView, token: TokenOperation, facts: Fact[]): boolean {
  const operationSecurity = isJson(token.operation.node) ? token.operation.node["security"] : undefined;
  const security = operationSecurity ?? view.document["security"];
  if (!Array.isArray(security)) return false;
  const components = view.objectAt({ node: view.document, pointer: "" }, "components");
  const schemes = components && view.objectAt(components, "securitySchemes");
  for (const requirement of security) {
    if (!isJson(requirement)) continue;
    for (const name of Object.keys(requirement)) {
      const scheme = schemes && view.objectAt(schemes, name);
      if (scheme && isJson(scheme.node) && scheme.node["type"] === "http" && String(scheme.node["scheme"]).toLowerCase() === "basic") {
        facts.push({ topic: "client authentication", statement: `HTTP Basic via security scheme ${JSON.stringify(name)}`, source: "spec", evidence: scheme.pointer });
        return true;
      }
    }
  }
  return false;
}

function clientOptions(grants: readonly GrantModel[], variants: readonly Variant[]): ClientOptionsModel {
  const sendsId = grants.some((g) => g.clientAuth.kind !== "none");
  const secretRequired =
    grants.some((g) => g.clientAuth.kind === "basic") ||
    variants.some((v) => v.shape.required.has(CLIENT_SECRET_FIELD) && v.shape.properties.has(CLIENT_ID_FIELD));
  const secretUsed = grants.some((g) => g.clientAuth.kind === "basic" || (g.clientAuth.kind === "fields" && g.clientAuth.secretField !== undefined));
  return {
    clientId: sendsId ? "required" : "absent",
    clientSecret: secretRequired ? "required" : secretUsed ? "optional" : "absent",
  };
}

/** A grant's config, read as an own property only (grant types come from the spec). */
function ownGrantConfig(config: ProviderConfig | undefined, grantType: string): { readonly alternatives?: readonly (readonly string[])[] } | undefined {
  const grants = config?.grants;
  return grants && Object.prototype.hasOwnProperty.call(grants, grantType) ? grants[grantType] : undefined;
}
