import { rfc, type GrantDefinition } from "./types.js";

/** RFC 8628 §3.4: the device code of a device authorization, polled for a token. */
export const deviceCode: GrantDefinition = {
  grantType: "urn:ietf:params:oauth:grant-type:device_code",
  title: "device code",
  rfc: [rfc(8628, "3.4")],
  fields: [{ name: "device_code", required: true, doc: "The device code from the device authorization response (RFC 8628 §3.4)." }],
  owns: ["device_code"],
  reobtainable: false,
  docs: "Exchanges the device code of a device authorization (RFC 8628) for a token, once the user has approved it on another device.",
};
