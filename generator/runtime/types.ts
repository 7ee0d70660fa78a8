/**
 * Static facts about one provider's token endpoint. The generator writes one of
 * these per provider as a plain literal; the runtime reads nothing else about
 * the provider, so every quirk a client honours is visible in that literal.
 */
export interface TokenEndpoint {
  /** Path of the token operation relative to the server URL, e.g. `/oauth/token`. */
  readonly path: string;
  /** How the request body is encoded: RFC 6749 §4 form encoding, or JSON. */
  readonly encoding: "form" | "json";
  /** Statuses the spec documents as success (usually `[200]`). */
  readonly successStatuses: readonly number[];
  /** Statuses the spec documents as errors, each with a typed body. */
  readonly errorStatuses: readonly number[];
  /** Where the normalised token's fields live in the success body. */
  readonly tokenFields: TokenFieldNames;
  /** How the success body expresses when the token expires. */
  readonly expiry: ExpiryRule;
}

/** Names of the success-body properties that carry each normalised token field. */
export interface TokenFieldNames {
  readonly accessToken: string;
  readonly tokenType?: string;
  readonly refreshToken?: string;
  readonly scope?: string;
}

/**
 * How a success body says when the access token expires.
 * - `relative`: seconds from receipt (RFC 6749 §5.1 `expires_in`).
 * - `absolute`: a unix time, in seconds or milliseconds.
 * - `created-plus-relative`: `expires_in` seconds counted from a `created_at` unix time.
 * - `none`: the provider never says; the token is valid until a 401 says otherwise.
 */
export type ExpiryRule =
  | { readonly kind: "relative"; readonly field: string }
  | { readonly kind: "absolute"; readonly field: string; readonly unit: "s" | "ms" }
  | { readonly kind: "created-plus-relative"; readonly createdField: string; readonly field: string }
  | { readonly kind: "none" };

/**
 * How a grant authenticates the client (RFC 6749 §2.3).
 * - `basic`: `Authorization: Basic` with form-encoded id and secret (§2.3.1).
 * - `body`: the id (and secret, when configured) as body fields named by the spec.
 * - `none`: the request carries no client credentials.
 */
export type ClientAuthRule =
  | { readonly kind: "basic" }
  | { readonly kind: "body"; readonly idField: string; readonly secretField?: string }
  | { readonly kind: "none" };

/** One grant the endpoint accepts. */
export interface GrantRule {
  /** The value sent as the grant type, e.g. `client_credentials`. */
  readonly grantType: string;
  /** The body field that carries it, usually `grant_type`. */
  readonly grantField: string;
  readonly clientAuth: ClientAuthRule;
}

/** A function returning the current time as epoch milliseconds. */
export type Clock = () => number;

/** The platform `fetch` signature, so any conforming implementation can be injected. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Options every generated client accepts, after the server name is resolved to a URL. */
export interface ClientConfig {
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  /** Absolute base URL; must be `https:` unless it is a loopback address. */
  readonly baseUrl: string;
  readonly fetch?: FetchLike | undefined;
  /** Abort the token request after this many milliseconds (default 10 000). */
  readonly timeoutMs?: number | undefined;
  /** Source of "now" for all expiry arithmetic (default `Date.now`). */
  readonly clock?: Clock | undefined;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request; combined with the client's timeout. */
  readonly signal?: AbortSignal;
}

/** A token, normalised across providers. */
export interface Token<Raw> {
  readonly accessToken: string;
  /** As the server sent it (e.g. `bearer`, `Bearer`); absent if the server sent none. */
  readonly tokenType?: string;
  /** Epoch milliseconds; absent when the provider did not say (never guessed as "now"). */
  readonly expiresAt?: number;
  readonly refreshToken?: string;
  readonly scope?: string;
  /**
   * Set when the expiry was a server-clock time and the response's `Date`
   * header showed the server's clock this far behind ours (ms; negative when
   * ahead); `expiresAt` has been shifted onto the local clock by it.
   */
  readonly clockOffsetMs?: number;
  /** The success body as received, typed from the spec. */
  readonly raw: Raw;
}

/** The outcome of a token request: never thrown, always returned. */
export type TokenResult<Raw, E> =
  | { readonly ok: true; readonly token: Token<Raw> }
  | { readonly ok: false; readonly error: E };
