// The key options' types, as a consumer compiles them (tsc --strict plus the project's stricter flags): a provider
// that documents only private_key_jwt (test/keys/specs/keyonly: config `clientAuthMethods`, `dpop: "required"`)
// offers only that method and requires DPoP; Okta (RFC 8414 metadata in its spec) offers its three methods and an
// optional dpop; assertion grants take a function for their credentials. Every `@ts-expect-error` must meet an error.
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnosticsUnder, typecheck, useTempDirs } from "../generator/helpers.js";
import { generateFixtures } from "./generate.js";

const CONSUMER = `
import { createKeysOnlyClient } from "../keyonly/index.js";
import { createOktaClient, createOktaSession } from "../okta/index.js";
import { jwtAssertion, privateKeyJwt } from "../runtime/index.js";

declare const privateKey: CryptoKey;
declare const pair: CryptoKeyPair;
const dpop = { privateKey: pair.privateKey, publicKey: pair.publicKey };
const baseUrl = "http://127.0.0.1:1";

export const keyOnly = createKeysOnlyClient({ clientId: "a", clientAuth: { method: "private_key_jwt", privateKey, keyId: "k1" }, dpop, baseUrl });
export const keyOnlyValue = createKeysOnlyClient({ clientId: "a", clientAuth: privateKeyJwt(privateKey), dpop, baseUrl });
// @ts-expect-error the provider documents only private_key_jwt
export const keyOnlyBasic = createKeysOnlyClient({ clientId: "a", clientAuth: { method: "client_secret_basic" }, dpop, baseUrl });
// @ts-expect-error clientAuth is required: without it the client would send a method the provider does not document
export const keyOnlyNoAuth = createKeysOnlyClient({ clientId: "a", dpop, baseUrl });
// @ts-expect-error dpop is required by the provider config
export const keyOnlyNoDPoP = createKeysOnlyClient({ clientId: "a", clientAuth: { method: "private_key_jwt", privateKey }, baseUrl });
// @ts-expect-error no documented method uses a secret, so there is no clientSecret option
export const keyOnlySecret = createKeysOnlyClient({ clientId: "a", clientSecret: "s", clientAuth: { method: "private_key_jwt", privateKey }, dpop, baseUrl });

export const okta = createOktaClient({ clientId: "a", clientAuth: { method: "private_key_jwt", privateKey }, dpop, baseUrl });
export const oktaSecretJwt = createOktaClient({ clientId: "a", clientSecret: "s", clientAuth: { method: "client_secret_jwt" }, baseUrl });
// @ts-expect-error self_signed_tls_client_auth is not among Okta's documented methods
export const oktaSelfSigned = createOktaClient({ clientId: "a", clientAuth: { method: "self_signed_tls_client_auth" }, baseUrl });
export const signed = createOktaSession(okta, {
  grant: "urn:ietf:params:oauth:grant-type:jwt-bearer",
  assertion: jwtAssertion({ privateKey, claims: { iss: "svc", sub: "svc", aud: baseUrl } }),
});
export const exchanged = createOktaSession(okta, {
  grant: "urn:ietf:params:oauth:grant-type:token-exchange",
  subject_token: () => "t",
  subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
});
// @ts-expect-error subject_token_type is required (RFC 8693 §2.1)
export const untyped = createOktaSession(okta, { grant: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token: "t" });
`;

describe("key option types of generated clients", () => {
  const tempDir = useTempDirs();
  it("offer exactly the documented methods, dpop as the spec says, functions for assertion credentials", async () => {
    const root = await tempDir("keys-types");
    await generateFixtures(root, ["okta", "keyonly"]);
    mkdirSync(join(root, "consumer"), { recursive: true });
    writeFileSync(join(root, "consumer", "use.ts"), CONSUMER);
    const result = typecheck(root, { skipLibCheck: true });
    expect(result.files).toContain("consumer/use.ts");
    expect(result.diagnostics).toEqual([]);
    expect(diagnosticsUnder(result, "consumer")).toEqual([]);
  }, 120_000);
});
