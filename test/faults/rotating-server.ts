// A token endpoint on loopback that rotates refresh tokens the way a strict
// provider does (RFC 9700 §4.14.2): every refresh answer carries a new
// refresh token, and presenting one that was already spent is reuse, which
// revokes the whole family. Faults are injected per request.
import { startTokenServer } from "../support/loopback.js";
import type { RawExchange, RecordedRequest, TokenServer, TokenServerReply } from "../support/loopback.js";

export const AUTHORIZATION_CODE = "code-fault-suite";

export interface RotatingServerOptions {
  /** `expires_in` of every access token, in seconds (default 3). */
  readonly lifetimeS?: number;
}

/** What the server does with one refresh (or code) request before answering. */
export type Fault = (request: RecordedRequest, raw: RawExchange) => Promise<TokenServerReply | "answer" | "hang">;

export interface RotatingServer {
  readonly url: string;
  readonly http: TokenServer;
  /** Token requests of each grant type received. */
  readonly requests: { authorization_code: number; refresh_token: number; client_credentials: number };
  /** Refresh tokens presented after they were spent (each revokes the family). */
  readonly reuses: string[];
  /** Whether a reuse has revoked the family. */
  readonly revoked: boolean;
  /** The refresh token the server would accept now. */
  readonly current: string | undefined;
  /** Runs before the next answer to a token request (once), e.g. to kill Redis mid-refresh. */
  nextFault(fault: Fault): void;
  /** Answers every token request after this many ms. */
  setDelay(ms: number): void;
  /** `expires_in` of the tokens issued from now on. */
  setLifetime(seconds: number): void;
  close(): Promise<void>;
}

export async function startRotatingServer(options: RotatingServerOptions = {}): Promise<RotatingServer> {
  let lifetimeS = options.lifetimeS ?? 3;
  const requests = { authorization_code: 0, refresh_token: 0, client_credentials: 0 };
  const reuses: string[] = [];
  const spent = new Set<string>();
  let current: string | undefined;
  let codeUsed = false;
  let revoked = false;
  let counter = 0;
  let delayMs = 0;
  const faults: Fault[] = [];

  const issue = (withRefresh: boolean): TokenServerReply => {
    counter += 1;
    const body: Record<string, unknown> = { access_token: `at-${counter}`, token_type: "Bearer", expires_in: lifetimeS };
    if (withRefresh) {
      current = `rt-${counter}`;
      body["refresh_token"] = current;
    }
    return { status: 200, body };
  };
  const invalidGrant: TokenServerReply = { status: 400, body: { error: "invalid_grant" } };

  const http = await startTokenServer(async (request, raw) => {
    const form = new URLSearchParams(request.body);
    const grant = form.get("grant_type");
    if (grant !== "authorization_code" && grant !== "refresh_token" && grant !== "client_credentials") {
      return { status: 400, body: { error: "unsupported_grant_type" } };
    }
    requests[grant] += 1;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const fault = faults.shift();
    if (fault !== undefined) {
      const outcome = await fault(request, raw);
      if (outcome === "hang") return undefined;
      if (outcome !== "answer") return outcome;
    }
    // The client went away before the answer: nothing is issued or spent.
    if (raw.socket.destroyed) return undefined;
    switch (grant) {
      case "client_credentials":
        return issue(false);
      case "authorization_code":
        if (codeUsed || form.get("code") !== AUTHORIZATION_CODE) return invalidGrant;
        codeUsed = true;
        return issue(true);
      case "refresh_token": {
        const presented = form.get("refresh_token") ?? "";
        if (spent.has(presented)) {
          reuses.push(presented);
          revoked = true;
          return invalidGrant;
        }
        if (revoked || presented !== current) return invalidGrant;
        spent.add(presented);
        return issue(true);
      }
    }
  });
  return {
    url: http.url,
    http,
    requests,
    reuses,
    get revoked() {
      return revoked;
    },
    get current() {
      return current;
    },
    nextFault: (fault) => faults.push(fault),
    setDelay: (ms) => {
      delayMs = ms;
    },
    setLifetime: (seconds) => {
      lifetimeS = seconds;
    },
    close: () => http.close(),
  };
}
