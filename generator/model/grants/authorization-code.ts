import { rfc, type GrantDefinition } from "./types.js";

/** RFC 6749 §4.1.3 (with PKCE, RFC 7636 §4.5): a code from the authorization response, for a token. */
export const authorizationCode: GrantDefinition = {
  grantType: "authorization_code",
  title: "authorization code",
  rfc: [rfc(6749, "4.1.3"), rfc(7636, "4.5")],
  fields: [
    { name: "code", required: true, doc: "The authorization code from the authorization response (RFC 6749 §4.1.3)." },
    { name: "redirect_uri", required: false, doc: "The redirect URI of the authorization request, when it had one (RFC 6749 §4.1.3)." },
    { name: "code_verifier", required: false, doc: "The PKCE code verifier (RFC 7636 §4.5)." },
  ],
  owns: ["code", "redirect_uri", "code_verifier"],
  reobtainable: false,
  docs: "Exchanges the code from an authorization response for a token. A code is single-use (RFC 6749 §10.5): it is never sent twice.",
};
