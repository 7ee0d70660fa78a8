// Each expiry quirk end to end: a small spec (and, where the spec cannot say it, a provider config) generated into
// a temp folder, the client imported, and a token read from a real server on 127.0.0.1. The spec or config is the
// only thing that differs; the runtime applies the rule the model states.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitProvider, runtimeFiles } from "../../generator/emit/index.js";
import { wireTypes } from "../../generator/emit/wire.js";
import { loadSpecText, type ProviderConfig } from "../../generator/load/index.js";
import { buildModel } from "../../generator/model/index.js";
import { startTokenServer, type TokenServer } from "../support/loopback.js";
import { tokenSpec, transpileTree, useTempDirs, writeTree, type Json } from "./helpers.js";

const NOW = 1_750_000_000_000; // 2025-06-15T15:06:40Z
const MINUTE = 60_000;

interface Quirk {
  readonly name: string;
  readonly title: string;
  readonly expiryMembers: Json;
  readonly config?: ProviderConfig;
}

const QUIRKS: readonly Quirk[] = [
  {
    name: "fiserv",
    title: "Fiserv",
    expiryMembers: { expires_in: { type: "integer", description: "Lifetime of the access token in milliseconds.", example: 899000 } },
  },
  {
    name: "sentry",
    title: "Sentry",
    expiryMembers: { expiresAt: { type: "string", format: "date-time" }, refreshToken: { type: "string" } },
  },
  {
    name: "salesforce",
    title: "Salesforce",
    expiryMembers: { issued_at: { type: "string", description: "Time the signature was created, in milliseconds since the Unix epoch." } },
    config: { expiry: { kind: "issued-at", field: "issued_at", unit: "ms", lifetimeSeconds: 7200 } },
  },
  {
    name: "stated-ms",
    title: "Stated Ms",
    // Nothing in the spec says milliseconds; the config does.
    expiryMembers: { expires_in: { type: "integer" } },
    config: { expiry: { kind: "relative", field: "expires_in", unit: "ms" } },
  },
];

interface TokenResult {
  readonly ok: boolean;
  readonly token?: { readonly expiresAt?: number; readonly clockOffsetMs?: number };
  readonly error?: { readonly kind: string; readonly message: string };
}
type CreateClient = (options: Record<string, unknown>) => { clientCredentials(params?: Record<string, unknown>): Promise<TokenResult> };

const tempDir = useTempDirs();
const clients = new Map<string, CreateClient>();
const readmes = new Map<string, string>();
let server: TokenServer | undefined;
/** What the server answers next: the body's expiry members, and its Date header (node:http would send the real time). */
let reply: { body: Json; date: number } = { body: {}, date: NOW };

beforeAll(async () => {
  const root = await tempDir("expiry-clients");
  const files: { path: string; content: string }[] = [...runtimeFiles("npm run generate")];
  for (const quirk of QUIRKS) {
    const document = tokenSpec({
      document: { info: { title: quirk.title, version: "1.0.0" } },
      response: { type: "object", required: ["access_token"], properties: { access_token: { type: "string" }, token_type: { type: "string" }, ...quirk.expiryMembers } },
    });
    const spec = await loadSpecText(`specs/${quirk.name}.json`, new TextEncoder().encode(JSON.stringify(document)));
    const model = buildModel({ spec, config: quirk.config, configFile: quirk.config ? `specs/${quirk.name}.tokenwright.json` : undefined });
    const emitted = emitProvider(model, await wireTypes(model.wireDocument), "npm run generate");
    readmes.set(quirk.name, emitted.find((f) => f.path === `${quirk.name}/README.md`)?.content ?? "");
    files.push(...emitted);
  }
  writeTree(root, Object.fromEntries(files.map((f) => [f.path, f.content])));
  const problems = transpileTree(root);
  expect([...problems]).toEqual([]);
  for (const quirk of QUIRKS) {
    const module = (await import(pathToFileURL(join(root, quirk.name, "index.js")).href)) as Record<string, unknown>;
    clients.set(quirk.name, module[`create${quirk.title.replace(/ /g, "")}Client`] as CreateClient);
  }
  server = await startTokenServer(() => ({
    status: 200,
    headers: { date: new Date(reply.date).toUTCString() },
    body: { access_token: "at", token_type: "Bearer", ...reply.body },
  }));
}, 120_000);

afterAll(async () => {
  await server?.close();
});

async function tokenFrom(name: string, body: Json, date = NOW): Promise<TokenResult> {
  reply = { body, date };
  const create = clients.get(name);
  if (!create || !server) throw new Error(`no client ${name}`);
  return create({ baseUrl: server.url, clientId: "id", clientSecret: "secret", clock: () => NOW }).clientCredentials();
}

describe("a generated client reads each expiry quirk", () => {
  it.each<{ name: string; client: string; body: Json; date?: number; expiresAt: number; clockOffsetMs?: number }>([
    // given the generated client and the server's answer -> want expiresAt (and the Date-header correction)
    { name: "Fiserv: expires_in 899000 ms is 15 minutes", client: "fiserv", body: { expires_in: 899000 }, expiresAt: NOW + 899_000 },
    { name: "Fiserv: as a numeric string", client: "fiserv", body: { expires_in: "899000" }, expiresAt: NOW + 899_000 },
    { name: "Sentry: expiresAt as an ISO-8601 date-time", client: "sentry", body: { expiresAt: "2025-06-15T16:06:40Z" }, expiresAt: NOW + 60 * MINUTE },
    { name: "Sentry: with an offset", client: "sentry", body: { expiresAt: "2025-06-15T18:06:40.000+02:00" }, expiresAt: NOW + 60 * MINUTE },
    {
      name: "Sentry: a server clock 2 minutes behind moves the moment onto ours",
      client: "sentry",
      body: { expiresAt: "2025-06-15T16:04:40Z" },
      date: NOW - 2 * MINUTE,
      expiresAt: NOW + 60 * MINUTE,
      clockOffsetMs: 2 * MINUTE,
    },
    { name: "Salesforce: issued_at ms plus the documented 2 hours", client: "salesforce", body: { issued_at: String(NOW - 10 * MINUTE) }, expiresAt: NOW + 110 * MINUTE },
    {
      name: "Salesforce: the issue time is on the server's clock",
      client: "salesforce",
      body: { issued_at: String(NOW - 2 * MINUTE) },
      date: NOW - 2 * MINUTE,
      expiresAt: NOW + 120 * MINUTE,
      clockOffsetMs: 2 * MINUTE,
    },
    { name: "Salesforce: no issued_at counts the lifetime from receipt", client: "salesforce", body: {}, expiresAt: NOW + 120 * MINUTE },
    { name: "config-stated milliseconds", client: "stated-ms", body: { expires_in: 60_000 }, expiresAt: NOW + MINUTE },
  ])("$name", async ({ client, body, date, expiresAt, clockOffsetMs }) => {
    const result = await tokenFrom(client, body, date);
    expect(result.ok, result.error?.message).toBe(true);
    expect(result.token?.expiresAt).toBe(expiresAt);
    expect(result.token?.clockOffsetMs).toBe(clockOffsetMs);
  });

  it.each<{ name: string; client: string; body: Json; reason: RegExp }>([
    // given an answer the rule cannot read -> want a typed invalid_response naming the member
    { name: "Sentry: a unix time where a date-time is documented", client: "sentry", body: { expiresAt: 1_750_003_600 }, reason: /expiresAt is not an ISO-8601 date-time/ },
    { name: "Sentry: not a date", client: "sentry", body: { expiresAt: "tomorrow" }, reason: /expiresAt is not an ISO-8601 date-time/ },
    { name: "Fiserv: negative", client: "fiserv", body: { expires_in: -1 }, reason: /expires_in is negative/ },
    { name: "Salesforce: issued_at not a number", client: "salesforce", body: { issued_at: "2025-06-15" }, reason: /issued_at is not a number/ },
  ])("$name -> invalid_response", async ({ client, body, reason }) => {
    const result = await tokenFrom(client, body);
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("invalid_response");
    expect(result.error?.message).toMatch(reason);
  });
});

describe("the generated README says how each quirk is read, and where that came from", () => {
  it.each<{ client: string; lines: string[] }>([
    // given the generated provider -> want its README's expiry sentence and fact row
    {
      client: "fiserv",
      lines: ["`expiresAt` is the time of receipt plus `expires_in` milliseconds.", "| expiry | expires_in is milliseconds from receipt (its description says milliseconds) | inferred |"],
    },
    {
      client: "sentry",
      lines: ["`expiresAt` is an ISO-8601 date-time; `expiresAt` is that moment.", "| expiry | expiresAt is an ISO-8601 date-time (its schema has format: date-time) | inferred |"],
    },
    {
      client: "salesforce",
      lines: [
        "`expiresAt` is `issued_at` (the issue time, an absolute unix time in milliseconds) plus the documented lifetime of 7200 seconds",
        "| expiry | issued_at is the issue time, an absolute unix time in milliseconds, and the token lives 7200 s from it | config | `specs/salesforce.tokenwright.json#/expiry` |",
      ],
    },
    {
      client: "stated-ms",
      lines: ["| expiry | expires_in is milliseconds from receipt | config | `specs/stated-ms.tokenwright.json#/expiry` |"],
    },
  ])("$client", ({ client, lines }) => {
    const readme = readmes.get(client) ?? "";
    for (const line of lines) expect(readme).toContain(line);
  });
});
