import { readFile } from "node:fs/promises";
import { SpecError } from "./errors.js";
import { toPointer } from "./pointer.js";

/**
 * Facts about a provider that its spec does not state, kept next to the spec
 * as `<provider>.tokenwright.json` so the provider's own file stays untouched.
 * Every fact taken from here is reported as `config` in the model.
 */
export interface ProviderConfig {
  /** Human name; its words become the type prefix (`Commerce Layer` -> `CommerceLayer`). */
  readonly displayName?: string;
  /** Per grant type: mutually exclusive credential sets, e.g. `[["username","password"],["linked_device_id","pin"]]`. */
  readonly grants?: Readonly<Record<string, { readonly alternatives?: readonly (readonly string[])[] }>>;
}


/** Reads a provider config if the file exists; a malformed one is a located error. */
export async function loadProviderConfig(file: string): Promise<ProviderConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SpecError("read", file, "", "cannot read the provider config");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SpecError("config", file, "", `invalid JSON: ${(error as Error).message}`);
  }
  return checkConfig(file, value);
}

function checkConfig(file: string, value: unknown): ProviderConfig {
  const fail = (path: (string | number)[], detail: string): never => {
    throw new SpecError("config", file, toPointer(path), detail);
  };
  if (!isRecord(value)) return fail([], "a provider config is a JSON object");
  const known = new Set(["$schema", "displayName", "grants"]);
  for (const key of Object.keys(value)) if (!known.has(key)) fail([key], `unknown setting ${JSON.stringify(key)}`);
  const config: { displayName?: string; grants?: Record<string, { alternatives?: string[][] }> } = {};
  const grantEntries: [string, { alternatives?: string[][] }][] = [];
  const displayName = value["displayName"];
  if (displayName !== undefined) {
    if (typeof displayName !== "string" || !/[A-Za-z]/.test(displayName)) fail(["displayName"], "must be a string with letters");
    config.displayName = displayName as string;
  }
  const grants = value["grants"];
  if (grants !== undefined) {
    if (!isRecord(grants)) return fail(["grants"], "must be an object keyed by grant type");
    for (const [grantType, grant] of Object.entries(grants)) {
      if (!isRecord(grant)) return fail(["grants", grantType], "must be an object");
      const alternatives = grant["alternatives"];
      if (alternatives === undefined) { grantEntries.push([grantType, {}]); continue; }
      const valid =
        Array.isArray(alternatives) &&
        alternatives.length >= 2 &&
        alternatives.every((set) => Array.isArray(set) && set.length > 0 && set.every((f) => typeof f === "string"));
      if (!valid) fail(["grants", grantType, "alternatives"], "must list at least two non-empty arrays of field names");
      grantEntries.push([grantType, { alternatives: alternatives as string[][] }]);
    }
    // fromEntries keeps a grant type spelled "__proto__" as data.
    config.grants = Object.fromEntries(grantEntries);
  }
  return config;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
