// Response headers the runtime reads: Retry-After (RFC 9110 §10.2.3) onto
// status errors, and Date (RFC 9110 §6.6.1) to move server-clock expiry times
// onto the local clock.
import { describe, expect, it } from "vitest";
import { requestToken } from "../../generator/runtime/request.js";
import { TokenResponseError, UnexpectedStatusError } from "../../generator/runtime/errors.js";
import type { ExpiryRule } from "../../generator/runtime/types.js";
import { CLIENT_ID, CLIENT_SECRET, NOW, basicGrant, endpoint, useServers } from "./helpers.js";

const start = useServers();
const config = (baseUrl: string) => ({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl, clock: () => NOW });
const httpDate = (ms: number) => new Date(ms).toUTCString();

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
  const HOUR = 3_600_000;
  const absolute: ExpiryRule = { kind: "absolute", field: "expires_at", unit: "s" };
  const created: ExpiryRule = { kind: "created-plus-relative", createdField: "created_at", field: "expires_in" };
  const relative: ExpiryRule = { kind: "relative", field: "expires_in" };

  it.each([
    {
      name: "absolute expiry, server clock an hour behind: shifted onto the local clock",
      rule: absolute,
      serverNow: NOW - HOUR,
      body: { access_token: "a", expires_at: (NOW - HOUR) / 1000 + 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: HOUR },
    },
    {
      name: "created_at + expires_in, server clock an hour ahead: shifted back",
      rule: created,
      serverNow: NOW + HOUR,
      body: { access_token: "a", created_at: (NOW + HOUR) / 1000, expires_in: 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: -HOUR },
    },
    {
      name: "absolute expiry, server clock 10 s off (within tolerance): taken as sent",
      rule: absolute,
      serverNow: NOW - 10_000,
      body: { access_token: "a", expires_at: NOW / 1000 + 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: undefined },
    },
    {
      name: "relative expires_in is already on the local clock: never shifted",
      rule: relative,
      serverNow: NOW - HOUR,
      body: { access_token: "a", expires_in: 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: undefined },
    },
    {
      name: "created_at missing (receipt time used): never shifted",
      rule: created,
      serverNow: NOW - HOUR,
      body: { access_token: "a", expires_in: 600 },
      want: { expiresAt: NOW + 600_000, clockOffsetMs: undefined },
    },
  ])("$name", async ({ rule, serverNow, body, want }) => {
    const server = await start(() => ({ status: 200, headers: { date: httpDate(serverNow) }, body }));
    const result = await requestToken(endpoint({ expiry: rule }), basicGrant, config(server.url), {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.token.expiresAt).toBe(want.expiresAt);
    expect(result.token.clockOffsetMs).toBe(want.clockOffsetMs);
  });
});
