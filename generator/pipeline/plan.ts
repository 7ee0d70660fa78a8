import { runtimeStaleReason, staleReason, storesStaleReason, type Manifest, type ProviderInputs } from "../write/manifest.js";

/** What a run must rebuild, and why. */
export interface Plan {
  /** Each stale provider (or `runtime`) with the reason, in input order. */
  readonly stale: readonly { readonly name: string; readonly reason: string }[];
  /** The inputs to load, model and emit. */
  readonly toBuild: readonly ProviderInputs[];
}

/**
 * Decides from content hashes alone (the manifest against the inputs and the
 * files on disk) what is stale. A stale runtime rebuilds every provider;
 * with `wholeSet` (the inputs are all the project's specs), a provider whose
 * spec is gone is stale too. The command that generated the output is not an
 * input: however generate is called, the same inputs are up to date.
 */
export function planRun(
  outDir: string,
  manifest: Manifest | undefined,
  inputs: readonly ProviderInputs[],
  wholeSet: boolean,
  stores: { readonly files: readonly string[]; readonly folder: string } = { files: [], folder: "stores" },
): Plan {
  const stale: { name: string; reason: string }[] = [];
  for (const input of inputs) {
    const reason = staleReason(outDir, manifest, input);
    if (reason !== undefined) stale.push({ name: input.provider, reason });
  }
  const runtimeReason = runtimeStaleReason(outDir, manifest);
  if (runtimeReason !== undefined) stale.push({ name: "runtime", reason: runtimeReason });
  // The stores are stale on their own: a change to their source rebuilds nothing else.
  const storesReason = storesStaleReason(outDir, manifest, stores.files, stores.folder);
  if (storesReason !== undefined) stale.push({ name: stores.folder, reason: storesReason });
  const current = new Set(inputs.map((i) => i.provider));
  const removed = wholeSet ? Object.keys(manifest?.providers ?? {}).filter((p) => !current.has(p)) : [];
  for (const provider of removed) stale.push({ name: provider, reason: "its spec is gone" });
  const staleNames = new Set(stale.map((s) => s.name));
  return { stale, toBuild: inputs.filter((input) => staleNames.has(input.provider) || runtimeReason !== undefined) };
}
