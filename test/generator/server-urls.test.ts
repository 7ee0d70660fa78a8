// Generation-time checks on server URLs: credentials and fragments are refused
// with a pointer; plain http (not loopback) and relative URLs are left out
// with a fact, since a client could not use them safely.
import { describe, expect, it } from "vitest";
import { SpecError, loadSpecText } from "../../generator/load/index.js";
import { buildModel } from "../../generator/model/index.js";

function spec(servers: readonly { url: string; description?: string }[]): Uint8Array {
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

async function model(servers: readonly { url: string; description?: string }[]) {
  return buildModel({ spec: await loadSpecText("specs/t.json", spec(servers)) });
}

describe("server URLs at generation time", () => {
  it.each([
    { url: "https://user:pass@auth.example.com", want: /\/servers\/0\/url: the server URL carries credentials/ },
    { url: "https://auth.example.com/#frag", want: /\/servers\/0\/url: the server URL has a fragment/ },
  ])("$url is refused with its pointer", async ({ url, want }) => {
    const error = await model([{ url: "https://ok.example.com" }, { url }].reverse()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).code).toBe("insecure_url");
    expect((error as SpecError).message).toMatch(want);
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
});
