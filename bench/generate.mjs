// Whole-process generation timings, side by side with the tools users would
// pick instead, as ratios from one run (the machine is shared and noisy, so
// only ratios within a run mean anything). Every command runs once as a
// warm-up (file cache, V8 code cache), then RUNS times in interleaved rounds
// (order reversed every other round); tables show medians and min-max.
// Every run writes into a fresh folder under the OS temp dir; nothing is
// written into generated/.
//
// Then the output of each tool: bytes emitted and `tsc --noEmit` (strict)
// over it, also RUNS times after a warm-up, interleaved.
//
//   node bench/generate.mjs [runs]
//
// With BENCH_FIGURES=<dir> it also writes <dir>/generate.json for bench/run.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";

const RUNS = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 5); // BENCH_RUNS: for a quick smoke run only; the goals need >= 5
const node = process.execPath;
const tokenwright = "dist/generator/cli/main.js";
const openapiTs = "node_modules/openapi-typescript/bin/cli.js";
const heyApi = "node_modules/@hey-api/openapi-ts/bin/run.js";
const tsc = "node_modules/typescript/bin/tsc";
const scratch = mkdtempSync(join(tmpdir(), "tokenwright-bench-"));
const log = (line) => process.stderr.write(`  [generate] ${line}\n`);

const specs = readdirSync("specs")
  .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith(".tokenwright.json"))
  .sort()
  .map((f) => `specs/${f}`);
const SINGLE = "specs/asset.yaml"; // the one-spec figure the goal is measured against
if (!specs.includes(SINGLE)) throw new Error(`${SINGLE} is missing`);
// The corpus is moving into test/corpus/specs; until then it is in ../shared/corpus.
const corpusDir = ["test/corpus/specs", "../shared/corpus"].find((d) => existsSync(d));
const largest = corpusDir === undefined
  ? undefined
  : readdirSync(corpusDir)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .map((f) => ({ path: join(corpusDir, f), bytes: statSync(join(corpusDir, f)).size }))
      .sort((a, b) => b.bytes - a.bytes)[0];
const stem = (spec) => basename(spec).replace(/\.(ya?ml|json)$/, "");

function spawn(argv) {
  const started = process.hrtime.bigint();
  const result = spawnSync(node, argv, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}
function must(argv) {
  let r = spawn(argv);
  // Other engineers rebuild dist/ while this runs; a run caught mid-rebuild gets one more try.
  if (r.status !== 0) {
    log(`retrying once: node ${argv.join(" ")} exited ${r.status}`);
    spawnSync("sleep", ["2"]);
    r = spawn(argv);
  }
  if (r.status !== 0) throw new Error(`node ${argv.join(" ")} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return r.ms;
}
let fresh = 0;
const out = (label) => join(scratch, `${label}-${fresh++}`);
const lastOut = new Map(); // label -> output folder of the last run, for bytes and tsc

/**
 * Each case runs its processes and returns { total, parts }: total ms of the
 * case, parts per process where there are several (one process per spec).
 */
const cases = [
  { id: "floor", name: "`node -e 0` (floor)", processes: 1, run: () => ({ total: must(["-e", "0"]) }) },
  {
    id: "ots5",
    name: "openapi-typescript CLI, 5 specs, one process per spec",
    processes: specs.length,
    run: () => {
      const dir = out("ots5");
      mkdirSync(dir);
      lastOut.set("ots5", dir);
      const parts = {};
      for (const spec of specs) parts[spec] = must([openapiTs, spec, "-o", join(dir, `${stem(spec)}.ts`)]);
      return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts };
    },
  },
  {
    id: "hey5",
    name: "@hey-api/openapi-ts CLI, 5 specs, one process per spec",
    processes: specs.length,
    run: () => {
      const dir = out("hey5");
      lastOut.set("hey5", dir);
      const parts = {};
      for (const spec of specs) parts[spec] = must([heyApi, "-i", resolve(spec), "-o", join(dir, stem(spec)), "-s", "--no-log-file"]);
      return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts };
    },
  },
  {
    id: "hey1",
    name: "@hey-api/openapi-ts CLI, 5 specs in one process (`-i` ×5 `-o` ×5)",
    processes: 1,
    run: () => {
      const dir = out("hey1");
      return { total: must([heyApi, "-i", ...specs.map((s) => resolve(s)), "-o", ...specs.map((s) => join(dir, stem(s))), "-s", "--no-log-file"]) };
    },
  },
  {
    id: "tw1",
    name: "tokenwright generate, asset.yaml, fresh `--out`",
    processes: 1,
    run: () => ({ total: must([tokenwright, "generate", "--spec", SINGLE, "--out", out("tw1")]) }),
  },
  {
    id: "tw5",
    name: "tokenwright generate, 5 providers, fresh `--out`",
    processes: 1,
    run: () => {
      const dir = out("tw5");
      lastOut.set("tw5", dir);
      return { total: must([tokenwright, "generate", "--out", dir]) };
    },
  },
  // Other engineers may rebuild the generator while this runs, which makes
  // `stable` stale; a run that finds it so is repeated, so these two time a
  // real no-change run.
  {
    id: "twSame",
    name: "tokenwright generate, 5 providers, nothing changed",
    processes: 1,
    run: () => {
      const argv = [tokenwright, "generate", "--out", join(scratch, "stable")];
      let r = spawn(argv);
      if (r.status === 0 && !r.stdout.includes("is up to date")) r = spawn(argv);
      if (r.status !== 0) throw new Error(`no-change run exited ${r.status}: ${r.stderr}`);
      return { total: r.ms };
    },
  },
  {
    id: "twCheck",
    name: "tokenwright generate --check, 5 providers",
    processes: 1,
    run: () => {
      const argv = [tokenwright, "generate", "--check", "--out", join(scratch, "stable")];
      let r = spawn(argv);
      if (r.status === 1) {
        must([tokenwright, "generate", "--out", join(scratch, "stable")]);
        r = spawn(argv);
      }
      if (r.status !== 0) throw new Error(`--check exited ${r.status}: ${r.stderr}`);
      return { total: r.ms };
    },
  },
];

// The largest corpus spec: the two peers always; tokenwright unless it refuses the spec.
const big = { refused: undefined, cases: [] };
if (largest !== undefined) {
  big.cases.push(
    {
      id: "otsBig",
      name: "openapi-typescript CLI",
      run: () => {
        const dir = out("otsBig");
        mkdirSync(dir);
        lastOut.set("otsBig", dir);
        return { total: must([openapiTs, largest.path, "-o", join(dir, `${stem(largest.path)}.ts`)]) };
      },
    },
    {
      id: "heyBig",
      name: "@hey-api/openapi-ts CLI",
      run: () => {
        const dir = out("heyBig");
        lastOut.set("heyBig", dir);
        return { total: must([heyApi, "-i", resolve(largest.path), "-o", dir, "-s", "--no-log-file"]) };
      },
    },
  );
  const probe = spawn([tokenwright, "generate", "--spec", largest.path, "--out", out("twBig")]);
  if (probe.status === 0) {
    big.cases.push({
      id: "twBig",
      name: "tokenwright generate",
      run: () => {
        const dir = out("twBig");
        lastOut.set("twBig", dir);
        return { total: must([tokenwright, "generate", "--spec", largest.path, "--out", dir]) };
      },
    });
  } else {
    const reason = probe.stderr.split("\n").map((l) => l.trim()).filter(Boolean).slice(1, 2).join(" ") || `exit ${probe.status}`;
    big.refused = reason.replace(/^.*?#/, "#").replace(/\|/g, "\\|").slice(0, 160);
    log(`tokenwright refused ${largest.path}: ${big.refused}`);
  }
}

// The whole corpus in one process: every spec tokenwright generates (a refused
// spec fails the whole run by design, so refusals are found once and left out).
const corpusSpecs = corpusDir === undefined
  ? []
  : readdirSync(corpusDir)
      .filter((f) => /\.(json|ya?ml)$/.test(f) && !f.endsWith(".tokenwright.json"))
      .map((f) => join(corpusDir, f))
      .filter((f) => spawn([tokenwright, "generate", "--spec", f, "--out", out("probe")]).status === 0);
if (corpusSpecs.length > 0) {
  big.cases.push({
    id: "twCorpus",
    name: `tokenwright generate, the ${corpusSpecs.length} corpus specs it generates, one process`,
    run: () => ({ total: must([tokenwright, "generate", ...corpusSpecs.flatMap((f) => ["--spec", f]), "--out", out("twCorpus")]) }),
  });
}

// Warm-up, then the measured rounds. `stable` is the no-change target.
must([tokenwright, "generate", "--out", join(scratch, "stable")]);
const all = [...cases, ...big.cases];
const samples = new Map(all.map((c) => [c.id, []]));
const parts = new Map(all.map((c) => [c.id, {}]));
log(`warm-up: ${all.length} commands`);
for (const c of all) c.run();
for (let round = 0; round < RUNS; round++) {
  log(`round ${round + 1}/${RUNS}`);
  for (const c of round % 2 === 0 ? all : [...all].reverse()) {
    const r = c.run();
    samples.get(c.id).push(r.total);
    for (const [k, v] of Object.entries(r.parts ?? {})) (parts.get(c.id)[k] ??= []).push(v);
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const stat = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length });
const figures = { runs: RUNS, specs, single: SINGLE, cases: {}, largest: largest && { path: largest.path, bytes: largest.bytes, refused: big.refused, cases: {} }, corpusSpecs: corpusSpecs.length, outputs: {} };
for (const c of cases) figures.cases[c.id] = { name: c.name, processes: c.processes, ...stat(samples.get(c.id)) };
figures.cases.ots1 = { name: "openapi-typescript CLI, asset.yaml (one process)", processes: 1, ...stat(parts.get("ots5")[SINGLE]) };
figures.cases.hey1spec = { name: "@hey-api/openapi-ts CLI, asset.yaml (one process)", processes: 1, ...stat(parts.get("hey5")[SINGLE]) };
for (const c of big.cases) figures.largest.cases[c.id] = { name: c.name, ...stat(samples.get(c.id)) };
// The goal's ratio per round (both measured minutes apart at most), which a drifting load cancels better than a ratio of medians.
figures.pairedTw5VsOts1 = stat(samples.get("tw5").map((ms, i) => ms / parts.get("ots5")[SINGLE][i]));

// The goal itself, from adjacent pairs: the two commands back to back (order alternating), GOAL_PAIRS times. A
// burst of other work on this shared machine then hits both sides of a pair, and the median pair ratio is the figure.
const GOAL_PAIRS = Number(process.env.BENCH_GOAL_PAIRS ?? 15);
log(`goal: ${GOAL_PAIRS} adjacent pairs of tokenwright (5 providers) and openapi-typescript (asset.yaml)`);
const pairRuns = { tw5: [], ots1: [], ratios: [] };
for (let pair = 0; pair < GOAL_PAIRS; pair++) {
  const ours = () => must([tokenwright, "generate", "--out", out("pair-tw5")]);
  const peer = () => {
    const dir = out("pair-ots1");
    mkdirSync(dir);
    return must([openapiTs, SINGLE, "-o", join(dir, "asset.ts")]);
  };
  let tw5;
  let ots1;
  if (pair % 2 === 0) {
    tw5 = ours();
    ots1 = peer();
  } else {
    ots1 = peer();
    tw5 = ours();
  }
  pairRuns.tw5.push(tw5);
  pairRuns.ots1.push(ots1);
  pairRuns.ratios.push(tw5 / ots1);
}
figures.goalPairs = { pairs: GOAL_PAIRS, tw5: stat(pairRuns.tw5), ots1: stat(pairRuns.ots1), ratio: stat(pairRuns.ratios) };

// Output: bytes, then tsc --noEmit, strict, over each tool's output (one tsconfig per output).
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
const outputs = [
  { id: "tw5", name: "tokenwright, 5 providers (clients, types, runtime, READMEs, manifest)" },
  { id: "ots5", name: "openapi-typescript, 5 specs (types only)" },
  { id: "hey5", name: "@hey-api/openapi-ts, 5 specs (types, SDK, bundled client per spec)" },
  ...big.cases.filter((c) => c.id !== "twCorpus").map((c) => ({ id: c.id, name: `${c.name.replace(/ CLI$| generate$/, "")}, ${basename(largest.path)}` })),
];
const tsconfig = {
  compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true, noEmit: true, types: [] },
  include: ["**/*.ts"],
  // tokenwright's generated Redis store is Node code on the app's own ioredis; test/consumer typechecks it there.
  exclude: ["stores/**"],
};
const tscRuns = new Map();
for (const o of outputs) {
  const dir = lastOut.get(o.id);
  const files = walk(dir);
  o.files = files.length;
  o.bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  o.tsBytes = files.filter((f) => f.endsWith(".ts")).reduce((n, f) => n + statSync(f).size, 0);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
  tscRuns.set(o.id, []);
}
const tscOnce = (o) => spawnSync(node, [tsc, "-p", join(lastOut.get(o.id), "tsconfig.json")], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
log(`tsc --noEmit: warm-up and ${RUNS} rounds over ${outputs.length} outputs`);
for (const o of outputs) {
  const r = tscOnce(o);
  const errors = (r.stdout ?? "").split("\n").filter((l) => /error TS\d+/.test(l));
  o.tscErrors = errors.length;
  o.tscFirstError = errors[0] && relative(lastOut.get(o.id), errors[0].trim()).replace(/^(\.\.\/)+/, "").slice(0, 180);
  if (r.status !== 0 && errors.length === 0) o.tscFirstError = `tsc exited ${r.status}: ${(r.stderr ?? "").slice(0, 180)}`;
  o.tscPass = r.status === 0;
}
for (let round = 0; round < RUNS; round++) {
  for (const o of round % 2 === 0 ? outputs : [...outputs].reverse()) {
    const started = process.hrtime.bigint();
    tscOnce(o);
    tscRuns.get(o.id).push(Number(process.hrtime.bigint() - started) / 1e6);
  }
}
for (const o of outputs) figures.outputs[o.id] = { name: o.name, files: o.files, bytes: o.bytes, tsBytes: o.tsBytes, tsc: stat(tscRuns.get(o.id)), tscPass: o.tscPass, tscErrors: o.tscErrors, tscFirstError: o.tscFirstError };
rmSync(scratch, { recursive: true, force: true });

// Tables.
const ms = (x) => x.toFixed(0);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const floor = figures.cases.floor.median;
const peer = figures.cases.ots1.median;
const row = (c) => `| ${c.name} | ${c.processes} | ${ms(c.median)} | ${ms(c.min)}–${ms(c.max)} | ${(c.median / floor).toFixed(1)}x | ${(c.median / peer).toFixed(2)}x |`;
const order = ["floor", "ots1", "ots5", "hey1spec", "hey5", "hey1", "tw1", "tw5", "twSame", "twCheck"];
const lines = [
  `### Generation, whole process`,
  "",
  `${RUNS} interleaved runs after a warm-up; each run writes into a fresh folder in the OS temp dir. The peers run as their users run them, \`node <bin> …\`; tokenwright as \`node dist/generator/cli/main.js generate …\` (what \`npm run generate\` runs, without npm's own start-up). The one-spec openapi-typescript and hey-api rows are the asset.yaml process within the 5-spec runs.`,
  "",
  "| command | processes | median ms | min–max ms | vs `node -e 0` | vs openapi-typescript CLI on asset.yaml |",
  "| --- | --- | --- | --- | --- | --- |",
  ...order.map((id) => row(figures.cases[id])),
];
if (figures.largest) {
  const L = figures.largest;
  const otsBig = L.cases.otsBig.median;
  lines.push(
    "",
    `### Generation, the largest corpus spec: ${basename(L.path)} (${(L.bytes / 1e6).toFixed(2)} MB, from \`${corpusDir}\`)`,
    "",
    "| command | median ms | min–max ms | vs openapi-typescript CLI |",
    "| --- | --- | --- | --- |",
    ...Object.entries(L.cases)
      .filter(([id]) => id !== "twCorpus")
      .map(([, c]) => `| ${c.name} | ${ms(c.median)} | ${ms(c.min)}–${ms(c.max)} | ${(c.median / otsBig).toFixed(2)}x |`),
    ...(L.refused !== undefined ? [`| tokenwright generate | refused (not yet supported): ${L.refused} | | |`] : []),
  );
  const small = figures.cases.tw1;
  const rows = [L.cases.twBig && ["the largest spec", L.cases.twBig], L.cases.twCorpus && [`the whole corpus (${figures.corpusSpecs} specs)`, L.cases.twCorpus]].filter(Boolean);
  if (rows.length > 0) {
    lines.push(
      "",
      `### Generation: a whole-API spec against a small one`,
      "",
      `tokenwright slices each document to its token operation before any type generation, so a whole-API document should cost little more than a small one (goal: the largest under 3x a small spec). Small spec: ${basename(SINGLE)}, ${(statSync(SINGLE).size / 1e3).toFixed(0)} KB.`,
      "",
      "| tokenwright generate | median ms | min–max ms | vs one small spec |",
      "| --- | --- | --- | --- |",
      `| one small spec (${basename(SINGLE)}) | ${ms(small.median)} | ${ms(small.min)}–${ms(small.max)} | 1.00x |`,
      ...rows.map(([name, c]) => `| ${name} | ${ms(c.median)} | ${ms(c.min)}–${ms(c.max)} | ${(c.median / small.median).toFixed(2)}x |`),
    );
  }
}
lines.push(
  "",
  `### Output: bytes emitted and \`tsc --noEmit\``,
  "",
  `Each output gets its own tsconfig: \`strict\`, target ES2022, module NodeNext, skipLibCheck, no @types. \`tsc\` runs ${RUNS} times per output after a warm-up, interleaved. openapi-typescript emits types only; hey-api emits types, an SDK and its fetch client into every output folder; tokenwright emits a client, types and wire types per provider plus one shared runtime.`,
  "",
  "| output | files | bytes (all) | bytes (.ts) | tsc median ms | min–max ms | tsc result |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...Object.values(figures.outputs).map(
    (o) => `| ${o.name} | ${o.files} | ${kb(o.bytes)} | ${kb(o.tsBytes)} | ${ms(o.tsc.median)} | ${ms(o.tsc.min)}–${ms(o.tsc.max)} | ${o.tscPass ? "pass" : `fail, ${o.tscErrors} error(s); first: \`${(o.tscFirstError ?? "").replace(/\|/g, "\\|").replace(/`/g, "'")}\``} |`,
  ),
);
if (figures.largest?.refused !== undefined) lines.push(`| tokenwright, ${basename(figures.largest.path)} | refused (not yet supported) | | | | | |`);
console.log(lines.join("\n"));
if (process.env.BENCH_FIGURES) writeFileSync(join(process.env.BENCH_FIGURES, "generate.json"), JSON.stringify(figures, null, 2));
