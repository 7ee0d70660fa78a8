import { StructureKind, VariableDeclarationKind, type OptionalKind, type SourceFileStructure, type StatementStructures } from "ts-morph";
import type { ProviderModel } from "../model/index.js";
import { refreshGrant, requestFunction } from "./client-file.js";
import { sessionRevocation } from "./flow-methods.js";
import { LOCAL_VALUES, providerNames } from "./names.js";
import { jsDoc, objectLiteralKey, propertyKey } from "./typescript.js";

const { endpoint: ENDPOINT, sessionGrants: SESSION_GRANTS, clientConfigs: CLIENT_CONFIGS } = LOCAL_VALUES;

/**
 * `session.ts`: `create<Provider>Session(client, request, options)`, the one
 * place a provider's code reaches the session runtime, so that a bundle that
 * only uses the client leaves sessions out.
 */
export function sessionFile(model: ProviderModel): OptionalKind<SourceFileStructure> {
  const names = providerNames(model);
  const discovery = model.operation.discovery !== undefined;
  const refresh = refreshGrant(model);
  const grantConsts = [...new Set(model.grants.map((grant) => names.grantConst(grant)))];
  const revocation = sessionRevocation(model);
  const statements: StatementStructures[] = [
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: "../runtime/index.js",
      namedImports: [
        "TokenClientConfigError", "createSession", ...((refresh?.grant.keptBySession ?? []).length > 0 ? ["keptFields"] : []),
        "reobtainableWith", requestFunction(model), "sessionKeyParts", ...(discovery ? ["type DiscoveryError"] : []),
        "type SessionOptions", "type TokenSession", ...(revocation !== undefined ? [revocation.runtimeImport] : []),
      ],
    },
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: "./client.js", namedImports: [CLIENT_CONFIGS, ENDPOINT, ...grantConsts, ...(revocation !== undefined ? [revocation.clientImport] : [])] },
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: "./types.js",
      namedImports: [names.client, names.responseError, names.response, names.sessionRequest, names.error],
    },
    sessionGrants(model),
    {
      kind: StructureKind.Function,
      name: names.createSessionFunction,
      isExported: true,
      docs: jsDoc(
        `Opens a session on a client made by \`${names.createFunction}\`: one valid token for every caller, cached in \`options.store\` (in memory by default), refreshed ahead of expiry with one request however many callers wait, and replaced when the API answers 401 through \`session.fetch\` or \`session.middleware\`.`,
        [
          { tagName: "returns", text: "A `TokenSession`; its `getAccessToken()` rejects with the typed error of the request that failed." },
          { tagName: "throws", text: `{TokenClientConfigError} For a client not made by \`${names.createFunction}\`, a grant the provider has no session for, or unusable options.` },
        ],
      ),
      parameters: [
        { name: "client", type: names.client },
        { name: "request", type: names.sessionRequest },
        { name: "options", type: "SessionOptions", hasQuestionToken: true },
      ],
      returnType: `TokenSession<${names.error}>`,
      statements: (writer) => {
        const request = `${requestFunction(model)}<${names.response}, ${names.responseError}${discovery ? ", DiscoveryError" : ""}>`;
        writer.writeLine(`const config = ${CLIENT_CONFIGS}.get(client);`);
        writer.writeLine("if (config === undefined) {").indent(() => {
          writer.writeLine(`throw new TokenClientConfigError(${JSON.stringify(`${names.createSessionFunction} takes a client made by ${names.createFunction}`)});`);
        });
        writer.writeLine("}");
        writer.writeLine("const { grant, ...params } = request;");
        writer.writeLine("// Own properties only: a caller without types could pass any string, such as \"constructor\".");
        writer.writeLine(`if (!Object.hasOwn(${SESSION_GRANTS}, grant)) {`).indent(() => {
          writer.writeLine("throw new TokenClientConfigError(`unknown grant ${JSON.stringify(grant)} for a session`);");
        });
        writer.writeLine("}");
        writer.writeLine(`const opened = ${SESSION_GRANTS}[grant];`);
        writer.writeLine(`return createSession<${names.error}>(`).indent(() => {
          writer.writeLine("{").indent(() => {
            writer.writeLine(`obtain: (call) => ${request}(${ENDPOINT}, opened.rule, config, params, call),`);
            writer.writeLine("// An assertion grant may run again by itself only when each credential is a function making a fresh one.");
            writer.writeLine("reobtainable: reobtainableWith(opened.rule, params, opened.reobtainable),");
            if (refresh) {
              const kept = refresh.grant.keptBySession ?? [];
              const spread = kept.length === 0 ? "" : `...keptFields(params, ${JSON.stringify(kept)}), `;
              writer.writeLine(
                `refresh: (refreshToken, call) => ${request}(${ENDPOINT}, ${names.grantConst(refresh.grant)}, config, { ${spread}${propertyKey(refresh.field)}: refreshToken }, call),`,
              );
            }
            if (revocation !== undefined) writer.writeLine(revocation.line);
            writer.writeLine(`keyParts: sessionKeyParts(${JSON.stringify(model.provider)}, ${ENDPOINT}, config, grant, params),`);
            writer.writeLine("clock: config.clock ?? Date.now,");
            writer.writeLine("elapsed: config.clock,");
            writer.writeLine("fetch: config.fetch,");
            writer.writeLine("dpop: config.dpop,");
            writer.writeLine("provider: config.provider,");
            writer.writeLine("grantType: grant,");
            writer.writeLine("onEvent: config.onEvent,");
          });
          writer.writeLine("},");
          writer.writeLine("options,");
        });
        writer.writeLine(");");
      },
    },
  ];
  return { statements };
}

/** `SESSION_GRANTS`: each grant a session can be opened with, its rule, and whether it may run again unattended. */
function sessionGrants(model: ProviderModel): StatementStructures {
  const names = providerNames(model);
  const entries = model.grants.map(
    (grant) => `  ${objectLiteralKey(grant.grantType)}: { rule: ${names.grantConst(grant)}, reobtainable: ${String(grant.reobtainable)} },`,
  );
  return {
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    docs: jsDoc(
      "Each grant a session can be opened with, and whether the session may run it again unattended (a held password may; a code may not; an assertion grant may when its credentials are functions).",
    ),
    declarations: [{ name: SESSION_GRANTS, initializer: `{\n${entries.join("\n")}\n} as const` }],
  };
}
