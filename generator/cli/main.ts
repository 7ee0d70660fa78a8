#!/usr/bin/env node
import { parseArgs } from "node:util";
import { UsageError, generate } from "../generate.js";
import { SpecError } from "../load/errors.js";

const HELP = `tokenwright: typed OAuth 2.0 token clients from OpenAPI documents

Usage:
  tokenwright generate [--spec <file>]... [--out <dir>] [--check] [--allow-remote]
  tokenwright explain <spec> [--json] [--allow-remote]

Options:
  --spec <file>   a spec to generate (repeatable); default: every .yaml/.yml/.json in specs/
  --out <dir>     output folder (default: generated)
  --check         write nothing; exit 1 and name what is stale when <dir> differs
                  from what the specs would produce (for CI)
  --allow-remote  let specs $ref public http(s) documents (never loopback, link-local
                  or private addresses); by default only files in the spec's folder
  --json          explain: print the model as JSON, for tools
  -h, --help      show this help

Exit codes: 0 done or up to date, 1 a spec cannot be generated or output is stale, 2 usage error.
`;

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        spec: { type: "string", multiple: true },
        out: { type: "string" },
        check: { type: "boolean" },
        "allow-remote": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    process.stderr.write(`tokenwright: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command = "generate", ...extra] = positionals;
  if (command === "explain") return explainCommand(extra, values.json === true, values["allow-remote"] === true);
  if (command !== "generate" || extra.length > 0) {
    process.stderr.write(`tokenwright: unknown command ${JSON.stringify([command, ...extra].join(" "))}\n\n${HELP}`);
    return 2;
  }
  const outDir = values.out ?? "generated";
  try {
    const report = await generate({
      specs: values.spec ?? [],
      specsDir: "specs",
      outDir,
      check: values.check === true,
      defaultRun: values.spec === undefined && values.out === undefined,
      allowRemote: values["allow-remote"] === true,
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
    if (values.check) {
      if (report.stale.length === 0) {
        process.stdout.write(`tokenwright: ${outDir}/ is up to date\n`);
        return 0;
      }
      process.stderr.write(`tokenwright: ${outDir}/ is stale:\n${report.stale.map((s) => `  ${s.name}: ${s.reason}\n`).join("")}Run \`npm run generate\` and commit the result.\n`);
      return 1;
    }
    process.stdout.write(report.written.length === 0 && report.stale.length === 0 ? `tokenwright: ${outDir}/ is up to date\n` : `tokenwright: wrote ${outDir}/\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`tokenwright: ${error.message}\n`);
      return 2;
    }
    const problems = (error as { problems?: readonly Error[] }).problems;
    if (Array.isArray(problems)) {
      process.stderr.write(`tokenwright: cannot generate; ${outDir}/ was left as it was:\n${problems.map((p) => `  ${p.message}\n`).join("")}`);
      return 1;
    }
    throw error;
  }
}

/** `tokenwright explain <spec>`: the model, for a person or (`--json`) a tool. Loads no TypeScript. */
async function explainCommand(args: readonly string[], json: boolean, allowRemote: boolean): Promise<number> {
  if (args.length !== 1) {
    process.stderr.write(`tokenwright: explain takes exactly one spec file\n\n${HELP}`);
    return 2;
  }
  const { explainSpec, explanationText } = await import("./explain.js");
  try {
    const model = await explainSpec(args[0]!, allowRemote);
    process.stdout.write(json ? `${JSON.stringify(model, null, 2)}\n` : explanationText(model));
    return 0;
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: error.code, file: error.file, pointer: error.pointer, detail: error.detail } }, null, 2)}\n`);
    process.stderr.write(`tokenwright: cannot explain ${args[0]}: ${error.message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tokenwright: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);
