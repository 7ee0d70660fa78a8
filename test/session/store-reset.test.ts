// A store that loses its data (a Redis restart without persistence) while a
// refresh is in flight in one process. Another process must not send the same
// refresh token: it waits for the in-flight answer, whichever step of its own
// flight the reset falls into. Deterministic: the reset is staged at the step.
import { describe, expect, it } from "vitest";
import { createSession } from "../../generator/runtime/session.js";
import { MemoryTokenStore } from "../../generator/runtime/store.js";
import type { TokenLease } from "../../generator/runtime/store.js";
import { RecordingStore, codeGrant, delay, form, makeGrant, testClock, tokenBody, useServers } from "./helpers.js";

const start = useServers();
/** The grace a session gives an in-flight refresh after a reset is min(5 s, leaseMs): 4 s here. */
const LEASE_MS = 4_000;
/** Shorter than that grace: a session that slept it out, rather than being woken by the answer's write, misses it. */
const DEADLINE_MS = 2_000;

/** A second process's view of the shared store, which resets just before one of its calls. */
class ResettingStore extends RecordingStore {
  private armed: "get" | "acquire" | undefined;
  private readonly shared: MemoryTokenStore;
  constructor(shared: MemoryTokenStore) {
    super(shared);
    this.shared = shared;
  }
  /** The store loses every token and lease just before this process's next `step`. */
  resetBefore(step: "get" | "acquire"): void {
    this.armed = step;
  }
  private reset(step: "get" | "acquire"): void {
    if (this.armed !== step) return;
    this.armed = undefined;
    this.shared.clear();
  }
  override get(key: string): ReturnType<RecordingStore["get"]> {
    this.reset("get");
    return super.get(key);
  }
  override acquire(key: string, leaseMs: number): Promise<TokenLease | undefined> {
    this.reset("acquire");
    return super.acquire(key, leaseMs);
  }
}

/**
 * Two processes signed in with one code, sharing a store, their token expired: `a` (on the store itself) and `b`
 * (on a ResettingStore view of it). The token server holds every refresh until `answer()` is called.
 */
async function signedInPair(deadlineMs: number) {
  let n = 0;
  let answer: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const http = await start(async (request) => {
    n += 1;
    const issued = n;
    if (form(request.body).get("grant_type") === "refresh_token") await answered;
    return { status: 200, body: tokenBody(issued, { expires_in: 60 }) };
  });
  const clock = testClock();
  const shared = new MemoryTokenStore(clock.now);
  const second = new ResettingStore(shared);
  const grant = () => makeGrant({ baseUrl: http.url, clock, rule: codeGrant, params: { code: "c-1" }, reobtainable: false });
  const a = createSession(grant(), { store: shared, leaseMs: LEASE_MS, deadlineMs });
  const b = createSession(grant(), { store: second, leaseMs: LEASE_MS, deadlineMs });
  expect(await a.getAccessToken()).toBe("at-1");
  expect(await b.getAccessToken()).toBe("at-1");
  clock.advance(60_000);
  /** Starts `a`'s refresh; `held` settles once the server holds it. */
  const refreshA = () => {
    const refreshing = a.getToken();
    const held = (async () => {
      while (http.requests.length < 2) await delay(5);
    })();
    return { refreshing, held };
  };
  return { http, a, b, second, answer, refreshA };
}

describe("a store reset while another process refreshes", () => {
  it.each(["get", "acquire"] as const)("takes the in-flight answer when the reset comes before its %s: rt-1 is sent once", async (step) => {
    const { http, a, b, second, answer, refreshA } = await signedInPair(DEADLINE_MS);
    const { refreshing, held } = refreshA();
    await held;
    second.resetBefore(step);
    const waiting = b.getAccessToken();
    await delay(200);
    answer();
    const tokens = await Promise.all([refreshing.then((r) => (r.ok ? r.token.accessToken : r.error.kind)), waiting]);
    expect(tokens).toEqual(["at-2", "at-2"]);
    const refreshTokens = http.requests.map((r) => form(r.body).get("refresh_token")).filter((t) => t !== null);
    expect(refreshTokens).toEqual(["rt-1"]);
    await Promise.all([a.close(), b.close()]);
  });

  it("a session closed during that grace stops waiting at once, sends nothing, and its caller gets session_closed", async () => {
    const { http, a, b, second, answer, refreshA } = await signedInPair(10_000);
    const { refreshing, held } = refreshA();
    await held;
    second.resetBefore("acquire");
    const waiting = b.getToken();
    await delay(100); // b holds the lease and waits out the grace (4 s) for a's answer
    const closedIn = await Promise.race([b.close().then(() => "closed"), delay(1_000).then(() => "still waiting")]);
    expect(closedIn).toBe("closed");
    const result = await waiting;
    expect(result.ok ? "ok" : result.error.kind).toBe("session_closed");
    answer();
    expect((await refreshing).ok).toBe(true);
    // a's one refresh; b sent none.
    expect(http.requests.map((r) => form(r.body).get("grant_type"))).toEqual(["authorization_code", "refresh_token"]);
    await a.close();
  });
});
