import { parentPort } from "node:worker_threads";
import { enableCompileCache } from "../compile-cache.js";

enableCompileCache();
const { preloadWireTypes, wireTypes } = await import("./wire.js");

/** Messages in: `{ id, document }`, or `"exit"`; out: `{ id, text }` or `{ id, error }`. */
export interface WireRequest {
  readonly id: number;
  readonly document: Readonly<Record<string, unknown>>;
}
export type WireReply = { readonly id: number; readonly text: string } | { readonly id: number; readonly error: string };

parentPort?.on("message", (request: WireRequest | "exit") => {
  // Exiting (rather than being terminated) lets the compile cache be saved.
  if (request === "exit") process.exit(0);
  wireTypes(request.document).then(
    (text) => parentPort?.postMessage({ id: request.id, text } satisfies WireReply),
    (error: unknown) => parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies WireReply),
  );
});
// Start the expensive import at once, while the main thread loads specs and ts-morph.
preloadWireTypes();
