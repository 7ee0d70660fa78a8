// generator/emit/names.ts decides every identifier the generated code declares; it reads the runtime's
// exported names from the runtime's index.ts. These tests hold it to the runtime as it really is.
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_TYPES, LOCAL_VALUES, WIRE_TYPES, declaredNames, parseRuntimeExports, providerNames, runtimeExports } from "../../generator/emit/names.js";
import type { ProviderModel } from "../../generator/model/index.js";
import { modelOf, tokenSpec } from "./helpers.js";

/** The suffixes of a provider's exported type names (`<prefix>Client`, …), longest first. */
const TYPE_SUFFIXES = ["ClientOptions", "SessionRequest", "ResponseError", "TokenResponse", "TokenResult", "TokenError", "ServerName", "Client", "Token", "Scope"];

let base: ProviderModel;

beforeAll(async () => {
  base = await modelOf(tokenSpec());
});

describe("the runtime's exported names", () => {
  it("are read from runtime/index.ts: its values are exactly what the module exports", async () => {
    const module = (await import("../../generator/runtime/index.js")) as Record<string, unknown>;
    expect([...runtimeExports().values].sort()).toEqual(Object.keys(module).sort());
  });

  it("include the types the generated files import", () => {
    const { types } = runtimeExports();
    for (const name of ["CallOptions", "Clock", "FetchLike", "SessionOptions", "Token", "TokenResult", "TokenSession", "TransportError", "ClientConfig", "GrantRule", "NamedServer", "TokenEndpoint"]) {
      expect(types, name).toContain(name);
    }
  });

  it("refuse an export form that would hide names (export *)", () => {
    expect(() => parseRuntimeExports('export * from "./errors.js";\n')).toThrow(/named re-exports/);
    expect(parseRuntimeExports('export { A, type B } from "./a.js";\nexport type { C } from "./c.js";\n')).toEqual({ values: new Set(["A"]), types: new Set(["B", "C"]) });
  });
});

describe("a provider's names never equal a runtime export or a local name", () => {
  const runtime = runtimeExports();
  const reserved = [...runtime.values, ...runtime.types, ...Object.values(LOCAL_TYPES), ...Object.values(LOCAL_VALUES), ...WIRE_TYPES];
  // Every prefix that would make one of the provider's names a runtime or local name: "Token" (TokenResponseError), "Stored" (StoredToken), ...
  const colliding = [...new Set(reserved.flatMap((name) => TYPE_SUFFIXES.filter((suffix) => name.endsWith(suffix) && /^[A-Z]/.test(name.slice(0, -suffix.length))).map((suffix) => name.slice(0, -suffix.length))))];

  it("finds prefixes to try", () => {
    expect(colliding).toEqual(expect.arrayContaining(["Token", "Stored"]));
  });

  it.each(colliding.map((prefix) => ({ prefix })))("typePrefix $prefix", ({ prefix }) => {
    const model: ProviderModel = { ...base, typePrefix: prefix };
    const declared = declaredNames(model).filter((name) => !Object.values(LOCAL_TYPES).includes(name as never) && !Object.values(LOCAL_VALUES).includes(name as never));
    expect(declared.filter((name) => reserved.includes(name))).toEqual([]);
    expect(new Set(declared).size).toBe(declared.length);
    expect(providerNames(model).client.startsWith(`${prefix}Provider`)).toBe(true);
  });

  it("a name the runtime starts exporting is avoided without a change here", () => {
    const model: ProviderModel = { ...base, typePrefix: "Acme" };
    expect(providerNames(model).client).toBe("AcmeClient");
    const grown = { values: runtimeExports().values, types: new Set([...runtimeExports().types, ...parseRuntimeExports('export type { AcmeClient } from "./acme.js";\n').types]) };
    expect(providerNames(model, grown).client).toBe("AcmeProviderClient");
  });
});

describe("what a provider re-exports from the runtime", () => {
  it("every error class and the memory store; DiscoveryError only with discovery", () => {
    const { runtimeValues, runtimeTypes } = providerNames(base);
    const errorClasses = [...runtimeExports().values].filter((name) => name.endsWith("Error") && name !== "DiscoveryError");
    expect(runtimeValues).toEqual(expect.arrayContaining([...errorClasses, "MemoryTokenStore"]));
    expect(runtimeValues).not.toContain("DiscoveryError");
    expect(providerNames({ ...base, operation: { ...base.operation, discovery: "/.well-known/openid-configuration" } }).runtimeValues).toContain("DiscoveryError");
    for (const name of runtimeTypes) expect(runtimeExports().types).toContain(name);
  });
});
