/** An encoded token request body and the media type to send it with. */
export interface EncodedBody {
  readonly body: string;
  readonly contentType: string;
}

const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
const JSON_CONTENT_TYPE = "application/json";

/**
 * Encodes the fields of a token request.
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

function encodeForm(fields: Readonly<Record<string, unknown>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value)) {
      for (const element of value as readonly unknown[]) {
        appendScalar(params, name, element, true);
      }
    } else {
      appendScalar(params, name, value, false);
    }
  }
  return params.toString();
}

function appendScalar(params: URLSearchParams, name: string, value: unknown, inArray: boolean): void {
  if (value === undefined || value === null) return;
  const text = scalarText(value);
  if (text === undefined) {
    const where = inArray ? `an element of form field "${name}"` : `form field "${name}"`;
    throw new TypeError(
      `${where} cannot be form-encoded: only strings, finite numbers, bigints, booleans and arrays of them can`,
    );
  }
  params.append(name, text);
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
