// The quirk catalogue (../shared/quirks/catalogue.md) as a test: every row of its "Token endpoint and
// refresh" and "Authorization request and callback" tables, and the quirks issue 13 adds, generated
// and run end to end. Prints `quirks: N of M expressible`, N the rows that pass, M every row; rows
// pending another branch or unsupported are listed with why.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenClientConfigError } from "../../generator/runtime/errors.js";
import { typecheck, useTempDirs } from "../generator/helpers.js";
import { AUTHORIZATION_ROWS } from "./authorization-rows.js";
import { runAuthorization } from "./authorization-run.js";
import { generateRows, picked, runRow, type AuthorizationWant, type Generated, type Row, type WireWant } from "./harness.js";
import { ISSUE_ROWS } from "./issue-rows.js";
import { TOKEN_ROWS } from "./token-rows.js";

const ROWS: readonly Row[] = [...TOKEN_ROWS, ...ISSUE_ROWS, ...AUTHORIZATION_ROWS];
const runnable = ROWS.map((row, index) => ({ row, index, name: `${row.table}: ${row.quirk}` })).filter(({ row }) => row.pending === undefined && row.unsupported === undefined);

/** A RegExp as a `toEqual` matcher (`expect.stringMatching`), anything else as it is. */
const matcher = (value: unknown): unknown => (value instanceof RegExp ? expect.stringMatching(value) : value);

/** Expected headers and body values as `toEqual` matchers. */
function headerMatchers(want: WireWant): WireWant {
  const headers = want.headers === undefined ? {} : { headers: Object.fromEntries(Object.entries(want.headers).map(([name, value]) => [name, matcher(value)])) as Record<string, string> };
  const body = want.body === undefined || want.body === null ? {} : { body: Object.fromEntries(Object.entries(want.body).map(([name, value]) => [name, matcher(value)])) };
  return { ...want, ...headers, ...body };
}

/** An authorization row: the URL's every parameter, where it points, its encoding, and the callback's exchange and result. */
async function checkAuthorization(row: Row, want: AuthorizationWant, module: Generated): Promise<void> {
  const ran = await runAuthorization(row, module);
  const names = ran.params.map(([name]) => name);
  expect(new Set(names).size, `each parameter once: ${names.join(", ")}`).toBe(names.length);
  expect(Object.fromEntries(ran.params)).toEqual(Object.fromEntries(Object.entries(want.params).map(([name, value]) => [name, matcher(value)])));
  if (want.at !== undefined) expect(want.at.startsWith("/") ? new URL(ran.at).pathname : ran.at).toBe(want.at);
  if (want.rawQuery !== undefined) expect(ran.rawQuery).toMatch(want.rawQuery);
  if (want.callback === undefined) return;
  const requests = ran.callback!.requests;
  expect(requests.map((request) => picked(want.callback!.exchange, request, undefined)), JSON.stringify(ran.callback!.result)).toEqual([headerMatchers(want.callback.exchange)]);
  expect(ran.callback!.result).toMatchObject(want.callback.result);
}

describe("the quirk catalogue", () => {
  const tempDir = useTempDirs();
  let generated = new Map<number, Generated>();
  let root = "";
  const passed = new Set<number>();

  beforeAll(async () => {
    root = await tempDir("quirks");
    generated = await generateRows(root, ROWS);
  }, 120_000);

  afterAll(() => {
    const waiting = ROWS.filter((row) => row.pending !== undefined || row.unsupported !== undefined);
    const lines = [
      `quirks: ${passed.size} of ${ROWS.length} expressible`,
      ...waiting.map((row) => `  ${row.pending !== undefined ? "pending" : "unsupported"}: ${row.quirk} (${row.table}): ${row.pending ?? row.unsupported ?? ""}`),
    ];
    console.log(lines.join("\n"));
  });

  it("has one row per quirk of both catalogue tables", () => {
    expect(TOKEN_ROWS).toHaveLength(23);
    expect(AUTHORIZATION_ROWS).toHaveLength(12);
    expect(new Set(ROWS.map((row) => row.quirk)).size).toBe(ROWS.length);
    for (const row of ROWS) {
      // A row that waits has its data written, ready to run; an unsupported one says why.
      if (row.unsupported !== undefined) expect(row.unsupported.length).toBeGreaterThan(20);
      else expect(row.spec, row.quirk).toBeDefined();
      if (row.pending !== undefined) expect(row.want ?? row.authorization, row.quirk).toBeDefined();
    }
  });

  it("generated code compiles for what consumers write against it", () => {
    const result = typecheck(root, { skipLibCheck: true });
    expect(result.diagnostics).toEqual([]);
  }, 60_000);

  // One test per row, named in full: `-t` finds a quirk by its catalogue words.
  for (const { row, index, name } of runnable) {
    it(name, async () => {
      const module = generated.get(index);
      expect(module, "generated").toBeDefined();
      if (row.authorization !== undefined) {
        await checkAuthorization(row, row.authorization, module!);
        passed.add(index);
        return;
      }
      const ran = await runRow(row, module!);
      const want = row.want!;
      expect(ran.requests.map((request, i) => picked(want.requests[i] ?? {}, request, ran.urls[i])), JSON.stringify(ran.outcome)).toEqual(want.requests.map(headerMatchers));
      if ("token" in want.outcome) {
        const token = want.outcome.token;
        expect(ran.outcome).toMatchObject({ ok: true, token: Object.fromEntries(Object.entries(token).filter(([, v]) => v !== undefined)) });
        // A member wanted as undefined must be absent (never expires: no expiresAt).
        for (const [member, value] of Object.entries(token)) if (value === undefined) expect(ran.outcome.ok && ran.outcome.token).not.toHaveProperty(member);
      } else {
        expect(ran.outcome).toMatchObject({ ok: false, error: want.outcome.error });
      }
      await row.verify?.(ran);
      passed.add(index);
    });
  }

  it("a missing path value is a typed error with a stable code, never a TypeError", async () => {
    const index = ROWS.findIndex((row) => row.quirk === "tenant in the path or query of the token URL");
    const { model, module } = generated.get(index)!;
    const client = (module[`create${model.typePrefix}Client`] as (o: object) => Record<string, (p: object) => Promise<unknown>>)({
      clientId: "id",
      clientSecret: "secret",
      baseUrl: "http://127.0.0.1:9",
    });
    const rejected = await client["authorizationCode"]!({ code: "c1", "subscription-key": "k" }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(rejected).toBeInstanceOf(Error);
    expect(rejected).not.toBeInstanceOf(TypeError);
    expect((rejected as TokenClientConfigError).code).toBe("TOKEN_CLIENT_CONFIG");
    expect((rejected as Error).message).toMatch(/path parameter "tenantId" has no value/);
  });
});
