// Internals of the token session: running the session's grant, with the
// bookkeeping that keeps a single-use grant and a spent refresh token from
// being sent twice. Not part of the public API.
import { TokenError } from "./errors.js";
import { requestEvent } from "./events.js";
import type { TokenEvent } from "./events.js";
import { ReauthenticationRequiredError } from "./session-errors.js";
import type { Pace } from "./session-pace.js";
import { isInvalidGrant, withRetries } from "./session-retry.js";
import type { RetryPolicy } from "./session-retry.js";
import type { SessionGrant, SessionTokenResult } from "./session-types.js";
import type { StoredToken } from "./store.js";
import type { CallOptions, Clock, Token, TokenResult } from "./types.js";

/** Refresh tokens a session remembers having spent (the newest ones). */
const SPENT_MEMORY = 16;

export class GrantRunner<E extends TokenError> {
  /** Whether a grant that is not reobtainable has been run (it runs at most once). */
  private obtained = false;
  /** Refresh tokens spent or refused; none is sent again. */
  private readonly spent: string[] = [];
  /** Elapsed time of the last token request. */
  lastRequestAt = Number.NEGATIVE_INFINITY;
  private readonly grant: SessionGrant<unknown, E>;
  private readonly policy: RetryPolicy;
  private readonly pace: Pace;
  private readonly elapsed: Clock;
  private readonly call: CallOptions;
  private readonly signal: AbortSignal;
  /** Where each request's outcome is reported, when the session has a hook of its own. */
  private readonly report: ((event: TokenEvent) => void) | undefined;

  constructor(
    grant: SessionGrant<unknown, E>,
    policy: RetryPolicy,
    pace: Pace,
    elapsed: Clock,
    call: CallOptions,
    signal: AbortSignal,
    report?: (event: TokenEvent) => void,
  ) {
    this.grant = grant;
    this.report = report;
    this.policy = policy;
    this.pace = pace;
    this.elapsed = elapsed;
    this.call = call;
    this.signal = signal;
  }

  /** Whether no request can get a token: the original grant cannot run again and no refresh token is left to send. */
  needsUser(stored: StoredToken | undefined): boolean {
    const refreshToken = stored?.refreshToken;
    const canRefresh = this.grant.refresh !== undefined && refreshToken !== undefined && !this.isSpent(refreshToken);
    return !canRefresh && !this.grant.reobtainable && (this.obtained || stored !== undefined);
  }

  /** Why {@link needsUser} holds, as the error the session returns: refresh token spent, or none held. */
  needsUserError(stored: StoredToken | undefined): ReauthenticationRequiredError {
    const held = stored?.refreshToken;
    return new ReauthenticationRequiredError({ grantType: this.grant.grantType, refreshToken: held !== undefined && this.grant.refresh !== undefined ? "spent" : "none" });
  }

  isSpent(refreshToken: string): boolean {
    return this.spent.includes(refreshToken);
  }

  /**
   * Gets a new token: with `stored`'s refresh token when there is one that is
   * not spent, else (or after `invalid_grant`) with the original grant when
   * it may run. `mayRetry` is asked before each retry of a refresh: false once
   * the lease is lost, as another process may be sending the same token.
   */
  async run(stored: StoredToken | undefined, mayRetry: () => boolean): Promise<SessionTokenResult<E>> {
    const { grant, policy, call, signal } = this;
    const refresh = grant.refresh;
    const refreshToken = stored?.refreshToken;
    if (refresh !== undefined && refreshToken !== undefined && !this.isSpent(refreshToken)) {
      const refreshed = await withRetries(() => this.counted(() => refresh(refreshToken, call), "refresh_token"), policy, policy.tries, signal, mayRetry);
      if (refreshed.ok) {
        // A server that rotates refresh tokens has spent this one; one that sends none back keeps it valid.
        const rotated = refreshed.token.refreshToken;
        if (rotated !== undefined && rotated !== refreshToken) this.markSpent(refreshToken);
        return { ok: true, token: this.toStored(refreshed.token, refreshToken) };
      }
      if (!isInvalidGrant(refreshed.error)) return refreshed;
      // Refused: fall back to the original grant once, or ask for the user. Never the same refresh token again.
      this.markSpent(refreshToken);
      if (!grant.reobtainable) return { ok: false, error: new ReauthenticationRequiredError({ cause: refreshed.error, grantType: grant.grantType }) };
    } else if (!grant.reobtainable && (this.obtained || stored !== undefined)) {
      return { ok: false, error: this.needsUserError(stored) };
    }
    // A single-use grant is sent once, never retried: a second try could spend it twice.
    this.obtained = true;
    const obtained = await withRetries(() => this.counted(() => grant.obtain(call), grant.grantType ?? "obtain"), policy, grant.reobtainable ? policy.tries : 1, signal);
    return obtained.ok ? { ok: true, token: this.toStored(obtained.token, undefined) } : obtained;
  }

  /** Forgets the spent refresh tokens (the session is closed). */
  forget(): void {
    this.spent.length = 0;
  }

  /**
   * Counts and sends one request. A key that cannot sign (requestToken
   * rejects with a ClientKeyError or DPoPProofError before sending) becomes
   * the session's failure, as a typed error, rather than a rejection.
   */
  private counted<Raw>(send: () => Promise<TokenResult<Raw, E>>, grantType: string): Promise<TokenResult<Raw, E>> {
    const started = this.elapsed();
    this.lastRequestAt = started;
    this.pace.sent();
    const sent = send().catch((error: unknown): TokenResult<Raw, E> => {
      if (error instanceof TokenError && (error.kind === "client_key" || error.kind === "dpop_proof")) return { ok: false, error: error as E };
      throw error;
    });
    const report = this.report;
    if (report === undefined) return sent;
    return sent.then((result) => {
      report(requestEvent(undefined, grantType, Math.max(0, this.elapsed() - started), result.ok ? undefined : result.error));
      return result;
    });
  }

  private markSpent(refreshToken: string): void {
    if (this.isSpent(refreshToken)) return;
    this.spent.push(refreshToken);
    if (this.spent.length > SPENT_MEMORY) this.spent.shift();
  }

  /** What the store keeps; a refresh answer without a refresh token keeps the one it replaced. */
  private toStored(token: Token<unknown>, previousRefreshToken: string | undefined): StoredToken {
    const refreshToken = token.refreshToken ?? previousRefreshToken;
    return {
      accessToken: token.accessToken,
      ...(token.tokenType !== undefined ? { tokenType: token.tokenType } : {}),
      ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}),
      ...(refreshToken !== undefined ? { refreshToken } : {}),
      ...(token.scope !== undefined ? { scope: token.scope } : {}),
      receivedAt: this.grant.clock(),
    };
  }
}
