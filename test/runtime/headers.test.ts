// Response headers the runtime reads: Retry-After (RFC 9110 §10.2.3) onto
// status errors, and Date (RFC 9110 §6.6.1) to move server-clock expiry times
// onto the local clock.
import { describe, expect, it } from "vitest";
import { requestToken } from "../../generator/runtime/request.js";
import { TokenResponseError, UnexpectedStatusError } from "../../generator/runtime/errors.js";
import { CLOCK_SKEW_TOLERANCE_MS, MAX_CLOCK_CORRECTION_MS } from "../../generator/runtime/response-read.js";
import type { ExpiryRule } from "../../generator/runtime/types.js";
import type { TokenServerHandler } from "../support/loopback.js";
import { CLIENT_ID, CLIENT_SECRET, NOW, basicGrant, endpoint, useServers } from "./helpers.js";

const start = useServers();
const config = (baseUrl: string) => ({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl, clock: () => NOW });
const httpDate = (ms: number) => new Date(ms).toUTCString();
/** A 200 JSON answer with no Date header (node:http adds one, on the real clock, unless told not to). */
const withoutDate = (body: object): TokenServerHandler => (_request, { res }) => {
  res.sendDate = false;
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};

describe("Retry-After", () => {
  it.each([
    { given: "120", status: 429, want: 120_000, kind: "unexpected_status" },
    { given: "0", status: 503, want: 0, kind: "unexpected_status" },
    { given: httpDate(NOW + 90_000), status: 503, want: 90_000, kind: "unexpected_status" },
    { given: httpDate(NOW - 90_000), status: 429, want: 0, kind: "unexpected_status" },
    { given: "soon", status: 429, want: undefined, kind: "unexpected_status" },
    { given: "30", status: 400, want: 30_000, kind: "response" },
  ])("$status with Retry-After: $given -> retryAfterMs $want", async ({ given, status, want, kind }) => {
    const server = await start(() => ({ status, headers: { "retry-after": given }, body: { error: "slow_down" } }));
    const result = await requestToken(endpoint(), basicGrant, config(server.url), {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe(kind);
    const error = result.error as UnexpectedStatusError | TokenResponseError;
    expect(error.retryAfterMs).toBe(want);
  });

  it("is undefined when the header is absent", async () => {
    const server = await start(() => ({ status: 503, body: { error: "down" } }));
    const result = await requestToken(endpoint(), basicGrant, config(server.url), {});
    expect(!result.ok && (result.error as UnexpectedStatusError).retryAfterMs).toBeUndefined();
  });
});

describe("Date header and server-clock expiry", () => {
  const MINUTE = 60_000;
  const HOUR = 3_600_000;
  const YEAR = 365 * 24 * HOUR;
  const absolute: ExpiryRule = { kind: "absolute", field: "expires_at", unit: "s" };
  const created: ExpiryRule = { kind: "created-plus-relative", createdField: "created_at", createdUnit: "s", field: "expires_in" };
  const relative: ExpiryRule = { kind: "relative", field: "expires_in" };

  interface Case {
    readonly name: string;
    readonly rule: ExpiryRule;
    /** The server's clock as its Date header shows it; no header when undefined. */
    readonly serverNow: number | undefined;
    readonly body: Record<string, unknown>;
    readonly want: { readonly expiresAt: number; readonly clockOffsetMs: number | undefined; readonly beyondBound: boolean };
  }

  it("the bound is 5 minutes, the tolerance 30 s", () => {
    expect(MAX_CLOCK_CORRECTION_MS).toBe(5 * MINUTE);
    expect(CLOCK_SKEW_TOLERANCE_MS).toBe(30_000);
  });

  it.each<Case>([
    {
      name: "absolute expiry, server clock 2 minutes behind: shifted onto the local clock",
      rule: absolute,
      serverNow: NOW - 2 * MINUTE,
      body: { access_token: "a", expires_at: (NOW - 2 * MINUTE) / 1000 + 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: 2 * MINUTE, beyondBound: false },
    },
    {
      name: "created_at + expires_in, server clock 4 minutes ahead: shifted back",
      rule: created,
      serverNow: NOW + 4 * MINUTE,
      body: { access_token: "a", created_at: (NOW + 4 * MINUTE) / 1000, expires_in: 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: -4 * MINUTE, beyondBound: false },
    },
    {
      name: "server clock exactly 5 minutes behind: still within the bound",
      rule: absolute,
      serverNow: NOW - 5 * MINUTE,
      body: { access_token: "a", expires_at: (NOW - 5 * MINUTE) / 1000 + 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: 5 * MINUTE, beyondBound: false },
    },
    {
      name: "absolute expiry, server clock 10 s off (within tolerance): taken as sent",
      rule: absolute,
      serverNow: NOW - 10_000,
      body: { access_token: "a", expires_at: NOW / 1000 + 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: undefined, beyondBound: false },
    },
    {
      name: "the issue: Date in the year 2000, expiry an hour from now: not valid until 2050",
      rule: absolute,
      serverNow: Date.UTC(2000, 0, 1),
      body: { access_token: "a", expires_at: NOW / 1000 + 3600 },
      want: { expiresAt: NOW + HOUR, clockOffsetMs: NOW - Date.UTC(2000, 0, 1), beyondBound: true },
    },
    {
      name: "server clock 30 years ahead, expiry an hour on its clock: capped at the hour it claimed",
      rule: absolute,
      serverNow: NOW + 30 * YEAR,
      body: { access_token: "a", expires_at: (NOW + 30 * YEAR) / 1000 + 3600 },
      want: { expiresAt: NOW + HOUR, clockOffsetMs: -30 * YEAR, beyondBound: true },
    },
    {
      name: "created_at + expires_in, server clock an hour ahead: capped at the 10 minutes it claimed",
      rule: created,
      serverNow: NOW + HOUR,
      body: { access_token: "a", created_at: (NOW + HOUR) / 1000, expires_in: 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: -HOUR, beyondBound: true },
    },
    {
      name: "server clock an hour behind: the Date header is not trusted to move the expiry later, expired on receipt",
      rule: absolute,
      serverNow: NOW - HOUR,
      body: { access_token: "a", expires_at: (NOW - HOUR) / 1000 + 600 },
      want: { expiresAt: NOW - HOUR + 600_000, clockOffsetMs: HOUR, beyondBound: true },
    },
    {
      name: "an expires_in the model reads as a unix time is a server-clock time: shifted",
      rule: { kind: "absolute", field: "expires_in", unit: "s" },
      serverNow: NOW - 2 * MINUTE,
      body: { access_token: "a", expires_in: (NOW - 2 * MINUTE) / 1000 + 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: 2 * MINUTE, beyondBound: false },
    },
    {
      name: "relative expires_in is already on the local clock: never shifted",
      rule: relative,
      serverNow: NOW - HOUR,
      body: { access_token: "a", expires_in: 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: undefined, beyondBound: false },
    },
    {
      name: "created_at missing (receipt time used): never shifted",
      rule: created,
      serverNow: NOW - 2 * MINUTE,
      body: { access_token: "a", expires_in: 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: undefined, beyondBound: false },
    },
    {
      name: "created_at unreadable (receipt time used): never shifted",
      rule: created,
      serverNow: NOW - 2 * MINUTE,
      body: { access_token: "a", created_at: "yesterday", expires_in: 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: undefined, beyondBound: false },
    },
    {
      name: "no Date header: taken as sent",
      rule: absolute,
      serverNow: undefined,
      body: { access_token: "a", expires_at: NOW / 1000 + 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: undefined, beyondBound: false },
    },
  ])("$name", async ({ rule, serverNow, body, want }) => {
    const server = await start(serverNow === undefined ? withoutDate(body) : () => ({ status: 200, headers: { date: httpDate(serverNow) }, body }));
    const result = await requestToken(endpoint({ expiry: rule }), basicGrant, config(server.url), {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.token.expiresAt).toBe(want.expiresAt);
    expect(result.token.clockOffsetMs).toBe(want.clockOffsetMs);
    expect(result.token.clockOffsetBeyondBound).toBe(want.beyondBound ? true : undefined);
    expect(Object.hasOwn(result.token, "clockOffsetBeyondBound")).toBe(want.beyondBound);
  });

  it("an unparseable Date header is ignored", async () => {
    const server = await start(() => ({ status: 200, headers: { date: "not a date" }, body: { access_token: "a", expires_at: NOW / 1000 + 600 } }));
    const result = await requestToken(endpoint({ expiry: absolute }), basicGrant, config(server.url), {});
    expect(result.ok && result.token).toMatchObject({ expiresAt: NOW + 600_000 });
    expect(result.ok && Object.hasOwn(result.token, "clockOffsetMs")).toBe(false);
  });
});

describe("an expiry already past at receipt is kept, at or before receipt (expired on receipt)", () => {
  it.each<{ name: string; rule: ExpiryRule; body: Record<string, unknown>; want: number }>([
    { name: "expires_in 0", rule: { kind: "relative", field: "expires_in" }, body: { expires_in: 0 }, want: NOW },
    { name: 'expires_in "0"', rule: { kind: "relative", field: "expires_in" }, body: { expires_in: "0" }, want: NOW },
    { name: "expires_in the model reads as a unix time an hour ago", rule: { kind: "absolute", field: "expires_in", unit: "s" }, body: { expires_in: NOW / 1000 - 3600 }, want: NOW - 3_600_000 },
    { name: "absolute expires_at an hour ago", rule: { kind: "absolute", field: "expires_at", unit: "s" }, body: { expires_at: NOW / 1000 - 3600 }, want: NOW - 3_600_000 },
    { name: "absolute expires_at 0: 0, not absent", rule: { kind: "absolute", field: "expires_at", unit: "ms" }, body: { expires_at: 0 }, want: 0 },
    {
      name: "created_at a day ago + expires_in an hour",
      rule: { kind: "created-plus-relative", createdField: "created_at", createdUnit: "s", field: "expires_in" },
      body: { created_at: NOW / 1000 - 86_400, expires_in: 3600 },
      want: NOW - 82_800_000,
    },
  ])("$name", async ({ rule, body, want }) => {
    // The server's Date agrees with the client's clock: the expiry really is past.
    const server = await start(() => ({ status: 200, headers: { date: httpDate(NOW) }, body: { access_token: "a", ...body } }));
    const result = await requestToken(endpoint({ expiry: rule }), basicGrant, config(server.url), {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.hasOwn(result.token, "expiresAt")).toBe(true);
    expect(result.token.expiresAt).toBe(want);
    expect(result.token.expiresAt! <= NOW).toBe(true);
  });

  it("an expiry a millisecond after receipt is not expired", async () => {
    const server = await start(withoutDate({ access_token: "a", expires_at: NOW + 1 }));
    const result = await requestToken(endpoint({ expiry: { kind: "absolute", field: "expires_at", unit: "ms" } }), basicGrant, config(server.url), {});
    expect(result.ok && result.token.expiresAt).toBe(NOW + 1);
  });
});
