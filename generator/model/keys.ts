import { CLIENT_AUTH_METHOD_NAMES, type ClientAuthMethodName, type ProviderConfig } from "../load/config.js";
import { escapeToken } from "../load/pointer.js";
import { decideClientAuth } from "../runtime/client-auth.js";
import type { ClientAuthRule } from "../runtime/types.js";
import { found, type Found } from "./found.js";
import { isJson, type SpecView } from "./schema.js";
import type { ClientOptionsModel, Fact, GrantModel, KeysModel, ProviderModel } from "./types.js";

/**
 * Which client authentication methods (RFC 7591 §2 `token_endpoint_auth_method` names) the generated `clientAuth`
 * option offers, whether it is required, and whether the `dpop` option (RFC 9449) is offered. The provider config
 * decides first (`clientAuthMethods`, `dpop`); then authorization server metadata written into the spec (an example
 * answer of `/.well-known/openid-configuration` or `/.well-known/oauth-authorization-server`: RFC 8414 §2
 * `token_endpoint_auth_methods_supported`, RFC 9449 §5.1 `dpop_signing_alg_values_supported`); then security scheme
 * descriptions that name methods or DPoP. Nothing said: every method, and no `dpop` option, so that a client of a
 * provider that never mentions DPoP bundles none of its code.
 */
export function keysFor(view: SpecView, grants: readonly GrantModel[], client: ClientOptionsModel, config: ProviderConfig | undefined, configFile: string): Found<KeysModel> {
  const facts: Fact[] = [];
  const metadata = metadataExamples(view);
  const described = schemeDescriptions(view);

  let methods: readonly ClientAuthMethodName[] | undefined;
  if (config?.clientAuthMethods !== undefined) {
    methods = config.clientAuthMethods;
    facts.push(methodFact(methods, "config", `${configFile}#/clientAuthMethods`));
  } else {
    const stated = metadata.find((m) => m.methods !== undefined) ?? described.find((d) => d.methods.length > 0);
    if (stated?.methods !== undefined) {
      methods = stated.methods;
      facts.push(methodFact(methods, "spec", stated.pointer));
    }
  }

  let dpop: KeysModel["dpop"] = "absent";
  if (config?.dpop !== undefined) {
    dpop = config.dpop === "required" ? "required" : config.dpop ? "optional" : "absent";
    facts.push({ topic: "DPoP", statement: dpopStatement(dpop), source: "config", evidence: `${configFile}#/dpop` });
  } else {
    const stated = metadata.find((m) => m.dpop) ?? described.find((d) => d.dpop);
    if (stated !== undefined) {
      dpop = "optional";
      facts.push({ topic: "DPoP", statement: dpopStatement(dpop), source: "spec", evidence: stated.pointer });
    }
  }

  // The option is required when leaving it out would authenticate in a way the provider does not document.
  const defaults = grants.map((grant) => defaultMethod(grant.clientAuth));
  const clientAuth: KeysModel["clientAuth"] =
    methods === undefined ? "optional" : defaults.every((method) => method === "any" || methods.includes(method)) ? "optional" : "required";
  // A secret is needed only by the secret methods: with none documented, the client takes none; with keys documented
  // too, it is optional (the runtime refuses a secret method without one when the client is made or the request sent).
  const secretMethods = methods?.filter((method) => SECRET_METHODS.includes(method)) ?? [];
  const clientSecret: ClientOptionsModel["clientSecret"] =
    methods === undefined || client.clientSecret === "absent"
      ? client.clientSecret
      : secretMethods.length === 0
        ? "absent"
        : clientAuth === "required" || secretMethods.length < methods.length
          ? "optional"
          : client.clientSecret;
  if (methods !== undefined && clientSecret !== client.clientSecret) {
    facts.push({
      topic: "client authentication",
      statement: clientSecret === "absent" ? "no documented method uses a client secret: the client takes none" : "the client secret is needed only for the methods that use one",
      source: "inferred",
      evidence: "client authentication methods",
    });
  }
  // Every method names the client (Basic's user, client_id, a JWT's iss and sub): documented methods need its id even
  // when the spec's request has no client_id field.
  const clientId: ClientOptionsModel["clientId"] = methods !== undefined ? "required" : client.clientId;
  if (clientId !== client.clientId) {
    facts.push({ topic: "client authentication", statement: "the documented methods send the client's id: the client takes clientId", source: "inferred", evidence: "client authentication methods" });
  }
  return found({ ...(methods !== undefined ? { clientAuthMethods: methods } : {}), clientAuth, clientId, clientSecret, dpop }, facts);
}

const SECRET_METHODS: readonly ClientAuthMethodName[] = ["client_secret_basic", "client_secret_post", "client_secret_jwt"];

/** The method a grant's rule sends when no `clientAuth` option is given, as the runtime's one decision has it. */
function defaultMethod(rule: ClientAuthRule): ClientAuthMethodName | "any" {
  const decision = decideClientAuth(rule);
  switch (decision.kind) {
    case "awaiting-discovery":
    case "unsupported":
      return "any";
    case "decided": {
      const applied = decision.rule;
      if (applied.kind === "basic") return "client_secret_basic";
      if (applied.kind === "none") return "none";
      return applied.secretField !== undefined ? "client_secret_post" : "none";
    }
    default: {
      const unknown: never = decision;
      throw new Error(`unknown client auth decision ${JSON.stringify(unknown)}`);
    }
  }
}

function methodFact(methods: readonly string[], source: Fact["source"], evidence: string): Fact {
  return { topic: "client authentication", statement: `documented methods: ${methods.join(", ")}; the clientAuth option offers these only`, source, evidence };
}

function dpopStatement(dpop: KeysModel["dpop"]): string {
  if (dpop === "required") return "DPoP (RFC 9449) required: the dpop option must be given";
  return dpop === "optional" ? "DPoP (RFC 9449) supported: the client takes a dpop option" : "DPoP left out";
}

interface Statement {
  readonly pointer: string;
  readonly methods?: readonly ClientAuthMethodName[];
  readonly dpop: boolean;
}

const METADATA_PATH = /\/\.well-known\/(openid-configuration|oauth-authorization-server)$/;

/** RFC 8414 metadata the spec shows as an example answer of its metadata endpoint. */
function metadataExamples(view: SpecView): Statement[] {
  const paths = view.document["paths"];
  if (!isJson(paths)) return [];
  const out: Statement[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!METADATA_PATH.test(path) || !isJson(item)) continue;
    const base = `/paths/${escapeToken(path)}/get/responses/200/content/application~1json`;
    const media = dig(item, ["get", "responses", "200", "content", "application/json"]);
    if (!isJson(media)) continue;
    const candidates: [string, unknown][] = [
      [`${base}/example`, media["example"]],
      ...Object.entries(isJson(media["examples"]) ? media["examples"] : {}).map(([name, e]): [string, unknown] => [`${base}/examples/${escapeToken(name)}/value`, isJson(e) ? e["value"] : undefined]),
      [`${base}/schema/example`, isJson(media["schema"]) ? media["schema"]["example"] : undefined],
    ];
    for (const [pointer, example] of candidates) {
      if (!isJson(example)) continue;
      const listed = example["token_endpoint_auth_methods_supported"];
      const methods = Array.isArray(listed) ? knownMethods(listed) : undefined;
      const dpop = Array.isArray(example["dpop_signing_alg_values_supported"]) && example["dpop_signing_alg_values_supported"].length > 0;
      if (methods !== undefined || dpop) out.push({ pointer, ...(methods !== undefined && methods.length > 0 ? { methods } : {}), dpop });
    }
  }
  return out;
}

/** Method names (with underscores, so prose's "none" is never read as one) and `DPoP` in security scheme descriptions. */
function schemeDescriptions(view: SpecView): (Statement & { readonly methods: readonly ClientAuthMethodName[] })[] {
  const schemes = dig(view.document, ["components", "securitySchemes"]);
  if (!isJson(schemes)) return [];
  const out: (Statement & { readonly methods: readonly ClientAuthMethodName[] })[] = [];
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isJson(scheme) || typeof scheme["description"] !== "string") continue;
    const text = scheme["description"];
    const methods = knownMethods([...text.matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g)].map((m) => m[0]));
    const dpop = /\bDPoP\b/.test(text);
    if (methods.length > 0 || dpop) out.push({ pointer: `/components/securitySchemes/${escapeToken(name)}/description`, methods, dpop });
  }
  return out;
}

function knownMethods(values: readonly unknown[]): ClientAuthMethodName[] {
  const known: readonly string[] = CLIENT_AUTH_METHOD_NAMES;
  return [...new Set(values.filter((v): v is ClientAuthMethodName => typeof v === "string" && known.includes(v)))];
}

function dig(node: unknown, path: readonly string[]): unknown {
  let at = node;
  for (const key of path) {
    if (!isJson(at) || !Object.hasOwn(at, key)) return undefined;
    at = at[key];
  }
  return at;
}

/** The `clientId` option: the documented client authentication methods may need it where the request has no id field. */
export function clientIdOption(model: Pick<ProviderModel, "client" | "keys">): "required" | "absent" {
  return model.keys?.clientId ?? model.client.clientId;
}

export function clientSecretOption(model: Pick<ProviderModel, "client" | "keys">): "required" | "optional" | "absent" {
  return model.keys?.clientSecret ?? model.client.clientSecret;
}
