// The building half of a token request, shared by requestToken and buildTokenRequest: the checks made before
// anything is sent, the fields, client authentication (decideClientAuth), client assertions and DPoP proofs.
import { JWT_CLIENT_ASSERTION_TYPE, applyClientAuth, decideClientAuth, sentSecrets } from "./client-auth.js";
import type { MutableFields, MutableHeaders } from "./client-auth.js";
import type { DiscoveredEndpoint } from "./discovery.js";
import type { DPoPKeyPair } from "./dpop.js";
import { AbortedError, DiscoveryError, SecretRedactor, TimeoutError, TokenClientConfigError } from "./errors.js";
import type { TransportError } from "./errors.js";
import { defineField } from "./field-path.js";
import { assertSecureBaseUrl, bodyEncoding, grantUrl, joinSpaceDelimitedFields, prepareRequest, withConstantFields, type PreparedRequest } from "./request-build.js";
import { fail, type Failure } from "./response-read.js";
import { MAX_TIMER_MS } from "./timers.js";
import type { Deadline } from "./transport.js";
import type { AppliedClientAuth, ClientConfig, Clock, GrantRule, JwtClientAuth, TokenEndpoint } from "./types.js";
import { joinUrl } from "./url.js";

/** Timeout used when the client config sets none. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** A token request being built: what was checked, and the pieces filled in so far. */
export interface Draft {
  readonly endpoint: TokenEndpoint;
  readonly grant: GrantRule;
  readonly config: ClientConfig;
  readonly params: Readonly<Record<string, unknown>>;
  readonly timeoutMs: number;
  readonly jwt: JwtClientAuth | undefined;
  readonly dpop: DPoPKeyPair | undefined;
  readonly clock: Clock;
  /** The method `decideClientAuth` picked; `undefined` until a discovery document decides it. */
  applied: AppliedClientAuth | undefined;
  fields: MutableFields;
  readonly authHeaders: MutableHeaders;
  /** Secrets that are not request fields: a JWK's private members, and every assertion and proof made. */
  readonly madeSecrets: string[];
  /** Read only when an error is made: the secrets as finally sent (discovery may add client credentials). */
  readonly redact: SecretRedactor;
  /** The grant's own URL (a `refreshUrl` of its own), which wins over the token endpoint, discovered or not. */
  readonly grantUrl: string | undefined;
  /** Where the request goes: the grant's own URL, else the discovered token endpoint (absent: the path on the base URL). */
  tokenUrl: string | undefined;
  /** The request as last prepared, without assertion or proof. */
  prepared: PreparedRequest | undefined;
}

/** A request ready to send: {@link PreparedRequest} with its method, its assertion and its proof. */
export interface SignedRequest extends PreparedRequest {
  readonly method: string;
}

/**
 * The client's `timeoutMs` (default {@link DEFAULT_TIMEOUT_MS}), for every request the runtime sends.
 *
 * @throws TokenClientConfigError for one that is not a number of milliseconds a timer can wait.
 */
export function requestTimeoutMs(config: ClientConfig): number {
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
    throw new TokenClientConfigError(`timeoutMs must be a number of milliseconds in (0, ${MAX_TIMER_MS}]`);
  }
  return timeoutMs;
}

/**
 * Checks what can be checked before anything is sent and decides the client
 * authentication (or leaves it to the discovery document).
 *
 * @throws TokenClientConfigError, TypeError: the caller bugs `requestToken` documents.
 */
export function draftRequest(endpoint: TokenEndpoint, grant: GrantRule, config: ClientConfig, params: Readonly<Record<string, unknown>>): Draft {
  const timeoutMs = requestTimeoutMs(config);
  assertSecureBaseUrl(config.baseUrl);
  // Which method this request uses; a bad clientAuth option fails here. With discovery it may wait for the document.
  const decision = decideClientAuth(grant.clientAuth, config);
  if (decision.kind !== "decided" && endpoint.discovery === undefined) {
    throw new TokenClientConfigError('client authentication "discovered" needs an endpoint with discovery');
  }
  const jwt = decision.kind === "decided" ? decision.jwt : undefined;
  const dpop = config.dpop;
  if (dpop !== undefined && (typeof dpop !== "object" || dpop === null || dpop.kind !== "dpop" || typeof dpop.proof !== "function")) {
    throw new TokenClientConfigError("config.dpop must be made by dpopKeyPair(), which carries the signing code");
  }
  grant.params?.check(withConstantFields(grant, params));
  const ownUrl = grantUrl(grant, config.baseUrl);
  const madeSecrets: string[] = [...(jwt?.secrets() ?? []), ...(grant.params?.secrets(params) ?? [])];
  const draft: Draft = {
    endpoint,
    grant,
    config,
    params,
    timeoutMs,
    jwt,
    dpop,
    clock: config.clock ?? Date.now,
    applied: decision.kind === "decided" ? decision.rule : undefined,
    fields: {},
    authHeaders: {},
    madeSecrets,
    redact: new SecretRedactor(() => [...sentSecrets(config, draft.applied ?? grant.clientAuth, draft.fields, draft.authHeaders), ...madeSecrets]),
    grantUrl: ownUrl,
    tokenUrl: ownUrl,
    prepared: undefined,
  };
  return draft;
}

/**
 * Fills in the fields: a credential given as a function is made now, within
 * the deadline; then the grant field, and the client's credentials when the
 * method is decided. The request is prepared once, so that a caller bug
 * (a field its encoding cannot carry) rejects before any request.
 */
export async function fillDraft(draft: Draft, deadline: Deadline): Promise<{ readonly ok: true } | Failure<TransportError>> {
  const { endpoint, grant, config } = draft;
  let given = withConstantFields(grant, draft.params);
  if (grant.params !== undefined) {
    const resolved = await raced(deadline, draft.timeoutMs, grant.params.resolve(given));
    if (!resolved.ok) return resolved;
    given = resolved.value;
    draft.madeSecrets.push(...jwtSignatures(given));
  }
  const grantField = grant.grantField;
  let fields: MutableFields;
  if (grantField === undefined) {
    fields = { ...given };
  } else {
    fields = { [grantField]: grant.grantType, ...given };
    fields[grantField] = grant.grantType;
  }
  draft.fields = fields;
  if (endpoint.spaceDelimited !== undefined) joinSpaceDelimitedFields(fields, endpoint.spaceDelimited, endpoint.scopeSeparator);
  if (draft.applied !== undefined) applyClientAuth(draft.applied, config, fields, draft.authHeaders);
  if (draft.jwt !== undefined) defineField(fields, "client_assertion_type", JWT_CLIENT_ASSERTION_TYPE);
  if (endpoint.discovery === undefined) {
    draft.prepared = prepareRequest(endpoint, config.baseUrl, draft.tokenUrl, fields, draft.authHeaders);
  } else {
    // Only checks the fields: the request is built once the document has named the token endpoint.
    prepareRequest(endpoint, config.baseUrl, joinUrl(config.baseUrl, endpoint.discovery), fields, draft.authHeaders);
  }
  return { ok: true };
}

/**
 * Points the draft at a discovered token endpoint and, when the client
 * authentication waited for the document, decides it from the document's
 * `token_endpoint_auth_methods_supported`.
 */
export function useDiscovered(draft: Draft, discovered: DiscoveredEndpoint): { readonly ok: true } | Failure<DiscoveryError> {
  const { endpoint, config, fields, authHeaders } = draft;
  if (draft.applied === undefined) {
    const hasBody = bodyEncoding(endpoint) !== undefined;
    const decision = decideClientAuth(draft.grant.clientAuth, config, { authMethods: discovered.authMethods, hasBody });
    if (decision.kind !== "decided") {
      return fail(
        new DiscoveryError(
          "token_endpoint_auth_methods_supported lists none of client_secret_basic, " +
            "client_secret_post (with a request body) and none; a key-based method needs the clientAuth option",
        ),
      );
    }
    draft.applied = decision.rule;
    applyClientAuth(decision.rule, config, fields, authHeaders);
  }
  // The document names the token endpoint; a grant with a URL of its own (a refreshUrl) still goes there.
  draft.tokenUrl = draft.grantUrl ?? discovered.tokenEndpoint;
  draft.prepared = prepareRequest(endpoint, config.baseUrl, draft.tokenUrl, fields, authHeaders);
  return { ok: true };
}

/**
 * The request to send: with a JWT client authentication, a client assertion
 * signed afresh (servers refuse a `jti` they have seen, RFC 7523 §3); with
 * DPoP, a proof (RFC 9449 §4) carrying the origin's latest nonce.
 */
export async function signDraft(draft: Draft, deadline: Deadline): Promise<{ readonly ok: true; readonly request: SignedRequest } | Failure<TransportError>> {
  const { endpoint, config, jwt, dpop, timeoutMs } = draft;
  let request = draft.prepared;
  if (request === undefined) throw new TypeError("the request has no token endpoint yet (discovery comes first)");
  if (jwt !== undefined) {
    const signed = await raced(deadline, timeoutMs, jwt.assertion(config.clientId, config.clientSecret, request.url, draft.clock()));
    if (!signed.ok) return signed;
    // The whole assertion, and its signature alone (the part no one else can make), should a server echo it.
    draft.madeSecrets.push(signed.value, signed.value.slice(signed.value.lastIndexOf(".") + 1));
    defineField(draft.fields, "client_assertion", signed.value);
    request = prepareRequest(endpoint, config.baseUrl, draft.tokenUrl, draft.fields, draft.authHeaders);
  }
  const method = endpoint.method ?? "POST";
  let headers = request.headers;
  if (dpop !== undefined) {
    const proof = await raced(deadline, timeoutMs, dpop.proof(method, request.url, draft.clock()));
    if (!proof.ok) return proof;
    draft.madeSecrets.push(proof.value, proof.value.slice(proof.value.lastIndexOf(".") + 1));
    headers = { ...headers, DPoP: proof.value };
  }
  return { ok: true, request: { url: request.url, method, headers, body: request.body } };
}

/** The signature parts of the JWTs an assertion grant sends, redacted should a server echo one alone. */
function jwtSignatures(fields: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const name of ["assertion", "subject_token", "actor_token"]) {
    const value = fields[name];
    if (typeof value !== "string") continue;
    const signature = value.slice(value.lastIndexOf(".") + 1);
    if (value.includes(".") && signature.length >= 16) out.push(signature);
  }
  return out;
}

/** A value, or the transport failure of the deadline firing while it was awaited (other rejections pass through). */
export async function raced<T>(deadline: Deadline, timeoutMs: number, work: Promise<T>): Promise<{ readonly ok: true; readonly value: T } | Failure<TransportError>> {
  try {
    return { ok: true, value: await deadline.race(work) };
  } catch (error) {
    const fired = deadline.firedBy();
    if (fired === "timeout") return fail(new TimeoutError(timeoutMs));
    if (fired === "caller") return fail(new AbortedError());
    throw error;
  }
}
