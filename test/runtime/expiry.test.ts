import { describe, expect, it } from "vitest";
import { SecretRedactor } from "../../generator/runtime/errors.js";
import { computeExpiresAt, readExpiry } from "../../generator/runtime/expiry.js";
import type { ExpiryRule } from "../../generator/runtime/types.js";

const NOW = 1_700_000_000_000; // 2023-11-14T22:13:20Z
const relative: ExpiryRule = { kind: "relative", field: "expires_in" };
const absS: ExpiryRule = { kind: "absolute", field: "expires_at", unit: "s" };
const absMs: ExpiryRule = { kind: "absolute", field: "expires_at", unit: "ms" };
const created: ExpiryRule = { kind: "created-plus-relative", createdField: "created_at", field: "expires_in" };

describe("computeExpiresAt: usable values", () => {
  it.each<{ name: string; rule: ExpiryRule; body: Record<string, unknown>; want: number | undefined }>([
    { name: "relative number", rule: relative, body: { expires_in: 3600 }, want: NOW + 3_600_000 },
    { name: "relative zero", rule: relative, body: { expires_in: 0 }, want: NOW },
    { name: "relative numeric string", rule: relative, body: { expires_in: "3600" }, want: NOW + 3_600_000 },
    { name: "relative padded string", rule: relative, body: { expires_in: " 3600 " }, want: NOW + 3_600_000 },
    { name: "relative fractional string", rule: relative, body: { expires_in: "3600.5" }, want: NOW + 3_600_500 },
    { name: "relative fraction rounds", rule: relative, body: { expires_in: 0.0004 }, want: NOW },
    { name: "relative one year (< 1e9) stays relative", rule: relative, body: { expires_in: 31_536_000 }, want: NOW + 31_536_000_000 },
    { name: "relative just under 1e9 stays relative", rule: relative, body: { expires_in: 999_999_999 }, want: NOW + 999_999_999_000 },
    { name: "relative absent", rule: relative, body: {}, want: undefined },
    { name: "relative null", rule: relative, body: { expires_in: null }, want: undefined },
    { name: "relative field only on the prototype is absent", rule: { kind: "relative", field: "constructor" }, body: {}, want: undefined },
    { name: "relative holding unix seconds is absolute", rule: relative, body: { expires_in: 1_700_003_600 }, want: 1_700_003_600_000 },
    { name: "relative holding unix seconds as string", rule: relative, body: { expires_in: "1700003600" }, want: 1_700_003_600_000 },
    { name: "relative holding unix ms is absolute", rule: relative, body: { expires_in: 1_700_003_600_123 }, want: 1_700_003_600_123 },
    { name: "absolute seconds", rule: absS, body: { expires_at: 1_700_003_600 }, want: 1_700_003_600_000 },
    { name: "absolute seconds string", rule: absS, body: { expires_at: "1700003600" }, want: 1_700_003_600_000 },
    { name: "absolute ms", rule: absMs, body: { expires_at: 1_700_003_600_123 }, want: 1_700_003_600_123 },
    { name: "absolute ms string", rule: absMs, body: { expires_at: "1700003600123" }, want: 1_700_003_600_123 },
    { name: "absolute absent", rule: absS, body: {}, want: undefined },
    { name: "created seconds + relative", rule: created, body: { created_at: 1_600_000_000, expires_in: 7200 }, want: 1_600_007_200_000 },
    { name: "created seconds string", rule: created, body: { created_at: "1600000000", expires_in: "7200" }, want: 1_600_007_200_000 },
    { name: "created in ms", rule: created, body: { created_at: 1_600_000_000_000, expires_in: 7200 }, want: 1_600_007_200_000 },
    { name: "created ISO-8601", rule: created, body: { created_at: "2020-09-13T12:26:40Z", expires_in: 7200 }, want: 1_600_007_200_000 },
    { name: "created ISO-8601 with offset", rule: created, body: { created_at: "2020-09-13T14:26:40+02:00", expires_in: 60 }, want: 1_600_000_060_000 },
    { name: "created absent falls back to receipt", rule: created, body: { expires_in: 60 }, want: NOW + 60_000 },
    { name: "created null falls back to receipt", rule: created, body: { created_at: null, expires_in: 60 }, want: NOW + 60_000 },
    { name: "created garbage falls back to receipt", rule: created, body: { created_at: "yesterday", expires_in: 60 }, want: NOW + 60_000 },
    { name: "created invalid ISO falls back to receipt", rule: created, body: { created_at: "2020-13-45T99:00:00Z", expires_in: 60 }, want: NOW + 60_000 },
    { name: "created boolean falls back to receipt", rule: created, body: { created_at: true, expires_in: 60 }, want: NOW + 60_000 },
    { name: "created negative falls back to receipt", rule: created, body: { created_at: -5, expires_in: 60 }, want: NOW + 60_000 },
    { name: "created but expires absent", rule: created, body: { created_at: 1_600_000_000 }, want: undefined },
    { name: "none", rule: { kind: "none" }, body: { expires_in: 3600 }, want: undefined },
    { name: "relative numeric string 86398", rule: relative, body: { expires_in: "86398" }, want: NOW + 86_398_000 },
    { name: "relative string with tab/newline padding", rule: relative, body: { expires_in: "\t60\n" }, want: NOW + 60_000 },
    { name: "relative zero string", rule: relative, body: { expires_in: "0" }, want: NOW },
    { name: "nested path", rule: { kind: "relative", field: ["data", "expires_in"] }, body: { data: { expires_in: 60 } }, want: NOW + 60_000 },
    { name: "nested path, numeric string", rule: { kind: "relative", field: ["data", "expires_in"] }, body: { data: { expires_in: "60" } }, want: NOW + 60_000 },
    { name: "one-element path is a top-level field", rule: { kind: "relative", field: ["expires_in"] }, body: { expires_in: 60 }, want: NOW + 60_000 },
    { name: "nested path, parent absent", rule: { kind: "relative", field: ["data", "expires_in"] }, body: {}, want: undefined },
    { name: "nested path through a string", rule: { kind: "relative", field: ["data", "length"] }, body: { data: "abc" }, want: undefined },
    { name: "nested path never reads the prototype", rule: { kind: "relative", field: ["data", "constructor"] }, body: { data: {} }, want: undefined },
    {
      name: "nested absolute ms",
      rule: { kind: "absolute", field: ["token", "exp"], unit: "ms" },
      body: { token: { exp: "1700003600123" } },
      want: 1_700_003_600_123,
    },
    {
      name: "nested created + relative",
      rule: { kind: "created-plus-relative", createdField: ["meta", "created"], field: ["meta", "ttl"] },
      body: { meta: { created: "1600000000", ttl: "7200" } },
      want: 1_600_007_200_000,
    },
    { name: "created exponent string is not a number: falls back to receipt", rule: created, body: { created_at: "1.6e9", expires_in: 60 }, want: NOW + 60_000 },
  ])("$name", ({ rule, body, want }) => {
    expect(computeExpiresAt(rule, body, NOW)).toEqual({ ok: true, expiresAt: want });
  });
});

describe("computeExpiresAt: unusable values", () => {
  it.each<{ name: string; rule: ExpiryRule; body: Record<string, unknown>; field: string }>([
    { name: "trailing garbage", rule: relative, body: { expires_in: "3600abc" }, field: "expires_in" },
    { name: "empty string", rule: relative, body: { expires_in: "" }, field: "expires_in" },
    { name: "blank string", rule: relative, body: { expires_in: "   " }, field: "expires_in" },
    { name: "hex string", rule: relative, body: { expires_in: "0x10" }, field: "expires_in" },
    { name: "boolean", rule: relative, body: { expires_in: true }, field: "expires_in" },
    { name: "object", rule: relative, body: { expires_in: { s: 1 } }, field: "expires_in" },
    { name: "array", rule: relative, body: { expires_in: [3600] }, field: "expires_in" },
    { name: "NaN", rule: relative, body: { expires_in: Number.NaN }, field: "expires_in" },
    { name: "Infinity from 1e400", rule: relative, body: JSON.parse('{"expires_in":1e400}') as Record<string, unknown>, field: "expires_in" },
    { name: "Infinity string", rule: relative, body: { expires_in: "Infinity" }, field: "expires_in" },
    { name: "negative", rule: relative, body: { expires_in: -1 }, field: "expires_in" },
    { name: "negative string", rule: relative, body: { expires_in: "-3600" }, field: "expires_in" },
    { name: "absolute garbage", rule: absS, body: { expires_at: "soon" }, field: "expires_at" },
    { name: "absolute beyond the date range", rule: absS, body: { expires_at: 1e300 }, field: "expires_at" },
    { name: "created + garbage expires", rule: created, body: { created_at: 1_600_000_000, expires_in: "x" }, field: "expires_in" },
    { name: "exponent string", rule: relative, body: { expires_in: "1.5e3" }, field: "expires_in" },
    { name: "leading-dot string", rule: relative, body: { expires_in: ".5" }, field: "expires_in" },
    { name: "trailing-dot string", rule: relative, body: { expires_in: "60." }, field: "expires_in" },
    { name: "plus-signed string", rule: relative, body: { expires_in: "+60" }, field: "expires_in" },
    { name: "digits with inner space", rule: relative, body: { expires_in: "3 600" }, field: "expires_in" },
    { name: "non-ASCII digits", rule: relative, body: { expires_in: "٣٦٠٠" }, field: "expires_in" },
    { name: "nested garbage names the dotted path", rule: { kind: "relative", field: ["data", "expires_in"] }, body: { data: { expires_in: "soon" } }, field: "data.expires_in" },
    { name: "nested negative names the dotted path", rule: { kind: "absolute", field: ["a", "b", "c"], unit: "s" }, body: { a: { b: { c: -1 } } }, field: "a.b.c" },
  ])("$name", ({ rule, body, field }) => {
    const got = computeExpiresAt(rule, body, NOW);
    expect(got.ok).toBe(false);
    if (got.ok) return;
    expect(got.reason).toContain(field);
  });

  it("caps the value shown in a reason at 32 characters", () => {
    const long = `${"9".repeat(20)}${"x".repeat(100)}`;
    const got = computeExpiresAt(relative, { expires_in: long }, NOW);
    expect(got.ok).toBe(false);
    if (got.ok) return;
    expect(got.reason).toContain(long.slice(0, 32));
    expect(got.reason).not.toContain(long.slice(0, 33));
  });

  it("fails instead of returning a non-finite time for a non-finite clock", () => {
    expect(computeExpiresAt(relative, { expires_in: 60 }, Number.NaN).ok).toBe(false);
  });
});

describe("readExpiry: on which clock the expiry is", () => {
  it.each<{ name: string; rule: ExpiryRule; body: Record<string, unknown>; serverClock: boolean }>([
    { name: "relative seconds: local clock", rule: relative, body: { expires_in: 3600 }, serverClock: false },
    { name: "relative holding unix seconds: server clock", rule: relative, body: { expires_in: 1_700_003_600 }, serverClock: true },
    { name: "relative holding unix ms: server clock", rule: relative, body: { expires_in: 1_700_003_600_123 }, serverClock: true },
    { name: "absolute: server clock", rule: absS, body: { expires_at: 1_700_003_600 }, serverClock: true },
    { name: "created_at read: server clock", rule: created, body: { created_at: 1_600_000_000, expires_in: 60 }, serverClock: true },
    { name: "created_at absent: local clock", rule: created, body: { expires_in: 60 }, serverClock: false },
    { name: "created_at unreadable: local clock", rule: created, body: { created_at: "yesterday", expires_in: 60 }, serverClock: false },
    { name: "absent expiry", rule: absS, body: {}, serverClock: false },
    { name: "none", rule: { kind: "none" }, body: { expires_in: 1 }, serverClock: false },
  ])("$name", ({ rule, body, serverClock }) => {
    const read = readExpiry(rule, body, NOW);
    expect(read.ok && read.serverClock).toBe(serverClock);
    // computeExpiresAt gives the same expiry, without the flag.
    expect(computeExpiresAt(rule, body, NOW)).toEqual({ ok: true, expiresAt: read.ok ? read.expiresAt : "not ok" });
  });

  it("redacts a secret a server echoes into an expiry field before the value is cut for the reason", () => {
    const secret = "hunter2-correct-horse-battery-staple";
    const redact = new SecretRedactor([secret]);
    // Cut at 32 characters first, the first 32 characters of the secret would be shown.
    const read = readExpiry(relative, { expires_in: `${secret}!` }, NOW, redact);
    expect(read).toEqual({ ok: false, reason: 'expires_in is not a number (got "[redacted]!")' });
    const plain = readExpiry(relative, { expires_in: `${secret}!` }, NOW);
    expect(plain.ok === false && plain.reason).toContain(secret.slice(0, 32));
  });
});
