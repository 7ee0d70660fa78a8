// Shared fixtures for the session tests: grants built with requestToken
// against loopback servers, a test clock, an instrumented store and an
// unhandled-rejection trap.
import { afterEach, beforeEach, expect } from "vitest";
import type { TokenResponseError, TransportError } from "../../generator/runtime/errors.js";
import { requestToken } from "../../generator/runtime/request.js";
import type { SessionGrant } from "../../generator/runtime/session-types.js";
import type { StoredToken, TokenLease, TokenStore } from "../../generator/runtime/store.js";
import type { ClientConfig, FetchLike, GrantRule, TokenEndpoint } from "../../generator/runtime/types.js";
import { NOW, basicGrant, endpoint } from "../runtime/helpers.js";

export { NOW, basicGrant, bodyPasswordGrant, delay, endpoint, useServers } from "../runtime/helpers.js";

export type Raw = Record<string, unknown>;
export type GrantError = TokenResponseError<number, unknown> | TransportError;
export type Grant = SessionGrant<Raw, GrantError>;

export const CLIENT_ID = "session-client";
export const CLIENT_SECRET = "session-secret-Qx81";

/** The refresh_token grant (RFC 6749 §6) with Basic client credentials. */
export const refreshGrant: GrantRule = { grantType: "refresh_token", grantField: "grant_type", clientAuth: { kind: "basic" } };
/** A single-use grant. */
export const codeGrant: GrantRule = { grantType: "authorization_code", grantField: "grant_type", clientAuth: { kind: "basic" } };

/** A clock the test moves by hand. */
export interface TestClock {
  readonly now: () => number;
  advance(ms: number): void;
}

export function testClock(start: number = NOW): TestClock {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

export interface GrantSetup {
  readonly baseUrl: string;
  readonly clock: TestClock;
  /** The original grant (default: client credentials). */
  readonly rule?: GrantRule;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly reobtainable?: boolean;
  /** Whether the provider has a refresh_token grant (default true). */
  readonly refresh?: boolean;
  readonly endpoint?: Partial<TokenEndpoint>;
  readonly config?: Partial<ClientConfig>;
  readonly keyParts?: readonly string[];
  readonly fetch?: FetchLike;
}

/** A SessionGrant as a generated client builds one: requestToken bound to an endpoint literal. */
export function makeGrant(setup: GrantSetup): Grant {
  const config: ClientConfig = {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    baseUrl: setup.baseUrl,
    clock: setup.clock.now,
    ...(setup.fetch !== undefined ? { fetch: setup.fetch } : {}),
    ...setup.config,
  };
  const ep = endpoint({ errorStatuses: [400, 401], ...setup.endpoint });
  const rule = setup.rule ?? basicGrant;
  const params = setup.params ?? {};
  return {
    obtain: (call) => requestToken<Raw, TokenResponseError<number, unknown>>(ep, rule, config, params, call),
    reobtainable: setup.reobtainable ?? true,
    ...(setup.refresh === false
      ? {}
      : {
          refresh: (refreshToken: string, call) =>
            requestToken<Raw, TokenResponseError<number, unknown>>(ep, refreshGrant, config, { refresh_token: refreshToken }, call),
        }),
    keyParts: setup.keyParts ?? ["test-provider", CLIENT_ID, rule.grantType, JSON.stringify(params)],
    clock: setup.clock.now,
    elapsed: setup.clock.now,
    fetch: setup.fetch,
  };
}

/** The form fields of a recorded token request. */
export function form(body: string): URLSearchParams {
  return new URLSearchParams(body);
}

export function tokenBody(n: number, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return { access_token: `at-${n}`, token_type: "Bearer", expires_in: 3600, refresh_token: `rt-${n}`, ...extra };
}

/** A TokenStore that records every call, forwarding to `inner`. */
export class RecordingStore implements TokenStore {
  readonly calls: string[] = [];
  readonly inner: TokenStore;
  constructor(inner: TokenStore) {
    this.inner = inner;
  }
  get(key: string): Promise<StoredToken | undefined> {
    this.calls.push("get");
    return this.inner.get(key);
  }
  set(key: string, token: StoredToken): Promise<boolean> {
    this.calls.push(`set:${token.accessToken}:${token.refreshToken ?? "-"}`);
    return this.inner.set(key, token);
  }
  coolDown(key: string, ms: number): Promise<void> {
    this.calls.push("coolDown");
    return this.inner.coolDown(key, ms);
  }
  coolDownRemaining(key: string): Promise<number> {
    this.calls.push("coolDownRemaining");
    return this.inner.coolDownRemaining(key);
  }
  delete(key: string): Promise<void> {
    this.calls.push("delete");
    return this.inner.delete(key);
  }
  acquire(key: string, leaseMs: number): Promise<TokenLease | undefined> {
    this.calls.push("acquire");
    return this.inner.acquire(key, leaseMs);
  }
  waitForChange(key: string, timeoutMs: number): Promise<void> {
    this.calls.push("wait");
    return this.inner.waitForChange(key, timeoutMs);
  }
  async close(): Promise<void> {
    this.calls.push("close");
  }
}

/**
 * Fails the test when any promise rejection goes unhandled while it runs
 * (checked after the event loop has had a chance to report them).
 */
export function useUnhandledRejectionTrap(): { readonly seen: unknown[] } {
  const seen: unknown[] = [];
  const trap = (reason: unknown): void => {
    seen.push(reason);
  };
  beforeEach(() => {
    seen.length = 0;
    process.on("unhandledRejection", trap);
  });
  afterEach(async () => {
    // Unhandled rejections are reported after microtasks drain; give them two turns.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    process.off("unhandledRejection", trap);
    expect(seen).toEqual([]);
  });
  return { seen };
}
