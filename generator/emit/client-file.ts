import { StructureKind, VariableDeclarationKind, type OptionalKind, type SourceFileStructure, type StatementStructures } from "ts-morph";
import type { GrantModel, ProviderModel } from "../model/index.js";
import type { GrantRule, TokenEndpoint } from "../runtime/types.js";
import type { NamedServer } from "../runtime/url.js";
import { LOCAL_VALUES, providerNames } from "./names.js";
import { paramsOptional } from "./types-file.js";
import { jsDoc, literal, objectLiteralKey, propertyKey } from "./typescript.js";

const { endpoint: ENDPOINT, sessionGrants: SESSION_GRANTS } = LOCAL_VALUES;

/**
 * `client.ts`: the endpoint's facts as plain literals (printed with
 * JSON.stringify, so no spec text can become code) and the factory that
 * binds them to the runtime.
 */
export function clientFile(model: ProviderModel): OptionalKind<SourceFileStructure> {
  const names = providerNames(model);
  const endpoint: TokenEndpoint = {
    path: model.operation.requestPath,
    ...(model.operation.method === "get" ? { method: "GET" as const } : {}),
    encoding: model.request.encoding,
    ...(model.request.parameters !== undefined ? { parameters: model.request.parameters } : {}),
    ...(model.request.spaceDelimited !== undefined ? { spaceDelimited: model.request.spaceDelimited } : {}),
    successStatuses: model.success.statuses,
    errorStatuses: model.errors.filter((e) => e.mediaType !== undefined).map((e) => e.status),
    tokenFields: model.success.tokenFields,
    expiry: model.success.expiry,
    ...(model.success.responseEncoding !== undefined ? { responseEncoding: model.success.responseEncoding } : {}),
    ...(model.success.errorInSuccess !== undefined ? { errorInSuccess: model.success.errorInSuccess } : {}),
    ...(model.operation.discovery !== undefined ? { discovery: model.operation.discovery } : {}),
  };
  const statements: StatementStructures[] = [
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: "../runtime/index.js",
      namedImports: [
        "TokenClientConfigError", "createSession", "requestToken", "resolveBaseUrl", "sessionKeyParts", "type ClientConfig",
        ...(model.operation.discovery !== undefined ? ["type DiscoveryError"] : []), "type GrantRule", "type NamedServer", "type TokenEndpoint",
      ],
    },
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: "./types.js",
      namedImports: [names.client, names.options, names.responseError, names.response, names.error],
    },
    constant(names.serversConst, "readonly NamedServer[]", model.servers.map(namedServer), "Servers named in the spec; `server` takes their names.", true),
    constant(ENDPOINT, "TokenEndpoint", endpoint, "What the spec says about the token endpoint; the runtime reads nothing else about it."),
    ...model.grants.map((grant) => constant(names.grantConst(grant), "GrantRule", grantRule(grant), `The \`${grant.grantType}\` grant.`)),
    sessionGrants(model),
    factory(model),
  ];
  return { statements };
}

/** A server as the runtime reads it: variables keep their default and allowed values, not their prose. */
function namedServer(server: ProviderModel["servers"][number]): NamedServer {
  if (server.variables === undefined) return { name: server.name, url: server.url };
  const variables = Object.fromEntries(
    Object.entries(server.variables).map(([name, v]) => [name, { default: v.default, ...(v.enum !== undefined ? { enum: v.enum } : {}) }]),
  );
  return { name: server.name, url: server.url, variables };
}

function grantRule(grant: GrantModel): GrantRule {
  return { grantType: grant.grantType, ...(grant.grantField !== undefined ? { grantField: grant.grantField } : {}), clientAuth: grant.clientAuth };
}

function constant(name: string, type: string, value: unknown, doc: string, exported = false): StatementStructures {
  return {
    kind: StructureKind.VariableStatement,
    isExported: exported,
    declarationKind: VariableDeclarationKind.Const,
    docs: jsDoc(doc),
    declarations: [{ name, type, initializer: literal(value) }],
  };
}

function factory(model: ProviderModel): StatementStructures {
  const names = providerNames(model);
  const secret = model.client.clientSecret === "absent" ? [] : ["clientSecret: options.clientSecret,"];
  const clientId = model.client.clientId === "absent" ? "clientId: \"\"," : "clientId: options.clientId,";
  return {
    kind: StructureKind.Function,
    name: names.createFunction,
    isExported: true,
    docs: jsDoc(`Creates a token client for ${model.title}.`, [
      { tagName: "throws", text: "{TokenClientConfigError} When no usable server or base URL is given (an `http:` URL that is not loopback, an unknown server name)." },
    ]),
    parameters: [{ name: "options", type: names.options }],
    returnType: names.client,
    statements: (writer) => {
      writer.writeLine("// Credentials live only in this closure: the returned object exposes methods, not secrets.");
      writer.writeLine("const config: ClientConfig = Object.freeze({").indent(() => {
        writer.writeLine(clientId);
        for (const line of secret) writer.writeLine(line);
        writer.writeLine(`baseUrl: resolveBaseUrl(options, ${names.serversConst}),`);
        writer.writeLine("fetch: options.fetch,");
        writer.writeLine("timeoutMs: options.timeoutMs,");
        writer.writeLine("clock: options.clock,");
      });
      writer.writeLine("});");
      const request = `requestToken<${names.response}, ${names.responseError}${model.operation.discovery !== undefined ? ", DiscoveryError" : ""}>`;
      const refresh = refreshGrant(model);
      writer.writeLine("return {").indent(() => {
        for (const grant of model.grants) {
          writer.writeLine(
            `${grant.methodName}: (params, call) => ${request}(${ENDPOINT}, ${names.grantConst(grant)}, config, ${paramsOptional(grant) ? "params ?? {}" : "params"}, call),`,
          );
        }
        writer.writeLine("session: (request, sessionOptions) => {").indent(() => {
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
              writer.writeLine("reobtainable: opened.reobtainable,");
              if (refresh) {
                writer.writeLine(
                  `refresh: (refreshToken, call) => ${request}(${ENDPOINT}, ${names.grantConst(refresh.grant)}, config, { ${propertyKey(refresh.field)}: refreshToken }, call),`,
                );
              }
              writer.writeLine(`keyParts: sessionKeyParts(${JSON.stringify(model.provider)}, ${ENDPOINT}, config, grant, params),`);
              writer.writeLine("clock: config.clock ?? Date.now,");
              writer.writeLine("elapsed: config.clock,");
              writer.writeLine("fetch: config.fetch,");
            });
            writer.writeLine("},");
            writer.writeLine("sessionOptions,");
          });
          writer.writeLine(");");
        });
        writer.writeLine("},");
      });
      writer.writeLine("};");
    },
  };
}

/** The provider's refresh_token grant (RFC 6749 §6), when it has one with a field for the token. */
function refreshGrant(model: ProviderModel): { grant: GrantModel; field: string } | undefined {
  for (const grant of model.grants) {
    const field = grant.refreshTokenField;
    if (field !== undefined && grant.fields.some((f) => f.name === field)) return { grant, field };
  }
  return undefined;
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
    docs: jsDoc("Each grant a session can be opened with, and whether the session may run it again unattended (a held password may; a code may not)."),
    declarations: [{ name: SESSION_GRANTS, initializer: `{\n${entries.join("\n")}\n} as const` }],
  };
}
