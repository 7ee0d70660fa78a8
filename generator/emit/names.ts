import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ts } from "./ts-morph.js";
import type { GrantModel, ProviderModel, TokenOperationModel } from "../model/index.js";
import { pascalCase } from "../model/names.js";
import { packageRoot } from "../package-root.js";

/**
 * Every identifier the generated code declares or exports is decided here,
 * and only here: the provider's exported types, its factory and servers
 * constant, the module-local constants and type aliases, and which runtime
 * names a provider re-exports. The words they are made of come from the
 * model (`typePrefix` and each grant's `methodName`, see model/names.ts);
 * the runtime's own exported names are read from the runtime's source, so a
 * name the runtime starts exporting is never declared a second time.
 */

/** Where the runtime's public API is declared (copied into every output as `runtime/index.ts`). */
const RUNTIME_INDEX = "generator/runtime/index.ts";

/** Names the runtime's `index.ts` exports, as values (classes, functions, constants) and as types only. */
export interface RuntimeExports {
  readonly values: ReadonlySet<string>;
  readonly types: ReadonlySet<string>;
}

let runtimeExportsCache: RuntimeExports | undefined;

/** The runtime's exported names, read from its `index.ts` with the TypeScript parser (once per process). */
export function runtimeExports(): RuntimeExports {
  runtimeExportsCache ??= parseRuntimeExports(readFileSync(fileURLToPath(new URL(RUNTIME_INDEX, packageRoot)), "utf8"));
  return runtimeExportsCache;
}

/**
 * The names an `index.ts` exports through `export { a, type B } from "..."`
 * and `export type { C } from "..."`, the only forms the runtime's public
 * API is written in; any other export form is refused, so nothing exported
 * goes unseen.
 */
export function parseRuntimeExports(source: string, file = RUNTIME_INDEX): RuntimeExports {
  const parsed = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const values = new Set<string>();
  const types = new Set<string>();
  for (const statement of parsed.statements) {
    if (ts.isImportDeclaration(statement)) continue;
    if (!ts.isExportDeclaration(statement) || statement.exportClause === undefined || !ts.isNamedExports(statement.exportClause)) {
      const { line } = parsed.getLineAndCharacterOfPosition(statement.getStart(parsed));
      throw new Error(`${file}:${line + 1}: the runtime's public API must be written as named re-exports (export { ... } from "./x.js"), so generated names can be checked against it`);
    }
    for (const element of statement.exportClause.elements) (statement.isTypeOnly || element.isTypeOnly ? types : values).add(element.name.text);
  }
  return { values, types };
}

/** Type aliases every provider's `types.ts` declares for itself (not exported). */
export const LOCAL_TYPES = {
  /** `paths["/token"]["post"]`. */
  operation: "TokenOperation",
  /** The token operation's request body type. */
  requestBody: "RequestBody",
  /** `Exclude<T, undefined>`, for fields that must be present. */
  defined: "Defined",
} as const;

/** What `wire.ts` (openapi-typescript) exports. */
export const WIRE_TYPES = ["components", "paths"] as const;

/** Constants every provider's `client.ts` declares for itself (not exported). */
export const LOCAL_VALUES = {
  /** The endpoint's facts as the runtime reads them. */
  endpoint: "ENDPOINT",
  /** Each grant a session can be opened with (in `session.ts`). */
  sessionGrants: "SESSION_GRANTS",
  /** Each client's config, kept off the client object, for `session.ts` (exported by `client.ts`, not by `index.ts`). */
  clientConfigs: "CLIENT_CONFIGS",
  /** The authorization endpoint's facts (issue 12 flows, flow-methods.ts). */
  authorization: "AUTHORIZATION_ENDPOINT",
  /** The device authorization endpoint's facts. */
  deviceAuthorization: "DEVICE_AUTHORIZATION_ENDPOINT",
  /** The revocation endpoint's facts. */
  revocation: "REVOCATION_ENDPOINT",
  /** The introspection endpoint's facts. */
  introspection: "INTROSPECTION_ENDPOINT",
  /** The authorization_code grant rule a callback's code is exchanged with, when the spec documents no such grant. */
  codeExchange: "AUTHORIZATION_CODE_EXCHANGE",
  /** The device_code grant rule a device authorization polls with, when the spec documents no such grant. */
  devicePoll: "DEVICE_CODE_POLL",
} as const;

/** Runtime types a caller needs to configure and hold a session; every provider's `index.ts` re-exports them. */
const RUNTIME_TYPE_REEXPORTS = ["SessionOptions", "TokenSession", "TokenStore", "StoredToken", "RetryOptions", "SessionStats", "TokenEvent", "TokenEventHook"] as const;

/** The runtime values a provider re-exports: every error class (for `instanceof`) and the in-memory store. */
function isReexportedRuntimeValue(name: string): boolean {
  return /Error$/.test(name) || /TokenStore$/.test(name);
}

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

/**
 * The runtime's key helpers this provider's options take, re-exported too, so that its users import one module:
 * `privateKeyJwt` and `clientSecretJwt` where those methods are offered (every method when none is documented),
 * `jwtAssertion` for assertion grants, `TOKEN_TYPES` for token exchange (RFC 8693 §3), and the `Jwk` type with them.
 */
function keyHelpers(model: ProviderModel): { readonly values: ReadonlySet<string>; readonly types: readonly string[] } {
  const documented = model.keys?.clientAuthMethods;
  const offers = (method: "private_key_jwt" | "client_secret_jwt"): boolean => documented === undefined || documented.includes(method);
  const grantTypes = new Set(allGrants(model).map((grant) => grant.grantType));
  const values = [
    ...(offers("private_key_jwt") ? ["privateKeyJwt"] : []),
    ...(offers("client_secret_jwt") ? ["clientSecretJwt"] : []),
    ...(grantTypes.has(JWT_BEARER) || grantTypes.has(TOKEN_EXCHANGE) ? ["jwtAssertion"] : []),
    ...(grantTypes.has(TOKEN_EXCHANGE) ? ["TOKEN_TYPES"] : []),
  ];
  return { values: new Set(values), types: values.some((name) => name !== "TOKEN_TYPES") ? ["Jwk"] : [] };
}

/** `CommerceLayer` -> `COMMERCE_LAYER`. */
export function screamingCase(pascal: string): string {
  return pascal.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** Every name one provider's files declare or export. */
export interface ProviderNames {
  /** `createAssetClient`. */
  readonly createFunction: string;
  /** `createAssetSession`, in `session.ts`. */
  readonly createSessionFunction: string;
  /** `ASSET_SERVERS`. */
  readonly serversConst: string;
  /** `CLIENT_CREDENTIALS_GRANT`: the grant's rule, local to `client.ts`. */
  readonly grantConst: (grant: GrantModel) => string;
  /**
   * The client method of a grant of any token operation. The primary operation's grants keep the model's
   * `methodName`; another operation's grant whose name (ignoring case) is taken by an earlier operation's is
   * suffixed with its operation's name (`refreshToken` of `exchange` -> `refreshTokenExchange`), then numbered,
   * in the model's order of operations and grants, so the names never change between runs.
   */
  readonly method: (grant: GrantModel) => string;
  /** The names made for another token operation (`exchange`), all from its name (see `OperationNames`). */
  readonly operation: (operation: TokenOperationModel) => OperationNames;
  readonly client: string;
  readonly options: string;
  readonly serverName: string;
  readonly response: string;
  readonly token: string;
  readonly result: string;
  readonly responseError: string;
  readonly error: string;
  readonly sessionRequest: string;
  readonly scope: string;
  /** `AssetAuthorizationScope`: the scopes the authorization endpoint names (flow-methods.ts). */
  readonly authorizationScope: string;
  /** `AssetClientCredentialsParams`. */
  readonly params: (grant: GrantModel) => string;
  /** `ClientCredentialsBody`: a local alias of the wire type a grant's body fields are read from. */
  readonly body: (grant: GrantModel) => string;
  /** Runtime values `index.ts` re-exports, in the runtime's order. */
  readonly runtimeValues: readonly string[];
  /** Runtime types `index.ts` re-exports. */
  readonly runtimeTypes: readonly string[];
  /** The runtime's key helpers `index.ts` re-exports, values in the runtime's order (see `keyHelpers`). */
  readonly keyHelpers: { readonly values: readonly string[]; readonly types: readonly string[] };
}

/**
 * Another token operation's names: `EXCHANGE_ENDPOINT` (local to `client.ts`), `ExchangeOperation` and
 * `ExchangeRequestBody` (local to `types.ts`), `<Prefix>ExchangeResponse`, `<Prefix>ExchangeResponseError`,
 * `<Prefix>ExchangeResult` (exported). When any would equal another name, the operation's part becomes
 * `ExchangeOperation` (`EXCHANGE_OPERATION_ENDPOINT`), again until nothing collides.
 */
export interface OperationNames {
  readonly endpoint: string;
  readonly operationType: string;
  readonly requestBody: string;
  readonly response: string;
  readonly responseError: string;
  readonly result: string;
}

function operationNamesWith(typePrefix: string, word: string): OperationNames {
  return {
    endpoint: `${screamingCase(word)}_ENDPOINT`,
    operationType: `${word}Operation`,
    requestBody: `${word}RequestBody`,
    response: `${typePrefix}${word}Response`,
    responseError: `${typePrefix}${word}ResponseError`,
    result: `${typePrefix}${word}Result`,
  };
}

/**
 * The provider's names. Type names are `typePrefix` + a suffix; when any of
 * them would equal a runtime export or a local name (a spec saved as
 * `token.json` would otherwise export a second `TokenResponseError`), the
 * types take `<prefix>Provider` instead, again until nothing collides.
 * Values keep the model's prefix: `create<prefix>Client` and `<PREFIX>_SERVERS`
 * cannot equal a runtime name, which the same check confirms.
 */
export function providerNames(model: ProviderModel, runtime: RuntimeExports = runtimeExports()): ProviderNames {
  // Every emitter asks, many times per file: decided once per model (and runtime).
  const known = decided.get(model);
  if (known?.runtime === runtime) return known.names;
  const names = decideNames(model, runtime);
  decided.set(model, { runtime, names });
  return names;
}

const decided = new WeakMap<ProviderModel, { readonly runtime: RuntimeExports; readonly names: ProviderNames }>();

function decideNames(model: ProviderModel, runtime: RuntimeExports): ProviderNames {
  const taken = new Set<string>([...runtime.values, ...runtime.types, ...Object.values(LOCAL_TYPES), ...Object.values(LOCAL_VALUES), ...WIRE_TYPES]);
  const method = methodNames(model);
  let typePrefix = model.typePrefix;
  while (typeNamesFor(typePrefix, model, method).some((name) => taken.has(name))) typePrefix = `${typePrefix}Provider`;
  let valuePrefix = model.typePrefix;
  while (valueNamesFor(valuePrefix, method).some((name) => taken.has(name))) valuePrefix = `${valuePrefix}Provider`;
  const values = valuesWithPrefix(valuePrefix, method);
  // Grant constants are named for their method alone (unique, ignoring case), never for the prefix.
  const takenGrantConst = allGrants(model).map(values.grantConst).find((name) => taken.has(name));
  if (takenGrantConst !== undefined) throw new Error(`the grant constant ${takenGrantConst} is a runtime or local name`);
  const types = typesWithPrefix(typePrefix, method);
  const discovery = model.operation.discovery !== undefined;
  for (const name of RUNTIME_TYPE_REEXPORTS) {
    if (!runtime.types.has(name)) throw new Error(`the runtime no longer exports the type ${name}, which every provider re-exports (${RUNTIME_INDEX})`);
  }
  const helpers = keyHelpers(model);
  for (const name of [...helpers.values, ...helpers.types]) {
    if (!runtime.values.has(name) && !runtime.types.has(name)) throw new Error(`the runtime no longer exports ${name}, which providers re-export (${RUNTIME_INDEX})`);
  }
  const exported = new Set([...typeNamesFor(typePrefix, model, method), ...valueNamesFor(valuePrefix, method), ...allGrants(model).map(values.grantConst)]);
  const operations = new Map<TokenOperationModel, OperationNames>();
  for (const operation of model.otherOperations ?? []) {
    let word = pascalCase(operation.operation.name);
    const collides = (names: OperationNames) => Object.values(names).some((name) => taken.has(name) || exported.has(name));
    while (collides(operationNamesWith(typePrefix, word))) word = `${word}Operation`;
    const names = operationNamesWith(typePrefix, word);
    for (const name of Object.values(names)) exported.add(name);
    operations.set(operation, names);
  }
  const bodies = new Map<GrantModel, string>();
  for (const grant of allGrants(model)) {
    const base = `${pascalCase(method(grant))}Body`;
    let name = base;
    for (let n = 2; taken.has(name) || exported.has(name); n++) name = `${base}${n}`;
    exported.add(name);
    bodies.set(grant, name);
  }
  return {
    ...types,
    ...values,
    method,
    operation: (operation) => operations.get(operation) ?? operationNamesWith(typePrefix, pascalCase(operation.operation.name)),
    body: (grant) => bodies.get(grant) ?? `${pascalCase(method(grant))}Body`,
    runtimeValues: [...runtime.values].filter((name) => isReexportedRuntimeValue(name) && (discovery || name !== "DiscoveryError")),
    runtimeTypes: RUNTIME_TYPE_REEXPORTS,
    keyHelpers: { values: [...runtime.values].filter((name) => helpers.values.has(name)), types: helpers.types },
  };
}

/** Every grant of every token operation, the primary operation's first. */
export function allGrants(model: ProviderModel): readonly GrantModel[] {
  return [...model.grants, ...(model.otherOperations ?? []).flatMap((operation) => operation.grants)];
}

/** See `ProviderNames.method`. */
function methodNames(model: ProviderModel): (grant: GrantModel) => string {
  const methods = new Map<GrantModel, string>();
  const used = new Set<string>();
  for (const grant of model.grants) {
    methods.set(grant, grant.methodName);
    used.add(grant.methodName.toLowerCase());
  }
  for (const operation of model.otherOperations ?? []) {
    for (const grant of operation.grants) {
      const base = used.has(grant.methodName.toLowerCase()) ? `${grant.methodName}${pascalCase(operation.operation.name)}` : grant.methodName;
      let name = base;
      for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}${n}`;
      used.add(name.toLowerCase());
      methods.set(grant, name);
    }
  }
  return (grant) => methods.get(grant) ?? grant.methodName;
}

function typesWithPrefix(p: string, method: (grant: GrantModel) => string) {
  return {
    client: `${p}Client`,
    options: `${p}ClientOptions`,
    serverName: `${p}ServerName`,
    response: `${p}TokenResponse`,
    token: `${p}Token`,
    result: `${p}TokenResult`,
    responseError: `${p}ResponseError`,
    error: `${p}TokenError`,
    sessionRequest: `${p}SessionRequest`,
    scope: `${p}Scope`,
    authorizationScope: `${p}AuthorizationScope`,
    params: (grant: GrantModel) => `${p}${pascalCase(method(grant))}Params`,
  };
}

function valuesWithPrefix(p: string, method: (grant: GrantModel) => string) {
  return {
    createFunction: `create${p}Client`,
    createSessionFunction: `create${p}Session`,
    serversConst: `${screamingCase(p)}_SERVERS`,
    grantConst: (grant: GrantModel) => `${screamingCase(method(grant))}_GRANT`,
  };
}

function typeNamesFor(p: string, model: ProviderModel, method: (grant: GrantModel) => string): string[] {
  const { params, ...names } = typesWithPrefix(p, method);
  return [...Object.values(names), ...allGrants(model).map(params)];
}

function valueNamesFor(p: string, method: (grant: GrantModel) => string): string[] {
  const { grantConst: _grantConst, ...names } = valuesWithPrefix(p, method);
  return Object.values(names);
}

/** Every name a provider's files declare at top level or export, for checks: exported and local, types and values. */
export function declaredNames(model: ProviderModel): string[] {
  const names = providerNames(model);
  const { params, grantConst, body, method: _method, operation, runtimeValues: _values, runtimeTypes: _types, keyHelpers: _helpers, ...single } = names;
  const grants = allGrants(model);
  return [
    ...Object.values(single),
    ...grants.map(params),
    ...grants.map(grantConst),
    ...grants.map(body),
    ...(model.otherOperations ?? []).flatMap((other) => Object.values(operation(other))),
    ...Object.values(LOCAL_TYPES),
    ...Object.values(LOCAL_VALUES),
  ];
}
