// Runs the usage example on the README's first screen exactly as written. Only
// the network is redirected: the example's server (the provider's sandbox) is
// swapped for a real HTTP server on loopback by wrapping the global fetch.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { metrics, type MeterProvider } from "@opentelemetry/api";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startTokenServer, type TokenServer } from "./support/loopback.js";
import { loadSpecSchemas, type OperationSchemas } from "./support/spec-schema.js";

const root = new URL("../", import.meta.url);
const SANDBOX = "https://api.sandbox.getasset.com";

/** The README's TypeScript examples, in order: the usage example, the session example, the events example. */
function readmeExamples(): string[] {
  const readme = readFileSync(new URL("README.md", root), "utf8");
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  if (blocks.length < 3) throw new Error("README.md should have the usage, session and events ```ts blocks");
  return blocks;
}

/** An OpenTelemetry MeterProvider that records what each counter and histogram is given. */
function recordingMeterProvider(recorded: { instrument: string; value: number; attributes: unknown }[]): MeterProvider {
  const instrument = (name: string) => (value: number, attributes?: unknown) => recorded.push({ instrument: name, value, attributes });
  const meter = {
    createCounter: (name: string) => ({ add: instrument(name) }),
    createHistogram: (name: string) => ({ record: instrument(name) }),
  };
  return { getMeter: () => meter } as unknown as MeterProvider;
}

describe("README usage example", () => {
  let server: TokenServer;
  let operation: OperationSchemas;
  let answer: () => { status: number; body: unknown };
  let lastIssued = "";
  const realFetch = globalThis.fetch;
  let run = 0;

  beforeAll(async () => {
    operation = (await loadSpecSchemas(fileURLToPath(new URL("specs/asset.yaml", root)))).operation("/v0/auth/token", "post");
    server = await startTokenServer((request) => {
      if (request.url === "/v0/ledgers") {
        // The API the session example calls: it accepts only the last token issued.
        const ok = request.headers.authorization === `Bearer ${lastIssued}`;
        return ok ? { status: 200, body: { ledgers: [] } } : { status: 401, body: { error: "invalid_token" } };
      }
      const check = operation.validateRequest(request.headers["content-type"], request.body);
      if (!check.ok) return { status: 500, body: { error: check.errors.join("; "), data: null } };
      const { status, body } = answer();
      if (status === 200) lastIssued = String((body as { access_token?: unknown }).access_token);
      return { status, body: body as object };
    });
    vi.stubEnv("ASSET_CLIENT_ID", "client-123");
    vi.stubEnv("ASSET_CLIENT_SECRET", "s3cret value");
    globalThis.fetch = (input, init) => realFetch(String(input).replace(SANDBOX, server.url), init);
  });

  afterAll(async () => {
    globalThis.fetch = realFetch;
    vi.unstubAllEnvs();
    await server.close();
  });

  afterEach(() => vi.restoreAllMocks());

  /** Writes the block next to the README (so its import path resolves) and imports it once. */
  async function runExample(index = 0): Promise<{ logged: unknown[][]; errored: unknown[][] }> {
    const file = new URL(`.readme-example-${process.pid}-${run++}.ts`, root);
    writeFileSync(file, readmeExamples()[index]!);
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await import(/* @vite-ignore */ fileURLToPath(file));
      return { logged: log.mock.calls, errored: error.mock.calls };
    } finally {
      rmSync(file, { force: true });
    }
  }

  it("prints the access token and its absolute expiry on success", async () => {
    const expiresAt = 1_900_000_000; // Asset's expires_in is a unix time in seconds
    answer = () => ({ status: 200, body: operation.sampleResponse(200, { access_token: "at-readme", expires_in: expiresAt }).body });
    const { logged, errored } = await runExample();
    expect(errored).toEqual([]);
    expect(logged).toEqual([["at-readme", expiresAt * 1000]]);
    const sent = new URLSearchParams(server.requests.at(-1)!.body);
    expect(sent.getAll("resource")).toEqual(["https://api.example.com"]);
    expect(sent.get("client_id")).toBe("client-123");
    expect(sent.get("client_secret")).toBe("s3cret value");
  });

  it("session example: one token request, the API call authorised with it", async () => {
    const before = server.requests.length;
    answer = () => ({ status: 200, body: operation.sampleResponse(200, { access_token: "at-session", expires_in: Math.floor(Date.now() / 1000) + 3600 }).body });
    const { logged, errored } = await runExample(1);
    expect(errored).toEqual([]);
    expect(logged).toEqual([[true, 200]]);
    const made = server.requests.slice(before);
    expect(made.map((r) => r.url)).toEqual(["/v0/auth/token", "/v0/ledgers"]);
    expect(new URLSearchParams(made[0]!.body).get("scope")).toBe("ledger:read");
  });

  it("events example: its counter and histogram get each token request, and no secret", async () => {
    const before = server.requests.length;
    answer = () => ({ status: 200, body: operation.sampleResponse(200, { access_token: "at-events", expires_in: Math.floor(Date.now() / 1000) + 3600 }).body });
    const recorded: { instrument: string; value: number; attributes: unknown }[] = [];
    expect(metrics.setGlobalMeterProvider(recordingMeterProvider(recorded))).toBe(true);
    let ran: { logged: unknown[][]; errored: unknown[][] };
    try {
      ran = await runExample(2);
    } finally {
      metrics.disable();
    }
    expect(ran.errored).toEqual([]);
    expect(ran.logged).toEqual([[true]]);
    expect(server.requests.slice(before).map((r) => r.url)).toEqual(["/v0/auth/token"]);
    expect(recorded).toEqual([
      {
        instrument: "tokenwright.events",
        value: 1,
        attributes: { "tokenwright.event": "token_obtained", "tokenwright.provider": "asset", "tokenwright.error_code": undefined },
      },
      {
        instrument: "tokenwright.token_request.duration",
        value: expect.any(Number),
        attributes: { "tokenwright.provider": "asset", "tokenwright.grant_type": "client_credentials" },
      },
    ]);
    const text = JSON.stringify(recorded);
    for (const secret of ["s3cret value", "at-events", "client-123"]) expect(text).not.toContain(secret);
  });

  it("prints the typed error body on a 422", async () => {
    answer = () => ({ status: 422, body: { error: "scope not allowed", data: null } });
    const { logged, errored } = await runExample();
    expect(logged).toEqual([]);
    expect(errored).toEqual([["scope not allowed"]]);
  });
});
