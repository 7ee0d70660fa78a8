import { SpecError } from "../load/errors.js";
import { escapeToken } from "../load/pointer.js";
import type { ConstantValue, GrantConfig, ProviderConfig } from "../load/config.js";
import { retriedBySession, standardGrant } from "./grants/index.js";
import { found, type Found } from "./found.js";
import { spellingKey } from "./spelling.js";
import type { Fact, FieldModel, GrantModel } from "./types.js";

/**
 * Token request quirks that are facts about fields rather than about the
 * operation (issue 13): constant fields, sent without the caller passing
 * them (a one-value enum in the spec, or the provider config's
 * `request.constantFields` and `grants.<type>.constantFields`), a scope
 * separator other than a space (`request.scopeSeparator`), and the
 * parameters a session's refresh keeps from the request that opened it.
 */

/** Fields a one-value enum never makes constant: the grant type and the client's credentials, which others own. */
const NEVER_CONSTANT = new Set(["client_id", "client_secret", "client_assertion", "client_assertion_type"]);

export interface RequestQuirks {
  readonly grants: GrantModel[];
  readonly scopeSeparator?: string;
}

/**
 * A documented scope separator as the runtime joins with it. In a form body or a URL query
 * (application/x-www-form-urlencoded, WHATWG URL §5) `+` is how a space is written, so a provider that documents
 * `+` reads a space; joining with a literal `+` would send `%2B`. A JSON body has no such encoding: `+` stays.
 */
export function joiningSeparator(documented: string, formEncoded: boolean): string {
  return formEncoded && documented === "+" ? " " : documented;
}

/** What a fact says of a documented separator, given the one the runtime joins with. */
export function separatorStatement(documented: string, joining: string): string {
  return documented === joining ? `joined with ${JSON.stringify(documented)}` : `joined with a space, which the form encoding writes as ${JSON.stringify(documented)}`;
}

/** `formEncoded`: the request's fields go in a form body or the query (not a JSON body). */
export function applyRequestQuirks(grants: readonly GrantModel[], config: ProviderConfig | undefined, configFile: string, formEncoded: boolean): Found<RequestQuirks> {
  const facts: Fact[] = [];
  const documented = config?.request?.scopeSeparator;
  const separator = documented === undefined ? undefined : joiningSeparator(documented, formEncoded);
  const out = grants.map((grant) => {
    // A Map, not an object: a field may be named "__proto__".
    const constants = new Map<string, ConstantValue>();
    const inferred = grant.fields.filter((field) => isOneValueEnum(grant, field));
    for (const field of inferred) {
      const value = field.enumValues![0] as ConstantValue;
      constants.set(field.name, value);
      facts.push({
        topic: `grant ${grant.grantType}`,
        statement: `${field.name}=${String(value)} is sent with every request: its enum has one value`,
        source: "inferred",
        evidence: "a one-value enum (generator/model/request-quirks.ts)",
      });
    }
    const stated: [string, Readonly<Record<string, ConstantValue>> | undefined][] = [
      ["/request/constantFields", config?.request?.constantFields],
      [`/grants/${escapeToken(grant.grantType)}/constantFields`, ownGrantConfig(config, grant.grantType)?.constantFields],
    ];
    for (const [pointer, fields] of stated) {
      for (const [name, value] of Object.entries(fields ?? {})) {
        constants.set(name, value);
        facts.push({ topic: `grant ${grant.grantType}`, statement: `${name}=${String(value)} is sent with every request`, source: "config", evidence: `${configFile}#${pointer}` });
      }
    }
    const names = new Set(constants.keys());
    const scopeJoined = separator !== undefined;
    const fields = grant.fields.map((field): FieldModel => {
      // The runtime sends a constant: the caller may leave it out.
      const constant = names.has(field.name) ? { ...field, required: false } : field;
      return scopeJoined && spellingKey(field.name) === "scope" && !field.isArray ? { ...constant, spaceDelimited: true } : constant;
    });
    const kept = keptBySession(grant);
    if (kept.length > 0) {
      facts.push({
        topic: `grant ${grant.grantType}`,
        statement: `a session's refresh sends ${kept.join(", ")} as the request that opened it did`,
        source: "inferred",
        evidence: "a path, query or header parameter of every request (generator/model/request-quirks.ts)",
      });
    }
    const rerun = statedReobtainable(grant, config, configFile, facts);
    const changed = names.size > 0 || kept.length > 0 || rerun !== undefined || fields.some((field, index) => field !== grant.fields[index]);
    if (!changed) return grant;
    return {
      ...grant,
      ...rerun,
      fields,
      ...(names.size > 0 ? { constantFields: Object.fromEntries(constants) } : {}),
      ...(kept.length > 0 ? { keptBySession: kept } : {}),
    };
  });
  if (documented !== undefined && separator !== undefined) {
    facts.push({ topic: "request", statement: `several scopes are ${separatorStatement(documented, separator)} in the token request`, source: "config", evidence: `${configFile}#/request/scopeSeparator` });
  }
  // A space is what the runtime joins with anyway.
  return found({ grants: out, ...(separator !== undefined && separator !== " " ? { scopeSeparator: separator } : {}) }, facts);
}

/** The config of one grant, own properties only (a grant type may be spelled "constructor"). */
function ownGrantConfig(config: ProviderConfig | undefined, grantType: string): GrantConfig | undefined {
  const grants = config?.grants;
  return grants !== undefined && Object.hasOwn(grants, grantType) ? grants[grantType] : undefined;
}

/**
 * `grants.<type>.reobtainable` for a grant of the provider's own: whether a session may run it again
 * (and so retry it). A registry grant's answer is its RFC's, so the config may not change it.
 */
function statedReobtainable(grant: GrantModel, config: ProviderConfig | undefined, configFile: string, facts: Fact[]): Pick<GrantModel, "reobtainable" | "retried"> | undefined {
  const stated = ownGrantConfig(config, grant.grantType)?.reobtainable;
  if (stated === undefined) return undefined;
  const pointer = `/grants/${escapeToken(grant.grantType)}/reobtainable`;
  if (standardGrant(grant.grantType) !== undefined) {
    throw new SpecError("config", configFile, pointer, `whether a session may run ${grant.grantType} again is its RFC's to say; only a grant of the provider's own takes "reobtainable"`);
  }
  const reobtainable = stated;
  facts.push({
    topic: `grant ${grant.grantType}`,
    statement: reobtainable ? "a session may run it again unattended for a new token" : "a session runs it once and then needs the user",
    source: "config",
    evidence: `${configFile}#${pointer}`,
  });
  return { reobtainable, retried: retriedBySession({ reobtainable, ...(grant.refreshTokenField !== undefined ? { refreshTokenField: grant.refreshTokenField } : {}) }) };
}

/** The refresh grant's parameters outside the body, other than the refresh token and grant type. */
function keptBySession(grant: GrantModel): string[] {
  if (grant.refreshTokenField === undefined) return [];
  return grant.fields.filter((f) => f.in !== undefined && f.name !== grant.refreshTokenField && f.name !== grant.grantField).map((f) => f.name);
}

function isOneValueEnum(grant: GrantModel, field: FieldModel): boolean {
  const values = field.enumValues;
  // Only a required field: an optional one with one value says what it holds when sent (Box's actor_token_type goes
  // only with an actor_token), not that every request carries it.
  if (!field.required || values === undefined || values.length !== 1 || field.isArray || field.in === "path") return false;
  if (field.name === grant.grantField || NEVER_CONSTANT.has(field.name)) return false;
  const value = values[0];
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}
