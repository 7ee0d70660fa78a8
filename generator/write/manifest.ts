import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../package-root.js";

/**
 * `manifest.json` in the output folder: content hashes of every input and
 * output. It lets `generate` skip providers whose inputs did not change and
 * `--check` detect a stale or hand-edited tree, both without loading
 * TypeScript, ts-morph or openapi-typescript. Only Node built-ins here.
 */
export interface Manifest {
  readonly tokenwright: 1;
  /** Hash of the generator's own sources, templates and emitting libraries. */
  readonly generator: string;
  /** The command the runtime's banners name: a record, not an input (how generate was called never makes output stale). */
  readonly runtimeCommand: string;
  readonly runtime: Readonly<Record<string, string>>;
  readonly providers: Readonly<Record<string, ProviderEntry>>;
  /** The stores the config asks for (`"stores"`), when it asks for any. */
  readonly stores?: StoresEntry;
}

/** The generated stores: what they were made from, and what was written. */
export interface StoresEntry {
  /** Hash of the store sources (`generator/stores/…`) copied; they are not part of {@link Manifest.generator}. */
  readonly source: string;
  /** Output path (relative to the output folder) -> sha256. */
  readonly files: Readonly<Record<string, string>>;
}

export interface ProviderEntry {
  readonly spec: string;
  /** The command this provider's banners name: a record, not an input. */
  readonly command: string;
  readonly specSha256: string;
  readonly config?: string;
  readonly configSha256?: string;
  readonly overlay?: string;
  readonly overlaySha256?: string;
  /** Output path (relative to the output folder) -> sha256. */
  readonly files: Readonly<Record<string, string>>;
}

/** One provider's inputs as they are now. */
export interface ProviderInputs {
  readonly provider: string;
  readonly spec: string;
  readonly command: string;
  readonly specSha256: string;
  readonly config?: string;
  readonly configSha256?: string;
  readonly overlay?: string;
  readonly overlaySha256?: string;
}

export const MANIFEST_FILE = "manifest.json";

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function readManifest(outDir: string): Manifest | undefined {
  try {
    const value = JSON.parse(readFileSync(`${outDir}/${MANIFEST_FILE}`, "utf8")) as Partial<Manifest>;
    return value.tokenwright === 1 && typeof value.generator === "string" && value.providers && value.runtime ? (value as Manifest) : undefined;
  } catch {
    return undefined;
  }
}

/** Deterministic text: keys sorted, two-space indent, final newline. */
export function manifestText(manifest: Manifest): string {
  return `${JSON.stringify(sortDeep(manifest), null, 2)}\n`;
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortDeep((value as Record<string, unknown>)[key])]));
}

let generatorHashCache: string | undefined;

/** Where the store sources are; they decide only the stores' output (see {@link storesSourceHash}). */
export const STORES_SOURCE = "generator/stores/";

/**
 * Hash of everything besides the spec that decides the output: the
 * generator's sources (runtime included, stores not), its templates, and the
 * versions of the libraries that print code.
 */
export function generatorHash(): string {
  if (generatorHashCache !== undefined) return generatorHashCache;
  const hash = createHash("sha256");
  for (const folder of ["generator", "templates"]) {
    for (const file of listFiles(fileURLToPath(new URL(`${folder}/`, packageRoot)))) {
      if (file.endsWith(".test.ts") || `${folder}/${file}`.startsWith(STORES_SOURCE)) continue;
      hash.update(`${folder}/${file}\0`).update(readFileSync(fileURLToPath(new URL(`${folder}/${file}`, packageRoot)))).update("\0");
    }
  }
  for (const dependency of ["openapi-typescript", "ts-morph", "@dprint/typescript"]) hash.update(`${dependency}@${dependencyVersion(dependency)}\0`);
  generatorHashCache = hash.digest("hex");
  return generatorHashCache;
}

/** The version of a package as Node resolves it from tokenwright (hoisted in a user's project, or tokenwright's own). */
function dependencyVersion(name: string): string {
  let file: string;
  try {
    file = createRequire(new URL("package.json", packageRoot)).resolve(`${name}/package.json`);
  } catch {
    return "missing";
  }
  return String((JSON.parse(readFileSync(file, "utf8")) as { version?: unknown }).version);
}

/** Files below a folder, relative, sorted, forward slashes. */
export function listFiles(folder: string, prefix = ""): string[] {
  if (!existsSync(folder)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.isDirectory()) out.push(...listFiles(`${folder}/${entry.name}`, `${prefix}${entry.name}/`));
    else if (entry.isFile()) out.push(`${prefix}${entry.name}`);
  }
  return out;
}

/** Why a provider's output is stale, or undefined when it is current. */
export function staleReason(outDir: string, manifest: Manifest | undefined, inputs: ProviderInputs): string | undefined {
  const entry = manifest?.providers[inputs.provider];
  if (!manifest || !entry) return "not generated yet";
  if (manifest.generator !== generatorHash()) return "the generator or its templates changed";
  if (entry.spec !== inputs.spec) return `generated from ${entry.spec}, not ${inputs.spec}`;
  if (entry.specSha256 !== inputs.specSha256) return `${inputs.spec} changed`;
  if (entry.configSha256 !== inputs.configSha256) return `${inputs.config ?? entry.config ?? "the provider config"} changed`;
  if (entry.overlaySha256 !== inputs.overlaySha256) return `${inputs.overlay ?? entry.overlay ?? "the overlay"} changed`;
  return changedFile(outDir, entry.files);
}

/** Hash of the named store source files (in `generator/stores/`), in order. */
export function storesSourceHash(files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of files) {
    let bytes: Buffer | string;
    try {
      bytes = readFileSync(fileURLToPath(new URL(`${STORES_SOURCE}${file}`, packageRoot)));
    } catch {
      bytes = "missing";
    }
    hash.update(`${file}\0`).update(bytes).update("\0");
  }
  return hash.digest("hex");
}

/**
 * Why the generated stores are stale, or undefined: `files` are the store
 * sources the config asks for (none: there must be no stores in the output).
 * Only the stores' sources, the generator and the files on disk decide.
 */
export function storesStaleReason(outDir: string, manifest: Manifest | undefined, files: readonly string[], folder: string): string | undefined {
  const entry = manifest?.stores;
  const wanted = files.map((file) => `${folder}/${file}`);
  if (wanted.length === 0) return entry === undefined || Object.keys(entry.files).length === 0 ? undefined : "the config no longer asks for stores";
  if (!manifest || !entry) return "not generated yet";
  const had = Object.keys(entry.files).sort();
  if (had.join("\0") !== [...wanted].sort().join("\0")) return "the config's stores changed";
  if (manifest.generator !== generatorHash()) return "the generator or its templates changed";
  if (entry.source !== storesSourceHash(files)) return `${files.map((file) => `${STORES_SOURCE}${file}`).join(", ")} changed`;
  return changedFile(outDir, entry.files);
}

/** Why the copied runtime is stale, or undefined. */
export function runtimeStaleReason(outDir: string, manifest: Manifest | undefined): string | undefined {
  if (!manifest) return "not generated yet";
  if (manifest.generator !== generatorHash()) return "the generator or its templates changed";
  return changedFile(outDir, manifest.runtime);
}

function changedFile(outDir: string, files: Readonly<Record<string, string>>): string | undefined {
  for (const [path, expected] of Object.entries(files)) {
    let actual: string;
    try {
      actual = sha256(readFileSync(`${outDir}/${path}`));
    } catch {
      return `${path} is missing`;
    }
    if (actual !== expected) return `${path} was edited by hand`;
  }
  return undefined;
}
