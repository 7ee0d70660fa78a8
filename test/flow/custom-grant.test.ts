// A provider's own grant, described fully by spec + provider config (issue 12 §5): Zoom-style `account_credentials`,
// `grant_type` and `account_id` in the QUERY with HTTP Basic, no body (test/flow/specs/zoomlike.json). With the
// three-line config (`grants.account_credentials.reobtainable`) a generated session renews unattended across
// expiry; without it the session cannot, and says so about that grant, not about a refresh token it never had.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTokenServer, type TokenServer } from "../support/loopback.js";
import { useTempDirs } from "../generator/helpers.js";
import { CLIENT_ID, CLIENT_SECRET, FLOW_SPECS, emitInto, expectNoSecret, importGenerated, specModel, writtenSpecModel, type Result } from "./support.js";

const HOUR = 3_600_000;
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`;

type Session = { getToken(): Promise<Result & { token: { accessToken: string } }>; close(): Promise<void> };
type OpenSession = (client: unknown, request: Record<string, unknown>) => Session;

describe("Zoom-style account_credentials in a generated session", () => {
  const tempDir = useTempDirs();
  let server: TokenServer;
  /** What the server answers next: numbered tokens living an hour, or a refusal. */
  let refuse = false;
  let issued = 0;
  const open: Record<"configured" | "plain", { client: unknown; openSession: OpenSession }> = {} as never;
  let now = Date.UTC(2026, 0, 1);

  beforeAll(async () => {
    server = await startTokenServer(() => {
      if (refuse) return { status: 400, body: { error: "invalid_client", reason: "Invalid client_id or client_secret" } };
      issued += 1;
      return { status: 200, body: { access_token: `at${issued}`, token_type: "bearer", expires_in: 3600, scope: "user:read:admin" } };
    });
    const root = await tempDir("custom-grant");
    // The same spec without its provider config, as a second provider.
    const spec: unknown = JSON.parse(readFileSync(join(FLOW_SPECS, "zoomlike.json"), "utf8"));
    const models = [await specModel("zoomlike.json"), await writtenSpecModel(join(root, "specs"), "zoomplain", spec)];
    expect(models.map((m) => m.grants.map((g) => [g.grantType, g.reobtainable]))).toEqual([[["account_credentials", true]], [["account_credentials", false]]]);
    await emitInto(join(root, "out"), models);
    for (const [key, folder, prefix] of [["configured", "zoomlike", "Zoomlike"], ["plain", "zoomplain", "Zoomplain"]] as const) {
      const module = await importGenerated(join(root, "out"), join(folder, "index.js"));
      const client = (module[`create${prefix}Client`] as (o: Record<string, unknown>) => unknown)({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: server.url, clock: () => now });
      open[key] = { client, openSession: module[`create${prefix}Session`] as OpenSession };
    }
  }, 60_000);

  afterAll(() => server?.close());

  it("with the three-line config: renews unattended at each expiry, one request each, grant and account in the query", async () => {
    const before = server.requests.length;
    const session = open.configured.openSession(open.configured.client, { grant: "account_credentials", account_id: "A1" });
    const tokens: string[] = [];
    for (let hour = 0; hour < 3; hour++) {
      // Three callers in the same hour share one token.
      const got = await Promise.all([session.getToken(), session.getToken(), session.getToken()]);
      for (const result of got) if (!result.ok) throw new Error(`session failed: ${result.error.message}`);
      tokens.push(...new Set(got.map((r) => (r.ok ? r.token.accessToken : ""))));
      now += 2 * HOUR;
    }
    const made = server.requests.slice(before);
    console.log(`account_credentials session: ${made.length} requests for 9 getToken calls over 3 expiries (${tokens.join(", ")})`);
    expect(made).toHaveLength(3);
    expect(new Set(tokens).size).toBe(3);
    for (const request of made) {
      expect({ method: request.method, url: request.url, authorization: request.headers.authorization, body: request.body }).toEqual({
        method: "POST",
        url: "/oauth/token?grant_type=account_credentials&account_id=A1",
        authorization: BASIC,
        body: "",
      });
    }
    await session.close();
  });

  it("with the config, a refused renewal is the token endpoint's error, not a refresh token's", async () => {
    const session = open.configured.openSession(open.configured.client, { grant: "account_credentials", account_id: "A1" });
    expect((await session.getToken()).ok).toBe(true);
    now += 2 * HOUR;
    refuse = true;
    const failed = await session.getToken();
    refuse = false;
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect({ kind: failed.error.kind, status: (failed.error as unknown as { status: number }).status }).toEqual({ kind: "response", status: 400 });
    expect(failed.error.message).not.toMatch(/refresh/i);
    expectNoSecret(failed.error, [CLIENT_SECRET, BASIC.slice(6)]);
    console.log(`account_credentials refused: ${failed.error.name}: ${failed.error.message}`);
    await session.close();
  });

  it("without the config: the expired session needs the user, and its error names the grant, not a refresh token", async () => {
    const before = server.requests.length;
    const session = open.plain.openSession(open.plain.client, { grant: "account_credentials", account_id: "A1" });
    expect((await session.getToken()).ok).toBe(true);
    now += 2 * HOUR;
    const failed = await session.getToken();
    expect(server.requests.length - before).toBe(1);
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect({ kind: failed.error.kind, code: failed.error.code }).toEqual({ kind: "reauthentication_required", code: "TOKEN_REAUTHENTICATION_REQUIRED" });
    expect(failed.error.message).toMatch(/account_credentials/);
    expect(failed.error.message).not.toMatch(/refresh token was refused/);
    console.log(`account_credentials without the config: ${failed.error.message}`);
    await session.close();
  });
});
