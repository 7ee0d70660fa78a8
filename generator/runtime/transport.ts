// Internals of requestToken: one abort signal for timeout + caller, a
// size-capped body reader and media-type checks. Not part of the public API.
import { quoteForMessage } from "./errors.js";
import type { SecretRedactor } from "./errors.js";

export type AbortSource = "timeout" | "caller";

export interface Deadline {
  /** Aborts when the timeout elapses or the caller's signal fires. */
  readonly signal: AbortSignal;
  /** Which one fired first, if either did. */
  firedBy(): AbortSource | undefined;
  /** Wraps a promise so it rejects as soon as the deadline fires. */
  race<T>(promise: Promise<T>): Promise<T>;
  /** Clears the timer and detaches from the caller's signal. */
  dispose(): void;
}

/*
 * One AbortController fed by a cleared-on-dispose timer and by the caller's
 * signal. This is used instead of AbortSignal.timeout + AbortSignal.any
 * because the request has to know which of the two fired (TimeoutError vs
 * AbortedError), the timer must not outlive the request, and listeners added
 * to a long-lived caller signal must be removed again; it also works on
 * runtimes without AbortSignal.any.
 */
export function startDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  let fired: AbortSource | undefined;
  const fire = (source: AbortSource, reason: unknown): void => {
    if (fired !== undefined) return;
    fired = source;
    controller.abort(reason);
  };
  const onCallerAbort = (): void => fire("caller", callerSignal?.reason);
  const timer = setTimeout(() => fire("timeout", new Error(`token request timed out after ${timeoutMs} ms`)), timeoutMs);
  if (callerSignal !== undefined) {
    if (callerSignal.aborted) onCallerAbort();
    else callerSignal.addEventListener("abort", onCallerAbort, { once: true });
  }
  // Made on first use: only an injected fetch, which may ignore the signal, is raced.
  let aborted: Promise<never> | undefined;
  const abortedPromise = (): Promise<never> => {
    aborted ??= new Promise<never>((_, reject) => {
      const rejectNow = (): void => reject(controller.signal.reason);
      if (controller.signal.aborted) rejectNow();
      else controller.signal.addEventListener("abort", rejectNow, { once: true });
    });
    // Handled here so a deadline that fires while nobody is racing it is not
    // reported as an unhandled rejection.
    aborted.catch(() => undefined);
    return aborted;
  };
  return {
    signal: controller.signal,
    firedBy: () => fired,
    race: <T>(promise: Promise<T>): Promise<T> => {
      // A fetch that loses the race may still reject later; that is expected.
      promise.catch(() => undefined);
      return Promise.race([promise, abortedPromise()]);
    },
    dispose: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    },
  };
}

export interface BodyText {
  readonly text: string;
  /** True when the body was longer than the cap and was cut off there. */
  readonly truncated: boolean;
}

/**
 * Reads a response body as UTF-8 text, at most `maxBytes` bytes. Past the cap
 * the stream is cancelled and the text read so far is returned as truncated.
 * Rejects when the deadline fires while reading: the abort cancels the
 * reader, which settles a pending read (Streams §4.3.5), so reads need no
 * race of their own, which would cost a promise per chunk.
 */
export async function readBodyCapped(response: Response, maxBytes: number, deadline: Deadline, honoursSignal: boolean): Promise<BodyText> {
  const stream = response.body;
  if (stream === null) return { text: "", truncated: false };
  // A declared length within the cap reads in one step; the platform fetch
  // rejects a body that runs past its Content-Length, and the deadline's
  // signal still aborts it. Fetches that may ignore the signal are raced.
  // Content-Length counts the bytes on the wire: with a Content-Encoding the
  // decoded body can be a thousand times larger (a gzip bomb), so only an
  // unencoded body may skip the capped reader.
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  const encoding = (response.headers.get("content-encoding") ?? "").trim().toLowerCase();
  const unencoded = encoding === "" || encoding === "identity";
  if (unencoded && Number.isInteger(declared) && declared >= 0 && declared <= maxBytes) {
    const text = honoursSignal ? await response.text() : await deadline.race(response.text());
    if (deadline.signal.aborted) throw deadline.signal.reason;
    return { text, truncated: false };
  }
  const reader = stream.getReader();
  const cancel = (): void => {
    reader.cancel().catch(() => undefined);
  };
  deadline.signal.addEventListener("abort", cancel, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  try {
    for (;;) {
      const step = await reader.read();
      if (step.done) break;
      const chunk = step.value;
      if (total + chunk.byteLength > maxBytes) {
        chunks.push(chunk.subarray(0, maxBytes - total));
        total = maxBytes;
        truncated = true;
        cancel();
        break;
      }
      chunks.push(chunk);
      total += chunk.byteLength;
    }
  } finally {
    deadline.signal.removeEventListener("abort", cancel);
  }
  if (deadline.signal.aborted) throw deadline.signal.reason;
  return { text: decodeUtf8(chunks, total), truncated };
}

const utf8 = new TextDecoder("utf-8");

function decodeUtf8(chunks: readonly Uint8Array[], total: number): string {
  if (chunks.length === 1) return utf8.decode(chunks[0]);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return utf8.decode(bytes);
}

/** Parses JSON text; undefined when it does not parse. */
export function parseJson(text: string): { readonly value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

const JSON_SUFFIX_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+\+json$/;

/** The media type's essence (`type/subtype`), lower-cased; "" when there is none. */
export function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** A JSON media type (`application/json`, `*\/*+json`). */
export function isJsonType(essence: string): boolean {
  return essence === "application/json" || JSON_SUFFIX_TYPE.test(essence);
}

/** JSON media types (`application/json`, `*\/*+json`), or no content type at all. */
export function mayBeJson(contentType: string | null): boolean {
  const essence = mediaType(contentType);
  return essence === "" || isJsonType(essence);
}

/**
 * The media type as the server sent it, quoted so that header bytes read as
 * C1 controls (latin1) stay inert, and cut to 64 characters; with `redact`,
 * the request's secrets are replaced before the cut (a server may echo one
 * in any header).
 */
export function describeContentType(contentType: string | null, redact?: SecretRedactor): string {
  const essence = (contentType ?? "").split(";")[0]?.trim() ?? "";
  const shown = redact === undefined ? essence : redact.text(essence);
  return quoteForMessage(shown.slice(0, 64));
}
