import type { ExportDeclarationStructure, OptionalKind, SourceFileStructure } from "ts-morph";
import { StructureKind } from "./ts-morph.js";
import type { ProviderModel } from "../model/index.js";
import { flowTypeExports } from "./flow-methods.js";
import { WIRE_TYPES, providerNames, type ProviderNames } from "./names.js";

/** `index.ts`: the provider's public surface, every name listed. */
export function indexFile(model: ProviderModel): OptionalKind<SourceFileStructure> {
  const names = providerNames(model);
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
    // Each other token operation's params, response, response error and result.
    ...(model.otherOperations ?? []).flatMap((other) => {
      const own = names.operation(other);
      return [...other.grants.map((grant) => names.params(grant)), own.response, own.responseError, own.result];
    }),
    ...flowTypeExports(model),
  ];
  return {
    statements: [
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: "./client.js", namedExports: [names.createFunction, names.serversConst] },
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: "./session.js", namedExports: [names.createSessionFunction] },
      { kind: StructureKind.ExportDeclaration, isTypeOnly: true, moduleSpecifier: "./types.js", namedExports: typeExports },
      { kind: StructureKind.ExportDeclaration, isTypeOnly: true, moduleSpecifier: "./wire.js", namedExports: [...WIRE_TYPES] },
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: "../runtime/index.js", namedExports: [...names.runtimeValues] },
      { kind: StructureKind.ExportDeclaration, isTypeOnly: true, moduleSpecifier: "../runtime/index.js", namedExports: [...names.runtimeTypes] },
      ...keyHelperExports(names.keyHelpers),
    ],
  };
}

/** The key helpers the client's options take (client assertions, assertion grants, token exchange). */
function keyHelperExports(helpers: ProviderNames["keyHelpers"]): OptionalKind<ExportDeclarationStructure>[] {
  const exports: OptionalKind<ExportDeclarationStructure>[] = [];
  if (helpers.values.length > 0) exports.push({ kind: StructureKind.ExportDeclaration, moduleSpecifier: "../runtime/index.js", namedExports: [...helpers.values] });
  if (helpers.types.length > 0) exports.push({ kind: StructureKind.ExportDeclaration, isTypeOnly: true, moduleSpecifier: "../runtime/index.js", namedExports: [...helpers.types] });
  return exports;
}
