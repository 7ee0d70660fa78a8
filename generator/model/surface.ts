import { SpecError, lookupPointer, type EndpointKey, type ProviderConfig } from "../load/index.js";
import { found, type Found } from "./found.js";
import type { TokenOperation } from "./operation.js";
import { joiningSeparator, separatorStatement } from "./request-quirks.js";
import { isJson, type SpecView } from "./schema.js";
import { effectiveServerUrls, implicitFlows, metadataUrls, openIdSchemes, resolveUrl, tokenFlows, type TokenFlow } from "./security.js";
import { authorizationQuirkWords, authorizationQuirks } from "./surface-authorization.js";
import { fillServerTemplate, placeOperation, placeSpecUrl, placedHref, restoreTemplate, type Placed } from "./surface-place.js";
import { pathEndpoints, type PathEndpoint, type PathEndpointKind } from "./surface-paths.js";
import type { AuthorizationEndpointModel, EndpointModel, Fact, GrantModel, OAuthSurfaceModel } from "./types.js";

const DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";
/** A URL template variable's name (OpenAPI 3.0 §4.7.5 leaves it open; a name a caller can type as an object key). */
const TEMPLATE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export interface SurfaceInput {
  /** The document the token operation was found in (with a synthesised operation, when there is one). */
  readonly view: SpecView;
  /** The spec as loaded: evidence must be in it, not in what tokenwright synthesised. */
  readonly document: Readonly<Record<string, unknown>>;
  readonly token: TokenOperation;
  readonly grants: readonly GrantModel[];
  readonly config: ProviderConfig | undefined;
  readonly configFile: string;
}

type Endpoints = Partial<Record<Exclude<EndpointKey, "metadata">, EndpointModel>>;

/**
 * The OAuth endpoints around the token operation (issue 12): from the OAuth2 flows (`authorizationUrl`,
 * `refreshUrl`, OpenAPI 3.2 `deviceAuthorizationUrl`), from operations of `paths` that are clearly such endpoints
 * (surface-paths.ts), from `oauth2MetadataUrl` / `openIdConnectUrl` as a metadata URL (never fetched at build time),
 * or from the provider config's `endpoints` and `authorization`. The config states only what the spec does not: a
 * config that contradicts the spec, or configures an endpoint no grant can use, is refused.
 */
export function buildSurface({ view, document, token, grants, config, configFile }: SurfaceInput): Found<OAuthSurfaceModel> {
  const facts: Fact[] = [];
  const fact = (statement: string, source: Fact["source"], evidence: string) => facts.push({ topic: "oauth surface", statement, source, evidence });
  const refuse = (path: string, detail: string): never => {
    throw new SpecError("config", configFile, path, detail);
  };
  const documentServers = effectiveServerUrls(view, []);
  const clientServers = effectiveServerUrls(view, [token.operation.node, token.pathItem.node]);
  const grantTypes = new Set(grants.map((g) => g.grantType));
  // Deprecated schemes (OpenAPI 3.2 §4.26.1) are read after the others, so a current scheme's endpoint wins.
  const flows = tokenFlows(view).sort((a, b) => Number(a.deprecated) - Number(b.deprecated));
  const endpoints: Endpoints = {};
  // Template variables of the authorization URL that no server declares: the caller passes them (urlVariables).
  let authorizationVariables: readonly string[] = [];
  const fromSpec = (key: keyof Endpoints, url: string, pointer: string, what: string): void => {
    const template = url.includes("{") ? fillServerTemplate(url, view.document["servers"]) : { url, filled: [], kept: [] };
    const odd = template.kept.find((name) => !TEMPLATE_NAME.test(name));
    if (odd !== undefined) return void fact(`${what} ${url} left out: {${odd}} is not a template variable name`, "spec", pointer);
    if (template.kept.length > 0 && key !== "authorization") {
      return void fact(`${what} ${url} left out: {${template.kept[0]!}} is not a variable of the document's servers`, "spec", pointer);
    }
    const found = placeSpecUrl(view.file, pointer, template.url, documentServers, clientServers);
    if ("unusable" in found) return void fact(`${what} ${url} left out: ${found.unusable}`, "spec", pointer);
    const placed = { ...found, url: restoreTemplate(found.url, template.kept) };
    const variables = template.filled.map((name) => `{${name}}`).join(", ");
    if (variables !== "" && !placed.relative) {
      return void fact(`${what} ${url} left out: ${variables} would need filling apart from the client's server, which is not the client's to do`, "spec", pointer);
    }
    const existing = endpoints[key];
    if (existing !== undefined) {
      if (placedHref(existing, clientServers) !== placedHref(placed, clientServers)) fact(`${what} ${url} not used: ${existing.pointer} names ${existing.url} first`, "spec", pointer);
      return;
    }
    endpoints[key] = endpoint(placed, pointer, "spec");
    if (key === "authorization") authorizationVariables = template.kept;
    const templated = [
      ...(variables !== "" ? [`${variables} filled from the client's serverVariables, as for the token URL`] : []),
      ...(template.kept.length > 0 ? [`${template.kept.map((name) => `{${name}}`).join(", ")} passed to authorizationUrl as urlVariables`] : []),
    ];
    const how = templated.length > 0 ? ` (${url}: ${templated.join("; ")})` : "";
    fact(`${what}: ${describe(placed)}${how}${placed.others ? ` (also ${placed.others.join(", ")} on the other servers)` : ""}`, "spec", pointer);
  };
  for (const flow of flows) {
    const deprecated = flow.deprecated ? ` (scheme ${JSON.stringify(flow.scheme)} is deprecated)` : "";
    if (flow.authorizationUrl !== undefined) fromSpec("authorization", flow.authorizationUrl, `${flow.pointer}/authorizationUrl`, `authorization endpoint${deprecated}`);
    if (flow.deviceAuthorizationUrl !== undefined) {
      fromSpec("deviceAuthorization", flow.deviceAuthorizationUrl, `${flow.pointer}/deviceAuthorizationUrl`, `device authorization endpoint (RFC 8628 §3.1)${deprecated}`);
    }
    if (flow.refreshUrl !== undefined && !sameEndpoint(flow, flow.refreshUrl, token, documentServers, clientServers)) {
      fromSpec("refresh", flow.refreshUrl, `${flow.pointer}/refreshUrl`, "refresh endpoint, not the token endpoint: the session sends refresh_token there");
    }
  }
  for (const pointer of implicitFlows(view)) fact("implicit flow not offered: it returns tokens in the redirect (RFC 9700 §2.1.2)", "spec", pointer);
  const recognised = pathEndpoints(view, token.operation.pointer);
  for (const op of recognised) {
    const key = op.kind satisfies PathEndpointKind;
    const placed = placeOperation(op.requestPath, effectiveServerUrls(view, [op.operation.node, op.pathItem.node]), clientServers);
    const existing = endpoints[key];
    if (existing !== undefined) {
      fact(`${op.label} also looks like the ${ENDPOINT_NAMES[key]}; ${existing.pointer} names it and is used`, "inferred", op.operation.pointer);
      continue;
    }
    endpoints[key] = endpoint(placed, op.operation.pointer, "inferred");
    fact(`${ENDPOINT_NAMES[key]}: ${op.label}, ${describe(placed)}: ${op.because}`, "inferred", op.operation.pointer);
  }
  for (const key of Object.keys(config?.endpoints ?? {}) as EndpointKey[]) {
    if (key === "metadata") continue;
    const url = config!.endpoints![key]!;
    const pointer = `/endpoints/${key}`;
    const existing = endpoints[key];
    const placed: Placed = url.startsWith("/") ? { url, relative: true } : { url, relative: false };
    if (existing !== undefined) {
      if (placedHref(existing, clientServers) !== placedHref(placed, clientServers)) {
        refuse(pointer, `the spec already names the ${ENDPOINT_NAMES[key]} at ${view.file}#${existing.pointer} (${existing.url}); correct the spec with an overlay instead`);
      }
      fact(`${ENDPOINT_NAMES[key]}: agrees with the spec's ${existing.pointer}, which stays its source`, "config", `${configFile}#${pointer}`);
      continue;
    }
    endpoints[key] = endpoint(placed, `${configFile}#${pointer}`, "config");
    fact(`${ENDPOINT_NAMES[key]}: ${describe(placed)}`, "config", `${configFile}#${pointer}`);
  }
  requireGrant(endpoints, grantTypes, refuse, fact);
  const metadata = metadataOf(view, documentServers, clientServers, config, configFile, refuse, fact);
  const authorizationAt = endpoints.authorization === undefined ? undefined : { ...endpoints.authorization, ...(authorizationVariables.length > 0 ? { urlVariables: authorizationVariables } : {}) };
  const authorization = authorizationAt === undefined ? undefined : authorizationOf(authorizationAt, { view, document, token, flows, recognised, config, configFile, refuse, fact });
  if (authorization === undefined) {
    if (config?.authorization !== undefined) refuse("/authorization", "configures the authorization request, but neither the spec nor endpoints.authorization names an authorization endpoint");
    if (grantTypes.has("authorization_code")) {
      const pkce = pkceEvidence(view, document, token, recognised);
      fact(
        `the token operation takes authorization_code${pkce !== undefined ? " and documents PKCE" : ""}, but no authorization endpoint is documented: state it as endpoints.authorization in the provider config`,
        "inferred",
        pkce ?? token.operation.pointer,
      );
    }
  }
  const { authorization: _authorization, ...others } = endpoints;
  return found({ ...(authorization !== undefined ? { authorization } : {}), ...others, ...(metadata !== undefined ? { metadata } : {}) }, facts);
}

const ENDPOINT_NAMES: Readonly<Record<keyof Endpoints, string>> = {
  authorization: "authorization endpoint (RFC 6749 §3.1)",
  deviceAuthorization: "device authorization endpoint (RFC 8628 §3.1)",
  revocation: "revocation endpoint (RFC 7009)",
  introspection: "introspection endpoint (RFC 7662)",
  pushedAuthorization: "pushed authorization request endpoint (RFC 9126)",
  refresh: "refresh endpoint",
};

/** The grant each endpoint needs in the token operation to be any use. */
const NEEDS_GRANT: Readonly<Partial<Record<keyof Endpoints, string>>> = {
  authorization: "authorization_code",
  pushedAuthorization: "authorization_code",
  deviceAuthorization: DEVICE_CODE,
  refresh: "refresh_token",
};

type Refuse = (path: string, detail: string) => never;
type AddFact = (statement: string, source: Fact["source"], evidence: string) => void;

function requireGrant(endpoints: Endpoints, grantTypes: ReadonlySet<string>, refuse: Refuse, fact: AddFact): void {
  for (const [key, grant] of Object.entries(NEEDS_GRANT) as [keyof Endpoints, string][]) {
    const at = endpoints[key];
    if (at === undefined || grantTypes.has(grant)) continue;
    if (at.source === "config") refuse(`/endpoints/${key}`, `names the ${ENDPOINT_NAMES[key]}, but the token operation does not take the ${grant} grant, which it needs`);
    fact(`${ENDPOINT_NAMES[key]} recorded, but the token operation does not take the ${grant} grant it needs`, "inferred", at.pointer);
  }
}

function endpoint(placed: Placed, pointer: string, source: Fact["source"]): EndpointModel {
  return { url: placed.url, relative: placed.relative, pointer, source };
}

function describe(placed: Placed): string {
  return placed.relative ? `${placed.url} on the client's server` : placed.url;
}

/** Whether a flow's `refreshUrl` is its token endpoint (or the token operation's), so nothing needs recording. */
function sameEndpoint(flow: TokenFlow, refreshUrl: string, token: TokenOperation, documentServers: readonly string[], clientServers: readonly string[]): boolean {
  const bases = documentServers.length > 0 ? documentServers : [undefined];
  const resolve = (url: string) => bases.map((base) => resolveUrl(url, base)?.href.replace(/\/+$/, "") ?? url).join(" ");
  if (resolve(refreshUrl) === resolve(flow.tokenUrl)) return true;
  const tokenAt = clientServers.map((server) => `${server.replace(/\/+$/, "")}${token.requestPath}`.replace(/\/+$/, ""));
  return bases.every((base) => tokenAt.includes(resolveUrl(refreshUrl, base)?.href.replace(/\/+$/, "") ?? ""));
}

/**
 * The RFC 8414 / OpenID Connect metadata URL: `oauth2MetadataUrl` (3.2), else `openIdConnectUrl`, else the config's.
 * Placed like the other endpoints: on the spec's servers at one same path, it is that path on the client's server,
 * so a client pointed at another server (a sandbox, a tenant) reads that server's metadata and checks its issuer.
 */
function metadataOf(
  view: SpecView,
  documentServers: readonly string[],
  clientServers: readonly string[],
  config: ProviderConfig | undefined,
  configFile: string,
  refuse: Refuse,
  fact: AddFact,
): EndpointModel | undefined {
  const spec = [
    ...metadataUrls(view).sort((a, b) => Number(a.deprecated) - Number(b.deprecated)).map((m) => ({ ...m, what: "oauth2MetadataUrl (RFC 8414)" })),
    ...openIdSchemes(view).map((o) => ({ ...o, what: "openIdConnectUrl (OpenID Connect Discovery)" })),
  ][0];
  const configured = config?.endpoints?.metadata;
  if (spec !== undefined) {
    const url = resolveUrl(spec.url, documentServers[0])?.href ?? spec.url;
    if (configured !== undefined && configured !== url) refuse("/endpoints/metadata", `the spec already names the metadata URL at ${view.file}#${spec.pointer} (${url})`);
    const found = placeSpecUrl(view.file, spec.pointer, spec.url, documentServers, clientServers);
    // One the runtime cannot use as an endpoint (not https) stays as the spec wrote it: the runtime refuses it when read.
    const placed: Placed = "unusable" in found ? { url, relative: false } : found;
    const where = placed.relative ? `${placed.url} on the client's server (${url} on the spec's first server)` : url;
    fact(`metadata URL ${where}, from ${spec.what}; read by the client at run time, not by the generator`, "spec", spec.pointer);
    return endpoint(placed, spec.pointer, "spec");
  }
  if (configured === undefined) return undefined;
  const placed: Placed = { url: configured, relative: configured.startsWith("/") };
  fact(`metadata URL ${describe(placed)}; read by the client at run time, not by the generator`, "config", `${configFile}#/endpoints/metadata`);
  return endpoint(placed, `${configFile}#/endpoints/metadata`, "config");
}

interface AuthorizationContext {
  readonly view: SpecView;
  readonly document: Readonly<Record<string, unknown>>;
  readonly token: TokenOperation;
  readonly flows: readonly TokenFlow[];
  readonly recognised: readonly PathEndpoint[];
  readonly config: ProviderConfig | undefined;
  readonly configFile: string;
  readonly refuse: Refuse;
  readonly fact: AddFact;
}

/** The authorization endpoint with its scopes, PKCE method, OpenID Connect and scope separator. */
function authorizationOf(at: EndpointModel & { readonly urlVariables?: readonly string[] }, { view, document, token, flows, recognised, config, configFile, refuse, fact }: AuthorizationContext): AuthorizationEndpointModel {
  const scopes = new Map<string, string>();
  for (const flow of flows.filter((f) => f.kind === "authorizationCode")) {
    for (const [name, description] of flow.scopes) if (!scopes.has(name)) scopes.set(name, description);
  }
  const scopesPointer = scopes.size > 0 ? `${flows.find((f) => f.kind === "authorizationCode")!.pointer}/scopes` : undefined;
  if (scopesPointer !== undefined) fact(`authorization scopes: ${[...scopes.keys()].join(" ")}`, "spec", scopesPointer);
  const pkceDocumented = pkceEvidence(view, document, token, recognised);
  const s256Missing = recognised.find((op) => op.kind === "authorization" && op.s256Missing === true);
  let pkce: "S256" | "none" = "S256";
  const configured = config?.authorization?.pkce;
  if (configured === false) {
    if (pkceDocumented !== undefined) refuse("/authorization/pkce", `says the server lacks PKCE, but the spec documents it at ${view.file}#${pkceDocumented}`);
    pkce = "none";
    fact("PKCE off: the server lacks it (RFC 7636)", "config", `${configFile}#/authorization/pkce`);
  } else if (s256Missing !== undefined) {
    pkce = "none";
    fact("PKCE off: code_challenge_method does not offer S256, and plain is never used (RFC 9700 §2.1.1)", "spec", s256Missing.operation.pointer);
  } else {
    fact(
      pkceDocumented !== undefined ? "PKCE with S256: the spec documents code_challenge (RFC 7636 §4.3)" : "PKCE with S256 (RFC 7636, RFC 9700 §2.1.1): the spec does not say the server lacks it",
      configured === true ? "config" : pkceDocumented !== undefined ? "spec" : "inferred",
      configured === true ? `${configFile}#/authorization/pkce` : (pkceDocumented ?? "RFC 9700 §2.1.1"),
    );
  }
  const openIdScheme = openIdSchemes(view)[0];
  const openIdFlow = flows.find((f) => f.kind === "authorizationCode" && f.scopes.some(([name]) => name === "openid"));
  const openid = openIdScheme !== undefined || openIdFlow !== undefined;
  if (openid) {
    const because = openIdScheme !== undefined ? "an openIdConnect security scheme" : "the openid scope";
    fact(`OpenID Connect (${because}): a nonce is sent and the ID token's is checked`, "spec", openIdScheme?.pointer ?? `${openIdFlow!.pointer}/scopes`);
  }
  const documented = config?.authorization?.scopeSeparator;
  // The authorization request is a URL query: form-encoded.
  const separator = documented === undefined ? undefined : joiningSeparator(documented, true);
  if (documented !== undefined && separator !== undefined) {
    fact(`scopes ${separatorStatement(documented, separator)}, not RFC 6749 §3.3's space`, "config", `${configFile}#/authorization/scopeSeparator`);
  }
  const operation = recognised.find((op) => op.kind === "authorization")?.operation;
  const quirks = authorizationQuirks({ view, config: config?.authorization, configFile, scopes, scopesPointer, operation, openid, fact });
  return {
    ...at,
    scopes: [...scopes].map(([name, description]) => (description !== "" ? { name, description } : { name })),
    pkce,
    openid,
    scopeSeparator: separator ?? " ",
    ...quirks,
  };
}

/** The pointer of a documented `code_challenge` (authorization operation parameter or token request field), if any. */
function pkceEvidence(view: SpecView, document: unknown, token: TokenOperation, recognised: readonly PathEndpoint[]): string | undefined {
  const authorize = recognised.find((op) => op.kind === "authorization" && op.pkceDocumented === true);
  if (authorize !== undefined) return authorize.operation.pointer;
  if (!token.body) return undefined;
  for (const variant of view.variants(token.body.schema)) {
    const property = view.objectShape(variant).properties.get("code_challenge") ?? view.objectShape(variant).properties.get("code_verifier");
    // A synthesised operation's code_verifier is tokenwright's RFC text, not the provider saying it has PKCE.
    if (property !== undefined && isJson(property.schema.node) && lookupPointer(document, property.schema.pointer).found) return property.schema.pointer;
  }
  return undefined;
}

/** One line of the surface for `explain` and the README: what the endpoint is, where, and from what. */
export interface SurfaceEntry {
  readonly name: string;
  readonly url: string;
  readonly relative: boolean;
  readonly source: Fact["source"];
  /** For the authorization endpoint: PKCE, OpenID Connect, scope separator and scopes, in words. */
  readonly details?: string;
}

/** The surface as a list, in the order `explain` and the README print it. */
export function surfaceEntries({ surface }: { readonly surface?: OAuthSurfaceModel | undefined }): SurfaceEntry[] {
  if (surface === undefined) return [];
  const entries: SurfaceEntry[] = [];
  const { authorization } = surface;
  if (authorization !== undefined) {
    const details = [
      authorization.pkce === "S256" ? "PKCE S256" : "no PKCE (the server lacks it)",
      ...(authorization.openid ? ["OpenID Connect (nonce)"] : []),
      ...(authorization.scopeSeparator !== " " ? [`scopes joined with ${JSON.stringify(authorization.scopeSeparator)}`] : []),
      ...authorizationQuirkWords(authorization),
      authorization.scopes.length > 0 ? `scopes ${authorization.scopes.map((s) => s.name).join(" ")}` : "no scopes documented",
    ];
    entries.push({ name: "authorization", url: authorization.url, relative: authorization.relative, source: authorization.source, details: details.join("; ") });
  }
  const rest: [string, EndpointModel | undefined][] = [
    ["pushed authorization (PAR)", surface.pushedAuthorization],
    ["device authorization", surface.deviceAuthorization],
    ["refresh", surface.refresh],
    ["revocation", surface.revocation],
    ["introspection", surface.introspection],
  ];
  for (const [name, at] of rest) if (at !== undefined) entries.push({ name, url: at.url, relative: at.relative, source: at.source });
  const metadata = surface.metadata;
  if (metadata !== undefined) entries.push({ name: "metadata", url: metadata.url, relative: metadata.relative, source: metadata.source, details: "read at run time" });
  return entries;
}
