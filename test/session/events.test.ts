// `onEvent` on clients and sessions (generated Dev portal client, real loopback servers): each
// event fires where it should, a hook that throws (or rejects) changes nothing, and no event
// holds anything secret that the run used.
import { afterAll, describe, expect, it } from "vitest";
import {
  MemoryTokenStore,
  createDevportalClient,
  createDevportalSession,
  type StoredToken,
  type TokenEvent,
  type TokenEventHook,
  type TokenStore,
} from "../../generated/devportal/index.js";
import type { TokenLease } from "../../generated/runtime/index.js";
import { startTokenServer, type TokenServer, type TokenServerReply } from "../support/loopback.js";
import { useUnhandledRejectionTrap } from "./helpers.js";

const CLIENT_ID = "events-client";
const CLIENT_SECRET = "events-secret-Vq93!";
/** Everything secret the tests send or receive: credentials and every token the servers issue. */
const secrets = new Set<string>([CLIENT_SECRET, "events-auth-code-77"]);
/** Every event any hook got, for the scan at the end. */
const allEvents: TokenEvent[] = [];
const servers: TokenServer[] = [];
/** Tokens issued by all the servers: each one different. */
let issued = 0;

useUnhandledRejectionTrap();

afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Answer = (grantType: string, n: number) => TokenServerReply | Promise<TokenServerReply>;

/** A token endpoint: `answer` decides each reply; a token answer issues fresh, recorded tokens. */
async function tokenServer(answer: Answer = () => ({ status: 200 })): Promise<TokenServer & { readonly grants: string[]; lastIssued(): string }> {
  const grants: string[] = [];
  let last = "";
  const server = await startTokenServer(async (request) => {
    const grantType = new URLSearchParams(request.body).get("grant_type") ?? "";
    grants.push(grantType);
    const reply = await answer(grantType, grants.length);
    if (reply.status !== 200 || reply.body !== undefined) return reply;
    issued += 1;
    const token = { access_token: `events-at-${issued}-Zt5`, refresh_token: `events-rt-${issued}-Kp2`, token_type: "Bearer", expires_in: 3600 };
    secrets.add(token.access_token).add(token.refresh_token);
    last = token.access_token;
    return { status: 200, body: token };
  });
  servers.push(server);
  return Object.assign(server, { grants, lastIssued: () => last });
}

/** A hook that records into `into` (and into the scan). */
function recorder(into: TokenEvent[]): TokenEventHook {
  return (event) => {
    into.push(event);
    allEvents.push(event);
  };
}

function client(baseUrl: string, onEvent?: TokenEventHook, clock?: () => number) {
  return createDevportalClient({ baseUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...(onEvent ? { onEvent } : {}), ...(clock ? { clock } : {}) });
}

const types = (events: readonly TokenEvent[]) => events.map((e) => e.type);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("client onEvent", () => {
  it("token_obtained, token_refreshed and token_failed (kind, code, status) for each request the client sends", async () => {
    const server = await tokenServer((_grant, n) => (n === 3 ? { status: 400, body: { error: "invalid_grant", error_description: `echo ${CLIENT_SECRET}` } } : { status: 200 }));
    const events: TokenEvent[] = [];
    const devportal = client(server.url, recorder(events));
    const first = await devportal.clientCredentials({ scope: "read" });
    expect(first.ok).toBe(true);
    const refreshed = await devportal.refreshToken({ refresh_token: first.ok ? first.token.refreshToken! : "" });
    expect(refreshed.ok).toBe(true);
    const refused = await devportal.authorizationCode({ code: "events-auth-code-77", redirect_uri: "https://app.example/cb" });
    expect(refused.ok).toBe(false);
    expect(events).toEqual([
      { type: "token_obtained", provider: "devportal", grantType: "client_credentials", durationMs: expect.any(Number) },
      { type: "token_refreshed", provider: "devportal", grantType: "refresh_token", durationMs: expect.any(Number) },
      {
        type: "token_failed",
        provider: "devportal",
        grantType: "authorization_code",
        durationMs: expect.any(Number),
        errorKind: "response",
        errorCode: "TOKEN_RESPONSE_ERROR",
        status: 400,
      },
    ]);
    for (const event of events) expect((event as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
  });

  it("a failure with no answer: token_failed with kind network and no status", async () => {
    const server = await tokenServer();
    const url = server.url;
    await server.close();
    const events: TokenEvent[] = [];
    const result = await client(url, recorder(events)).clientCredentials();
    expect(result.ok).toBe(false);
    expect(events).toEqual([{ type: "token_failed", provider: "devportal", grantType: "client_credentials", durationMs: expect.any(Number), errorKind: "network", errorCode: "TOKEN_NETWORK_ERROR" }]);
  });
});

describe("session onEvent", () => {
  it("token_obtained, then token_refreshed once the token is due, on the session's hook; the client's hook sees each request once", async () => {
    const server = await tokenServer();
    let now = 1_760_000_000_000;
    const onClient: TokenEvent[] = [];
    const onSession: TokenEvent[] = [];
    const session = createDevportalSession(client(server.url, recorder(onClient), () => now), { grant: "client_credentials" }, { onEvent: recorder(onSession) });
    await session.getAccessToken();
    await session.getAccessToken(); // cached: no event
    now += 3_600_000; // expired: refreshed with the refresh token
    await session.getAccessToken();
    await session.close();
    expect(server.grants).toEqual(["client_credentials", "refresh_token"]);
    expect(types(onSession)).toEqual(["token_obtained", "token_refreshed"]);
    expect(onSession[0]).toEqual({ type: "token_obtained", provider: "devportal", grantType: "client_credentials", durationMs: expect.any(Number) });
    expect(onSession[1]).toEqual({ type: "token_refreshed", provider: "devportal", grantType: "refresh_token", durationMs: expect.any(Number) });
    expect(types(onClient)).toEqual(["token_obtained", "token_refreshed"]);
  });

  it("without a hook of its own, a session's events go to the client's hook, its requests once", async () => {
    const server = await tokenServer((_grant, n) => (n <= 2 ? { status: 503, body: { error: "unavailable" } } : { status: 200 }));
    const onClient: TokenEvent[] = [];
    const session = createDevportalSession(client(server.url, recorder(onClient)), { grant: "client_credentials" }, { retry: { tries: 1 } });
    expect((await session.getToken()).ok).toBe(false);
    expect((await session.getToken()).ok).toBe(false);
    await session.close();
    // Each request once (reported by the client), and the session's cool-down after the second failure.
    expect(types(onClient)).toEqual(["token_failed", "token_failed", "cool_down_started"]);
  });

  it("token_failed per attempt, then cool_down_started with its length and the failure's code", async () => {
    const server = await tokenServer(() => ({ status: 503, headers: { "content-type": "text/plain" }, body: "down" }));
    const events: TokenEvent[] = [];
    const session = createDevportalSession(client(server.url), { grant: "client_credentials" }, { onEvent: recorder(events), retry: { tries: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const result = await session.getToken();
    expect(result.ok).toBe(false);
    const again = await session.getToken(); // a second failed flight in a row starts a cool-down
    expect(again.ok).toBe(false);
    await session.close();
    expect(server.grants).toHaveLength(4);
    const failed = { type: "token_failed", provider: "devportal", grantType: "client_credentials", durationMs: expect.any(Number), errorKind: "unexpected_status", errorCode: "TOKEN_UNEXPECTED_STATUS", status: 503 };
    expect(events).toEqual([failed, failed, failed, failed, { type: "cool_down_started", provider: "devportal", coolDownMs: 1000, errorCode: "TOKEN_UNEXPECTED_STATUS" }]);
  });

  it.each([
    { given: "the default store timeout", storeTimeoutMs: undefined },
    { given: "a store timeout shorter than the wait (a wait is no outage)", storeTimeoutMs: 100 },
  ])("lease_waited: a session that waits for another's refresh reports how long, with $given", async ({ storeTimeoutMs }) => {
    const server = await tokenServer(async () => {
      await delay(300);
      return { status: 200 };
    });
    const store = new MemoryTokenStore();
    const devportal = client(server.url);
    const first: TokenEvent[] = [];
    const second: TokenEvent[] = [];
    const timeouts = storeTimeoutMs === undefined ? {} : { storeTimeoutMs };
    const a = createDevportalSession(devportal, { grant: "client_credentials" }, { store, onEvent: recorder(first), ...timeouts });
    const b = createDevportalSession(devportal, { grant: "client_credentials" }, { store, onEvent: recorder(second), ...timeouts });
    const gotA = a.getAccessToken();
    await delay(50); // a holds the lease and is asking
    const gotB = b.getAccessToken();
    expect(await gotB).toBe(await gotA);
    await Promise.all([a.close(), b.close()]);
    expect(server.grants).toHaveLength(1);
    expect(types(first)).toEqual(["token_obtained"]);
    expect(second).toEqual([{ type: "lease_waited", provider: "devportal", waitedMs: expect.any(Number) }]);
    expect((second[0] as { waitedMs: number }).waitedMs).toBeGreaterThan(100);
  });

  it("store_unavailable names the store operation that failed; the token still comes (client credentials run without the store)", async () => {
    const server = await tokenServer();
    const events: TokenEvent[] = [];
    const session = createDevportalSession(client(server.url), { grant: "client_credentials" }, { store: new FailingStore(), onEvent: recorder(events) });
    expect(await session.getAccessToken()).toMatch(/^events-at-/);
    await session.close();
    expect(events).toEqual([
      { type: "store_unavailable", provider: "devportal", operation: "get" },
      { type: "token_obtained", provider: "devportal", grantType: "client_credentials", durationMs: expect.any(Number) },
      // Written before callers see it: that fails too.
      { type: "store_unavailable", provider: "devportal", operation: "set" },
    ]);
  });

  it("deadline_exceeded when a call settles with SessionDeadlineError", async () => {
    const server = await tokenServer(async () => {
      await delay(400);
      return { status: 200 };
    });
    const events: TokenEvent[] = [];
    const session = createDevportalSession(client(server.url), { grant: "client_credentials" }, { deadlineMs: 100, onEvent: recorder(events) });
    const result = await session.getToken();
    expect(result.ok ? "ok" : result.error.kind).toBe("deadline");
    expect(events).toEqual([{ type: "deadline_exceeded", provider: "devportal", deadlineMs: 100 }]);
    await delay(450); // the request goes on, and lands
    expect(types(events)).toEqual(["deadline_exceeded", "token_obtained"]);
    await session.close();
  });
});

describe("a hook that throws", () => {
  /** The same scenario: a failure, a cool-down, a token, a cached token, a 401 replay through session.fetch. */
  async function scenario(onEvent: TokenEventHook | undefined): Promise<unknown[]> {
    const server = await tokenServer((_grant, n) => (n <= 2 ? { status: 503, body: { error: "unavailable" } } : { status: 200 }));
    // The API accepts only the newest token the server issued.
    const api = await startTokenServer((request) => {
      const ok = request.headers.authorization === `Bearer ${server.lastIssued()}`;
      return ok ? { status: 200, body: { ok: true } } : { status: 401, body: { error: "invalid_token" } };
    });
    servers.push(api);
    const hookOptions = onEvent ? { onEvent } : {};
    const devportal = createDevportalClient({ baseUrl: server.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...hookOptions });
    const session = createDevportalSession(devportal, { grant: "client_credentials" }, { ...hookOptions, retry: { tries: 1 }, origins: [api.url], coolDown: { maxMs: 1 } });
    const outcomes: unknown[] = [];
    const record = (r: { ok: boolean; error?: { code: string } }) => outcomes.push(r.ok ? "ok" : r.error!.code);
    record(await session.getToken());
    record(await session.getToken());
    await delay(20); // the cool-down (1 ms at most) is over
    record(await session.getToken());
    outcomes.push((await session.fetch(`${api.url}/resource`)).status);
    record(await devportal.clientCredentials()); // a newer token: the session's is refused now
    await delay(1_100); // minRefreshIntervalMs after the session's last request
    outcomes.push((await session.fetch(`${api.url}/resource`)).status); // 401: renewed once and replayed
    outcomes.push(session.stats().tokenRequests, server.grants.length);
    await session.close();
    return outcomes;
  }

  it("changes nothing: the same outcomes as without a hook, for a hook that throws and one whose promise rejects", async () => {
    const without = await scenario(undefined);
    const calls: string[] = [];
    const throwing = await scenario((event) => {
      calls.push(event.type);
      allEvents.push(event);
      throw new Error(`hook failed on ${event.type}`);
    });
    const rejecting = await scenario(async (event) => {
      calls.push(event.type);
      throw new Error(`hook rejected on ${event.type}`);
    });
    expect(without).toEqual(["TOKEN_UNEXPECTED_STATUS", "TOKEN_UNEXPECTED_STATUS", "ok", 200, "ok", 200, 4, 5]);
    expect(throwing).toEqual(without);
    expect(rejecting).toEqual(without);
    // The hooks were called (both the session's and the client's), and their failures went nowhere.
    expect(calls).toEqual(expect.arrayContaining(["token_failed", "cool_down_started", "token_obtained"]));
  });
});

describe("no event holds a secret", () => {
  it("none of the credentials, codes or tokens used above appears in any event", () => {
    expect(allEvents.length).toBeGreaterThan(20);
    expect(secrets.size).toBeGreaterThan(10);
    const text = JSON.stringify(allEvents);
    for (const secret of secrets) expect(text, secret).not.toContain(secret);
    // Nothing but kinds, codes, counts, durations, the grant type and the provider.
    const allowed = new Set(["type", "provider", "grantType", "durationMs", "errorKind", "errorCode", "status", "waitedMs", "coolDownMs", "operation", "deadlineMs"]);
    for (const event of allEvents) {
      for (const [key, value] of Object.entries(event)) {
        expect(allowed, key).toContain(key);
        expect(["string", "number"], key).toContain(typeof value);
      }
    }
  });
});

/** A store whose every call fails, as a Redis that is down does. */
class FailingStore implements TokenStore {
  private fail(): Promise<never> {
    return Promise.reject(Object.assign(new Error(`connection refused (password ${CLIENT_SECRET})`), { code: "ECONNREFUSED" }));
  }
  get(): Promise<StoredToken | undefined> {
    return this.fail();
  }
  set(): Promise<boolean> {
    return this.fail();
  }
  delete(): Promise<void> {
    return this.fail();
  }
  acquire(): Promise<TokenLease | undefined> {
    return this.fail();
  }
  waitForChange(): Promise<void> {
    return this.fail();
  }
  coolDown(): Promise<void> {
    return this.fail();
  }
  coolDownRemaining(): Promise<number> {
    return this.fail();
  }
}
