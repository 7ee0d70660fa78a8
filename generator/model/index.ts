import type { LoadedSpec, ProviderConfig } from "../load/index.js";
import { buildGrants } from "./grants.js";
import { providerIdFor, typePrefixFor } from "./names.js";
import { findTokenOperation } from "./operation.js";
import { buildErrors, buildSuccess } from "./response.js";
import { SpecView, isJson } from "./schema.js";
import { serversFor } from "./servers.js";
import { sliceForWireTypes } from "./slice.js";
import type { Fact, ProviderModel } from "./types.js";

export type * from "./types.js";
export { providerIdFor } from "./names.js";

export interface ModelInput {
  readonly spec: LoadedSpec;
  readonly config?: ProviderConfig | undefined;
  /** Where the config came from, for messages and provenance. */
  readonly configFile?: string | undefined;
}

/** Builds the provider model: everything the emitters need, as plain data. */
export function buildModel({ spec, config, configFile }: ModelInput): ProviderModel {
  const view = new SpecView(spec.file, spec.document as Record<string, unknown>);
  const facts: Fact[] = [];
  const token = findTokenOperation(view);
  facts.push({ topic: "operation", statement: `POST ${token.path}, ${token.mediaType}`, source: "spec", evidence: token.operation.pointer });
  const { grants, client } = buildGrants(view, token, config, configFile ?? "", facts);
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
    source: { file: spec.file, sha256: spec.sha256, openapi: String(spec.document["openapi"]), ...(configFile ? { configFile } : {}) },
    operation: {
      path: token.path,
      method: "post",
      pointer: token.operation.pointer,
      ...(operationId !== undefined ? { operationId } : {}),
      ...(summary !== undefined ? { summary } : {}),
      ...(operationDescription !== undefined ? { description: operationDescription } : {}),
    },
    servers: serversFor(view, token, facts),
    request: { mediaType: token.mediaType, encoding: token.encoding, bodyRequired: token.bodyRequired },
    grants,
    client,
    success: buildSuccess(view, token, facts),
    errors: buildErrors(view, token, facts),
    facts,
    wireDocument: sliceForWireTypes(spec.document as Record<string, unknown>, token.path, spec.file),
  };
}
