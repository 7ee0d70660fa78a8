import { existsSync, readdirSync, readFileSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { providerIdFor } from "../model/names.js";
import { sha256, type ProviderInputs } from "../write/manifest.js";

/**
 * What a run reads: spec files, each with the provider config and overlay
 * beside it. Only Node built-ins and the manifest's hashing here: the
 * up-to-date check loads this and nothing heavier.
 */

export { providerIdFor as providerIdOf };

/** A provider config sits beside its spec: `specs/zype.json` + `specs/zype.tokenwright.json`. */
export const CONFIG_SUFFIX_NAME = ".tokenwright.json";

/** An OpenAPI Overlay sits beside its spec too: `specs/zype.overlay.yaml` (or `.yml`, `.json`). */
export const OVERLAY_SUFFIXES = [".overlay.yaml", ".overlay.yml", ".overlay.json"] as const;

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Spec files in a folder: `.yaml`, `.yml`, `.json`, except provider configs and overlays. */
export function listSpecs(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => /\.(ya?ml|json)$/i.test(name) && !name.endsWith(CONFIG_SUFFIX_NAME) && !OVERLAY_SUFFIXES.some((suffix) => name.endsWith(suffix)))
    .sort()
    .map((name) => `${folder.replace(/\/+$/, "")}/${name}`);
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

/** The files beside a spec that change what it generates: its provider config and overlay, each when it exists. */
export function companionFiles(spec: string): { readonly config?: string; readonly overlay?: string } {
  const config = configFileFor(spec);
  const overlay = overlayFileFor(spec);
  return { ...(existsSync(config) ? { config } : {}), ...(overlay !== undefined ? { overlay } : {}) };
}

/** Paths in banners and the manifest: relative to the working directory, forward slashes, so output is the same on every machine. */
export function displayPath(path: string): string {
  return relative(process.cwd(), resolve(path)).split(sep).join("/") || ".";
}

/** A provider config or overlay named for a provider (by tokenwright.config.json), instead of the one beside its spec. */
export type NamedCompanions = Readonly<Record<string, { readonly config?: string; readonly overlay?: string }>>;

/**
 * Each spec with its companions and their hashes; two specs that would make
 * one provider are a usage error. `named` (by provider id) overrides the
 * companions found beside a spec.
 */
export function collectInputs(specFiles: readonly string[], commandFor: (spec: string) => string, named: NamedCompanions = {}): ProviderInputs[] {
  const byProvider = new Map<string, ProviderInputs>();
  for (const spec of specFiles.map(displayPath)) {
    const provider = providerIdFor(spec);
    const other = byProvider.get(provider);
    if (other) throw new UsageError(`${other.spec} and ${spec} would both generate the provider "${provider}"; rename one`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(spec);
    } catch {
      throw new UsageError(`cannot read spec ${spec}`);
    }
    const beside = companionFiles(spec);
    const override = Object.hasOwn(named, provider) ? named[provider] : undefined;
    const config = override?.config !== undefined ? displayPath(override.config) : beside.config;
    const overlay = override?.overlay !== undefined ? displayPath(override.overlay) : beside.overlay;
    byProvider.set(provider, {
      provider,
      spec,
      command: commandFor(spec),
      specSha256: sha256(bytes),
      ...(config !== undefined ? { config, configSha256: sha256(readFileSync(config)) } : {}),
      ...(overlay !== undefined ? { overlay, overlaySha256: sha256(readFileSync(overlay)) } : {}),
    });
  }
  return [...byProvider.values()];
}
