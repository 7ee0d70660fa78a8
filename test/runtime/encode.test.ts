import { describe, expect, it } from "vitest";
import { encodeBody, encodeQuery, headerValue, joinSpaceDelimited, pathSegment } from "../../generator/runtime/encode.js";
import { TokenClientConfigError } from "../../generator/runtime/errors.js";

const FORM = "application/x-www-form-urlencoded";

describe("encodeBody form", () => {
  it.each<{ name: string; given: Record<string, unknown>; want: string }>([
    { name: "strings in insertion order", given: { grant_type: "client_credentials", scope: "a b" }, want: "grant_type=client_credentials&scope=a+b" },
    {
      name: "arrays become repeated keys (RFC 8707)",
      given: { resource: ["https://a.example/", "https://b.example/"] },
      want: "resource=https%3A%2F%2Fa.example%2F&resource=https%3A%2F%2Fb.example%2F",
    },
    { name: "a one-element array is one pair", given: { resource: ["x"] }, want: "resource=x" },
    { name: "an empty array sends nothing", given: { a: "1", resource: [] }, want: "a=1" },
    { name: "undefined fields are omitted", given: { a: "1", b: undefined, c: "3" }, want: "a=1&c=3" },
    { name: "null fields are omitted", given: { a: null, b: "2" }, want: "b=2" },
    { name: "null/undefined array elements are omitted", given: { r: ["x", null, undefined, "y"] }, want: "r=x&r=y" },
    { name: "numbers are stringified", given: { n: 42, f: 1.5, z: 0 }, want: "n=42&f=1.5&z=0" },
    { name: "booleans are stringified", given: { t: true, f: false }, want: "t=true&f=false" },
    { name: "bigints are stringified", given: { big: 12345678901234567890n }, want: "big=12345678901234567890" },
    { name: "empty strings are kept", given: { a: "" }, want: "a=" },
    { name: "reserved characters are encoded", given: { p: "%&+:/= é" }, want: "p=%25%26%2B%3A%2F%3D+%C3%A9" },
    { name: "no fields", given: {}, want: "" },
  ])("$name", ({ given, want }) => {
    expect(encodeBody("form", given)).toEqual({ body: want, contentType: FORM });
  });

  it.each<{ name: string; given: Record<string, unknown>; field: string }>([
    { name: "a plain object", given: { claims: { a: 1 } }, field: "claims" },
    { name: "an object inside an array", given: { list: ["ok", { a: 1 }] }, field: "list" },
    { name: "a nested array", given: { list: [["x"]] }, field: "list" },
    { name: "a Date", given: { when: new Date(0) }, field: "when" },
    { name: "a function", given: { fn: () => 1 }, field: "fn" },
    { name: "a symbol", given: { sym: Symbol("s") }, field: "sym" },
    { name: "NaN", given: { n: Number.NaN }, field: "n" },
    { name: "Infinity", given: { n: Number.POSITIVE_INFINITY }, field: "n" },
  ])("throws a TypeError naming only the field for $name", ({ given, field }) => {
    const secretful = { password: "hunter2-SECRET", ...given };
    let caught: unknown;
    try {
      encodeBody("form", secretful);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TypeError);
    const message = (caught as TypeError).message;
    expect(message).toContain(`"${field}"`);
    expect(message).not.toContain("hunter2");
    expect(message).not.toContain("[object");
    expect(message).not.toContain('"a":1');
  });
});

describe("encodeBody json", () => {
  it.each<{ name: string; given: Record<string, unknown>; want: string }>([
    { name: "strings and numbers", given: { grant_type: "password", n: 1 }, want: '{"grant_type":"password","n":1}' },
    { name: "undefined fields omitted", given: { a: "1", b: undefined }, want: '{"a":"1"}' },
    { name: "nulls kept", given: { a: null }, want: '{"a":null}' },
    { name: "arrays stay arrays", given: { resource: ["a", "b"] }, want: '{"resource":["a","b"]}' },
    { name: "objects allowed", given: { o: { x: true } }, want: '{"o":{"x":true}}' },
  ])("$name", ({ given, want }) => {
    expect(encodeBody("json", given)).toEqual({ body: want, contentType: "application/json" });
  });
});

/** Runs `run`, expects a TypeError, and returns its message. */
function typeErrorMessage(run: () => unknown): string {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TypeError);
  return (caught as TypeError).message;
}

const SECRET = "hunter2-SECRET";

describe("encodeQuery", () => {
  it.each<{ name: string; given: Record<string, unknown>; want: string }>([
    { name: "form-encoded pairs", given: { a: "x y", b: 2 }, want: "a=x+y&b=2" },
    { name: "arrays become repeated keys", given: { resource: ["r1", "r2"] }, want: "resource=r1&resource=r2" },
    { name: "undefined and null left out", given: { a: undefined, b: null, c: "" }, want: "c=" },
    { name: "nothing", given: {}, want: "" },
  ])("$name", ({ given, want }) => {
    expect(encodeQuery(given)).toBe(want);
  });

  it("names the query parameter, not the value, for an object", () => {
    const message = typeErrorMessage(() => encodeQuery({ claims: { password: SECRET } }));
    expect(message).toContain('query parameter "claims"');
    expect(message).not.toContain("hunter2");
  });
});

describe("joinSpaceDelimited (RFC 6749 §3.3)", () => {
  it.each<{ name: string; given: unknown; want: unknown }>([
    { name: "array joined with one space", given: ["read", "write"], want: "read write" },
    { name: "one element", given: ["read"], want: "read" },
    { name: "null/undefined elements skipped", given: ["a", null, undefined, "b"], want: "a b" },
    { name: "scalars stringified", given: ["a", 1, true], want: "a 1 true" },
    { name: "empty array: no field", given: [], want: undefined },
    { name: "a string stays as it is", given: "read write", want: "read write" },
    { name: "undefined stays undefined", given: undefined, want: undefined },
  ])("$name", ({ given, want }) => {
    expect(joinSpaceDelimited("scope", given)).toBe(want);
  });

  it("refuses an object element, naming the field only", () => {
    const message = typeErrorMessage(() => joinSpaceDelimited("scope", ["a", { s: SECRET }]));
    expect(message).toContain('"scope"');
    expect(message).not.toContain("hunter2");
  });
});

describe("headerValue", () => {
  it.each<{ name: string; given: unknown; want: string | undefined }>([
    { name: "a string", given: "abc", want: "abc" },
    { name: "a number", given: 42, want: "42" },
    { name: "an array joined with comma-space", given: ["a", "b", 3], want: "a, b, 3" },
    { name: "Latin-1 is sendable", given: "sécret", want: "sécret" },
    { name: "undefined: no header", given: undefined, want: undefined },
    { name: "null: no header", given: null, want: undefined },
    { name: "empty array: no header", given: [], want: undefined },
  ])("$name", ({ given, want }) => {
    expect(headerValue("X-Thing", given)).toBe(want);
  });

  it.each<{ name: string; headerName: string; given: unknown; want: RegExp }>([
    { name: "CR LF (header injection)", headerName: "client_secret", given: `${SECRET}\r\nX-Evil: 1`, want: /"client_secret".*line break/ },
    { name: "a bare LF", headerName: "client_secret", given: `${SECRET}\n`, want: /"client_secret"/ },
    { name: "a bare CR", headerName: "client_secret", given: `a\r${SECRET}`, want: /"client_secret"/ },
    { name: "NUL", headerName: "client_secret", given: `${SECRET}\0`, want: /"client_secret"/ },
    { name: "CR LF inside an array element", headerName: "client_secret", given: ["a", `${SECRET}\r\n`], want: /"client_secret"/ },
    { name: "a character beyond Latin-1", headerName: "client_secret", given: `${SECRET}💡`, want: /non-Latin-1/ },
    { name: "an object", headerName: "client_secret", given: { s: SECRET }, want: /"client_secret"/ },
    { name: "an invalid header name", headerName: "bad name:", given: SECRET, want: /not a valid header name/ },
  ])("refuses $name without echoing the value", ({ headerName, given, want }) => {
    const message = typeErrorMessage(() => headerValue(headerName, given));
    expect(message).toMatch(want);
    expect(message).not.toContain("hunter2");
  });
});

describe("pathSegment", () => {
  it.each<{ name: string; given: unknown; want: string }>([
    { name: "a plain value", given: "tenant-1", want: "tenant-1" },
    { name: "slash, query and fragment are escaped", given: "a/b?c#d", want: "a%2Fb%3Fc%23d" },
    { name: "spaces and non-ASCII", given: "é x", want: "%C3%A9%20x" },
    { name: "braces of another template", given: "{other}", want: "%7Bother%7D" },
    { name: "a number", given: 7, want: "7" },
    { name: "an array, comma-joined (OpenAPI simple style)", given: ["a b", "c/d"], want: "a%20b,c%2Fd" },
    { name: "three dots are not a dot segment", given: "...", want: "..." },
  ])("$name", ({ given, want }) => {
    expect(pathSegment("tenant", given)).toBe(want);
  });

  it.each<{ name: string; given: unknown; want: RegExp }>([
    { name: "a dot segment", given: "..", want: /"tenant" cannot be a dot segment/ },
    { name: "a single dot", given: ".", want: /dot segment/ },
    { name: "an object", given: { s: SECRET }, want: /"tenant"/ },
  ])("refuses $name, naming the field only", ({ given, want }) => {
    const message = typeErrorMessage(() => pathSegment("tenant", given));
    expect(message).toMatch(want);
    expect(message).not.toContain("hunter2");
  });

  // No value is a typed error with a stable code (a session or an untyped caller can meet it), not a TypeError.
  it.each([
    { name: "undefined", given: undefined },
    { name: "null", given: null },
    { name: "empty string", given: "" },
    { name: "empty array", given: [] },
  ])("refuses $name as a TokenClientConfigError", ({ given }) => {
    expect(() => pathSegment("tenant", given)).toThrow(TokenClientConfigError);
    expect(() => pathSegment("tenant", given)).toThrow(/"tenant" has no value/);
  });
});
