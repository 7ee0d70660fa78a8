import { SCOPE_FIELD, rfc, type GrantDefinition } from "./types.js";

/** RFC 7523 §2.1: a signed JWT assertion, for a token. */
export const jwtBearer: GrantDefinition = {
  grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer",
  title: "JWT bearer assertion",
  rfc: [rfc(7523, "2.1")],
  fields: [{ name: "assertion", required: true, doc: "A signed JWT (RFC 7523 §2.1)." }, SCOPE_FIELD],
  owns: ["assertion"],
  reobtainable: false,
  assertion: { rule: "jwtBearerGrant", sources: ["assertion"] },
  docs:
    "Exchanges a signed JWT assertion (RFC 7523) for a token. An assertion is short-lived and may be single-use, so a new token needs a new assertion: " +
    "given as a function that signs a fresh one (`jwtAssertion`), the session makes its own each time it needs a token.",
};
