import { SCOPE_FIELD, rfc, type GrantDefinition } from "./types.js";

/** RFC 6749 §6: a refresh token, for a new access token. */
export const refreshToken: GrantDefinition = {
  grantType: "refresh_token",
  title: "refresh token",
  rfc: [rfc(6749, "6")],
  fields: [{ name: "refresh_token", required: true, doc: "The refresh token (RFC 6749 §6)." }, SCOPE_FIELD],
  owns: ["refresh_token"],
  reobtainable: false,
  refreshTokenField: "refresh_token",
  docs: "Exchanges a refresh token for a new access token; a session refreshes with this grant whenever it holds a refresh token. A server may rotate the refresh token, so a spent one is never sent again.",
};
