// What the authorization request and its callback do beyond RFC 6749 (issue 13's quirks): read from the provider
// config's `authorization` key, each a fact, checked against what the spec documents of the authorization
// operation and its scopes. surface.ts adds them to the authorization endpoint it models.
import { SpecError, type AuthorizationConfig } from "../load/index.js";
import { isJson, type Located, type SpecView } from "./schema.js";
import type { AuthorizationEndpointModel, Fact } from "./types.js";

/** The members of the authorization endpoint model that this file decides. */
export type AuthorizationQuirks = Pick<
  AuthorizationEndpointModel,
  "constantParameters" | "nonce" | "defaultScopes" | "callbackValues" | "parameterNames" | "codeParameter" | "responseMode" | "unencodedParameters"
>;

export interface QuirksInput {
  readonly view: SpecView;
  readonly config: AuthorizationConfig | undefined;
  readonly configFile: string;
  /** The scopes the spec's flows name, and where. */
  readonly scopes: ReadonlyMap<string, string>;
  readonly scopesPointer: string | undefined;
  /** The authorization operation of `paths`, when the spec has one (surface-paths.ts). */
  readonly operation: { readonly pointer: string; readonly node: unknown } | undefined;
  /** Whether the endpoint is OpenID Connect (a nonce is made for `openid` already). */
  readonly openid: boolean;
  readonly fact: (statement: string, source: Fact["source"], evidence: string) => void;
}

/** The config's authorization quirks as model members, each with its fact; a contradiction of the spec is refused. */
export function authorizationQuirks({ view, config, configFile, scopes, scopesPointer, operation, openid, fact }: QuirksInput): AuthorizationQuirks {
  if (config === undefined) return {};
  const refuse = (path: string, detail: string): never => {
    throw new SpecError("config_contradicts_spec", configFile, path, detail);
  };
  const at = (key: string) => `${configFile}#/authorization/${key}`;
  const out: { -readonly [K in keyof AuthorizationQuirks]: AuthorizationQuirks[K] } = {};
  const documented = documentedParameters(view, operation);

  if (config.parameterNames !== undefined) {
    const renamed = Object.entries(config.parameterNames).filter(([standard, name]) => name !== undefined && name !== standard) as [string, string][];
    for (const [standard, name] of renamed) {
      // The spec documenting the standard name and not the provider's is the spec saying the server takes the standard one.
      const parameter = documented.get(standard);
      if (parameter !== undefined && !documented.has(name)) {
        refuse(`/authorization/parameterNames/${standard}`, `renames ${standard} to ${name}, but the spec documents ${standard} at ${view.file}#${parameter.pointer}`);
      }
    }
    if (renamed.length > 0) {
      out.parameterNames = Object.fromEntries(renamed);
      fact(`authorization request parameters under the provider's names: ${renamed.map(([s, n]) => `${n} for ${s}`).join(", ")}`, "config", at("parameterNames"));
    }
  }
  if (config.constantParameters !== undefined) {
    for (const [name, value] of Object.entries(config.constantParameters)) {
      const allowed = enumOf(documented.get(name), view);
      if (allowed !== undefined && !allowed.values.includes(value)) {
        refuse(`/authorization/constantParameters/${name}`, `${JSON.stringify(value)} is not among the values the spec allows at ${view.file}#${allowed.pointer}`);
      }
    }
    out.constantParameters = config.constantParameters;
    const listed = Object.entries(config.constantParameters).map(([n, v]) => `${n}=${v}`).join(", ");
    fact(`every authorization request carries ${listed}; a caller's extra parameter of the same name wins`, "config", at("constantParameters"));
  }
  if (config.nonce === true) {
    out.nonce = "always";
    fact(`a random nonce goes with every authorization request${openid ? ", not only when openid is asked for" : ""}`, "config", at("nonce"));
  }
  if (config.defaultScopes !== undefined) {
    out.defaultScopes = config.defaultScopes;
    fact(`scopes asked for when the caller passes none: ${config.defaultScopes.join(" ")}`, "config", at("defaultScopes"));
    const unknown = config.defaultScopes.filter((scope) => !scopes.has(scope));
    if (scopes.size > 0 && unknown.length > 0) {
      fact(
        `warning: the default scopes ${unknown.join(" ")} (${at("defaultScopes")}) are not among the scopes the spec names at ${view.file}#${scopesPointer ?? ""}; they are sent as the config says`,
        "config",
        at("defaultScopes"),
      );
    }
  }
  if (config.callbackValues !== undefined) {
    out.callbackValues = config.callbackValues;
    fact(`the callback hands back the redirect's ${config.callbackValues.join(", ")} beside the token`, "config", at("callbackValues"));
  }
  if (config.codeParameter !== undefined && config.codeParameter !== "code") {
    out.codeParameter = config.codeParameter;
    fact(`the callback reads the code from ${config.codeParameter}, not RFC 6749 §4.1.2's code`, "config", at("codeParameter"));
  }
  if (config.responseMode === "fragment") {
    out.responseMode = "fragment";
    fact("the authorization response comes in the redirect's fragment: the callback reads the fragment first (pass it the whole URL the browser was sent to)", "config", at("responseMode"));
  }
  if (config.unencodedParameters !== undefined) {
    out.unencodedParameters = config.unencodedParameters;
    fact(
      `${config.unencodedParameters.join(", ")} sent with only & = + # % spaces and non-ASCII percent-encoded; a form decoder reads the same values`,
      "config",
      at("unencodedParameters"),
    );
  }
  return out;
}

/** The authorization endpoint's quirks in the words of the surface's one line (surface.ts `surfaceEntries`). */
export function authorizationQuirkWords(authorization: AuthorizationEndpointModel): string[] {
  const { constantParameters, nonce, defaultScopes, callbackValues, parameterNames, codeParameter, responseMode, unencodedParameters } = authorization;
  return [
    ...(constantParameters !== undefined ? [`always ${Object.entries(constantParameters).map(([n, v]) => `${n}=${v}`).join(", ")}`] : []),
    ...(nonce === "always" ? ["a nonce on every request"] : []),
    ...(defaultScopes !== undefined ? [`default scopes ${defaultScopes.join(" ")}`] : []),
    ...(parameterNames !== undefined ? [Object.entries(parameterNames).map(([s, n]) => `${n} for ${s}`).join(", ")] : []),
    ...(unencodedParameters !== undefined ? [`${unencodedParameters.join(", ")} not percent-encoded`] : []),
    ...(codeParameter !== undefined ? [`the code in ${codeParameter}`] : []),
    ...(responseMode === "fragment" ? ["the response in the fragment"] : []),
    ...(callbackValues !== undefined ? [`the callback hands back ${callbackValues.join(", ")}`] : []),
  ];
}

/** The query parameters the spec's authorization operation documents, by name, with their pointers. */
function documentedParameters(view: SpecView, operation: QuirksInput["operation"]): Map<string, Located> {
  const out = new Map<string, Located>();
  if (operation === undefined || !isJson(operation.node)) return out;
  const list = operation.node["parameters"];
  if (!Array.isArray(list)) return out;
  for (const [index, parameter] of list.entries()) {
    const resolved = view.deref({ node: parameter, pointer: `${operation.pointer}/parameters/${index}` });
    if (isJson(resolved.node) && resolved.node["in"] === "query" && typeof resolved.node["name"] === "string") out.set(resolved.node["name"], resolved);
  }
  return out;
}

/** The `enum` of a documented parameter's schema, when it has one. */
function enumOf(parameter: Located | undefined, view: SpecView): { readonly values: readonly unknown[]; readonly pointer: string } | undefined {
  const schema = parameter !== undefined ? view.objectAt(parameter, "schema") : undefined;
  const values = schema !== undefined && isJson(schema.node) ? schema.node["enum"] : undefined;
  return Array.isArray(values) ? { values, pointer: `${schema!.pointer}/enum` } : undefined;
}
