// What a client or a session reports as it works, for logs and metrics.
// Secret-free by construction: an event is built here from kinds, codes,
// counts and durations, never from a token, a credential, a request or a body.

/** Fields every event has. */
interface EventBase {
  /** The provider id (`asset`), when the client was generated with one. */
  readonly provider?: string;
}

/** A token request that ended in a token (`token_obtained`; `token_refreshed` for the refresh_token grant). */
export interface TokenSuccessEvent extends EventBase {
  readonly type: "token_obtained" | "token_refreshed";
  /** The grant type sent (`client_credentials`, `refresh_token`, …). */
  readonly grantType: string;
  /** From sending the request to reading its answer. */
  readonly durationMs: number;
}

/** A token request that ended in an error: its `kind`, `code` and HTTP status, nothing it carries. */
export interface TokenFailureEvent extends EventBase {
  readonly type: "token_failed";
  readonly grantType: string;
  readonly durationMs: number;
  /** The error's `kind` (`response`, `network`, `timeout`, …). */
  readonly errorKind: string;
  /** The error's stable `code` (`TOKEN_RESPONSE_ERROR`, …). */
  readonly errorCode: string;
  /** The HTTP status, when an answer arrived. */
  readonly status?: number;
}

/** A session waited for another holder of the store's lease (another process refreshing). */
export interface LeaseWaitedEvent extends EventBase {
  readonly type: "lease_waited";
  /** How long this flight waited in all. */
  readonly waitedMs: number;
}

/** A session started a cool-down after failed token requests. */
export interface CoolDownEvent extends EventBase {
  readonly type: "cool_down_started";
  readonly coolDownMs: number;
  /** The `code` of the failure that started it. */
  readonly errorCode: string;
}

/** A call into the session's token store failed or did not answer in time. */
export interface StoreUnavailableEvent extends EventBase {
  readonly type: "store_unavailable";
  /** The store operation (`get`, `set`, `acquire`, …). */
  readonly operation: string;
}

/** A session call settled with `SessionDeadlineError`. */
export interface DeadlineEvent extends EventBase {
  readonly type: "deadline_exceeded";
  readonly deadlineMs: number;
}

/** Everything `onEvent` is called with; narrow on `type`. */
export type TokenEvent = TokenSuccessEvent | TokenFailureEvent | LeaseWaitedEvent | CoolDownEvent | StoreUnavailableEvent | DeadlineEvent;

/**
 * The hook: called synchronously as things happen. It must not slow the
 * caller down (hand heavy work off); what it throws, and a promise it
 * returns that rejects, are caught and ignored.
 */
export type TokenEventHook = (event: TokenEvent) => void;

/** Calls `hook` with `event`; nothing the hook does reaches the caller. */
export function emitEvent(hook: TokenEventHook | undefined, event: TokenEvent): void {
  if (hook === undefined) return;
  try {
    const returned: unknown = hook(event);
    if (typeof returned === "object" && returned !== null && typeof (returned as { then?: unknown }).then === "function") {
      (returned as PromiseLike<unknown>).then(undefined, () => undefined);
    }
  } catch {
    // A hook's failure is the hook's: the request or session goes on.
  }
}

/** The event for one finished token request, from its outcome; reads only `kind`, `code` and `status`. */
export function requestEvent(
  provider: string | undefined,
  grantType: string,
  durationMs: number,
  error: { readonly kind: string; readonly code: string } | undefined,
): TokenEvent {
  const base = provider === undefined ? {} : { provider };
  if (error === undefined) {
    return { ...base, type: grantType === "refresh_token" ? "token_refreshed" : "token_obtained", grantType, durationMs };
  }
  const status: unknown = (error as { readonly status?: unknown }).status;
  return {
    ...base,
    type: "token_failed",
    grantType,
    durationMs,
    errorKind: String(error.kind),
    errorCode: String(error.code),
    ...(typeof status === "number" ? { status } : {}),
  };
}
