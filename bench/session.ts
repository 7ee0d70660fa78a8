// In-process figures for the token lifecycle, side by side with the tools a
// team would use instead, as ratios from one run:
//  1. a token request over loopback: raw `fetch` (the floor), raw fetch with a
//     timeout signal, openapi-fetch, oauth4webapi, @badgateway/oauth2-client
//     and the generated client, one request at a time in interleaved rounds
//     against one token server; p50/p99 latency and requests/s;
//  2. cached `getAccessToken()` (awaited) against the floor, an awaited
//     `Map.get` plus a time compare, and against @badgateway/oauth2-client's
//     cached `OAuth2Fetch.getAccessToken()`;
//  3. token requests the server sees for 10,000 concurrent callers on a cold
//     cache, for each tool that caches.
//
//   node --import tsx bench/session.ts
//
// With BENCH_FIGURES=<dir> it also writes <dir>/session.json for bench/run.mjs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { OAuth2Client, OAuth2Fetch } from "@badgateway/oauth2-client";
import * as oauth from "oauth4webapi";
import createClient, { type Middleware } from "openapi-fetch";
import type { createAssetClient as CreateAssetClient, createAssetSession as CreateAssetSession } from "../generated/asset/index.js";
import type { components, paths } from "../generated/asset/wire.js";

// The generated client as a user's build ships it: compiled by esbuild to plain
// JavaScript. Imported through tsx it would carry tsx's `__name` wrappers on every
// runtime function, a cost the libraries it is compared with (plain JS) do not pay.
const compiledDir = mkdtempSync(join(tmpdir(), "tokenwright-bench-client-"));
await build({
  entryPoints: [join(import.meta.dirname, "../generated/asset/index.ts")],
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outfile: join(compiledDir, "asset.mjs"),
  logLevel: "warning",
});
const { createAssetClient, createAssetSession } = (await import(pathToFileURL(join(compiledDir, "asset.mjs")).href)) as {
  createAssetClient: typeof CreateAssetClient;
  createAssetSession: typeof CreateAssetSession;
};

/**
 * With BENCH_BASELINE=<git ref>, the generated client of that commit is built
 * the same way and measured in the same rounds, so that a change to the
 * runtime is compared with what it replaced on one machine in one run.
 */
const baselineRef = process.env["BENCH_BASELINE"];
const baseline = baselineRef === undefined || baselineRef === "" ? undefined : await compileBaseline(baselineRef);

/** A client-credentials session on a baseline's client: `createAssetSession` (sessions as their own export), or `client.session` before it. */
function baselineSession(
  loaded: { createAssetClient: typeof CreateAssetClient; createAssetSession?: typeof CreateAssetSession },
  options: Parameters<typeof CreateAssetClient>[0],
) {
  const client = loaded.createAssetClient(options);
  if (loaded.createAssetSession !== undefined) return loaded.createAssetSession(client, { grant: "client_credentials" });
  return (client as unknown as { session: (request: { grant: "client_credentials" }) => ReturnType<typeof CreateAssetSession> }).session({ grant: "client_credentials" });
}

async function compileBaseline(ref: string): Promise<{ ref: string; createAssetClient: typeof CreateAssetClient; createAssetSession?: typeof CreateAssetSession }> {
  const dir = mkdtempSync(join(tmpdir(), "tokenwright-bench-baseline-"));
  const archive = execFileSync("git", ["archive", ref, "generated"], { cwd: join(import.meta.dirname, ".."), maxBuffer: 256 * 1024 * 1024 });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  await build({
    entryPoints: [join(dir, "generated/asset/index.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile: join(dir, "asset.mjs"),
    logLevel: "warning",
  });
  const loaded = (await import(pathToFileURL(join(dir, "asset.mjs")).href)) as { createAssetClient: typeof CreateAssetClient; createAssetSession?: typeof CreateAssetSession };
  return { ref, ...loaded };
}

const CACHED_OPS = 1_000_000;
const CACHED_ROUNDS = 7;
const REQUEST_SAMPLES = 3000;
const REQUEST_WARMUP = 200;
const CALLERS = 10_000;
/** Open connections the concurrency test's transport allows (see `cappedFetch`). */
const CONNECTIONS = 256;
const TOKEN_PATH = "/v0/auth/token";
const log = (line: string) => process.stderr.write(`  [session] ${line}\n`);

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const percentile = (xs: readonly number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const form = { grant_type: "client_credentials", client_id: "bench", client_secret: "bench-secret" } as const;

// ---------------------------------------------------------------- requests

interface Latency { readonly name: string; readonly p50: number; readonly p99: number; readonly mean: number; readonly perSecond: number }

async function requestFigures(): Promise<Latency[]> {
  const server = await tokenServer();
  const asset = createAssetClient({ baseUrl: server.url, clientId: "bench", clientSecret: "bench-secret" });
  // What a hand-written client does per request: encode the form, POST it, parse the JSON.
  const raw = async () => {
    const response = await fetch(`${server.url}${TOKEN_PATH}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams(form).toString(),
    });
    const parsed = (await response.json()) as { access_token?: unknown };
    if (typeof parsed.access_token !== "string") throw new Error("no token");
  };
  // The same, with what a safe client must add: a timeout that also covers the body (an abort signal).
  const rawWithTimeout = async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    try {
      const response = await fetch(`${server.url}${TOKEN_PATH}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: new URLSearchParams(form).toString(),
        signal: controller.signal,
      });
      const parsed = (await response.json()) as { access_token?: unknown };
      if (typeof parsed.access_token !== "string") throw new Error("no token");
    } finally {
      clearTimeout(timer);
    }
  };
  // openapi-fetch over openapi-typescript's types for the same spec: the form body through a bodySerializer.
  const api = createClient<paths>({ baseUrl: server.url });
  const viaOpenapiFetch = async () => {
    const { data } = await api.POST(TOKEN_PATH, {
      // The spec marks expires_in required in the form; the other clients do not send it either.
      body: form as unknown as components["schemas"]["Body_get_oauth_token_v0_auth_token_post"],
      bodySerializer: (body) => new URLSearchParams(body as unknown as Record<string, string>).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    });
    if (typeof data?.access_token !== "string") throw new Error("no token");
  };
  // The token libraries a team might pick instead, on the same request (client_secret_post).
  const authorizationServer: oauth.AuthorizationServer = { issuer: server.url, token_endpoint: `${server.url}${TOKEN_PATH}` };
  const oauthClient: oauth.Client = { client_id: "bench" };
  const viaOauth4webapi = async () => {
    const response = await oauth.clientCredentialsGrantRequest(authorizationServer, oauthClient, oauth.ClientSecretPost("bench-secret"), new URLSearchParams(), {
      [oauth.allowInsecureRequests]: true, // loopback http
    });
    const token = await oauth.processClientCredentialsResponse(authorizationServer, oauthClient, response);
    if (typeof token.access_token !== "string") throw new Error("no token");
  };
  const badgateway = new OAuth2Client({ server: server.url, tokenEndpoint: TOKEN_PATH, clientId: "bench", clientSecret: "bench-secret", authenticationMethod: "client_secret_post" });
  const viaBadgateway = async () => {
    const token = await badgateway.clientCredentials();
    if (typeof token.accessToken !== "string") throw new Error("no token");
  };
  const viaClient = async () => {
    const result = await asset.clientCredentials();
    if (!result.ok) throw new Error(result.error.message);
  };
  const baselineAsset = baseline?.createAssetClient({ baseUrl: server.url, clientId: "bench", clientSecret: "bench-secret" });
  const viaBaseline = async () => {
    const result = await baselineAsset!.clientCredentials();
    if (!result.ok) throw new Error(result.error.message);
  };
  const cases: { name: string; run: () => Promise<void>; ms: number[] }[] = [
    { name: "raw fetch (floor)", run: raw, ms: [] },
    { name: "raw fetch + 10 s timeout signal", run: rawWithTimeout, ms: [] },
    { name: "openapi-fetch (bodySerializer)", run: viaOpenapiFetch, ms: [] },
    { name: "oauth4webapi client_credentials", run: viaOauth4webapi, ms: [] },
    { name: "@badgateway/oauth2-client clientCredentials()", run: viaBadgateway, ms: [] },
    { name: "tokenwright clientCredentials()", run: viaClient, ms: [] },
    ...(baseline !== undefined ? [{ name: `tokenwright clientCredentials() at ${baseline.ref}`, run: viaBaseline, ms: [] }] : []),
  ];
  for (let i = 0; i < REQUEST_WARMUP; i++) for (const c of cases) await c.run();
  // One request of each at a time, order flipped every iteration, so drift on
  // a shared machine falls on all sides.
  for (let i = 0; i < REQUEST_SAMPLES; i++) {
    for (const c of i % 2 === 0 ? cases : [...cases].reverse()) {
      const started = process.hrtime.bigint();
      await c.run();
      c.ms.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  await server.close();
  return cases.map((c) => {
    const mean = c.ms.reduce((a, b) => a + b, 0) / c.ms.length;
    return { name: c.name, p50: median(c.ms), p99: percentile(c.ms, 99), mean, perSecond: 1000 / mean };
  });
}

// ---------------------------------------------------------------- cached token

async function cachedFigures(): Promise<{
  floorNs: number;
  sessionNs: number;
  badgatewayNs: number;
  sessionRange: [number, number];
  floorRange: [number, number];
  badgatewayRange: [number, number];
  baselineNs: number | undefined;
  baselineRange: [number, number] | undefined;
}> {
  const server = await tokenServer();
  const asset = createAssetClient({ baseUrl: server.url, clientId: "bench", clientSecret: "bench-secret" });
  const session = createAssetSession(asset, { grant: "client_credentials" });
  await session.getAccessToken();
  const badgatewayClient = new OAuth2Client({ server: server.url, tokenEndpoint: TOKEN_PATH, clientId: "bench", clientSecret: "bench-secret", authenticationMethod: "client_secret_post" });
  const badgateway = new OAuth2Fetch({ client: badgatewayClient, getNewToken: () => badgatewayClient.clientCredentials(), scheduleRefresh: false });
  await badgateway.getAccessToken();
  const map = new Map([["key", { accessToken: "x", refreshAt: Date.now() + 3_600_000 }]]);
  const floor = async () => {
    const entry = map.get("key");
    return entry !== undefined && Date.now() < entry.refreshAt ? entry.accessToken : "";
  };
  const onBaseline = baseline === undefined ? undefined : baselineSession(baseline, { baseUrl: server.url, clientId: "bench", clientSecret: "bench-secret" });
  await onBaseline?.getAccessToken();
  const cases = [
    { run: floor, ns: [] as number[] },
    { run: () => session.getAccessToken(), ns: [] as number[] },
    { run: () => badgateway.getAccessToken(), ns: [] as number[] },
    ...(onBaseline !== undefined ? [{ run: () => onBaseline.getAccessToken(), ns: [] as number[] }] : []),
  ];
  for (let round = 0; round <= CACHED_ROUNDS; round++) {
    for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < CACHED_OPS; i++) await c.run();
      if (round > 0) c.ns.push(Number(process.hrtime.bigint() - started) / CACHED_OPS); // round 0 is the warm-up
    }
  }
  const expected = onBaseline !== undefined ? 3 : 2;
  if (server.tokenRequests() !== expected) throw new Error(`expected ${expected} token requests, saw ${server.tokenRequests()}`);
  if (cases[3] !== undefined) log(`cached getAccessToken() at ${baseline?.ref}: ${median(cases[3].ns).toFixed(0)} ns (this tree: ${median(cases[1]!.ns).toFixed(0)} ns, ratio ${(median(cases[1]!.ns) / median(cases[3].ns)).toFixed(2)}x)`);
  await session.close();
  await server.close();
  const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
  return {
    floorNs: median(cases[0]!.ns),
    sessionNs: median(cases[1]!.ns),
    badgatewayNs: median(cases[2]!.ns),
    floorRange: range(cases[0]!.ns),
    sessionRange: range(cases[1]!.ns),
    badgatewayRange: range(cases[2]!.ns),
    baselineNs: cases[3] === undefined ? undefined : median(cases[3].ns),
    baselineRange: cases[3] === undefined ? undefined : range(cases[3].ns),
  };
}

// ---------------------------------------------------------------- concurrency

interface Herd { readonly name: string; readonly tokenRequests: number | undefined; readonly distinctTokens: number | undefined; readonly ms: number | undefined; readonly note: string }

/**
 * The transport for the concurrency test: the platform's fetch with at most
 * CONNECTIONS requests in flight (the rest queue, as behind a browser's or an
 * undici Agent's connection limit). Node's default fetch has no limit, and
 * 10,000 client plus 10,000 server sockets in one process exceed this
 * machine's 20,000 file descriptors. It changes when requests are sent, not
 * how many: all callers start in one synchronous loop, so every one of them
 * has decided whether to request a token before the first response arrives.
 */
function cappedFetch(): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (input, init) => {
    while (active >= CONNECTIONS) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      const response = await fetch(input, init);
      const body = await response.arrayBuffer(); // hold the slot until the body is read
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

async function herd(name: string, start: (url: string, capped: ReturnType<typeof cappedFetch>) => { call: () => Promise<string>; close?: () => Promise<void> }, note: string): Promise<Herd> {
  const server = await tokenServer();
  const { call, close } = start(server.url, cappedFetch());
  const started = process.hrtime.bigint();
  const callers: Promise<string>[] = [];
  for (let i = 0; i < CALLERS; i++) callers.push(call());
  const tokens = await Promise.all(callers);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await close?.();
  const tokenRequests = server.tokenRequests();
  await server.close();
  return { name, tokenRequests, distinctTokens: new Set(tokens).size, ms, note };
}

async function concurrencyFigures(): Promise<Herd[]> {
  const results: Herd[] = [];
  results.push(
    await herd(
      "tokenwright `session.getAccessToken()`",
      (url, capped) => {
        const session = createAssetSession(createAssetClient({ baseUrl: url, clientId: "bench", clientSecret: "bench-secret", fetch: capped }), { grant: "client_credentials" });
        return { call: () => session.getAccessToken(), close: () => session.close() };
      },
      "single flight",
    ),
  );
  results.push(
    await herd(
      "openapi-fetch + tokenwright `session.middleware`, one API call per caller",
      (url, capped) => {
        const client = createAssetClient({ baseUrl: url, clientId: "bench", clientSecret: "bench-secret", fetch: capped });
        const session = createAssetSession(client, { grant: "client_credentials" }, { origins: [url] });
        const api = createClient<ApiPaths>({ baseUrl: url, fetch: echoApi });
        api.use(session.middleware);
        return { call: () => api.GET("/v0/ledgers").then(({ data }) => data?.authorization ?? ""), close: () => session.close() };
      },
      "single flight",
    ),
  );
  results.push(
    await herd(
      "@badgateway/oauth2-client `OAuth2Fetch.getAccessToken()`",
      (url, capped) => {
        const client = new OAuth2Client({ server: url, tokenEndpoint: TOKEN_PATH, clientId: "bench", clientSecret: "bench-secret", authenticationMethod: "client_secret_post", fetch: capped });
        const wrapper = new OAuth2Fetch({ client, getNewToken: () => client.clientCredentials(), scheduleRefresh: false });
        return { call: () => wrapper.getAccessToken() };
      },
      "single flight (`activeRefresh`)",
    ),
  );
  results.push(
    await herd(
      "openapi-fetch + a hand-written middleware (\"if no token, fetch one\"), one API call per caller",
      (url, capped) => {
        // What a user writes without a library: a cached token, fetched when missing or expired. No single flight.
        const auth = createClient<paths>({ baseUrl: url, fetch: (request) => capped(request) });
        let token: { value: string; expiresAt: number } | undefined;
        const naive: Middleware = {
          async onRequest({ request }) {
            if (token === undefined || Date.now() >= token.expiresAt) {
              const { data, error } = await auth.POST(TOKEN_PATH, {
                body: form as unknown as components["schemas"]["Body_get_oauth_token_v0_auth_token_post"],
                bodySerializer: (body) => new URLSearchParams(body as unknown as Record<string, string>).toString(),
                headers: { "Content-Type": "application/x-www-form-urlencoded" },
              });
              if (data === undefined) throw new Error(`token request failed: ${JSON.stringify(error)}`);
              token = { value: data.access_token, expiresAt: data.expires_in * 1000 - 60_000 };
            }
            request.headers.set("Authorization", `Bearer ${token.value}`);
            return request;
          },
        };
        const api = createClient<ApiPaths>({ baseUrl: url, fetch: echoApi });
        api.use(naive);
        return { call: () => api.GET("/v0/ledgers").then(({ data }) => data?.authorization ?? "") };
      },
      "no single flight: every caller that finds no token requests one",
    ),
  );
  results.push({ name: "oauth4webapi", tokenRequests: undefined, distinctTokens: undefined, ms: undefined, note: "n/a: no cache (a token request per call)" });
  return results;
}

/** The API the concurrency test calls, in process (only token requests go over loopback): it echoes the Authorization header. */
async function echoApi(request: Request): Promise<Response> {
  return new Response(JSON.stringify({ authorization: request.headers.get("authorization") ?? "" }), { headers: { "Content-Type": "application/json" } });
}


interface ApiPaths {
  "/v0/ledgers": {
    get: {
      responses: { 200: { content: { "application/json": { authorization: string } } } };
    };
  };
}

/** A loopback server: POST /v0/auth/token answers a token (expiry as unix seconds, as Asset documents it); anything else echoes the Authorization header. */
async function tokenServer(): Promise<{ url: string; tokenRequests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "application/json" });
      if (req.method === "POST" && req.url === TOKEN_PATH) {
        count++;
        res.end(JSON.stringify({ access_token: `token-${count}`, token_type: "Bearer", expires_in: expiresAt }));
      } else {
        res.end(JSON.stringify({ authorization: req.headers.authorization ?? "" }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokenRequests: () => count,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

log(`token requests: ${REQUEST_SAMPLES} interleaved rounds`);
const requests = await requestFigures();
log(`cached getAccessToken(): ${CACHED_ROUNDS} rounds of ${CACHED_OPS}`);
const cached = await cachedFigures();
log(`${CALLERS} concurrent callers, cold cache`);
const herds = await concurrencyFigures();

const raw = requests[0]!;
const rawTimeout = requests[1]!;
const ours = requests.find((r) => r.name === "tokenwright clientCredentials()")!;
const f3 = (x: number) => x.toFixed(3);
const lines = [
  `### Token request over loopback`,
  "",
  `One loopback token server, one process; ${REQUEST_SAMPLES} requests per client, one at a time, interleaved (order reversed every round) after ${REQUEST_WARMUP} warm-up rounds. Each does the same client_secret_post form POST and reads \`access_token\` from the JSON answer. req/s is 1000 / mean ms (one request at a time).`,
  "",
  "| client | p50 ms | p99 ms | req/s | p50 vs raw fetch | p99 vs raw fetch | req/s vs raw fetch |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...requests.map((r) => `| ${r.name} | ${f3(r.p50)} | ${f3(r.p99)} | ${r.perSecond.toFixed(0)} | ${(r.p50 / raw.p50).toFixed(2)}x | ${(r.p99 / raw.p99).toFixed(2)}x | ${(r.perSecond / raw.perSecond).toFixed(2)}x |`),
  "",
  `tokenwright's request carries a timeout that covers the body as well as the headers, so it needs an abort signal; on Node ${process.versions.node} the signal alone costs a raw fetch ${((rawTimeout.p50 / raw.p50 - 1) * 100).toFixed(0)}% at p50 here. Against raw fetch with the same timeout signal tokenwright is ${(ours.p50 / rawTimeout.p50).toFixed(2)}x at p50.`,
  "",
  `### Cached token`,
  "",
  `Awaited, warm cache, ${CACHED_ROUNDS} interleaved rounds of ${CACHED_OPS.toLocaleString("en")} calls after a warm-up round; median and min–max ns/op.`,
  "",
  "| call | ns/op | min–max | vs floor |",
  "| --- | --- | --- | --- |",
  `| floor: \`Map.get\` + time compare in an async function | ${cached.floorNs.toFixed(0)} | ${cached.floorRange[0].toFixed(0)}–${cached.floorRange[1].toFixed(0)} | 1.00x |`,
  `| tokenwright \`session.getAccessToken()\` | ${cached.sessionNs.toFixed(0)} | ${cached.sessionRange[0].toFixed(0)}–${cached.sessionRange[1].toFixed(0)} | ${(cached.sessionNs / cached.floorNs).toFixed(2)}x |`,
  `| @badgateway/oauth2-client \`OAuth2Fetch.getAccessToken()\` | ${cached.badgatewayNs.toFixed(0)} | ${cached.badgatewayRange[0].toFixed(0)}–${cached.badgatewayRange[1].toFixed(0)} | ${(cached.badgatewayNs / cached.floorNs).toFixed(2)}x |`,
  ...(cached.baselineNs !== undefined
    ? [`| tokenwright \`session.getAccessToken()\` at ${baseline?.ref} | ${cached.baselineNs.toFixed(0)} | ${cached.baselineRange![0].toFixed(0)}–${cached.baselineRange![1].toFixed(0)} | ${(cached.baselineNs / cached.floorNs).toFixed(2)}x |`]
    : []),
  "",
  `### ${CALLERS.toLocaleString("en")} concurrent callers, cold cache`,
  "",
  `A fresh token server and client per row; all callers start in one synchronous loop. Token requests go over loopback and are counted by the server; in the openapi-fetch rows each caller makes one API call, answered in process (the API echoes the Authorization header, so the distinct tokens are those the API saw). The transport allows ${CONNECTIONS} requests in flight (10,000 client plus 10,000 server sockets in one process would exceed this machine's 20,000 file descriptors); that changes when requests go out, not how many, since every caller has decided before the first answer arrives.`,
  "",
  "| tool | token requests | distinct tokens handed out | ms until all callers done | note |",
  "| --- | --- | --- | --- | --- |",
  ...herds.map((h) => `| ${h.name} | ${h.tokenRequests ?? "n/a"} | ${h.distinctTokens ?? "n/a"} | ${h.ms === undefined ? "n/a" : h.ms.toFixed(0)} | ${h.note} |`),
];
console.log(lines.join("\n"));
if (process.env.BENCH_FIGURES) writeFileSync(join(process.env.BENCH_FIGURES, "session.json"), JSON.stringify({ requests, cached, herds, callers: CALLERS }, null, 2));
