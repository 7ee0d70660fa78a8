import { SpecError, type ProviderConfig } from "../load/index.js";
import type { Fact } from "./types.js";
import { found, type Found } from "./found.js";
import { isJson, type Json, type SpecView } from "./schema.js";
import { grantDefinition, rfcText } from "./grants/index.js";
import { effectiveServerUrls, openIdSchemes, resolveUrl, tokenFlows, type TokenFlow, type TokenFlowKind } from "./security.js";

/**
 * A token operation written from the spec's OAuth2 security schemes, for a
 * spec that names a `tokenUrl` but documents no token path (OpenAPI 3.0
 * §4.7.27): the standard RFC 6749 §3.2 request, §5.1 response and §5.2 error.
 */
export interface Synthesis {
  /** The spec with the operation added under `paths` (the input is not changed). */
  readonly document: Json;
  /** `"POST /oauth/token"`: the label of the added operation. */
  readonly label: string;
  /** Known scopes per grant type, for a typed `scope` the caller can still widen. */
  readonly scopes: Readonly<Record<string, readonly string[]>>;
  /** Set for an `openIdConnect` scheme: the discovery document's path; the token endpoint is read from it at run time. */
  readonly discovery?: string;
  /** What it was made from, for the README and `explain`. */
  readonly from: string;
}

const GRANT_OF_FLOW: Readonly<Record<TokenFlowKind, string>> = {
  clientCredentials: "client_credentials",
  password: "password",
  authorizationCode: "authorization_code",
  deviceAuthorization: "urn:ietf:params:oauth:grant-type:device_code",
};

const SCHEMA_PREFIX = "TokenwrightSynthesised";

/** Synthesises the token operation from OAuth2 flows or an OpenID Connect scheme; undefined when the spec has neither. */
export function synthesiseTokenOperation(view: SpecView, config: ProviderConfig | undefined): Found<Synthesis> | undefined {
  const flows = tokenFlows(view);
  if (flows.length > 0) return fromFlows(view, flows, config);
  const openId = openIdSchemes(view)[0];
  if (openId) return fromOpenId(view, openId, config);
  return undefined;
}

function fromFlows(view: SpecView, flows: readonly TokenFlow[], config: ProviderConfig | undefined): Found<Synthesis> {
  const facts: Fact[] = [];
  const servers = effectiveServerUrls(view, []);
  const located = flows.map((flow) => ({ flow, ...locate(view, flow.tokenUrl, servers, flow.pointer) }));
  const first = located[0]!;
  const others = located.filter((l) => l.path !== first.path || l.origins.join() !== first.origins.join());
  if (others.length > 0) {
    throw new SpecError(
      "ambiguous_token_operation",
      view.file,
      others[0]!.flow.pointer,
      `the OAuth2 flows name different token URLs (${[...new Set(located.map((l) => l.flow.tokenUrl))].join(", ")}); tokenwright generates one token client per spec`,
    );
  }
  const grantTypes: string[] = [];
  const scopes: Record<string, string[]> = {};
  const addGrant = (grantType: string, flowScopes: readonly string[]) => {
    if (!grantTypes.includes(grantType)) grantTypes.push(grantType);
    scopes[grantType] = [...new Set([...(scopes[grantType] ?? []), ...flowScopes])];
  };
  for (const { flow } of located) {
    const names = flow.scopes.map(([name]) => name);
    addGrant(GRANT_OF_FLOW[flow.kind], names);
    facts.push({ topic: "grants", statement: `${GRANT_OF_FLOW[flow.kind]} from the ${flow.kind} flow of security scheme ${JSON.stringify(flow.scheme)}`, source: "spec", evidence: flow.pointer });
    if (flow.kind === "clientCredentials") continue;
    const refreshAt = flow.refreshUrl === undefined ? undefined : locate(view, flow.refreshUrl, servers, flow.pointer);
    addGrant("refresh_token", names);
    // A refreshUrl of its own keeps the grant: the request is RFC 6749 §6's either way, and the model's surface
    // (surface.ts) records where it goes, so sessions send refreshes there.
    const elsewhere = refreshAt !== undefined && (refreshAt.path !== first.path || refreshAt.origins.join() !== first.origins.join());
    facts.push({
      topic: "grants",
      statement:
        flow.refreshUrl === undefined
          ? `refresh_token: the ${flow.kind} flow issues refresh tokens at the token endpoint (RFC 6749 §6)`
          : elsewhere
            ? `refresh_token from the flow's refreshUrl ${flow.refreshUrl}, which is not its tokenUrl: refreshes go there`
            : "refresh_token from the flow's refreshUrl",
      source: flow.refreshUrl !== undefined ? "spec" : "inferred",
      evidence: elsewhere ? `${flow.pointer}/refreshUrl` : flow.pointer,
    });
  }
  const schemes = [...new Set(flows.map((f) => JSON.stringify(f.scheme)))].join(", ");
  const from = `the OAuth2 flows of security scheme ${schemes}`;
  const built = build(view, { path: first.path, origins: first.origins, grantTypes, scopes, from, config, discovery: undefined });
  return found(built.value, [...facts, ...built.facts]);
}

function fromOpenId(view: SpecView, scheme: { scheme: string; url: string; pointer: string }, config: ProviderConfig | undefined): Found<Synthesis> {
  const url = resolveUrl(scheme.url, effectiveServerUrls(view, [])[0]);
  const loopbackHttp = url?.protocol === "http:" && /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/.test(url.hostname);
  if (!url || (url.protocol !== "https:" && !loopbackHttp)) {
    throw new SpecError("insecure_url", view.file, scheme.pointer, "the openIdConnectUrl must be an absolute https URL (or loopback)");
  }
  if (url.username !== "" || url.password !== "") throw new SpecError("url_credentials", view.file, scheme.pointer, "the openIdConnectUrl carries credentials (user:password@)");
  if (url.hash !== "") throw new SpecError("url_fragment", view.file, scheme.pointer, "the openIdConnectUrl carries a fragment (#…), which is never sent");
  const grantTypes = ["client_credentials", "authorization_code", "refresh_token"].filter((g) => config?.grants === undefined || Object.hasOwn(config.grants, g));
  const grantsFact: Fact = {
    topic: "grants",
    statement: `${grantTypes.join(", ")}: the usual OpenID Connect grants; the discovery document's grant_types_supported decides at run time what the server accepts`,
    source: config?.grants === undefined ? "inferred" : "config",
    evidence: scheme.pointer,
  };
  const from = `the OpenID Connect scheme ${JSON.stringify(scheme.scheme)} (token_endpoint read from ${url.pathname} at run time)`;
  const built = build(view, { path: "/token", origins: [url.origin], grantTypes, scopes: {}, from, config, discovery: `${url.pathname}${url.search}` });
  return found(built.value, [grantsFact, ...built.facts]);
}

/** Where a (possibly relative) URL points: its path and the origins of the servers it resolves against. */
function locate(view: SpecView, url: string, servers: readonly string[], pointer: string): { path: string; origins: string[] } {
  const resolved = (servers.length > 0 ? servers : [undefined]).map((server) => resolveUrl(url, server)).filter((u): u is URL => u !== undefined);
  if (resolved.length === 0) {
    // Relative, and no absolute server to resolve it against: the caller passes baseUrl.
    return { path: url.startsWith("/") ? url : `/${url}`, origins: [] };
  }
  for (const u of resolved) {
    if (u.username !== "" || u.password !== "") throw new SpecError("url_credentials", view.file, pointer, "the tokenUrl carries credentials (user:password@)");
  }
  const path = `${resolved[0]!.pathname}${resolved[0]!.search}`;
  return { path, origins: [...new Set(resolved.map((u) => u.origin))] };
}

interface BuildInput {
  readonly path: string;
  readonly origins: readonly string[];
  readonly grantTypes: readonly string[];
  readonly scopes: Readonly<Record<string, readonly string[]>>;
  readonly from: string;
  readonly config: ProviderConfig | undefined;
  readonly discovery: string | undefined;
}

function build(view: SpecView, input: BuildInput): Found<Synthesis> {
  const facts: Fact[] = [];
  const document = structuredClone(view.document);
  const paths: Json = isJson(document["paths"]) ? document["paths"] : {};
  document["paths"] = paths;
  // A path the spec already uses for something else keeps its item; the synthesised one gets a fragment key, never sent.
  const existing = paths[input.path];
  const key = isJson(existing) && existing["post"] !== undefined ? `${input.path}#token` : input.path;
  const components: Json = isJson(document["components"]) ? document["components"] : {};
  document["components"] = components;
  const schemas: Json = isJson(components["schemas"]) ? components["schemas"] : {};
  components["schemas"] = schemas;
  const securitySchemes: Json = isJson(components["securitySchemes"]) ? components["securitySchemes"] : {};
  components["securitySchemes"] = securitySchemes;
  const name = (suffix: string) => {
    const wanted = `${SCHEMA_PREFIX}${suffix}`;
    if (Object.hasOwn(schemas, wanted) || Object.hasOwn(securitySchemes, wanted)) {
      throw new SpecError("synthesis_name_taken", view.file, "/components", `the spec already defines ${wanted}, a name tokenwright needs for the synthesised token operation`);
    }
    return wanted;
  };
  // A config that states "fields" needs the fields in the synthesised request for them to be sent.
  const bodyCredentials = input.config?.clientAuth === "fields";
  const variants = input.grantTypes.map((grantType) => {
    const grant = grantDefinition(grantType);
    const properties: Json = { grant_type: { type: "string", enum: [grantType] } };
    for (const field of grant.fields) properties[field.name] = { type: "string", description: field.doc };
    if (bodyCredentials) {
      properties["client_id"] = { type: "string", description: "The client identifier (RFC 6749 §2.3.1)." };
      properties["client_secret"] = { type: "string", description: "The client secret (RFC 6749 §2.3.1)." };
    }
    // `urn:ietf:params:oauth:grant-type:device_code` -> `DeviceCode`: a component name is [A-Za-z0-9._-] (3.1 §4.8.7).
    const words = grantType.slice(grantType.lastIndexOf(":") + 1).split(/[^A-Za-z0-9]+/).filter(Boolean);
    const schemaName = name(`${words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("")}Request`);
    schemas[schemaName] = {
      type: "object",
      description: `The ${grantType} grant (${rfcText(grant)}).`,
      required: ["grant_type", ...grant.fields.filter((f) => f.required).map((f) => f.name), ...(bodyCredentials ? ["client_id"] : [])],
      properties,
    };
    return { $ref: `#/components/schemas/${schemaName}` };
  });
  const responseName = name("TokenResponse");
  schemas[responseName] = {
    type: "object",
    description: "A successful token response (RFC 6749 §5.1).",
    required: ["access_token", "token_type"],
    properties: {
      access_token: { type: "string", description: "The access token." },
      token_type: { type: "string", description: "How to use the token, usually `Bearer` (RFC 6749 §7.1)." },
      expires_in: { type: "integer", description: "Lifetime of the access token in seconds." },
      refresh_token: { type: "string", description: "A refresh token, when the server issues one." },
      scope: { type: "string", description: "The granted scopes, when they differ from those requested." },
      ...(input.discovery !== undefined ? { id_token: { type: "string", description: "An OpenID Connect ID token." } } : {}),
    },
  };
  const errorName = name("TokenError");
  schemas[errorName] = {
    type: "object",
    description: "An error response (RFC 6749 §5.2).",
    required: ["error"],
    properties: {
      error: { type: "string", description: "An RFC 6749 §5.2 error code such as `invalid_grant`." },
      error_description: { type: "string" },
      error_uri: { type: "string" },
    },
  };
  const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: `#/components/schemas/${errorName}` } } } });
  const operation: Json = {
    summary: "Token endpoint",
    description: `Synthesised by tokenwright from ${input.from}: the spec names the token endpoint but documents no operation for it. Request, response and errors are those of RFC 6749 §3.2, §5.1 and §5.2.`,
    requestBody: {
      required: true,
      content: { "application/x-www-form-urlencoded": { schema: variants.length === 1 ? variants[0] : { oneOf: variants } } },
    },
    responses: {
      "200": { description: "The token (RFC 6749 §5.1).", content: { "application/json": { schema: { $ref: `#/components/schemas/${responseName}` } } } },
      "400": errorResponse("The request was refused (RFC 6749 §5.2)."),
      "401": errorResponse("Client authentication failed (RFC 6749 §5.2 invalid_client)."),
    },
    "x-tokenwright-synthesised": input.from,
  };
  // What RFC 6749 documents for every token endpoint; which method a request uses is decideClientAuth's to say
  // (runtime/client-auth.ts), which puts a provider config's clientAuth first.
  if (input.discovery === undefined) {
    const basicName = name("ClientBasic");
    securitySchemes[basicName] = { type: "http", scheme: "basic", description: "RFC 6749 §2.3.1: every server supports HTTP Basic for clients with a secret." };
    operation["security"] = [{ [basicName]: [] }];
    facts.push({
      topic: "client authentication",
      statement: "HTTP Basic: the spec does not say, and RFC 6749 §2.3.1 requires token endpoints to support it (state \"clientAuth\" in the provider config otherwise)",
      source: "inferred",
      evidence: "RFC 6749 §2.3.1",
    });
  } else {
    operation["security"] = [];
  }
  if (input.origins.length > 0) operation["servers"] = input.origins.map((url) => ({ url }));
  paths[key] = { ...(isJson(paths[key]) ? paths[key] : {}), post: operation };
  facts.push({ topic: "operation", statement: `POST ${input.path} synthesised from ${input.from}`, source: "inferred", evidence: "/components/securitySchemes" });
  const synthesis: Synthesis = {
    document,
    label: `POST ${key}`,
    scopes: input.scopes,
    from: input.from,
    ...(input.discovery !== undefined ? { discovery: input.discovery } : {}),
  };
  return found(synthesis, facts);
}
