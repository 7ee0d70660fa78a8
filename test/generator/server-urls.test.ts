// Generation-time checks on server URLs: credentials and fragments are refused
// with a pointer; plain http (not loopback) and relative URLs are left out
// with a fact, since a client could not use them safely.
import { describe, expect, it } from "vitest";
import { SpecError, loadSpecText } from "../../generator/load/index.js";
import { buildModel } from "../../generator/model/index.js";

type ServerInput = { url: string; description?: string; variables?: Record<string, unknown> };

function spec(servers: readonly ServerInput[]): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      openapi: "3.0.3",
      info: { title: "t", version: "1" },
      servers,
      paths: {
        "/token": {
          post: {
            requestBody: { content: { "application/x-www-form-urlencoded": { schema: { type: "object", properties: { grant_type: { type: "string", enum: ["client_credentials"] } } } } } },
            responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "object", properties: { access_token: { type: "string" } } } } } } },
          },
        },
      },
    }),
  );
}

async function model(servers: readonly ServerInput[]) {
  return buildModel({ spec: await loadSpecText("specs/t.json", spec(servers)) });
}

describe("server URLs at generation time", () => {
  it.each([
    { url: "https://user:pass@auth.example.com", code: "url_credentials" },
    { url: "https://auth.example.com/#frag", code: "url_fragment" },
  ])("$url is refused as $code with its pointer", async ({ url, code }) => {
    const error = await model([{ url: "https://ok.example.com" }, { url }].reverse()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect(error).toMatchObject({ code, pointer: "/servers/0/url" });
  });

  it.each([
    { given: [{ url: "http://auth.example.com" }, { url: "https://auth.example.com", description: "Prod" }], want: ["prod"] },
    { given: [{ url: "http://127.0.0.1:8080", description: "Local" }], want: ["local"] },
    { given: [{ url: "http://localhost:8080", description: "Dev" }, { url: "/relative" }], want: ["dev"] },
    { given: [{ url: "http://auth.example.com" }], want: [] },
  ])("servers $given -> named $want", async ({ given, want }) => {
    const built = await model(given);
    expect(built.servers.map((s) => s.name)).toEqual(want);
    const leftOut = given.length - want.length;
    expect(built.facts.filter((f) => f.topic === "servers" && f.statement.includes("left out"))).toHaveLength(leftOut);
  });

  it.each([
    {
      label: "an enum variable stays a template with its default and values, named by its host",
      given: { url: "https://oidc.{region}.example.com", description: "The multi-region endpoint of the service", variables: { region: { default: "us-east-1", enum: ["us-east-1", "eu-west-1"], description: "Region" } } },
      want: { name: "oidc.{region}.example.com", url: "https://oidc.{region}.example.com", variables: { region: { default: "us-east-1", enum: ["us-east-1", "eu-west-1"], description: "Region" } } },
    },
    {
      label: "an open variable",
      given: { url: "https://auth.example.com/{tenant}", description: "Prod", variables: { tenant: { default: "common" } } },
      want: { name: "prod", url: "https://auth.example.com/{tenant}", variables: { tenant: { default: "common" } } },
    },
    {
      label: "a template variable with no definition stays literal and is not offered",
      given: { url: "https://auth.example.com", description: "Prod", variables: { unused: { default: "x" } } },
      want: { name: "prod", url: "https://auth.example.com" },
    },
  ])("$label", async ({ given, want }) => {
    const built = await model([given]);
    expect(built.servers).toEqual([{ ...want, description: given.description }]);
  });

  it("an http:// template whose default is not loopback is left out like any other", async () => {
    const built = await model([{ url: "http://{host}.example.com", variables: { host: { default: "auth" } } }]);
    expect(built.servers).toEqual([]);
  });
});
