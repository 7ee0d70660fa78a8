// JWT client authentication (RFC 7523 §2.2): `private_key_jwt` and
// `client_secret_jwt` as values that carry their signing code, so that a
// client without them bundles none of it; and the check a generated client
// runs on its `clientAuth` and `dpop` options when it is created.
import { decideClientAuth, describeMethod } from "./client-auth.js";
import { dpopKeyPair } from "./dpop.js";
import type { DPoPKeyPair, DPoPOptions } from "./dpop.js";
import { ClientKeyError, TokenClientConfigError } from "./errors.js";
import { JWK_PRIVATE_MEMBERS, KeyProblem, asymmetricAlgorithmOf, importHmacSecret, importPrivateJwk, isCryptoKey, jwkAlgorithm, randomId, signJws } from "./jws.js";
import type { AsymmetricAlgorithm, CryptoKeyLike, HmacAlgorithm, Jwk } from "./jws.js";
import type { ClientAuth, ClientAuthValue, JwtClientAuth } from "./types.js";

/** Lifetime of a client assertion when `lifetimeSeconds` is not given: short, as RFC 7523 §3 advises. */
export const DEFAULT_ASSERTION_LIFETIME_S = 60;
/** The longest lifetime a client assertion may be given. */
const MAX_ASSERTION_LIFETIME_S = 3600;

type PrivateKeyJwt = Extract<ClientAuth, { readonly method: "private_key_jwt" }>;
type ClientSecretJwt = Extract<ClientAuth, { readonly method: "client_secret_jwt" }>;
type Signer = { readonly key: CryptoKeyLike; readonly alg: AsymmetricAlgorithm | HmacAlgorithm };

function checkJwtOptions(options: Omit<PrivateKeyJwt, "method" | "privateKey"> | Omit<ClientSecretJwt, "method">): void {
  const lifetime = options.lifetimeSeconds;
  if (lifetime !== undefined && !(Number.isInteger(lifetime) && lifetime >= 1 && lifetime <= MAX_ASSERTION_LIFETIME_S)) {
    throw new TokenClientConfigError(`clientAuth.lifetimeSeconds must be an integer from 1 to ${MAX_ASSERTION_LIFETIME_S}`);
  }
  const audience: unknown = options.audience;
  const audienceOk =
    audience === undefined ||
    (typeof audience === "string" && audience !== "") ||
    (Array.isArray(audience) && audience.length > 0 && audience.every((a) => typeof a === "string" && a !== ""));
  if (!audienceOk) throw new TokenClientConfigError("clientAuth.audience must be a non-empty string or a non-empty array of them");
  const keyId: unknown = options.keyId;
  if (keyId !== undefined && (typeof keyId !== "string" || keyId === "")) throw new TokenClientConfigError("clientAuth.keyId must be a non-empty string");
}

/**
 * Checks a signing key without signing: a private CryptoKey that signs with
 * a JWS algorithm, or a private EC/OKP/RSA JWK.
 *
 * @throws ClientKeyError naming what is wrong (never any key material).
 */
function checkClientKey(privateKey: unknown, algorithm: AsymmetricAlgorithm | undefined): void {
  try {
    if (isCryptoKey(privateKey)) {
      const alg = asymmetricAlgorithmOf(privateKey);
      if (algorithm !== undefined && algorithm !== alg) throw new KeyProblem(`the key signs with ${alg}, not ${describeMethod(algorithm)}`);
    } else if (typeof privateKey === "object" && privateKey !== null && typeof (privateKey as { kty?: unknown }).kty === "string") {
      // Checked by the JWK's members only; the import itself happens on first use.
      jwkAlgorithm(privateKey as Jwk, algorithm);
    } else {
      throw new KeyProblem("clientAuth.privateKey is not a CryptoKey or a JWK");
    }
  } catch (error) {
    if (error instanceof KeyProblem) throw new ClientKeyError(error.message);
    throw error;
  }
}

/** A signing key ready to use: a CryptoKey as it is, a JWK imported (non-extractable) once. */
async function signerFor(privateKey: CryptoKeyLike | Jwk, algorithm: AsymmetricAlgorithm | undefined): Promise<Signer> {
  try {
    if (isCryptoKey(privateKey)) return { key: privateKey, alg: asymmetricAlgorithmOf(privateKey) };
    return await importPrivateJwk(privateKey, algorithm);
  } catch (error) {
    if (error instanceof KeyProblem) throw new ClientKeyError(error.message);
    throw error;
  }
}

/**
 * A client assertion (RFC 7523 §2.2, §3): `iss` and `sub` the client id,
 * `aud` the `audience` option when given (the issuer, when the provider's
 * metadata asks for it) else the token endpoint's URL without query or
 * fragment, a fresh 128-bit `jti`, `iat` now and `exp` `lifetimeSeconds`
 * (default 60) later; a `kid` header when given.
 */
async function signAssertion(
  signer: Signer,
  options: { readonly audience?: string | readonly string[] | undefined; readonly lifetimeSeconds?: number | undefined },
  kid: string | undefined,
  clientId: string,
  tokenUrl: string,
  now: number,
): Promise<string> {
  const iat = Math.floor(now / 1000);
  const url = new URL(tokenUrl);
  url.search = "";
  url.hash = "";
  const claims = {
    iss: clientId,
    sub: clientId,
    aud: options.audience ?? url.href,
    jti: randomId(),
    iat,
    exp: iat + (options.lifetimeSeconds ?? DEFAULT_ASSERTION_LIFETIME_S),
  };
  try {
    return await signJws(kid === undefined ? {} : { kid }, claims, signer.key, signer.alg);
  } catch {
    throw new ClientKeyError(`the key failed to sign the client assertion with ${signer.alg}`);
  }
}

/** The private members of `key` when it is a JWK (a plain object), for redaction. */
export function jwkSecrets(key: unknown): string[] {
  if (typeof key !== "object" || key === null || isCryptoKey(key)) return [];
  const out: string[] = [];
  for (const member of JWK_PRIVATE_MEMBERS) {
    const value: unknown = (key as Record<string, unknown>)[member];
    if (typeof value === "string" && value !== "") out.push(value);
  }
  return out;
}

/** The keys of {@link privateKeyJwt} values: on no object, so that no rendering of the value can show one. */
const hiddenKeys = /* @__PURE__ */ new WeakMap<object, { readonly key: CryptoKeyLike | Jwk; signer?: Promise<Signer> }>();

function copyOptions(target: object, options: object): void {
  for (const name of ["keyId", "algorithm", "audience", "lifetimeSeconds"]) {
    const value: unknown = (options as Record<string, unknown>)[name];
    if (value !== undefined) Object.defineProperty(target, name, { value, enumerable: true });
  }
}

/** A `private_key_jwt` value: options as own fields, the key read through a getter on the prototype. */
class PrivateKeyJwtAuth implements JwtClientAuth {
  readonly method = "private_key_jwt" as const;
  declare readonly keyId?: string;
  declare readonly algorithm?: AsymmetricAlgorithm;
  declare readonly audience?: string | readonly string[];
  declare readonly lifetimeSeconds?: number;
  constructor(privateKey: CryptoKeyLike | Jwk, options: Omit<PrivateKeyJwt, "method" | "privateKey">) {
    checkJwtOptions(options);
    checkClientKey(privateKey, options.algorithm);
    hiddenKeys.set(this, { key: privateKey });
    copyOptions(this, options);
    Object.freeze(this);
  }
  get privateKey(): CryptoKeyLike | Jwk {
    return (hiddenKeys.get(this) as { readonly key: CryptoKeyLike | Jwk }).key;
  }
  assertion(clientId: string, _clientSecret: string | undefined, tokenUrl: string, now: number): Promise<string> {
    const held = hiddenKeys.get(this) as { readonly key: CryptoKeyLike | Jwk; signer?: Promise<Signer> };
    const signer = (held.signer ??= signerFor(held.key, this.algorithm));
    signer.catch(() => {
      if (held.signer === signer) delete held.signer;
    });
    const key = held.key;
    const kid = this.keyId ?? (isCryptoKey(key) ? undefined : key.kid);
    return signer.then((ready) => signAssertion(ready, this, kid, clientId, tokenUrl, now));
  }
  secrets(): readonly string[] {
    return jwkSecrets(this.privateKey);
  }
}

/**
 * `private_key_jwt` (RFC 7523 §2.2, OpenID Connect Core §9), checked at
 * once, as a value that shows no key: the key lives in a WeakMap, read
 * through a getter on the value's prototype, so `console.log`,
 * `JSON.stringify` and `util.inspect` (even with `showHidden`) show the
 * method and options only. The key is a private CryptoKey (best
 * non-extractable) or a private JWK, imported non-extractable on first use.
 *
 * @throws ClientKeyError for a key that cannot sign; TokenClientConfigError for bad options.
 * @example
 * createOktaClient({ clientId, clientAuth: privateKeyJwt(key, { keyId: "k1" }) })
 */
export function privateKeyJwt(privateKey: CryptoKeyLike | Jwk, options: Omit<PrivateKeyJwt, "method" | "privateKey"> = {}): PrivateKeyJwt & JwtClientAuth {
  return new PrivateKeyJwtAuth(privateKey, options);
}

/** A `client_secret_jwt` value: HMAC keys per client secret, made once. */
class ClientSecretJwtAuth implements JwtClientAuth {
  readonly method = "client_secret_jwt" as const;
  declare readonly keyId?: string;
  declare readonly algorithm?: HmacAlgorithm;
  declare readonly audience?: string | readonly string[];
  declare readonly lifetimeSeconds?: number;
  constructor(options: Omit<ClientSecretJwt, "method">) {
    checkJwtOptions(options);
    const alg: unknown = options.algorithm;
    if (alg !== undefined && alg !== "HS256" && alg !== "HS384" && alg !== "HS512") throw new ClientKeyError("client_secret_jwt signs with HS256, HS384 or HS512");
    copyOptions(this, options);
    Object.freeze(this);
  }
  assertion(clientId: string, clientSecret: string | undefined, tokenUrl: string, now: number): Promise<string> {
    const alg = this.algorithm ?? "HS256";
    return importHmacSecret(clientSecret ?? "", alg).then((key) => signAssertion({ key, alg }, this, this.keyId, clientId, tokenUrl, now));
  }
  secrets(): readonly string[] {
    return [];
  }
}

/** `client_secret_jwt` (RFC 7523 §2.2): an assertion signed with HMAC over the client secret (HS256 by default). */
export function clientSecretJwt(options: Omit<ClientSecretJwt, "method"> = {}): ClientSecretJwt & JwtClientAuth {
  return new ClientSecretJwtAuth(options);
}

/**
 * The `clientAuth` a client config holds, made from what a user wrote: a
 * `private_key_jwt` or `client_secret_jwt` description becomes a value that
 * signs ({@link privateKeyJwt}, {@link clientSecretJwt}); the other methods
 * are kept as they are. Checked at once, as a generated client does when it
 * is created: with `clientSecret` given, a secret method without one fails
 * too.
 *
 * @throws TokenClientConfigError for a method that is not one, bad options,
 *   or (with `clientSecret` passed) a `client_secret_*` method without a secret.
 * @throws ClientKeyError for a `private_key_jwt` key that cannot sign.
 */
export function clientAuthValue(clientAuth: ClientAuth | ClientAuthValue, config?: { readonly clientSecret?: string | undefined }): ClientAuthValue {
  let value: ClientAuthValue;
  if (typeof (clientAuth as Partial<JwtClientAuth>).assertion === "function") {
    value = clientAuth as ClientAuthValue;
  } else {
    const described = clientAuth as ClientAuth;
    if (described.method === "private_key_jwt") value = privateKeyJwt(described.privateKey, described);
    else if (described.method === "client_secret_jwt") value = clientSecretJwt(described);
    else value = described;
  }
  // The method and, when the config is known, the secret.
  decideClientAuth({ kind: "basic" }, { clientAuth: value, clientSecret: config === undefined ? "-" : config.clientSecret });
  return value;
}

/**
 * What a generated client calls when it is created, on its `clientAuth`
 * and `dpop` options: both made into the values the runtime takes, and
 * checked, so that an unusable method or key fails there.
 *
 * @throws TokenClientConfigError, ClientKeyError (see {@link clientAuthValue}); DPoPProofError for a key pair that cannot make proofs.
 */
export function keyOptions(options: {
  readonly clientAuth?: ClientAuth | ClientAuthValue | undefined;
  readonly dpop?: DPoPOptions | DPoPKeyPair | undefined;
  readonly clientSecret?: string | undefined;
}): { readonly clientAuth: ClientAuthValue | undefined; readonly dpop: DPoPKeyPair | undefined } {
  return {
    clientAuth: options.clientAuth === undefined ? undefined : clientAuthValue(options.clientAuth, options),
    dpop: options.dpop === undefined ? undefined : dpopKeyPair(options.dpop),
  };
}
