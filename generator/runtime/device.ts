// The device authorization grant (RFC 8628): the device authorization
// request (§3.1–3.2), then polling the token endpoint (§3.4–3.5) on timers,
// honouring `interval`, `slow_down`, the device code's expiry and an abort.
import { AbortedError, InvalidResponseError } from "./errors.js";
import { DeviceFlowEndedError } from "./flow-errors.js";
import { endpointUrl, oauthErrorCode, postForm, scopeValue, type EndpointError, type FlowEndpoint } from "./flow-request.js";
import { fail, type Failure } from "./response-read.js";
import { MAX_TIMER_MS, sleep } from "./timers.js";
import type { CallOptions, ClientAuthRule, ClientConfig, TokenResult } from "./types.js";

/** `grant_type` of the device access token request (RFC 8628 §3.4). */
export const DEVICE_CODE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";
/** RFC 8628 §3.2: the polling interval when the server names none, in seconds. */
export const DEFAULT_DEVICE_INTERVAL_S = 5;
/** RFC 8628 §3.5: what `slow_down` adds to the interval, in seconds. */
export const SLOW_DOWN_STEP_S = 5;

/** What the generator states about a device authorization endpoint (RFC 8628 §3.1). */
export interface DeviceAuthorizationEndpoint extends FlowEndpoint {
  /** How the client authenticates there (the token endpoint's rule for the device_code grant). */
  readonly clientAuth: ClientAuthRule;
  /** What joins several scopes (RFC 6749 §3.3: a space). */
  readonly scopeSeparator: string;
}

/** What the caller passes to {@link deviceAuthorization}. */
export interface DeviceAuthorizationParams<Scope extends string = string> {
  readonly scope?: Scope | readonly Scope[] | undefined;
  /** Further request parameters (`resource`…); they cannot replace `scope` or the client's authentication. */
  readonly extra?: Readonly<Record<string, string>> | undefined;
}

/** Options of {@link DeviceAuthorization.poll}. */
export interface PollOptions {
  /** Ends the polling: the promise resolves to `{ ok: false, error: AbortedError }` at once, and no further request is sent. */
  readonly signal?: AbortSignal | undefined;
}

/** What polling ends in: a token, or the token endpoint's error, or the flow's end ({@link DeviceFlowEndedError}), or an abort. */
export type DevicePollResult<Raw, E> = TokenResult<Raw, E | DeviceFlowEndedError | AbortedError>;

/** A device authorization in progress: show `userCode` and `verificationUri`, then `poll`. */
export interface DeviceAuthorization<Raw, E> {
  readonly ok: true;
  /** The code the user types at `verificationUri` (RFC 8628 §3.2). */
  readonly userCode: string;
  readonly verificationUri: string;
  /** A URI that carries the user code, for a QR code (§3.3.1). */
  readonly verificationUriComplete?: string;
  /** Seconds the device code is valid for, from the answer's receipt. */
  readonly expiresIn: number;
  /** Seconds between token requests, as the server set it (default 5). */
  readonly interval: number;
  /**
   * Polls the token endpoint until the user approves or denies, or the code
   * expires (RFC 8628 §3.4–3.5). Waits `interval` seconds before each token
   * request (a timer, never a loop): `authorization_pending` waits again,
   * `slow_down` adds 5 seconds to the interval for this and every later
   * wait, `access_denied` and `expired_token` end in a
   * {@link DeviceFlowEndedError}, as does the device code's `expires_in`
   * passing on the client's clock (`expiredLocally`). Any other failure of a
   * token request (a network error, `invalid_client`) ends the polling and is
   * returned as it is. Never rejects for what the server does. A call while
   * a poll runs shares that poll's outcome (and its signal).
   */
  poll(options?: PollOptions): Promise<DevicePollResult<Raw, E>>;
}

export type DeviceAuthorizationResult<Raw, E> = DeviceAuthorization<Raw, E> | Failure<EndpointError | InvalidResponseError>;

/**
 * Starts a device authorization (RFC 8628 §3.1): POSTs `client_id` (as the
 * client authenticates) and the scope to the device authorization endpoint,
 * and reads `device_code`, `user_code`, `verification_uri`,
 * `verification_uri_complete`, `expires_in` and `interval` (§3.2). The
 * device code stays inside the returned object (it is a credential): `poll`
 * sends it with `pollToken`, the client's device_code grant request.
 *
 * @throws TokenClientConfigError for an insecure endpoint or unusable options.
 */
export async function deviceAuthorization<Raw, E>(
  endpoint: DeviceAuthorizationEndpoint,
  config: ClientConfig,
  params: DeviceAuthorizationParams,
  pollToken: (params: { readonly device_code: string }, call: CallOptions) => Promise<TokenResult<Raw, E>>,
  call: CallOptions = {},
): Promise<DeviceAuthorizationResult<Raw, E>> {
  const url = endpointUrl(endpoint, config.baseUrl);
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(params.extra ?? {})) if (name !== "scope") fields[name] = value;
  const scope = scopeValue(params.scope, endpoint.scopeSeparator);
  if (scope !== undefined) fields["scope"] = scope;
  const answer = await postForm("device authorization endpoint", url, fields, endpoint.clientAuth, config, call);
  if (!answer.ok) return answer;
  const clock = config.clock ?? Date.now;
  const receivedAt = clock();
  const body = (typeof answer.json === "object" && answer.json !== null ? answer.json : {}) as Record<string, unknown>;
  const invalid = (what: string): Failure<InvalidResponseError> => fail(new InvalidResponseError(answer.status, `the device authorization response's ${what}`, { endpoint: "device authorization endpoint" }));
  const deviceCode = body["device_code"];
  const userCode = body["user_code"];
  const verificationUri = body["verification_uri"];
  const complete = body["verification_uri_complete"];
  const expiresIn = Number(body["expires_in"]);
  const givenInterval = body["interval"] === undefined ? DEFAULT_DEVICE_INTERVAL_S : Number(body["interval"]);
  if (typeof deviceCode !== "string" || deviceCode === "") return invalid("device_code is missing");
  if (typeof userCode !== "string" || userCode === "") return invalid("user_code is missing");
  if (typeof verificationUri !== "string" || verificationUri === "") return invalid("verification_uri is missing");
  if (!(Number.isFinite(expiresIn) && expiresIn > 0)) return invalid("expires_in is not a positive number");
  if (!(Number.isFinite(givenInterval) && givenInterval >= 0)) return invalid("interval is not a number of seconds");
  // A timer cannot wait longer; past it setTimeout fires at once, which would poll in a busy loop.
  if (givenInterval * 1000 > MAX_TIMER_MS) return invalid("interval is longer than a timer can wait");
  const expiresAt = receivedAt + expiresIn * 1000;
  let running: Promise<DevicePollResult<Raw, E>> | undefined;
  return {
    ok: true,
    userCode,
    verificationUri,
    ...(typeof complete === "string" && complete !== "" ? { verificationUriComplete: complete } : {}),
    expiresIn,
    interval: givenInterval,
    // One polling loop per device code: a call while one runs gets that one's outcome (its signal is ignored).
    poll: (options = {}) =>
      (running ??= pollUntilDone(deviceCode, givenInterval, expiresAt, clock, pollToken, options.signal).finally(() => {
        running = undefined;
      })),
  };
}

async function pollUntilDone<Raw, E>(
  deviceCode: string,
  startInterval: number,
  expiresAt: number,
  clock: () => number,
  pollToken: (params: { readonly device_code: string }, call: CallOptions) => Promise<TokenResult<Raw, E>>,
  signal: AbortSignal | undefined,
): Promise<DevicePollResult<Raw, E>> {
  let intervalS = startInterval;
  for (;;) {
    const remaining = expiresAt - clock();
    if (remaining <= 0) return fail(new DeviceFlowEndedError("expired_token", true));
    // Never waits past the code's expiry: the wait that would is cut short, and the flow ends there.
    const waitMs = Math.min(intervalS * 1000, remaining);
    if (!(await sleep(waitMs, signal))) return fail(new AbortedError());
    if (waitMs < intervalS * 1000) return fail(new DeviceFlowEndedError("expired_token", true));
    const result = await pollToken({ device_code: deviceCode }, signal === undefined ? {} : { signal });
    if (result.ok) return result;
    if (signal?.aborted === true) return fail(new AbortedError());
    switch (oauthErrorCode(result.error)) {
      case "authorization_pending":
        continue;
      case "slow_down":
        intervalS += SLOW_DOWN_STEP_S;
        continue;
      case "access_denied":
        return fail(new DeviceFlowEndedError("access_denied"));
      case "expired_token":
        return fail(new DeviceFlowEndedError("expired_token"));
      default:
        return result;
    }
  }
}
