// JSON Web Signatures with Web Crypto only (RFC 7515 compact serialisation,
// RFC 7518 / RFC 8037 algorithms), JWK import and RFC 7638 thumbprints: what
// private_key_jwt, client_secret_jwt, JWT-bearer assertions and DPoP proofs
// need, without a JOSE library. Not part of the public API, except the types.

/**
 * A Web Crypto key (`CryptoKey`), named through `crypto.subtle` so that it is
 * the same type with the DOM's typings and with Node's alone.
 */
export type CryptoKeyLike = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** A key pair as `crypto.subtle.generateKey` makes one (`CryptoKeyPair`). */
export interface CryptoKeyPairLike {
  readonly privateKey: CryptoKeyLike;
  readonly publicKey: CryptoKeyLike;
}

/**
 * A JSON Web Key (RFC 7517) as a plain object: an EC (`P-256`, `P-384`,
 * `P-521`), OKP (`Ed25519`) or RSA private key, or (for `client_secret_jwt`
 * only, never here) an `oct` key. Only the members below are read.
 */
export interface Jwk {
  readonly kty: string;
  readonly crv?: string;
  readonly alg?: string;
  readonly kid?: string;
  readonly x?: string;
  readonly y?: string;
  readonly n?: string;
  readonly e?: string;
  readonly d?: string;
  readonly p?: string;
  readonly q?: string;
  readonly dp?: string;
  readonly dq?: string;
  readonly qi?: string;
  readonly k?: string;
}

/** The private (or symmetric) members of a JWK (RFC 7518 §6.2.2, §6.3.2, §6.4.1): never shown anywhere. */
export const JWK_PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"] as const;

/** Asymmetric JWS algorithms signed here (RFC 7518 §3.1, RFC 8037 §3.1). */
export type AsymmetricAlgorithm = "ES256" | "ES384" | "ES512" | "EdDSA" | "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512";
/** HMAC JWS algorithms (RFC 7518 §3.2), for `client_secret_jwt`. */
export type HmacAlgorithm = "HS256" | "HS384" | "HS512";

/** Why a key cannot sign; thrown by the functions here and turned into typed errors by their callers. */
export class KeyProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyProblem";
  }
}

type SignAlgorithm = Parameters<typeof crypto.subtle.sign>[0];
type ImportAlgorithm = Parameters<typeof crypto.subtle.importKey>[2];

const CURVE_ALGORITHMS: Readonly<Record<string, AsymmetricAlgorithm>> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };
const HASH_BITS: Readonly<Record<string, string>> = { "SHA-256": "256", "SHA-384": "384", "SHA-512": "512" };

function algorithmMember(key: CryptoKeyLike, name: string): unknown {
  const algorithm = key.algorithm as unknown as Record<string, unknown>;
  return algorithm[name];
}

/**
 * The JWS `alg` for a private Web Crypto key, from its own algorithm:
 * ECDSA by curve (ES256/384/512), Ed25519 (EdDSA), RSASSA-PKCS1-v1_5 and
 * RSA-PSS by hash (RS/PS 256/384/512).
 *
 * @throws KeyProblem for anything else, or a key that is not a private signing key.
 */
export function asymmetricAlgorithmOf(key: CryptoKeyLike): AsymmetricAlgorithm {
  if (!isCryptoKey(key)) throw new KeyProblem("the key is not a CryptoKey or a JWK");
  if (key.type !== "private") throw new KeyProblem(`the key is a ${key.type} key, not a private key`);
  if (!key.usages.includes("sign")) throw new KeyProblem("the key's usages do not include sign");
  const name = key.algorithm.name;
  if (name === "ECDSA") {
    const curve = algorithmMember(key, "namedCurve");
    const alg = typeof curve === "string" && Object.hasOwn(CURVE_ALGORITHMS, curve) ? CURVE_ALGORITHMS[curve] : undefined;
    if (alg === undefined) throw new KeyProblem("the ECDSA key's curve is not P-256, P-384 or P-521");
    return alg;
  }
  if (name === "Ed25519") return "EdDSA";
  if (name === "RSASSA-PKCS1-v1_5" || name === "RSA-PSS") {
    const hash = algorithmMember(key, "hash");
    const hashName = typeof hash === "object" && hash !== null ? (hash as { name?: unknown }).name : hash;
    const bits = typeof hashName === "string" && Object.hasOwn(HASH_BITS, hashName) ? HASH_BITS[hashName] : undefined;
    if (bits === undefined) throw new KeyProblem("the RSA key's hash is not SHA-256, SHA-384 or SHA-512");
    return `${name === "RSA-PSS" ? "PS" : "RS"}${bits}` as AsymmetricAlgorithm;
  }
  throw new KeyProblem(`a ${describeName(name)} key cannot make a JWS signature (ECDSA, Ed25519, RSASSA-PKCS1-v1_5 or RSA-PSS can)`);
}

function describeName(name: unknown): string {
  return typeof name === "string" && /^[\w-]{1,32}$/.test(name) ? name : "such";
}

/** Whether `value` is a Web Crypto key (this realm's or another's). */
export function isCryptoKey(value: unknown): value is CryptoKeyLike {
  if (typeof value !== "object" || value === null) return false;
  const platformClass = (globalThis as { CryptoKey?: abstract new () => unknown }).CryptoKey;
  if (platformClass !== undefined && value instanceof platformClass) return true;
  const candidate = value as { type?: unknown; algorithm?: unknown; usages?: unknown };
  return typeof candidate.type === "string" && typeof candidate.algorithm === "object" && candidate.algorithm !== null && Array.isArray(candidate.usages);
}

/** Web Crypto's parameters for signing (and verifying) with `alg`. */
export function signatureParams(alg: AsymmetricAlgorithm | HmacAlgorithm): SignAlgorithm {
  switch (alg) {
    case "ES256":
    case "ES384":
    case "ES512":
      return { name: "ECDSA", hash: `SHA-${alg.slice(2)}` };
    case "EdDSA":
      return { name: "Ed25519" };
    case "PS256":
    case "PS384":
    case "PS512":
      // RFC 7518 §3.5: the salt is as long as the hash.
      return { name: "RSA-PSS", saltLength: Number(alg.slice(2)) / 8 };
    case "RS256":
    case "RS384":
    case "RS512":
      return { name: "RSASSA-PKCS1-v1_5" };
    case "HS256":
    case "HS384":
    case "HS512":
      return { name: "HMAC" };
  }
}

/** Web Crypto's parameters for importing a private JWK that signs with `alg`. */
function importParams(alg: AsymmetricAlgorithm, jwk: Jwk): ImportAlgorithm {
  switch (alg) {
    case "ES256":
    case "ES384":
    case "ES512":
      return { name: "ECDSA", namedCurve: jwk.crv ?? "" };
    case "EdDSA":
      return { name: "Ed25519" };
    case "PS256":
    case "PS384":
    case "PS512":
      return { name: "RSA-PSS", hash: `SHA-${alg.slice(2)}` };
    case "RS256":
    case "RS384":
    case "RS512":
      return { name: "RSASSA-PKCS1-v1_5", hash: `SHA-${alg.slice(2)}` };
  }
}

const ASYMMETRIC: ReadonlySet<string> = /* @__PURE__ */ new Set(["ES256", "ES384", "ES512", "EdDSA", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]);

/**
 * The `alg` a private JWK signs with: the JWK's own `alg` when it names an
 * asymmetric algorithm, else by key type: EC by curve, OKP `Ed25519` as
 * EdDSA, RSA as RS256 (the RFC 7518 default).
 *
 * @throws KeyProblem for a JWK that is not a private EC, OKP or RSA key.
 */
export function jwkAlgorithm(jwk: Jwk, preferred?: string): AsymmetricAlgorithm {
  if (typeof jwk !== "object" || jwk === null || typeof jwk.kty !== "string") throw new KeyProblem("the key is not a CryptoKey or a JWK");
  if (typeof jwk.d !== "string" || jwk.d === "") throw new KeyProblem(`the ${describeName(jwk.kty)} JWK has no private part (d)`);
  const named = preferred ?? jwk.alg;
  const algorithm = named === "Ed25519" ? "EdDSA" : named;
  let implied: AsymmetricAlgorithm;
  if (jwk.kty === "EC") {
    const curve = jwk.crv;
    const byCurve = typeof curve === "string" && Object.hasOwn(CURVE_ALGORITHMS, curve) ? CURVE_ALGORITHMS[curve] : undefined;
    if (byCurve === undefined) throw new KeyProblem("the EC JWK's crv is not P-256, P-384 or P-521");
    implied = byCurve;
  } else if (jwk.kty === "OKP") {
    if (jwk.crv !== "Ed25519") throw new KeyProblem("the OKP JWK's crv is not Ed25519");
    implied = "EdDSA";
  } else if (jwk.kty === "RSA") {
    if (algorithm !== undefined && /^(RS|PS)(256|384|512)$/.test(algorithm)) return algorithm as AsymmetricAlgorithm;
    implied = "RS256";
  } else {
    throw new KeyProblem(`a ${describeName(jwk.kty)} JWK cannot sign here (EC, OKP Ed25519 or RSA can)`);
  }
  if (algorithm !== undefined && ASYMMETRIC.has(algorithm) && algorithm !== implied) {
    throw new KeyProblem(`the JWK's key type signs with ${implied}, not ${algorithm}`);
  }
  return implied;
}

/**
 * Imports a private JWK as a non-extractable signing key; the JWK itself is
 * not kept. Errors from the platform are not passed on (they might quote the
 * key): a KeyProblem says what is wrong in words chosen here.
 */
export async function importPrivateJwk(jwk: Jwk, preferred?: string): Promise<{ readonly key: CryptoKeyLike; readonly alg: AsymmetricAlgorithm }> {
  const alg = jwkAlgorithm(jwk, preferred);
  const data: Record<string, string> = {};
  for (const member of ["kty", "crv", "x", "y", "n", "e", "d", "p", "q", "dp", "dq", "qi"] as const) {
    const value = jwk[member];
    if (typeof value === "string") data[member] = value;
  }
  try {
    const key = await crypto.subtle.importKey("jwk", data as never, importParams(alg, jwk), false, ["sign"]);
    return { key, alg };
  } catch {
    throw new KeyProblem(`the ${describeName(jwk.kty)} JWK could not be imported as a ${alg} signing key (a member is missing or malformed)`);
  }
}

/** An HMAC key over the UTF-8 bytes of `secret`, for `client_secret_jwt` (RFC 7523 §2.2 with RFC 7518 §3.2). */
export function importHmacSecret(secret: string, alg: HmacAlgorithm): Promise<CryptoKeyLike> {
  return crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: `SHA-${alg.slice(2)}` }, false, ["sign"]);
}

// ------------------------------------------------------------------ encoding

/** base64url without padding (RFC 7515 §2). */
export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const utf8 = /* @__PURE__ */ new TextEncoder();

function encodePart(value: unknown): string {
  return base64url(utf8.encode(JSON.stringify(value)));
}

/** 128 random bits, base64url: a `jti` (RFC 7519 §4.1.7). */
export function randomId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

/** base64url SHA-256 of the ASCII text: a DPoP `ath` (RFC 9449 §4.2), an RFC 7638 thumbprint. */
export async function sha256Base64url(text: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text))));
}

/**
 * A JWS in compact serialisation (RFC 7515 §7.1): header and payload as
 * JSON, signed with `key` under `alg` (already checked against the key).
 * ECDSA signatures come from Web Crypto as r‖s, which is the JWS form
 * (RFC 7518 §3.4).
 */
export async function signJws(
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
  key: CryptoKeyLike,
  alg: AsymmetricAlgorithm | HmacAlgorithm,
): Promise<string> {
  const input = `${encodePart({ ...header, alg })}.${encodePart(payload)}`;
  const signature = await crypto.subtle.sign(signatureParams(alg), key, utf8.encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

// ------------------------------------------------------------- public keys

/** The members of a public JWK (RFC 7638 §3.2 lists the required ones per key type). */
export interface PublicJwk {
  readonly kty: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly n?: string;
  readonly e?: string;
}

/**
 * The public JWK of a public Web Crypto key, with only the members RFC 7638
 * requires (what a DPoP `jwk` header carries: nothing private, no `alg`,
 * `key_ops` or `ext`).
 *
 * @throws KeyProblem when the key is not a public key or cannot be exported.
 */
export async function exportPublicJwk(key: CryptoKeyLike): Promise<PublicJwk> {
  if (!isCryptoKey(key)) throw new KeyProblem("the public key is not a CryptoKey");
  if (key.type !== "public") throw new KeyProblem(`the public key is a ${key.type} key`);
  let exported: Record<string, unknown>;
  try {
    exported = (await crypto.subtle.exportKey("jwk", key)) as unknown as Record<string, unknown>;
  } catch {
    throw new KeyProblem("the public key cannot be exported as a JWK");
  }
  return thumbprintMembers(exported);
}

/** The required members of a public JWK, in RFC 7638's order (lexicographic). */
function thumbprintMembers(jwk: Readonly<Record<string, unknown>>): PublicJwk {
  const text = (name: string): string => {
    const value = jwk[name];
    if (typeof value !== "string" || value === "") throw new KeyProblem(`the public JWK has no ${name}`);
    return value;
  };
  switch (jwk["kty"]) {
    case "EC":
      return { crv: text("crv"), kty: "EC", x: text("x"), y: text("y") };
    case "OKP":
      return { crv: text("crv"), kty: "OKP", x: text("x") };
    case "RSA":
      return { e: text("e"), kty: "RSA", n: text("n") };
    default:
      throw new KeyProblem("the public key is not an EC, OKP or RSA key");
  }
}

/** The RFC 7638 JWK SHA-256 thumbprint, base64url: the DPoP `jkt` (RFC 9449 §6.1). */
export function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  // The members in lexicographic order, no whitespace (RFC 7638 §3.3).
  return sha256Base64url(JSON.stringify(thumbprintMembers(jwk as unknown as Record<string, unknown>)));
}
