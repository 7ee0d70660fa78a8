import { SpecError, lookupPointer, type LoadedSpec, type ProviderConfig } from "../load/index.js";
import type { ParameterLocation } from "../runtime/types.js";
import { buildGrants } from "./spec-grants.js";
import { operationNamesFor, providerIdFor, typePrefixFor } from "./names.js";
import { findTokenOperation, takeOperation, type TokenOperation } from "./operation.js";
import { applyRequestQuirks } from "./request-quirks.js";
import { buildErrors, buildSuccess } from "./response.js";
import { SpecView, isJson } from "./schema.js";
import { serversFor } from "./servers.js";
import { sliceForWireTypes } from "./slice.js";
import { buildSurface } from "./surface.js";
import { synthesiseTokenOperation, type Synthesis } from "./synthesise.js";
import type { CandidateModel, ClientOptionsModel, Fact, FieldModel, GrantModel, ProviderModel, RequestModel, TokenOperationModel } from "./types.js";
import { found, type Found } from "./found.js";
import { keysFor } from "./keys.js";

export type * from "./types.js";
export { providerIdFor } from "./names.js";

export interface ModelInput {
  readonly spec: LoadedSpec;
  readonly config?: ProviderConfig | undefined;
  /** Where the config came from, for messages and provenance. */
  readonly configFile?: string | undefined;
}

/** Builds the provider model: everything the emitters need, as plain data. */
export function buildModel({ spec, config, configFile = "" }: ModelInput): ProviderModel {
  const located = locateTokenOperation(new SpecView(spec.file, spec.document as Record<string, unknown>), config, configFile);
  const { view, token, others, synthesis, candidates } = located.value;
  const operationFact: Fact = {
    topic: "operation",
    statement: `${token.method.toUpperCase()} ${token.path}${token.body ? `, ${token.body.mediaType}` : ", no body"} (${token.reason})`,
    source: synthesis ? "inferred" : config?.tokenOperation !== undefined || config?.tokenOperations !== undefined ? "config" : "spec",
    evidence: synthesis ? "/components/securitySchemes" : token.operation.pointer,
  };
  const configured = configuredPath(token, config, configFile);
  const path = configured.value;
  const built = buildGrants(view, token, config, configFile, {
    ...(path.added.length > 0 ? { pathFields: path.added } : {}),
    ...(synthesis ? { scopes: synthesis.scopes } : {}),
    ...(synthesis?.discovery !== undefined ? { discovered: true } : {}),
  });
  const { client } = built.value;
  const quirks = applyRequestQuirks(built.value.grants, config, configFile, token.body?.encoding !== "json");
  const { grants, scopeSeparator } = quirks.value;
  const servers = serversFor(view, token);
  const success = buildSuccess(view, token, config, configFile);
  const errors = buildErrors(view, token);
  const keys = keysFor(view, grants, client, config, configFile);
  const surface = buildSurface({ view, document: spec.document, token, grants, config, configFile });
  const operationNames = others.length === 0 ? [] : operationNamesFor([token, ...others].map((op) => ({ path: op.path, operationId: textOf(op.operation.node, "operationId") })));
  const otherOperations = others.map((other, index) => buildOtherOperation(view, other, operationNames[index + 1]!, config, configFile));
  // What the load stage did, then the operation, then each builder's facts in the order it was asked.
  const facts = [
    loadFacts(spec),
    [operationFact],
    located.facts,
    configured.facts,
    built.facts,
    quirks.facts,
    servers.facts,
    success.facts,
    errors.facts,
    keys.facts,
    surface.facts,
    otherOperations.flatMap((other) => other.facts),
  ].flat();
  const info = isJson(spec.document["info"]) ? spec.document["info"] : {};
  const operation = isJson(token.operation.node) ? token.operation.node : {};
  const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : undefined);
  const provider = providerIdFor(spec.file);
  const title = text(info["title"]) ?? provider;
  const description = text(info["description"]);
  const operationId = text(operation["operationId"]);
  const summary = text(operation["summary"]);
  const operationDescription = text(operation["description"]);
  return {
    provider,
    typePrefix: typePrefixFor(config?.displayName ?? provider),
    title,
    ...(description !== undefined ? { description } : {}),
    source: {
      file: spec.file,
      sha256: spec.sha256,
      openapi: String(spec.document["openapi"]),
      ...(configFile ? { configFile } : {}),
      ...(spec.overlay ? { overlayFile: spec.overlay.file } : {}),
    },
    operation: {
      ...(operationNames[0] !== undefined ? { name: operationNames[0] } : {}),
      path: token.path,
      requestPath: path.requestPath,
      method: token.method,
      pointer: token.operation.pointer,
      ...(operationId !== undefined ? { operationId } : {}),
      ...(summary !== undefined ? { summary } : {}),
      ...(operationDescription !== undefined ? { description: operationDescription } : {}),
      ...(synthesis ? { synthesisedFrom: synthesis.from } : {}),
      ...(synthesis?.discovery !== undefined ? { discovery: synthesis.discovery } : {}),
    },
    servers: servers.value,
    request: requestModelOf(token, grants, scopeSeparator, path.added),
    grants,
    client: otherOperations.reduce((merged, other) => mergedClient(merged, other.client), client),
    keys: keys.value,
    success: success.value,
    errors: errors.value,
    facts: synthesis ? facts.map((fact) => ofSynthesis(fact, spec.document)) : facts,
    candidates,
    ...(otherOperations.length > 0 ? { otherOperations: otherOperations.map((other) => other.value) } : {}),
    wireDocument: sliceForWireTypes(view.document, token.path, spec.file, token.method, others),
    ...(Object.keys(surface.value).length > 0 ? { surface: surface.value } : {}),
  };
}

function textOf(node: unknown, key: string): string | undefined {
  const value = isJson(node) ? node[key] : undefined;
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/**
 * Another token operation, built by the same builders as the primary one. Its success may answer a refresh token
 * only (an exchange); its facts are tagged with its name. The provider config's `requestPath` is the primary's.
 */
function buildOtherOperation(
  view: SpecView,
  token: TokenOperation,
  name: string,
  config: ProviderConfig | undefined,
  configFile: string,
): { value: TokenOperationModel; facts: Fact[]; client: ClientOptionsModel } {
  const built = buildGrants(view, token, config, configFile);
  const quirks = applyRequestQuirks(built.value.grants, config, configFile, token.body?.encoding !== "json");
  const { grants, scopeSeparator } = quirks.value;
  const success = buildSuccess(view, token, config, configFile, { refreshTokenOnly: true });
  const errors = buildErrors(view, token);
  const operationId = textOf(token.operation.node, "operationId");
  const summary = textOf(token.operation.node, "summary");
  const description = textOf(token.operation.node, "description");
  const operationFact: Fact = {
    topic: "operation",
    statement: `${token.method.toUpperCase()} ${token.path}${token.body ? `, ${token.body.mediaType}` : ", no body"} (${token.reason})`,
    source: config?.tokenOperations !== undefined ? "config" : "spec",
    evidence: token.operation.pointer,
  };
  const facts = [[operationFact], built.facts, quirks.facts, success.facts, errors.facts].flat().map((fact) => ({ ...fact, operation: name }));
  const value: TokenOperationModel = {
    operation: {
      name,
      path: token.path,
      requestPath: token.requestPath,
      method: token.method,
      pointer: token.operation.pointer,
      ...(operationId !== undefined ? { operationId } : {}),
      ...(summary !== undefined ? { summary } : {}),
      ...(description !== undefined ? { description } : {}),
    },
    request: requestModelOf(token, grants, scopeSeparator, []),
    grants,
    success: success.value,
    errors: errors.value,
  };
  return { value, facts, client: built.value.client };
}

/** The client options every operation's grants need: the most any of them asks. */
function mergedClient(a: ClientOptionsModel, b: ClientOptionsModel): ClientOptionsModel {
  const rank = { absent: 0, optional: 1, required: 2 } as const;
  return {
    clientId: a.clientId === "required" || b.clientId === "required" ? "required" : "absent",
    clientSecret: rank[a.clientSecret] >= rank[b.clientSecret] ? a.clientSecret : b.clientSecret,
  };
}

/**
 * The provider config's `requestPath`, when it has one: its `{name}`
 * templates that the spec does not document become required string path
 * parameters of every grant.
 */
function configuredPath(token: TokenOperation, config: ProviderConfig | undefined, configFile: string): Found<{ requestPath: string; added: FieldModel[] }> {
  const path = config?.requestPath;
  if (path === undefined) return found({ requestPath: token.requestPath, added: [] });
  const templates = (text: string) => [...new Set([...text.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!))];
  for (const name of templates(token.requestPath)) {
    if (!path.includes(`{${name}}`)) {
      throw new SpecError("config", configFile, "/requestPath", `the spec's path ${token.requestPath} has the path parameter {${name}}, which ${path} leaves out`);
    }
  }
  const documented = new Set(token.parameters.filter((p) => p.in === "path").map((p) => p.name));
  const added = templates(path)
    .filter((name) => !documented.has(name))
    .map((name): FieldModel => ({
      name,
      in: "path",
      fromConfig: true,
      required: true,
      description: `Path parameter {${name}} of ${path}, stated by the provider config.`,
      nullable: false,
      isArray: false,
      deprecated: false,
    }));
  return found({ requestPath: path, added }, [{
    topic: "operation",
    statement: `requests go to ${path}${added.length > 0 ? `; ${added.map((f) => `{${f.name}}`).join(", ")} added as required path parameters` : ""}`,
    source: "config",
    evidence: `${configFile}#/requestPath`,
  }]);
}

/** What the load stage did to the document before the model read it. */
function loadFacts(spec: LoadedSpec): Fact[] {
  const facts: Fact[] = [];
  if (spec.conversion) {
    const { converter, patches, renamedSecuritySchemes, warnings } = spec.conversion;
    const renamed = Object.entries(renamedSecuritySchemes).map(([from, to]) => `${JSON.stringify(from)} -> ${JSON.stringify(to)}`);
    facts.push({
      topic: "document",
      statement: `Swagger 2.0, converted to OpenAPI 3 with ${converter}${patches > 0 ? ` (${patches} small repairs)` : ""}${renamed.length > 0 ? `; security schemes renamed ${renamed.join(", ")}` : ""}`,
      source: "spec",
      evidence: "/swagger",
    });
    for (const warning of warnings) facts.push({ topic: "document", statement: `conversion: ${warning.message}`, source: "inferred", evidence: warning.pointer });
  }
  spec.overlay?.actions.forEach((action, index) => {
    facts.push({
      topic: "overlay",
      statement: `${action.description ?? (action.kind === "remove" ? "removed" : "updated")}: ${action.target} (${action.kind}, ${action.matched} node${action.matched === 1 ? "" : "s"})`,
      source: "config",
      evidence: `${spec.overlay!.file}#/actions/${index}`,
    });
  });
  if (spec.droppedExtensions && spec.droppedExtensions.length > 0) {
    facts.push({
      topic: "document",
      statement: `${spec.droppedExtensions.length} vendor extension(s) holding $refs ignored (the token client never reads them)`,
      source: "spec",
      evidence: spec.droppedExtensions[0]!,
    });
  }
  return facts;
}

/**
 * A "spec" fact read from a synthesised operation is not in the provider's
 * document: it is what tokenwright wrote from the RFC, so it is inferred.
 */
function ofSynthesis(fact: Fact, document: unknown): Fact {
  if (fact.source !== "spec" || fact.topic === "document" || (fact.evidence.startsWith("/") && lookupPointer(document, fact.evidence).found)) return fact;
  return { ...fact, statement: `${fact.statement} (synthesised operation)`, source: "inferred" };
}

interface Located {
  readonly view: SpecView;
  readonly token: TokenOperation;
  readonly others: readonly TokenOperation[];
  readonly synthesis: Synthesis | undefined;
  readonly candidates: CandidateModel[];
}

/** The spec's token operation, or one synthesised from its security schemes when it documents none. */
function locateTokenOperation(view: SpecView, config: ProviderConfig | undefined, configFile: string): Found<Located> {
  const search = findTokenOperation(view, config, configFile);
  if (search.token) return found({ view, token: search.token, others: search.others, synthesis: undefined, candidates: [...search.candidates] });
  const synthesised = synthesiseTokenOperation(view, config);
  if (!synthesised) {
    const seen = search.candidates.map((c) => `${c.operation} (${c.reason})`);
    const looked =
      seen.length > 0 ? `; passed over: ${seen.slice(0, 5).join("; ")}` : search.posts.length > 0 ? `; POST operations seen: ${search.posts.slice(0, 5).join(", ")}` : "; the document has no POST operations";
    throw new SpecError(
      "no_token_operation",
      view.file,
      "/paths",
      `no token operation: no POST request carries "grant_type", no OAuth2 flow or openIdConnect scheme names a token endpoint${looked}. A custom token operation can be named in the provider config as "tokenOperation"`,
    );
  }
  const synthesis = synthesised.value;
  const synthesisedView = new SpecView(view.file, synthesis.document);
  const reason = `synthesised from ${synthesis.from}: the spec documents no token operation`;
  const located: Located = {
    view: synthesisedView,
    token: takeOperation(synthesisedView, synthesis.label, reason),
    others: [],
    synthesis,
    candidates: [{ operation: synthesis.label, pointer: "/components/securitySchemes", chosen: true, reason }, ...search.candidates],
  };
  return found(located, synthesised.facts);
}

/**
 * How a token operation's request travels: its body's media type and encoding, which fields are parameters (the
 * spec's, plus path templates a provider config's `requestPath` adds), and which arrays are joined (RFC 6749 §3.3).
 */
function requestModelOf(token: TokenOperation, grants: readonly GrantModel[], scopeSeparator: string | undefined, addedPath: readonly FieldModel[]): RequestModel {
  const parameters: Record<string, ParameterLocation> = {};
  for (const parameter of token.parameters) parameters[parameter.name] = parameter.in;
  for (const field of addedPath) parameters[field.name] = "path";
  const spaceDelimited = [...new Set(grants.flatMap((g) => g.fields.filter((f) => f.spaceDelimited === true).map((f) => f.name)))];
  return {
    ...(token.body ? { mediaType: token.body.mediaType } : {}),
    encoding: token.body?.encoding ?? "none",
    bodyRequired: token.body?.required ?? false,
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
    ...(spaceDelimited.length > 0 ? { spaceDelimited } : {}),
    ...(scopeSeparator !== undefined ? { scopeSeparator } : {}),
  };
}
