import { SpecError, type ProviderConfig } from "../load/index.js";
import type { ClientAuthRule } from "../runtime/types.js";
import type { TokenOperation } from "./operation.js";
import { isJson, type SpecView } from "./schema.js";
import type { ClientOptionsModel, Fact, GrantModel } from "./types.js";
import { found, type Found } from "./found.js";

/**
 * How each grant authenticates the client (RFC 6749 §2.3), and which
 * credentials the generated client's options therefore ask for.
 */

/** RFC 6749 §2.3.1 names for client credentials sent as request fields. */
export const CLIENT_ID_FIELD = "client_id";
export const CLIENT_SECRET_FIELD = "client_secret";

/** What the model knows beyond the operation: from a synthesised operation. */
export interface ClientAuthExtras {
  /** OpenID Connect: client authentication follows the discovery document. */
  readonly discovered?: boolean;
}

export interface ClientAuthInput {
  readonly idField: string | undefined;
  readonly secretField: string | undefined;
  readonly basic: boolean;
  readonly config: ProviderConfig | undefined;
  readonly configFile: string;
  readonly extras: ClientAuthExtras;
}

/**
 * The provider config's word first; then an OpenID Connect discovery
 * document; then request fields when the request has `client_id` (in any
 * spelling, in the body or a parameter); else HTTP Basic when the operation
 * declares it (a `basic` security scheme or an `Authorization` header parameter).
 */
export function clientAuthFor({ idField, secretField, basic, config, configFile, extras }: ClientAuthInput): { rule: ClientAuthRule; source: Fact["source"] } {
  const fields = (): ClientAuthRule => ({ kind: "fields", idField: idField!, ...(secretField !== undefined ? { secretField } : {}) });
  const stated = config?.clientAuth;
  switch (stated) {
    case "basic":
      return { rule: { kind: "basic" }, source: "config" };
    case "none":
      return { rule: { kind: "none" }, source: "config" };
    case "fields":
      if (idField === undefined) throw new SpecError("config", configFile, "/clientAuth", `"fields" needs a ${CLIENT_ID_FIELD} field in the request, and this one has none`);
      return { rule: fields(), source: "config" };
    case undefined:
      break;
    default: {
      const unknown: never = stated;
      throw new Error(`unknown clientAuth ${String(unknown)}`);
    }
  }
  if (extras.discovered === true) return { rule: { kind: "discovered" }, source: "spec" };
  if (idField !== undefined) return { rule: fields(), source: "spec" };
  return { rule: basic ? { kind: "basic" } : { kind: "none" }, source: "spec" };
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

export function clientOptions(grants: readonly GrantModel[], requiredFieldSets: readonly ReadonlySet<string>[]): ClientOptionsModel {
  const sendsId = grants.some((g) => g.clientAuth.kind !== "none");
  const secretRequired =
    grants.some((g) => g.clientAuth.kind === "basic") ||
    grants.some((g) => g.clientAuth.kind === "fields" && g.clientAuth.secretField !== undefined && requiredFieldSets.some((required) => required.has(g.clientAuth.kind === "fields" ? g.clientAuth.secretField ?? "" : "")));
  const secretUsed = grants.some((g) => g.clientAuth.kind === "basic" || g.clientAuth.kind === "discovered" || (g.clientAuth.kind === "fields" && g.clientAuth.secretField !== undefined));
  return {
    clientId: sendsId ? "required" : "absent",
    clientSecret: secretRequired ? "required" : secretUsed ? "optional" : "absent",
  };
}

