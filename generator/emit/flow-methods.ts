import type { MethodSignatureStructure, OptionalKind, StatementStructures } from "ts-morph";
import { StructureKind } from "./ts-morph.js";
import type { AuthorizationEndpointModel, EndpointModel, GrantModel, OAuthSurfaceModel, ProviderModel } from "../model/index.js";
import type { AuthorizationEndpoint } from "../runtime/authorize.js";
import type { DeviceAuthorizationEndpoint } from "../runtime/device.js";
import type { TokenManagementEndpoint } from "../runtime/revoke.js";
import type { ClientAuthRule, GrantRule } from "../runtime/types.js";
import { LOCAL_VALUES, providerNames } from "./names.js";
import { constant, jsDoc, literalUnion } from "./typescript.js";

/**
 * The client methods of a provider's OAuth surface around the token
 * endpoint (issue 12): `authorizationUrl` and `authorizationCallback` when
 * the model has an authorization endpoint, `deviceAuthorization`, `revoke`
 * and `introspect` when it has those endpoints. Each endpoint's facts are a
 * literal in `client.ts`; the methods bind them to the runtime (authorize.ts,
 * callback.ts, device.ts, revoke.ts). A model without `surface` gets none of
 * this, so its files are as before.
 */

const AUTHORIZATION_CODE = "authorization_code";
const DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";
const REFRESH_TOKEN = "refresh_token";

/** The method names this file adds; a grant method of the same name would be shadowed, so the model must not have one. */
export const FLOW_METHOD_NAMES = ["authorizationUrl", "authorizationCallback", "deviceAuthorization", "revoke", "introspect"] as const;

/** The flows a model's surface has. */
function surfaceOf(model: ProviderModel): OAuthSurfaceModel {
  const surface = model.surface ?? {};
  const clash = model.grants.find((g) => (FLOW_METHOD_NAMES as readonly string[]).includes(g.methodName) && hasMethod(surface, g.methodName));
  if (clash !== undefined) throw new Error(`the grant method ${clash.methodName} would be shadowed by the OAuth flow method of that name`);
  return surface;
}

function hasMethod(surface: OAuthSurfaceModel, name: string): boolean {
  switch (name) {
    case "authorizationUrl":
    case "authorizationCallback":
      return surface.authorization !== undefined;
    case "deviceAuthorization":
      return surface.deviceAuthorization !== undefined;
    case "revoke":
      return surface.revocation !== undefined;
    case "introspect":
      return surface.introspection !== undefined;
    default:
      return false;
  }
}

/** The grant of a type, when the spec documents it. */
function grantOf(model: ProviderModel, grantType: string): GrantModel | undefined {
  return model.grants.find((g) => g.grantType === grantType);
}

/**
 * How the client authenticates at an endpoint around the token endpoint: as
 * for the grant that goes with it (the code exchange for PAR, the device
 * grant for device authorization, refresh for revocation and introspection),
 * else as for the first grant: the spec documents one way per client.
 */
function clientAuthFor(model: ProviderModel, ...grantTypes: string[]): ClientAuthRule {
  for (const grantType of grantTypes) {
    const found = grantOf(model, grantType);
    if (found !== undefined) return found.clientAuth;
  }
  return model.grants[0]?.clientAuth ?? { kind: "basic" };
}

function located(endpoint: EndpointModel): { url: string; relative?: true } {
  return { url: endpoint.url, ...(endpoint.relative ? { relative: true as const } : {}) };
}

/** The runtime names `client.ts` imports for the flows. */
export function flowClientImports(model: ProviderModel): string[] {
  const surface = surfaceOf(model);
  const out: string[] = [];
  if (surface.authorization !== undefined) out.push("authorizationCallback", "authorizationUrl", "type AuthorizationEndpoint");
  if (surface.deviceAuthorization !== undefined) out.push("deviceAuthorization", "type DeviceAuthorizationEndpoint");
  if (surface.revocation !== undefined) out.push("revokeToken");
  if (surface.introspection !== undefined) out.push("introspectToken");
  if (surface.revocation !== undefined || surface.introspection !== undefined) out.push("type TokenManagementEndpoint");
  return out;
}

/** The endpoint literals (and grant rules the spec lacks) `client.ts` declares for the flows. */
export function flowConstants(model: ProviderModel): StatementStructures[] {
  const surface = surfaceOf(model);
  const out: StatementStructures[] = [];
  const authorization = surface.authorization;
  if (authorization !== undefined) {
    const value: AuthorizationEndpoint = {
      ...located(authorization),
      pkce: authorization.pkce,
      openid: authorization.openid,
      scopeSeparator: authorization.scopeSeparator,
      ...authorizationQuirks(authorization),
      ...(surface.pushedAuthorization !== undefined ? { pushedAuthorization: located(surface.pushedAuthorization) } : {}),
      ...(surface.metadata !== undefined ? { metadata: located(surface.metadata) } : {}),
      clientAuth: clientAuthFor(model, AUTHORIZATION_CODE),
    };
    out.push(constant(LOCAL_VALUES.authorization, "AuthorizationEndpoint", value, "The authorization endpoint (RFC 6749 §3.1), as the spec and provider config state it."));
    if (grantOf(model, AUTHORIZATION_CODE) === undefined) {
      out.push(constant(LOCAL_VALUES.codeExchange, "GrantRule", exchangeRule(model, AUTHORIZATION_CODE), "The authorization_code grant a callback's code is exchanged with (RFC 6749 §4.1.3)."));
    }
  }
  const device = surface.deviceAuthorization;
  if (device !== undefined) {
    const value: DeviceAuthorizationEndpoint = {
      ...located(device),
      clientAuth: clientAuthFor(model, DEVICE_CODE),
      scopeSeparator: authorization?.scopeSeparator ?? " ",
    };
    out.push(constant(LOCAL_VALUES.deviceAuthorization, "DeviceAuthorizationEndpoint", value, "The device authorization endpoint (RFC 8628 §3.1)."));
    if (grantOf(model, DEVICE_CODE) === undefined) {
      out.push(constant(LOCAL_VALUES.devicePoll, "GrantRule", exchangeRule(model, DEVICE_CODE), "The device_code grant a device authorization polls with (RFC 8628 §3.4)."));
    }
  }
  for (const [endpoint, name, doc] of [
    [surface.revocation, LOCAL_VALUES.revocation, "The token revocation endpoint (RFC 7009 §2)."],
    [surface.introspection, LOCAL_VALUES.introspection, "The token introspection endpoint (RFC 7662 §2)."],
  ] as const) {
    if (endpoint === undefined) continue;
    const value: TokenManagementEndpoint = { ...located(endpoint), clientAuth: clientAuthFor(model, REFRESH_TOKEN, AUTHORIZATION_CODE) };
    // Exported for session.ts, whose close({ revoke: true }) revokes through it.
    out.push(constant(name, "TokenManagementEndpoint", value, doc, name === LOCAL_VALUES.revocation));
  }
  return out;
}

/** The provider's authorization request and callback quirks (issue 13), only those it has, so other literals stay as they were. */
function authorizationQuirks(authorization: AuthorizationEndpointModel): Partial<AuthorizationEndpoint> {
  const { urlVariables, constantParameters, nonce, defaultScopes, callbackValues, parameterNames, codeParameter, responseMode, unencodedParameters } = authorization;
  return {
    ...(urlVariables !== undefined ? { urlVariables } : {}),
    ...(constantParameters !== undefined ? { constantParameters } : {}),
    ...(nonce !== undefined ? { nonce } : {}),
    ...(defaultScopes !== undefined ? { defaultScopes } : {}),
    ...(callbackValues !== undefined ? { callbackValues } : {}),
    ...(parameterNames !== undefined ? { parameterNames } : {}),
    ...(codeParameter !== undefined ? { codeParameter } : {}),
    ...(responseMode !== undefined ? { responseMode } : {}),
    ...(unencodedParameters !== undefined ? { unencodedParameters } : {}),
  };
}

/** A grant rule for a grant the flows need and the spec does not list: sent with `grant_type`, authenticated like the other grants. */
function exchangeRule(model: ProviderModel, grantType: string): GrantRule {
  return { grantType, grantField: model.grants[0]?.grantField ?? "grant_type", clientAuth: clientAuthFor(model, grantType) };
}

/** The rule constant a flow's token requests use: the spec's grant, or the one {@link flowConstants} declares. */
function ruleConstant(model: ProviderModel, grantType: string, fallback: string): string {
  const found = grantOf(model, grantType);
  return found !== undefined ? providerNames(model).grantConst(found) : fallback;
}

/**
 * The lines of the client object for the flows, `request` being the typed
 * token request function (`requestTokenNoDiscovery<Response, ResponseError>`).
 */
export function flowMethodLines(model: ProviderModel, request: string, endpointConst: string): string[] {
  const surface = surfaceOf(model);
  const lines: string[] = [];
  if (surface.authorization !== undefined) {
    const grant = ruleConstant(model, AUTHORIZATION_CODE, LOCAL_VALUES.codeExchange);
    lines.push(`authorizationUrl: (params, call) => authorizationUrl(${LOCAL_VALUES.authorization}, config, params, call),`);
    lines.push(
      `authorizationCallback: (callback, expected, call) => authorizationCallback(${LOCAL_VALUES.authorization}, config, callback, expected, ` +
        `(params, c) => ${request}(${endpointConst}, ${grant}, config, params, c), call),`,
    );
  }
  if (surface.deviceAuthorization !== undefined) {
    const grant = ruleConstant(model, DEVICE_CODE, LOCAL_VALUES.devicePoll);
    lines.push(
      `deviceAuthorization: (params, call) => deviceAuthorization(${LOCAL_VALUES.deviceAuthorization}, config, params ?? {}, ` +
        `(poll, c) => ${request}(${endpointConst}, ${grant}, config, poll, c), call),`,
    );
  }
  if (surface.revocation !== undefined) lines.push(`revoke: (params, call) => revokeToken(${LOCAL_VALUES.revocation}, config, params, call),`);
  if (surface.introspection !== undefined) lines.push(`introspect: (params, call) => introspectToken(${LOCAL_VALUES.introspection}, config, params, call),`);
  return lines;
}

/** The runtime types `types.ts` imports for the flows. */
export function flowTypeImports(model: ProviderModel): string[] {
  const surface = surfaceOf(model);
  const out: string[] = [];
  if (surface.authorization !== undefined) out.push("AuthorizationParams", "AuthorizationUrlResult", "CallbackExpectation", "CallbackResult");
  if (surface.deviceAuthorization !== undefined) out.push("DeviceAuthorizationParams", "DeviceAuthorizationResult");
  if (surface.revocation !== undefined) out.push("RevocationResult");
  if (surface.introspection !== undefined) out.push("IntrospectionResult");
  if (surface.revocation !== undefined || surface.introspection !== undefined) out.push("TokenManagementParams");
  return out;
}

/** `XAuthorizationScope`: the scopes the authorization endpoint names, open to any other string. */
export function flowTypeAliases(model: ProviderModel): StatementStructures[] {
  const scopes = surfaceOf(model).authorization?.scopes ?? [];
  if (scopes.length === 0) return [];
  const lines = scopes.map((s) => `- \`${s.name}\`${s.description !== undefined && s.description !== "" ? `: ${s.description}` : ""}`);
  return [
    {
      kind: StructureKind.TypeAlias,
      name: providerNames(model).authorizationScope,
      isExported: true,
      type: `${literalUnion([...new Set(scopes.map((s) => s.name))])} | (string & {})`,
      docs: jsDoc(`Scopes the authorization endpoint names; any other string is accepted too.\n${lines.join("\n")}`),
    },
  ];
}

/** The type names `index.ts` exports for the flows. */
export function flowTypeExports(model: ProviderModel): string[] {
  return (surfaceOf(model).authorization?.scopes.length ?? 0) > 0 ? [providerNames(model).authorizationScope] : [];
}

/** The client interface's flow methods. */
export function flowMethodSignatures(model: ProviderModel): OptionalKind<MethodSignatureStructure>[] {
  const surface = surfaceOf(model);
  const names = providerNames(model);
  const call = { name: "options", type: "CallOptions", hasQuestionToken: true };
  const never = { tagName: "returns", text: "`{ ok: true, … }`, or `{ ok: false, error }`; never rejects for what a server does." };
  const out: OptionalKind<MethodSignatureStructure>[] = [];
  const authorization = surface.authorization;
  if (authorization !== undefined) {
    const scope = authorization.scopes.length > 0 ? names.authorizationScope : "string";
    out.push(
      {
        name: "authorizationUrl",
        docs: jsDoc(
          `The authorization request (RFC 6749 §4.1.1) to send the user to: \`state\`${authorization.pkce === "S256" ? ", PKCE S256 (RFC 7636)" : ""}` +
            `${authorization.openid ? " and, with `openid`, a `nonce`" : ""} made for you` +
            `${surface.pushedAuthorization !== undefined ? ", the parameters pushed first (RFC 9126)" : ""}. Keep \`state\`, \`codeVerifier\` and \`nonce\` for the callback.` +
            (authorization.defaultScopes !== undefined ? ` Without \`scope\`, the provider's default scopes: ${authorization.defaultScopes.map((s) => `\`${s}\``).join(", ")}.` : "") +
            (authorization.constantParameters !== undefined ? ` Always sent: ${Object.entries(authorization.constantParameters).map(([n, v]) => `\`${n}=${v}\``).join(", ")} (\`extra\` wins).` : ""),
          [never],
        ),
        parameters: [{ name: "params", type: `AuthorizationParams<${scope}>${urlVariablesType(authorization)}` }, call],
        returnType: "Promise<AuthorizationUrlResult>",
      },
      {
        name: "authorizationCallback",
        docs: jsDoc(
          "Checks the authorization response (state, RFC 9207 `iss`, errors, the code) and exchanges its code for a token " +
            "(RFC 6749 §4.1.2–4.1.3). A refused callback is a typed error; nothing secret is kept on it." +
            (authorization.codeParameter !== undefined ? ` The code is read from \`${authorization.codeParameter}\`.` : "") +
            (authorization.responseMode === "fragment" ? " The response is in the fragment: pass the whole URL the browser was sent to." : "") +
            (authorization.callbackValues !== undefined ? ` With the token come \`values\`: ${authorization.callbackValues.map((v) => `\`${v}\``).join(", ")} of the redirect.` : ""),
          [never],
        ),
        parameters: [
          { name: "callback", type: "string | URL | URLSearchParams" },
          { name: "expected", type: authorization.pkce === "S256" ? "CallbackExpectation & { readonly codeVerifier: string }" : "CallbackExpectation" },
          call,
        ],
        returnType: `Promise<CallbackResult<${names.response}, ${names.error}${callbackValuesType(authorization)}>>`,
      },
    );
  }
  if (surface.deviceAuthorization !== undefined) {
    const scope = authorization !== undefined && authorization.scopes.length > 0 ? names.authorizationScope : "string";
    out.push({
      name: "deviceAuthorization",
      docs: jsDoc("Starts a device authorization (RFC 8628 §3.1): a user code to show, then `poll()` for the token (§3.4–3.5).", [never]),
      parameters: [{ name: "params", type: `DeviceAuthorizationParams<${scope}>`, hasQuestionToken: true }, call],
      returnType: `Promise<DeviceAuthorizationResult<${names.response}, ${names.error}>>`,
    });
  }
  if (surface.revocation !== undefined) {
    out.push({
      name: "revoke",
      docs: jsDoc("Revokes a token (RFC 7009 §2.1); success also for a token the server did not know.", [never]),
      parameters: [{ name: "params", type: "TokenManagementParams" }, call],
      returnType: "Promise<RevocationResult>",
    });
  }
  if (surface.introspection !== undefined) {
    out.push({
      name: "introspect",
      docs: jsDoc("Asks whether a token is active (RFC 7662 §2.1).", [never]),
      parameters: [{ name: "params", type: "TokenManagementParams" }, call],
      returnType: "Promise<IntrospectionResult>",
    });
  }
  return out;
}

/** ` & { readonly urlVariables: { readonly tenant: string } }`: the authorization URL's own templates, required. */
function urlVariablesType(authorization: AuthorizationEndpointModel): string {
  const names = authorization.urlVariables ?? [];
  return names.length > 0 ? ` & { readonly urlVariables: { ${names.map((n) => `readonly ${JSON.stringify(n)}: string;`).join(" ")} } }` : "";
}

/** `, "realmId"`: the callback values as the third type argument of `CallbackResult`, when the provider has any. */
function callbackValuesType(authorization: AuthorizationEndpointModel): string {
  return authorization.callbackValues !== undefined ? `, ${literalUnion(authorization.callbackValues)}` : "";
}

/** What `session.ts` imports and passes for `close({ revoke: true })`: the revocation endpoint, when there is one. */
export function sessionRevocation(model: ProviderModel): { readonly clientImport: string; readonly runtimeImport: string; readonly line: string } | undefined {
  if (surfaceOf(model).revocation === undefined) return undefined;
  return {
    clientImport: LOCAL_VALUES.revocation,
    runtimeImport: "revokeToken",
    line: `revoke: (token, tokenTypeHint, call) => revokeToken(${LOCAL_VALUES.revocation}, config, { token, tokenTypeHint }, call),`,
  };
}
