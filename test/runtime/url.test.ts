import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { TokenClientConfigError } from "../../generator/runtime/errors.js";
import { assertSecureUrl, fillServerUrl, joinUrl, resolveBaseUrl } from "../../generator/runtime/url.js";

function configError(run: () => unknown): TokenClientConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenClientConfigError);
    return error as TokenClientConfigError;
  }
  throw new Error("expected a TokenClientConfigError");
}

const two = [
  { name: "production", url: "https://api.example.com" },
  { name: "sandbox", url: "https://sandbox.example.com/v2" },
] as const;
const one = [{ name: "only", url: "https://only.example.com" }] as const;

describe("resolveBaseUrl", () => {
  it.each<{ name: string; options: { server?: string; baseUrl?: string }; servers: readonly { name: string; url: string }[]; want: string }>([
    { name: "baseUrl wins over server", options: { server: "sandbox", baseUrl: "https://mine.example" }, servers: two, want: "https://mine.example" },
    { name: "baseUrl with no servers", options: { baseUrl: "https://mine.example/x" }, servers: [], want: "https://mine.example/x" },
    { name: "server by name", options: { server: "sandbox" }, servers: two, want: "https://sandbox.example.com/v2" },
    { name: "the only server by default", options: {}, servers: one, want: "https://only.example.com" },
    { name: "loopback http baseUrl", options: { baseUrl: "http://127.0.0.1:8080" }, servers: two, want: "http://127.0.0.1:8080" },
  ])("$name", ({ options, servers, want }) => {
    expect(resolveBaseUrl(options, servers)).toBe(want);
  });

  it.each<{ name: string; options: { server?: string; baseUrl?: string }; servers: readonly { name: string; url: string }[]; wantMessage: RegExp }>([
    { name: "unknown server lists known names", options: { server: "staging" }, servers: two, wantMessage: /"staging".*"production", "sandbox"/ },
    { name: "several servers and no choice lists names", options: {}, servers: two, wantMessage: /"production", "sandbox"/ },
    { name: "no servers and no baseUrl", options: {}, servers: [], wantMessage: /baseUrl is required/ },
    { name: "unknown server with no servers", options: { server: "x" }, servers: [], wantMessage: /pass baseUrl/ },
    { name: "insecure chosen server", options: {}, servers: [{ name: "a", url: "http://api.example.com" }], wantMessage: /https/ },
    { name: "empty baseUrl", options: { baseUrl: "" }, servers: one, wantMessage: /absolute URL/ },
  ])("$name", ({ options, servers, wantMessage }) => {
    expect(configError(() => resolveBaseUrl(options, servers)).message).toMatch(wantMessage);
  });
});

describe("assertSecureUrl", () => {
  it.each([
    "https://auth.example.com",
    "https://auth.example.com/v1/",
    "https://auth.example.com:8443/x?tenant=a",
    "http://127.0.0.1:3000",
    "http://127.255.0.9/x",
    "http://localhost:8080",
    "http://LOCALHOST",
    "http://[::1]:9000/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://127.1/",
  ])("accepts %s", (url) => {
    expect(() => assertSecureUrl(url)).not.toThrow();
  });

  it.each<{ url: string; wantMessage: RegExp }>([
    { url: "/oauth/token", wantMessage: /absolute/ },
    { url: "auth.example.com", wantMessage: /absolute/ },
    { url: "http://auth.example.com", wantMessage: /https/ },
    { url: "http://128.0.0.1", wantMessage: /https/ },
    { url: "http://localhost.evil.example", wantMessage: /https/ },
    { url: "http://127.0.0.1.nip.io", wantMessage: /https/ },
    { url: "http://[::ffff:127.0.0.1]/", wantMessage: /https/ },
    { url: "ftp://auth.example.com", wantMessage: /https/ },
    { url: "https://auth.example.com/#frag", wantMessage: /fragment/ },
    { url: "https://auth.example.com/#", wantMessage: /fragment/ },
    { url: "https://user:pa55word-SECRET@auth.example.com/v1", wantMessage: /username or password/ },
    { url: "https://only-user@auth.example.com/", wantMessage: /username or password/ },
  ])("rejects $url", ({ url, wantMessage }) => {
    const error = configError(() => assertSecureUrl(url));
    expect(error.message).toMatch(wantMessage);
    expect(error.code).toBe("TOKEN_CLIENT_CONFIG");
  });

  it("never shows userinfo", () => {
    const error = configError(() => assertSecureUrl("http://admin:pa55word-SECRET@evil.example/path"));
    expect(error.message).toContain("evil.example/path");
    for (const text of [error.message, String(error), JSON.stringify(error), inspect(error)]) {
      expect(text).not.toContain("pa55word-SECRET");
      expect(text).not.toContain("admin");
    }
  });
});

describe("joinUrl", () => {
  it.each<{ base: string; path: string; want: string }>([
    { base: "https://h", path: "/oauth/token", want: "https://h/oauth/token" },
    { base: "https://h/", path: "/oauth/token", want: "https://h/oauth/token" },
    { base: "https://h/v1", path: "/oauth/token", want: "https://h/v1/oauth/token" },
    { base: "https://h/v1/", path: "/oauth/token", want: "https://h/v1/oauth/token" },
    { base: "https://h/v1//", path: "//oauth/token", want: "https://h/v1/oauth/token" },
    { base: "https://h/v1", path: "oauth/token", want: "https://h/v1/oauth/token" },
    { base: "https://h:8443/a/b", path: "/token", want: "https://h:8443/a/b/token" },
    { base: "https://h/v1?tenant=x", path: "/token", want: "https://h/v1/token" },
    { base: "https://h/v1", path: "/token?variant=2", want: "https://h/v1/token?variant=2" },
    { base: "http://127.0.0.1:4000", path: "/token", want: "http://127.0.0.1:4000/token" },
  ])("$base + $path", ({ base, path, want }) => {
    expect(joinUrl(base, path)).toBe(want);
  });
});

describe("fillServerUrl: server variables (OpenAPI 3.0 §4.7.6)", () => {
  const server = {
    name: "oidc.{region}.amazonaws.com",
    url: "https://oidc.{region}.amazonaws.com/{stage}",
    variables: { region: { default: "us-east-1", enum: ["us-east-1", "eu-west-1"] }, stage: { default: "v1" } },
  } as const;
  it.each([
    ["defaults", {}, "https://oidc.us-east-1.amazonaws.com/v1"],
    ["a value from the enum", { region: "eu-west-1" }, "https://oidc.eu-west-1.amazonaws.com/v1"],
    ["an open variable", { stage: "beta-2" }, "https://oidc.us-east-1.amazonaws.com/beta-2"],
    ["undefined means the default", { region: undefined }, "https://oidc.us-east-1.amazonaws.com/v1"],
  ] as const)("%s", (_label, values, want) => {
    expect(fillServerUrl(server, values)).toBe(want);
  });
  it.each([
    ["a value outside the enum", { region: "mars-1" }, /must be one of/],
    ["a value that changes the URL's host", { stage: "x@evil.example" }, /only letters/],
    ["a slash", { stage: "a/b" }, /only letters/],
    ["an unknown variable", { zone: "a" }, /no variable "zone"/],
  ] as const)("refuses %s", (_label, values, message) => {
    expect(() => fillServerUrl(server, values)).toThrow(TokenClientConfigError);
    expect(() => fillServerUrl(server, values)).toThrow(message);
  });
  it("resolveBaseUrl fills the chosen server's variables, then checks the URL", () => {
    expect(resolveBaseUrl({ server: server.name, serverVariables: { region: "eu-west-1" } }, [server])).toBe("https://oidc.eu-west-1.amazonaws.com/v1");
    expect(resolveBaseUrl({ serverVariables: { stage: "v2" } }, [server])).toBe("https://oidc.us-east-1.amazonaws.com/v2");
  });
});
