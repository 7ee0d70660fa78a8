import type { DPoPKeyPair } from "./dpop.js";
import type { TokenEventHook } from "./events.js";
import type { AsymmetricAlgorithm, CryptoKeyLike, HmacAlgorithm, Jwk } from "./jws.js";

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
  /** What joins the elements of a {@link TokenEndpoint.spaceDelimited} array, when not a space (`","`: a provider's own). */
  readonly scopeSeparator?: string;
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
  readonly errorInSuccess?: ErrorInSuccessRule;
  /**
   * OpenID Connect Discovery 1.0: when set, the token endpoint is not
   * `path` but the `token_endpoint` of the discovery document at this path
   * (relative to the server URL, like `path`), read once per client.
   */
  readonly discovery?: string;
}

/** A value a JSON body member can be compared with. */
export type JsonScalar = string | number | boolean | null;

/**
 * When a success-status body is an error: its member at `field` equals a
 * value, is present (or absent), or is one of a set of values. `code`, when
 * set, is where the body carries the error's code (`error`, `status`).
 */
export type ErrorInSuccessRule =
  | { readonly field: FieldPath; readonly equals: JsonScalar; readonly code?: FieldPath }
  | { readonly field: FieldPath; readonly present: boolean; readonly code?: FieldPath }
  | { readonly field: FieldPath; readonly in: readonly JsonScalar[]; readonly code?: FieldPath };

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
  /** RFC 8693 `issued_token_type`; read as `issued_token_type` when not named. */
  readonly issuedTokenType?: FieldPath;
  /**
   * Other places a member may be, tried in order when the first is absent:
   * `{ accessToken: [["authed_user", "access_token"]] }` (a token in one of two places).
   */
  readonly fallbacks?: TokenFieldFallbacks;
}

/** For each normalised token member, the paths tried after its first one. */
export type TokenFieldFallbacks = Readonly<Partial<Record<"accessToken" | "tokenType" | "refreshToken" | "scope", readonly FieldPath[]>>>;

/**
 * How a success body says when the access token expires, as the model
 * decided it (generator/model/response.ts); the runtime applies it and
 * guesses nothing from the values. Numbers may arrive as numeric strings
 * (`"3599"`), which are read as the number they spell.
 * - `relative`: a lifetime counted from receipt (RFC 6749 §5.1 `expires_in`),
 *   in seconds (also when `unit` is absent), or in milliseconds with `unit: "ms"`.
 * - `absolute`: the moment of expiry: a unix time in seconds or milliseconds,
 *   or an ISO-8601 date-time string (`"2026-12-06T12:00:00Z"`).
 * - `created-plus-relative`: `expires_in` seconds counted from a creation time:
 *   a unix time in `createdUnit`, or an ISO-8601 date-time string (which says
 *   what it is); from receipt when that is absent or unreadable.
 * - `issued-at`: an issue time in `unit` plus a lifetime the provider
 *   documents but does not send (`lifetimeSeconds`); from receipt when the
 *   issue time is absent.
 * - `none`: the provider never says; the token is valid until a 401 says otherwise.
 */
export type ExpiryRule =
  | { readonly kind: "relative"; readonly field: FieldPath; readonly unit?: "s" | "ms" }
  | { readonly kind: "absolute"; readonly field: FieldPath; readonly unit: "s" | "ms" | "iso8601" }
  | {
      readonly kind: "created-plus-relative";
      readonly createdField: FieldPath;
      readonly createdUnit: "s" | "ms";
      readonly field: FieldPath;
    }
  | { readonly kind: "issued-at"; readonly field: FieldPath; readonly unit: "s" | "ms"; readonly lifetimeSeconds: number }
  | { readonly kind: "none" };

/**
 * A client authentication method as a request applies it (RFC 6749 §2.3);
 * `decideClientAuth` (client-auth.ts) picks one for every request.
 * - `basic`: `Authorization: Basic` with form-encoded id and secret (§2.3.1).
 * - `fields`: the id (and secret, when configured) as request fields named by
 *   the spec: in the body (§2.3.1), or in the query or headers when the
 *   endpoint's `parameters` place them there.
 * - `none`: the request carries no client credentials.
 */
export type AppliedClientAuth =
  | { readonly kind: "basic" }
  | { readonly kind: "fields"; readonly idField: string; readonly secretField?: string }
  | { readonly kind: "none" };

/**
 * What a spec (and its provider config) documents about how a grant's
 * requests authenticate the client: facts only, which the generator collects
 * and `decideClientAuth` (client-auth.ts) decides from at run time.
 */
export interface DocumentedClientAuth {
  readonly kind: "documented";
  /** The provider config's `clientAuth`: it decides over everything the spec documents. */
  readonly stated?: "basic" | "fields" | "none";
  /** The token endpoint is an OpenID provider's, whose discovery document lists the methods it supports. */
  readonly discovery?: true;
  /** The request field that carries the client id (RFC 6749 §2.3.1 `client_id`), as the spec spells it. */
  readonly idField?: string;
  /** The request field that carries the client secret (`client_secret`), as the spec spells it. */
  readonly secretField?: string;
  /** HTTP Basic is documented: an `http`/`basic` security scheme, or an `Authorization` header parameter. */
  readonly basic?: true;
}

/**
 * How a grant authenticates the client (RFC 6749 §2.3): a method stated
 * outright ({@link AppliedClientAuth}), what the spec documents
 * ({@link DocumentedClientAuth}, as generated clients carry it), or
 * `discovered`: whatever the OpenID Connect discovery document's
 * `token_endpoint_auth_methods_supported` allows. `decideClientAuth`
 * (client-auth.ts) decides which method a request uses.
 */
export type ClientAuthRule = AppliedClientAuth | { readonly kind: "discovered" } | DocumentedClientAuth;

/**
 * How the client authenticates, chosen by the user (or, where the spec says,
 * by the generated client's options type), as a value in the style of
 * oauth4webapi's: `{ method: "private_key_jwt", privateKey, keyId }`. When
 * `ClientConfig.clientAuth` holds one, it decides over the grant's
 * {@link ClientAuthRule} (see `decideClientAuth` in client-auth.ts).
 *
 * - `client_secret_basic`, `client_secret_post`: the client secret, in an
 *   `Authorization: Basic` header or in the body (RFC 6749 §2.3.1).
 * - `client_secret_jwt`: a JWT signed with HMAC over the client secret
 *   (RFC 7523 §2.2; HS256 unless `algorithm` says otherwise).
 * - `private_key_jwt`: a JWT signed with `privateKey` (RFC 7523 §2.2): a
 *   private CryptoKey (ECDSA P-256/384/521, Ed25519, RSASSA-PKCS1-v1_5,
 *   RSA-PSS) or a private JWK. `keyId` becomes the `kid` header.
 * - `none`: a public client; sends `client_id` only (RFC 6749 §2.1).
 * - `tls_client_auth`, `self_signed_tls_client_auth`: mutual TLS (RFC 8705
 *   §2): sends `client_id` only; the certificate is the `fetch`'s to
 *   present (e.g. an undici `Agent` with `connect: { cert, key }`).
 *
 * For the JWT methods, `audience` is the assertion's `aud`: by default the
 * token endpoint's URL (without query or fragment); pass the issuer when
 * the provider's metadata asks for it. `lifetimeSeconds` (default 60) is how
 * long the assertion is valid. These descriptions are what users write; a
 * client config holds a {@link ClientAuthValue}, which `clientAuthValue()`
 * (client-jwt.ts) makes from one.
 */
export type ClientAuth =
  | { readonly method: "client_secret_basic" }
  | { readonly method: "client_secret_post" }
  | {
      readonly method: "client_secret_jwt";
      readonly algorithm?: HmacAlgorithm | undefined;
      readonly audience?: string | readonly string[] | undefined;
      readonly keyId?: string | undefined;
      readonly lifetimeSeconds?: number | undefined;
    }
  | {
      readonly method: "private_key_jwt";
      readonly privateKey: CryptoKeyLike | Jwk;
      readonly keyId?: string | undefined;
      readonly algorithm?: AsymmetricAlgorithm | undefined;
      readonly audience?: string | readonly string[] | undefined;
      readonly lifetimeSeconds?: number | undefined;
    }
  | { readonly method: "none" }
  | { readonly method: "tls_client_auth" }
  | { readonly method: "self_signed_tls_client_auth" };

/** The name of a {@link ClientAuth} method (OAuth 2.0 `token_endpoint_auth_method` values, RFC 7591 §2). */
export type ClientAuthMethod = ClientAuth["method"];

/**
 * A JWT client authentication method ready to sign: what `privateKeyJwt()`,
 * `clientSecretJwt()` and `clientAuthValue()` (client-jwt.ts) make. It
 * carries the signing code, so that a client without JWT methods bundles
 * none of it.
 */
export interface JwtClientAuth {
  readonly method: "client_secret_jwt" | "private_key_jwt";
  /**
   * A client assertion for one request to `tokenUrl` (RFC 7523 §2.2).
   *
   * @throws ClientKeyError when the key cannot sign.
   */
  assertion(clientId: string, clientSecret: string | undefined, tokenUrl: string, now: number): Promise<string>;
  /** What the value holds that no error may show (a JWK's private members). */
  secrets(): readonly string[];
}

/** What `ClientConfig.clientAuth` holds: a method without signing as written, a JWT method as a {@link JwtClientAuth}. */
export type ClientAuthValue = Exclude<ClientAuth, { readonly method: "client_secret_jwt" | "private_key_jwt" }> | JwtClientAuth;

/**
 * The work a grant's parameters need before they are sent, carried by the
 * grant rule (assertion grants: `jwtBearerGrant()` and `tokenExchangeGrant()`
 * in assertion-grants.ts), so that other clients bundle none of it.
 */
export interface GrantParams {
  /**
   * Checks the fields before anything is sent.
   *
   * @throws TypeError naming the field, never its value.
   */
  check(params: Readonly<Record<string, unknown>>): void;
  /** The fields with every credential given as a function made for this request, checked again. */
  resolve(params: Readonly<Record<string, unknown>>): Promise<Readonly<Record<string, unknown>>>;
  /** What the parameters hold that no error may show besides their credential fields (a signing key's private members). */
  secrets(params: Readonly<Record<string, unknown>>): readonly string[];
  /** Whether a session may run the grant again with these parameters, without the user. */
  reobtainable(params: Readonly<Record<string, unknown>>): boolean;
}

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
  /**
   * Fields sent with every request of this grant whatever the caller passes
   * (`expiring=1`, `type=refresh`): a one-value enum in the spec, or the provider config.
   */
  readonly constantFields?: Readonly<Record<string, string | number | boolean>>;
  /** Work the parameters need before they are sent (see {@link GrantParams}); absent for most grants. */
  readonly params?: GrantParams;
  /**
   * Where this grant's requests go when not to the token endpoint: a flow's
   * `refreshUrl` that differs from its `tokenUrl` (OpenAPI OAuth Flow Object).
   * Absent: the token endpoint (or the discovered one).
   */
  readonly url?: GrantUrl;
}

/**
 * A grant's own URL: absolute, or (`relative: true`) a path joined to the
 * client's base URL like {@link TokenEndpoint.path}, so it follows the
 * server the caller picks.
 */
export interface GrantUrl {
  readonly url: string;
  readonly relative?: boolean;
}

/** A function returning the current time as epoch milliseconds. */
export type Clock = () => number;

/** The platform `fetch` signature, so any conforming implementation can be injected. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/*
 * The names below are declared by the DOM library and by @types/node alike,
 * unlike `RequestInfo`, `BodyInit` or `RequestRedirect`: generated code must
 * compile for browsers (DOM, no @types/node) and for Node services (no DOM).
 */
/** What `fetch` takes as its first argument (`RequestInfo | URL`). */
export type FetchInput = ConstructorParameters<typeof Request>[0];
/** A request body `fetch` accepts (`BodyInit`). */
export type FetchBody = NonNullable<RequestInit["body"]>;
/** A request's redirect mode (`RequestRedirect`). */
export type FetchRedirect = NonNullable<RequestInit["redirect"]>;

/** Options every generated client accepts, after the server name is resolved to a URL. */
export interface ClientConfig {
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  /** Absolute base URL; must be `https:` unless it is a loopback address. */
  readonly baseUrl: string;
  readonly fetch?: FetchLike | undefined;
  /** Abort the token request after this many milliseconds (default 10 000). */
  readonly timeoutMs?: number | undefined;
  /** Source of "now" for all expiry arithmetic (default `Date.now`), and for the `iat` of assertions and proofs. */
  readonly clock?: Clock | undefined;
  /**
   * How the client authenticates; when set, it decides over the grant's
   * rule (see {@link ClientAuth}; a JWT method as a {@link JwtClientAuth},
   * which `clientAuthValue()` makes from a description). Absent: the rule
   * the spec gave.
   */
  readonly clientAuth?: ClientAuthValue | undefined;
  /**
   * DPoP (RFC 9449): the key pair every token request carries a proof of,
   * so that the tokens issued are bound to it, as `dpopKeyPair()` makes it.
   * Absent: no DPoP.
   */
  readonly dpop?: DPoPKeyPair | undefined;
  /**
   * Called after every token request this client sends (its methods', and
   * those of sessions opened on it): `token_obtained`, `token_refreshed` or
   * `token_failed`, with the grant type, the duration and, for a failure,
   * the error's `kind`, `code` and status; sessions opened on it without an
   * `onEvent` of their own report their events here too. Never a token, a
   * credential or a body; what the hook throws is ignored.
   */
  readonly onEvent?: TokenEventHook | undefined;
  /** The provider id events name (`asset`); generated clients set it. */
  readonly provider?: string | undefined;
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
   * What kind of token was issued (RFC 8693 §2.2.1 `issued_token_type`, a
   * URI such as `urn:ietf:params:oauth:token-type:access_token`): read from
   * an answer's `issued_token_type`, or from where `tokenFields.issuedTokenType` says.
   */
  readonly issuedTokenType?: string;
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
