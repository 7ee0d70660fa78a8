import { describe, expect, it } from "vitest";
import { encodeBody } from "../../generator/runtime/encode.js";

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
