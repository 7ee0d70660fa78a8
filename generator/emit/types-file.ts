import type { MethodSignatureStructure, OptionalKind, SourceFileStructure, StatementStructures, PropertySignatureStructure, WriterFunction } from "ts-morph";
import { StructureKind } from "./ts-morph.js";
import { standardGrant } from "../model/grants/index.js";
import type { ErrorStatusModel, FieldModel, GrantModel, ProviderModel, SuccessModel, TokenOperationModel, WireSource } from "../model/index.js";
import { clientIdOption, clientSecretOption } from "../model/keys.js";
import { errorInSuccessText } from "../model/response.js";
import { fieldPathName } from "../runtime/field-path.js";
import { docText } from "./doc-text.js";
import { flowMethodSignatures, flowTypeAliases, flowTypeImports } from "./flow-methods.js";
import { LOCAL_TYPES, WIRE_TYPES, allGrants, providerNames } from "./names.js";
import { excludedSignature, fieldSignature, indexed, jsDoc, literalUnion, objectType, propertyKey, unionType, writeDoc } from "./typescript.js";

const OPERATION = LOCAL_TYPES.operation;
const REQUEST_BODY = LOCAL_TYPES.requestBody;

/** The local aliases a token operation's types are read through: the primary's, or another operation's own. */
interface OperationAliases {
  readonly operation: string;
  readonly requestBody: string;
}

const PRIMARY: OperationAliases = { operation: OPERATION, requestBody: REQUEST_BODY };

/**
 * `types.ts`: the friendly request, response and error types, each built by
 * indexing the openapi-typescript `paths`/`components` types so that the
 * spec's own field types (enums as literal unions, nullability) flow through.
 */
export function typesFile(model: ProviderModel): OptionalKind<SourceFileStructure> {
  const names = providerNames(model);
  const statements: (string | WriterFunction | StatementStructures)[] = [
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: "../runtime/index.js",
      namedImports: [
        "CallOptions", ...keyTypeImports(model), "Clock", ...(model.grants.some((g) => credentialSources(g).length > 0) ? ["CredentialSource"] : []),
        ...(model.operation.discovery !== undefined ? ["DiscoveryError"] : []), "FetchLike", "Token", "TokenEventHook",
        ...(hasResponseErrors(model) ? ["TokenResponseError"] : []), "TokenResult", "TransportError",
        ...flowTypeImports(model),
      ],
    },
    { kind: StructureKind.ImportDeclaration, isTypeOnly: true, moduleSpecifier: "./wire.js", namedImports: wireImports(model) },
    alias(OPERATION, indexed(WIRE_TYPES[1], model.operation.path, model.operation.method), `The token operation as openapi-typescript types it: ${model.operation.method.toUpperCase()} ${model.operation.path}.`, false),
    ...(model.request.mediaType !== undefined && readsBody(model.grants, (kind) => kind === "request-body" || kind === "request-body-variant")
      ? [alias(REQUEST_BODY, indexed(`NonNullable<${OPERATION}["requestBody"]>`, "content", model.request.mediaType), "The request body as the spec types it.", false)]
      : []),
    ...scopeAlias(model),
    ...flowTypeAliases(model),
    ...(allGrants(model).some((g) => [...g.fields, ...g.alternatives.flatMap((a) => a.fields)].some((f) => f.required))
      ? [alias(LOCAL_TYPES.defined, "Exclude<T, undefined>", "A field that must be present, whatever the wire type allows.", false, "T")]
      : []),
    ...model.grants.flatMap((grant) => grantParams(model, grant)),
    ...(model.otherOperations ?? []).flatMap((operation) => otherOperationTypes(model, operation)),
    alias(names.response, indexed(OPERATION, "responses", responseIndex(model.success.typedKey), "content", model.success.mediaType), `The success body (status ${model.success.typedKey}) as the spec documents it.`),
    alias(names.token, `Token<${names.response}>`, "A token, normalised: `expiresAt` is epoch milliseconds, whatever the provider sends."),
    alias(names.responseError, responseErrorType(model, model), responseErrorDoc(model)),
    alias(
      names.error,
      `${[names.responseError, ...(model.otherOperations ?? []).map((o) => names.operation(o).responseError)].join(" | ")} | TransportError${model.operation.discovery !== undefined ? " | DiscoveryError" : ""}`,
      `Every way a token request can fail; narrow on \`kind\`, then on \`status\`.${model.operation.discovery !== undefined ? " `DiscoveryError`: the OpenID Connect discovery document was unusable." : ""}`,
    ),
    alias(names.result, `TokenResult<${names.response}, ${names.error}>`, "What every grant method resolves to: `{ ok: true, token }` or `{ ok: false, error }`."),
    alias(names.sessionRequest, sessionRequestType(model), "What a session is opened with: a grant type and that grant's parameters."),
    alias(names.serverName, literalUnion(model.servers.map((s) => s.name)), serverDoc(model)),
    alias(names.options, optionsType(model), "Options for the client. Credentials stay inside the client and are never logged."),
    clientInterface(model),
  ];
  return { statements };
}

function wireImports(model: ProviderModel): string[] {
  const [components, paths] = WIRE_TYPES;
  return readsBody(allGrants(model), (kind) => kind === "component") ? [components, paths] : [paths];
}

/**
 * Another token operation's types: its operation and request body aliases, each grant's params, and its own
 * response, response error and result, read through its own aliases.
 */
function otherOperationTypes(model: ProviderModel, operation: TokenOperationModel): (StatementStructures | WriterFunction)[] {
  const names = providerNames(model);
  const own = names.operation(operation);
  const aliases: OperationAliases = { operation: own.operationType, requestBody: own.requestBody };
  const { method, path } = operation.operation;
  const label = `${method.toUpperCase()} ${path}`;
  return [
    alias(aliases.operation, indexed(WIRE_TYPES[1], path, method), `The \`${operation.operation.name}\` token operation as openapi-typescript types it: ${label}.`, false),
    ...(operation.request.mediaType !== undefined && readsBody(operation.grants, (kind) => kind === "request-body" || kind === "request-body-variant")
      ? [alias(aliases.requestBody, indexed(`NonNullable<${aliases.operation}["requestBody"]>`, "content", operation.request.mediaType), `The \`${operation.operation.name}\` request body as the spec types it.`, false)]
      : []),
    ...operation.grants.flatMap((grant) => grantParams(model, grant, aliases)),
    alias(
      own.response,
      indexed(aliases.operation, "responses", responseIndex(operation.success.typedKey), "content", operation.success.mediaType),
      `The \`${operation.operation.name}\` success body (status ${operation.success.typedKey}) as the spec documents it.${operation.success.issues === "refresh_token" ? " It carries a refresh token only: the token a grant method returns is that refresh token." : ""}`,
    ),
    alias(own.responseError, responseErrorType(model, operation, aliases.operation, own.response), responseErrorDoc(operation)),
    alias(own.result, `TokenResult<${own.response}, ${own.responseError} | TransportError>`, `What the \`${operation.operation.name}\` grant methods resolve to.`),
  ];
}

/** Whether a field's type is read from its grant's body type (not a parameter, a scope union or a config-stated path parameter). */
function typedFromBody(field: FieldModel): boolean {
  return field.knownValues === undefined && field.fromConfig !== true && field.in === undefined && field.spaceDelimited !== true;
}

/** Whether some grant whose body is of a kind `which` accepts has a field typed from that body. */
function readsBody(grants: readonly GrantModel[], which: (kind: WireSource["kind"]) => boolean): boolean {
  return grants.some((g) => which(g.wire.kind) && [...g.fields, ...g.alternatives.flatMap((a) => a.fields)].some(typedFromBody));
}

/**
 * A type alias. Multi-line types are written as a top-level statement, not a
 * ts-morph TypeAlias structure, whose printer adds a hanging indent to every
 * line after the first.
 */
function alias(name: string, type: string | WriterFunction, doc: string | undefined, exported = true, typeParameters = ""): StatementStructures | WriterFunction {
  if (typeof type === "string") {
    return { kind: StructureKind.TypeAlias, name, isExported: exported, type, docs: jsDoc(doc), ...(typeParameters ? { typeParameters: [typeParameters] } : {}) };
  }
  return (writer) => {
    for (const docStructure of jsDoc(doc)) writeDoc(writer, docStructure);
    writer.write(`${exported ? "export " : ""}type ${name}${typeParameters ? `<${typeParameters}>` : ""} = `);
    type(writer);
    writer.write(";").newLine();
  };
}

/** `XScope`: the scopes the spec's OAuth2 flows name, open to any other string. */
function scopeAlias(model: ProviderModel): (StatementStructures | WriterFunction)[] {
  const known = [...new Set(allGrants(model).flatMap((g) => g.fields.flatMap((f) => f.knownValues ?? [])))];
  if (known.length === 0) return [];
  return [alias(providerNames(model).scope, `${literalUnion(known)} | (string & {})`, "Scopes the spec's OAuth2 flows name; any other string is accepted too. Several are sent space-delimited (RFC 6749 §3.3).")];
}

/**
 * The fields of an assertion grant (model/grants/: JWT bearer, token exchange) that may be given as a function
 * making a fresh credential per request, so that a session can run the grant again by itself.
 */
export function credentialSources(grant: GrantModel): readonly string[] {
  return standardGrant(grant.grantType)?.assertion?.sources ?? [];
}

/** The wire type of a field: the grant's body type, or the operation's parameters of its location. */
function fieldType(model: ProviderModel, grant: GrantModel, field: FieldModel, aliases: OperationAliases): { source: string; override?: string } {
  if (credentialSources(grant).includes(field.name)) return { source: "", override: "CredentialSource" };
  if (field.knownValues !== undefined) {
    const scope = providerNames(model).scope;
    return { source: "", override: `${scope} | readonly ${scope}[]` };
  }
  // A path parameter the provider config adds is not in the wire types.
  if (field.fromConfig === true) return { source: "", override: "string" };
  // Joined by the provider's separator (provider config `request.scopeSeparator`): one string or several.
  if (field.spaceDelimited === true) return { source: "", override: "string | readonly string[]" };
  if (field.in !== undefined) return { source: `NonNullable<${aliases.operation}["parameters"][${JSON.stringify(field.in)}]>` };
  return { source: bodyAlias(model, grant, aliases)?.name ?? wireBody(grant, aliases) };
}

/**
 * A local name for a grant's body type when it is more than one word
 * (`components["schemas"]["Body_get_token_post"]`, an `Extract<…>` of a
 * union), so each field reads `ClientCredentialsBody["scope"]`.
 */
function bodyAlias(model: ProviderModel, grant: GrantModel, aliases: OperationAliases): { name: string; type: string } | undefined {
  if (grant.wire.kind !== "component" && grant.wire.kind !== "request-body-variant") return undefined;
  if (![...grant.fields, ...grant.alternatives.flatMap((a) => a.fields)].some(typedFromBody)) return undefined;
  return { name: providerNames(model).body(grant), type: wireBody(grant, aliases) };
}

function signature(model: ProviderModel, grant: GrantModel, field: FieldModel, aliases: OperationAliases) {
  const { source, override } = fieldType(model, grant, field, aliases);
  return fieldSignature(field, source, override);
}

/** A responses key as openapi-typescript keys it: statuses are numbers, `4XX` and `default` strings. */
function responseIndex(key: string): string | number {
  return /^\d+$/.test(key) ? Number(key) : key;
}

/** The wire type a grant's body fields are read from. */
function wireBody(grant: GrantModel, aliases: OperationAliases): string {
  const source: WireSource = grant.wire;
  switch (source.kind) {
    case "request-body":
      return aliases.requestBody;
    case "component":
      return indexed(WIRE_TYPES[0], "schemas", source.name);
    case "request-body-variant":
      return `Extract<${aliases.requestBody}, { ${JSON.stringify(grant.grantField)}: ${JSON.stringify(grant.grantType)} }>`;
    case "no-body":
      return "never";
    default: {
      const unreachable: never = source;
      throw new Error(`unknown wire source ${JSON.stringify(unreachable)}`);
    }
  }
}

function grantParams(model: ProviderModel, grant: GrantModel, aliases: OperationAliases = PRIMARY): (StatementStructures | WriterFunction)[] {
  const shared = grant.fields.map((field) => signature(model, grant, field, aliases));
  const doc = `Parameters of the \`${grant.grantType}\` grant.${grant.description ? `\n\n${grant.description}` : ""}\nClient credentials come from the client options and are not repeated here.`;
  const body = bodyAlias(model, grant, aliases);
  const bodyType = body ? [alias(body.name, body.type, `The \`${grant.grantType}\` request body as the spec types it.`, false)] : [];
  if (grant.alternatives.length === 0) return [...bodyType, alias(providerNames(model).params(grant), objectType(shared), doc)];
  const allAlternativeFields = grant.alternatives.flatMap((a) => a.fields.map((f) => f.name));
  const alternatives = grant.alternatives.map((alternative) => {
    const own = alternative.fields.map((field) => signature(model, grant, field, aliases));
    const others = allAlternativeFields.filter((name) => !alternative.fields.some((f) => f.name === name)).map(excludedSignature);
    return objectType([...own, ...others]);
  });
  const type: WriterFunction = (writer) => {
    if (shared.length === 0) return unionType(alternatives)(writer);
    objectType(shared)(writer);
    writer.write(" & (");
    unionType(alternatives)(writer);
    writer.newLine().write(")");
  };
  const labels = grant.alternatives.map((a) => a.fields.map((f) => f.name).join(" + ")).join(", or ");
  return [...bodyType, alias(providerNames(model).params(grant), type, `${doc}\nCredentials: ${labels}.`)];
}

/** Whether the error union has a `TokenResponseError`: a documented error status with a body, or errors sent with a success status. */
function hasResponseErrors(model: ProviderModel): boolean {
  return [model, ...(model.otherOperations ?? [])].some((o) => o.errors.some((e) => e.mediaType !== undefined) || o.success.errorInSuccess !== undefined);
}

/** A token operation's documented errors, each typed through that operation's alias. */
interface ErrorsOf {
  readonly errors: readonly ErrorStatusModel[];
  readonly success: SuccessModel;
}

function responseErrorType(model: ProviderModel, of: ErrorsOf, operationAlias: string = OPERATION, response = providerNames(model).response): WriterFunction {
  const typed = of.errors.filter((e) => e.mediaType !== undefined);
  // A range key or `default` covers many statuses: its errors carry `number`.
  const members = typed.map((e) => `TokenResponseError<${typeof e.status === "number" ? e.status : "number"}, ${indexed(operationAlias, "responses", responseIndex(e.key), "content", e.mediaType!)}>`);
  // An error sent with a success status has the success body (provider config `response.errorWhen`).
  if (of.success.errorInSuccess !== undefined) {
    const status = typeof of.success.typedStatus === "number" && of.success.statuses.length === 1 ? of.success.typedStatus : "number";
    members.push(`TokenResponseError<${status}, ${response}>`);
  }
  return unionType(members);
}

function responseErrorDoc(model: ErrorsOf): string {
  const typed = model.errors.filter((e) => e.mediaType !== undefined);
  const inSuccess = model.success.errorInSuccess;
  const lines = typed.map((e) => `- ${e.key}${e.description ? `: ${e.description}` : ""}`);
  if (inSuccess !== undefined) {
    const code = inSuccess.code === undefined ? "" : `, its code at \`${fieldPathName(inSuccess.code)}\``;
    lines.push(`- ${model.success.typedKey} with the success body${code}: ${errorInSuccessText(inSuccess)}`);
  }
  if (lines.length === 0) return "The spec documents no error statuses with a body: every error answer is `unexpected_status`.";
  return `Error answers the spec documents, each with its typed body:\n${lines.join("\n")}`;
}

function serverDoc(model: ProviderModel): string {
  if (model.servers.length === 0) return "The spec names no servers: pass `baseUrl`.";
  return `Servers named in the spec:\n${model.servers.map((s) => `- \`${s.name}\`: ${s.url}`).join("\n")}`;
}

function optionsType(model: ProviderModel): WriterFunction {
  const names = providerNames(model);
  const settings: OptionalKind<PropertySignatureStructure>[] = [];
  if (clientIdOption(model) !== "absent") settings.push({ name: "clientId", type: "string", docs: jsDoc("The OAuth client identifier (RFC 6749 §2.2).") });
  const secret = clientSecretOption(model);
  if (secret !== "absent") {
    settings.push({ name: "clientSecret", hasQuestionToken: secret === "optional", type: "string", docs: jsDoc("The client secret (RFC 6749 §2.3.1). Never logged, never part of an error.") });
  }
  settings.push(...keyOptions(model));
  settings.push(
    { name: "fetch", hasQuestionToken: true, type: "FetchLike", docs: jsDoc("A `fetch` to use instead of the platform's.") },
    { name: "timeoutMs", hasQuestionToken: true, type: "number", docs: jsDoc("Abort a token request after this long, body included.", [{ tagName: "default", text: "10000" }]) },
    { name: "clock", hasQuestionToken: true, type: "Clock", docs: jsDoc("Epoch milliseconds for all expiry arithmetic.", [{ tagName: "default", text: "Date.now" }]) },
    {
      name: "onEvent",
      hasQuestionToken: true,
      type: "TokenEventHook",
      docs: jsDoc("Called after every token request (and with the events of sessions opened on this client): kinds, codes and durations, never a token or a secret. What it throws is ignored."),
    },
  );
  const variables = serverVariablesType(model);
  if (variables !== undefined) {
    settings.push({ name: "serverVariables", hasQuestionToken: true, type: variables, docs: jsDoc("Values for the server URL's variables; each defaults as the spec says.") });
  }
  const server: OptionalKind<PropertySignatureStructure> = { name: "server", type: names.serverName, docs: jsDoc("A server named in the spec.") };
  const baseUrl: OptionalKind<PropertySignatureStructure> = { name: "baseUrl", type: "string", docs: jsDoc("Any base URL; `https:` unless it is a loopback address.") };
  return (writer) => {
    objectType(settings)(writer);
    if (model.servers.length === 0) {
      writer.write(" & ");
      objectType([baseUrl])(writer);
    } else if (model.servers.length === 1) {
      writer.write(" & ");
      objectType([{ ...server, hasQuestionToken: true }, { ...baseUrl, hasQuestionToken: true }])(writer);
    } else {
      writer.write(" & (");
      unionType([
        objectType([server, { name: "baseUrl", hasQuestionToken: true, type: "undefined" }]),
        objectType([baseUrl, { name: "server", hasQuestionToken: true, type: "undefined" }]),
      ])(writer);
      writer.newLine().write(")");
    }
  };
}

/** The `clientSecret` option once the documented client authentication methods are known (model/keys.ts). */

const JWT_METHODS: readonly string[] = ["client_secret_jwt", "private_key_jwt"];

/** Whether the provider documents a JWT client authentication method, so its client signs assertions itself. */
export function signsClientAssertions(model: ProviderModel): boolean {
  return model.keys?.clientAuthMethods?.some((method) => JWT_METHODS.includes(method)) ?? false;
}

function keyTypeImports(model: ProviderModel): string[] {
  const documented = model.keys?.clientAuthMethods;
  const types = documented === undefined ? ["ClientAuthValue"] : ["ClientAuth", ...(signsClientAssertions(model) ? ["JwtClientAuth"] : [])];
  return [...types, ...(model.keys !== undefined && model.keys.dpop !== "absent" ? ["DPoPOptions"] : [])];
}

/**
 * `clientAuth`: the methods the provider documents, as descriptions (`{ method: "private_key_jwt", privateKey }`) or
 * as values `privateKeyJwt()` made; every method when nothing is documented, the JWT ones as values only, so that
 * the client bundles signing code only when the provider asks for keys or the caller imports it. `dpop`: when the
 * spec or config says DPoP.
 */
function keyOptions(model: ProviderModel): OptionalKind<PropertySignatureStructure>[] {
  const keys = model.keys;
  const documented = keys?.clientAuthMethods;
  const jwt = documented?.filter((method) => JWT_METHODS.includes(method)) ?? [];
  const type =
    documented === undefined
      ? "ClientAuthValue"
      : [`Extract<ClientAuth, { method: ${literalUnion(documented)} }>`, ...(jwt.length > 0 ? [`(JwtClientAuth & { readonly method: ${literalUnion(jwt)} })`] : [])].join(" | ");
  const methods = documented === undefined ? "any method (`private_key_jwt` and `client_secret_jwt` as values made by the runtime's `privateKeyJwt()` and `clientSecretJwt()`)" : documented.map((m) => `\`${m}\``).join(", ");
  const options: OptionalKind<PropertySignatureStructure>[] = [
    {
      name: "clientAuth",
      hasQuestionToken: keys?.clientAuth !== "required",
      type,
      docs: jsDoc(
        `How the client authenticates (RFC 6749 §2.3, RFC 7523 §2.2): ${documented === undefined ? "" : "the methods the provider documents, "}${methods}. ` +
          "A private key is never logged or part of an error." +
          (keys?.clientAuth === "required" ? "" : " Left out: as the spec says of each grant."),
      ),
    },
  ];
  if (keys !== undefined && keys.dpop !== "absent") {
    options.push({
      name: "dpop",
      hasQuestionToken: keys.dpop === "optional",
      type: "DPoPOptions",
      docs: jsDoc("A key pair (`crypto.subtle.generateKey`) that binds tokens to it (DPoP, RFC 9449): a proof on every token request and every `session.fetch`. Left out: bearer tokens."),
    });
  }
  return options;
}

/** `{ region?: "us-east-1" | "eu-west-1" }`: every variable of any server, with the values its enums allow. */
function serverVariablesType(model: ProviderModel): string | undefined {
  const byName = new Map<string, { values: Set<string>; open: boolean; description?: string }>();
  for (const server of model.servers) {
    for (const [name, variable] of Object.entries(server.variables ?? {})) {
      const entry = byName.get(name) ?? { values: new Set<string>(), open: false };
      if (variable.enum === undefined) entry.open = true;
      for (const value of variable.enum ?? []) entry.values.add(value);
      if (entry.description === undefined && variable.description !== undefined) entry.description = variable.description;
      byName.set(name, entry);
    }
  }
  if (byName.size === 0) return undefined;
  const members = [...byName].map(([name, entry]) => {
    const doc = entry.description !== undefined ? `/** ${docText(entry.description)} */ ` : "";
    return `${doc}${propertyKey(name)}?: ${entry.open ? "string" : literalUnion([...entry.values])}`;
  });
  return `{ ${members.join("; ")} }`;
}

function clientInterface(model: ProviderModel): StatementStructures {
  const names = providerNames(model);
  return {
    kind: StructureKind.Interface,
    name: names.client,
    isExported: true,
    docs: jsDoc(`A token client for ${model.title}: one method per grant the spec documents. Sessions: \`${names.createSessionFunction}\` (session.ts).`),
    methods: [
      ...model.grants.map((grant): OptionalKind<MethodSignatureStructure> => {
      return {
        name: grant.methodName,
        docs: jsDoc(`Requests a token with the \`${grant.grantType}\` grant (${model.operation.method.toUpperCase()} ${model.operation.requestPath}).`, [
          { tagName: "returns", text: "`{ ok: true, token }`, or `{ ok: false, error }`; never rejects." },
        ]),
        parameters: [
          { name: "params", type: names.params(grant), hasQuestionToken: paramsOptional(grant) },
          { name: "options", type: "CallOptions", hasQuestionToken: true },
        ],
        returnType: `Promise<${names.result}>`,
      };
    }),
      ...(model.otherOperations ?? []).flatMap((operation) =>
        operation.grants.map((grant): OptionalKind<MethodSignatureStructure> => {
          const refreshOnly = operation.success.issues === "refresh_token" ? " It answers a refresh token only: the token returned is that refresh token." : "";
          return {
            name: names.method(grant),
            docs: jsDoc(
              `Requests a token with the \`${grant.grantType}\` grant of the \`${operation.operation.name}\` operation (${operation.operation.method.toUpperCase()} ${operation.operation.requestPath}).${refreshOnly}`,
              [{ tagName: "returns", text: "`{ ok: true, token }`, or `{ ok: false, error }`; never rejects." }],
            ),
            parameters: [
              { name: "params", type: names.params(grant), hasQuestionToken: paramsOptional(grant) },
              { name: "options", type: "CallOptions", hasQuestionToken: true },
            ],
            returnType: `Promise<${names.operation(operation).result}>`,
          };
        }),
      ),
      ...flowMethodSignatures(model),
    ],
  };
}

/** Whether a grant method can be called without params (nothing required, no credential choice). */
export function paramsOptional(grant: GrantModel): boolean {
  return grant.alternatives.length === 0 && grant.fields.every((f) => !f.required);
}

/** `{ grant: "password" } & PasswordParams | …`: each grant a session can be opened with. */
function sessionRequestType(model: ProviderModel): WriterFunction {
  const names = providerNames(model);
  return unionType(sessionGrantsOf(model).map(({ grant }) => `{ grant: ${JSON.stringify(grant.grantType)} } & ${names.params(grant)}`));
}

/**
 * The grants a session can be opened with, each with its operation (undefined: the primary): every grant of the
 * primary operation, then each other operation's grants of a type not seen before, unless that operation answers
 * a refresh token only (a session holds an access token).
 */
export function sessionGrantsOf(model: ProviderModel): readonly { readonly grant: GrantModel; readonly operation?: TokenOperationModel }[] {
  const seen = new Set(model.grants.map((grant) => grant.grantType));
  const out: { grant: GrantModel; operation?: TokenOperationModel }[] = model.grants.map((grant) => ({ grant }));
  for (const operation of model.otherOperations ?? []) {
    if (operation.success.issues === "refresh_token") continue;
    for (const grant of operation.grants) {
      if (seen.has(grant.grantType)) continue;
      seen.add(grant.grantType);
      out.push({ grant, operation });
    }
  }
  return out;
}
