import { SpecError, type ProviderConfig } from "../load/index.js";
import { CLIENT_ID_FIELD, CLIENT_SECRET_FIELD, decideClientAuth } from "../runtime/client-auth.js";
import { bodyEncoding } from "../runtime/request-build.js";
import type { AppliedClientAuth, ClientAuthRule, DocumentedClientAuth, ParameterLocation } from "../runtime/types.js";
import type { TokenOperation } from "./operation.js";
import { isJson, type SpecView } from "./schema.js";
import type { ClientOptionsModel, GrantModel, OperationModel, RequestModel } from "./types.js";
import { found, type Found } from "./found.js";

/**
 * What a spec documents about how each grant authenticates the client (RFC
 * 6749 §2.3), collected as data for the generated client: which method a
 * request uses is decided at run time, by `decideClientAuth` in
 * runtime/client-auth.ts, and nowhere else (the facts and the client options
 * below ask that same function).
 */

export { CLIENT_ID_FIELD, CLIENT_SECRET_FIELD };

/** What the model knows beyond the operation: from a synthesised operation. */
export interface ClientAuthExtras {
  /** OpenID Connect: the discovery document lists the methods the server supports. */
  readonly discovered?: boolean;
}

export interface ClientAuthInput {
  readonly grantType: string;
  readonly idField: string | undefined;
  readonly secretField: string | undefined;
  /** Where a parameter (not the body) carries the id field. */
  readonly idLocation: ParameterLocation | undefined;
  /** The request schema the fields are in, for the fact's evidence. */
  readonly fieldsPointer: string;
  readonly basic: boolean;
  readonly config: ProviderConfig | undefined;
  readonly configFile: string;
  readonly extras: ClientAuthExtras;
}

/**
 * The client authentication facts of one grant: the provider config's
 * `clientAuth`, an OpenID Connect discovery document, the request's
 * `client_id`/`client_secret` fields (in any spelling, in the body or a
 * parameter) and a documented HTTP Basic (a `basic` security scheme or an
 * `Authorization` header parameter). The fact says what `decideClientAuth`
 * makes of them.
 *
 * @throws SpecError `config` when the config states `fields` for a request without a client id field.
 */
export function documentClientAuth(input: ClientAuthInput): Found<DocumentedClientAuth> {
  const { idField, secretField, config, configFile } = input;
  const stated = config?.clientAuth;
  if (stated === "fields" && idField === undefined) {
    throw new SpecError("config", configFile, "/clientAuth", `"fields" needs a ${CLIENT_ID_FIELD} field in the request, and this one has none`);
  }
  const documented: DocumentedClientAuth = {
    kind: "documented",
    ...(stated !== undefined ? { stated } : {}),
    ...(input.extras.discovered === true ? { discovery: true } : {}),
    ...(idField !== undefined ? { idField } : {}),
    ...(secretField !== undefined ? { secretField } : {}),
    ...(input.basic ? { basic: true } : {}),
  };
  const decision = decideClientAuth(documented);
  const kind = decision.kind === "decided" ? decision.rule.kind : "discovered";
  const where = kind === "fields" ? ` (${[idField, secretField].filter(Boolean).join(", ")}${input.idLocation !== undefined ? ` in the ${input.idLocation}` : ""})` : "";
  const source = stated !== undefined ? "config" : "spec";
  const evidence = stated !== undefined ? `${configFile}#/clientAuth` : kind === "fields" ? input.fieldsPointer : "security";
  return found(documented, [{ topic: `grant ${input.grantType}`, statement: `client authentication: ${kind}${where}`, source, evidence }]);
}

/** Whether the operation's effective security (OpenAPI 3.0 §4.7.10 `security`) includes an `http`/`basic` scheme. */
export function declaresBasicAuth(view: SpecView, token: TokenOperation): Found<boolean> {
  const operationSecurity = isJson(token.operation.node) ? token.operation.node["security"] : undefined;
  const security = operationSecurity ?? view.document["security"];
  if (!Array.isArray(security)) return found(false);
  const components = view.objectAt({ node: view.document, pointer: "" }, "components");
  const schemes = components && view.objectAt(components, "securitySchemes");
  for (const requirement of security) {
    if (!isJson(requirement)) continue;
    for (const name of Object.keys(requirement)) {
      const scheme = schemes && view.objectAt(schemes, name);
      if (scheme && isJson(scheme.node) && scheme.node["type"] === "http" && String(scheme.node["scheme"]).toLowerCase() === "basic") {
        return found(true, [{ topic: "client authentication", statement: `HTTP Basic via security scheme ${JSON.stringify(name)}`, source: "spec", evidence: scheme.pointer }]);
      }
    }
  }
  return found(false);
}

/**
 * Which credentials the client options ask for, from what `decideClientAuth`
 * makes of each grant's facts: a client id unless no grant sends one; a
 * secret required for Basic, or for a secret field the request requires;
 * optional when a grant may send one (a discovered method may be Basic).
 */
export function clientOptions(grants: readonly GrantModel[], requiredFieldSets: readonly ReadonlySet<string>[]): ClientOptionsModel {
  const rules = grants.map((g) => {
    const decision = decideClientAuth(g.clientAuth);
    return decision.kind === "decided" ? decision.rule : undefined;
  });
  const sendsId = rules.some((rule) => rule?.kind !== "none");
  const secretFields = rules.flatMap((rule) => (rule?.kind === "fields" && rule.secretField !== undefined ? [rule.secretField] : []));
  const secretRequired = rules.some((rule) => rule?.kind === "basic") || secretFields.some((name) => requiredFieldSets.some((required) => required.has(name)));
  const secretUsed = rules.some((rule) => rule === undefined || rule.kind === "basic") || secretFields.length > 0;
  return {
    clientId: sendsId ? "required" : "absent",
    clientSecret: secretRequired ? "required" : secretUsed ? "optional" : "absent",
  };
}

/**
 * How `explain` and the README say a grant's client authentication: the
 * method `decideClientAuth` picks without a `clientAuth` option, or for a
 * method read from a discovery document, the methods it would pick, in its
 * order of preference (asked with a list of each method alone).
 */
export type ClientAuthDescription =
  | { readonly kind: "decided"; readonly rule: AppliedClientAuth }
  | { readonly kind: "discovered"; readonly order: readonly AppliedClientAuth[] };

export function describeClientAuth(rule: ClientAuthRule, hasBody: boolean): ClientAuthDescription {
  const decision = decideClientAuth(rule);
  if (decision.kind === "decided") return { kind: "decided", rule: decision.rule };
  const order = ["client_secret_basic", "client_secret_post", "none"].flatMap((method) => {
    const picked = decideClientAuth(rule, {}, { authMethods: [method], hasBody });
    return picked.kind === "decided" ? [picked.rule] : [];
  });
  return { kind: "discovered", order };
}

/** Whether the token request has a body to carry `client_secret_post` fields, as the runtime's `bodyEncoding` says. */
export function hasRequestBody(model: { readonly operation: Pick<OperationModel, "method">; readonly request: Pick<RequestModel, "encoding"> }): boolean {
  return bodyEncoding({ encoding: model.request.encoding, method: model.operation.method === "get" ? "GET" : "POST" }) !== undefined;
}
