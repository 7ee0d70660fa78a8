// Requests to the OAuth endpoints around the token endpoint (PAR, device
// authorization, revocation, introspection, metadata): a form POST with the
// client's authentication, read as JSON. Token requests go through
// requestToken instead; these answers are not tokens.
import { JWT_CLIENT_ASSERTION_TYPE, applyClientAuth, decideClientAuth, sentSecrets } from "./client-auth.js";
import type { MutableFields, MutableHeaders } from "./client-auth.js";
import { encodeBody, joinSpaceDelimited } from "./encode.js";
import {
  AbortedError,
  DiscoveryError,
  SecretRedactor,
  TokenClientConfigError,
  TokenResponseError,
  UnexpectedStatusError,
} from "./errors.js";
import type { EndpointName, TransportError } from "./errors.js";
import { defineField } from "./field-path.js";
import { requestTimeoutMs } from "./request-draft.js";
import { MAX_BODY_BYTES } from "./request.js";
import { fail, type Failure } from "./response-read.js";
import { parseJson, readBodyCapped, startDeadline, type Deadline } from "./transport.js";
import { transportFailure } from "./token-response.js";
import type { CallOptions, ClientAuthRule, ClientConfig, FetchLike } from "./types.js";
import { assertSecureUrl, joinUrl } from "./url.js";

/**
 * Where an OAuth endpoint other than the token endpoint lives: an absolute
 * URL, or (`relative: true`) a path joined to the client's base URL like the
 * token path (`joinUrl`).
 */
export interface FlowEndpoint {
  readonly url: string;
  readonly relative?: boolean;
}

/** What an endpoint's errors can be: an RFC 6749 §5.2-style JSON error body (RFC 7009 §2.2.1, RFC 8628 §3.2, RFC 9126 §2.3), or a transport failure. */
export type EndpointError = TokenResponseError<number, unknown> | TransportError;

/** A 2xx answer: its status and JSON body (undefined when the body is empty or not JSON). */
export type EndpointAnswer = { readonly ok: true; readonly status: number; readonly json: unknown } | Failure<EndpointError>;

/**
 * The endpoint's absolute URL, checked like a base URL (`https:`, or
 * `http:` on loopback).
 *
 * @throws TokenClientConfigError for an insecure or unusable URL.
 */
export function endpointUrl(endpoint: FlowEndpoint, baseUrl: string): string {
  const url = endpoint.relative === true ? joinUrl(baseUrl, endpoint.url) : endpoint.url;
  assertSecureUrl(url, "endpoint URL");
  return url;
}

/** A scope list as one string, joined by the endpoint's separator (RFC 6749 §3.3: a space). */
export function scopeValue(scope: string | readonly string[] | undefined, separator: string): string | undefined {
  if (scope === undefined) return undefined;
  if (typeof scope === "string") return scope;
  return separator === " " ? (joinSpaceDelimited("scope", scope) as string) : scope.join(separator);
}

/**
 * POSTs `fields` form-encoded to `url` (the `endpoint` errors name), authenticated as `clientAuth` (or
 * `config.clientAuth`, which decides over it; a JWT method signs an
 * assertion whose audience is `url`). A `discovered` rule, which only a
 * token endpoint with discovery resolves, is sent as `basic` when the client
 * has a secret and as a bare `client_id` otherwise; a `none` rule sends the
 * `client_id` too, as public clients identify themselves at these endpoints.
 *
 * Resolves to the 2xx answer's JSON, a {@link TokenResponseError} for a
 * JSON error body with an `error` member, or a {@link TransportError}; never
 * rejects for what the server does. `secrets` are redacted from errors,
 * besides the credentials sent.
 *
 * @throws TokenClientConfigError, as requestToken does, for unusable options.
 */
export async function postForm(
  endpoint: Exclude<EndpointName, "token endpoint">,
  url: string,
  given: Readonly<Record<string, unknown>>,
  clientAuth: ClientAuthRule,
  config: ClientConfig,
  call: CallOptions,
  secrets: readonly string[] = [],
): Promise<EndpointAnswer> {
  const timeoutMs = requestTimeoutMs(config);
  // These endpoints' metadata is not read for its auth methods: a client with a secret is confidential (Basic, the
  // RFC 6749 §2.3.1 default), one without is public ("none"); decideClientAuth decides from that as from discovery.
  const decision = decideClientAuth(clientAuth, config, {
    authMethods: config.clientSecret !== undefined ? undefined : ["none"],
    hasBody: true,
  });
  if (decision.kind !== "decided") throw new TokenClientConfigError("no client authentication method this endpoint accepts");
  const auth = decision;
  const fields: MutableFields = {};
  for (const name of Object.keys(given)) if (given[name] !== undefined) defineField(fields, name, given[name]);
  const authHeaders: MutableHeaders = {};
  applyClientAuth(auth.rule, config, fields, authHeaders);
  // A public client still says who it is (RFC 8628 §3.1, RFC 7009 §2.1, RFC 9126 §2.1).
  if (auth.rule.kind === "none" && !Object.hasOwn(fields, "client_id")) defineField(fields, "client_id", config.clientId);
  const made: string[] = [...secrets, ...(auth.jwt?.secrets() ?? [])];
  const redact = new SecretRedactor(() => [...sentSecrets(config, auth.rule, fields, authHeaders), ...made]);
  if (call.signal?.aborted === true) return fail(new AbortedError());
  const deadline = startDeadline(timeoutMs, call.signal);
  try {
    if (auth.jwt !== undefined) {
      const assertion = await deadline.race(auth.jwt.assertion(config.clientId, config.clientSecret, url, (config.clock ?? Date.now)()));
      made.push(assertion);
      defineField(fields, "client_assertion_type", JWT_CLIENT_ASSERTION_TYPE);
      defineField(fields, "client_assertion", assertion);
    }
    const encoded = encodeBody("form", fields);
    const headers = { "Content-Type": encoded.contentType, Accept: "application/json", ...authHeaders };
    return await exchange(url, { method: "POST", headers, body: encoded.body }, config, deadline, timeoutMs, redact, endpoint);
  } catch (cause) {
    // A key that cannot sign rejects with its typed error, as in requestToken; only the deadline is a failure.
    if (deadline.firedBy() === undefined) throw cause;
    return fail(transportFailure(deadline, timeoutMs, cause, redact));
  } finally {
    deadline.dispose();
  }
}

/** The authorization server's metadata, once per client config and URL (RFC 8414 §3, OpenID Connect Discovery 1.0 §4). */
const metadataCache = new WeakMap<ClientConfig, Map<string, Readonly<Record<string, unknown>>>>();

/**
 * Reads the metadata document at `url` (RFC 8414 / OpenID Connect
 * Discovery): a JSON object, kept per client config once read (a failure is
 * not kept). A non-200 answer or a body that is no object is a
 * {@link DiscoveryError}.
 */
export async function readMetadata(
  url: string,
  config: ClientConfig,
  call: CallOptions,
): Promise<{ readonly ok: true; readonly metadata: Readonly<Record<string, unknown>> } | Failure<DiscoveryError | TransportError>> {
  const known = metadataCache.get(config)?.get(url);
  if (known !== undefined) return { ok: true, metadata: known };
  assertSecureUrl(url, "metadata URL");
  const timeoutMs = requestTimeoutMs(config);
  const redact = new SecretRedactor(config.clientSecret === undefined ? [] : [config.clientSecret]);
  if (call.signal?.aborted === true) return fail(new AbortedError());
  const deadline = startDeadline(timeoutMs, call.signal);
  try {
    const answer = await exchange(url, { method: "GET", headers: { Accept: "application/json" } }, config, deadline, timeoutMs, redact);
    if (!answer.ok) {
      const error = answer.error;
      return fail(error instanceof TokenResponseError || error instanceof UnexpectedStatusError ? new DiscoveryError("the metadata document answered an error", error.status) : error);
    }
    if (answer.status !== 200 || typeof answer.json !== "object" || answer.json === null || Array.isArray(answer.json)) {
      return fail(new DiscoveryError("the metadata document is not a JSON object", answer.status));
    }
    const metadata = answer.json as Readonly<Record<string, unknown>>;
    let forConfig = metadataCache.get(config);
    if (forConfig === undefined) metadataCache.set(config, (forConfig = new Map()));
    forConfig.set(url, metadata);
    return { ok: true, metadata };
  } catch (cause) {
    return fail(transportFailure(deadline, timeoutMs, cause, redact));
  } finally {
    deadline.dispose();
  }
}

/** Sends one request (redirects never followed) and reads the answer within the deadline. */
async function exchange(
  url: string,
  init: { readonly method: "GET" | "POST"; readonly headers: Record<string, string>; readonly body?: string },
  config: ClientConfig,
  deadline: Deadline,
  timeoutMs: number,
  redact: SecretRedactor,
  endpoint?: EndpointName,
): Promise<EndpointAnswer> {
  // Called as a plain function: browsers reject a `fetch` called with another `this`.
  const fetchFn: FetchLike = config.fetch ?? ((input, requestInit) => globalThis.fetch(input, requestInit));
  let response: Response;
  let text: string;
  let truncated: boolean;
  try {
    const requestInit: RequestInit = { method: init.method, headers: init.headers, body: init.body ?? null, redirect: "manual", signal: deadline.signal };
    response = config.fetch === undefined ? await fetchFn(url, requestInit) : await deadline.race(Promise.resolve().then(() => fetchFn(url, requestInit)));
    ({ text, truncated } = await readBodyCapped(response, MAX_BODY_BYTES, deadline, config.fetch === undefined));
  } catch (cause) {
    return fail(transportFailure(deadline, timeoutMs, cause, redact));
  }
  const json = truncated ? undefined : parseJson(text)?.value;
  const status = response.status;
  if (status >= 200 && status <= 299) return { ok: true, status, json };
  if (typeof json === "object" && json !== null && typeof (json as { error?: unknown }).error === "string") {
    return fail(new TokenResponseError(status, json, undefined, { redact, endpoint }));
  }
  return fail(new UnexpectedStatusError(status, json ?? (truncated ? redact.truncatedText(text) : text), undefined, { redact, endpoint }));
}

/** The RFC 6749 §5.2 `error` code of a failed request's JSON body, when it has one. */
export function oauthErrorCode(error: unknown): string | undefined {
  if (!(error instanceof TokenResponseError || error instanceof UnexpectedStatusError)) return undefined;
  const body: unknown = error.body;
  if (typeof body !== "object" || body === null) return undefined;
  const code: unknown = (body as { error?: unknown }).error;
  return typeof code === "string" ? code : undefined;
}
