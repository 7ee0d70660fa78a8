import { grantDefinition, retryStatement, rfcText } from "../model/grants/index.js";
import type { ProviderModel } from "../model/index.js";
import { surfaceEntries } from "../model/surface.js";
import { errorInSuccessText } from "../model/response.js";
import { fieldPathName } from "../runtime/field-path.js";
import { describeClientAuth, hasRequestBody } from "../model/client-auth.js";
import type { AppliedClientAuth, ClientAuthRule, ExpiryRule } from "../runtime/types.js";
import { companionFiles } from "../pipeline/inputs.js";
import { loadAndModel } from "../pipeline/model-providers.js";

/** The model of one spec, as `tokenwright explain` reports it: everything but the wire slice. */
export type Explanation = Omit<ProviderModel, "wireDocument">;

/**
 * Loads and models one spec (and its provider config, when there is one).
 * `named`: the provider config and overlay a tokenwright.config.json names
 * for it, instead of the ones beside it. Throws SpecError.
 */
export async function explainSpec(spec: string, allowRemote: boolean, named: { readonly config?: string; readonly overlay?: string } = {}): Promise<Explanation> {
  const { wireDocument: _slice, ...model } = await loadAndModel({ spec, ...companionFiles(spec), ...named }, { allowRemote });
  return model;
}

/** The model for a person: what was found, how each grant is sent, and where each fact came from. */
export function explanationText(model: Explanation): string {
  const lines: string[] = [];
  const add = (line = "") => lines.push(line);
  add(`${model.title} (${model.source.file}${model.source.overlayFile ? `, overlay ${model.source.overlayFile}` : ""}${model.source.configFile ? `, config ${model.source.configFile}` : ""})`);
  add(`OpenAPI ${model.source.openapi}, sha256 ${model.source.sha256}`);
  add();
  add("Token operation");
  for (const candidate of model.candidates) {
    add(`  ${candidate.chosen ? "chosen " : "passed "} ${candidate.operation}: ${candidate.reason}`);
  }
  if (model.operation.synthesisedFrom !== undefined) add(`  synthesised from ${model.operation.synthesisedFrom}`);
  if (model.operation.discovery !== undefined) add(`  token endpoint read at run time from ${model.operation.discovery} (OpenID Connect Discovery)`);
  add(`  sent as ${model.operation.method.toUpperCase()} ${model.operation.requestPath}`);
  add();
  const others = model.otherOperations ?? [];
  if (others.length > 0) {
    add(`Token operations: ${others.length + 1}`);
    for (const of of [model, ...others]) {
      const answers = of.success.issues === "refresh_token" ? "answers a refresh token only (returned as the token; no session opens on it)" : "answers an access token";
      add(`  ${of.operation.name ?? ""}: ${of.operation.method.toUpperCase()} ${of.operation.requestPath}, ${answers}`);
      add(`    grants: ${of.grants.map((grant) => grant.grantType).join(", ")}`);
      const facts = model.facts.filter((fact) => (of === model ? fact.operation === undefined && fact.topic !== "document" : fact.operation === of.operation.name));
      add(`    facts: ${facts.length} (${of === model ? "untagged" : `tagged [${of.operation.name}]`} below)`);
    }
    add();
  }
  add(`Request: ${model.request.mediaType !== undefined ? `${model.request.mediaType} (${model.request.encoding})` : "no body"}`);
  add(`Client options: clientId ${model.client.clientId}, clientSecret ${model.client.clientSecret}`);
  add();
  add("Servers");
  if (model.servers.length === 0) add("  none: callers pass baseUrl");
  for (const server of model.servers) add(`  ${server.name.padEnd(12)} ${server.url}`);
  add();
  add("OAuth endpoints besides the token operation");
  const surface = surfaceEntries(model);
  if (surface.length === 0) add("  none documented");
  for (const entry of surface) {
    add(`  ${entry.name.padEnd(26)} ${entry.url}${entry.relative ? " (on the client's server)" : ""} [${entry.source}]`);
    if (entry.details !== undefined) add(`    ${entry.details}`);
  }
  add();
  add("Grants");
  for (const grant of model.grants) {
    add(`  ${grant.grantType}: client.${grant.methodName}()${grant.grantField !== undefined ? `, ${grant.grantField}=${grant.grantType}` : ", no grant type field"}`);
    add(`    client authentication: ${clientAuthText(grant.clientAuth, model)}`);
    const definition = grantDefinition(grant.grantType);
    if (definition.rfc.length > 0) add(`    ${definition.title} (${rfcText(definition)})`);
    add(`    ${retryStatement(grant)}`);
    for (const field of grant.fields) {
      add(`    ${field.required ? "required" : "optional"} ${field.name}${field.in !== undefined ? ` (${field.in} parameter)` : ""}${field.knownValues ? ` one or more of ${field.knownValues.join(" ")}` : ""}`);
    }
    for (const alternative of grant.alternatives) add(`    or-set  ${alternative.fields.map((f) => f.name).join(" + ")}`);
    if (grant.relaxedRequired.length > 0) add(`    not sent although the schema requires them: ${grant.relaxedRequired.join(", ")}`);
  }
  for (const other of others) {
    add(`  Grants of ${other.operation.name}`);
    for (const grant of other.grants) {
      add(`  ${grant.grantType}: ${grant.grantField !== undefined ? `${grant.grantField}=${grant.grantType}` : "no grant type field"} (${other.operation.method.toUpperCase()} ${other.operation.requestPath})`);
      add(`    client authentication: ${clientAuthText(grant.clientAuth, model)}`);
      add(`    ${retryStatement(grant)}`);
      for (const field of grant.fields) add(`    ${field.required ? "required" : "optional"} ${field.name}${field.in !== undefined ? ` (${field.in} parameter)` : ""}`);
    }
  }
  add();
  const fields = model.success.tokenFields;
  add(`Success: ${model.success.statuses.join(", ")}; typed body ${model.success.typedKey} ${model.success.mediaType}${model.success.responseEncoding === "form" ? " (read as a form-encoded body)" : ""}`);
  add(`  accessToken <- ${fieldPathName(fields.accessToken)}${fields.tokenType !== undefined ? `, tokenType <- ${fieldPathName(fields.tokenType)}` : ""}${fields.refreshToken !== undefined ? `, refreshToken <- ${fieldPathName(fields.refreshToken)}` : ""}${fields.scope !== undefined ? `, scope <- ${fieldPathName(fields.scope)}` : ""}`);
  add(`  expiry: ${expiryText(model.success.expiry)}`);
  if (model.success.errorInSuccess) add(`  ${errorInSuccessText(model.success.errorInSuccess)}`);
  add();
  add(`Errors: ${model.errors.length === 0 ? "none documented (every error status is unexpected_status)" : model.errors.map((e) => `${e.key}${e.mediaType !== undefined ? " (typed)" : ""}`).join(", ")}`);
  add();
  add("Facts");
  for (const fact of model.facts) add(`  [${fact.source}]${" ".repeat(8 - fact.source.length)} ${fact.operation !== undefined ? `[${fact.operation}] ` : ""}${fact.topic}: ${fact.statement}${fact.evidence !== "" ? `  <${fact.evidence}>` : ""}`);
  return `${lines.join("\n")}\n`;
}


/** The method a generated client uses, as `decideClientAuth` (runtime/client-auth.ts) decides it. */
function clientAuthText(rule: ClientAuthRule, model: Explanation): string {
  const description = describeClientAuth(rule, hasRequestBody(model));
  if (description.kind === "discovered") {
    return `from the discovery document's token_endpoint_auth_methods_supported: ${description.order.map((method) => methodText(method, model)).join(", else ")}`;
  }
  return methodText(description.rule, model);
}

function methodText(rule: AppliedClientAuth, model: Explanation): string {
  switch (rule.kind) {
    case "basic":
      return "HTTP Basic (RFC 6749 §2.3.1)";
    case "fields": {
      const where = model.request.parameters?.[rule.idField] ?? "body";
      return `fields ${rule.idField}${rule.secretField !== undefined ? ` + ${rule.secretField}` : ""} (${where})`;
    }
    case "none":
      return "none";
    default: {
      const unknown: never = rule;
      throw new Error(`unknown client auth ${JSON.stringify(unknown)}`);
    }
  }
}

function expiryText(rule: ExpiryRule): string {
  const unitText = (unit: "s" | "ms" | "iso8601"): string => (unit === "iso8601" ? "an ISO-8601 date-time" : `a unix time in ${unit === "s" ? "seconds" : "milliseconds"}`);
  switch (rule.kind) {
    case "relative":
      return `${fieldPathName(rule.field)} ${rule.unit === "ms" ? "milliseconds" : "seconds"} from receipt`;
    case "absolute":
      return `${fieldPathName(rule.field)} is ${unitText(rule.unit)}`;
    case "created-plus-relative":
      return `${fieldPathName(rule.createdField)} (${unitText(rule.createdUnit)} or an ISO-8601 date-time) plus ${fieldPathName(rule.field)} seconds`;
    case "issued-at":
      return `${fieldPathName(rule.field)} (the issue time, ${unitText(rule.unit)}) plus ${rule.lifetimeSeconds} seconds`;
    case "none":
      return "none documented: kept until a 401";
    default: {
      const unknown: never = rule;
      throw new Error(`unknown expiry ${JSON.stringify(unknown)}`);
    }
  }
}
