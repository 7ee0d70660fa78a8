// In-process stage timings for the five providers: load (parse, ref check,
// validate), model, wire types (openapi-typescript's transform), emit
// (ts-morph print + README). One warm-up pass, then RUNS passes; medians in ms.
//
//   node bench/stages.mjs [runs]
//
// With BENCH_FIGURES=<dir> it also writes <dir>/stages.json for bench/run.mjs.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const RUNS = Number(process.argv[2] ?? 15);
const { loadModelInput, specInputFiles } = await import("../dist/generator/pipeline/model-providers.js");
const { buildModel } = await import("../dist/generator/model/index.js");
const { Printer, emitProvider, wireTypes } = await import("../dist/generator/emit/index.js");

const specs = readdirSync("specs").filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith(".tokenwright.json")).map((f) => `specs/${f}`);
const samples = { load: [], model: [], wire: [], emit: [] };
const printer = new Printer();
for (let pass = 0; pass <= RUNS; pass++) {
  const totals = { load: 0, model: 0, wire: 0, emit: 0 };
  for (const file of specs) {
    let t = performance.now();
    const input = await loadModelInput(specInputFiles(file));
    totals.load += performance.now() - t;
    t = performance.now();
    const model = buildModel(input);
    totals.model += performance.now() - t;
    t = performance.now();
    const wire = await wireTypes(model.wireDocument);
    totals.wire += performance.now() - t;
    t = performance.now();
    emitProvider(model, wire, "npm run generate", printer);
    totals.emit += performance.now() - t;
  }
  if (pass > 0) for (const k of Object.keys(samples)) samples[k].push(totals[k]);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lines = [
  "### Generation stages, in process",
  "",
  `tokenwright's stages for the ${specs.length} specs, one warm-up pass then ${RUNS} passes; medians. load: parse, ref check, validate; model; wire: openapi-typescript's transform; emit: ts-morph print + README.`,
  "",
  "| stage | median ms (all specs) | per spec |",
  "| --- | --- | --- |",
  ...Object.entries(samples).map(([k, xs]) => `| ${k} | ${median(xs).toFixed(1)} | ${(median(xs) / specs.length).toFixed(1)} |`),
];
console.log(lines.join("\n"));
if (process.env.BENCH_FIGURES) {
  writeFileSync(join(process.env.BENCH_FIGURES, "stages.json"), JSON.stringify(Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)])), null, 2));
}
