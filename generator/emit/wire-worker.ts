import { parentPort } from "node:worker_threads";
import { wireTypes } from "./wire.js";

/** Messages in: `{ id, document }`; out: `{ id, text }` or `{ id, error }`. */
export interface WireRequest {
  readonly id: number;
  readonly document: Readonly<Record<string, unknown>>;
}
export type WireReply = { readonly id: number; readonly text: string } | { readonly id: number; readonly error: string };

parentPort?.on("message", (request: WireRequest) => {
  wireTypes(request.document).then(
    (text) => parentPort?.postMessage({ id: request.id, text } satisfies WireReply),
    (error: unknown) => parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies WireReply),
  );
});
// Start the expensive import at once, while the main thread loads specs and ts-morph.
void import("openapi-typescript");
