/**
 * The corpus loopback server is only worth something if it says no: raw
 * requests that break the spec's token operation must come back with the
 * reasons, and a conforming one must get the token. Uses Amadeus (form body,
 * `client_id` + `client_secret` required by the schema, client_credentials).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CLIENT_ID, CLIENT_SECRET, modelOf, planRow, startCorpusServer, type CorpusServer, type RowPlan } from "./harness.js";

const FILE = "amadeus-authorization.json";
const FORM = "application/x-www-form-urlencoded";

let tempDir = "";
let plan: RowPlan;
let server: CorpusServer;

beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), "tokenwright-corpus-harness-"));
  const model = await modelOf(FILE);
  plan = await planRow({ file: FILE, expect: "generated" }, model, tempDir);
  server = await startCorpusServer(plan);
  const grant = model.grants.find((g) => g.grantType === "client_credentials");
  if (grant === undefined) throw new Error("the Amadeus model has no client_credentials grant");
  server.expectGrant(grant);
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (tempDir !== "") await rm(tempDir, { recursive: true, force: true });
});

const GOOD = { grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: CLIENT_SECRET };

async function send(init: { method?: string; path?: string; contentType?: string; body?: string }): Promise<{ status: number; body: Record<string, unknown>; problems: readonly string[] }> {
  const before = server.exchanges.length;
  const response = await fetch(`${server.url}${init.path ?? "/security/oauth2/token"}`, {
    method: init.method ?? "POST",
    headers: init.contentType !== undefined ? { "Content-Type": init.contentType } : {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const body = (await response.json()) as Record<string, unknown>;
  const exchanges = server.exchanges.slice(before);
  expect(exchanges).toHaveLength(1);
  return { status: response.status, body, problems: exchanges[0]?.problems ?? [] };
}

it("answers a conforming request with the documented success body and the known token", async () => {
  const reply = await send({ contentType: FORM, body: new URLSearchParams(GOOD).toString() });
  expect(reply.problems).toEqual([]);
  expect(reply.status).toBe(200);
  expect(reply.body["access_token"]).toBe(plan.accessToken);
  expect(plan.operation.validateResponse("200", reply.body, "application/json")).toEqual({ ok: true });
});

it.each([
  { name: "a field the schema requires is missing", init: { contentType: FORM, body: new URLSearchParams({ grant_type: "client_credentials", client_id: CLIENT_ID }).toString() }, problem: /body: .*must have required property 'client_secret'/ },
  { name: "a media type the spec does not declare", init: { contentType: "application/json", body: JSON.stringify(GOOD) }, problem: /media type "application\/json" is not declared/ },
  { name: "another grant type", init: { contentType: FORM, body: new URLSearchParams({ ...GOOD, grant_type: "password" }).toString() }, problem: /grant_type is "password", expected "client_credentials"/ },
  { name: "the wrong client id", init: { contentType: FORM, body: new URLSearchParams({ ...GOOD, client_id: "someone-else" }).toString() }, problem: /client_id is "someone-else", expected the client id/ },
  { name: "another method", init: { method: "PUT", contentType: FORM, body: new URLSearchParams(GOOD).toString() }, problem: /method PUT, the spec says POST/ },
  { name: "another path", init: { path: "/security/oauth2/token/abc", contentType: FORM, body: new URLSearchParams(GOOD).toString() }, problem: /path \/security\/oauth2\/token\/abc, the spec says \/security\/oauth2\/token/ },
])("refuses a request with $name, saying why", async ({ init, problem }) => {
  const reply = await send(init);
  expect(reply.status).toBe(400);
  expect(reply.problems.join("\n")).toMatch(problem);
  expect(String(reply.body["error_description"])).toMatch(problem);
});
