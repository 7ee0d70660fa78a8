import { WireTypesPool } from "./emit/wire-pool.js";
import { SpecError, loadProviderConfig, loadSpec } from "./load/index.js";
import { buildModel, type ProviderModel } from "./model/index.js";
import { sha256, type ProviderInputs } from "./write/manifest.js";
import type { OutputFile } from "./write/index.js";

export interface Regenerated {
  /** Provider -> its files' hashes, for the manifest. */
  readonly providers: Map<string, Record<string, string>>;
  readonly runtime: Record<string, string>;
  readonly files: OutputFile[];
}

/** Every spec that failed, so one run reports them all. */
export class GenerateError extends Error {
  constructor(readonly problems: readonly SpecError[]) {
    super(problems.map((p) => p.message).join("\n"));
    this.name = "GenerateError";
  }
}

/**
 * load -> model -> emit for the given providers. openapi-typescript starts
 * loading on a worker first; the main thread meanwhile loads and models the
 * specs and then loads ts-morph, so the two ~1 s imports overlap.
 */
export async function regenerate(inputs: readonly ProviderInputs[], runtimeCommand: string, log: (line: string) => void): Promise<Regenerated> {
  const pool = new WireTypesPool();
  try {
    const models: { model: ProviderModel; wire: Promise<string>; command: string }[] = [];
    const problems: SpecError[] = [];
    for (const input of inputs) {
      try {
        const spec = await loadSpec(input.spec);
        const config = input.config !== undefined ? await loadProviderConfig(input.config) : undefined;
        const model = buildModel({ spec, config, configFile: input.config });
        const wire = pool.generate(model.wireDocument);
        wire.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
        models.push({ model, wire, command: input.command });
      } catch (error) {
        if (error instanceof SpecError) problems.push(error);
        else throw error;
      }
    }
    if (problems.length > 0) throw new GenerateError(problems);
    const { Printer, emitProvider, runtimeFiles } = await import("./emit/index.js");
    const printer = new Printer();
    const files: OutputFile[] = [];
    const providers = new Map<string, Record<string, string>>();
    for (const { model, wire, command } of models) {
      const emitted = emitProvider(model, await wire, command, printer);
      files.push(...emitted);
      providers.set(model.provider, Object.fromEntries(emitted.map((f) => [f.path, sha256(f.content)])));
      log(`${model.provider}: ${model.grants.map((g) => g.methodName).join(", ")} (${emitted.length} files)`);
    }
    const runtime = runtimeFiles(runtimeCommand);
    files.push(...runtime);
    return { providers, files, runtime: Object.fromEntries(runtime.map((f) => [f.path, sha256(f.content)])) };
  } finally {
    await pool.close();
  }
}
