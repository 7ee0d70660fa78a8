import { StructureKind, type OptionalKind, type SourceFileStructure } from "ts-morph";
import type { ProviderModel } from "../model/index.js";
import { createFunctionName, serversConstName } from "./client-file.js";
import { typeNames } from "./types-file.js";

/** Runtime classes re-exported so callers can use `instanceof` without a second import path. */
const RUNTIME_VALUES = [
  "TokenClientConfigError",
  "TokenError",
  "TokenResponseError",
  "UnexpectedStatusError",
  "NetworkError",
  "TimeoutError",
  "AbortedError",
  "InvalidResponseError",
  "ReauthenticationRequiredError",
  "SessionClosedError",
  "SessionDeadlineError",
  "TokenStoreUnavailableError",
  "CoolingDownError",
  "TokenOriginError",
  "MemoryTokenStore",
];

/** Runtime types a caller needs to configure and hold a session. */
const RUNTIME_TYPES = ["SessionOptions", "TokenSession", "TokenStore", "StoredToken", "RetryOptions", "SessionStats"];

/** `index.ts`: the provider's public surface, every name listed. */
export function indexFile(model: ProviderModel): OptionalKind<SourceFileStructure> {
  const names = typeNames(model);
  const typeExports = [
    names.client,
    names.options,
    names.serverName,
    ...model.grants.map((grant) => names.params(grant)),
    names.response,
    names.token,
    names.result,
    names.responseError,
    names.error,
    names.sessionRequest,
  ];
  return {
    statements: [
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: "./client.js", namedExports: [createFunctionName(model), serversConstName(model)] },
      { kind: StructureKind.ExportDeclaration, isTypeOnly: true, moduleSpecifier: "./types.js", namedExports: typeExports },
      { kind: StructureKind.ExportDeclaration, isTypeOnly: true, moduleSpecifier: "./wire.js", namedExports: ["components", "paths"] },
      {
        kind: StructureKind.ExportDeclaration,
        moduleSpecifier: "../runtime/index.js",
        namedExports: model.operation.discovery !== undefined ? [...RUNTIME_VALUES, "DiscoveryError"] : RUNTIME_VALUES,
      },
      { kind: StructureKind.ExportDeclaration, isTypeOnly: true, moduleSpecifier: "../runtime/index.js", namedExports: RUNTIME_TYPES },
    ],
  };
}
