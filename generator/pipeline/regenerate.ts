import { shareTypeScriptWithOpenapiTypescript } from "../startup/shared-typescript.js";
import { SpecError, type RefPolicy } from "../load/index.js";
import type { ProviderModel } from "../model/index.js";
import { inBackground, specErrorOf } from "./model-providers.js";
import { sha256, type ProviderInputs } from "../write/manifest.js";
import type { OutputFile } from "../write/index.js";

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
 * load -> model -> emit for the given providers. Specs are loaded and
 * modelled on a worker while this thread imports ts-morph, which then shares
 * its TypeScript with openapi-typescript: the two costliest steps overlap and
 * TypeScript loads once. The worker then formats the runtime copy while this
 * thread emits the providers.
 */
export async function regenerate(inputs: readonly ProviderInputs[], runtimeCommand: string, policy: RefPolicy, log: (line: string) => void): Promise<Regenerated> {
  const background = inBackground({ inputs, policy, runtimeCommand });
  // Both are awaited below; never an unhandled rejection meanwhile.
  background.models.catch(() => undefined);
  background.runtime.catch(() => undefined);
  const modelled = background.models;
  const { Printer, emitProvider, grantMethods, wireTypes } = await import("../emit/index.js");
  // After ts-morph is in: its compiler is the one openapi-typescript will be given.
  shareTypeScriptWithOpenapiTypescript();
  const reply = await modelled;
  if (!reply.ok) throw new GenerateError(reply.problems.map(specErrorOf));

  const printer = new Printer();
  const files: OutputFile[] = [];
  const providers = new Map<string, Record<string, string>>();
  for (const { model, command } of reply.models) {
    const emitted = emitProvider(model, await wireTypesOrSpecError(model, wireTypes), command, printer);
    files.push(...emitted);
    providers.set(model.provider, Object.fromEntries(emitted.map((f) => [f.path, sha256(f.content)])));
    log(`${model.provider}: ${grantMethods(model).join(", ")} (${emitted.length} files)`);
  }
  const runtime = (await background.runtime).files;
  files.push(...runtime);
  return { providers, files, runtime: Object.fromEntries(runtime.map((f) => [f.path, sha256(f.content)])) };
}

/**
 * openapi-typescript is third-party code reading spec text; anything it
 * throws becomes an error that names the spec and the operation, so a
 * hostile document is reported, never a crash of the generator.
 */
async function wireTypesOrSpecError(model: ProviderModel, wireTypes: (document: Readonly<Record<string, unknown>>) => Promise<string>): Promise<string> {
  try {
    return await wireTypes(model.wireDocument);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new GenerateError([new SpecError("wire_types_failed", model.source.file, model.operation.pointer, `openapi-typescript cannot type the token operation (${reason.slice(0, 200)})`)]);
  }
}
