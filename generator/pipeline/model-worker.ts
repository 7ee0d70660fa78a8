import { parentPort, workerData } from "node:worker_threads";
import { modelProviders, runtimeCopy, type BackgroundRequest, type WorkerMessage } from "./model-providers.js";

/**
 * Loads and models specs off the main thread, which meanwhile imports
 * ts-morph; then formats the runtime copy while the main thread emits the
 * providers. Models and files are plain data, so they cross threads as they are.
 */
const request = workerData as BackgroundRequest;
const reply = await modelProviders(request);
parentPort?.postMessage({ kind: "models", reply } satisfies WorkerMessage);
if (reply.ok) parentPort?.postMessage({ kind: "runtime", copy: await runtimeCopy(request.runtimeCommand) } satisfies WorkerMessage);
