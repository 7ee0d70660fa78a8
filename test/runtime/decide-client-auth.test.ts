// decideClientAuth is the one function that decides how a token request authenticates the client (issue 11):
// the generator collects what a spec documents, the runtime decides from it. These tables pin its precedence.
import { describe, expect, it } from "vitest";
import { decideClientAuth, type ClientAuthDecision, type ClientAuthGiven, type DiscoveredAuthMethods } from "../../generator/runtime/client-auth.js";
import { clientSecretJwt } from "../../generator/runtime/client-jwt.js";
import { TokenClientConfigError } from "../../generator/runtime/errors.js";
import type { ClientAuthRule, DocumentedClientAuth } from "../../generator/runtime/types.js";

const doc = (facts: Omit<DocumentedClientAuth, "kind">): DocumentedClientAuth => ({ kind: "documented", ...facts });
const SPEC_FIELDS = { idField: "ClientId", secretField: "ClientSecret" } as const;
const SECRET = { clientSecret: "s3cret" } as const;

/** A decision as the table writes it: the rule and what decided it, or the pending/unsupported kind. */
function shown(decision: ClientAuthDecision): unknown {
  return decision.kind === "decided" ? { rule: decision.rule, by: decision.by, jwt: decision.jwt !== undefined } : decision.kind;
}

describe("decideClientAuth: what the spec documents, without a clientAuth option", () => {
  it.each<{ name: string; given: ClientAuthRule; discovered?: DiscoveredAuthMethods; want: unknown }>([
    { name: "nothing documented", given: doc({}), want: { rule: { kind: "none" }, by: "nothing", jwt: false } },
    { name: "Basic documented", given: doc({ basic: true }), want: { rule: { kind: "basic" }, by: "basic", jwt: false } },
    { name: "an id field", given: doc({ idField: "client_id" }), want: { rule: { kind: "fields", idField: "client_id" }, by: "fields", jwt: false } },
    { name: "id and secret fields, spelled by the spec", given: doc(SPEC_FIELDS), want: { rule: { kind: "fields", ...SPEC_FIELDS }, by: "fields", jwt: false } },
    { name: "fields win over a documented Basic", given: doc({ ...SPEC_FIELDS, basic: true }), want: { rule: { kind: "fields", ...SPEC_FIELDS }, by: "fields", jwt: false } },
    { name: "config states basic over fields", given: doc({ stated: "basic", ...SPEC_FIELDS }), want: { rule: { kind: "basic" }, by: "stated", jwt: false } },
    { name: "config states none over Basic", given: doc({ stated: "none", basic: true }), want: { rule: { kind: "none" }, by: "stated", jwt: false } },
    { name: "config states fields over Basic", given: doc({ stated: "fields", ...SPEC_FIELDS, basic: true }), want: { rule: { kind: "fields", ...SPEC_FIELDS }, by: "stated", jwt: false } },
    { name: "config states basic over discovery", given: doc({ stated: "basic", discovery: true }), want: { rule: { kind: "basic" }, by: "stated", jwt: false } },
    { name: "discovery, before the document is read", given: doc({ discovery: true, basic: true }), want: "awaiting-discovery" },
    { name: "discovery: no list means client_secret_basic", given: doc({ discovery: true }), discovered: { authMethods: undefined, hasBody: true }, want: { rule: { kind: "basic" }, by: "discovery", jwt: false } },
    { name: "discovery: basic first", given: doc({ discovery: true }), discovered: { authMethods: ["none", "client_secret_post", "client_secret_basic"], hasBody: true }, want: { rule: { kind: "basic" }, by: "discovery", jwt: false } },
    { name: "discovery: post with a body", given: doc({ discovery: true }), discovered: { authMethods: ["client_secret_post", "none"], hasBody: true }, want: { rule: { kind: "fields", idField: "client_id", secretField: "client_secret" }, by: "discovery", jwt: false } },
    { name: "discovery: post without a body falls to none", given: doc({ discovery: true }), discovered: { authMethods: ["client_secret_post", "none"], hasBody: false }, want: { rule: { kind: "none" }, by: "discovery", jwt: false } },
    { name: "discovery: post alone without a body", given: doc({ discovery: true }), discovered: { authMethods: ["client_secret_post"], hasBody: false }, want: "unsupported" },
    { name: "discovery: key-based methods only", given: doc({ discovery: true }), discovered: { authMethods: ["private_key_jwt", "tls_client_auth"], hasBody: true }, want: "unsupported" },
    { name: "discovery wins over the spec's fields", given: doc({ discovery: true, ...SPEC_FIELDS }), discovered: { authMethods: undefined, hasBody: true }, want: { rule: { kind: "basic" }, by: "discovery", jwt: false } },
    { name: "a hand-written basic rule", given: { kind: "basic" }, want: { rule: { kind: "basic" }, by: "stated", jwt: false } },
    { name: "a hand-written fields rule", given: { kind: "fields", ...SPEC_FIELDS }, want: { rule: { kind: "fields", ...SPEC_FIELDS }, by: "stated", jwt: false } },
    { name: "a hand-written discovered rule", given: { kind: "discovered" }, discovered: { authMethods: ["none"], hasBody: true }, want: { rule: { kind: "none" }, by: "discovery", jwt: false } },
    { name: "a discovery list is ignored without discovery", given: doc({ basic: true }), discovered: { authMethods: ["none"], hasBody: true }, want: { rule: { kind: "basic" }, by: "basic", jwt: false } },
  ])("$name", ({ given, discovered, want }) => {
    expect(shown(decideClientAuth(given, {}, discovered))).toEqual(want);
  });
});

describe("decideClientAuth: the user's clientAuth option decides over everything documented", () => {
  const jwt = clientSecretJwt();
  it.each<{ name: string; given: ClientAuthRule; option: ClientAuthGiven; want: unknown }>([
    { name: "client_secret_basic over the spec's fields", given: doc(SPEC_FIELDS), option: { clientAuth: { method: "client_secret_basic" }, ...SECRET }, want: { rule: { kind: "basic" }, by: "option", jwt: false } },
    { name: "client_secret_post keeps the spec's names", given: doc(SPEC_FIELDS), option: { clientAuth: { method: "client_secret_post" }, ...SECRET }, want: { rule: { kind: "fields", ...SPEC_FIELDS }, by: "option", jwt: false } },
    { name: "client_secret_post over Basic uses RFC names", given: doc({ basic: true }), option: { clientAuth: { method: "client_secret_post" }, ...SECRET }, want: { rule: { kind: "fields", idField: "client_id", secretField: "client_secret" }, by: "option", jwt: false } },
    { name: "client_secret_post over an id-only field uses RFC names", given: doc({ idField: "ClientId" }), option: { clientAuth: { method: "client_secret_post" }, ...SECRET }, want: { rule: { kind: "fields", idField: "client_id", secretField: "client_secret" }, by: "option", jwt: false } },
    { name: "client_secret_post over stated basic uses RFC names", given: doc({ stated: "basic", ...SPEC_FIELDS }), option: { clientAuth: { method: "client_secret_post" }, ...SECRET }, want: { rule: { kind: "fields", idField: "client_id", secretField: "client_secret" }, by: "option", jwt: false } },
    { name: "none keeps the spec's id field", given: doc(SPEC_FIELDS), option: { clientAuth: { method: "none" } }, want: { rule: { kind: "fields", idField: "ClientId" }, by: "option", jwt: false } },
    { name: "tls_client_auth over Basic sends client_id", given: doc({ basic: true }), option: { clientAuth: { method: "tls_client_auth" } }, want: { rule: { kind: "fields", idField: "client_id" }, by: "option", jwt: false } },
    { name: "self_signed_tls_client_auth over discovery, before any document", given: doc({ discovery: true }), option: { clientAuth: { method: "self_signed_tls_client_auth" } }, want: { rule: { kind: "fields", idField: "client_id" }, by: "option", jwt: false } },
    { name: "client_secret_jwt: client_id and a signer", given: doc(SPEC_FIELDS), option: { clientAuth: jwt, ...SECRET }, want: { rule: { kind: "fields", idField: "client_id" }, by: "option", jwt: true } },
  ])("$name", ({ given, option, want }) => {
    expect(shown(decideClientAuth(given, option))).toEqual(want);
  });

  it.each<{ name: string; option: ClientAuthGiven; want: RegExp }>([
    { name: "a method that is none", option: { clientAuth: { method: "magic" } as never }, want: /clientAuth.method must be one of .*; got "magic"/ },
    { name: "client_secret_basic without a secret", option: { clientAuth: { method: "client_secret_basic" } }, want: /client_secret_basic needs the client secret/ },
    { name: "client_secret_post with an empty secret", option: { clientAuth: { method: "client_secret_post" }, clientSecret: "" }, want: /client_secret_post needs the client secret/ },
    { name: "private_key_jwt as a bare description", option: { clientAuth: { method: "private_key_jwt" } as never }, want: /must be made by privateKeyJwt\(\)/ },
  ])("refuses $name", ({ option, want }) => {
    expect(() => decideClientAuth(doc({ basic: true }), option)).toThrow(TokenClientConfigError);
    expect(() => decideClientAuth(doc({ basic: true }), option)).toThrow(want);
  });
});
