import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { WireReply, WireRequest } from "./wire-worker.js";
import { wireTypes } from "./wire.js";

/**
 * Runs openapi-typescript on a worker thread when the compiled worker exists
 * (the CLI), so its ~1 s import overlaps ts-morph's on the other core; in
 * source form (tests under vitest) it runs in-thread instead.
 */
export class WireTypesPool {
  private readonly worker: Worker | undefined;
  private readonly waiting = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  constructor() {
    const workerUrl = new URL("./wire-worker.js", import.meta.url);
    const compiled = import.meta.url.endsWith(".js") && existsSync(fileURLToPath(workerUrl));
    if (!compiled) return;
    this.worker = new Worker(workerUrl);
    this.worker.on("message", (reply: WireReply) => {
      const pending = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (!pending) return;
      if ("text" in reply) pending.resolve(reply.text);
      else pending.reject(new Error(reply.error));
    });
    this.worker.on("error", (error) => {
      for (const pending of this.waiting.values()) pending.reject(error);
      this.waiting.clear();
    });
  }

  generate(document: Readonly<Record<string, unknown>>): Promise<string> {
    if (!this.worker) return wireTypes(document);
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, document } satisfies WireRequest);
    });
  }

  /** Lets the worker exit by itself (saving its compile cache); forced after 2 s. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage("exit");
    const timer = setTimeout(() => void worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
}
