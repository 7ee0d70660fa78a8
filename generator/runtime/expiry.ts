import { quoteForMessage } from "./errors.js";
import type { SecretRedactor } from "./errors.js";
import { fieldPathName, readField } from "./field-path.js";
import type { ExpiryRule, FieldPath } from "./types.js";

/** Outcome of reading a token's expiry from a success body. */
export type ExpiryResult =
  | { readonly ok: true; readonly expiresAt: number | undefined }
  | { readonly ok: false; readonly reason: string };

/** Largest magnitude a JavaScript Date can hold (ECMA-262 §21.4.1.22). */
const MAX_DATE_MS = 8.64e15;
const MAX_SHOWN_VALUE_CHARS = 32;

type NumberRead =
  | { readonly kind: "absent" }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "bad"; readonly reason: string };

/**
 * Works out when a token expires, as epoch milliseconds, from a success body
 * according to the endpoint's rule. The rule says what every value is (the
 * model decided it, from the spec or the provider config); nothing here
 * reinterprets a value by its size.
 *
 * - `relative`: RFC 6749 §5.1 `expires_in`, seconds (or the rule's
 *   milliseconds) counted from `receivedAtMs`.
 * - `absolute`: a unix time in the rule's unit, or an ISO-8601 date-time.
 * - `created-plus-relative`: `expires_in` seconds counted from a creation
 *   time (a unix time in `createdUnit`, or an ISO-8601 date-time string);
 *   when that is absent or unreadable, from `receivedAtMs`.
 * - `issued-at`: an issue time in the rule's unit plus `lifetimeSeconds`;
 *   when the issue time is absent, from `receivedAtMs`.
 * - `none`: never known.
 *
 * Fields are {@link FieldPath}s, read with own-property checks at every step
 * (`["data", "expires_in"]` reads a nested member); reasons name the path
 * joined with `.`.
 *
 * Numbers may be JSON numbers or numeric strings of digits with an optional
 * fraction (`"3600"`, `" 3600 "`, `"3600.5"`): some servers send every member
 * as a string. Other strings (`"1.5e3"`, `"0x10"`, `"-1"`, `""`) are not
 * numbers. An absent (`undefined` or `null`) expiry field gives
 * `expiresAt: undefined`, never "now" (RFC 6749 §5.1 makes `expires_in`
 * optional). A present but unusable value (not numeric, negative, not finite,
 * not a date, outside the range of a date) gives `ok: false` with a reason
 * naming the field.
 */
export function computeExpiresAt(
  rule: ExpiryRule,
  body: Readonly<Record<string, unknown>>,
  receivedAtMs: number,
): ExpiryResult {
  const read = readExpiry(rule, body, receivedAtMs);
  return read.ok ? { ok: true, expiresAt: read.expiresAt } : read;
}

/** {@link ExpiryResult}, and on which clock the expiry was read. */
export type ExpiryReading =
  | {
      readonly ok: true;
      readonly expiresAt: number | undefined;
      /**
       * True when `expiresAt` is a time on the server's clock (a time the
       * server sent: an `absolute` expiry, a creation or issue time that was
       * read); false when it was counted from `receivedAtMs`, on the local
       * clock.
       */
      readonly serverClock: boolean;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * {@link computeExpiresAt}, also saying whether the expiry is a server-clock
 * time (which `requestToken` moves onto the local clock by the response's
 * `Date` header). Server values quoted in a reason go through `redact`
 * before they are cut, so that a server that echoes a credential into an
 * expiry field does not see part of it shown.
 */
export function readExpiry(
  rule: ExpiryRule,
  body: Readonly<Record<string, unknown>>,
  receivedAtMs: number,
  redact?: SecretRedactor,
): ExpiryReading {
  switch (rule.kind) {
    case "relative": {
      const read = readNumber(body, rule.field, redact);
      if (read.kind === "absent") return { ok: true, expiresAt: undefined, serverClock: false };
      if (read.kind === "bad") return { ok: false, reason: read.reason };
      return finish(rule.field, receivedAtMs + inMilliseconds(read.value, rule.unit ?? "s"), false);
    }
    case "absolute": {
      if (rule.unit === "iso8601") {
        const read = readDateTime(body, rule.field, redact);
        if (read.kind === "absent") return { ok: true, expiresAt: undefined, serverClock: false };
        if (read.kind === "bad") return { ok: false, reason: read.reason };
        return finish(rule.field, read.value, true);
      }
      const read = readNumber(body, rule.field, redact);
      if (read.kind === "absent") return { ok: true, expiresAt: undefined, serverClock: false };
      if (read.kind === "bad") return { ok: false, reason: read.reason };
      return finish(rule.field, inMilliseconds(read.value, rule.unit), true);
    }
    case "created-plus-relative": {
      const read = readNumber(body, rule.field, redact);
      if (read.kind === "absent") return { ok: true, expiresAt: undefined, serverClock: false };
      if (read.kind === "bad") return { ok: false, reason: read.reason };
      const createdAt = readCreatedAt(body, rule.createdField, rule.createdUnit);
      return finish(rule.field, (createdAt ?? receivedAtMs) + read.value * 1000, createdAt !== undefined);
    }
    case "issued-at": {
      const read = readNumber(body, rule.field, redact);
      if (read.kind === "bad") return { ok: false, reason: read.reason };
      // The lifetime is documented, not sent: without the issue time it still counts, from receipt.
      const issuedAt = read.kind === "absent" ? undefined : inMilliseconds(read.value, rule.unit);
      return finish(rule.field, (issuedAt ?? receivedAtMs) + rule.lifetimeSeconds * 1000, issuedAt !== undefined);
    }
    case "none":
      return { ok: true, expiresAt: undefined, serverClock: false };
    default: {
      const unknownRule: never = rule;
      const kind: unknown = (unknownRule as { kind?: unknown }).kind;
      return { ok: false, reason: `unknown expiry rule ${describeValue(kind)}` };
    }
  }
}

function inMilliseconds(value: number, unit: "s" | "ms"): number {
  return unit === "s" ? value * 1000 : value;
}

function finish(field: FieldPath, ms: number, serverClock: boolean): ExpiryReading {
  const expiresAt = Math.round(ms);
  if (!Number.isFinite(expiresAt) || Math.abs(expiresAt) > MAX_DATE_MS) {
    return { ok: false, reason: `${fieldPathName(field)} gives an expiry outside the range of a date` };
  }
  return { ok: true, expiresAt, serverClock };
}

/** Digits with an optional fraction: what a numeric string may spell (no sign, exponent or hex). */
const NUMERIC_STRING = /^\d+(?:\.\d+)?$/;

/** Parses a JSON number or numeric string; undefined when it is neither. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return NUMERIC_STRING.test(trimmed) ? Number(trimmed) : undefined;
}

function readNumber(body: Readonly<Record<string, unknown>>, field: FieldPath, redact: SecretRedactor | undefined): NumberRead {
  const value = readField(body, field);
  if (value === undefined || value === null) return { kind: "absent" };
  const parsed = toNumber(value);
  if (parsed === undefined) {
    return { kind: "bad", reason: `${fieldPathName(field)} is not a number (got ${describeValue(value, redact)})` };
  }
  if (!Number.isFinite(parsed)) {
    return { kind: "bad", reason: `${fieldPathName(field)} is not a finite number (got ${describeValue(value, redact)})` };
  }
  if (parsed < 0) {
    return { kind: "bad", reason: `${fieldPathName(field)} is negative (got ${describeValue(value, redact)})` };
  }
  return { kind: "number", value: parsed };
}

/** A date, then a time: RFC 3339 §5.6 `date-time`, the ISO-8601 profile OpenAPI's `format: date-time` means. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/;

/** Epoch ms of an ISO-8601 date-time string; undefined when it is not one. */
function parseDateTime(value: unknown): number | undefined {
  if (typeof value !== "string" || !ISO_DATE_TIME.test(value.trim())) return undefined;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? ms : undefined;
}

function readDateTime(body: Readonly<Record<string, unknown>>, field: FieldPath, redact: SecretRedactor | undefined): NumberRead {
  const value = readField(body, field);
  if (value === undefined || value === null) return { kind: "absent" };
  const ms = parseDateTime(value);
  if (ms === undefined) return { kind: "bad", reason: `${fieldPathName(field)} is not an ISO-8601 date-time (got ${describeValue(value, redact)})` };
  return { kind: "number", value: ms };
}

/**
 * Epoch ms of a creation time, or undefined when absent or unreadable: a
 * number is a unix time in the rule's unit; a string that is an ISO-8601
 * date-time says what it is, and is read as that.
 */
function readCreatedAt(body: Readonly<Record<string, unknown>>, field: FieldPath, unit: "s" | "ms"): number | undefined {
  const value = readField(body, field);
  const parsed = toNumber(value);
  if (parsed === undefined) return parseDateTime(value);
  if (!Number.isFinite(parsed) || parsed < 0) return undefined;
  return inMilliseconds(parsed, unit);
}

/** A short, printable rendering of a server's value for a reason, secrets in `redact` replaced before the cut. */
function describeValue(value: unknown, redact?: SecretRedactor): string {
  if (typeof value === "string") {
    const text = redact === undefined ? value : redact.text(value);
    const shown = text.length > MAX_SHOWN_VALUE_CHARS ? `${text.slice(0, MAX_SHOWN_VALUE_CHARS)}…` : text;
    // The value comes from the server; quoted so that C1 controls in it cannot reach a terminal.
    return quoteForMessage(shown);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a value of type ${typeof value}`;
}
