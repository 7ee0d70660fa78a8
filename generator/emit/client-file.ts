import { StructureKind, VariableDeclarationKind, type OptionalKind, type SourceFileStructure, type StatementStructures } from "ts-morph";
import type { GrantModel, ProviderModel } from "../model/index.js";
import type { GrantRule, TokenEndpoint } from "../runtime/types.js";
import { paramsOptional, typeNames } from "./types-file.js";
import { jsDoc, literal } from "./typescript.js";

/** `ASSET_SERVERS`: the exported list of named servers. */
export function serversConstName(model: ProviderModel): string {
  return `${model.typePrefix.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}_SERVERS`;
}

export function createFunctionName(model: ProviderModel): string {
  return `create${model.typePrefix}Client`;
}

/**
 * `client.ts`: the endpoint's facts as plain literals (printed with
 * JSON.stringify, so no spec text can become code) and the factory that
 * binds them to the runtime.
 */
export function clientFile(model: ProviderModel): OptionalKind<SourceFileStructure> {
  const names = typeNames(model);
  const endpoint: TokenEndpoint = {
    path: model.operation.path,
    encoding: model.request.encoding,
    successStatuses: model.success.statuses,
    errorStatuses: model.errors.filter((e) => e.mediaType !== undefined).map((e) => e.status),
    tokenFields: model.success.tokenFields,
    expiry: model.success.expiry,
  };
  const statements: StatementStructures[] = [
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: "../runtime/index.js",
      namedImports: ["requestToken", "resolveBaseUrl", "type ClientConfig", "type GrantRule", "type NamedServer", "type TokenEndpoint"],
    },
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: "./types.js",
      namedImports: [names.client, names.options, names.responseError, names.response],
    },
    constant(serversConstName(model), "readonly NamedServer[]", model.servers.map((s) => ({ name: s.name, url: s.url })), "Servers named in the spec; `server` takes their names.", true),
    constant("ENDPOINT", "TokenEndpoint", endpoint, "What the spec says about the token endpoint; the runtime reads nothing else about it."),
    ...model.grants.map((grant) => constant(grantConstName(grant), "GrantRule", grantRule(grant), `The \`${grant.grantType}\` grant.`)),
    factory(model),
  ];
  return { statements };
}

function grantConstName(grant: GrantModel): string {
  return `${grant.methodName.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}_GRANT`;
}

function grantRule(grant: GrantModel): GrantRule {
  return { grantType: grant.grantType, grantField: grant.grantField, clientAuth: grant.clientAuth };
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
  const names = typeNames(model);
  const secret = model.client.clientSecret === "absent" ? [] : ["clientSecret: options.clientSecret,"];
  const clientId = model.client.clientId === "absent" ? "clientId: \"\"," : "clientId: options.clientId,";
  return {
    kind: StructureKind.Function,
    name: createFunctionName(model),
    isExported: true,
    docs: jsDoc(`Creates a token client for ${model.title}.`, [
      { tagName: "throws", text: "TokenClientConfigError when no usable server or base URL is given (an `http:` URL that is not loopback, an unknown server name)." },
    ]),
    parameters: [{ name: "options", type: names.options }],
    returnType: names.client,
    statements: (writer) => {
      writer.writeLine("// Credentials live only in this closure: the returned object exposes methods, not secrets.");
      writer.writeLine("const config: ClientConfig = Object.freeze({").indent(() => {
        writer.writeLine(clientId);
        for (const line of secret) writer.writeLine(line);
        writer.writeLine(`baseUrl: resolveBaseUrl(options, ${serversConstName(model)}),`);
        writer.writeLine("fetch: options.fetch,");
        writer.writeLine("timeoutMs: options.timeoutMs,");
        writer.writeLine("clock: options.clock,");
      });
      writer.writeLine("});");
      writer.writeLine("return {").indent(() => {
        for (const grant of model.grants) {
          writer.writeLine(
            `${grant.methodName}: (params, call) => requestToken<${names.response}, ${names.responseError}>(ENDPOINT, ${grantConstName(grant)}, config, ${paramsOptional(grant) ? "params ?? {}" : "params"}, call),`,
          );
        }
      });
      writer.writeLine("};");
    },
  };
}
