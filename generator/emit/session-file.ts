import type { OptionalKind, SourceFileStructure, StatementStructures } from "ts-morph";
import { StructureKind, VariableDeclarationKind } from "./ts-morph.js";
import type { GrantModel, ProviderModel, TokenOperationModel } from "../model/index.js";
import { refreshGrant, refreshRoute, requestFunction } from "./client-file.js";
import { sessionRevocation } from "./flow-methods.js";
import { LOCAL_VALUES, providerNames } from "./names.js";
import { sessionGrantsOf } from "./types-file.js";
import { jsDoc, literal, objectLiteralKey, propertyKey } from "./typescript.js";

const { endpoint: ENDPOINT, sessionGrants: SESSION_GRANTS, clientConfigs: CLIENT_CONFIGS } = LOCAL_VALUES;

/**
 * `session.ts`: `create<Provider>Session(client, request, options)`, the one
 * place a provider's code reaches the session runtime, so that a bundle that
 * only uses the client leaves sessions out.
 */
export function sessionFile(model: ProviderModel): OptionalKind<SourceFileStructure> {
  const names = providerNames(model);
  const discovery = model.operation.discovery !== undefined;
  // Several token operations: each session grant carries its operation's endpoint and where it refreshes.
  const routed = (model.otherOperations ?? []).length > 0;
  const refresh = routed ? undefined : refreshGrant(model);
  const routes = sessionGrantsOf(model).map((entry) => ({ ...entry, refresh: refreshRoute(model, entry.operation) }));
  const kept = routes.some((route) => (route.refresh?.grant.keptBySession ?? []).length > 0);
  const grantConsts = [
    ...new Set(routed ? routes.flatMap((r) => [names.grantConst(r.grant), ...(r.refresh ? [names.grantConst(r.refresh.grant)] : [])]) : model.grants.map((grant) => names.grantConst(grant))),
  ];
  const endpointOf = (operation: TokenOperationModel | undefined) => (operation === undefined ? ENDPOINT : names.operation(operation).endpoint);
  const endpointConsts = routed ? [...new Set(routes.flatMap((r) => [endpointOf(r.operation), ...(r.refresh ? [r.refresh.endpoint] : [])]))] : [ENDPOINT];
  const revocation = sessionRevocation(model);
  const statements: StatementStructures[] = [
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: "../runtime/index.js",
      namedImports: [
        "TokenClientConfigError", "createSession", ...((refresh?.grant.keptBySession ?? []).length > 0 || (routed && kept) ? ["keptFields"] : []),
        "reobtainableWith", requestFunction(model), "sessionKeyParts", ...(discovery ? ["type DiscoveryError"] : []),
        ...(routed ? ["type CallOptions", "type GrantRule"] : []), "type SessionOptions", ...(routed ? ["type TokenEndpoint"] : []), "type TokenSession",
        ...(revocation !== undefined ? [revocation.runtimeImport] : []),
      ],
    },
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: "./client.js", namedImports: [CLIENT_CONFIGS, ...endpointConsts, ...grantConsts, ...(revocation !== undefined ? [revocation.clientImport] : [])] },
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: "./types.js",
      namedImports: [names.client, names.responseError, names.response, names.sessionRequest, names.error],
    },
    routed ? routedSessionGrants(model, routes) : sessionGrants(model),
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
        if (routed) writer.writeLine("const refreshing = opened.refresh;");
        writer.writeLine(`return createSession<${names.error}>(`).indent(() => {
          writer.writeLine("{").indent(() => {
            writer.writeLine(`obtain: (call) => ${request}(${routed ? "opened.endpoint" : ENDPOINT}, opened.rule, config, params, call),`);
            writer.writeLine("// An assertion grant may run again by itself only when each credential is a function making a fresh one.");
            writer.writeLine("reobtainable: reobtainableWith(opened.rule, params, opened.reobtainable),");
            if (refresh) {
              const kept = refresh.grant.keptBySession ?? [];
              const spread = kept.length === 0 ? "" : `...keptFields(params, ${JSON.stringify(kept)}), `;
              writer.writeLine(
                `refresh: (refreshToken, call) => ${request}(${ENDPOINT}, ${names.grantConst(refresh.grant)}, config, { ${spread}${propertyKey(refresh.field)}: refreshToken }, call),`,
              );
            }
            if (routed) {
              const spread = kept ? "...keptFields(params, refreshing.kept), " : "";
              writer.writeLine("...(refreshing === undefined").indent(() => {
                writer.writeLine("? {}");
                writer.writeLine(": {").indent(() => {
                  writer.writeLine("refresh: (refreshToken: string, call: CallOptions) =>").indent(() => {
                    writer.writeLine(`${request}(refreshing.endpoint, refreshing.rule, config, { ${spread}[refreshing.field]: refreshToken }, call),`);
                  });
                });
                writer.writeLine("}),");
              });
            }
            if (revocation !== undefined) writer.writeLine(revocation.line);
            writer.writeLine(`keyParts: sessionKeyParts(${JSON.stringify(model.provider)}, ${routed ? "opened.endpoint" : ENDPOINT}, config, grant, params),`);
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

/**
 * `SESSION_GRANTS` for a provider with several token operations: each grant also names its operation's endpoint,
 * and where a session opened with it refreshes (client-file.ts `refreshRoute`).
 */
function routedSessionGrants(model: ProviderModel, routes: readonly { grant: GrantModel; operation?: TokenOperationModel; refresh: ReturnType<typeof refreshRoute> }[]): StatementStructures {
  const names = providerNames(model);
  const entries = routes.map(({ grant, operation, refresh }) => {
    const endpoint = operation === undefined ? ENDPOINT : names.operation(operation).endpoint;
    const refreshing =
      refresh === undefined
        ? ""
        : `, refresh: { rule: ${names.grantConst(refresh.grant)}, endpoint: ${refresh.endpoint}, field: ${literal(refresh.field)}, kept: ${literal(refresh.grant.keptBySession ?? [])} }`;
    return `  ${objectLiteralKey(grant.grantType)}: { rule: ${names.grantConst(grant)}, endpoint: ${endpoint}, reobtainable: ${String(grant.reobtainable)}${refreshing} },`;
  });
  const route = "{ rule: GrantRule; endpoint: TokenEndpoint; field: string; kept: readonly string[] }";
  return {
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    docs: jsDoc(
      "Each grant a session can be opened with: its operation's endpoint, whether the session may run it again unattended, and the refresh grant and endpoint its refresh tokens go to.",
    ),
    declarations: [
      {
        name: SESSION_GRANTS,
        type: `Readonly<Record<${names.sessionRequest}["grant"], { rule: GrantRule; endpoint: TokenEndpoint; reobtainable: boolean; refresh?: ${route} }>>`,
        initializer: `{\n${entries.join("\n")}\n}`,
      },
    ],
  };
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
