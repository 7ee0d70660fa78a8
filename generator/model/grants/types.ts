/** What tokenwright knows about one grant type: one file per grant in this folder, read through `index.ts`. */
export interface GrantDefinition {
  /** The `grant_type` value sent on the wire. */
  readonly grantType: string;
  /** A short name for people: "client credentials". */
  readonly title: string;
  /** Where the grant's token request is specified, most specific first; empty for a custom grant. */
  readonly rfc: readonly RfcSection[];
  /**
   * The request fields the RFC defines besides `grant_type` and the client's
   * credentials, in the order a synthesised request lists them.
   */
  readonly fields: readonly GrantField[];
  /** Fields that belong to this grant only, so a flat schema accepting several grants can be split among them. */
  readonly owns: readonly string[];
  /**
   * Whether a session may run the grant again, unattended, for a new token:
   * client credentials and a held password may; a code, a device code, an
   * assertion or a refresh token (rotated away after use) may not. The
   * session decides retries by the same fact: see {@link retriedBySession}.
   */
  readonly reobtainable: boolean;
  /** Set for the grant a session refreshes with (RFC 6749 §6): the field that carries the refresh token. */
  readonly refreshTokenField?: string;
  /** One or two sentences for the README and `explain`: what the grant is for. */
  readonly docs: string;
  /**
   * For a grant whose credentials are assertions (RFC 7523 §2.1, RFC 8693 §2.1): the runtime function that makes
   * its rule with the `params` hook (fields checked before sending, credentials given as functions made per
   * request), and the fields that may be such functions. A session runs the grant again unattended exactly when
   * each of those it is given is a function (runtime `reobtainableWith`).
   */
  readonly assertion?: { readonly rule: "jwtBearerGrant" | "tokenExchangeGrant"; readonly sources: readonly string[] };
}

export interface GrantField {
  /** The RFC's name for the field. */
  readonly name: string;
  readonly required: boolean;
  /** Its description in a synthesised request schema. */
  readonly doc: string;
}

export interface RfcSection {
  /** `RFC 6749 §4.4.2`. */
  readonly label: string;
  readonly url: string;
}

export function rfc(number: number, section: string): RfcSection {
  return { label: `RFC ${number} §${section}`, url: `https://www.rfc-editor.org/rfc/rfc${number}#section-${section}` };
}

/** RFC 6749 §3.3: every standard grant but the code-based ones may ask for scopes. */
export const SCOPE_FIELD: GrantField = { name: "scope", required: false, doc: "Space-delimited scopes (RFC 6749 §3.3)." };
