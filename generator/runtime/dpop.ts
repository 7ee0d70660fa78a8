// DPoP (RFC 9449): proofs of possession for token requests and for the
// resource requests of session.fetch and the middleware, the server nonces
// they carry, and the key thumbprint a session's store key includes.
import { DPoPProofError } from "./errors.js";
import { KeyProblem, asymmetricAlgorithmOf, exportPublicJwk, isCryptoKey, jwkThumbprint, randomId, sha256Base64url, signJws, signatureParams } from "./jws.js";
import type { AsymmetricAlgorithm, CryptoKeyLike, PublicJwk } from "./jws.js";

/**
 * The `dpop` option: the key pair proofs are signed with (a `CryptoKeyPair`
 * from `crypto.subtle.generateKey`, e.g. `{ name: "ECDSA", namedCurve:
 * "P-256" }` or `{ name: "Ed25519" }`; RSASSA-PKCS1-v1_5 and RSA-PSS work
 * too). The private key may be, and should be, non-extractable; the public
 * key must be exportable (Web Crypto makes public keys so).
 */
export interface DPoPOptions {
  readonly privateKey: CryptoKeyLike;
  readonly publicKey: CryptoKeyLike;
}

/** Everything a proof needs that does not change between proofs. */
interface DPoPKey {
  readonly alg: AsymmetricAlgorithm;
  readonly jwk: PublicJwk;
  readonly thumbprint: string;
}

/** Server nonces kept per key pair: one per origin, the newest, for at most this many origins. */
const MAX_NONCE_ORIGINS = 64;
/** A nonce longer than this is not kept (RFC 9449 §8.1: NQCHAR, no length given; real ones are short). */
const MAX_NONCE_CHARS = 1024;
/** RFC 9449 §8.1: `nonce = 1*NQCHAR`, NQCHAR = %x21 / %x23-5B / %x5D-7E. */
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * The per-key-pair state: the public JWK and thumbprint (made once), the
 * newest nonce per origin, and the `ath` of the last access token. Kept
 * against the private key object, so that every client and session using
 * one key pair shares it; never reachable from anything a user can print.
 */
class DPoPState {
  readonly privateKey: CryptoKeyLike;
  readonly alg: AsymmetricAlgorithm;
  private readonly publicKey: CryptoKeyLike;
  private ready: Promise<DPoPKey> | undefined;
  private readonly nonces = new Map<string, string>();
  private lastAth: { readonly token: string; readonly ath: Promise<string> } | undefined;

  constructor(pair: DPoPOptions, alg: AsymmetricAlgorithm) {
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.alg = alg;
  }

  key(): Promise<DPoPKey> {
    this.ready ??= (async () => {
      const jwk = await exportPublicJwk(this.publicKey);
      // Once per key pair: halves that do not belong together would make proofs no server accepts.
      if (!(await halvesMatch(this.privateKey, this.publicKey, this.alg))) throw new KeyProblem("dpop.publicKey is not the public half of dpop.privateKey");
      const thumbprint = await jwkThumbprint(jwk);
      return { alg: this.alg, jwk, thumbprint };
    })().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  nonceFor(origin: string): string | undefined {
    return this.nonces.get(origin);
  }

  remember(origin: string, nonce: string): void {
    this.nonces.delete(origin);
    this.nonces.set(origin, nonce);
    if (this.nonces.size > MAX_NONCE_ORIGINS) {
      const oldest = this.nonces.keys().next().value;
      if (oldest !== undefined) this.nonces.delete(oldest);
    }
  }

  ath(accessToken: string): Promise<string> {
    const last = this.lastAth;
    if (last !== undefined && last.token === accessToken) return last.ath;
    const ath = sha256Base64url(accessToken);
    this.lastAth = { token: accessToken, ath };
    return ath;
  }
}

/**
 * Whether the public key verifies what the private key signs; true when
 * the check cannot be made (a public key without the `verify` usage).
 */
async function halvesMatch(privateKey: CryptoKeyLike, publicKey: CryptoKeyLike, alg: AsymmetricAlgorithm): Promise<boolean> {
  if (!publicKey.usages.includes("verify")) return true;
  const data = new TextEncoder().encode("dpop key pair check");
  const signature = await crypto.subtle.sign(signatureParams(alg), privateKey, data);
  return crypto.subtle.verify(signatureParams(alg), publicKey, signature, data);
}

const states = /* @__PURE__ */ new WeakMap<object, DPoPState>();

/**
 * The state for a `dpop` option, checked: both keys are Web Crypto keys, the
 * private one a private signing key of a JWS algorithm.
 *
 * @throws DPoPProofError saying what is wrong with the key pair.
 */
function stateOf(pair: DPoPOptions): DPoPState {
  if (typeof pair !== "object" || pair === null) throw new DPoPProofError("the dpop option is not a key pair ({ privateKey, publicKey })");
  const privateKey: unknown = pair.privateKey;
  if (!isCryptoKey(privateKey)) throw new DPoPProofError("dpop.privateKey is not a CryptoKey");
  const known = states.get(privateKey);
  if (known !== undefined) return known;
  if (!isCryptoKey(pair.publicKey)) throw new DPoPProofError("dpop.publicKey is not a CryptoKey");
  let alg: AsymmetricAlgorithm;
  try {
    alg = asymmetricAlgorithmOf(privateKey);
  } catch (error) {
    throw new DPoPProofError(`dpop.privateKey cannot sign proofs: ${problemText(error)}`);
  }
  if (pair.publicKey.algorithm.name !== privateKey.algorithm.name) {
    throw new DPoPProofError("dpop.publicKey is not of the same algorithm as dpop.privateKey");
  }
  const state = new DPoPState(pair, alg);
  states.set(privateKey, state);
  return state;
}

function problemText(error: unknown): string {
  if (error instanceof KeyProblem) return error.message;
  throw error;
}

/**
 * What `ClientConfig.dpop` and `SessionGrant.dpop` hold: a key pair ready to
 * make DPoP proofs (RFC 9449), made by {@link dpopKeyPair}. It carries the
 * code that signs, so that a client without DPoP bundles none of it. Its
 * members are functions only: printing it shows no key.
 */
export interface DPoPKeyPair {
  readonly kind: "dpop";
  /**
   * The RFC 7638 thumbprint of the public key (`jkt`, RFC 9449 §6.1),
   * base64url: what a session adds to its store key, so that processes with
   * different keys never share a token bound to one of them.
   *
   * @throws DPoPProofError when the public key cannot be exported.
   */
  thumbprint(): Promise<string>;
  /**
   * A proof for one request (RFC 9449 §4.2): header `typ: dpop+jwt`, `alg`
   * and the public `jwk`; claims `jti` (128 random bits), `htm`, `htu` (no
   * query, no fragment), `iat` (from `now`, epoch ms), `nonce` when the
   * origin has sent one, and `ath` (base64url SHA-256 of the access token)
   * when the request carries one.
   *
   * @throws DPoPProofError when the key pair cannot make a proof.
   */
  proof(htm: string, url: string, now: number, accessToken?: string): Promise<string>;
  /**
   * Keeps an answer's `DPoP-Nonce` as the nonce of its origin's next proofs (RFC 9449 §8, §9);
   * whether it had one.
   */
  remember(url: string, headers: Headers): boolean;
  /** The `error` (and description) of a `DPoP` challenge in an answer's `WWW-Authenticate`, if any (RFC 9449 §7.1). */
  challenge(headers: Headers): { readonly error: string; readonly description: string | undefined } | undefined;
}

/**
 * Makes the `dpop` value from a key pair (`crypto.subtle.generateKey`'s
 * `CryptoKeyPair`: ECDSA P-256/384/521, Ed25519, RSASSA-PKCS1-v1_5 or
 * RSA-PSS), checked at once. Every value made from one key pair shares its
 * nonces and its exported public key. A generated client makes it from its
 * `dpop` option.
 *
 * @throws DPoPProofError naming what is wrong (never any key material): not
 *   CryptoKeys, a private key of a type no JWS algorithm signs with, halves
 *   of different algorithms.
 */
export function dpopKeyPair(pair: DPoPOptions | DPoPKeyPair): DPoPKeyPair {
  if (isDPoPKeyPair(pair)) return pair;
  const state = stateOf(pair);
  return Object.freeze({
    kind: "dpop" as const,
    thumbprint: () => thumbprintOf(state),
    proof: (htm: string, url: string, now: number, accessToken?: string) => proofOf(state, htm, url, now, accessToken),
    remember: (url: string, headers: Headers) => rememberIn(state, url, headers),
    challenge: dpopChallengeError,
  });
}

/** Whether `value` is a {@link DPoPKeyPair} (made by {@link dpopKeyPair}) rather than a bare key pair. */
export function isDPoPKeyPair(value: unknown): value is DPoPKeyPair {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "dpop" && typeof (value as { proof?: unknown }).proof === "function";
}

async function thumbprintOf(state: DPoPState): Promise<string> {
  try {
    return (await state.key()).thumbprint;
  } catch (error) {
    throw new DPoPProofError(`the DPoP public key cannot be used: ${problemText(error)}`);
  }
}

/**
 * `htu` (RFC 9449 §4.2): the request URL without query and fragment.
 * (Node's and browsers' URL parsers agree on this; `URL` normalises the
 * host and the default port as servers compare them.)
 */
export function targetUri(url: string): string {
  const parsed = new URL(url);
  parsed.search = "";
  parsed.hash = "";
  return parsed.href;
}

async function proofOf(state: DPoPState, htm: string, url: string, now: number, accessToken?: string): Promise<string> {
  const htu = targetUri(url);
  const nonce = state.nonceFor(new URL(url).origin);
  try {
    const { jwk } = await state.key();
    const claims: Record<string, unknown> = { jti: randomId(), htm, htu, iat: Math.floor(now / 1000) };
    if (nonce !== undefined) claims["nonce"] = nonce;
    if (accessToken !== undefined) claims["ath"] = await state.ath(accessToken);
    return await signJws({ typ: "dpop+jwt", jwk }, claims, state.privateKey, state.alg);
  } catch (error) {
    if (error instanceof DPoPProofError) throw error;
    throw new DPoPProofError(
      error instanceof KeyProblem ? `the DPoP key pair cannot make a proof: ${error.message}` : "the DPoP private key failed to sign the proof",
    );
  }
}

function rememberIn(state: DPoPState, url: string, headers: Headers): boolean {
  const nonce = headers.get("dpop-nonce");
  if (nonce === null) return false;
  const value = nonce.trim();
  if (value.length > MAX_NONCE_CHARS || !NONCE.test(value)) return false;
  state.remember(new URL(url).origin, value);
  return true;
}

// -------------------------------------------------------- WWW-Authenticate

/** One challenge's scheme and auth-params (RFC 9110 §11.6.1), names lower-cased. */
interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
/** A token68 (RFC 9110 §11.2): its characters, then any `=` padding. */
const TOKEN68 = /^([A-Za-z0-9\-._~+/]+)=*/;

/**
 * The challenges of a `WWW-Authenticate` value (RFC 9110 §11.6.1): each a
 * scheme and its `name=value` params (token or quoted-string values);
 * token68 forms are skipped. Lenient: reading stops at anything it cannot
 * parse, keeping what it has. Bounded by the header's length.
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let at = 0;
  const text = header.slice(0, 8192);
  const skipSpace = (): void => {
    while (at < text.length && (text[at] === " " || text[at] === "\t")) at++;
  };
  const readToken = (): string => {
    const start = at;
    while (at < text.length && TOKEN_CHAR.test(text[at] as string)) at++;
    return text.slice(start, at);
  };
  while (at < text.length) {
    skipSpace();
    if (text[at] === ",") {
      at++;
      continue;
    }
    const word = readToken();
    if (word === "") break;
    skipSpace();
    if (text[at] === "=" && challenges.length > 0) {
      // An auth-param of the current challenge.
      at++;
      skipSpace();
      let value = "";
      if (text[at] === '"') {
        at++;
        while (at < text.length && text[at] !== '"') {
          if (text[at] === "\\" && at + 1 < text.length) at++;
          value += text[at];
          at++;
        }
        at++;
      } else {
        value = readToken();
      }
      const current = challenges[challenges.length - 1] as { params: Record<string, string> };
      const name = word.toLowerCase();
      if (!Object.hasOwn(current.params, name)) Object.defineProperty(current.params, name, { value, enumerable: true, writable: true, configurable: true });
      skipSpace();
      if (text[at] === ",") at++;
      continue;
    }
    challenges.push({ scheme: word, params: {} });
    // A token68 after the scheme is skipped; an auth-param is read by the loop.
    const rest = TOKEN68.exec(text.slice(at));
    if (rest !== null && !/^\s*=\s*[^\s,=]/.test(text.slice(at + (rest[1] ?? "").length))) at += rest[0].length;
  }
  return challenges;
}

/** The `error` of a `DPoP` challenge in a response's `WWW-Authenticate`, if any (RFC 9449 §7.1). */
export function dpopChallengeError(headers: Headers): { readonly error: string; readonly description: string | undefined } | undefined {
  const header = headers.get("www-authenticate");
  if (header === null) return undefined;
  for (const challenge of parseChallenges(header)) {
    if (challenge.scheme.toLowerCase() !== "dpop") continue;
    const error = challenge.params["error"];
    if (error !== undefined) return { error, description: challenge.params["error_description"] };
  }
  return undefined;
}
