import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { SpecError } from "../load/errors.js";
import { toPointer } from "../load/pointer.js";
import { CONFIG_SUFFIX_NAME, OVERLAY_SUFFIXES, providerIdOf } from "../pipeline/inputs.js";
import { globFiles, isGlob } from "./glob.js";

/**
 * `tokenwright.config.json`: what a project generates, where to, and how it
 * is regenerated. Paths in it are relative to its own folder, the project
 * root; tokenwright runs from there whatever the working directory, so
 * banners and the manifest are the same however it is called. Only Node
 * built-ins here (the up-to-date check loads this).
 */
export const PROJECT_CONFIG_NAME = "tokenwright.config.json";

/** What the file says, checked. */
export interface ProjectConfig {
  /** Spec files or globs, relative to the config's folder. */
  readonly specs: readonly string[];
  /** The output folder, relative to the config's folder. */
  readonly out: string;
  /** The package.json script that runs `tokenwright generate`; banners and hints name `npm run <script>`. */
  readonly script?: string;
  /** As `--allow-remote`. */
  readonly allowRemote?: boolean;
  /** Per provider (its id: the spec's file name without extension), where its provider config and overlay are. */
  readonly providers?: Readonly<Record<string, ProviderFiles>>;
  /** Token stores to generate into `<out>/stores/` (see {@link STORES}). */
  readonly stores?: readonly StoreName[];
}

/**
 * The token stores a project can have generated into `<out>/stores/`: each
 * is the source file in `generator/stores/`, copied (formatted, under a
 * banner) so that it imports only the output's `runtime/` and the packages
 * the user installs (`ioredis`), never tokenwright.
 */
export const STORES = { redis: "redis-store.ts" } as const;
export type StoreName = keyof typeof STORES;
/** The output folder's subfolder the stores go to. */
export const STORES_FOLDER = "stores";

export interface ProviderFiles {
  /** A provider config file (default: `<spec>.tokenwright.json` beside the spec). */
  readonly config?: string;
  /** An OpenAPI Overlay file (default: `<spec>.overlay.yaml`, `.yml` or `.json` beside the spec). */
  readonly overlay?: string;
}

/** A loaded config: the file, its folder, and its settings. */
export interface LoadedProjectConfig {
  /** Absolute path of the config file. */
  readonly file: string;
  /** Absolute path of its folder: the project root. */
  readonly root: string;
  readonly config: ProjectConfig;
}

/** The nearest `tokenwright.config.json` at or above `from`, or undefined. */
export function findProjectConfig(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, PROJECT_CONFIG_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads and checks a config file; a problem is a SpecError (code `read` or `config`) naming the file and pointer. */
export function loadProjectConfig(file: string): LoadedProjectConfig {
  const absolute = resolve(file);
  const shown = displayFile(absolute);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch {
    throw new SpecError("read", shown, "", "cannot read the tokenwright config");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SpecError("config", shown, "", `invalid JSON: ${(error as Error).message}`);
  }
  return { file: absolute, root: dirname(absolute), config: checkProjectConfig(shown, value) };
}

/** The config file as messages name it: relative to the working directory when below it. */
function displayFile(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  return rel.startsWith("..") || isAbsolute(rel) ? absolute : rel.split(sep).join("/");
}

type Path = (string | number)[];

const SCRIPT_NAME = /^[A-Za-z0-9][A-Za-z0-9:._-]*$/;

export function checkProjectConfig(file: string, value: unknown): ProjectConfig {
  const fail = (path: Path, detail: string): never => {
    throw new SpecError("config", file, toPointer(path), detail);
  };
  const object = (path: Path, node: unknown, known: readonly string[]): Record<string, unknown> => {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return fail(path, "must be a JSON object");
    for (const key of Object.keys(node)) if (!known.includes(key)) fail([...path, key], `unknown setting ${JSON.stringify(key)}; known: ${known.join(", ")}`);
    return node as Record<string, unknown>;
  };
  const relativePath = (path: Path, node: unknown, what: string): string => {
    if (typeof node !== "string" || node.trim() === "" || node.includes("\0")) return fail(path, `must be ${what}, relative to this file`);
    if (isAbsolute(node) || /^[A-Za-z]:[\\/]/.test(node)) fail(path, `must be relative to this file, not absolute, so the project builds the same on every machine`);
    return node;
  };
  const root = object([], value, ["$schema", "specs", "out", "script", "allowRemote", "providers", "stores"]);
  if (root["$schema"] !== undefined && typeof root["$schema"] !== "string") fail(["$schema"], "must be a string");
  const specs = root["specs"];
  if (!Array.isArray(specs) || specs.length === 0) return fail(["specs"], "must list at least one spec file or glob (\"specs/*.yaml\")");
  specs.forEach((spec, i) => relativePath(["specs", i], spec, "a spec file or a glob such as \"specs/*.yaml\""));
  const out = relativePath(["out"], root["out"] ?? fail(["out"], "is required: the folder to generate into (\"src/generated\")"), "a folder");
  const config: { -readonly [K in keyof ProjectConfig]: ProjectConfig[K] } = { specs: specs as string[], out };
  const script = root["script"];
  if (script !== undefined) {
    if (typeof script !== "string" || !SCRIPT_NAME.test(script)) fail(["script"], "must be the name of a package.json script, such as \"generate:tokens\"");
    config.script = script as string;
  }
  const allowRemote = root["allowRemote"];
  if (allowRemote !== undefined) {
    if (typeof allowRemote !== "boolean") fail(["allowRemote"], "must be true or false");
    config.allowRemote = allowRemote as boolean;
  }
  const stores = root["stores"];
  if (stores !== undefined) {
    const known = Object.keys(STORES);
    if (!Array.isArray(stores)) fail(["stores"], `must be a list of stores to generate: ${known.map((k) => JSON.stringify(k)).join(", ")}`);
    (stores as unknown[]).forEach((store, i) => {
      if (typeof store !== "string" || !Object.hasOwn(STORES, store)) fail(["stores", i], `unknown store ${JSON.stringify(store)}; known: ${known.join(", ")}`);
      if ((stores as unknown[]).indexOf(store) !== i) fail(["stores", i], `${JSON.stringify(store)} is listed twice`);
    });
    config.stores = stores as StoreName[];
  }
  const providers = root["providers"];
  if (providers !== undefined) {
    const node = object(["providers"], providers, Object.keys(providers as object));
    const entries: [string, ProviderFiles][] = [];
    for (const [id, entry] of Object.entries(node)) {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) fail(["providers", id], "must be a provider id: a spec's file name in lower case with dashes (\"commerce-layer\")");
      const settings = object(["providers", id], entry, ["config", "overlay"]);
      const files: { config?: string; overlay?: string } = {};
      if (settings["config"] !== undefined) files.config = relativePath(["providers", id, "config"], settings["config"], `a provider config file ("specs/${id}${CONFIG_SUFFIX_NAME}")`);
      if (settings["overlay"] !== undefined) files.overlay = relativePath(["providers", id, "overlay"], settings["overlay"], `an OpenAPI Overlay file ("specs/${id}${OVERLAY_SUFFIXES[0]}")`);
      entries.push([id, files]);
    }
    // fromEntries keeps an id spelled "__proto__" as data (the id check refuses it anyway).
    config.providers = Object.fromEntries(entries);
  }
  return config;
}

/** A spec of the project and the files that go with it, all relative to the project root. */
export interface ProjectSpec {
  readonly spec: string;
  readonly provider: string;
  /** A provider config the project config names (must exist). */
  readonly config?: string;
  /** An overlay the project config names (must exist). */
  readonly overlay?: string;
}

/** Spec-looking files a glob may match: `.yaml`, `.yml`, `.json`, except provider configs, overlays and tokenwright's own config. */
function isSpecFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return /\.(ya?ml|json)$/i.test(name) && !name.endsWith(CONFIG_SUFFIX_NAME) && !OVERLAY_SUFFIXES.some((suffix) => name.endsWith(suffix)) && name !== PROJECT_CONFIG_NAME && name !== "package.json" && name !== "package-lock.json";
}

/**
 * The config's specs, resolved against the project root: each literal file
 * must exist; globs may match nothing, but all together must match something.
 * Files below the output folder are never specs. Two specs that would make
 * the same provider, or a `providers` entry that names no spec (or a file
 * that is not there), are config errors.
 */
export function resolveProjectSpecs(loaded: LoadedProjectConfig, file = displayFile(loaded.file)): ProjectSpec[] {
  const { root, config } = loaded;
  const outPrefix = posix(relative(root, resolve(root, config.out)));
  const underOut = (path: string) => posix(relative(root, resolve(root, path))) === outPrefix || posix(relative(root, resolve(root, path))).startsWith(`${outPrefix}/`);
  const byProvider = new Map<string, { spec: string; index: number }>();
  config.specs.forEach((pattern, index) => {
    let matched: string[];
    if (isGlob(pattern)) {
      matched = globFiles(root, pattern, underOut).filter((path) => isSpecFile(path) && !underOut(path));
    } else {
      if (!isFileAt(resolve(root, pattern))) throw new SpecError("spec_not_found", file, toPointer(["specs", index]), `no such file: ${pattern} (relative to ${file})`);
      matched = [pattern];
    }
    for (const path of matched) {
      const spec = posix(relative(root, resolve(root, path))) || path;
      const provider = providerIdOf(spec);
      const other = byProvider.get(provider);
      if (other && other.spec !== spec) {
        throw new SpecError("config", file, toPointer(["specs", index]), `${other.spec} and ${spec} would both generate the provider "${provider}"; rename one or list one of them`);
      }
      byProvider.set(provider, { spec, index });
    }
  });
  if (byProvider.size === 0) throw new SpecError("spec_not_found", file, "/specs", `no spec matches ${config.specs.map((s) => JSON.stringify(s)).join(", ")} (relative to ${file})`);
  if ((config.stores?.length ?? 0) > 0 && byProvider.has(STORES_FOLDER)) {
    const spec = byProvider.get(STORES_FOLDER)!;
    throw new SpecError("config", file, toPointer(["specs", spec.index]), `${spec.spec} would generate the provider "${STORES_FOLDER}", whose folder the stores use; rename the spec`);
  }
  const providers = config.providers ?? {};
  for (const id of Object.keys(providers)) {
    if (!byProvider.has(id)) fail(["providers", id], `names no spec; the specs give ${[...byProvider.keys()].sort().join(", ")}`);
  }
  return [...byProvider.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([provider, { spec }]) => {
      const files = providers[provider];
      const entry: { spec: string; provider: string; config?: string; overlay?: string } = { spec, provider };
      for (const key of ["config", "overlay"] as const) {
        const path = files?.[key];
        if (path === undefined) continue;
        if (!isFileAt(resolve(root, path))) fail(["providers", provider, key], `no such file: ${path} (relative to ${file})`);
        entry[key] = posix(relative(root, resolve(root, path)));
      }
      return entry;
    });

  function fail(path: Path, detail: string): never {
    throw new SpecError("config", file, toPointer(path), detail);
  }
}

function posix(path: string): string {
  return path.split(sep).join("/");
}

function isFileAt(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
