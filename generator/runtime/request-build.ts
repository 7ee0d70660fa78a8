import type { MutableFields, MutableHeaders } from "./client-auth.js";
import { defineField } from "./field-path.js";
import { encodeBody, encodeQuery, headerValue, joinSpaceDelimited, pathSegment } from "./encode.js";
import type { GrantRule, ParameterLocation, TokenEndpoint } from "./types.js";
import { assertSecureUrl, joinUrl } from "./url.js";

/**
 * Building a token request from the endpoint's facts: where each field goes
 * (body, query, headers, path), how the body is encoded, and the URL.
 */

const JSON_MEDIA_TYPE = "application/json";
const FORM_MEDIA_TYPE = "application/x-www-form-urlencoded";
/** What a form-answering server is asked for: form first, JSON still welcome. */
const FORM_ACCEPT = `${FORM_MEDIA_TYPE}, ${JSON_MEDIA_TYPE};q=0.9, text/plain;q=0.8`;

/** A token request ready for fetch. */
export interface PreparedRequest {
  readonly url: string;
  readonly headers: MutableHeaders;
  readonly body: string | null;
}

/** The body encoding, or `undefined` when the request has no body (`GET`, or encoding `none`). */
export function bodyEncoding(endpoint: Pick<TokenEndpoint, "encoding" | "method">): "form" | "json" | undefined {
  const encoding = endpoint.encoding;
  return encoding === "none" || endpoint.method === "GET" ? undefined : encoding;
}

/** RFC 6749 §3.3: array values of the listed fields become one space-delimited string (or joined by the provider's `separator`). */
export function joinSpaceDelimitedFields(fields: MutableFields, names: readonly string[], separator?: string): void {
  for (const name of names) {
    if (!Object.hasOwn(fields, name)) continue;
    const value = fields[name];
    if (Array.isArray(value)) defineField(fields, name, joinSpaceDelimited(name, value, separator));
  }
}

/**
 * The grant's constant fields (`expiring=1`, `type=refresh`), then what the
 * caller passed: a constant is sent without the caller naming it.
 */
export function withConstantFields(grant: GrantRule, params: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const constants = grant.constantFields;
  if (constants === undefined) return params;
  const fields: MutableFields = {};
  for (const name of Object.keys(constants)) defineField(fields, name, constants[name]);
  for (const name of Object.keys(params)) if (params[name] !== undefined) defineField(fields, name, params[name]);
  return fields;
}

/**
 * The fields of `params` named in `names` (own properties only): what a
 * session's refresh keeps of the request it was opened with, such as a
 * tenant in the token URL's path or query.
 */
export function keptFields(params: Readonly<Record<string, unknown>>, names: readonly string[]): MutableFields {
  const kept: MutableFields = {};
  for (const name of names) if (Object.hasOwn(params, name)) defineField(kept, name, params[name]);
  return kept;
}

/**
 * A client sends every request to one base URL and path: the last base URL
 * that passed `assertSecureUrl`, and the last join, are remembered so that a
 * request does not parse the same URL twice more (strings are compared, so a
 * different URL is always checked and joined afresh).
 */
let lastSecureBaseUrl: string | undefined;
let lastJoin: { readonly baseUrl: string; readonly path: string; readonly url: string } | undefined;

/** {@link assertSecureUrl} on a client's base URL, once per URL in a row. */
export function assertSecureBaseUrl(baseUrl: string): void {
  if (baseUrl === lastSecureBaseUrl) return;
  assertSecureUrl(baseUrl);
  lastSecureBaseUrl = baseUrl;
}

function joinedUrl(baseUrl: string, path: string): string {
  if (lastJoin !== undefined && lastJoin.baseUrl === baseUrl && lastJoin.path === path) return lastJoin.url;
  const url = joinUrl(baseUrl, path);
  lastJoin = { baseUrl, path, url };
  return url;
}

/**
 * The URL a grant names for itself (a `refreshUrl` of its own), absolute and
 * checked like a base URL; `undefined` when its requests go to the token endpoint.
 *
 * @throws TokenClientConfigError for an insecure or unusable URL.
 */
export function grantUrl(grant: Pick<GrantRule, "url">, baseUrl: string): string | undefined {
  const own = grant.url;
  if (own === undefined) return undefined;
  if (own.relative === true) return joinedUrl(baseUrl, own.url);
  assertSecureUrl(own.url, "grant URL");
  return own.url;
}

/**
 * Builds the request: the URL (`tokenUrl`, or the endpoint path on the base
 * URL with its `{name}` templates filled), headers and body, each field
 * where `endpoint.parameters` puts it. Throws the caller-bug `TypeError`s.
 */
export function prepareRequest(
  endpoint: TokenEndpoint,
  baseUrl: string,
  tokenUrl: string | undefined,
  fields: MutableFields,
  authHeaders: MutableHeaders,
): PreparedRequest {
  const accept = endpoint.responseEncoding === "form" ? FORM_ACCEPT : JSON_MEDIA_TYPE;
  const parameters = endpoint.parameters;
  const encoding = bodyEncoding(endpoint);
  if (parameters === undefined && encoding !== undefined) {
    // Every field in the body: the common case, kept free of routing work.
    const encoded = encodeBody(encoding, fields);
    return {
      url: tokenUrl ?? joinedUrl(baseUrl, endpoint.path),
      headers: { "Content-Type": encoded.contentType, Accept: accept, ...authHeaders },
      body: encoded.body,
    };
  }
  const bodyFields: MutableFields | undefined = encoding === undefined ? undefined : {};
  const queryFields: MutableFields = {};
  const headers: MutableHeaders = {};
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    const location: ParameterLocation | undefined =
      parameters !== undefined && Object.hasOwn(parameters, name) ? parameters[name] : undefined;
    if (location === "header") {
      const text = headerValue(name, value);
      if (text !== undefined) setHeader(headers, name, text);
    } else if (location === "path") {
      // Read from `fields` when the template is filled.
    } else if (location === "query" || bodyFields === undefined) {
      defineField(queryFields, name, value);
    } else {
      defineField(bodyFields, name, value);
    }
  }
  let url = tokenUrl ?? joinedUrl(baseUrl, parameters === undefined ? endpoint.path : fillPathTemplate(endpoint.path, parameters, fields));
  const query = encodeQuery(queryFields);
  // A query already in the URL (RFC 6749 §3.2 allows one) is kept.
  if (query !== "") url += `${url.includes("?") ? "&" : "?"}${query}`;
  setHeader(headers, "Accept", accept);
  let body: string | null = null;
  if (bodyFields !== undefined && encoding !== undefined) {
    const encoded = encodeBody(encoding, bodyFields);
    setHeader(headers, "Content-Type", encoded.contentType);
    body = encoded.body;
  }
  // Credentials come last, so that no parameter can replace them.
  for (const name of Object.keys(authHeaders)) setHeader(headers, name, authHeaders[name] ?? "");
  return { url, headers, body };
}

/** A `{name}` in a path template (OpenAPI path templating). */
const PATH_TEMPLATE = /\{([^{}]*)\}/g;

/** `path` with each `{name}` replaced by the percent-encoded value of path parameter `name`. */
function fillPathTemplate(path: string, parameters: Readonly<Record<string, ParameterLocation>>, fields: MutableFields): string {
  if (!path.includes("{")) return path;
  return path.replace(PATH_TEMPLATE, (_template, name: string) => {
    if (!(Object.hasOwn(parameters, name) && parameters[name] === "path")) {
      throw new TypeError(`path template ${JSON.stringify(`{${name.slice(0, 64)}}`)} is not a declared path parameter`);
    }
    return pathSegment(name, Object.hasOwn(fields, name) ? fields[name] : undefined);
  });
}

/** Sets a header, replacing any other spelling of its name (header names are case-insensitive). */
function setHeader(headers: MutableHeaders, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) delete headers[key];
  }
  defineField(headers, name, value);
}

