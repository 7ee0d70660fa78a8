import { parentPort, workerData } from "node:worker_threads";
import { modelProviders, type ModelRequest } from "./model-providers.js";

/**
 * Loads and models specs off the main thread, which meanwhile imports
 * ts-morph. Models are plain data, so they cross threads as they are.
 */
const request = workerData as ModelRequest;
parentPort?.postMessage(await modelProviders(request));
