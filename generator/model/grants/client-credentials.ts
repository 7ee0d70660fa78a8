import { SCOPE_FIELD, rfc, type GrantDefinition } from "./types.js";

/** RFC 6749 §4.4: the client asks for a token on its own behalf. */
export const clientCredentials: GrantDefinition = {
  grantType: "client_credentials",
  title: "client credentials",
  rfc: [rfc(6749, "4.4.2")],
  fields: [SCOPE_FIELD],
  owns: [],
  reobtainable: true,
  docs: "The client asks for a token on its own behalf, with nothing but its own credentials, so a session may ask again whenever it needs a token.",
};
