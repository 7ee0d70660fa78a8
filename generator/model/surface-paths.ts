import { SpecError } from "../load/index.js";
import { isJson, type Located, type SpecView } from "./schema.js";
import { operationsOf, requestPathOf } from "./operation.js";

/** The endpoints an operation of `paths` can be recognised as. */
export type PathEndpointKind = "authorization" | "deviceAuthorization" | "revocation" | "introspection" | "pushedAuthorization";

/** An operation of `paths` recognised as one of the OAuth endpoints around the token operation. */
export interface PathEndpoint {
  readonly kind: PathEndpointKind;
  /** `"POST /oauth2/revoke"`. */
  readonly label: string;
  readonly requestPath: string;
  readonly operation: Located;
  readonly pathItem: Located;
  /** What gave it away, for the fact. */
  readonly because: string;
  /** For an authorization endpoint: `code_challenge` is a documented parameter (RFC 7636 §4.3). */
  readonly pkceDocumented?: boolean;
  /** For an authorization endpoint: `code_challenge_method` lists values, and `S256` is not among them. */
  readonly s256Missing?: boolean;
}


/**
 * Recognises the OAuth endpoints among the spec's operations, conservatively: each needs the request fields its RFC
 * defines and, where those are shared with another endpoint, a name or response member that tells them apart.
 * - authorization (RFC 6749 §4.1.1): a GET with `response_type` and `client_id` query parameters;
 * - pushed authorization (RFC 9126 §2.1): a POST with `response_type` whose response has `request_uri`, or named PAR;
 * - device authorization (RFC 8628 §3.1): a POST whose response has `device_code` and `user_code`;
 * - introspection (RFC 7662 §2.1): a POST with a `token` field whose response has `active`, or named introspect;
 * - revocation (RFC 7009 §2.1): a POST with a `token` field, named revoke.
 * A request with `grant_type` is a token request, never one of these. `tokenPointer` is left out.
 */
export function pathEndpoints(view: SpecView, tokenPointer: string): PathEndpoint[] {
  const out: PathEndpoint[] = [];
  for (const { path, method, operation, pathItem, label } of operationsOf(view)) {
    if (operation.pointer === tokenPointer) continue;
    const found = recogniseSafely(view, method, path, operation, pathItem);
    if (found) out.push({ label, requestPath: requestPathOf(path), operation, pathItem, ...found });
  }
  return out;
}

type Recognised = Pick<PathEndpoint, "kind" | "because" | "pkceDocumented" | "s256Missing">;

/**
 * An operation whose schemas cannot be read (a cycle of refs, allOf nested too deeply) is simply not recognised: the
 * surface is extra, and a problem in an operation tokenwright does not call must not refuse the spec.
 */
function recogniseSafely(view: SpecView, method: "get" | "post", path: string, operation: Located, pathItem: Located): Recognised | undefined {
  try {
    return recognise(view, method, path, operation, pathItem);
  } catch (error) {
    if (error instanceof SpecError || error instanceof RangeError) return undefined;
    throw error;
  }
}

function recognise(view: SpecView, method: "get" | "post", path: string, operation: Located, pathItem: Located): Recognised | undefined {
  const node = isJson(operation.node) ? operation.node : {};
  const name = [path, node["operationId"], node["summary"]].filter((v) => typeof v === "string").join(" ");
  const request = requestFields(view, operation, pathItem);
  if (request.has("grant_type")) return undefined;
  if (method === "get") {
    if (!request.has("response_type") || !request.has("client_id")) return undefined;
    const methods = request.get("code_challenge_method");
    const s256Missing = methods !== undefined && methods.length > 0 && !methods.includes("S256");
    return {
      kind: "authorization",
      because: "a GET with response_type and client_id parameters (RFC 6749 §4.1.1)",
      pkceDocumented: request.has("code_challenge"),
      ...(s256Missing ? { s256Missing } : {}),
    };
  }
  const response = responseFields(view, operation);
  if (request.has("response_type") && (response.has("request_uri") || /\bpar\b|pushed/i.test(name))) {
    return { kind: "pushedAuthorization", because: `a POST with response_type${response.has("request_uri") ? " answered with request_uri" : ", named so"} (RFC 9126 §2)` };
  }
  if (response.has("device_code") && response.has("user_code")) {
    return { kind: "deviceAuthorization", because: "a POST answered with device_code and user_code (RFC 8628 §3.2)" };
  }
  if (!request.has("token")) return undefined;
  if (response.has("active") || /introspect/i.test(name)) {
    return { kind: "introspection", because: `a POST with a token field${response.has("active") ? " answered with active" : ", named so"} (RFC 7662 §2)` };
  }
  if (/revoke|revocation/i.test(name)) return { kind: "revocation", because: "a POST with a token field, named so (RFC 7009 §2.1)" };
  return undefined;
}

/** Request field names (body properties of every form or JSON variant, and query parameters) with their enums. */
function requestFields(view: SpecView, operation: Located, pathItem: Located): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const add = (name: string, schema: unknown) => {
    const resolved = view.deref({ node: schema, pointer: "" }).node;
    const values = isJson(resolved) && Array.isArray(resolved["enum"]) ? resolved["enum"].filter((v): v is string => typeof v === "string") : [];
    fields.set(name, [...(fields.get(name) ?? []), ...values]);
  };
  for (const owner of [pathItem, operation]) {
    const list = isJson(owner.node) ? owner.node["parameters"] : undefined;
    if (!Array.isArray(list)) continue;
    list.forEach((entry, index) => {
      const parameter = view.deref({ node: entry, pointer: `${owner.pointer}/parameters/${index}` }).node;
      if (isJson(parameter) && typeof parameter["name"] === "string" && parameter["in"] === "query") add(parameter["name"], parameter["schema"]);
    });
  }
  const body = view.objectAt(operation, "requestBody");
  const content = body && view.objectAt(body, "content");
  for (const media of content && isJson(content.node) ? Object.keys(content.node) : []) {
    const schema = view.objectAt(content!, media) && view.objectAt(view.objectAt(content!, media)!, "schema");
    if (!schema) continue;
    for (const variant of view.variants(schema)) for (const [name, property] of view.objectShape(variant).properties) add(name, property.schema.node);
  }
  return fields;
}

/** Property names of the JSON bodies of the 2xx responses. */
function responseFields(view: SpecView, operation: Located): Set<string> {
  const names = new Set<string>();
  const responses = view.objectAt(operation, "responses");
  if (!responses || !isJson(responses.node)) return names;
  for (const status of Object.keys(responses.node).filter((key) => /^2(\d\d|XX)$/i.test(key))) {
    const response = view.objectAt(responses, status);
    const content = response && view.objectAt(response, "content");
    if (!content || !isJson(content.node)) continue;
    for (const media of Object.keys(content.node)) {
      const entry = view.objectAt(content, media);
      const schema = entry && view.objectAt(entry, "schema");
      if (!schema) continue;
      for (const variant of view.variants(schema)) for (const name of view.objectShape(variant).properties.keys()) names.add(name);
    }
  }
  return names;
}
