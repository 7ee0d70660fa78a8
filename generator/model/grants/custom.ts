import type { GrantDefinition } from "./types.js";

/**
 * A grant type no RFC here describes: one the spec's enum (or example)
 * names, or one a provider config lists under `grants` for a free-form
 * `grant_type` field. Its request carries exactly the fields the spec
 * documents; nothing is known about repeating it, so it is treated as
 * single-use: a session runs it once and never retries it.
 */
export function customGrant(grantType: string): GrantDefinition {
  return {
    grantType,
    title: grantType,
    rfc: [],
    fields: [],
    owns: [],
    reobtainable: false,
    docs: "A grant type of this provider's own: its fields are the ones the spec documents. Nothing says it may be repeated, so it is treated as single-use.",
  };
}
