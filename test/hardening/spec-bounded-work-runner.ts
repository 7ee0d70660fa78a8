/**
 * Child process for spec-bounded-work.test.ts. Generates each spec named on
 * the command line (load -> model -> wire types -> emit) in this process and
 * prints one JSON line per spec, so the test can kill a run that hangs and
 * read this process's own time and memory figures.
 *
 *   node --import tsx test/hardening/spec-bounded-work-runner.ts <outDir> <spec>...
 *
 * Emitted files go below <outDir>/<provider>/, the runtime below <outDir>/runtime/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { emitProvider, runtimeFiles, wireTypes } from "../../generator/emit/index.js";
import { SpecError, loadSpec } from "../../generator/load/index.js";
import { buildModel } from "../../generator/model/index.js";

/** One line of this runner's output. */
export interface RunnerLine {
  readonly file: string;
  readonly outcome: "generated" | "refused" | "crashed";
  readonly provider?: string;
  readonly code?: string;
  readonly message?: string;
  /** Wall time of this spec alone. */
  readonly ms: number;
  /** Of which loading (parse, $ref check, validation). */
  readonly loadMs?: number;
  readonly rssBeforeMb: number;
  /** Peak resident set size of the whole process so far (getrusage maxrss). */
  readonly maxRssMb: number;
  readonly heapUsedBeforeMb: number;
  readonly heapUsedAfterMb: number;
}

const MB = 1024 * 1024;
const [outDir, ...specs] = process.argv.slice(2);
if (outDir === undefined) throw new Error("usage: spec-bounded-work-runner.ts <outDir> <spec>...");

const write = (path: string, content: string): void => {
  const full = join(outDir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
};

for (const file of specs) {
  const before = process.memoryUsage();
  const started = performance.now();
  let result: Pick<RunnerLine, "outcome" | "provider" | "code" | "message" | "loadMs">;
  try {
    const spec = await loadSpec(file);
    const loadMs = performance.now() - started;
    const model = buildModel({ spec });
    const files = emitProvider(model, await wireTypes(model.wireDocument), "npx tokenwright generate");
    for (const emitted of files) write(emitted.path, emitted.content);
    result = { outcome: "generated", provider: model.provider, loadMs };
  } catch (error) {
    result =
      error instanceof SpecError
        ? { outcome: "refused", code: error.code, message: error.message }
        : { outcome: "crashed", message: error instanceof Error ? `${error.name}: ${error.message} ${(error.stack ?? "").split("\n").slice(1, 4).join(" ").replace(/\s+/g, " ")}` : String(error) };
  }
  const ms = performance.now() - started;
  const line: RunnerLine = {
    file,
    ...result,
    ms,
    rssBeforeMb: before.rss / MB,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapUsedBeforeMb: before.heapUsed / MB,
    heapUsedAfterMb: process.memoryUsage().heapUsed / MB,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
for (const emitted of runtimeFiles("npx tokenwright generate")) write(emitted.path, emitted.content);
