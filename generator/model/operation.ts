import { SpecError } from "../load/index.js";
import { isJson, type Located, type SpecView } from "./schema.js";

/** The field whose presence marks a token request (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6). */
export const GRANT_FIELD = "grant_type";

/** Form first: RFC 6749 §3.2 specifies form encoding; JSON is the common deviation. */
const FORM = "application/x-www-form-urlencoded";

export interface TokenOperation {
  readonly path: string;
  readonly operation: Located;
  readonly pathItem: Located;
  readonly mediaType: string;
  readonly encoding: "form" | "json";
  readonly bodySchema: Located;
  readonly bodyRequired: boolean;
}

/**
 * Finds the token operation: a POST whose request body carries `grant_type`
 * in some variant (OpenAPI 3.0 §4.7.10 Operation, §4.7.13 Request Body).
 */
export function findTokenOperation(view: SpecView): TokenOperation {
  const paths = view.objectAt({ node: view.document, pointer: "" }, "paths");
  const found: TokenOperation[] = [];
  const passedOver: string[] = [];
  for (const path of Object.keys(paths?.node ?? {})) {
    if (path.startsWith("x-") || !paths) continue;
    const pathItem = view.objectAt(paths, path);
    const operation = pathItem && view.objectAt(pathItem, "post");
    if (!pathItem || !operation) continue;
    const candidate = tokenRequestOf(view, path, pathItem, operation);
    if (candidate) found.push(candidate);
    else passedOver.push(`POST ${path}`);
  }
  if (found.length === 1) return withUsablePath(view, found[0]!);
  if (found.length === 0) {
    const looked = passedOver.length > 0 ? `; POST operations seen: ${passedOver.slice(0, 5).join(", ")}` : "; the document has no POST operations";
    throw new SpecError("no_token_operation", view.file, "/paths", `no token operation: no POST request body has a "${GRANT_FIELD}" field${looked}`);
  }
  throw new SpecError(
    "ambiguous_token_operation",
    view.file,
    "/paths",
    `more than one token operation: ${found.map((f) => `POST ${f.path}`).join(", ")}`,
  );
}

function tokenRequestOf(view: SpecView, path: string, pathItem: Located, operation: Located): TokenOperation | undefined {
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
  const bodySchema = view.deref({ node: schemaNode, pointer: `${media.pointer}/schema` });
  const carriesGrant = view.variants(bodySchema).some((variant) => view.objectShape(variant).properties.has(GRANT_FIELD));
  if (!carriesGrant) return undefined;
  return {
    path,
    pathItem,
    operation,
    mediaType,
    encoding: mediaType === form ? "form" : "json",
    bodySchema: { ...bodySchema, pointer: `${media.pointer}/schema` },
    bodyRequired: isJson(body.node) && body.node["required"] === true,
  };
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
    throw new SpecError("invalid", view.file, token.pathItem.pointer, `the token path ${JSON.stringify(token.path)} has a "%" that does not start a percent-escape`);
  }
  // openapi-typescript builds JSON-pointer refs from these keys and percent-decodes them; a "%" in any
  // of them makes it throw. Refused here, with a pointer, rather than failing inside it.
  const operation = isJson(token.operation.node) ? token.operation.node : {};
  const keyed: [string, string][] = [[token.path, token.pathItem.pointer]];
  if (typeof operation["operationId"] === "string") keyed.push([operation["operationId"], `${token.operation.pointer}/operationId`]);
  for (const [key, pointer] of mediaTypeKeys(view, token)) keyed.push([key, pointer]);
  for (const [key, pointer] of keyed) {
    if (key.includes("%")) {
      throw new SpecError("unsupported", view.file, pointer, `${JSON.stringify(key)} contains "%", which the wire types (openapi-typescript) cannot carry`);
    }
  }
  return token;
}

/** The request and response media type keys of the token operation, with their pointers. */
function mediaTypeKeys(view: SpecView, token: TokenOperation): [string, string][] {
  const out: [string, string][] = [];
  const body = view.objectAt(token.operation, "requestBody");
  const content = body && view.objectAt(body, "content");
  if (content && isJson(content.node)) for (const key of Object.keys(content.node)) out.push([key, `${content.pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`]);
  const responses = view.objectAt(token.operation, "responses");
  for (const status of Object.keys(responses?.node ?? {})) {
    const response = responses && view.objectAt(responses, status);
    const responseContent = response && view.objectAt(response, "content");
    if (responseContent && isJson(responseContent.node)) {
      for (const key of Object.keys(responseContent.node)) out.push([key, `${responseContent.pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`]);
    }
  }
  return out;
}
