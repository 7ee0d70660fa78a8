// Bundle size: the generated client for one provider plus its runtime, without
// sessions and with them (`createAssetSession`), against openapi-fetch alone,
// oauth4webapi, @badgateway/oauth2-client and the client @hey-api/openapi-ts
// generates for the same spec. esbuild's JS API (bundle, minify, ESM, platform
// browser, target ES2022), then gzip -9 with node:zlib. Each of tokenwright's
// bundles is itemised by module, and checked against its goal (4.5 KB gzipped
// without sessions, 8 KB with).
//
//   node bench/size.mjs
//
// With BENCH_FIGURES=<dir> it also writes <dir>/size.json for bench/run.mjs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const scratch = mkdtempSync(join(tmpdir(), "tokenwright-size-"));
const hey = spawnSync(process.execPath, ["node_modules/@hey-api/openapi-ts/bin/run.js", "-i", resolve("specs/asset.yaml"), "-o", join(scratch, "hey-asset"), "-s", "--no-log-file"], { encoding: "utf8" });
if (hey.status !== 0) throw new Error(`hey-api exited ${hey.status}: ${hey.stderr}`);

const entries = [
  { id: "tokenwright", name: "tokenwright: `createAssetClient` (client + runtime, no sessions)", code: `export { createAssetClient } from "./generated/asset/index.ts";` },
  {
    id: "tokenwrightSessions",
    name: "tokenwright: `createAssetClient` + `createAssetSession` (client + runtime + sessions)",
    code: `export { createAssetClient, createAssetSession } from "./generated/asset/index.ts";`,
  },
  {
    // What a provider whose spec or config says DPoP adds: its factory calls `dpopKeyPair` on the `dpop` option
    // (proof signing, nonces, thumbprint); the session's DPoP proofs on API calls are in the row above already.
    id: "tokenwrightDPoP",
    name: "tokenwright: client + session + DPoP (`createAssetClient` + `createAssetSession` + `dpopKeyPair`)",
    code: `export { createAssetClient, createAssetSession } from "./generated/asset/index.ts"; export { dpopKeyPair } from "./generated/runtime/index.ts";`,
  },
  { id: "openapiFetch", name: "openapi-fetch: `createClient`", code: `export { default as createClient } from "openapi-fetch";` },
  { id: "oauth4webapi", name: "oauth4webapi: `clientCredentialsGrantRequest`, `processClientCredentialsResponse`, `ClientSecretPost`", code: `export { clientCredentialsGrantRequest, processClientCredentialsResponse, ClientSecretPost } from "oauth4webapi";` },
  { id: "oauth4webapiAll", name: "oauth4webapi: `*`", code: `export * from "oauth4webapi";` },
  { id: "badgateway", name: "@badgateway/oauth2-client: `OAuth2Client`, `OAuth2Fetch`", code: `export { OAuth2Client, OAuth2Fetch } from "@badgateway/oauth2-client";` },
  { id: "heyApi", name: "@hey-api/openapi-ts output for asset.yaml: the token operation's SDK function + its bundled fetch client", code: `export { getOauthTokenV0AuthTokenPost } from ${JSON.stringify(join(scratch, "hey-asset", "index.ts"))};` },
];

const results = [];
for (const e of entries) {
  const built = await esbuild.build({
    stdin: { contents: e.code, resolveDir: process.cwd(), loader: "ts", sourcefile: `${e.id}-entry.ts` },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    metafile: true,
  });
  const bytes = built.outputFiles[0].contents;
  // Minified bytes each source file contributes, to say where the size goes.
  const inputs = Object.values(built.metafile.outputs)[0].inputs;
  const byFile = Object.entries(inputs)
    .map(([path, { bytesInOutput }]) => ({ path: path.replace(/^.*?(generated\/|node_modules\/)/, "$1"), bytes: bytesInOutput }))
    .filter((f) => f.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  results.push({ id: e.id, name: e.name, minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length, byFile });
}
rmSync(scratch, { recursive: true, force: true });

const base = results.find((r) => r.id === "openapiFetch");
const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
const lines = [
  "### Bundle size",
  "",
  "esbuild (bundle, minify, ESM, platform browser, target ES2022) of an entry that re-exports the named API, then gzip -9.",
  "",
  "| bundle | minified | gzipped | gzipped vs openapi-fetch |",
  "| --- | --- | --- | --- |",
  ...results.map((r) => `| ${r.name} | ${kb(r.minified)} | ${kb(r.gzipped)} | ${(r.gzipped / base.gzipped).toFixed(2)}x (${r.gzipped - base.gzipped >= 0 ? "+" : ""}${r.gzipped - base.gzipped} B) |`),
];

/** What each module of tokenwright's bundles does, to say where the bytes go. */
const GROUPS = [
  { name: "sessions (cache, single flight, lease, retries, cool-down, store, session.fetch and middleware with DPoP and redirects)", test: /runtime\/(session[^/]*|store|canonical|source-identity|jws)\.ts$|asset\/session\.ts$/ },
  { name: "typed errors with secret redaction (SecretRedactor and its spellings, RedactedCause, safe toJSON/inspect, error-body sanitising)", test: /runtime\/errors\.ts$/ },
  { name: "the request: timeout and abort, URL and HTTPS checks, encoders for body, query, header and path, size-capped body reader", test: /runtime\/(request|request-build|transport|url|encode)\.ts$/ },
  { name: "the spec's response checks: statuses, media types, token fields, expiry rules and Date-header correction", test: /runtime\/(response-read|expiry|field-path)\.ts$/ },
  { name: "client authentication (Basic, fields, and the `clientAuth` method values)", test: /runtime\/client-auth\.ts$/ },
  { name: "the generated client (endpoint and grant literals, factory)", test: /asset\/client\.ts$/ },
  { name: "events (`onEvent`)", test: /runtime\/events\.ts$/ },
];
const GOALS = { tokenwright: 4.5 * 1024, tokenwrightSessions: 8 * 1024 };
const goals = [];
for (const r of results.filter((x) => x.id in GOALS)) {
  const limit = GOALS[r.id];
  const share = (bytes) => (r.gzipped * bytes) / r.minified;
  const grouped = GROUPS.map((g) => {
    const files = r.byFile.filter((f) => g.test.test(f.path));
    return { name: g.name, files, bytes: files.reduce((n, f) => n + f.bytes, 0) };
  }).filter((g) => g.bytes > 0);
  const rest = r.byFile.filter((f) => !GROUPS.some((g) => g.test.test(f.path)));
  const itemised = [...grouped, ...(rest.length > 0 ? [{ name: "other", files: rest, bytes: rest.reduce((n, f) => n + f.bytes, 0) }] : [])];
  const over = r.gzipped - limit;
  goals.push({
    id: r.id,
    goal: r.id === "tokenwright" ? "One provider's client without sessions (client + runtime), minified + gzipped" : "One provider's client with sessions (client + runtime + createAssetSession), minified + gzipped",
    target: `≤ ${kb(limit)}`,
    figure: `${kb(r.gzipped)} (${over > 0 ? `${over} B over` : `${-over} B under`}; openapi-fetch ${kb(base.gzipped)}, oauth4webapi's client-credentials functions ${kb(results.find((x) => x.id === "oauth4webapi").gzipped)}, @badgateway/oauth2-client ${kb(results.find((x) => x.id === "badgateway").gzipped)})`,
    met: over <= 0,
    why:
      `${over} B gzipped over the goal. Where the ${kb(r.gzipped)} go (≈ gzipped share, by minified bytes): ` +
      itemised.map((g) => `${g.name} ${kb(share(g.bytes))}`).join("; ") +
      (r.id === "tokenwright"
        ? ". Sessions, discovery, DPoP and JWT signing are already out of this bundle; what is left is the request path every token request runs. " +
          "Cutting it further means dropping behaviour the README promises (secret redaction of error bodies and causes, typed errors with safe " +
          "toJSON/inspect, the spec's response and expiry checks, the timeout that also covers the body, query/header/path encodings): the errors and " +
          "redaction alone are about half the goal. openapi-fetch holds no token, timeout or checks; @badgateway/oauth2-client has no timeout, spec checks or redaction"
        : ". Sessions add their cache, single flight, store lease with renewal, retries and cool-down, stats, and `session.fetch`/`session.middleware` " +
          "(401 replay, streamed bodies, redirects without leaking Authorization, DPoP proofs); `session.fetch` and the middleware are part of the " +
          "session object, so a session that only calls `getAccessToken()` still carries them"),
    itemised: itemised.map((g) => ({ name: g.name, minified: g.bytes, gzippedShare: Math.round(share(g.bytes)), files: g.files.map((f) => ({ path: f.path, bytes: f.bytes })) })),
  });
}
{
  const sessions = results.find((r) => r.id === "tokenwrightSessions");
  const dpop = results.find((r) => r.id === "tokenwrightDPoP");
  lines.push("", `DPoP adds ${dpop.gzipped - sessions.gzipped} B gzipped (${dpop.minified - sessions.minified} B minified) to a client with sessions; a provider whose spec and config say nothing of DPoP offers no \`dpop\` option and bundles none of it.`);
}
lines.push("", "Where tokenwright's bytes go, by module (minified bytes; the gzipped share is the bundle's gzipped size split in proportion to minified bytes, since gzip does not add up per file):", "");
for (const g of goals) {
  const r = results.find((x) => x.id === g.id);
  lines.push(`${r.name}: ${kb(r.minified)} minified, ${kb(r.gzipped)} gzipped; goal ${g.target}: ${g.met ? "met" : `**missed** by ${r.gzipped - GOALS[g.id]} B gzipped`}.`, "");
  lines.push("| what | modules (minified KB) | minified | ≈ gzipped share |", "| --- | --- | --- | --- |");
  for (const item of g.itemised) {
    lines.push(`| ${item.name} | ${item.files.map((f) => `${f.path.replace(/^generated\/(runtime\/)?/, "")} ${(f.bytes / 1024).toFixed(2)}`).join(", ")} | ${kb(item.minified)} | ${kb(item.gzippedShare)} |`);
  }
  lines.push("");
}
lines.push(
  "Sessions are their own import (`createAssetSession`, generated into `asset/session.ts`), so the first bundle holds none of their code; discovery (OpenID Connect) is imported only by clients whose spec uses it (`requestTokenNoDiscovery` otherwise), and DPoP, JWT client authentication and assertion grants only by code that asks for them (values that carry their own code).",
);
console.log(lines.join("\n").trimEnd());
if (process.env.BENCH_FIGURES) writeFileSync(join(process.env.BENCH_FIGURES, "size.json"), JSON.stringify({ results, goals }, null, 2));
