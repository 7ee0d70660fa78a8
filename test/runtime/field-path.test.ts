import { describe, expect, it } from "vitest";
import { fieldPathName, readField } from "../../generator/runtime/field-path.js";
import type { FieldPath } from "../../generator/runtime/types.js";

describe("readField", () => {
  const body = JSON.parse(
    '{"access_token":"top","data":{"token":"nested","deep":{"x":1},"list":["a","b"]},"nil":null,"__proto__":{"polluted":true}}',
  ) as Record<string, unknown>;
  it.each<{ name: string; path: FieldPath; want: unknown }>([
    { name: "a top-level name", path: "access_token", want: "top" },
    { name: "a one-step path", path: ["access_token"], want: "top" },
    { name: "a nested path", path: ["data", "token"], want: "nested" },
    { name: "three steps", path: ["data", "deep", "x"], want: 1 },
    { name: "an array index is an own property", path: ["data", "list", "1"], want: "b" },
    { name: "an absent top-level name", path: "missing", want: undefined },
    { name: "an absent step", path: ["nope", "token"], want: undefined },
    { name: "a step through null", path: ["nil", "x"], want: undefined },
    { name: "a step through a string", path: ["access_token", "length"], want: undefined },
    { name: "no prototype read at the top", path: "toString", want: undefined },
    { name: "no prototype read below", path: ["data", "constructor"], want: undefined },
    { name: "an array's own length is a member", path: ["data", "list", "length"], want: 2 },
    { name: "a JSON __proto__ key is an own member", path: ["__proto__", "polluted"], want: true },
    { name: "an empty path reads nothing", path: [], want: undefined },
  ])("$name", ({ path, want }) => {
    expect(readField(body, path)).toEqual(want);
  });

  it("reads nothing from a non-object body", () => {
    expect(readField("text", "length")).toBeUndefined();
    expect(readField(null, ["a"])).toBeUndefined();
  });
});

describe("fieldPathName", () => {
  it.each<{ path: FieldPath; want: string }>([
    { path: "access_token", want: "access_token" },
    { path: ["data", "token"], want: "data.token" },
    { path: ["a"], want: "a" },
  ])("$path -> $want", ({ path, want }) => {
    expect(fieldPathName(path)).toBe(want);
  });
});
