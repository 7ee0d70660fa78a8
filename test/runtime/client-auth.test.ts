import { describe, expect, it } from "vitest";
import { CREDENTIAL_FIELDS, applyClientAuth, basicAuthorization, isCredentialField, sentSecrets } from "../../generator/runtime/client-auth.js";
import type { ClientAuthRule } from "../../generator/runtime/types.js";

/** Undoes RFC 6749 §2.3.1: base64 → UTF-8 → split at the first ':' → form-decode each side. */
function decodeBasic(header: string): { id: string; secret: string } {
  expect(header.startsWith("Basic ")).toBe(true);
  const binary = atob(header.slice("Basic ".length));
  const userPass = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  const colon = userPass.indexOf(":");
  expect(colon).toBeGreaterThanOrEqual(0);
  const formDecode = (s: string): string => new URLSearchParams(`x=${s}`).get("x") ?? "";
  return { id: formDecode(userPass.slice(0, colon)), secret: formDecode(userPass.slice(colon + 1)) };
}

describe("basicAuthorization (RFC 6749 §2.3.1)", () => {
  it.each<{ name: string; id: string; secret: string; userPass: string }>([
    { name: "plain ASCII", id: "client", secret: "secret", userPass: "client:secret" },
    { name: "spaces become +", id: "my client", secret: "a b", userPass: "my+client:a+b" },
    { name: "reserved characters", id: "id%&+:/", secret: "s%&+:/", userPass: "id%25%26%2B%3A%2F:s%25%26%2B%3A%2F" },
    { name: "colon in the id cannot split early", id: "a:b", secret: "c:d", userPass: "a%3Ab:c%3Ad" },
    { name: "non-ASCII é", id: "clïent", secret: "sécret", userPass: "cl%C3%AFent:s%C3%A9cret" },
    { name: "astral 💡", id: "💡", secret: "x💡y", userPass: "%F0%9F%92%A1:x%F0%9F%92%A1y" },
    { name: "empty secret", id: "public", secret: "", userPass: "public:" },
    { name: "unreserved kept", id: "A-z_0.9*~", secret: "~", userPass: "A-z_0.9*%7E:%7E" },
  ])("$name", ({ id, secret, userPass }) => {
    const header = basicAuthorization(id, secret);
    expect(header).toBe(`Basic ${btoa(userPass)}`);
    expect(decodeBasic(header)).toEqual({ id, secret });
  });

  it("matches a hand-computed vector", () => {
    // "my+client:s%3Acr+t" base64-encoded by hand.
    expect(basicAuthorization("my client", "s:cr t")).toBe("Basic bXkrY2xpZW50OnMlM0Fjcit0");
  });
});

describe("applyClientAuth", () => {
  const withSecret = { clientId: "cid", clientSecret: "csecret" };
  const noSecret = { clientId: "cid" };
  it.each<{
    name: string;
    rule: ClientAuthRule;
    config: { clientId: string; clientSecret?: string };
    wantFields: Record<string, unknown>;
    wantHeaders: Record<string, string>;
  }>([
    {
      name: "basic with secret",
      rule: { kind: "basic" },
      config: withSecret,
      wantFields: { grant_type: "x" },
      wantHeaders: { Authorization: `Basic ${btoa("cid:csecret")}` },
    },
    {
      name: "basic without secret sends an empty one",
      rule: { kind: "basic" },
      config: noSecret,
      wantFields: { grant_type: "x" },
      wantHeaders: { Authorization: `Basic ${btoa("cid:")}` },
    },
    {
      name: "fields with secret",
      rule: { kind: "fields", idField: "client_id", secretField: "client_secret" },
      config: withSecret,
      wantFields: { grant_type: "x", client_id: "cid", client_secret: "csecret" },
      wantHeaders: {},
    },
    {
      name: "fields without configured secret omits the secret field",
      rule: { kind: "fields", idField: "client_id", secretField: "client_secret" },
      config: noSecret,
      wantFields: { grant_type: "x", client_id: "cid" },
      wantHeaders: {},
    },
    {
      name: "fields with id only",
      rule: { kind: "fields", idField: "clientId" },
      config: withSecret,
      wantFields: { grant_type: "x", clientId: "cid" },
      wantHeaders: {},
    },
    { name: "none", rule: { kind: "none" }, config: withSecret, wantFields: { grant_type: "x" }, wantHeaders: {} },
  ])("$name", ({ rule, config, wantFields, wantHeaders }) => {
    const fields: Record<string, unknown> = { grant_type: "x" };
    const headers: Record<string, string> = {};
    applyClientAuth(rule, config, fields, headers);
    expect(fields).toEqual(wantFields);
    expect(headers).toEqual(wantHeaders);
  });

  it("field credentials overwrite same-named params", () => {
    const fields: Record<string, unknown> = { client_id: "spoofed", client_secret: "spoofed" };
    applyClientAuth({ kind: "fields", idField: "client_id", secretField: "client_secret" }, withSecret, fields, {});
    expect(fields).toEqual({ client_id: "cid", client_secret: "csecret" });
  });
});

describe("applyClientAuth with a discovered rule", () => {
  it("throws a TypeError: the rule must be resolved from the discovery document first", () => {
    const fields: Record<string, unknown> = {};
    const headers: Record<string, string> = {};
    expect(() => applyClientAuth({ kind: "discovered" }, { clientId: "cid", clientSecret: "csecret" }, fields, headers)).toThrow(TypeError);
    expect(fields).toEqual({});
    expect(headers).toEqual({});
  });
});

describe("credential fields and the secrets a request sends", () => {
  it("names the RFC credential fields in one list", () => {
    expect([...CREDENTIAL_FIELDS].sort()).toEqual(
      ["actor_token", "assertion", "client_assertion", "client_secret", "code", "code_verifier", "device_code", "password", "refresh_token", "subject_token"],
    );
  });

  it.each([
    { name: "refresh_token", want: true },
    { name: "refreshToken", want: true },
    { name: "Refresh-Token", want: true },
    { name: "clientSecret", want: true },
    { name: "code", want: true },
    { name: "username", want: false },
    { name: "client_id", want: false },
    { name: "scope", want: false },
    { name: "codes", want: false },
  ])("isCredentialField($name) is $want", ({ name, want }) => {
    expect(isCredentialField(name)).toBe(want);
  });

  it("the rule's secretField is a credential under whatever name the spec gives it", () => {
    const rule: ClientAuthRule = { kind: "fields", idField: "appId", secretField: "appKey" };
    expect(isCredentialField("appKey", rule)).toBe(true);
    expect(isCredentialField("appKey")).toBe(false);
    expect(isCredentialField("appId", rule)).toBe(false);
  });

  it("basic: the client secret and the Basic credentials; credential fields; not the id or other fields", () => {
    const fields: Record<string, unknown> = { grant_type: "password", username: "ann", password: "pw-1", scope: "read" };
    const headers: Record<string, string> = {};
    const config = { clientId: "cid", clientSecret: "csecret" };
    applyClientAuth({ kind: "basic" }, config, fields, headers);
    const basic = basicAuthorization("cid", "csecret").slice("Basic ".length);
    expect(sentSecrets(config, { kind: "basic" }, fields, headers)).toEqual(["csecret", basic, "pw-1", basic]);
  });

  it("fields: the secret field under its own name, numbers, array elements and nested values", () => {
    const rule: ClientAuthRule = { kind: "fields", idField: "appId", secretField: "appKey" };
    const fields: Record<string, unknown> = { refresh_token: ["rt-1", 42], assertion: { jwt: "ey.x" }, pin: "1234" };
    const config = { clientId: "cid", clientSecret: "k-1" };
    applyClientAuth(rule, config, fields, {});
    expect(sentSecrets(config, rule, fields, {})).toEqual(["k-1", basicAuthorization("cid", "k-1").slice(6), "rt-1", "42", "ey.x", "k-1"]);
  });

  it("none, without a secret: only the credential fields; empty values are left out", () => {
    expect(sentSecrets({ clientId: "cid" }, { kind: "none" }, { code: "c-1", code_verifier: "" }, {})).toEqual(["c-1"]);
  });
});
