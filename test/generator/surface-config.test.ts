// The provider config's `endpoints` and `authorization` settings (generator/load/config.ts): what loads, what is
// refused and where (issue 12). What they do to the model: surface.test.ts.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecError, loadProviderConfig, type ProviderConfig } from "../../generator/load/index.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();

async function load(value: unknown): Promise<{ file: string; outcome: ProviderConfig | SpecError | undefined }> {
  const file = join(await tempDir("surface-config"), "acme.tokenwright.json");
  writeFileSync(file, JSON.stringify(value));
  const outcome = await loadProviderConfig(file).catch((error: unknown) => {
    if (error instanceof SpecError) return error;
    throw error;
  });
  return { file, outcome };
}

describe("endpoints and authorization in the provider config", () => {
  it.each<{ name: string; config: unknown; want: ProviderConfig }>([
    // given a config -> want it loaded as
    {
      name: "every endpoint, absolute and relative",
      config: {
        endpoints: {
          authorization: "https://login.example.com/oauth2/authorize?tenant=common",
          deviceAuthorization: "/oauth2/device",
          revocation: "/oauth2/revoke",
          introspection: "/{tenant}/oauth2/introspect",
          pushedAuthorization: "https://login.example.com/oauth2/par",
          refresh: "/oauth2/refresh",
          metadata: "https://login.example.com/.well-known/oauth-authorization-server",
        },
      },
      want: {
        endpoints: {
          authorization: "https://login.example.com/oauth2/authorize?tenant=common",
          deviceAuthorization: "/oauth2/device",
          revocation: "/oauth2/revoke",
          introspection: "/{tenant}/oauth2/introspect",
          pushedAuthorization: "https://login.example.com/oauth2/par",
          refresh: "/oauth2/refresh",
          metadata: "https://login.example.com/.well-known/oauth-authorization-server",
        },
      },
    },
    { name: "loopback http", config: { endpoints: { revocation: "http://127.0.0.1:8080/revoke" } }, want: { endpoints: { revocation: "http://127.0.0.1:8080/revoke" } } },
    { name: "PKCE off and a comma", config: { authorization: { pkce: false, scopeSeparator: "," } }, want: { authorization: { pkce: false, scopeSeparator: "," } } },
  ])("loads $name", async ({ config, want }) => {
    expect((await load(config)).outcome).toEqual(want);
  });

  it.each<{ name: string; config: unknown; pointer: string; message: RegExp }>([
    // given a config -> want a "config" refusal at this pointer
    { name: "an unknown endpoint", config: { endpoints: { token: "/t" } }, pointer: "/endpoints/token", message: /unknown setting "token"; known: authorization, deviceAuthorization/ },
    { name: "endpoints not an object", config: { endpoints: "/revoke" }, pointer: "/endpoints", message: /must be a JSON object/ },
    { name: "plain http", config: { endpoints: { authorization: "http://login.example.com/authorize" } }, pointer: "/endpoints/authorization", message: /only over https/ },
    { name: "credentials in the URL", config: { endpoints: { revocation: "https://user:pw@login.example.com/revoke" } }, pointer: "/endpoints/revocation", message: /carries credentials/ },
    { name: "a fragment", config: { endpoints: { authorization: "https://login.example.com/authorize#x" } }, pointer: "/endpoints/authorization", message: /fragment/ },
    { name: "a path with a fragment", config: { endpoints: { revocation: "/revoke#x" } }, pointer: "/endpoints/revocation", message: /no fragment/ },
    { name: "a scheme-relative URL", config: { endpoints: { revocation: "//evil.example.com/revoke" } }, pointer: "/endpoints/revocation", message: /absolute https URL .* or a path/ },
    { name: "not a URL", config: { endpoints: { introspection: "introspect" } }, pointer: "/endpoints/introspection", message: /absolute https URL/ },
    { name: "not a string", config: { endpoints: { metadata: 1 } }, pointer: "/endpoints/metadata", message: /absolute https URL/ },
    { name: "an unknown authorization setting", config: { authorization: { prompt: "consent" } }, pointer: "/authorization/prompt", message: /unknown setting "prompt"; known: pkce, scopeSeparator, constantParameters/ },
    { name: "pkce as a method name", config: { authorization: { pkce: "plain" } }, pointer: "/authorization/pkce", message: /true or false/ },
    { name: "a scope separator that can be in a scope", config: { authorization: { scopeSeparator: "_" } }, pointer: "/authorization/scopeSeparator", message: /must be one of " ", ",", "\+", ";"/ },
  ])("refuses $name at $pointer", async ({ config, pointer, message }) => {
    const { file, outcome } = await load(config);
    expect(outcome).toBeInstanceOf(SpecError);
    const error = outcome as SpecError;
    expect({ code: error.code, file: error.file, pointer: error.pointer }).toEqual({ code: "config", file, pointer });
    expect(error.message).toMatch(message);
  });
});
