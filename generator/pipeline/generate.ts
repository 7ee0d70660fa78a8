import { collectInputs, displayPath, listSpecs, type NamedCompanions } from "./inputs.js";
import { planRun } from "./plan.js";
import { MANIFEST_FILE, generatorHash, manifestText, readManifest, sha256, storesSourceHash, type Manifest, type ProviderEntry, type ProviderInputs } from "../write/manifest.js";
import { STORES, STORES_FOLDER, type StoreName } from "../project/config.js";

export { UsageError, configFileFor, listSpecs, overlayFileFor } from "./inputs.js";

export interface GenerateOptions {
  /** Spec files; empty means every spec in `specsDir`. */
  readonly specs: readonly string[];
  readonly specsDir: string;
  readonly outDir: string;
  /** Only report what is stale; write nothing. */
  readonly check: boolean;
  /** Whether this is the project's default run (`specs/` into `generated/`), which `npm run generate` repeats. */
  readonly defaultRun: boolean;
  /**
   * The command every banner names (`npm run generate:tokens`, a
   * tokenwright.config.json's script). Without it, banners name `npm run
   * generate` for the default run and the flags otherwise. Only banners and
   * the manifest's record read it: it never makes output stale.
   */
  readonly command?: string;
  /** `specs` is the project's whole set (a config's): a provider in the manifest whose spec is not among them is gone. */
  readonly complete?: boolean;
  /** Per provider id: the provider config and overlay a tokenwright.config.json names, instead of the ones beside the spec. */
  readonly companions?: NamedCompanions;
  /** `--allow-remote`: let specs `$ref` public http(s) documents. */
  readonly allowRemote?: boolean;
  /** Token stores to generate into `<out>/stores/` (a tokenwright.config.json's `stores`). */
  readonly stores?: readonly StoreName[];
  readonly log: (line: string) => void;
}

export interface GenerateReport {
  readonly stale: readonly { readonly name: string; readonly reason: string }[];
  readonly written: readonly string[];
}

/**
 * `tokenwright generate`: inputs -> plan -> regenerate -> write. Decides from
 * content hashes alone what is stale; only when something is does it load
 * the specs, the emitters, ts-morph and openapi-typescript (the last on a
 * worker thread, in parallel).
 */
export async function generate(options: GenerateOptions): Promise<GenerateReport> {
  const wholeFolder = options.specs.length === 0;
  const wholeSet = wholeFolder || options.complete === true;
  const out = displayPath(options.outDir);
  const commandFor = (spec: string | undefined) =>
    options.command ?? (options.defaultRun ? DEFAULT_COMMAND : ["npx tokenwright generate", ...(spec !== undefined ? [`--spec ${spec}`] : []), `--out ${out}`].join(" "));
  const inputs = collectInputs(wholeFolder ? listSpecs(options.specsDir) : options.specs, (spec) => commandFor(wholeFolder ? undefined : spec), options.companions);
  const runtimeCommand = commandFor(undefined);
  const manifest = readManifest(options.outDir);
  const storeSources = [...new Set(options.stores ?? [])].map((name) => STORES[name]);
  const { stale, toBuild } = planRun(options.outDir, manifest, inputs, wholeSet, { files: storeSources, folder: STORES_FOLDER });
  if (options.check || stale.length === 0) return { stale, written: [] };

  // The stores' own output, rewritten on every run that writes (a formatted copy, quick to make).
  const { storeFiles } = await import("../emit/store-files.js");
  const stores = storeFiles(storeSources, STORES_FOLDER, runtimeCommand);
  const storesEntry = stores.length === 0 ? {} : { stores: { source: storesSourceHash(storeSources), files: Object.fromEntries(stores.map((f) => [f.path, sha256(f.content)])) } };
  const { writeOutput } = await import("../write/index.js");
  if (manifest !== undefined && stale.every((s) => s.name === STORES_FOLDER)) {
    // Only the stores changed: nothing else is loaded or rebuilt.
    const { stores: _previous, ...rest } = manifest;
    const next: Manifest = { ...rest, ...storesEntry };
    const keep = ["runtime", ...Object.keys(manifest.providers)];
    await writeOutput(options.outDir, [...stores, { path: MANIFEST_FILE, content: manifestText(next) }], keep);
    return { stale, written: [] };
  }

  const { enableCompileCache } = await import("../startup/compile-cache.js");
  enableCompileCache();
  const { regenerate } = await import("./regenerate.js");
  const built = await regenerate(toBuild, runtimeCommand, { allowRemote: options.allowRemote === true }, options.log);

  const providers: Record<string, ProviderEntry> = {};
  for (const input of inputs) {
    const fresh = built.providers.get(input.provider);
    const kept = manifest?.providers[input.provider];
    if (fresh) providers[input.provider] = { ...providerEntry(input), files: fresh };
    else if (kept) providers[input.provider] = kept;
  }
  if (!wholeSet) {
    // Providers generated earlier from other specs stay as they are.
    for (const [name, entry] of Object.entries(manifest?.providers ?? {})) if (!(name in providers)) providers[name] = entry;
  }
  const next: Manifest = { tokenwright: 1, generator: generatorHash(), runtimeCommand, runtime: built.runtime, providers, ...storesEntry };
  const keep = Object.keys(providers).filter((p) => !built.providers.has(p));
  await writeOutput(options.outDir, [...built.files, ...stores, { path: MANIFEST_FILE, content: manifestText(next) }], keep);
  return { stale, written: [...built.providers.keys()] };
}

/** The command the default run's banners name. */
const DEFAULT_COMMAND = "npm run generate";

function providerEntry(input: ProviderInputs): Omit<ProviderEntry, "files"> {
  return {
    spec: input.spec,
    command: input.command,
    specSha256: input.specSha256,
    ...(input.config !== undefined ? { config: input.config, configSha256: input.configSha256! } : {}),
    ...(input.overlay !== undefined ? { overlay: input.overlay, overlaySha256: input.overlaySha256! } : {}),
  };
}
