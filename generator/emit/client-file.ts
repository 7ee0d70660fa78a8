import { StructureKind, VariableDeclarationKind, type OptionalKind, type SourceFileStructure, type StatementStructures } from "ts-morph";
import type { GrantModel, ProviderModel } from "../model/index.js";
import type { GrantRule, TokenEndpoint } from "../runtime/types.js";
import type { NamedServer } from "../runtime/url.js";
import { LOCAL_VALUES, providerNames } from "./names.js";
import { paramsOptional } from "./types-file.js";
import { jsDoc, literal } from "./typescript.js";

const { endpoint: ENDPOINT, clientConfigs: CLIENT_CONFIGS } = LOCAL_VALUES;

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
    ...(model.request.scopeSeparator !== undefined ? { scopeSeparator: model.request.scopeSeparator } : {}),
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
        requestFunction(model), "resolveBaseUrl", "type ClientConfig",
        ...(model.operation.discovery !== undefined ? ["type DiscoveryError"] : []), "type GrantRule", "type NamedServer", "type TokenEndpoint",
      ],
    },
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: "./types.js",
      namedImports: [names.client, names.options, names.responseError, names.response],
    },
    constant(names.serversConst, "readonly NamedServer[]", model.servers.map(namedServer), "Servers named in the spec; `server` takes their names.", true),
    constant(ENDPOINT, "TokenEndpoint", endpoint, "What the spec says about the token endpoint; the runtime reads nothing else about it.", true),
    ...model.grants.map((grant) => constant(names.grantConst(grant), "GrantRule", grantRule(grant), `The \`${grant.grantType}\` grant.`, true)),
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: jsDoc(`Each client's config, for \`${names.createSessionFunction}\` (session.ts): kept off the client object, which shows no credential.`),
      declarations: [{ name: CLIENT_CONFIGS, initializer: `/* @__PURE__ */ new WeakMap<${names.client}, ClientConfig>()` }],
    },
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
  return {
    grantType: grant.grantType,
    ...(grant.grantField !== undefined ? { grantField: grant.grantField } : {}),
    clientAuth: grant.clientAuth,
    ...(grant.constantFields !== undefined ? { constantFields: grant.constantFields } : {}),
  };
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
      writer.writeLine(`// Credentials live only in this closure and in ${CLIENT_CONFIGS}: the returned object exposes methods, not secrets.`);
      writer.writeLine("const config: ClientConfig = Object.freeze({").indent(() => {
        writer.writeLine(clientId);
        for (const line of secret) writer.writeLine(line);
        writer.writeLine(`baseUrl: resolveBaseUrl(options, ${names.serversConst}),`);
        writer.writeLine("fetch: options.fetch,");
        writer.writeLine("timeoutMs: options.timeoutMs,");
        writer.writeLine("clock: options.clock,");
        writer.writeLine("onEvent: options.onEvent,");
        writer.writeLine(`provider: ${JSON.stringify(model.provider)},`);
      });
      writer.writeLine("});");
      const request = `${requestFunction(model)}<${names.response}, ${names.responseError}${model.operation.discovery !== undefined ? ", DiscoveryError" : ""}>`;
      writer.writeLine(`const client: ${names.client} = {`).indent(() => {
        for (const grant of model.grants) {
          writer.writeLine(
            `${grant.methodName}: (params, call) => ${request}(${ENDPOINT}, ${names.grantConst(grant)}, config, ${paramsOptional(grant) ? "params ?? {}" : "params"}, call),`,
          );
        }
      });
      writer.writeLine("};");
      writer.writeLine(`${CLIENT_CONFIGS}.set(client, config);`);
      writer.writeLine("return client;");
    },
  };
}

/**
 * The runtime function a provider's requests go through: `requestToken` for
 * an endpoint with OpenID Connect discovery, else `requestTokenNoDiscovery`,
 * so that a bundle without discovery carries none of its code.
 */
export function requestFunction(model: ProviderModel): "requestToken" | "requestTokenNoDiscovery" {
  return model.operation.discovery !== undefined ? "requestToken" : "requestTokenNoDiscovery";
}

/** The provider's refresh_token grant (RFC 6749 §6), when it has one with a field for the token. */
export function refreshGrant(model: ProviderModel): { grant: GrantModel; field: string } | undefined {
  for (const grant of model.grants) {
    const field = grant.refreshTokenField;
    if (field !== undefined && grant.fields.some((f) => f.name === field)) return { grant, field };
  }
  return undefined;
}
