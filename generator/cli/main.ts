#!/usr/bin/env node
import { resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { generate } from "../pipeline/generate.js";
import { UsageError, providerIdOf } from "../pipeline/inputs.js";
import { SpecError } from "../load/errors.js";
import { PROJECT_CONFIG_NAME, findProjectConfig, loadProjectConfig } from "../project/config.js";
import { SCRIPT_COMMAND, init } from "../project/init.js";
import { resolveInvocation, shownPath, type GenerateFlags, type Invocation } from "./invocation.js";
import { watchAndRun, type WatchTargets } from "./watch.js";

const HELP = `tokenwright: typed OAuth 2.0 token clients from OpenAPI documents

Usage:
  tokenwright init [--spec <glob>]... [--out <dir>] [--script <name>]
  tokenwright generate [--config <file>] [--spec <file>]... [--out <dir>] [--check | --watch] [--allow-remote]
  tokenwright explain <spec> [--json] [--allow-remote]

Commands:
  init            write a starter tokenwright.config.json here (never overwriting one)
                  and add a "generate:tokens" script running \`tokenwright generate\` to package.json
  generate        generate what tokenwright.config.json names (the nearest one at or
                  above this folder); without one, every spec in specs/ into generated/
  explain         print what the generator would build from a spec, and why

Options:
  --config <file> the tokenwright.config.json to use, instead of searching for one
  --spec <file>   a spec to generate (repeatable), instead of the config's specs or specs/;
                  init: a spec file or glob for the config (default: specs/*.{yaml,yml,json})
  --out <dir>     output folder, instead of the config's out (default: generated)
  --script <name> init: the package.json script to add (default: generate:tokens)
  --check         write nothing; exit 1 and name what is stale when the output differs
                  from what the specs would produce (for CI)
  --watch         generate, then again whenever a spec, overlay, provider config or the
                  config changes; errors are printed and the last good output kept
  --allow-remote  let specs $ref public http(s) documents (never loopback, link-local
                  or private addresses); by default only files in the spec's folder
  --json          explain: print the model as JSON, for tools
  -h, --help      show this help

Exit codes: 0 done or up to date, 1 a spec cannot be generated or output is stale, 2 usage error.
`;

/** Changes of a burst closer than this cause one run in --watch. */
const WATCH_DEBOUNCE_MS = 150;

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        spec: { type: "string", multiple: true },
        out: { type: "string" },
        config: { type: "string" },
        script: { type: "string" },
        check: { type: "boolean" },
        watch: { type: "boolean" },
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
  const misplaced = (names: readonly (keyof typeof values)[]) => names.filter((name) => values[name] !== undefined).map((name) => `--${name}`);
  const refuse = (message: string) => {
    process.stderr.write(`tokenwright: ${message}\n\n${HELP}`);
    return 2;
  };
  if (command === "explain") {
    const wrong = misplaced(["spec", "out", "config", "script", "check", "watch"]);
    if (wrong.length > 0) return refuse(`explain does not take ${wrong.join(", ")}`);
    return explainCommand(extra, values.json === true, values["allow-remote"] === true);
  }
  if (command === "init") {
    const wrong = misplaced(["config", "check", "watch", "allow-remote", "json"]);
    if (extra.length > 0) return refuse(`unknown command ${JSON.stringify([command, ...extra].join(" "))}`);
    if (wrong.length > 0) return refuse(`init does not take ${wrong.join(", ")}`);
    return initCommand(values.spec, values.out, values.script);
  }
  if (command !== "generate" || extra.length > 0) return refuse(`unknown command ${JSON.stringify([command, ...extra].join(" "))}`);
  const wrong = misplaced(["script", "json"]);
  if (wrong.length > 0) return refuse(`generate does not take ${wrong.join(", ")}`);
  if (values.check && values.watch) return refuse("--check and --watch do not go together");
  const flags: GenerateFlags = { spec: values.spec, out: values.out, config: values.config, check: values.check === true, allowRemote: values["allow-remote"] === true };
  if (values.watch) return watchCommand(flags, argv);
  const cwd = process.cwd();
  let invocation: Invocation;
  try {
    invocation = resolveInvocation(flags, cwd, argv, process.env);
  } catch (error) {
    return reportFailure(error, undefined);
  }
  process.chdir(invocation.root);
  const out = shownPath(invocation.outAbsolute, cwd);
  try {
    const report = await generate({ ...invocation.options, log: (line) => process.stdout.write(`  ${line}\n`) });
    if (flags.check) {
      if (report.stale.length === 0) {
        process.stdout.write(`tokenwright: ${out}/ is up to date\n`);
        return 0;
      }
      process.stderr.write(`tokenwright: ${out}/ is stale:\n${report.stale.map((s) => `  ${s.name}: ${s.reason}\n`).join("")}Run \`${invocation.regenerateCommand}\` and commit the result.\n`);
      return 1;
    }
    process.stdout.write(report.written.length === 0 && report.stale.length === 0 ? `tokenwright: ${out}/ is up to date\n` : `tokenwright: wrote ${out}/\n`);
    return 0;
  } catch (error) {
    return reportFailure(error, out);
  }
}

/** A usage error (2), a bad config or spec (1, each problem with its file, pointer and code), or a bug (rethrown). */
function reportFailure(error: unknown, out: string | undefined): number {
  if (error instanceof UsageError) {
    process.stderr.write(`tokenwright: ${error.message}\n`);
    return 2;
  }
  const problems = error instanceof SpecError ? [error] : (error as { problems?: readonly SpecError[] }).problems;
  if (Array.isArray(problems)) {
    const head = out === undefined ? "tokenwright: cannot generate:" : `tokenwright: cannot generate; ${out}/ was left as it was:`;
    process.stderr.write(`${head}\n${problems.map((p: SpecError) => `  ${p.message} [${p.code}]\n`).join("")}`);
    return 1;
  }
  throw error;
}

/**
 * `generate --watch`: a run now and after every change; a failed run prints
 * its problems and leaves the last good output, and watching goes on until
 * Ctrl-C (or SIGTERM).
 */
async function watchCommand(flags: GenerateFlags, argv: readonly string[]): Promise<number> {
  const cwd = process.cwd();
  let last: WatchTargets | undefined;
  let announced = false;
  const watcher = watchAndRun(async () => {
    let targets: WatchTargets;
    try {
      const invocation = resolveInvocation(flags, cwd, argv, process.env);
      if (process.cwd() !== invocation.root) process.chdir(invocation.root);
      const outAbsolute = invocation.outAbsolute;
      targets = {
        ...invocation.watch,
        ignore: (path) => path === outAbsolute || path.startsWith(`${outAbsolute}${sep}`) || path.startsWith(`${outAbsolute}.tokenwright-`),
      };
      const out = shownPath(outAbsolute, cwd);
      try {
        const report = await generate({ ...invocation.options, log: (line) => process.stdout.write(`  ${line}\n`) });
        process.stdout.write(report.written.length === 0 && report.stale.length === 0 ? `tokenwright: ${out}/ is up to date\n` : `tokenwright: wrote ${out}/\n`);
      } catch (error) {
        reportOrLog(error, out);
      }
    } catch (error) {
      // The config itself is broken (or gone): watch it and what was watched before.
      reportOrLog(error, undefined);
      const configFile = flags.config !== undefined ? resolve(cwd, flags.config) : findProjectConfig(cwd);
      targets = {
        files: [...(last?.files ?? []), ...(configFile !== undefined ? [configFile] : [])],
        dirs: [...(last?.dirs ?? []), cwd],
        deepDirs: last?.deepDirs ?? [],
        ignore: last?.ignore ?? (() => false),
      };
    }
    last = targets;
    if (!announced) {
      announced = true;
      process.stdout.write("tokenwright: watching for changes (Ctrl-C to stop)\n");
    }
    return targets;
  }, WATCH_DEBOUNCE_MS);
  await new Promise<void>((done) => {
    const stop = () => {
      watcher.close();
      done();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}

function reportOrLog(error: unknown, out: string | undefined): void {
  try {
    reportFailure(error, out);
  } catch (bug) {
    process.stderr.write(`tokenwright: internal error (please report it): ${bug instanceof Error ? (bug.stack ?? bug.message) : String(bug)}\n`);
  }
}

/** `tokenwright init`: a starter config here, and the script in package.json. */
function initCommand(specs: readonly string[] | undefined, out: string | undefined, script: string | undefined): number {
  const result = init({ dir: process.cwd(), ...(specs !== undefined ? { specs } : {}), ...(out !== undefined ? { out } : {}), ...(script !== undefined ? { script } : {}) });
  if (!result.ok) {
    process.stderr.write(`tokenwright: ${result.message}\n`);
    return 1;
  }
  const { config } = result;
  const run = `npm run ${config.script!}`;
  process.stdout.write(`tokenwright: wrote ${PROJECT_CONFIG_NAME} (${config.specs.join(", ")} -> ${config.out}/)\n`);
  if (result.script === "added") process.stdout.write(`tokenwright: added the script "${config.script!}" to package.json\n`);
  if (result.script === "no-package-json") process.stdout.write(`tokenwright: no package.json here; add "${config.script!}": "${SCRIPT_COMMAND}" to your scripts, or run \`npx ${SCRIPT_COMMAND}\`\n`);
  process.stdout.write(`Next: put your providers' OpenAPI documents in ${config.specs[0]!.split("/")[0]!}/ and run \`${run}\` (in CI: \`${run} -- --check\`).\n`);
  return 0;
}

/** `tokenwright explain <spec>`: the model, for a person or (`--json`) a tool. Loads no TypeScript. */
async function explainCommand(args: readonly string[], json: boolean, allowRemote: boolean): Promise<number> {
  if (args.length !== 1) {
    process.stderr.write(`tokenwright: explain takes exactly one spec file\n\n${HELP}`);
    return 2;
  }
  const { explainSpec, explanationText } = await import("./explain.js");
  try {
    const project = projectSettingsFor(args[0]!);
    const model = await explainSpec(args[0]!, allowRemote || project.allowRemote, project.named);
    process.stdout.write(json ? `${JSON.stringify(model, null, 2)}\n` : explanationText(model));
    return 0;
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: error.code, file: error.file, pointer: error.pointer, detail: error.detail } }, null, 2)}\n`);
    process.stderr.write(`tokenwright: cannot explain ${args[0]}: ${error.message}\n`);
    return 1;
  }
}

/**
 * What the nearest tokenwright.config.json says about a spec: the provider
 * config and overlay it names for it (as paths from here), and allowRemote.
 * Throws SpecError for a broken config.
 */
function projectSettingsFor(spec: string): { named: { config?: string; overlay?: string }; allowRemote: boolean } {
  const file = findProjectConfig(process.cwd());
  if (file === undefined) return { named: {}, allowRemote: false };
  const { root, config } = loadProjectConfig(file);
  const id = providerIdOf(spec);
  const files = config.providers !== undefined && Object.hasOwn(config.providers, id) ? config.providers[id] : undefined;
  const here = (path: string) => shownPath(resolve(root, path), process.cwd());
  return {
    named: { ...(files?.config !== undefined ? { config: here(files.config) } : {}), ...(files?.overlay !== undefined ? { overlay: here(files.overlay) } : {}) },
    allowRemote: config.allowRemote === true,
  };
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
