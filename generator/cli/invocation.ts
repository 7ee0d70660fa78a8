import { existsSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { UsageError } from "../pipeline/inputs.js";
import type { GenerateOptions } from "../pipeline/generate.js";
import { PROJECT_CONFIG_NAME, findProjectConfig, loadProjectConfig, resolveProjectSpecs, type LoadedProjectConfig } from "../project/config.js";
import { expandBraces, globBase, globIsDeep } from "../project/glob.js";

/** The generate flags, as given. */
export interface GenerateFlags {
  readonly spec?: readonly string[] | undefined;
  readonly out?: string | undefined;
  readonly config?: string | undefined;
  readonly check: boolean;
  readonly allowRemote: boolean;
}

/** What one generate run does: where it runs from, the options, and what it tells the user. */
export interface Invocation {
  /** The folder to run in: the config's folder (so paths are the project's, wherever the command was typed), else the working directory. */
  readonly root: string;
  readonly config: LoadedProjectConfig | undefined;
  readonly options: Omit<GenerateOptions, "log">;
  /** The user's own command to regenerate, for the --check hint. */
  readonly regenerateCommand: string;
  /** What a watcher looks at: files, folders whose entries matter, folders to look into recursively; absolute. */
  readonly watch: { readonly files: readonly string[]; readonly dirs: readonly string[]; readonly deepDirs: readonly string[] };
  /** The output folder, absolute (a watcher ignores it). */
  readonly outAbsolute: string;
}

/**
 * Decides what `generate` reads and writes. With a tokenwright.config.json
 * (`--config`, or the nearest one at or above the working directory), its
 * specs, out, script and providers apply, and the run happens from its folder;
 * `--spec` and `--out` still override. Without one, the flags (or `specs/`
 * into `generated/`) as always. Throws UsageError or SpecError (a bad config).
 */
export function resolveInvocation(flags: GenerateFlags, cwd: string, argv: readonly string[], env: NodeJS.ProcessEnv): Invocation {
  let configFile: string | undefined;
  if (flags.config !== undefined) {
    configFile = resolve(cwd, flags.config);
    if (!existsSync(configFile)) throw new UsageError(`no config file ${flags.config}`);
  } else configFile = findProjectConfig(cwd);
  if (configFile === undefined) {
    const defaultRun = flags.spec === undefined && flags.out === undefined;
    const specs = (flags.spec ?? []).map((s) => resolve(cwd, s));
    const out = resolve(cwd, flags.out ?? "generated");
    return {
      root: cwd,
      config: undefined,
      options: { specs, specsDir: resolve(cwd, "specs"), outDir: out, check: flags.check, defaultRun, allowRemote: flags.allowRemote },
      regenerateCommand: ownCommand(env) ?? (defaultRun ? "npm run generate" : commandLine(argv)),
      watch: {
        files: specs,
        dirs: specs.length > 0 ? specs.map((s) => dirname(s)) : [resolve(cwd, "specs")],
        deepDirs: [],
      },
      outAbsolute: out,
    };
  }

  const loaded = loadProjectConfig(configFile);
  const { root, config } = loaded;
  const projectSpecs = resolveProjectSpecs(loaded).map((s) => resolve(root, s.spec));
  const specs = flags.spec !== undefined ? [...new Set(flags.spec.map((s) => resolve(cwd, s)))] : projectSpecs;
  const out = flags.out !== undefined ? resolve(cwd, flags.out) : resolve(root, config.out);
  // Flags that say what the config says are no override: the run is the config's own.
  const overridden = out !== resolve(root, config.out) || specs.length !== projectSpecs.length || specs.some((s) => !projectSpecs.includes(s));
  const companions = Object.fromEntries(
    Object.entries(config.providers ?? {}).map(([id, files]) => [
      id,
      { ...(files.config !== undefined ? { config: resolve(root, files.config) } : {}), ...(files.overlay !== undefined ? { overlay: resolve(root, files.overlay) } : {}) },
    ]),
  );
  // What regenerates the output, as banners say it: the config's script, else the CLI run from the project root.
  const named =
    config.script !== undefined
      ? `npm run ${config.script}`
      : basename(configFile) === PROJECT_CONFIG_NAME
        ? "npx tokenwright generate"
        : `npx tokenwright generate --config ${quote(relative(root, configFile).split(sep).join("/"))}`;
  const patterns = config.specs.flatMap(expandBraces);
  return {
    root,
    config: loaded,
    options: {
      specs,
      specsDir: resolve(root, "specs"),
      outDir: out,
      check: flags.check,
      defaultRun: false,
      ...(overridden ? {} : { command: named, complete: true }),
      companions,
      allowRemote: flags.allowRemote || config.allowRemote === true,
      ...(config.stores !== undefined ? { stores: config.stores } : {}),
    },
    regenerateCommand: overridden ? (ownCommand(env) ?? commandLine(argv)) : named,
    watch: {
      files: [configFile, ...specs, ...Object.values(companions).flatMap((c) => Object.values(c))],
      dirs: [root, ...specs.map((s) => dirname(s)), ...patterns.map((p) => resolve(root, globBase(p)))],
      deepDirs: patterns.filter(globIsDeep).map((p) => resolve(root, globBase(p))),
    },
    outAbsolute: out,
  };
}

/**
 * The npm script this process runs as, when it runs `tokenwright generate`
 * without `--check` (`npm run tokens -- --check`): that is the user's own way
 * to regenerate.
 */
function ownCommand(env: NodeJS.ProcessEnv): string | undefined {
  const event = env["npm_lifecycle_event"];
  const script = env["npm_lifecycle_script"];
  if (event === undefined || script === undefined || event === "npx") return undefined;
  if (!/\btokenwright(?:\.js)?\s+generate\b|cli\/main\.js\s+generate\b/.test(script) || /--check\b/.test(script)) return undefined;
  return `npm run ${event}`;
}

/** `npx tokenwright <the arguments, less --check>`, quoted for a POSIX shell where needed. */
function commandLine(argv: readonly string[]): string {
  return ["npx tokenwright", ...argv.filter((a) => a !== "--check").map(quote)].join(" ");
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A path as messages show it: relative to `from` (the folder the command was typed in). */
export function shownPath(path: string, from: string): string {
  const rel = relative(from, path);
  if (rel === "") return ".";
  return isAbsolute(rel) ? path : rel.split(sep).join("/");
}
