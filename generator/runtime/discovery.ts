// OpenID Connect Discovery 1.0 for requestToken: the token endpoint's URL
// and client authentication methods (which decideClientAuth in client-auth.ts reads), once per client config.
import { DiscoveryError, NetworkError, SecretRedactor, TimeoutError, TokenClientConfigError, quoteForMessage } from "./errors.js";
import { describeContentType, mayBeJson, parseJson, readBodyCapped, startDeadline } from "./transport.js";
import type { BodyText } from "./transport.js";
import type { ClientConfig, FetchLike } from "./types.js";
import { assertSecureUrl } from "./url.js";

/** What requestToken needs from a discovery document (OpenID Connect Discovery 1.0 §3). */
export interface DiscoveredEndpoint {
  /** `token_endpoint`: absolute, secure, on the discovery document's origin. */
  readonly tokenEndpoint: string;
  /** `token_endpoint_auth_methods_supported`, when the document has it. */
  readonly authMethods: readonly string[] | undefined;
}

/** How a discovery ended: the endpoint, or why not. */
export type DiscoveryOutcome =
  | { readonly ok: true; readonly endpoint: DiscoveredEndpoint }
  | { readonly ok: false; readonly error: DiscoveryError | NetworkError | TimeoutError };

type CacheEntry = { readonly endpoint: DiscoveredEndpoint } | { readonly pending: Promise<DiscoveryOutcome> };

/**
 * Discovery results per client config, then per discovery URL. Keyed by the
 * config object so that a client's requests share one document and a client
 * that is dropped takes its entry with it.
 */
const cache = new WeakMap<object, Map<string, CacheEntry>>();

/** Options for reading a discovery document. */
export interface DiscoveryOptions {
  readonly fetch?: FetchLike | undefined;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
}

/**
 * The token endpoint for a client, from the OpenID Connect discovery
 * document at `discoveryUrl` (OpenID Connect Discovery 1.0 §4).
 *
 * The document is read once per `config` object: a known result is
 * returned at once (not as a promise, so a client that has discovered pays
 * for no extra `await`), and callers that arrive while it is being read all
 * wait for the same request. Only success is kept: after a failure the next
 * call reads the document again.
 *
 * The request is a `GET` through the client's `fetch`, with its own timeout
 * (no caller's signal aborts a read that other callers share), redirects
 * not followed and at most `maxBodyBytes` read. The document must be a JSON
 * object whose `token_endpoint` is an absolute URL that passes
 * {@link assertSecureUrl} and has the discovery URL's origin: credentials
 * are never sent to a host the client was not configured for, whatever the
 * document says. `token_endpoint_auth_methods_supported`, when present, must
 * be an array of strings.
 *
 * Never rejects: failures are the outcome's `error`. No credential has been
 * sent when the document is read, but the client secret is redacted from
 * these errors all the same (a server may have learnt it from an earlier
 * token request).
 */
export function discoverTokenEndpoint(
  config: ClientConfig,
  discoveryUrl: string,
  options: DiscoveryOptions,
): DiscoveredEndpoint | Promise<DiscoveryOutcome> {
  let entries = cache.get(config);
  if (entries === undefined) {
    entries = new Map();
    cache.set(config, entries);
  }
  const entry = entries.get(discoveryUrl);
  if (entry !== undefined) return "endpoint" in entry ? entry.endpoint : entry.pending;
  const map = entries;
  let current: CacheEntry | undefined;
  const secret = config.clientSecret;
  const redact = new SecretRedactor(() => (secret === undefined ? [] : [secret]));
  const pending = readDiscoveryDocument(discoveryUrl, options, redact).then((outcome) => {
    if (map.get(discoveryUrl) === current) {
      if (outcome.ok) map.set(discoveryUrl, { endpoint: outcome.endpoint });
      else map.delete(discoveryUrl);
    }
    return outcome;
  });
  current = { pending };
  map.set(discoveryUrl, current);
  return pending;
}

async function readDiscoveryDocument(url: string, options: DiscoveryOptions, redact: SecretRedactor): Promise<DiscoveryOutcome> {
  const injected = options.fetch;
  const fetchFn: FetchLike = injected ?? ((input, init) => globalThis.fetch(input, init));
  const deadline = startDeadline(options.timeoutMs, undefined);
  try {
    let response: Response;
    let body: BodyText;
    try {
      const init: RequestInit = { method: "GET", headers: { Accept: "application/json" }, redirect: "manual", signal: deadline.signal };
      response = injected === undefined ? await fetchFn(url, init) : await deadline.race(Promise.resolve().then(() => fetchFn(url, init)));
      body = await readBodyCapped(response, options.maxBodyBytes, deadline, injected === undefined);
    } catch (cause) {
      return { ok: false, error: deadline.firedBy() === "timeout" ? new TimeoutError(options.timeoutMs) : new NetworkError({ cause, redact }) };
    }
    return validateDocument(url, response.status, response.headers.get("content-type"), body, redact);
  } catch (cause) {
    // Nothing above should throw; a shared promise must still never reject.
    return { ok: false, error: new NetworkError({ cause, redact }) };
  } finally {
    deadline.dispose();
  }
}

function validateDocument(url: string, status: number, contentType: string | null, body: BodyText, redact: SecretRedactor): DiscoveryOutcome {
  const failed = (reason: string): DiscoveryOutcome => ({ ok: false, error: new DiscoveryError(reason, status, { redact }) });
  // Server strings are redacted before they are cut, so that no cut leaves part of a secret.
  const shown = (text: string): string => cut(redact.text(text));
  // OpenID Connect Discovery 1.0 §4.2: "A successful response MUST use the 200 OK HTTP status code".
  if (status !== 200) return failed(`discovery document answered ${status}`);
  if (body.truncated) return failed("discovery document exceeds 1 MiB");
  if (!mayBeJson(contentType)) return failed(`discovery document content type ${describeContentType(contentType, redact)} is not JSON`);
  const json = parseJson(body.text);
  if (json === undefined) return failed("discovery document is not valid JSON");
  const document = json.value;
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return failed("discovery document is not a JSON object");
  }
  const tokenEndpoint = ownMember(document, "token_endpoint");
  if (typeof tokenEndpoint !== "string" || tokenEndpoint === "") return failed("token_endpoint is missing or not a string");
  let target: URL;
  try {
    target = new URL(tokenEndpoint);
  } catch {
    return failed("token_endpoint is not an absolute URL");
  }
  try {
    assertSecureUrl(tokenEndpoint, "token_endpoint");
  } catch (error) {
    if (!(error instanceof TokenClientConfigError)) throw error;
    return failed(shown(error.message));
  }
  // The discovery URL passed assertSecureUrl with the base URL, so its origin is a real one.
  const origin = new URL(url).origin;
  if (target.origin !== origin) {
    return failed(`token_endpoint is on ${quoteForMessage(shown(target.origin))}, not on the discovery document's origin ${quoteForMessage(origin)}`);
  }
  const listed = ownMember(document, "token_endpoint_auth_methods_supported");
  // JSON null is read as absent, as for a token response's optional members.
  const methods = listed === null ? undefined : listed;
  if (methods !== undefined && !(Array.isArray(methods) && methods.every((method) => typeof method === "string"))) {
    return failed("token_endpoint_auth_methods_supported is not an array of strings");
  }
  return { ok: true, endpoint: { tokenEndpoint, authMethods: methods as readonly string[] | undefined } };
}

function ownMember(object: object, name: string): unknown {
  return Object.hasOwn(object, name) ? (object as Record<string, unknown>)[name] : undefined;
}

/** Server-provided URLs can be long; a reason stays one readable line. */
function cut(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
