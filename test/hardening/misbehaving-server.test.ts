// One table-driven test: a real loopback token server misbehaving in one way
// per row, and the exact typed error (or normalised token) each must give.
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortedError,
  InvalidResponseError,
  NetworkError,
  TimeoutError,
  TokenResponseError,
  UnexpectedStatusError,
} from "../../generator/runtime/errors.js";
import { ROWS, SLOW_TIMEOUT_MS, runRow } from "./rows.js";
import type { RowError, Want } from "./rows.js";

const CLASS_OF = {
  invalid_response: InvalidResponseError,
  unexpected_status: UnexpectedStatusError,
  response: TokenResponseError,
  timeout: TimeoutError,
  network: NetworkError,
  aborted: AbortedError,
} as const;

/** C0, DEL, C1 and the Unicode line separators: nothing a one-line message may hold. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The error reduced to its kind and the key fields of that kind, in the shape of a row's `want`. */
function observed(error: RowError): Want {
  switch (error.kind) {
    case "invalid_response":
      return { kind: error.kind, status: error.status, reason: error.reason };
    case "unexpected_status":
    case "response":
      return { kind: error.kind, status: error.status, body: error.body, retryAfterMs: error.retryAfterMs };
    case "timeout":
      return { kind: error.kind, timeoutMs: error.timeoutMs };
    case "network":
      return { kind: error.kind, causeName: error.cause instanceof Error ? error.cause.name : typeof error.cause };
    case "aborted":
      return { kind: error.kind };
  }
}

const fired: { readonly event: string; readonly reason: unknown }[] = [];
const onRejection = (reason: unknown): void => {
  fired.push({ event: "unhandledRejection", reason });
};
const onException = (error: unknown): void => {
  fired.push({ event: "uncaughtException", reason: error });
};

beforeAll(() => {
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
});
afterAll(() => {
  process.off("unhandledRejection", onRejection);
  process.off("uncaughtException", onException);
});

describe("a misbehaving token server", () => {
  it.each(ROWS)("$name", async (row) => {
    const { result, requests, elsewhereRequests, elapsedMs } = await runRow(row);

    expect(requests).toHaveLength(1);
    // Nothing, least of all the credentials, ever reaches another origin.
    expect(elsewhereRequests).toHaveLength(0);
    if (row.want.kind === "token") {
      if (!result.ok) throw new Error(`expected a token, got ${result.error.name}: ${result.error.message}`);
      const { raw, ...token } = result.token;
      const { raw: wantRaw, ...wantToken } = row.want.token;
      expect(token).toStrictEqual(wantToken);
      // toEqual, not toStrictEqual: its type check would compare a body's own "constructor" keys as constructors.
      expect(raw).toEqual(wantRaw);
    } else {
      if (result.ok) throw new Error(`expected ${row.want.kind}, got a token`);
      const error = result.error;
      expect(error).toBeInstanceOf(CLASS_OF[row.want.kind]);
      expect(observed(error)).toStrictEqual(row.want);
      // Messages are short, single-line and free of anything a terminal would interpret.
      expect(error.message.length).toBeLessThan(300);
      expect(error.message).not.toMatch(CONTROL);
      // Logging the error must not throw (e.g. on a body nested too deep to stringify).
      expect(() => JSON.stringify(error)).not.toThrow();
      expect(() => inspect(error, { showHidden: true, depth: 10 })).not.toThrow();
    }
    if (row.want.kind === "timeout") {
      expect(elapsedMs).toBeGreaterThanOrEqual(SLOW_TIMEOUT_MS - 5);
      expect(elapsedMs).toBeLessThan(SLOW_TIMEOUT_MS + 1_000);
    }
    // No row may pollute Object.prototype, whatever `__proto__` keys it sends.
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
  });

  it("no row caused an unhandled rejection or an uncaught exception", async () => {
    // Unhandled rejections are reported after the microtask queue drains; give late ones a few turns.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(process.listeners("unhandledRejection")).toContain(onRejection);
    expect(process.listeners("uncaughtException")).toContain(onException);
    expect(fired).toEqual([]);
  });
});
