// explain and the README say a grant's client authentication through describeClientAuth, which asks the runtime's
// decideClientAuth (the one function that decides it): these rows hold the description to that decision.
import { describe, expect, it } from "vitest";
import { describeClientAuth, hasRequestBody, type ClientAuthDescription } from "../../generator/model/client-auth.js";
import type { ClientAuthRule } from "../../generator/runtime/types.js";

const POST = { kind: "fields", idField: "client_id", secretField: "client_secret" } as const;

describe("describeClientAuth", () => {
  it.each<{ name: string; given: ClientAuthRule; hasBody: boolean; want: ClientAuthDescription }>([
    { name: "documented fields", given: { kind: "documented", idField: "cid", secretField: "cs", basic: true }, hasBody: true, want: { kind: "decided", rule: { kind: "fields", idField: "cid", secretField: "cs" } } },
    { name: "documented Basic", given: { kind: "documented", basic: true }, hasBody: true, want: { kind: "decided", rule: { kind: "basic" } } },
    { name: "stated none", given: { kind: "documented", stated: "none", basic: true }, hasBody: true, want: { kind: "decided", rule: { kind: "none" } } },
    { name: "discovery, with a body", given: { kind: "documented", discovery: true }, hasBody: true, want: { kind: "discovered", order: [{ kind: "basic" }, POST, { kind: "none" }] } },
    { name: "discovery, without a body: never the secret in the URL", given: { kind: "documented", discovery: true }, hasBody: false, want: { kind: "discovered", order: [{ kind: "basic" }, { kind: "none" }] } },
  ])("$name", ({ given, hasBody, want }) => {
    expect(describeClientAuth(given, hasBody)).toEqual(want);
  });

  it.each<{ method: "post" | "get"; encoding: "form" | "json" | "none"; want: boolean }>([
    { method: "post", encoding: "form", want: true },
    { method: "post", encoding: "json", want: true },
    { method: "post", encoding: "none", want: false },
    { method: "get", encoding: "form", want: false },
  ])("hasRequestBody($method, $encoding) -> $want", ({ method, encoding, want }) => {
    expect(hasRequestBody({ operation: { method }, request: { encoding } })).toBe(want);
  });
});
