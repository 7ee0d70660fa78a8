// Grants that carry assertions: JWT bearer (RFC 7523 §2.1) and token
// exchange (RFC 8693), as grant rules whose `params` hook checks their fields
// before anything is sent and makes a credential given as a function (a fresh
// assertion or subject token per request). Other clients bundle none of it.
import { ClientKeyError } from "./errors.js";
import { KeyProblem, asymmetricAlgorithmOf, importPrivateJwk, isCryptoKey, jwkAlgorithm, randomId, signJws } from "./jws.js";
import type { AsymmetricAlgorithm, CryptoKeyLike, Jwk } from "./jws.js";
import { canonicalJson } from "./canonical.js";
import { jwkSecrets } from "./client-jwt.js";
import { registerSourceIdentity } from "./source-identity.js";
import type { ClientAuthRule, GrantParams, GrantRule } from "./types.js";

/** RFC 7523 §2.1. */
export const JWT_BEARER_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** RFC 8693 §2.1. */
export const TOKEN_EXCHANGE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";

/** The token type identifiers of RFC 8693 §3. */
export const TOKEN_TYPES = /* @__PURE__ */ Object.freeze({
  accessToken: "urn:ietf:params:oauth:token-type:access_token",
  refreshToken: "urn:ietf:params:oauth:token-type:refresh_token",
  idToken: "urn:ietf:params:oauth:token-type:id_token",
  saml1: "urn:ietf:params:oauth:token-type:saml1",
  saml2: "urn:ietf:params:oauth:token-type:saml2",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
} as const);

/**
 * The JWT-bearer grant (RFC 7523 §2.1), with its `params` hook; client
 * authentication is optional there (§3.1), so `none` by default.
 */
export function jwtBearerGrant(clientAuth: ClientAuthRule = { kind: "none" }): GrantRule {
  return { grantType: JWT_BEARER_GRANT_TYPE, grantField: "grant_type", clientAuth, params: paramsFor("jwt_bearer", []) };
}

/**
 * The token-exchange grant (RFC 8693 §2.1), with its `params` hook and the client authentication its provider
 * documents. `defaulted` names RFC-required fields the provider documents a default for (Box's
 * `subject_token_type`): the server applies it, so the check lets them be left out.
 */
export function tokenExchangeGrant(clientAuth: ClientAuthRule = { kind: "basic" }, defaulted: readonly string[] = []): GrantRule {
  return { grantType: TOKEN_EXCHANGE_GRANT_TYPE, grantField: "grant_type", clientAuth, params: paramsFor("token_exchange", defaulted) };
}

type AssertionKind = "jwt_bearer" | "token_exchange";

/** The `params` hook of an assertion grant (see {@link GrantParams}). */
function paramsFor(kind: AssertionKind, defaulted: readonly string[]): GrantParams {
  return {
    check: (params) => checkFields(kind, params, defaulted),
    resolve: (params) => resolveFields(kind, params, defaulted),
    secrets: sourceSecrets,
    reobtainable: (params) => reobtainableFields(kind, params),
  };
}

/**
 * A credential given as a function is called for each request, so that a
 * session can run the grant again with a fresh one (a new assertion, a
 * subject token that has been renewed); a string is sent as it is, and is
 * single-use for a session.
 */
export type CredentialSource = string | (() => string | Promise<string>);

/** Fields of a JWT-bearer request (RFC 7523 §2.1); others are sent as they are. */
export interface JwtBearerParams {
  /** One JWT (RFC 7523 §2.1), or a function making one per request (see {@link jwtAssertion}). */
  readonly assertion: CredentialSource;
  readonly scope?: string | readonly string[];
  readonly [field: string]: unknown;
}

/** Fields of a token-exchange request (RFC 8693 §2.1); others are sent as they are. */
export interface TokenExchangeParams {
  readonly subject_token: CredentialSource;
  /** A token type URI (RFC 8693 §3), e.g. {@link TOKEN_TYPES}.accessToken. */
  readonly subject_token_type: string;
  /** With `actor_token_type`, or not at all (RFC 8693 §2.1). */
  readonly actor_token?: CredentialSource;
  readonly actor_token_type?: string;
  readonly requested_token_type?: string;
  readonly audience?: string | readonly string[];
  /** Absolute URIs without a fragment (RFC 8693 §2.1, RFC 8707 §2); repeated in the body. */
  readonly resource?: string | readonly string[];
  readonly scope?: string | readonly string[];
  readonly [field: string]: unknown;
}

/** An absolute URI: a scheme, then a colon (RFC 3986 §4.3). */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;
/** A JWS compact serialisation: three base64url parts (RFC 7515 §7.1); a JWE has five. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)?$/;

function present(params: Readonly<Record<string, unknown>>, name: string): boolean {
  return Object.hasOwn(params, name) && params[name] !== undefined && params[name] !== null;
}

function checkSource(params: Readonly<Record<string, unknown>>, name: string): void {
  const value = params[name];
  if (typeof value === "function") return;
  if (typeof value !== "string" || value === "") throw new TypeError(`${name} must be a non-empty string or a function returning one`);
}

function checkUri(params: Readonly<Record<string, unknown>>, name: string, what = "an absolute URI"): void {
  const value = params[name];
  if (typeof value !== "string" || !ABSOLUTE_URI.test(value)) throw new TypeError(`${name} must be ${what}`);
}

function checkStrings(params: Readonly<Record<string, unknown>>, name: string, uri: boolean): void {
  const value = params[name];
  const items = Array.isArray(value) ? (value as readonly unknown[]) : [value];
  if (items.length === 0) throw new TypeError(`${name} must not be an empty array`);
  for (const item of items) {
    if (typeof item !== "string" || item === "") throw new TypeError(`${name} must be a non-empty string or an array of them`);
    if (uri && (!ABSOLUTE_URI.test(item) || item.includes("#"))) throw new TypeError(`${name} must be an absolute URI without a fragment (or an array of them)`);
  }
}

/**
 * Checks the fields of a grant before anything is sent, by its `params`
 * hook; for the assertion grants of this module: the
 * required ones are there and of the right kind. Messages name the field,
 * never its value.
 *
 * - JWT bearer (RFC 7523 §2.1): `assertion` (a string or a function).
 * - Token exchange (RFC 8693 §2.1): `subject_token` (a string or a
 *   function) and `subject_token_type` (an absolute URI); `actor_token`
 *   and `actor_token_type` together or not at all; `requested_token_type`
 *   an absolute URI; `audience` strings; `resource` absolute URIs without a
 *   fragment.
 *
 * @throws TypeError naming the field.
 */
export function checkAssertionParams(grant: GrantRule, params: Readonly<Record<string, unknown>>): void {
  grant.params?.check(params);
}

function checkFields(kind: AssertionKind, params: Readonly<Record<string, unknown>>, defaulted: readonly string[]): void {
  if (kind === "jwt_bearer") {
    if (!present(params, "assertion")) throw new TypeError("assertion is required for the JWT-bearer grant (RFC 7523 §2.1)");
    checkSource(params, "assertion");
  } else if (kind === "token_exchange") {
    if (!present(params, "subject_token")) throw new TypeError("subject_token is required for token exchange (RFC 8693 §2.1)");
    checkSource(params, "subject_token");
    if (present(params, "subject_token_type")) checkUri(params, "subject_token_type", "a token type URI (RFC 8693 §3)");
    else if (!defaulted.includes("subject_token_type")) throw new TypeError("subject_token_type is required for token exchange (RFC 8693 §2.1)");
    const actor = present(params, "actor_token");
    const actorType = present(params, "actor_token_type");
    if (actor && !actorType) throw new TypeError("actor_token_type is required when actor_token is given (RFC 8693 §2.1)");
    if (actorType && !actor) throw new TypeError("actor_token_type must not be given without actor_token (RFC 8693 §2.1)");
    if (actor) {
      checkSource(params, "actor_token");
      checkUri(params, "actor_token_type", "a token type URI (RFC 8693 §3)");
    }
    if (present(params, "requested_token_type")) checkUri(params, "requested_token_type", "a token type URI (RFC 8693 §3)");
    if (present(params, "audience")) checkStrings(params, "audience", false);
    if (present(params, "resource")) checkStrings(params, "resource", true);
  }
}

/** The credential fields an assertion grant may take as functions. */
const SOURCE_FIELDS = ["assertion", "subject_token", "actor_token"] as const;

/**
 * The fields with every function-valued credential called for this request
 * and checked again: a non-empty string (and for `assertion`, one JWT). The
 * original object is not changed; an array `scope` is joined with spaces.
 *
 * @throws TypeError naming the field when a function gives something else;
 *   whatever the function throws, as it threw it.
 */
async function resolveFields(kind: AssertionKind, params: Readonly<Record<string, unknown>>, defaulted: readonly string[]): Promise<Readonly<Record<string, unknown>>> {
  checkFields(kind, params, defaulted);
  let resolved: Record<string, unknown> | undefined;
  for (const name of SOURCE_FIELDS) {
    const source = params[name];
    if (typeof source !== "function") continue;
    const value: unknown = await (source as () => unknown)();
    if (typeof value !== "string" || value === "") throw new TypeError(`${name}: the function gave something other than a non-empty string`);
    resolved ??= { ...params };
    Object.defineProperty(resolved, name, { value, enumerable: true, writable: true, configurable: true });
  }
  const result = resolved ?? params;
  if (kind === "jwt_bearer" && !JWT_SHAPE.test(result["assertion"] as string)) {
    throw new TypeError("assertion must be a single JWT (RFC 7523 §2.1)");
  }
  const scope = result["scope"];
  if (Array.isArray(scope)) {
    resolved ??= { ...params };
    resolved["scope"] = (scope as readonly unknown[]).filter((s) => typeof s === "string" && s !== "").join(" ");
  }
  return resolved ?? result;
}

/**
 * Whether a session may run the grant again without the user, for an
 * assertion grant: only when each credential it sends is a function (a
 * fresh assertion or subject token each time). A fixed string is
 * single-use: a session runs the grant once, then refreshes (when it can)
 * or asks for the user. For any other grant, `fallback` (what the spec
 * says of it).
 */
export function reobtainableWith(grant: GrantRule, params: Readonly<Record<string, unknown>>, fallback: boolean): boolean {
  return grant.params === undefined ? fallback : grant.params.reobtainable(params);
}

function reobtainableFields(kind: AssertionKind, params: Readonly<Record<string, unknown>>): boolean {
  if (kind === "jwt_bearer") return typeof params["assertion"] === "function";
  return typeof params["subject_token"] === "function" && (!present(params, "actor_token") || typeof params["actor_token"] === "function");
}

// ----------------------------------------------------- signed assertions

/** Claims of a JWT-bearer assertion (RFC 7523 §3); `iat`, `exp` and `jti` are set per assertion. */
export interface AssertionClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly [claim: string]: unknown;
}

/** Options of {@link jwtAssertion}. */
export interface JwtAssertionOptions {
  /** A private CryptoKey or a private JWK (EC, OKP Ed25519, RSA). */
  readonly privateKey: CryptoKeyLike | Jwk;
  readonly claims: AssertionClaims;
  readonly keyId?: string | undefined;
  readonly algorithm?: AsymmetricAlgorithm | undefined;
  /** `exp - iat` (default 300 s; RFC 7523 §3 asks for a limited lifetime). */
  readonly lifetimeSeconds?: number | undefined;
  /** Source of "now", epoch ms (default `Date.now`). */
  readonly clock?: (() => number) | undefined;
}

/**
 * A function that signs a fresh JWT-bearer assertion (RFC 7523 §2.1, §3)
 * each time it is called: the given claims plus `iat`, `exp` and a fresh
 * `jti`, with a `kid` header when `keyId` is given. Pass it as `assertion`:
 * a session can then run the grant again by itself. The key stays in the
 * function's closure, never on an object anyone can print.
 *
 * @throws ClientKeyError (when called) for a key that cannot sign.
 * @throws TypeError at once for claims without `iss`, `sub` or `aud`.
 */
export function jwtAssertion(options: JwtAssertionOptions): () => Promise<string> {
  const { privateKey, claims, keyId, algorithm } = options;
  for (const claim of ["iss", "sub", "aud"] as const) {
    const value: unknown = claims[claim];
    const ok = typeof value === "string" ? value !== "" : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v !== "");
    if (!ok) throw new TypeError(`claims.${claim} is required for a JWT-bearer assertion (RFC 7523 §3)`);
  }
  const lifetime = options.lifetimeSeconds ?? 300;
  if (!(Number.isInteger(lifetime) && lifetime >= 1 && lifetime <= 86_400)) throw new TypeError("lifetimeSeconds must be an integer from 1 to 86400");
  const clock = options.clock ?? Date.now;
  const fixedClaims = { ...claims };
  let ready: Promise<{ readonly key: CryptoKeyLike; readonly alg: AsymmetricAlgorithm }> | undefined;
  const key = (): Promise<{ readonly key: CryptoKeyLike; readonly alg: AsymmetricAlgorithm }> => {
    ready ??= (async () => {
      try {
        if (isCryptoKey(privateKey)) {
          const alg = asymmetricAlgorithmOf(privateKey);
          if (algorithm !== undefined && algorithm !== alg) throw new KeyProblem(`the key signs with ${alg}, not the algorithm asked for`);
          return { key: privateKey, alg };
        }
        jwkAlgorithm(privateKey, algorithm);
        return await importPrivateJwk(privateKey, algorithm);
      } catch (error) {
        if (error instanceof KeyProblem) throw new ClientKeyError(error.message);
        throw error;
      }
    })();
    ready.catch(() => {
      ready = undefined;
    });
    return ready;
  };
  const jwkKid = isCryptoKey(privateKey) ? undefined : privateKey.kid;
  const kid = keyId ?? jwkKid;
  const make = async (): Promise<string> => {
    const signer = await key();
    const iat = Math.floor(clock() / 1000);
    try {
      return await signJws(kid === undefined ? {} : { kid }, { ...fixedClaims, iat, exp: iat + lifetime, jti: randomId() }, signer.key, signer.alg);
    } catch {
      throw new ClientKeyError(`the key failed to sign the assertion with ${signer.alg}`);
    }
  };
  // Two makers of the same claims and key id stand for the same subject: one token in a shared store.
  registerSourceIdentity(make, `jwt-assertion:${canonicalJson({ claims: fixedClaims, kid: kid ?? null })}`);
  secretsOfSources.set(make, jwkSecrets(privateKey));
  return make;
}

/** The private JWK members behind a {@link jwtAssertion} function, for redaction. */
const secretsOfSources = /* @__PURE__ */ new WeakMap<object, readonly string[]>();

/** Secrets a credential source holds that no error may show (a JWK's private members). */
export function sourceSecrets(params: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const name of SOURCE_FIELDS) {
    const value = params[name];
    if (typeof value === "function") out.push(...(secretsOfSources.get(value) ?? []));
  }
  return out;
}
