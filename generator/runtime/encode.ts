import { TokenClientConfigError } from "./errors.js";

/** An encoded token request body and the media type to send it with. */
export interface EncodedBody {
  readonly body: string;
  readonly contentType: string;
}

const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
const JSON_CONTENT_TYPE = "application/json";

/**
 * Encodes the body fields of a token request. (An endpoint with encoding
 * `none`, or a `GET`, has no body: `requestToken` sends its fields in the
 * query string, see {@link encodeQuery}.)
 *
 * - `form`: `application/x-www-form-urlencoded` as RFC 6749 §4 and Appendix B
 *   require (URLSearchParams serialisation, so a space becomes `+`). An array
 *   becomes one pair per element with the same key, the shape RFC 8707 §2
 *   gives repeated `resource` parameters (`resource=a&resource=b`), never a
 *   comma-joined value. Fields (and array elements) that are `undefined` or
 *   `null` are left out; strings are sent as they are; finite numbers, bigints
 *   and booleans are stringified.
 * - `json`: `application/json` via `JSON.stringify`; `undefined` fields are
 *   left out and `null` fields are kept.
 *
 * @throws TypeError when a form field holds a value form encoding cannot carry
 *   (an object, a nested array, a function, a symbol, or a non-finite number).
 *   The message names the field only, never its value, since values can be
 *   credentials.
 */
export function encodeBody(encoding: "form" | "json", fields: Readonly<Record<string, unknown>>): EncodedBody {
  switch (encoding) {
    case "form":
      return { body: encodeForm(fields), contentType: FORM_CONTENT_TYPE };
    case "json":
      return { body: JSON.stringify(fields), contentType: JSON_CONTENT_TYPE };
    default: {
      const unknownEncoding: never = encoding;
      throw new TypeError(`unknown body encoding ${JSON.stringify(String(unknownEncoding))}`);
    }
  }
}

/**
 * Encodes fields as an `application/x-www-form-urlencoded` query string (no
 * leading `?`), by the same rules as a `form` body: arrays become repeated
 * keys, `undefined`/`null` are left out, only scalars are allowed.
 *
 * @throws TypeError naming the field (never its value) for a value a query
 *   string cannot carry.
 */
export function encodeQuery(fields: Readonly<Record<string, unknown>>): string {
  return encodeFields(fields, "query parameter");
}

function encodeForm(fields: Readonly<Record<string, unknown>>): string {
  return encodeFields(fields, "form field");
}

function encodeFields(fields: Readonly<Record<string, unknown>>, noun: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value)) {
      for (const element of value as readonly unknown[]) {
        appendScalar(params, name, element, true, noun);
      }
    } else {
      appendScalar(params, name, value, false, noun);
    }
  }
  return params.toString();
}

function appendScalar(params: URLSearchParams, name: string, value: unknown, inArray: boolean, noun: string): void {
  if (value === undefined || value === null) return;
  const text = scalarText(value);
  if (text === undefined) {
    const where = inArray ? `an element of ${noun} "${name}"` : `${noun} "${name}"`;
    throw new TypeError(
      `${where} cannot be form-encoded: only strings, finite numbers, bigints, booleans and arrays of them can`,
    );
  }
  params.append(name, text);
}

/**
 * Joins an array value into one space-delimited string, as RFC 6749 §3.3
 * defines `scope`: `["read", "write"]` becomes `"read write"`. `undefined`
 * and `null` elements are left out; an array with no elements left gives
 * `undefined` (the field is then not sent: an empty scope is not a scope).
 * A value that is not an array is returned as it is. A provider that joins
 * scopes otherwise (`a,b`) passes its `separator`.
 *
 * @throws TypeError naming the field (never its value) when an element is not
 *   a string, finite number, bigint or boolean.
 */
export function joinSpaceDelimited(name: string, value: unknown, separator = " "): unknown {
  if (!Array.isArray(value)) return value;
  let joined: string | undefined;
  for (const element of value as readonly unknown[]) {
    if (element === undefined || element === null) continue;
    const text = scalarText(element);
    if (text === undefined) {
      throw new TypeError(`an element of space-delimited field "${name}" is not a string, finite number, bigint or boolean`);
    }
    joined = joined === undefined ? text : `${joined}${separator}${text}`;
  }
  return joined;
}

/** An HTTP header field name (RFC 9110 §5.1: a token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What a header value cannot carry: CR and LF (header injection), NUL, and anything beyond one byte per character. */
const UNSENDABLE_HEADER_CHAR = /[\r\n\0\u0100-\uffff]/;

/**
 * The text of a field sent as a request header (OpenAPI `in: header`, simple
 * style): a scalar is stringified, an array's elements are joined with
 * `", "` (RFC 9110 §5.3), `undefined`/`null` (and an array with nothing
 * left) give `undefined`, meaning no header.
 *
 * @throws TypeError naming the field, never its value, when the name is not
 *   a header name, when the value is not a scalar or an array of them, or
 *   when it holds CR, LF, NUL or a character above U+00FF, which would split
 *   the header (RFC 9110 §5.5) or cannot be sent as header bytes. Checked here
 *   because the platform's own errors may quote the value.
 */
export function headerValue(name: string, value: unknown): string | undefined {
  if (!HEADER_NAME.test(name)) throw new TypeError(`header parameter ${JSON.stringify(name.slice(0, 64))} is not a valid header name`);
  if (value === undefined || value === null) return undefined;
  let text: string | undefined;
  if (Array.isArray(value)) {
    for (const element of value as readonly unknown[]) {
      if (element === undefined || element === null) continue;
      const item = scalarText(element);
      if (item === undefined) throw new TypeError(`an element of header parameter "${name}" is not a string, finite number, bigint or boolean`);
      text = text === undefined ? item : `${text}, ${item}`;
    }
    if (text === undefined) return undefined;
  } else {
    text = scalarText(value);
    if (text === undefined) throw new TypeError(`header parameter "${name}" is not a string, finite number, bigint, boolean or array of them`);
  }
  if (UNSENDABLE_HEADER_CHAR.test(text)) {
    throw new TypeError(`header parameter "${name}" holds a line break, NUL or non-Latin-1 character, which a header cannot carry`);
  }
  return text;
}

/**
 * The text that replaces `{name}` in a path template (OpenAPI `in: path`,
 * simple style): the value percent-encoded with `encodeURIComponent`, so a
 * `/`, `?` or `#` in it cannot change the path; an array's elements are
 * encoded one by one and joined with `,`.
 *
 * @throws TokenClientConfigError naming the field, never its value, when the
 *   value is absent (`undefined`, `null`, empty).
 * @throws TypeError naming the field, never its value, when the value is
 *   not a scalar or an array of them, or `.`/`..`, which URL parsing would take as a dot segment and so leave the
 *   templated path.
 */
export function pathSegment(name: string, value: unknown): string {
  let text: string | undefined;
  if (Array.isArray(value)) {
    for (const element of value as readonly unknown[]) {
      if (element === undefined || element === null) continue;
      const item = scalarText(element);
      if (item === undefined) throw new TypeError(`an element of path parameter "${name}" is not a string, finite number, bigint or boolean`);
      const encoded = encodeURIComponent(item);
      text = text === undefined ? encoded : `${text},${encoded}`;
    }
  } else if (value !== undefined && value !== null) {
    const item = scalarText(value);
    if (item === undefined) throw new TypeError(`path parameter "${name}" is not a string, finite number, bigint, boolean or array of them`);
    text = encodeURIComponent(item);
  }
  // A typed error with a stable code, not a TypeError: a session or a caller without types can meet it.
  if (text === undefined || text === "") throw new TokenClientConfigError(`path parameter "${name}" has no value`);
  if (text === "." || text === "..") throw new TypeError(`path parameter "${name}" cannot be a dot segment`);
  return text;
}

function scalarText(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return Number.isFinite(value) ? String(value) : undefined;
    case "bigint":
    case "boolean":
      return String(value);
    default:
      return undefined;
  }
}
