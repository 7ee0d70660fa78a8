import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { SpecError, loadProviderConfig, loadSpec, type RefPolicy, type SpecErrorCode } from "../load/index.js";
import { buildModel, type ProviderModel } from "../model/index.js";
import type { ProviderInputs } from "../write/manifest.js";

export interface ModelRequest {
  readonly inputs: readonly ProviderInputs[];
  readonly policy: RefPolicy;
}

/** A SpecError as plain data, to cross a thread boundary. */
interface SpecProblem {
  readonly code: SpecErrorCode;
  readonly file: string;
  readonly pointer: string;
  readonly detail: string;
  readonly position: { readonly line: number; readonly column: number } | undefined;
}

export type ModelReply =
  | { readonly ok: true; readonly models: readonly { readonly model: ProviderModel; readonly command: string }[] }
  | { readonly ok: false; readonly problems: readonly SpecProblem[] };

/** A spec and the files beside it that change its model. */
export interface ModelInputFiles {
  readonly spec: string;
  readonly config?: string | undefined;
  readonly overlay?: string | undefined;
}

/** load (spec, overlay, provider config) -> model for one spec: `generate` and `explain` both come through here. Throws SpecError. */
export async function loadAndModel(input: ModelInputFiles, policy: RefPolicy): Promise<ProviderModel> {
  const spec = await loadSpec(input.spec, policy, input.overlay);
  const config = input.config !== undefined ? await loadProviderConfig(input.config) : undefined;
  return buildModel({ spec, config, configFile: config !== undefined ? input.config : undefined });
}

/** load -> model for each input; every failing spec is reported, not just the first. */
export async function modelProviders({ inputs, policy }: ModelRequest): Promise<ModelReply> {
  const models: { model: ProviderModel; command: string }[] = [];
  const problems: SpecProblem[] = [];
  for (const input of inputs) {
    try {
      models.push({ model: await loadAndModel(input, policy), command: input.command });
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      problems.push({ code: error.code, file: error.file, pointer: error.pointer, detail: error.detail, position: error.position });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, models };
}

export function specErrorOf(problem: SpecProblem): SpecError {
  return new SpecError(problem.code, problem.file, problem.pointer, problem.detail, problem.position);
}

/**
 * Runs {@link modelProviders} on a worker thread when the compiled worker
 * exists (the CLI), so it overlaps the main thread's ~0.3 s ts-morph import;
 * from source (tests) it runs in-thread.
 */
export function modelProvidersInBackground(request: ModelRequest): Promise<ModelReply> {
  const workerUrl = new URL("./model-worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".js") || !existsSync(fileURLToPath(workerUrl))) return modelProviders(request);
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: request });
    worker.once("message", (reply: ModelReply) => resolve(reply));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`the model worker exited with code ${code}`));
    });
  });
}
