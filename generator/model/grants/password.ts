import { SCOPE_FIELD, rfc, type GrantDefinition } from "./types.js";

/** RFC 6749 §4.3: the resource owner's username and password, sent by a trusted client. */
export const password: GrantDefinition = {
  grantType: "password",
  title: "resource owner password credentials",
  rfc: [rfc(6749, "4.3.2")],
  fields: [
    { name: "username", required: true, doc: "The resource owner's username (RFC 6749 §4.3.2)." },
    { name: "password", required: true, doc: "The resource owner's password (RFC 6749 §4.3.2)." },
    SCOPE_FIELD,
  ],
  owns: ["username", "password"],
  reobtainable: true,
  docs: "The resource owner's username and password, sent by a client they trust; a session holds them, so it may send them again for a new token.",
};
