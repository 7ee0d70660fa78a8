import { describe, expect, it } from "vitest";
import { SecretRedactor } from "../../generator/runtime/errors.js";
import { computeExpiresAt, readExpiry } from "../../generator/runtime/expiry.js";
import type { ExpiryRule } from "../../generator/runtime/types.js";

const NOW = 1_700_000_000_000; // 2023-11-14T22:13:20Z
const relative: ExpiryRule = { kind: "relative", field: "expires_in" };
const absS: ExpiryRule = { kind: "absolute", field: "expires_at", unit: "s" };
const absMs: ExpiryRule = { kind: "absolute", field: "expires_at", unit: "ms" };
const created: ExpiryRule = { kind: "created-plus-relative", createdField: "created_at", createdUnit: "s", field: "expires_in" };
const createdMs: ExpiryRule = { kind: "created-plus-relative", createdField: "created_at", createdUnit: "ms", field: "expires_in" };
const relMs: ExpiryRule = { kind: "relative", field: "expires_in", unit: "ms" };
const absIso: ExpiryRule = { kind: "absolute", field: "expiresAt", unit: "iso8601" };
const issuedMs: ExpiryRule = { kind: "issued-at", field: "issued_at", unit: "ms", lifetimeSeconds: 7200 };
const issuedS: ExpiryRule = { kind: "issued-at", field: "issued_at", unit: "s", lifetimeSeconds: 7200 };

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
    // The rule says what a value is; its size never makes a lifetime a timestamp (the model decides that).
    { name: "relative stays relative however large: 1e9+ seconds", rule: relative, body: { expires_in: 1_700_003_600 }, want: NOW + 1_700_003_600_000 },
    { name: "relative stays relative however large: as a string", rule: relative, body: { expires_in: "1700003600" }, want: NOW + 1_700_003_600_000 },
    { name: "relative stays relative however large: 1e12+ seconds", rule: relative, body: { expires_in: 1_700_003_600_123 }, want: NOW + 1_700_003_600_123_000 },
    { name: "relative with unit s is seconds", rule: { kind: "relative", field: "expires_in", unit: "s" }, body: { expires_in: 60 }, want: NOW + 60_000 },
    { name: "relative milliseconds (Fiserv)", rule: relMs, body: { expires_in: 899_000 }, want: NOW + 899_000 },
    { name: "relative milliseconds string", rule: relMs, body: { expires_in: "899000" }, want: NOW + 899_000 },
    { name: "relative milliseconds past 1e9 stay a lifetime", rule: relMs, body: { expires_in: 1_209_600_000 }, want: NOW + 1_209_600_000 },
    { name: "relative milliseconds absent", rule: relMs, body: {}, want: undefined },
    { name: "absolute seconds below 1e9 is still a unix time", rule: absS, body: { expires_at: 86_400 }, want: 86_400_000 },
    { name: "absolute ISO-8601 (Sentry)", rule: absIso, body: { expiresAt: "2026-12-06T12:00:00Z" }, want: Date.UTC(2026, 11, 6, 12) },
    { name: "absolute ISO-8601 with offset and fraction", rule: absIso, body: { expiresAt: "2026-12-06T14:00:00.250+02:00" }, want: Date.UTC(2026, 11, 6, 12, 0, 0, 250) },
    { name: "absolute ISO-8601 padded", rule: absIso, body: { expiresAt: " 2026-12-06T12:00:00Z " }, want: Date.UTC(2026, 11, 6, 12) },
    { name: "absolute ISO-8601 absent", rule: absIso, body: {}, want: undefined },
    { name: "absolute ISO-8601 null", rule: absIso, body: { expiresAt: null }, want: undefined },
    { name: "issued-at ms plus documented lifetime (Salesforce)", rule: issuedMs, body: { issued_at: "1700000000000" }, want: 1_700_007_200_000 },
    { name: "issued-at ms as a number", rule: issuedMs, body: { issued_at: 1_700_000_000_000 }, want: 1_700_007_200_000 },
    { name: "issued-at seconds", rule: issuedS, body: { issued_at: 1_700_000_000 }, want: 1_700_007_200_000 },
    { name: "issued-at absent counts the lifetime from receipt", rule: issuedMs, body: {}, want: NOW + 7_200_000 },
    { name: "issued-at null counts the lifetime from receipt", rule: issuedMs, body: { issued_at: null }, want: NOW + 7_200_000 },
    { name: "absolute seconds", rule: absS, body: { expires_at: 1_700_003_600 }, want: 1_700_003_600_000 },
    { name: "absolute seconds string", rule: absS, body: { expires_at: "1700003600" }, want: 1_700_003_600_000 },
    { name: "absolute ms", rule: absMs, body: { expires_at: 1_700_003_600_123 }, want: 1_700_003_600_123 },
    { name: "absolute ms string", rule: absMs, body: { expires_at: "1700003600123" }, want: 1_700_003_600_123 },
    { name: "absolute absent", rule: absS, body: {}, want: undefined },
    { name: "created seconds + relative", rule: created, body: { created_at: 1_600_000_000, expires_in: 7200 }, want: 1_600_007_200_000 },
    { name: "created seconds string", rule: created, body: { created_at: "1600000000", expires_in: "7200" }, want: 1_600_007_200_000 },
    { name: "created in ms", rule: createdMs, body: { created_at: 1_600_000_000_000, expires_in: 7200 }, want: 1_600_007_200_000 },
    { name: "created ms below 1e12 is still ms", rule: createdMs, body: { created_at: 1_600_000_000, expires_in: 7200 }, want: 1_600_000_000 + 7_200_000 },
    { name: "created seconds above 1e12 is still seconds", rule: created, body: { created_at: 1_600_000_000_000, expires_in: 0 }, want: 1_600_000_000_000_000 },
    // An ISO-8601 creation time says what it is: read as such whatever the unit for numbers.
    { name: "created ISO-8601", rule: created, body: { created_at: "2020-09-13T12:26:40Z", expires_in: 7200 }, want: 1_600_007_200_000 },
    { name: "created ISO-8601 with offset", rule: created, body: { created_at: "2020-09-13T14:26:40+02:00", expires_in: 60 }, want: 1_600_000_060_000 },
    { name: "created ISO-8601 under a ms unit", rule: createdMs, body: { created_at: "2020-09-13T12:26:40Z", expires_in: 60 }, want: 1_600_000_060_000 },
    { name: "created date without a time: unreadable, from receipt", rule: created, body: { created_at: "2020-09-13", expires_in: 60 }, want: NOW + 60_000 },
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
      rule: { kind: "created-plus-relative", createdField: ["meta", "created"], createdUnit: "s", field: ["meta", "ttl"] },
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
    { name: "relative seconds beyond the date range", rule: relative, body: { expires_in: 1e13 }, field: "expires_in" },
    { name: "relative ms not finite", rule: relMs, body: JSON.parse('{"expires_in":1e400}') as Record<string, unknown>, field: "expires_in" },
    { name: "relative ms negative", rule: relMs, body: { expires_in: -1 }, field: "expires_in" },
    { name: "ISO-8601 garbage", rule: absIso, body: { expiresAt: "soon" }, field: "expiresAt" },
    { name: "ISO-8601 given a unix time", rule: absIso, body: { expiresAt: 1_700_000_000 }, field: "expiresAt" },
    { name: "ISO-8601 given a numeric string", rule: absIso, body: { expiresAt: "1700000000" }, field: "expiresAt" },
    { name: "ISO-8601 date without a time", rule: absIso, body: { expiresAt: "2026-12-06" }, field: "expiresAt" },
    { name: "ISO-8601 impossible date", rule: absIso, body: { expiresAt: "2026-13-45T99:00:00Z" }, field: "expiresAt" },
    { name: "ISO-8601 beyond the date range", rule: absIso, body: { expiresAt: "+275760-09-13T00:00:01Z" }, field: "expiresAt" },
    { name: "issued-at garbage", rule: issuedMs, body: { issued_at: "yesterday" }, field: "issued_at" },
    { name: "issued-at negative", rule: issuedMs, body: { issued_at: -1 }, field: "issued_at" },
    { name: "issued-at beyond the date range", rule: issuedS, body: { issued_at: 1e300 }, field: "issued_at" },
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
    { name: "relative however large: local clock", rule: relative, body: { expires_in: 1_700_003_600 }, serverClock: false },
    { name: "relative milliseconds: local clock", rule: relMs, body: { expires_in: 899_000 }, serverClock: false },
    { name: "absolute ISO-8601: server clock", rule: absIso, body: { expiresAt: "2026-12-06T12:00:00Z" }, serverClock: true },
    { name: "issued-at read: server clock", rule: issuedMs, body: { issued_at: 1_700_000_000_000 }, serverClock: true },
    { name: "issued-at absent: local clock", rule: issuedMs, body: {}, serverClock: false },
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
