/**
 * Static facts about one provider's token endpoint. The generator writes one of
 * these per provider as a plain literal; the runtime reads nothing else about
 * the provider, so every quirk a client honours is visible in that literal.
 */
export interface TokenEndpoint {
  /**
   * Path of the token operation relative to the server URL, e.g.
   * `/oauth/token`. May hold `{name}` templates (OpenAPI path parameters),
   * filled from the params that {@link TokenEndpoint.parameters} marks `path`.
   */
  readonly path: string;
  /** HTTP method; `POST` unless the spec says otherwise (RFC 6749 §3.2 requires POST). */
  readonly method?: "POST" | "GET";
  /**
   * How the request body is encoded: RFC 6749 §4 form encoding, JSON, or
   * `none` when every field travels outside the body (query, headers, path).
   */
  readonly encoding: "form" | "json" | "none";
  /** Fields that travel outside the body, by wire name; all others go in the body. */
  readonly parameters?: Readonly<Record<string, ParameterLocation>>;
  /** Fields whose array value is sent as one space-delimited string (RFC 6749 §3.3 `scope`). */
  readonly spaceDelimited?: readonly string[];
  /** Statuses the spec documents as success (usually `[200]`); may hold a range key such as `"2XX"`. */
  readonly successStatuses: readonly StatusKey[];
  /** Statuses the spec documents as errors with a typed body; may hold `"4XX"`-style ranges and `"default"`. */
  readonly errorStatuses: readonly StatusKey[];
  /** Where the normalised token's fields live in the success body. */
  readonly tokenFields: TokenFieldNames;
  /** How the success body expresses when the token expires. */
  readonly expiry: ExpiryRule;
  /**
   * How a success body is encoded: JSON (RFC 6749 §5.1, the default), or a
   * form-encoded body as some older servers send (read into string values).
   */
  readonly responseEncoding?: "json" | "form";
  /**
   * A provider that reports errors with a success status (`{"ok": false}`
   * with HTTP 200): a success-status body whose member at `field` equals
   * `equals` is an error, returned as a `TokenResponseError` with the real
   * status, never as a token.
   */
  readonly errorInSuccess?: { readonly field: FieldPath; readonly equals: string | number | boolean | null };
  /**
   * OpenID Connect Discovery 1.0: when set, the token endpoint is not
   * `path` but the `token_endpoint` of the discovery document at this path
   * (relative to the server URL, like `path`), read once per client.
   */
  readonly discovery?: string;
}

/** Where a field travels when it is not in the body (OpenAPI Parameter Object `in`). */
export type ParameterLocation = "query" | "header" | "path";

/** An OpenAPI Responses key: one status, a range such as `"4XX"`, or `"default"` (any other status). */
export type StatusKey = number | "1XX" | "2XX" | "3XX" | "4XX" | "5XX" | "default";

/**
 * Where a value lives in a JSON body: a top-level property name, or the
 * property names leading to it in nested objects (`["data", "token"]`).
 */
export type FieldPath = string | readonly string[];

/** Names (or paths) of the success-body members that carry each normalised token field. */
export interface TokenFieldNames {
  readonly accessToken: FieldPath;
  readonly tokenType?: FieldPath;
  readonly refreshToken?: FieldPath;
  readonly scope?: FieldPath;
}

/**
 * How a success body says when the access token expires. Numbers may arrive
 * as numeric strings (`"3599"`), which are read as the number they spell.
 * - `relative`: seconds from receipt (RFC 6749 §5.1 `expires_in`).
 * - `absolute`: a unix time, in seconds or milliseconds.
 * - `created-plus-relative`: `expires_in` seconds counted from a `created_at` unix time.
 * - `none`: the provider never says; the token is valid until a 401 says otherwise.
 */
export type ExpiryRule =
  | { readonly kind: "relative"; readonly field: FieldPath }
  | { readonly kind: "absolute"; readonly field: FieldPath; readonly unit: "s" | "ms" }
  | { readonly kind: "created-plus-relative"; readonly createdField: FieldPath; readonly field: FieldPath }
  | { readonly kind: "none" };

/**
 * How a grant authenticates the client (RFC 6749 §2.3).
 * - `basic`: `Authorization: Basic` with form-encoded id and secret (§2.3.1).
 * - `fields`: the id (and secret, when configured) as request fields named by
 *   the spec: in the body (§2.3.1), or in the query or headers when the
 *   endpoint's `parameters` place them there.
 * - `discovered`: whatever the OpenID Connect discovery document's
 *   `token_endpoint_auth_methods_supported` allows: `client_secret_basic`
 *   (also the default when the list is absent), else `client_secret_post`
 *   (`client_id`/`client_secret` body fields), else `none`.
 * - `none`: the request carries no client credentials.
 */
export type ClientAuthRule =
  | { readonly kind: "basic" }
  | { readonly kind: "fields"; readonly idField: string; readonly secretField?: string }
  | { readonly kind: "discovered" }
  | { readonly kind: "none" };

/** One grant the endpoint accepts. */
export interface GrantRule {
  /** The value sent as the grant type, e.g. `client_credentials`. */
  readonly grantType: string;
  /**
   * The field that carries it, usually `grant_type`; absent for a custom
   * token operation that takes no grant type (the grant is implied).
   */
  readonly grantField?: string;
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
  /**
   * Epoch milliseconds on the local clock; absent when the provider did not
   * say (never guessed as "now"). An expiry already past when the answer
   * arrived (`expires_in: 0`, a timestamp in the past, even `0`) is kept as
   * that past time, never dropped: `expiresAt <= now` tells a token that was
   * expired on receipt (compare with `undefined`, not by truthiness).
   */
  readonly expiresAt?: number;
  readonly refreshToken?: string;
  readonly scope?: string;
  /**
   * Set when the expiry was a server-clock time (an absolute expiry, a
   * `created_at`, an `expires_in` that is a timestamp) and the response's
   * `Date` header showed the server's clock this far behind ours (ms;
   * negative when ahead), past a 30 s tolerance. Up to 5 minutes
   * (`MAX_CLOCK_CORRECTION_MS`) `expiresAt` has been shifted onto the local
   * clock by it; beyond, see {@link Token.clockOffsetBeyondBound}.
   */
  readonly clockOffsetMs?: number;
  /**
   * Set (to `true`) when {@link Token.clockOffsetMs} is more than 5 minutes
   * (`MAX_CLOCK_CORRECTION_MS`): the `Date` header was not trusted to move
   * the expiry later, and `expiresAt` is the earlier of the expiry as sent
   * and as shifted, so the token is never believed valid for longer than the
   * server claimed (its expiry minus its `Date`). It may then be expired on
   * receipt.
   */
  readonly clockOffsetBeyondBound?: true;
  /** The success body as received, typed from the spec. */
  readonly raw: Raw;
}

/** The outcome of a token request: never thrown, always returned. */
export type TokenResult<Raw, E> =
  | { readonly ok: true; readonly token: Token<Raw> }
  | { readonly ok: false; readonly error: E };
