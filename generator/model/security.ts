import { escapeToken } from "../load/index.js";
import { isJson, type Json, type SpecView } from "./schema.js";

/**
 * The OAuth 2.0 flows whose `tokenUrl` is a token endpoint (OpenAPI 3.0 §4.7.27 OAuth Flows Object; OpenAPI 3.2 §4.26
 * adds `deviceAuthorization`, RFC 8628, whose `tokenUrl` is polled with the device code).
 */
export type TokenFlowKind = "clientCredentials" | "password" | "authorizationCode" | "deviceAuthorization";

/** One OAuth2 flow with a token endpoint, from `components.securitySchemes` (OpenAPI 3.0 §4.7.26). */
export interface TokenFlow {
  readonly scheme: string;
  readonly kind: TokenFlowKind;
  readonly tokenUrl: string;
  readonly refreshUrl?: string;
  /** Scope names and their descriptions, in spec order. */
  readonly scopes: readonly (readonly [string, string])[];
  /** JSON pointer of the flow object. */
  readonly pointer: string;
  /** authorizationCode: the flow's `authorizationUrl` (RFC 6749 §3.1). */
  readonly authorizationUrl?: string;
  /** deviceAuthorization: the flow's `deviceAuthorizationUrl` (OpenAPI 3.2 §4.28, RFC 8628 §3.1). */
  readonly deviceAuthorizationUrl?: string;
  /** The scheme is marked `deprecated` (OpenAPI 3.2 §4.26.1 Security Scheme Object). */
  readonly deprecated: boolean;
}

/** An OAuth2 scheme's `oauth2MetadataUrl` (OpenAPI 3.2 §4.26.1: the RFC 8414 authorization server metadata). */
export interface MetadataUrl {
  readonly scheme: string;
  readonly url: string;
  readonly pointer: string;
  readonly deprecated: boolean;
}

/** An `openIdConnect` security scheme (OpenAPI 3.0 §4.7.26 `openIdConnectUrl`). */
export interface OpenIdScheme {
  readonly scheme: string;
  readonly url: string;
  readonly pointer: string;
}

const FLOW_KINDS: readonly TokenFlowKind[] = ["clientCredentials", "password", "authorizationCode", "deviceAuthorization"];

const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

function schemesOf(view: SpecView): [string, Json, string][] {
  const components = view.document["components"];
  const schemes = isJson(components) ? components["securitySchemes"] : undefined;
  if (!isJson(schemes)) return [];
  const out: [string, Json, string][] = [];
  for (const name of Object.keys(schemes)) {
    const pointer = `/components/securitySchemes/${escapeToken(name)}`;
    const scheme = view.deref({ node: schemes[name], pointer });
    if (isJson(scheme.node)) out.push([name, scheme.node, scheme.pointer]);
  }
  return out;
}

/** Every OAuth2 flow that names a token endpoint. The implicit flow has none (RFC 6749 §4.2), so it is skipped. */
export function tokenFlows(view: SpecView): TokenFlow[] {
  const flows: TokenFlow[] = [];
  for (const [scheme, node, pointer] of schemesOf(view)) {
    if (node["type"] !== "oauth2" || !isJson(node["flows"])) continue;
    const all = node["flows"];
    for (const kind of FLOW_KINDS) {
      const flow = all[kind];
      if (!isJson(flow) || typeof flow["tokenUrl"] !== "string" || flow["tokenUrl"].trim() === "") continue;
      const scopes = isJson(flow["scopes"]) ? Object.entries(flow["scopes"]).map(([name, text]) => [name, typeof text === "string" ? text : ""] as const) : [];
      const refreshUrl = text(flow["refreshUrl"]);
      const authorizationUrl = kind === "authorizationCode" ? text(flow["authorizationUrl"]) : undefined;
      const deviceAuthorizationUrl = kind === "deviceAuthorization" ? text(flow["deviceAuthorizationUrl"]) : undefined;
      flows.push({
        scheme,
        kind,
        tokenUrl: flow["tokenUrl"].trim(),
        ...(refreshUrl !== undefined ? { refreshUrl } : {}),
        scopes,
        pointer: `${pointer}/flows/${kind}`,
        ...(authorizationUrl !== undefined ? { authorizationUrl } : {}),
        ...(deviceAuthorizationUrl !== undefined ? { deviceAuthorizationUrl } : {}),
        deprecated: node["deprecated"] === true,
      });
    }
  }
  return flows;
}

/** Every OAuth2 scheme's `oauth2MetadataUrl` (OpenAPI 3.2 §4.26.1), in spec order. */
export function metadataUrls(view: SpecView): MetadataUrl[] {
  return schemesOf(view)
    .filter(([, node]) => node["type"] === "oauth2" && text(node["oauth2MetadataUrl"]) !== undefined)
    .map(([scheme, node, pointer]) => ({ scheme, url: text(node["oauth2MetadataUrl"])!, pointer: `${pointer}/oauth2MetadataUrl`, deprecated: node["deprecated"] === true }));
}

/** Pointers of the implicit flows (RFC 6749 §4.2), which tokenwright never offers (RFC 9700 §2.1.2). */
export function implicitFlows(view: SpecView): string[] {
  return schemesOf(view)
    .filter(([, node]) => node["type"] === "oauth2" && isJson(node["flows"]) && isJson(node["flows"]["implicit"]))
    .map(([, , pointer]) => `${pointer}/flows/implicit`);
}

export function openIdSchemes(view: SpecView): OpenIdScheme[] {
  return schemesOf(view)
    .filter(([, node]) => node["type"] === "openIdConnect" && typeof node["openIdConnectUrl"] === "string")
    .map(([scheme, node, pointer]) => ({ scheme, url: String(node["openIdConnectUrl"]).trim(), pointer: `${pointer}/openIdConnectUrl` }));
}

/**
 * Server URLs in effect for an operation: operation, then path item, then
 * document (OpenAPI 3.0 §4.7.5), variables at their defaults.
 */
export function effectiveServerUrls(view: SpecView, owners: readonly unknown[]): string[] {
  for (const owner of [...owners, view.document]) {
    const list = isJson(owner) ? owner["servers"] : undefined;
    if (!Array.isArray(list) || list.length === 0) continue;
    return list.filter(isJson).map((server) => withDefaults(String(server["url"] ?? ""), server["variables"]));
  }
  return [];
}

function withDefaults(url: string, variables: unknown): string {
  if (!isJson(variables)) return url;
  return url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const variable = Object.hasOwn(variables, name) ? variables[name] : undefined;
    const value = isJson(variable) ? variable["default"] : undefined;
    return typeof value === "string" ? value : whole;
  });
}

/** `tokenUrl` resolved against a server URL (RFC 3986 §5); undefined when neither makes it absolute. */
export function resolveUrl(url: string, base: string | undefined): URL | undefined {
  try {
    return base === undefined || base === "" ? new URL(url) : new URL(url, base);
  } catch {
    return undefined;
  }
}
