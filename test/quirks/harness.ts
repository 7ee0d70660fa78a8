// The catalogue-as-a-test harness: each row's spec (and provider config) is generated into one temp
// folder through the real pipeline (load, model, emit), transpiled and imported, and driven against a
// loopback server that behaves as the row's providers do. What the server received is the wire request.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { emitProvider, runtimeFiles, wireTypes } from "../../generator/emit/index.js";
import { loadProviderConfig } from "../../generator/load/index.js";
import { buildModel, type ProviderModel } from "../../generator/model/index.js";
import { loadDocument, transpileTree, writeTree, type Json } from "../generator/helpers.js";
import { startTokenServer, type RecordedRequest, type TokenServer, type TokenServerReply } from "../support/loopback.js";

/** A token endpoint answer, built from the request and its index among the row's requests. */
export type Serve = (request: RecordedRequest, index: number) => TokenServerReply;

/** One thing the row does with the generated client. */
export type Step =
  /** A grant method of the client, e.g. `clientCredentials`. */
  | { readonly call: string; readonly params?: Json }
  /** A session opened with `open`: its first token, then (after `advanceMs` on the clock) the next one, a refresh. */
  | { readonly session: Json; readonly advanceMs: number; readonly options?: Json };

/** The request the server must have received; each member given is compared exactly. */
export interface WireWant {
  readonly method?: string;
  /** The URL the client asked for (with a user `fetch` that sends it to the loopback server), or the path and query. */
  readonly url?: string;
  readonly path?: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Header values (lower-case names); `null`: must be absent. */
  readonly headers?: Readonly<Record<string, string | RegExp | null>>;
  /** The body decoded (form or JSON) and compared whole (a RegExp value matches a string); `null`: no body. */
  readonly body?: Json | null;
}

/** What the last step must end in: a token's members, or a typed error's. */
export type OutcomeWant = { readonly token: Json } | { readonly error: Json };

export interface Row {
  /** The catalogue's words for the quirk, exactly (or the issue's, for the quirks it adds). */
  readonly quirk: string;
  readonly table: "token" | "authorization" | "issue 13";
  readonly examples: string;
  /** Set when the row cannot pass yet: what it waits for. */
  readonly pending?: string;
  /** Set when tokenwright does not mean to express it: why. */
  readonly unsupported?: string;
  readonly spec?: Json;
  readonly config?: Json;
  readonly serve?: Serve;
  /** Client options besides credentials and `baseUrl`/`fetch`. */
  readonly options?: Json;
  /** Send through a user `fetch` that records the URL and forwards to the loopback server. */
  readonly viaFetch?: boolean;
  readonly steps?: readonly Step[];
  readonly want?: { readonly requests: readonly WireWant[]; readonly outcome: OutcomeWant };
  /** Further checks on what the row's steps sent and ended in (a signature, say). */
  readonly verify?: (ran: Ran) => Promise<void> | void;
  /** For authorization-request rows: what `authorizationUrl` makes of `call`, and what the callback does. */
  readonly authorization?: AuthorizationWant;
  /** TypeScript a consumer writes against the generated client, which must compile (`client` is in scope). */
  readonly compiles?: string;
}

/** An authorization-request row's call and wants (run by authorization-run.ts). */
export interface AuthorizationWant {
  /** The `authorizationUrl` parameters. */
  readonly call: Json;
  /** Every query parameter of the URL, exactly, each once; a RegExp matches a random value. */
  readonly params: Readonly<Record<string, string | RegExp>>;
  /** The URL's origin and path; a path alone is on the loopback server. */
  readonly at?: string;
  /** The query as sent must match (how values are encoded). */
  readonly rawQuery?: RegExp;
  /** A redirect back (`<state>` for the request's state): its code exchange and the callback's result. */
  readonly callback?: { readonly redirect: string; readonly exchange: WireWant; readonly result: Json };
}

export const CLIENT_ID = "quirk-client";
export const CLIENT_SECRET = "quirk-secret";
export const START = 1_800_000_000_000;

/** The file id of a row (its generated folder). */
export function rowId(index: number): string {
  return `quirk${String(index).padStart(2, "0")}`;
}

export interface Generated {
  readonly model: ProviderModel;
  readonly module: Record<string, unknown>;
}

/** Generates every row with a spec into `root` (one runtime), transpiles and imports them. */
export async function generateRows(root: string, rows: readonly Row[]): Promise<Map<number, Generated>> {
  const files = [...runtimeFiles("test/quirks")];
  const models = new Map<number, ProviderModel>();
  for (const [index, row] of rows.entries()) {
    if (row.spec === undefined || row.pending !== undefined || row.unsupported !== undefined) continue;
    const id = rowId(index);
    let config;
    let configFile: string | undefined;
    if (row.config !== undefined) {
      configFile = join(root, `${id}.tokenwright.json`);
      writeFileSync(configFile, JSON.stringify(row.config));
      config = await loadProviderConfig(configFile);
    }
    const model = buildModel({ spec: await loadDocument(row.spec, `specs/${id}.json`), config, configFile });
    models.set(index, model);
    files.push(...emitProvider(model, await wireTypes(model.wireDocument), "test/quirks"));
  }
  const consumer = [...models].flatMap(([index, model]) => {
    const row = rows[index]!;
    if (row.compiles === undefined) return [];
    const create = `create${model.typePrefix}Client`;
    return [
      `import { ${create} } from "./${model.provider}/index.js";`,
      `export async function use${index}(): Promise<unknown> {`,
      `  const client = ${create}({ clientId: "id", clientSecret: "secret", baseUrl: "https://example.com" });`,
      `  ${row.compiles}`,
      "}",
    ];
  });
  files.push({ path: "consumer.ts", content: `${consumer.join("\n")}\n` });
  writeTree(root, Object.fromEntries(files.map((f) => [f.path, f.content])));
  const problems = [...transpileTree(root)];
  if (problems.length > 0) throw new Error(`generated code does not transpile: ${JSON.stringify(problems)}`);
  const out = new Map<number, Generated>();
  for (const [index, model] of models) {
    out.set(index, { model, module: (await import(pathToFileURL(join(root, model.provider, "index.js")).href)) as Record<string, unknown> });
  }
  return out;
}

type Client = Record<string, (params?: Json) => Promise<Result>>;
type Result = { readonly ok: true; readonly token: Json } | { readonly ok: false; readonly error: Json };
interface Session {
  getToken(): Promise<Result>;
  close(): Promise<void>;
}

/** What a row's steps ended in, and what the server and the user `fetch` saw. */
export interface Ran {
  readonly requests: readonly RecordedRequest[];
  readonly urls: readonly string[];
  readonly outcome: Result | { readonly ok: false; readonly thrown: string };
}

/** Runs a row's steps against a loopback server made for it. */
export async function runRow(row: Row, generated: Generated): Promise<Ran> {
  const serve = row.serve ?? (() => ({ status: 200, body: { access_token: "at", token_type: "Bearer", expires_in: 3600 } }));
  let count = 0;
  const server: TokenServer = await startTokenServer((request) => serve(request, count++));
  const urls: string[] = [];
  const clock = { now: START };
  try {
    const forward = (input: string, init: RequestInit): Promise<Response> => {
      urls.push(input);
      const url = new URL(input);
      return fetch(`${server.url}${url.pathname}${url.search}`, init);
    };
    const create = generated.module[`create${generated.model.typePrefix}Client`] as (options: Json) => Client;
    const client = create({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      clock: () => clock.now,
      ...(row.viaFetch === true ? { fetch: forward } : { baseUrl: server.url }),
      ...row.options,
    });
    let outcome: Ran["outcome"] = { ok: false, thrown: "no steps" };
    for (const step of row.steps ?? []) {
      try {
        if ("call" in step) {
          const method = client[step.call];
          if (method === undefined) throw new Error(`no method ${step.call}; have ${Object.keys(client).join(", ")}`);
          outcome = await method(step.params ?? {});
        } else {
          const open = generated.module[`create${generated.model.typePrefix}Session`] as (c: Client, request: Json, options?: Json) => Session;
          const session = open(client, step.session, { retry: { tries: 1 }, ...step.options });
          const first = await session.getToken();
          if (!first.ok) {
            outcome = first;
          } else {
            clock.now += step.advanceMs;
            outcome = await session.getToken();
          }
          await session.close();
        }
      } catch (error) {
        outcome = { ok: false, thrown: `${(error as Error).name}: ${(error as Error).message}` };
      }
    }
    return { requests: [...server.requests], urls, outcome };
  } finally {
    await server.close();
  }
}

/** A request as a {@link WireWant} sees it: form or JSON body decoded. */
export function wireOf(request: RecordedRequest, url: string | undefined): Required<Omit<WireWant, "headers">> & { headers: Readonly<Record<string, string>> } {
  const parsed = new URL(request.url, "http://loopback");
  const type = String(request.headers["content-type"] ?? "");
  let body: Json | null = null;
  if (request.body !== "") {
    if (type.startsWith("application/json")) body = JSON.parse(request.body) as Json;
    else body = Object.fromEntries(new URLSearchParams(request.body));
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (typeof value === "string") headers[name] = value;
  return {
    method: request.method,
    url: url ?? "",
    path: parsed.pathname,
    query: Object.fromEntries(parsed.searchParams),
    headers,
    body,
  };
}

/** The members of `want` only, taken from the request, so that `toEqual` compares what the row states. */
export function picked(want: WireWant, request: RecordedRequest, url: string | undefined): WireWant {
  const wire = wireOf(request, url);
  const out: Record<string, unknown> = {};
  for (const key of ["method", "url", "path", "query", "body"] as const) if (want[key] !== undefined) out[key] = wire[key];
  if (want.headers !== undefined) {
    out["headers"] = Object.fromEntries(Object.keys(want.headers).map((name) => [name, wire.headers[name] ?? null]));
  }
  return out as WireWant;
}

/** `Basic base64(id:secret)`, form-encoding each part first (RFC 6749 §2.3.1). */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;
}
