// For every grant in the registry (generator/model/grants/), what `explain` and the provider README
// say about retries is what the generated session does: each grant is generated into a temp folder,
// and a session is driven against a loopback server whose first answer is a 503.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explanationText } from "../../generator/cli/explain.js";
import { emitProvider, runtimeFiles } from "../../generator/emit/index.js";
import { wireTypes } from "../../generator/emit/wire.js";
import { STANDARD_GRANTS, customGrant, type GrantDefinition } from "../../generator/model/grants/index.js";
import { buildModel, type ProviderModel } from "../../generator/model/index.js";
import { TOKEN_RESPONSE, loadDocument, tokenSpec, transpileTree, useTempDirs, writeTree, type Json } from "./helpers.js";

const CUSTOM = customGrant("urn:example:params:oauth:grant-type:custom");
const GRANTS: readonly GrantDefinition[] = [...STANDARD_GRANTS, CUSTOM];
const REFRESH = "refresh_token";
/** The grant a session is opened with to test refreshes: it may run again, so only the refresh is under test. */
const OPENER = "client_credentials";

/** What a README or `explain` claims, read from its words alone. */
interface Claim {
  /** A session opened with the grant retries its request. */
  readonly obtainRetried: boolean;
  /** Set for the refresh grant: a session's refresh requests are retried. */
  readonly refreshRetried?: boolean;
  /** Set for an assertion grant: with its credentials given as functions, a session retries its request. */
  readonly functionRetried?: boolean;
}

function claimIn(text: string): Claim {
  if (/as a string, a session sends it once and never retries it/.test(text)) {
    return { obtainRetried: false, functionRetried: text.includes("given as a function making a fresh one, a session retries its requests") };
  }
  if (text.includes("A session retries its refresh requests")) return { obtainRetried: !text.includes("a session opened with this grant sends it once"), refreshRetried: true };
  if (text.includes("A session retries its requests")) return { obtainRetried: true };
  if (text.includes("A session sends it once and never retries it")) return { obtainRetried: false };
  throw new Error(`no statement about retries in:\n${text}`);
}

/** The explain lines of one grant: its heading line up to the next grant's. */
function explainBlock(text: string, grantType: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`  ${grantType}: client.`));
  if (start < 0) throw new Error(`explain names no grant ${grantType}`);
  const end = lines.findIndex((line, index) => index > start && /^ {2}\S/.test(line));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

/** The README section of one grant: its `###` heading up to the next heading. */
function readmeBlock(readme: string, grantType: string): string {
  const sections = readme.split(/^(?=##+ )/m);
  const found = sections.find((section) => section.startsWith("### ") && section.split("\n")[0]!.includes(`\`${grantType}\``));
  if (!found) throw new Error(`the README has no section for ${grantType}`);
  return found;
}

const variant = (grant: GrantDefinition): Json => {
  const fields = grant === CUSTOM ? [{ name: "ticket", required: true }] : grant.fields;
  return {
    type: "object",
    required: ["grant_type", ...fields.filter((f) => f.required).map((f) => f.name)],
    properties: { grant_type: { type: "string", enum: [grant.grantType] }, ...Object.fromEntries(fields.map((f) => [f.name, { type: "string" }])) },
  };
};

/** Values the runtime accepts for fields it checks (RFC 7523 §2.1, RFC 8693 §3); any string for the others. */
const SAMPLES: Readonly<Record<string, string>> = {
  assertion: "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhIn0.c2lnbmF0dXJl",
  subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
};

/** Sample values for a grant's required fields. */
const paramsOf = (grant: GrantDefinition): Record<string, string> =>
  Object.fromEntries((grant === CUSTOM ? [{ name: "ticket", required: true }] : grant.fields).filter((f) => f.required).map((f) => [f.name, SAMPLES[f.name] ?? `${f.name}-value`]));

/** A provider per grant: that grant, plus the refresh grant and a grant to open a refreshing session with. */
function specFor(grant: GrantDefinition): Json {
  const others = [OPENER, REFRESH].filter((type) => type !== grant.grantType).map((type) => STANDARD_GRANTS.find((g) => g.grantType === type)!);
  return tokenSpec({
    body: { oneOf: [grant, ...others].map(variant) },
    response: { ...TOKEN_RESPONSE, properties: { ...(TOKEN_RESPONSE["properties"] as Json), refresh_token: { type: "string" } } },
  });
}

interface Session {
  getToken(): Promise<{ ok: boolean; error?: { kind: string; status?: number } }>;
  close(): Promise<void>;
}
/** A generated client: its grant methods only (sessions are `create<Provider>Session`). */
type Client = object;
type OpenSession = (client: Client, request: Record<string, unknown>, options?: Record<string, unknown>) => Session;

/** A token endpoint that answers 503 to the requests `failing` picks, else a token (with a refresh token). */
class TokenServer {
  readonly grants: string[] = [];
  failing: (grantType: string, index: number) => boolean = () => false;
  private server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void bodyOf(request).then((body) => {
        const grantType = new URLSearchParams(body).get("grant_type") ?? "";
        const index = this.grants.filter((g) => g === grantType).length;
        this.grants.push(grantType);
        if (this.failing(grantType, index)) {
          response.writeHead(503, { "content-type": "text/plain" }).end("unavailable");
          return;
        }
        const token = { access_token: `access-${this.grants.length}`, token_type: "Bearer", expires_in: 60, refresh_token: `refresh-${this.grants.length}` };
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(token));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(failing: (grantType: string, index: number) => boolean): void {
    this.grants.length = 0;
    this.failing = failing;
  }

  count(grantType: string): number {
    return this.grants.filter((g) => g === grantType).length;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function bodyOf(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    request.setEncoding("utf8").on("data", (chunk: string) => (text += chunk)).on("end", () => resolve(text));
  });
}

const RETRY = { retry: { tries: 3, baseDelayMs: 0, maxDelayMs: 0 }, minRefreshIntervalMs: 0 };

describe("each grant's retries: explain and the README say what the session does", () => {
  const tempDir = useTempDirs();
  const server = new TokenServer();
  const generated = new Map<string, { model: ProviderModel; readme: string; folder: string }>();
  let root = "";

  beforeAll(async () => {
    root = await tempDir("grant-retries");
    await server.start();
    const files = [...runtimeFiles("npm run generate")];
    for (const [index, grant] of GRANTS.entries()) {
      const folder = `grant${index}`;
      const model = buildModel({ spec: await loadDocument(specFor(grant), `specs/${folder}.json`) });
      const emitted = emitProvider(model, await wireTypes(model.wireDocument), "npm run generate");
      files.push(...emitted);
      generated.set(grant.grantType, { model, folder, readme: emitted.find((f) => f.path.endsWith("README.md"))!.content });
    }
    writeTree(root, Object.fromEntries(files.map((f) => [f.path, f.content])));
    expect([...transpileTree(root)]).toEqual([]);
  }, 120_000);

  afterAll(() => server.stop());

  /** A session of the generated client, on a clock the test moves. */
  async function open(grantType: string, sessionGrant: string, clock: { now: number }, asFunctions = false): Promise<Session> {
    const { folder, model } = generated.get(grantType)!;
    const module = (await import(pathToFileURL(join(root, folder, "index.js")).href)) as Record<string, unknown>;
    const client = (module[`create${model.typePrefix}Client`] as (options: Record<string, unknown>) => Client)({ baseUrl: server.url, clock: () => clock.now });
    const grant = GRANTS.find((g) => g.grantType === sessionGrant)!;
    const params: Record<string, unknown> = paramsOf(grant);
    // An assertion grant's credentials as functions, each call making the value afresh (RFC 7523 §2.1, RFC 8693 §2.1).
    if (asFunctions) for (const name of grant.assertion?.sources ?? []) if (typeof params[name] === "string") params[name] = ((value: unknown) => () => value)(params[name]);
    return (module[`create${model.typePrefix}Session`] as OpenSession)(client, { grant: sessionGrant, ...params }, RETRY);
  }

  it("covers every grant in the registry and a custom one", () => {
    expect(GRANTS.map((g) => g.grantType)).toEqual(expect.arrayContaining(["client_credentials", "password", "authorization_code", REFRESH]));
    expect(GRANTS).toHaveLength(STANDARD_GRANTS.length + 1);
  });

  it.each(GRANTS.map((grant) => ({ grantType: grant.grantType })))("$grantType", async ({ grantType }) => {
    const { model, readme } = generated.get(grantType)!;
    const explained = claimIn(explainBlock(explanationText(model), grantType));
    const documented = claimIn(readmeBlock(readme, grantType));
    expect(documented, "the README and explain agree").toEqual(explained);

    // Opened with the grant, the first answer a 503: a retried grant gets its token on the second request.
    server.reset((type, index) => type === grantType && index === 0);
    const clock = { now: 1_000_000 };
    const session = await open(grantType, grantType, clock);
    const result = await session.getToken();
    await session.close();
    const sent = server.count(grantType);
    expect({ obtainRetried: sent > 1 }, `${grantType}: ${sent} request(s), ${JSON.stringify(result)}`).toEqual({ obtainRetried: explained.obtainRetried });
    expect(result.ok).toBe(explained.obtainRetried);
    expect(sent).toBe(explained.obtainRetried ? 2 : 1);

    if (explained.functionRetried !== undefined) {
      // The same grant with its credentials given as functions: what the statement says for that case.
      server.reset((type, index) => type === grantType && index === 0);
      const renewing = await open(grantType, grantType, clock, true);
      const again = await renewing.getToken();
      await renewing.close();
      expect({ functionRetried: server.count(grantType) > 1 }, JSON.stringify(again)).toEqual({ functionRetried: explained.functionRetried });
      expect(again.ok).toBe(explained.functionRetried);
    }

    if (explained.refreshRetried === undefined) return;
    // A session that holds a refresh token refreshes with this grant once the token is due; its first refresh answer is a 503.
    server.reset((type, index) => type === grantType && index === 0);
    const refreshing = await open(grantType, OPENER, clock);
    expect((await refreshing.getToken()).ok).toBe(true);
    clock.now += 3_600_000;
    const refreshed = await refreshing.getToken();
    await refreshing.close();
    expect({ refreshRetried: server.count(grantType) > 1 }, JSON.stringify(refreshed)).toEqual({ refreshRetried: explained.refreshRetried });
    expect(server.count(OPENER)).toBe(1);
  });
});
