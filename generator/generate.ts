import { existsSync, readdirSync, readFileSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { CONFIG_SUFFIX_NAME, OVERLAY_SUFFIXES, providerIdOf } from "./inputs.js";
import {
  MANIFEST_FILE,
  generatorHash,
  manifestText,
  readManifest,
  runtimeStaleReason,
  sha256,
  staleReason,
  type Manifest,
  type ProviderEntry,
  type ProviderInputs,
} from "./write/manifest.js";

export interface GenerateOptions {
  /** Spec files; empty means every spec in `specsDir`. */
  readonly specs: readonly string[];
  readonly specsDir: string;
  readonly outDir: string;
  /** Only report what is stale; write nothing. */
  readonly check: boolean;
  /** Whether this is the project's default run (`specs/` into `generated/`), which `npm run generate` repeats. */
  readonly defaultRun: boolean;
  /** `--allow-remote`: let specs `$ref` public http(s) documents. */
  readonly allowRemote?: boolean;
  readonly log: (line: string) => void;
}

export interface GenerateReport {
  readonly stale: readonly { readonly name: string; readonly reason: string }[];
  readonly written: readonly string[];
}

/**
 * `tokenwright generate`. Decides from content hashes alone what is stale;
 * only when something is does it load the specs, the emitters, ts-morph and
 * openapi-typescript (the last on a worker thread, in parallel).
 */
export async function generate(options: GenerateOptions): Promise<GenerateReport> {
  const wholeFolder = options.specs.length === 0;
  const out = displayPath(options.outDir);
  const commandFor = (spec: string | undefined) =>
    options.defaultRun ? DEFAULT_COMMAND : ["npx tokenwright generate", ...(spec !== undefined ? [`--spec ${spec}`] : []), `--out ${out}`].join(" ");
  const inputs = collectInputs(wholeFolder ? listSpecs(options.specsDir) : options.specs, (spec) => commandFor(wholeFolder ? undefined : spec));
  const runtimeCommand = commandFor(undefined);
  const manifest = readManifest(options.outDir);
  const stale: { name: string; reason: string }[] = [];
  for (const input of inputs) {
    const reason = staleReason(options.outDir, manifest, input);
    if (reason !== undefined) stale.push({ name: input.provider, reason });
  }
  const runtimeReason = runtimeStaleReason(options.outDir, manifest, runtimeCommand);
  if (runtimeReason !== undefined) stale.push({ name: "runtime", reason: runtimeReason });
  const current = new Set(inputs.map((i) => i.provider));
  const removed = wholeFolder ? Object.keys(manifest?.providers ?? {}).filter((p) => !current.has(p)) : [];
  for (const provider of removed) stale.push({ name: provider, reason: "its spec is gone" });
  if (options.check || stale.length === 0) return { stale, written: [] };

  const { enableCompileCache } = await import("./compile-cache.js");
  enableCompileCache();
  const { regenerate } = await import("./pipeline.js");
  const staleProviders = new Set(stale.map((s) => s.name));
  const toBuild = inputs.filter((input) => staleProviders.has(input.provider) || runtimeReason !== undefined);
  const built = await regenerate(toBuild, runtimeCommand, { allowRemote: options.allowRemote === true }, options.log);

  const providers: Record<string, ProviderEntry> = {};
  for (const input of inputs) {
    const fresh = built.providers.get(input.provider);
    const kept = manifest?.providers[input.provider];
    if (fresh) providers[input.provider] = { ...providerEntry(input), files: fresh };
    else if (kept) providers[input.provider] = kept;
  }
  if (!wholeFolder) {
    // Providers generated earlier from other specs stay as they are.
    for (const [name, entry] of Object.entries(manifest?.providers ?? {})) if (!(name in providers)) providers[name] = entry;
  }
  const next: Manifest = { tokenwright: 1, generator: generatorHash(), runtimeCommand, runtime: built.runtime, providers };
  const { writeOutput } = await import("./write/index.js");
  const keep = Object.keys(providers).filter((p) => !built.providers.has(p));
  await writeOutput(options.outDir, [...built.files, { path: MANIFEST_FILE, content: manifestText(next) }], keep);
  return { stale, written: [...built.providers.keys()] };
}

/** Spec files in a folder: `.yaml`, `.yml`, `.json`, except provider configs. */
export function listSpecs(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => /\.(ya?ml|json)$/i.test(name) && !name.endsWith(CONFIG_SUFFIX_NAME) && !OVERLAY_SUFFIXES.some((suffix) => name.endsWith(suffix)))
    .sort()
    .map((name) => `${folder.replace(/\/+$/, "")}/${name}`);
}

/** The command the default run's banners name. */
const DEFAULT_COMMAND = "npm run generate";

/** Paths in banners and the manifest: relative to the working directory, forward slashes, so output is the same on every machine. */
function displayPath(path: string): string {
  return relative(process.cwd(), resolve(path)).split(sep).join("/") || ".";
}

function collectInputs(specFiles: readonly string[], commandFor: (spec: string) => string): ProviderInputs[] {
  const byProvider = new Map<string, ProviderInputs>();
  for (const spec of specFiles.map(displayPath)) {
    const provider = providerIdOf(spec);
    const other = byProvider.get(provider);
    if (other) throw new UsageError(`${other.spec} and ${spec} would both generate the provider "${provider}"; rename one`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(spec);
    } catch {
      throw new UsageError(`cannot read spec ${spec}`);
    }
    const config = configFileFor(spec);
    const configBytes = existsSync(config) ? readFileSync(config) : undefined;
    const overlay = overlayFileFor(spec);
    byProvider.set(provider, {
      provider,
      spec,
      command: commandFor(spec),
      specSha256: sha256(bytes),
      ...(configBytes ? { config, configSha256: sha256(configBytes) } : {}),
      ...(overlay !== undefined ? { overlay, overlaySha256: sha256(readFileSync(overlay)) } : {}),
    });
  }
  return [...byProvider.values()];
}

function providerEntry(input: ProviderInputs): Omit<ProviderEntry, "files"> {
  return {
    spec: input.spec,
    command: input.command,
    specSha256: input.specSha256,
    ...(input.config !== undefined ? { config: input.config, configSha256: input.configSha256! } : {}),
    ...(input.overlay !== undefined ? { overlay: input.overlay, overlaySha256: input.overlaySha256! } : {}),
  };
}

/** `specs/zype.json` -> `specs/zype.tokenwright.json`. */
export function configFileFor(spec: string): string {
  return spec.replace(/\.(ya?ml|json)$/i, "") + CONFIG_SUFFIX_NAME;
}

/** `specs/zype.json` -> `specs/zype.overlay.yaml` (or `.yml`, `.json`), when one exists. */
export function overlayFileFor(spec: string): string | undefined {
  const stem = spec.replace(/\.(ya?ml|json)$/i, "");
  return OVERLAY_SUFFIXES.map((suffix) => stem + suffix).find((file) => existsSync(file));
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
