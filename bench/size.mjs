// Bundle size: the generated client for one provider plus its runtime, against
// openapi-fetch alone, oauth4webapi, @badgateway/oauth2-client and the client
// @hey-api/openapi-ts generates for the same spec. esbuild's JS API (bundle,
// minify, ESM, platform browser, target ES2022), then gzip -9 with node:zlib.
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
  { id: "tokenwright", name: "tokenwright: `createAssetClient` (client + runtime, sessions included)", code: `export { createAssetClient } from "./generated/asset/index.ts";` },
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
const ours = results.find((r) => r.id === "tokenwright");
lines.push(
  "",
  `Where tokenwright's ${kb(ours.minified)} minified go, per source file: ${ours.byFile.map((f) => `${f.path.replace(/^generated\//, "")} ${(f.bytes / 1024).toFixed(1)}`).join(", ")} (KB).`,
);
console.log(lines.join("\n"));
if (process.env.BENCH_FIGURES) writeFileSync(join(process.env.BENCH_FIGURES, "size.json"), JSON.stringify({ results }, null, 2));
