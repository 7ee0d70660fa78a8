import type { OptionalKind, SourceFileStructure, StatementStructures } from "ts-morph";
import { StructureKind, VariableDeclarationKind } from "./ts-morph.js";
import type { ErrorStatusModel, GrantModel, OperationModel, ProviderModel, RequestModel, SuccessModel, TokenOperationModel } from "../model/index.js";
import type { GrantRule, GrantUrl, TokenEndpoint } from "../runtime/types.js";
import type { NamedServer } from "../runtime/url.js";
import { flowClientImports, flowConstants, flowMethodLines } from "./flow-methods.js";
import { LOCAL_VALUES, allGrants, providerNames } from "./names.js";
import { standardGrant } from "../model/grants/index.js";
import { clientIdOption, clientSecretOption } from "../model/keys.js";
import { paramsOptional, signsClientAssertions } from "./types-file.js";
import { constant, jsDoc, literal } from "./typescript.js";

const { endpoint: ENDPOINT, clientConfigs: CLIENT_CONFIGS } = LOCAL_VALUES;

/**
 * `client.ts`: the endpoint's facts as plain literals (printed with
 * JSON.stringify, so no spec text can become code) and the factory that
 * binds them to the runtime.
 */
export function clientFile(model: ProviderModel): OptionalKind<SourceFileStructure> {
  const names = providerNames(model);
  const endpoint = tokenEndpoint(model);
  const others = model.otherOperations ?? [];
  const statements: StatementStructures[] = [
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: "../runtime/index.js",
      namedImports: [
        ...(signsClientAssertions(model) ? ["clientAuthValue"] : []), ...(offersDPoP(model) ? ["dpopKeyPair"] : []), ...assertionRules(model),
        requestFunction(model), "resolveBaseUrl", "type ClientConfig",
        ...(model.operation.discovery !== undefined ? ["type DiscoveryError"] : []), "type GrantRule", "type NamedServer", "type TokenEndpoint",
        ...flowClientImports(model),
      ],
    },
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: "./types.js",
      namedImports: [names.client, names.options, names.responseError, names.response, ...others.flatMap((o) => [names.operation(o).response, names.operation(o).responseError])],
    },
    constant(names.serversConst, "readonly NamedServer[]", model.servers.map(namedServer), "Servers named in the spec; `server` takes their names.", true),
    constant(ENDPOINT, "TokenEndpoint", endpoint, "What the spec says about the token endpoint; the runtime reads nothing else about it.", true),
    ...others.map((other) =>
      constant(names.operation(other).endpoint, "TokenEndpoint", tokenEndpoint(other), `The \`${other.operation.name}\` token operation: ${other.operation.method.toUpperCase()} ${other.operation.path}.`, true),
    ),
    ...allGrants(model).map((grant) => grantConstant(names.grantConst(grant), grant, ownUrl(model, grant))),
    ...flowConstants(model),
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

/** What the spec says about a token operation, as the runtime reads it. */
function tokenEndpoint(of: { operation: OperationModel; request: RequestModel; success: SuccessModel; errors: readonly ErrorStatusModel[] }): TokenEndpoint {
  return {
    path: of.operation.requestPath,
    ...(of.operation.method === "get" ? { method: "GET" as const } : {}),
    encoding: of.request.encoding,
    ...(of.request.parameters !== undefined ? { parameters: of.request.parameters } : {}),
    ...(of.request.spaceDelimited !== undefined ? { spaceDelimited: of.request.spaceDelimited } : {}),
    ...(of.request.scopeSeparator !== undefined ? { scopeSeparator: of.request.scopeSeparator } : {}),
    successStatuses: of.success.statuses,
    errorStatuses: of.errors.filter((e) => e.mediaType !== undefined).map((e) => e.status),
    tokenFields: of.success.tokenFields,
    expiry: of.success.expiry,
    ...(of.success.responseEncoding !== undefined ? { responseEncoding: of.success.responseEncoding } : {}),
    ...(of.success.errorInSuccess !== undefined ? { errorInSuccess: of.success.errorInSuccess } : {}),
    ...(of.operation.discovery !== undefined ? { discovery: of.operation.discovery } : {}),
  };
}

/** A server as the runtime reads it: variables keep their default and allowed values, not their prose. */
function namedServer(server: ProviderModel["servers"][number]): NamedServer {
  if (server.variables === undefined) return { name: server.name, url: server.url };
  const variables = Object.fromEntries(
    Object.entries(server.variables).map(([name, v]) => [name, { default: v.default, ...(v.enum !== undefined ? { enum: v.enum } : {}) }]),
  );
  return { name: server.name, url: server.url, variables };
}

function grantRule(grant: GrantModel, url: GrantUrl | undefined): GrantRule {
  return {
    grantType: grant.grantType,
    ...(grant.grantField !== undefined ? { grantField: grant.grantField } : {}),
    clientAuth: grant.clientAuth,
    ...(grant.constantFields !== undefined ? { constantFields: grant.constantFields } : {}),
    ...(url !== undefined ? { url } : {}),
  };
}

/** The refresh grant's own URL, when the surface has a refresh endpoint apart from the token endpoint (surface.ts). */
function ownUrl(model: ProviderModel, grant: GrantModel): GrantUrl | undefined {
  // The flows' refreshUrl belongs to the primary token operation's refresh grant.
  const refresh = model.surface?.refresh;
  if (refresh === undefined || grant.grantType !== "refresh_token" || !model.grants.includes(grant)) return undefined;
  return { url: refresh.url, ...(refresh.relative ? { relative: true } : {}) };
}

/** The runtime function that makes an assertion grant's rule with its `params` hook (model/grants/), if the grant is one. */
function assertionRule(grant: GrantModel): "jwtBearerGrant" | "tokenExchangeGrant" | undefined {
  return standardGrant(grant.grantType)?.assertion?.rule;
}

function assertionRules(model: ProviderModel): string[] {
  return [...new Set(allGrants(model).flatMap((grant) => assertionRule(grant) ?? []))].sort();
}

function offersDPoP(model: ProviderModel): boolean {
  return model.keys !== undefined && model.keys.dpop !== "absent";
}

/**
 * A grant's rule. An assertion grant's spreads the runtime's rule first, for its `params` hook (fields checked
 * before sending, credentials given as functions), then the spec's facts over it.
 */
function grantConstant(name: string, grant: GrantModel, url: GrantUrl | undefined): StatementStructures {
  const where = url === undefined ? "" : ` Sent to ${url.relative === true ? `${url.url} on the client's server` : url.url}, not the token endpoint.`;
  const doc = `The \`${grant.grantType}\` grant.${where}`;
  const maker = assertionRule(grant);
  if (maker === undefined) return constant(name, "GrantRule", grantRule(grant, url), doc, true);
  // RFC-required fields the spec gives a default: the server applies it, so the runtime's check lets them be left out.
  const defaulted = grant.fields.filter((field) => !field.required && field.documentedDefault !== undefined).map((field) => field.name);
  const args = maker === "tokenExchangeGrant" && defaulted.length > 0 ? `undefined, ${literal(defaulted)}` : "";
  const rule = literal(grantRule(grant, url)).replace(/^\{\n/, `{\n  .../* @__PURE__ */ ${maker}(${args}),\n`);
  return {
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: jsDoc(`${doc} Its fields are checked before anything is sent; credentials may be functions making a fresh one per request.`),
    declarations: [{ name, type: "GrantRule", initializer: rule }],
  };
}

function factory(model: ProviderModel): StatementStructures {
  const names = providerNames(model);
  const secret = clientSecretOption(model) === "absent" ? [] : ["clientSecret: options.clientSecret,"];
  // Signing code only where the provider documents a JWT method; otherwise a JWT method comes as a value that carries its own.
  const clientAuth = signsClientAssertions(model)
    ? `clientAuth: ${model.keys?.clientAuth === "required" ? "" : "options.clientAuth === undefined ? undefined : "}clientAuthValue(options.clientAuth${secret.length > 0 ? ", { clientSecret: options.clientSecret }" : ""}),`
    : "clientAuth: options.clientAuth,";
  const dpop = offersDPoP(model) ? [`dpop: ${model.keys?.dpop === "required" ? "" : "options.dpop === undefined ? undefined : "}dpopKeyPair(options.dpop),`] : [];
  const clientId = clientIdOption(model) === "absent" ? "clientId: \"\"," : "clientId: options.clientId,";
  return {
    kind: StructureKind.Function,
    name: names.createFunction,
    isExported: true,
    docs: jsDoc(`Creates a token client for ${model.title}.`, [
      {
        tagName: "throws",
        text:
          "{TokenClientConfigError} When no usable server or base URL is given (an `http:` URL that is not loopback, an unknown server name)" +
          (signsClientAssertions(model) || offersDPoP(model) ? ", or an unusable `clientAuth`. {KeyError} For a `clientAuth` or `dpop` key that cannot sign." : "."),
      },
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
        writer.writeLine(clientAuth);
        for (const line of dpop) writer.writeLine(line);
      });
      writer.writeLine("});");
      const request = `${requestFunction(model)}<${names.response}, ${names.responseError}${model.operation.discovery !== undefined ? ", DiscoveryError" : ""}>`;
      writer.writeLine(`const client: ${names.client} = {`).indent(() => {
        for (const grant of model.grants) {
          writer.writeLine(
            `${grant.methodName}: (params, call) => ${request}(${ENDPOINT}, ${names.grantConst(grant)}, config, ${paramsOptional(grant) ? "params ?? {}" : "params"}, call),`,
          );
        }
        for (const other of model.otherOperations ?? []) {
          const own = names.operation(other);
          const otherRequest = `${requestFunction(model)}<${own.response}, ${own.responseError}${model.operation.discovery !== undefined ? ", DiscoveryError" : ""}>`;
          for (const grant of other.grants) {
            writer.writeLine(
              `${names.method(grant)}: (params, call) => ${otherRequest}(${own.endpoint}, ${names.grantConst(grant)}, config, ${paramsOptional(grant) ? "params ?? {}" : "params"}, call),`,
            );
          }
        }
        for (const line of flowMethodLines(model, request, ENDPOINT)) writer.writeLine(line);
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
  return refreshIn(model.grants);
}

function refreshIn(grants: readonly GrantModel[]): { grant: GrantModel; field: string } | undefined {
  for (const grant of grants) {
    const field = grant.refreshTokenField;
    if (field !== undefined && grant.fields.some((f) => f.name === field)) return { grant, field };
  }
  return undefined;
}

/**
 * Where a session opened on an operation's grant refreshes (several token operations): that operation's own
 * refresh grant, else the refresh grant of the first operation that documents one and answers access tokens.
 * `operation` undefined: the primary operation; `endpoint` is the constant naming the operation's endpoint.
 */
export function refreshRoute(model: ProviderModel, operation: TokenOperationModel | undefined): { grant: GrantModel; field: string; endpoint: string } | undefined {
  const names = providerNames(model);
  const endpointOf = (of: TokenOperationModel | undefined) => (of === undefined ? ENDPOINT : names.operation(of).endpoint);
  const own = refreshIn(operation === undefined ? model.grants : operation.grants);
  if (own !== undefined) return { ...own, endpoint: endpointOf(operation) };
  const primary = refreshIn(model.grants);
  if (primary !== undefined) return { ...primary, endpoint: ENDPOINT };
  for (const other of model.otherOperations ?? []) {
    const found = other.success.issues === "refresh_token" ? undefined : refreshIn(other.grants);
    if (found !== undefined) return { ...found, endpoint: endpointOf(other) };
  }
  return undefined;
}
