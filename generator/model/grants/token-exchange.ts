import { SCOPE_FIELD, rfc, type GrantDefinition } from "./types.js";

/** RFC 8693 §2.1: a token of one party, exchanged for another token. */
export const tokenExchange: GrantDefinition = {
  grantType: "urn:ietf:params:oauth:grant-type:token-exchange",
  title: "token exchange",
  rfc: [rfc(8693, "2.1")],
  fields: [
    { name: "subject_token", required: true, doc: "The token that represents the party on whose behalf the request is made (RFC 8693 §2.1)." },
    { name: "subject_token_type", required: true, doc: "The type of subject_token, a URI (RFC 8693 §3)." },
    { name: "actor_token", required: false, doc: "A token that represents the acting party (RFC 8693 §2.1)." },
    { name: "actor_token_type", required: false, doc: "The type of actor_token, a URI (RFC 8693 §3)." },
    { name: "requested_token_type", required: false, doc: "The type of token wanted, a URI (RFC 8693 §3)." },
    { name: "resource", required: false, doc: "Where the token will be used, an absolute URI (RFC 8693 §2.1)." },
    { name: "audience", required: false, doc: "Whom the token is for, by logical name (RFC 8693 §2.1)." },
    SCOPE_FIELD,
  ],
  owns: ["subject_token", "subject_token_type", "actor_token", "actor_token_type", "requested_token_type"],
  reobtainable: false,
  assertion: { rule: "tokenExchangeGrant", sources: ["subject_token", "actor_token"] },
  docs:
    "Exchanges a token held by one party for a token for another use (RFC 8693), such as delegation or impersonation. The subject token may expire or be single-use, so a new token needs a new exchange: " +
    "given as a function returning a current token (and the actor token too, when sent), the session exchanges again by itself.",
};
