import type { ClientAuthRule, ExpiryRule, TokenFieldNames } from "../runtime/types.js";

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
  /** The token operation's slice of the spec, for openapi-typescript (plain JSON). */
  readonly wireDocument: Readonly<Record<string, unknown>>;
}

export interface SourceModel {
  /** The spec file as the user named it, forward slashes. */
  readonly file: string;
  readonly sha256: string;
  readonly openapi: string;
  /** The provider config file, when one was read. */
  readonly configFile?: string;
}

export interface OperationModel {
  /** Path key exactly as in the spec: indexes the generated `paths` type. */
  readonly path: string;
  readonly method: "post";
  /** JSON pointer of the operation in the spec. */
  readonly pointer: string;
  readonly operationId?: string;
  readonly summary?: string;
  readonly description?: string;
}

export interface ServerModel {
  /** Name the user passes as `server`: from the description, else the host. */
  readonly name: string;
  readonly url: string;
  readonly description?: string;
}

export interface RequestModel {
  /** Media type key exactly as in the spec. */
  readonly mediaType: string;
  readonly encoding: "form" | "json";
  /** Whether the spec marks the request body required (affects the wire type). */
  readonly bodyRequired: boolean;
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
  | { readonly kind: "request-body-variant"; readonly index: number };

export interface FieldModel {
  /** The wire name, kept as the spec spells it. */
  readonly name: string;
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
  /** The body field carrying it, usually `grant_type`. */
  readonly grantField: string;
  /** Client method name: `clientCredentials`. */
  readonly methodName: string;
  /** Params type name without the provider prefix: `ClientCredentialsParams`. */
  readonly paramsTypeName: string;
  readonly description?: string;
  readonly wire: WireSource;
  readonly clientAuth: ClientAuthRule;
  /** Fields every call of this grant may carry. */
  readonly fields: readonly FieldModel[];
  /** Mutually exclusive credential sets; empty when there is only one way. */
  readonly alternatives: readonly AlternativeModel[];
  /** RFC 6749 §10.5: an authorization code is single-use, so such requests are never replayed. */
  readonly replayable: boolean;
  /** Whether a session may run this grant again unattended (client credentials, a held password). */
  readonly reobtainable: boolean;
  /**
   * Fields the spec's schema marks required that this grant's requests may
   * leave out, because an RFC or the provider config assigns them to another
   * grant or credential set. Each has a fact saying why; tests check requests
   * against the spec's schema amended by exactly these.
   */
  readonly relaxedRequired: readonly string[];
}

export interface ClientOptionsModel {
  /** Whether `clientId` is needed (some grant sends it). */
  readonly clientId: "required" | "absent";
  /** Whether `clientSecret` is needed, optional, or meaningless for this provider. */
  readonly clientSecret: "required" | "optional" | "absent";
}

export interface SuccessModel {
  /** Documented success statuses, ascending. */
  readonly statuses: readonly number[];
  /** The success status whose body type is `raw` (the first with JSON content). */
  readonly typedStatus: number;
  readonly mediaType: string;
  readonly tokenFields: TokenFieldNames;
  readonly expiry: ExpiryRule;
}

export interface ErrorStatusModel {
  readonly status: number;
  readonly description?: string;
  /** The JSON media type key of the body, absent when the spec gives no JSON body. */
  readonly mediaType?: string;
}

export type FactSource = "spec" | "inferred" | "config";

/** One decision the model made, with where it came from. */
export interface Fact {
  readonly topic: string;
  readonly statement: string;
  readonly source: FactSource;
  /** JSON pointer into the spec or config, or the rule that inferred it. */
  readonly evidence: string;
}
