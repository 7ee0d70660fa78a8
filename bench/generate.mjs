// Whole-process generation timings, as ratios from one run (the machine is
// shared and noisy, so only ratios within a run mean anything). Each command
// runs once to warm the file cache, then RUNS times in interleaved rounds;
// the table shows medians and min-max.
//
//   node bench/generate.mjs [runs]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const RUNS = Number(process.argv[2] ?? 7);
const cli = "dist/generator/cli/main.js";
const openapiTs = "node_modules/openapi-typescript/bin/cli.js";
const scratch = mkdtempSync(join(tmpdir(), "tokenwright-bench-"));
let fresh = 0;

const cases = [
  { name: "node -e 0 (floor)", argv: ["-e", "0"] },
  { name: "openapi-typescript CLI, one spec (asset)", argv: [openapiTs, "specs/asset.yaml", "-o", join(scratch, "ots.ts")] },
  { name: "tokenwright generate, 5 providers, fresh --out", argv: () => [cli, "generate", "--out", join(scratch, `fresh-${fresh++}`)] },
  { name: "tokenwright generate, nothing changed", argv: [cli, "generate"] },
  { name: "tokenwright generate --check", argv: [cli, "generate", "--check"] },
];

function once(argv) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, argv, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(" ")} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const samples = new Map(cases.map((c) => [c.name, []]));
for (const c of cases) once(typeof c.argv === "function" ? c.argv() : c.argv); // warm-up
for (let round = 0; round < RUNS; round++) {
  for (const c of cases) samples.get(c.name).push(once(typeof c.argv === "function" ? c.argv() : c.argv));
}
rmSync(scratch, { recursive: true, force: true });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const floor = median(samples.get(cases[0].name));
const peer = median(samples.get(cases[1].name));
const rows = cases.map((c) => {
  const xs = samples.get(c.name);
  const m = median(xs);
  return `| ${c.name} | ${m.toFixed(0)} | ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} | ${(m / floor).toFixed(2)}x | ${(m / peer).toFixed(2)}x |`;
});
const table = [`Generation, whole process, ${RUNS} interleaved runs after a warm-up (node ${process.version}, ${process.platform}/${process.arch}):`, "", "| command | median ms | min–max ms | vs node -e 0 | vs openapi-typescript CLI |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
console.log(table);
