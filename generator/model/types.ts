import type { AuthorizationQuirks } from "../runtime/authorize.js";
import type { ClientAuthRule, ErrorInSuccessRule, ExpiryRule, ParameterLocation, StatusKey, TokenFieldNames } from "../runtime/types.js";

/**
 * The intermediate representation: a plain, JSON-serialisable description of
 * one provider's token endpoint. Built from a loaded spec (plus an optional
 * provider config); read by the emitters, which never see the raw document.
 */
export interface ProviderModel {
  /** File-safe lowercase id, from the spec's file name: `asset`. */
  readonly provider: string;
  /** Prefix of every exported name: `Asset` -> `createAssetClient`, `AssetTokenError`. */
  readonly typePrefix: string;
  readonly title: string;
  readonly description?: string;
  readonly source: SourceModel;
  readonly operation: OperationModel;
  readonly servers: readonly ServerModel[];
  readonly request: RequestModel;
  readonly grants: readonly GrantModel[];
  readonly client: ClientOptionsModel;
  readonly success: SuccessModel;
  readonly errors: readonly ErrorStatusModel[];
  /** Where each decision came from, for READMEs and `explain`. */
  readonly facts: readonly Fact[];
  /** The operations the search looked at, the chosen one first, each with why. */
  readonly candidates: readonly CandidateModel[];
  /**
   * The provider's other token operations (issue 12: Azure Container Registry's `POST /oauth2/exchange` beside
   * `POST /oauth2/token`), each built like the primary one above; absent when the spec documents one.
   */
  readonly otherOperations?: readonly TokenOperationModel[];
  /** The token operations' slice of the spec, for openapi-typescript (plain JSON). */
  readonly wireDocument: Readonly<Record<string, unknown>>;
  /**
   * The provider's OAuth endpoints around the token operation (authorization, device authorization, revocation,
   * introspection, PAR, a refresh URL of its own), each from the spec or the provider config. Absent or empty: the
   * provider documents none of them.
   */
  readonly surface?: OAuthSurfaceModel;
  /** Client authentication methods and DPoP the generated client's options offer (model/keys.ts). */
  readonly keys?: KeysModel;
}

/** What the client options offer beyond a shared secret (RFC 7523 §2.2 client assertions, RFC 9449 DPoP). */
export interface KeysModel {
  /** The `token_endpoint_auth_method` names the provider documents; absent: nothing says, every method is offered. */
  readonly clientAuthMethods?: readonly ("client_secret_basic" | "client_secret_post" | "client_secret_jwt" | "private_key_jwt" | "none" | "tls_client_auth" | "self_signed_tls_client_auth")[];
  /** Required when the grants' own rule (no option) would send a method the provider does not document. */
  readonly clientAuth: "required" | "optional";
  /** The `clientId` option once the documented methods are known: every method sends the client's id (RFC 7523 §3 `sub`). */
  readonly clientId: "required" | "absent";
  /** The `clientSecret` option once the documented methods are known (none of them uses a secret: absent). */
  readonly clientSecret: "required" | "optional" | "absent";
  /** The `dpop` option: absent unless the spec or config says DPoP. */
  readonly dpop: "required" | "optional" | "absent";
}

/**
 * Where one OAuth endpoint other than the token operation lives.
 * `url` is absolute (`https://login.example.com/authorize`), or a path (`/oauth/revoke`, may hold `{variable}`
 * templates) resolved against the client's server like the token path.
 */
export interface EndpointModel {
  readonly url: string;
  /** Whether `url` is a path on the client's server rather than an absolute URL. */
  readonly relative: boolean;
  /** JSON pointer of what stated it, in the spec or the provider config. */
  readonly pointer: string;
  readonly source: FactSource;
}

/** RFC 6749 §3.1 authorization endpoint, with what the authorization request may carry. */
export interface AuthorizationEndpointModel extends EndpointModel, AuthorizationQuirks {
  /** Scopes the spec names (OAuth Flow Object `scopes`), offered as known values while any string is accepted. */
  readonly scopes: readonly { readonly name: string; readonly description?: string }[];
  /**
   * RFC 7636 PKCE method: `S256` unless the spec or config says the server lacks PKCE (`none`). `plain` is never
   * chosen (RFC 9700 §2.1.1).
   */
  readonly pkce: "S256" | "none";
  /** OpenID Connect: a `nonce` is made and the ID token's is checked. */
  readonly openid: boolean;
  /** The separator joining scopes in the authorization request (RFC 6749 §3.3: a space). */
  readonly scopeSeparator: string;
}

export interface OAuthSurfaceModel {
  readonly authorization?: AuthorizationEndpointModel;
  /** RFC 8628 §3.1 device authorization endpoint (OpenAPI 3.2 `deviceAuthorization` flow). */
  readonly deviceAuthorization?: EndpointModel;
  /** RFC 7009 token revocation endpoint. */
  readonly revocation?: EndpointModel;
  /** RFC 7662 token introspection endpoint. */
  readonly introspection?: EndpointModel;
  /** RFC 9126 pushed authorization request endpoint. */
  readonly pushedAuthorization?: EndpointModel;
  /** A refresh URL that differs from the token URL (OAuth Flow Object `refreshUrl`). */
  readonly refresh?: EndpointModel;
  /** RFC 8414 / OpenID Connect metadata the spec names (OpenAPI 3.2 `oauth2MetadataUrl`, `openIdConnectUrl`). */
  readonly metadata?: EndpointModel;
}

export interface SourceModel {
  /** The spec file as the user named it, forward slashes. */
  readonly file: string;
  readonly sha256: string;
  readonly openapi: string;
  /** The provider config file, when one was read. */
  readonly configFile?: string;
  /** The OpenAPI Overlay applied to the spec, when there was one. */
  readonly overlayFile?: string;
}

/** One token operation: what `ProviderModel` says of its primary operation, for another one. */
export interface TokenOperationModel {
  /** Always named (`operation.name`): its names in the generated code are made from it. */
  readonly operation: OperationModel & { readonly name: string };
  readonly request: RequestModel;
  readonly grants: readonly GrantModel[];
  readonly success: SuccessModel;
  readonly errors: readonly ErrorStatusModel[];
}

export interface OperationModel {
  /**
   * When the provider has several token operations: this one's name, the last literal segment of its path
   * (`/oauth2/exchange` -> `exchange`), else its operationId, camel-cased (model/names.ts `operationNamesFor`).
   */
  readonly name?: string;
  /** Path key exactly as in the spec: indexes the generated `paths` type. */
  readonly path: string;
  /** The path sent on the wire: the key without any `#fragment`; may hold `{param}` templates. */
  readonly requestPath: string;
  readonly method: "post" | "get";
  /** Set when the spec documents no token operation and this one was written from its security schemes: what from. */
  readonly synthesisedFrom?: string;
  /** OpenID Connect: the discovery document's path; the token endpoint is read from it at run time. */
  readonly discovery?: string;
  /** JSON pointer of the operation in the spec. */
  readonly pointer: string;
  readonly operationId?: string;
  readonly summary?: string;
  readonly description?: string;
}

export interface ServerModel {
  /** Name the user passes as `server`: from the description, else the host. */
  readonly name: string;
  /** The URL, with `{name}` templates when the server has variables. */
  readonly url: string;
  /** Server variables (OpenAPI 3.0 §4.7.6) the caller may set, each with its default and allowed values. */
  readonly variables?: Readonly<Record<string, { readonly default: string; readonly enum?: readonly string[]; readonly description?: string }>>;
  readonly description?: string;
}

export interface RequestModel {
  /** Media type key exactly as in the spec; absent when the operation takes no body. */
  readonly mediaType?: string;
  readonly encoding: "form" | "json" | "none";
  /** Whether the spec marks the request body required (affects the wire type). */
  readonly bodyRequired: boolean;
  /** Fields that are query, header or path parameters, by wire name (the runtime's `parameters`). */
  readonly parameters?: Readonly<Record<string, ParameterLocation>>;
  /** Fields whose arrays are sent space-delimited. */
  readonly spaceDelimited?: readonly string[];
  /** What joins those arrays when not a space (provider config `request.scopeSeparator`). */
  readonly scopeSeparator?: string;
}

/**
 * Where a field's TypeScript type comes from in the openapi-typescript output:
 * the request body as a whole, or a named component schema (used for the
 * members of a `oneOf` body, which cannot be indexed through the union).
 */
export type WireSource =
  | { readonly kind: "request-body" }
  | { readonly kind: "component"; readonly name: string }
  /** An inline member of a `oneOf` body: reached with `Extract` on its grant type. */
  | { readonly kind: "request-body-variant"; readonly index: number }
  /** The operation takes no body: every field is a parameter. */
  | { readonly kind: "no-body" };

export interface FieldModel {
  /** The wire name, kept as the spec spells it. */
  readonly name: string;
  /** Where it travels when it is a parameter rather than a body field. */
  readonly in?: ParameterLocation;
  /** A path parameter the provider config adds (its `requestPath`): the wire types do not know it, so it is a string. */
  readonly fromConfig?: boolean;
  /** Values the spec names (OAuth2 flow scopes) that the type offers while accepting any string. */
  readonly knownValues?: readonly string[];
  /** An array value is sent as one space-delimited string (RFC 6749 §3.3 `scope`). */
  readonly spaceDelimited?: boolean;
  readonly required: boolean;
  readonly description?: string;
  /** The documented default: documentation only, never sent on the user's behalf. */
  readonly documentedDefault?: unknown;
  readonly enumValues?: readonly unknown[];
  readonly nullable: boolean;
  readonly isArray: boolean;
  readonly deprecated: boolean;
}

/** A set of fields that go together, one of several ways to satisfy a grant. */
export interface AlternativeModel {
  /** Short label for docs and type names: `UsernamePassword`. */
  readonly label: string;
  readonly fields: readonly FieldModel[];
}

export interface GrantModel {
  /** The grant type value sent on the wire. */
  readonly grantType: string;
  /** The field carrying it, usually `grant_type`; absent for a custom operation that implies its one grant. */
  readonly grantField?: string;
  /** For the refresh grant: the field the refresh token goes in, as the spec spells it (`refresh_token`, `RefreshToken`). */
  readonly refreshTokenField?: string;
  /** Client method name: `clientCredentials`. */
  readonly methodName: string;
  readonly description?: string;
  readonly wire: WireSource;
  readonly clientAuth: ClientAuthRule;
  /** Fields every call of this grant may carry. */
  readonly fields: readonly FieldModel[];
  /** Mutually exclusive credential sets; empty when there is only one way. */
  readonly alternatives: readonly AlternativeModel[];
  /** Whether a session may run this grant again unattended (client credentials, a held password); from model/grants/. */
  readonly reobtainable: boolean;
  /**
   * Whether a session retries this grant's requests on a transient failure:
   * exactly when it may run the grant again, or the grant is the refresh
   * grant (model/grants/index.ts `retriedBySession`, the session's own rule).
   */
  readonly retried: boolean;
  /**
   * Fields the spec's schema marks required that this grant's requests may
   * leave out, because an RFC or the provider config assigns them to another
   * grant or credential set. Each has a fact saying why; tests check requests
   * against the spec's schema amended by exactly these.
   */
  readonly relaxedRequired: readonly string[];
  /** Fields sent with every request of this grant without the caller passing them (a one-value enum, or config). */
  readonly constantFields?: Readonly<Record<string, string | number | boolean>>;
  /**
   * For the refresh grant: the path, query and header parameters a session's refresh takes from the
   * request the session was opened with (a tenant in the token URL), so every request goes where the first went.
   */
  readonly keptBySession?: readonly string[];
}

export interface ClientOptionsModel {
  /** Whether `clientId` is needed (some grant sends it). */
  readonly clientId: "required" | "absent";
  /** Whether `clientSecret` is needed, optional, or meaningless for this provider. */
  readonly clientSecret: "required" | "optional" | "absent";
}

export interface SuccessModel {
  /** Documented success statuses (or a `2XX` range), ascending. */
  readonly statuses: readonly StatusKey[];
  /** The success status whose body type is `raw` (the first with JSON content). */
  readonly typedStatus: StatusKey;
  /** Its responses key exactly as in the spec (indexes the wire types). */
  readonly typedKey: string;
  readonly mediaType: string;
  readonly tokenFields: TokenFieldNames;
  readonly expiry: ExpiryRule;
  /** Set when the success body is form-encoded (provider config). */
  readonly responseEncoding?: "form";
  /** A success-status body that is really an error (provider config). */
  readonly errorInSuccess?: ErrorInSuccessRule;
  /**
   * `refresh_token`: the success response documents a refresh token and no access token (an exchange for a
   * refresh token); `tokenFields.accessToken` names the refresh token member, so the grant methods return it as
   * the token, and no session opens on the operation (a session holds an access token).
   */
  readonly issues?: "refresh_token";
}

export interface ErrorStatusModel {
  /** A status, a range key (`4XX`) or `default`. */
  readonly status: StatusKey;
  /** The responses key exactly as in the spec (indexes the wire types). */
  readonly key: string;
  readonly description?: string;
  /** The JSON media type key of the body, absent when the spec gives no JSON body. */
  readonly mediaType?: string;
}

export type FactSource = "spec" | "inferred" | "config";

/** An operation the token search looked at. */
export interface CandidateModel {
  /** `"POST /oauth2/token"`. */
  readonly operation: string;
  readonly pointer: string;
  readonly chosen: boolean;
  readonly reason: string;
}

/** One decision the model made, with where it came from. */
export interface Fact {
  readonly topic: string;
  /** The token operation the fact is about, by name, when it is not the primary one of several. */
  readonly operation?: string;
  readonly statement: string;
  readonly source: FactSource;
  /** JSON pointer into the spec or config, or the rule that inferred it. */
  readonly evidence: string;
}
