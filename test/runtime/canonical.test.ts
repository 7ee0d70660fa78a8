import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../generator/runtime/canonical.js";

describe("canonicalJson", () => {
  it.each([
    { given: { b: 1, a: 2 }, want: '{"a":2,"b":1}' },
    { given: { a: { d: 1, c: [{ f: 1, e: 2 }] } }, want: '{"a":{"c":[{"e":2,"f":1}],"d":1}}' },
    { given: { a: undefined, b: null }, want: '{"b":null}' },
    { given: JSON.parse('{"__proto__": {"x": 1}, "a": 1}') as unknown, want: '{"__proto__":{"x":1},"a":1}' },
    { given: "text", want: '"text"' },
    { given: undefined, want: "null" },
  ])("$want", ({ given, want }) => {
    expect(canonicalJson(given)).toBe(want);
  });

  it("gives the same text for the same members in any order", () => {
    expect(canonicalJson({ username: "u", password: "p", scope: ["a", "b"] })).toBe(canonicalJson({ scope: ["a", "b"], password: "p", username: "u" }));
  });
});
