import { SpecError, escapeToken, type ProviderConfig } from "../load/index.js";
import { isJson, type Located, type SpecView } from "./schema.js";
import { effectiveServerUrls, resolveUrl, tokenFlows } from "./security.js";
import { spellingOf } from "./spelling.js";

/** The field whose presence marks a token request (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6). */
export const GRANT_FIELD = "grant_type";

/** Form first: RFC 6749 §3.2 specifies form encoding; JSON is the common deviation. */
const FORM = "application/x-www-form-urlencoded";

/** Header parameters the runtime sets itself: documented ones are not asked of the caller. */
const TRANSPORT_HEADERS = new Set(["content-type", "accept", "content-length", "host"]);

export type HttpMethod = "post" | "get";
const METHODS: readonly HttpMethod[] = ["post", "get"];

/** A parameter of the token operation (OpenAPI 3.0 §4.7.12), path-item and operation levels merged. */
export interface TokenParameter {
  readonly name: string;
  readonly in: "query" | "header" | "path";
  readonly required: boolean;
  readonly schema: Located;
  readonly description?: string;
}

export interface TokenBody {
  /** Media type key exactly as in the spec. */
  readonly mediaType: string;
  readonly encoding: "form" | "json";
  readonly schema: Located;
  readonly required: boolean;
}

export interface TokenOperation {
  /** The paths key exactly as in the spec (indexes the wire types). */
  readonly path: string;
  /** The path sent on the wire: the key without a `#fragment` (Box documents `/oauth2/token#refresh`). */
  readonly requestPath: string;
  readonly method: HttpMethod;
  readonly operation: Located;
  readonly pathItem: Located;
  /** Absent when the operation takes no body (credentials in headers or the query). */
  readonly body?: TokenBody;
  readonly parameters: readonly TokenParameter[];
  /** An `Authorization` header parameter is documented: the spec's way of saying HTTP Basic client auth. */
  readonly authorizationHeader: boolean;
  /** Why this operation was taken. */
  readonly reason: string;
}

/** An operation the search looked at, for `tokenwright explain`. */
export interface OperationCandidate {
  /** `"POST /oauth2/token"`. */
  readonly operation: string;
  readonly pointer: string;
  readonly chosen: boolean;
  readonly reason: string;
}

export interface TokenSearch {
  /** Undefined when no path qualifies: the caller may synthesise one from the security schemes. */
  readonly token: TokenOperation | undefined;
  /** The provider's other token operations, at other endpoints (Azure Container Registry's exchange and token). */
  readonly others: readonly TokenOperation[];
  readonly candidates: readonly OperationCandidate[];
  /** Every POST in the document (labels), for the message when none qualifies. */
  readonly posts: readonly string[];
}

/** An operation of `paths` (GET or POST), where it is and what to call it. */
export interface Seen {
  readonly path: string;
  readonly method: HttpMethod;
  readonly pathItem: Located;
  readonly operation: Located;
  readonly label: string;
}

/**
 * Finds the token operation among all paths (OpenAPI 3.0 §4.7.8 Paths): the
 * operation the provider config names, else a POST whose body carries
 * `grant_type` (in any spelling) or whose URL is an OAuth2 flow's
 * `tokenUrl`. Operations that only look like one (a `GET .../token/{token}`
 * token-info endpoint) are listed with the reason they were passed over.
 */
export function findTokenOperation(view: SpecView, config: ProviderConfig | undefined, configFile: string): TokenSearch {
  const seen = operationsOf(view);
  if (config?.tokenOperations !== undefined) return namedSeveral(view, seen, config.tokenOperations, configFile);
  if (config?.tokenOperation !== undefined) return named(view, seen, config.tokenOperation, configFile);
  const tokenUrls = tokenUrlsByScheme(view);
  const accepted: { seen: Seen; reason: string }[] = [];
  const candidates: OperationCandidate[] = [];
  for (const op of seen) {
    const reason = tokenEvidence(view, op, tokenUrls);
    if (reason !== undefined) accepted.push({ seen: op, reason });
    else if (/token|oauth|auth/i.test(op.path)) candidates.push({ operation: op.label, pointer: op.operation.pointer, chosen: false, reason: passedOverReason(op) });
  }
  const posts = seen.filter((op) => op.method === "post").map((op) => op.label);
  if (accepted.length === 0) return { token: undefined, others: [], candidates, posts };
  const endpoints = new Map<string, { seen: Seen; reason: string }[]>();
  for (const entry of accepted) {
    const key = `${entry.seen.method} ${requestPathOf(entry.seen.path)}`;
    endpoints.set(key, [...(endpoints.get(key) ?? []), entry]);
  }
  // One endpoint documented under several keys: the key that is the real path wins.
  const chosenOf = (same: readonly { seen: Seen; reason: string }[]) => same.find((entry) => entry.seen.path === requestPathOf(entry.seen.path)) ?? same[0]!;
  const picked = [...endpoints.values()].map((same) => {
    const chosen = chosenOf(same);
    for (const entry of same) {
      if (entry === chosen) continue;
      candidates.push({ operation: entry.seen.label, pointer: entry.seen.operation.pointer, chosen: false, reason: `the same endpoint as ${chosen.seen.label}, documented again under another paths key` });
    }
    return chosen;
  });
  if (picked.length === 1) {
    const only = picked[0]!;
    candidates.unshift({ operation: only.seen.label, pointer: only.seen.operation.pointer, chosen: true, reason: only.reason });
    return { token: readOperation(view, only.seen, only.reason), others: [], candidates, posts };
  }
  // Several endpoints: each is a token operation only when its success response carries a token as well.
  const read = picked.map((entry) => {
    const operation = readOperation(view, entry.seen, entry.reason);
    return { entry, operation, members: successTokenMembers(view, operation) };
  });
  const issuing = read.filter((r) => r.members.accessToken || r.members.refreshToken);
  if (issuing.length === 0) {
    const list = accepted.map((a) => `${a.seen.label} (${a.reason})`).join("; ");
    throw new SpecError(
      "ambiguous_token_operation",
      view.file,
      "/paths",
      `more than one token operation, and no success response names access_token or refresh_token to tell them apart: ${list}. Name one in the provider config as "tokenOperation": "${accepted[0]!.seen.label}"`,
    );
  }
  for (const r of read) {
    if (issuing.includes(r)) continue;
    candidates.push({ operation: r.entry.seen.label, pointer: r.entry.seen.operation.pointer, chosen: false, reason: `${r.entry.reason}, but its success response has no access_token or refresh_token` });
  }
  // The primary operation is the first (in document order) that issues an access token: sessions open on it.
  const primary = issuing.find((r) => r.members.accessToken) ?? issuing[0]!;
  const ordered = [primary, ...issuing.filter((r) => r !== primary)];
  const tokenReason = (r: (typeof read)[number]) => `${r.entry.reason}; its success response has ${r.members.accessToken ? "access_token" : "refresh_token only"}`;
  candidates.unshift(...ordered.map((r) => ({ operation: r.entry.seen.label, pointer: r.entry.seen.operation.pointer, chosen: true, reason: tokenReason(r) })));
  return { token: { ...primary.operation, reason: tokenReason(primary) }, others: ordered.slice(1).map((r) => ({ ...r.operation, reason: tokenReason(r) })), candidates, posts };
}

/**
 * Whether an operation's documented JSON success response has an `access_token` and a `refresh_token` member (in
 * any spelling): how several operations carrying `grant_type` are told to be token operations.
 */
export function successTokenMembers(view: SpecView, token: TokenOperation): { accessToken: boolean; refreshToken: boolean } {
  const responses = view.objectAt(token.operation, "responses");
  const names = new Set<string>();
  for (const key of Object.keys(responses?.node ?? {})) {
    if (!/^2(\d\d|XX)$/i.test(key) || !responses) continue;
    const content = view.objectAt(responses, key) && view.objectAt(view.objectAt(responses, key)!, "content");
    if (!content || !isJson(content.node)) continue;
    for (const mediaType of Object.keys(content.node)) {
      const media = view.objectAt(content, mediaType);
      if (!media || !isJson(media.node) || media.node["schema"] === undefined) continue;
      const schema = view.deref({ node: media.node["schema"], pointer: `${media.pointer}/schema` });
      for (const variant of view.variants(schema)) for (const name of view.objectShape(variant).properties.keys()) names.add(name);
    }
  }
  return { accessToken: spellingOf(names, "access_token") !== undefined, refreshToken: spellingOf(names, "refresh_token") !== undefined };
}

/** Reads the operation `label` (`"POST /token"`) known to exist, e.g. one just synthesised. */
export function takeOperation(view: SpecView, label: string, reason: string): TokenOperation {
  const match = operationsOf(view).find((op) => op.label === label);
  if (!match) throw new Error(`no operation ${label}`);
  return readOperation(view, match, reason);
}

/** The token operation the provider config names (`"POST /accesstoken/get"`). */
function named(view: SpecView, seen: readonly Seen[], wanted: string, configFile: string): TokenSearch {
  const match = seen.find((op) => op.label === wanted);
  if (!match) {
    const likely = seen.filter((op) => /token|oauth|auth/i.test(op.path)).map((op) => op.label);
    throw new SpecError("config", configFile, "/tokenOperation", `the spec has no operation ${JSON.stringify(wanted)}${likely.length > 0 ? `; token-like operations: ${likely.slice(0, 8).join(", ")}` : ""}`);
  }
  const reason = "named by the provider config";
  const others = seen
    .filter((op) => op !== match && /token|oauth|auth/i.test(op.path))
    .map((op) => ({ operation: op.label, pointer: op.operation.pointer, chosen: false, reason: `the provider config names ${wanted}` }));
  return {
    token: readOperation(view, match, reason),
    others: [],
    candidates: [{ operation: match.label, pointer: match.operation.pointer, chosen: true, reason }, ...others],
    posts: [],
  };
}

/** The token operations the provider config lists (`"tokenOperations": ["POST /oauth2/token", "POST /oauth2/exchange"]`), the first primary. */
function namedSeveral(view: SpecView, seen: readonly Seen[], wanted: readonly string[], configFile: string): TokenSearch {
  const operations = wanted.map((label, index) => {
    const match = seen.find((op) => op.label === label);
    if (!match) throw new SpecError("config", configFile, `/tokenOperations/${index}`, `the spec has no operation ${JSON.stringify(label)}`);
    return readOperation(view, match, "listed by the provider config");
  });
  const listed = new Set(wanted);
  const others = seen
    .filter((op) => !listed.has(op.label) && /token|oauth|auth/i.test(op.path))
    .map((op) => ({ operation: op.label, pointer: op.operation.pointer, chosen: false, reason: `the provider config lists ${wanted.join(", ")}` }));
  return {
    token: operations[0],
    others: operations.slice(1),
    candidates: [...operations.map((op) => ({ operation: `${op.method.toUpperCase()} ${op.path}`, pointer: op.operation.pointer, chosen: true, reason: op.reason })), ...others],
    posts: [],
  };
}

/** Every GET and POST operation of `paths` (OpenAPI 3.0 §4.7.8), in document order, `x-` keys left out. */
export function operationsOf(view: SpecView): Seen[] {
  const paths = view.objectAt({ node: view.document, pointer: "" }, "paths");
  if (!paths || !isJson(paths.node)) return [];
  const out: Seen[] = [];
  for (const path of Object.keys(paths.node)) {
    if (path.startsWith("x-")) continue;
    const pathItem = view.objectAt(paths, path);
    if (!pathItem) continue;
    for (const method of METHODS) {
      const operation = view.objectAt(pathItem, method);
      if (operation && isJson(operation.node)) out.push({ path, method, pathItem, operation, label: `${method.toUpperCase()} ${path}` });
    }
  }
  return out;
}

/** `/oauth2/token#refresh` -> `/oauth2/token`: a fragment is never sent (RFC 3986 §3.5). */
export function requestPathOf(path: string): string {
  const hash = path.indexOf("#");
  return hash === -1 ? path : path.slice(0, hash);
}

/** Why an operation is a token operation, or undefined when it is not. */
function tokenEvidence(view: SpecView, op: Seen, tokenUrls: ReadonlyMap<string, string>): string | undefined {
  const grant = grantFieldIn(view, op);
  if (grant !== undefined && op.method === "post") return grant;
  if (op.method !== "post") return undefined;
  for (const url of operationUrls(view, op)) {
    const scheme = tokenUrls.get(url);
    if (scheme !== undefined) return `its URL is the tokenUrl of security scheme ${JSON.stringify(scheme)}`;
  }
  return undefined;
}

function passedOverReason(op: Seen): string {
  if (op.method === "get") {
    const reads = /\{[^}]*\}/.test(op.path) ? "; with a path parameter it reads a token rather than issuing one" : "";
    return `a GET: token requests are POSTs (RFC 6749 §3.2)${reads}`;
  }
  return `its request has no ${GRANT_FIELD} field and its URL is no OAuth2 flow's tokenUrl`;
}

/** Where the operation carries `grant_type`, described, or undefined. */
function grantFieldIn(view: SpecView, op: Seen): string | undefined {
  const body = readBody(view, op.operation);
  if (body) {
    for (const variant of view.variants(body.schema)) {
      const name = spellingOf(view.objectShape(variant).properties.keys(), GRANT_FIELD);
      if (name !== undefined) return name === GRANT_FIELD ? `its request body has a ${GRANT_FIELD} field` : `its request body has ${name}, a spelling of ${GRANT_FIELD}`;
    }
  }
  const query = readParameters(view, op).parameters.filter((p) => p.in === "query").map((p) => p.name);
  const name = spellingOf(query, GRANT_FIELD);
  return name === undefined ? undefined : `it has a ${name} query parameter`;
}

/** Every absolute URL the operation is served at (one per server). */
function operationUrls(view: SpecView, op: Seen): string[] {
  const servers = effectiveServerUrls(view, [op.operation.node, op.pathItem.node]);
  const path = requestPathOf(op.path);
  const urls: string[] = [];
  for (const server of servers.length > 0 ? servers : [undefined]) {
    const joined = server === undefined ? undefined : resolveUrl(`${server.replace(/\/+$/, "")}${path}`, undefined);
    if (joined) urls.push(normaliseUrl(joined));
  }
  return urls;
}

/** Each flow's tokenUrl, resolved against the document's servers, mapped to its scheme name. */
function tokenUrlsByScheme(view: SpecView): Map<string, string> {
  const servers = effectiveServerUrls(view, []);
  const out = new Map<string, string>();
  for (const flow of tokenFlows(view)) {
    for (const server of servers.length > 0 ? servers : [undefined]) {
      const url = resolveUrl(flow.tokenUrl, server);
      if (url && !out.has(normaliseUrl(url))) out.set(normaliseUrl(url), flow.scheme);
    }
  }
  return out;
}

function normaliseUrl(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function readOperation(view: SpecView, op: Seen, reason: string): TokenOperation {
  const body = readBody(view, op.operation);
  const hasBody = isJson(op.operation.node) && op.operation.node["requestBody"] !== undefined;
  if (hasBody && !body) {
    throw new SpecError("unsupported_media_type", view.file, `${op.operation.pointer}/requestBody`, "the token request body is neither form-encoded nor JSON");
  }
  const { parameters, authorizationHeader } = readParameters(view, op);
  const token: TokenOperation = {
    path: op.path,
    requestPath: requestPathOf(op.path),
    method: op.method,
    operation: op.operation,
    pathItem: op.pathItem,
    ...(body ? { body } : {}),
    parameters,
    authorizationHeader,
    reason,
  };
  return withUsablePath(view, token);
}

function readBody(view: SpecView, operation: Located): TokenBody | undefined {
  const body = view.objectAt(operation, "requestBody");
  const content = body && view.objectAt(body, "content");
  if (!body || !content || !isJson(content.node)) return undefined;
  const mediaTypes = Object.keys(content.node);
  const form = mediaTypes.find((m) => mediaTypeBase(m) === FORM);
  const json = mediaTypes.find((m) => isJsonMediaType(m));
  const mediaType = form ?? json;
  if (mediaType === undefined) return undefined;
  const media = view.objectAt(content, mediaType);
  const schemaNode = media && isJson(media.node) ? media.node["schema"] : undefined;
  if (!media || schemaNode === undefined) return undefined;
  const schema = view.deref({ node: schemaNode, pointer: `${media.pointer}/schema` });
  return {
    mediaType,
    encoding: mediaType === form ? "form" : "json",
    schema: { ...schema, pointer: `${media.pointer}/schema` },
    required: isJson(body.node) && body.node["required"] === true,
  };
}

/** Path-item parameters overridden by the operation's own (same name and location). */
function readParameters(view: SpecView, op: Seen): { parameters: TokenParameter[]; authorizationHeader: boolean } {
  const merged = new Map<string, TokenParameter>();
  let authorizationHeader = false;
  for (const owner of [op.pathItem, op.operation]) {
    const node = isJson(owner.node) ? owner.node["parameters"] : undefined;
    if (!Array.isArray(node)) continue;
    node.forEach((entry: unknown, index) => {
      const parameter = view.deref({ node: entry, pointer: `${owner.pointer}/parameters/${index}` });
      if (!isJson(parameter.node)) return;
      const name = parameter.node["name"];
      const location = parameter.node["in"];
      if (typeof name !== "string" || (location !== "query" && location !== "header" && location !== "path")) return;
      if (location === "header" && name.toLowerCase() === "authorization") {
        authorizationHeader = true;
        return;
      }
      if (location === "header" && TRANSPORT_HEADERS.has(name.toLowerCase())) return;
      const schemaNode = parameter.node["schema"];
      const description = typeof parameter.node["description"] === "string" && parameter.node["description"] !== "" ? parameter.node["description"] : undefined;
      merged.set(`${location} ${location === "header" ? name.toLowerCase() : name}`, {
        name,
        in: location,
        required: location === "path" || parameter.node["required"] === true,
        schema: schemaNode === undefined ? { node: {}, pointer: parameter.pointer } : view.deref({ node: schemaNode, pointer: `${parameter.pointer}/schema` }),
        ...(description !== undefined ? { description } : {}),
      });
    });
  }
  return { parameters: [...merged.values()], authorizationHeader };
}

export function mediaTypeBase(mediaType: string): string {
  return (mediaType.split(";")[0] ?? "").trim().toLowerCase();
}

export function isJsonMediaType(mediaType: string): boolean {
  const base = mediaTypeBase(mediaType);
  return base === "application/json" || /^application\/[a-z0-9.+-]*\+json$/.test(base);
}

/**
 * The token path becomes part of a request URL and an index into the
 * generated `paths` type; a `%` that does not start an escape (`%2F`) makes
 * both fail, so it is refused here with its pointer.
 */
function withUsablePath(view: SpecView, token: TokenOperation): TokenOperation {
  if (/%(?![0-9A-Fa-f]{2})/.test(token.path)) {
    throw new SpecError("invalid_percent_escape", view.file, token.pathItem.pointer, `the token path ${JSON.stringify(token.path)} has a "%" that does not start a percent-escape`);
  }
  // openapi-typescript builds JSON-pointer refs from these keys and percent-decodes them; a "%" in any
  // of them makes it throw. Refused here, with a pointer, rather than failing inside it.
  const operation = isJson(token.operation.node) ? token.operation.node : {};
  const keyed: [string, string][] = [[token.path, token.pathItem.pointer]];
  if (typeof operation["operationId"] === "string") keyed.push([operation["operationId"], `${token.operation.pointer}/operationId`]);
  for (const [key, pointer] of mediaTypeKeys(view, token)) keyed.push([key, pointer]);
  for (const [key, pointer] of keyed) {
    if (key.includes("%")) {
      throw new SpecError("percent_in_name", view.file, pointer, `${JSON.stringify(key)} contains "%", which the wire types (openapi-typescript) cannot carry`);
    }
  }
  return token;
}

/** The request and response media type keys of the token operation, with their pointers. */
function mediaTypeKeys(view: SpecView, token: TokenOperation): [string, string][] {
  const out: [string, string][] = [];
  const body = view.objectAt(token.operation, "requestBody");
  const content = body && view.objectAt(body, "content");
  if (content && isJson(content.node)) for (const key of Object.keys(content.node)) out.push([key, `${content.pointer}/${escapeToken(key)}`]);
  const responses = view.objectAt(token.operation, "responses");
  for (const status of Object.keys(responses?.node ?? {})) {
    const response = responses && view.objectAt(responses, status);
    const responseContent = response && view.objectAt(response, "content");
    if (responseContent && isJson(responseContent.node)) {
      for (const key of Object.keys(responseContent.node)) out.push([key, `${responseContent.pointer}/${escapeToken(key)}`]);
    }
  }
  return out;
}
