import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { SpecError, loadProviderConfig, loadSpec, type RefPolicy, type SpecErrorCode } from "../load/index.js";
import { buildModel, type ModelInput, type ProviderModel } from "../model/index.js";
import type { ProviderInputs } from "../write/manifest.js";
import { companionFiles } from "./inputs.js";

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

/** A spec file and the files beside it (its provider config and overlay, each when it exists), as `generate` finds them. */
export function specInputFiles(spec: string): ModelInputFiles {
  return { spec, ...companionFiles(spec) };
}

/**
 * load (spec, overlay, provider config) for one spec, as {@link buildModel} takes it; the first half of
 * {@link loadAndModel}, for callers that time the halves apart. Throws SpecError.
 */
export async function loadModelInput(input: ModelInputFiles, policy: RefPolicy = { allowRemote: false }): Promise<ModelInput> {
  const spec = await loadSpec(input.spec, policy, input.overlay);
  const config = input.config !== undefined ? await loadProviderConfig(input.config) : undefined;
  return { spec, config, configFile: config !== undefined ? input.config : undefined };
}

/**
 * load (spec, overlay, provider config) -> model for one spec: `generate`, `explain`, the bench and the tests that
 * model spec files all come through here. Throws SpecError.
 */
export async function loadAndModel(input: ModelInputFiles, policy: RefPolicy = { allowRemote: false }): Promise<ProviderModel> {
  return buildModel(await loadModelInput(input, policy));
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

/** The output files of the runtime copy, as plain data. */
export interface RuntimeCopy {
  readonly files: readonly { readonly path: string; readonly content: string }[];
}

/** What {@link inBackground} is asked: the models, and (with `runtimeCommand`) the formatted runtime copy. */
export interface BackgroundRequest extends ModelRequest {
  readonly runtimeCommand: string;
}

/** The worker's two messages: the models first, as soon as they are ready, then the runtime copy. */
export type WorkerMessage = { readonly kind: "models"; readonly reply: ModelReply } | { readonly kind: "runtime"; readonly copy: RuntimeCopy };

/** The runtime copy, formatted: imported only here, so loading and modelling never load the formatter. */
export async function runtimeCopy(command: string): Promise<RuntimeCopy> {
  const { runtimeFiles } = await import("../emit/runtime-files.js");
  return { files: runtimeFiles(command) };
}

/**
 * Runs {@link modelProviders} on a worker thread when the compiled worker
 * exists (the CLI), so it overlaps the main thread's ~0.3 s ts-morph import;
 * when the models are sent, the worker goes on to format the runtime copy
 * while the main thread emits the providers. From source (tests) both run
 * in-thread.
 */
export function inBackground(request: BackgroundRequest): { readonly models: Promise<ModelReply>; readonly runtime: Promise<RuntimeCopy> } {
  const workerUrl = new URL("./model-worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".js") || !existsSync(fileURLToPath(workerUrl))) {
    const models = modelProviders(request);
    return { models, runtime: models.then((reply) => (reply.ok ? runtimeCopy(request.runtimeCommand) : { files: [] })) };
  }
  const worker = new Worker(workerUrl, { workerData: request });
  let settle: { models?: (reply: ModelReply) => void; runtime?: (copy: RuntimeCopy) => void; fail?: (error: unknown) => void } = {};
  const models = new Promise<ModelReply>((resolve, reject) => {
    settle.models = resolve;
    settle.fail = reject;
  });
  const runtime = new Promise<RuntimeCopy>((resolve, reject) => {
    settle.runtime = resolve;
    const failModels = settle.fail!;
    settle.fail = (error) => {
      failModels(error);
      reject(error);
    };
  });
  worker.on("message", (message: WorkerMessage) => {
    if (message.kind === "models") settle.models?.(message.reply);
    else settle.runtime?.(message.copy);
  });
  worker.once("error", (error) => settle.fail?.(error));
  worker.once("exit", (code) => {
    // Whatever was not sent by now never will be (the worker sends no runtime copy after failed models).
    settle.fail?.(new Error(code !== 0 ? `the model worker exited with code ${code}` : "the model worker ended without the runtime copy"));
    settle = {};
  });
  return { models, runtime };
}
