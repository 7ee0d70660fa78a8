import { createRequire } from "node:module";
import { SpecError } from "./errors.js";
import { MAX_NESTING } from "./refs.js";
import { toPointer } from "./pointer.js";

const require = createRequire(import.meta.url);

/** What converting a Swagger 2.0 document to OpenAPI 3.0 did, for the model to state as facts. */
export interface Swagger2Conversion {
  /** The `swagger` field of the file. */
  readonly swagger: "2.0";
  /** The `openapi` field of the converted document. */
  readonly openapi: string;
  /** The converter, as `name@version`. */
  readonly converter: string;
  /**
   * How many small defects the converter repaired (its `patch` mode: a missing
   * response description, a path parameter without `required: true`,
   * `x-nullable` turned into `nullable`…).
   */
  readonly patches: number;
  /**
   * Security scheme names that are not valid OpenAPI 3 component names
   * (3.0 §4.7.7: `^[a-zA-Z0-9.\-_]+$`), as the converter renamed them, e.g.
   * `"Client Authentication"` -> `"Client_Authentication"`; every security
   * requirement was renamed with them.
   */
  readonly renamedSecuritySchemes: Readonly<Record<string, string>>;
  /**
   * Where the converted `servers` came from, in order: `host` (+ `basePath`,
   * one per `schemes` entry), `basePath` alone, `x-servers` (which replaces
   * the earlier ones), `x-ms-parameterized-host` (appended). Empty: no servers.
   */
  readonly serversFrom: readonly ("host" | "basePath" | "x-servers" | "x-ms-parameterized-host")[];
  /**
   * What the converter could not carry over exactly, located in the converted
   * document: its own warnings (`x-s2o-warning` members, removed from the
   * document) and defaults it invented.
   */
  readonly warnings: readonly { readonly pointer: string; readonly message: string }[];
}

/**
 * Converts a validated Swagger 2.0 document to OpenAPI 3.0 with
 * swagger2openapi, which is loaded only when a 2.0 document is seen.
 * The converter never fetches anything here: external references were already
 * bundled (or refused) by the load stage and its resolver is off. What it
 * does (swagger2openapi 7, `main` and `processParameter`):
 * - `formData` and `body` parameters become a `requestBody`, with
 *   `consumes` (operation, else document) as its media types;
 * - `definitions`, `parameters`, `responses` and `securityDefinitions` move to
 *   `components`, and every `$ref` is rewritten to the new place;
 * - oauth2 `flow` `application`, `accessCode`, `password`, `implicit`
 *   become `flows.clientCredentials`, `authorizationCode`, `password`, `implicit`;
 * - `host`, `basePath` and `schemes` become `servers` (one per scheme), but
 *   an `x-servers` array replaces them; `x-ms-parameterized-host` adds one.
 * And, worth knowing when reading its output:
 * - query/header/path parameters stay parameters (with `schema`); an
 *   operation without a body parameter (Slack's GET token methods) gets no
 *   `requestBody`, and its `consumes` is dropped;
 * - a body shared by several operations becomes a
 *   `components/requestBodies` entry that they `$ref`;
 * - a response schema without `produces` gets the media type `*\/*`;
 * - `type: ["null", "string"]` becomes `type: string, nullable: true` (a patch);
 * - names that are not valid component names are sanitised (`"Client
 *   Authentication"` -> `"Client_Authentication"`), references with them.
 * The result depends on the input alone (no timestamps, no `x-origin`).
 * Conversion failures are `invalid` SpecErrors naming the file.
 */
export async function convertSwagger2(file: string, swagger: Readonly<Record<string, unknown>>): Promise<{ document: Record<string, unknown>; conversion: Swagger2Conversion }> {
  refuseProtoMembers(file, swagger);
  const { default: converter } = await import("swagger2openapi");
  const version = (require("swagger2openapi/package.json") as { version: string }).version;
  // A JSON copy: the converter mutates its input and rejects objects shared by YAML aliases.
  const input = JSON.parse(JSON.stringify(swagger)) as Record<string, unknown>;
  const options = {
    patch: true,
    warnOnly: true,
    resolve: false,
    resolveInternal: false,
    direct: true,
    anchors: false,
    origin: false,
    // Kept by the converter for its validator only; without it, it first serialises the whole document to YAML.
    text: "(not used)",
    fetch: () => Promise.reject(new Error("tokenwright does not fetch while converting Swagger 2.0")),
    patches: 0,
  };
  let converted: Record<string, unknown>;
  try {
    converted = await converter.convertObj(input, options);
  } catch (error) {
    if (error instanceof RangeError) throw new SpecError("too_deeply_nested", file, "", "the document is nested too deeply to convert");
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
    throw new SpecError("conversion_failed", file, conversionErrorPointer(swagger, message), `cannot convert this Swagger 2.0 document to OpenAPI 3.0: ${message}`);
  }
  if (typeof converted !== "object" || converted === null || typeof converted["openapi"] !== "string") {
    throw new SpecError("conversion_failed", file, "", "cannot convert this Swagger 2.0 document to OpenAPI 3.0: the converter returned no document");
  }
  const warnings = takeConverterWarnings(converted);
  const renamedSecuritySchemes = restoreOAuthUrls(swagger, converted);
  const serversFrom = serverSources(swagger);
  warnings.push(...inventedServerDefaults(swagger, converted, serversFrom));
  return {
    document: converted,
    conversion: {
      swagger: "2.0",
      openapi: converted["openapi"] as string,
      converter: `swagger2openapi@${version}`,
      patches: options.patches,
      renamedSecuritySchemes,
      serversFrom,
      warnings,
    },
  };
}

/**
 * The converter clones and assigns members by name, so a member named
 * `__proto__` would set a prototype instead of being data; refused with its
 * pointer rather than converted into something else.
 */
function refuseProtoMembers(file: string, document: unknown): void {
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node: document, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (typeof node !== "object" || node === null || path.length > MAX_NESTING) continue;
    if (Array.isArray(node)) {
      node.forEach((child, index) => stack.push({ node: child, path: [...path, index] }));
      continue;
    }
    for (const [member, child] of Object.entries(node)) {
      if (member === "__proto__") {
        throw new SpecError("proto_member", file, toPointer([...path, member]), 'a member named "__proto__" cannot be converted from Swagger 2.0 safely');
      }
      stack.push({ node: child, path: [...path, member] });
    }
  }
}

/** Removes the converter's `x-s2o-warning` members, returning them with the pointers of their holders. */
function takeConverterWarnings(document: Record<string, unknown>): { pointer: string; message: string }[] {
  const found: { pointer: string; message: string }[] = [];
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node: document, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (let index = node.length - 1; index >= 0; index--) stack.push({ node: node[index], path: [...path, index] });
      continue;
    }
    const record = node as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(record, "x-s2o-warning")) {
      found.push({ pointer: toPointer(path), message: String(record["x-s2o-warning"]) });
      delete record["x-s2o-warning"];
    }
    const members = Object.entries(record);
    for (let index = members.length - 1; index >= 0; index--) stack.push({ node: members[index]![1], path: [...path, members[index]![0]] });
  }
  return found;
}

const FLOW_NAMES: Readonly<Record<string, string>> = { application: "clientCredentials", accessCode: "authorizationCode", password: "password", implicit: "implicit" };

/**
 * Puts back the oauth2 `tokenUrl` and `authorizationUrl` exactly as written:
 * the converter cuts them at `?` and trims them, which would send token
 * requests to a different URL than the spec says. Returns the security scheme
 * renames (names the converter made valid component names).
 */
function restoreOAuthUrls(swagger: Readonly<Record<string, unknown>>, converted: Record<string, unknown>): Record<string, string> {
  const renamed: Record<string, string> = {};
  const definitions = asRecord(swagger["securityDefinitions"]) ?? {};
  const schemes = asRecord(asRecord(converted["components"])?.["securitySchemes"]) ?? {};
  for (const [name, definition] of Object.entries(definitions)) {
    const converterName = componentName(name);
    const scheme = asRecord(Object.prototype.hasOwnProperty.call(schemes, converterName) ? schemes[converterName] : undefined);
    if (!scheme) continue;
    if (converterName !== name) renamed[name] = converterName;
    const original = asRecord(definition);
    const flowName = FLOW_NAMES[String(original?.["flow"])];
    const flow = flowName === undefined ? undefined : asRecord(asRecord(scheme["flows"])?.[flowName]);
    if (!original || !flow) continue;
    for (const url of ["tokenUrl", "authorizationUrl"]) {
      if (typeof original[url] === "string" && typeof flow[url] === "string") flow[url] = original[url];
    }
  }
  return renamed;
}

const SANITISED_SECTIONS: Readonly<Record<string, string>> = { securityScheme: "securityDefinitions", parameter: "parameters", response: "responses" };

/**
 * Where a conversion failure is, when the converter's message says: two names
 * that become the same component name ("a b" and "a_b") point at the one that
 * had to be renamed. Otherwise "" (the whole document).
 */
function conversionErrorPointer(swagger: Readonly<Record<string, unknown>>, message: string): string {
  const duplicate = /^Duplicate sanitised (securityScheme|parameter|response) name (.*)$/.exec(message);
  if (!duplicate) return "";
  const section = SANITISED_SECTIONS[duplicate[1]!]!;
  const renamed = Object.keys(asRecord(swagger[section]) ?? {}).find((name) => name !== duplicate[2] && componentName(name) === duplicate[2]);
  return renamed === undefined ? "" : toPointer([section, renamed]);
}

/** The component name swagger2openapi gives a security scheme, parameter or response (oas-kit-common `sanitise`). */
function componentName(name: string): string {
  const parts = name.replace("[]", "Array").split("/");
  parts[0] = (parts[0] ?? "").replace(/[^A-Za-z0-9_\-.]+|\s+/gm, "_");
  return parts.join("/");
}

/** Which Swagger 2.0 members the converter builds `servers` from (swagger2openapi `convertObj`). */
function serverSources(swagger: Readonly<Record<string, unknown>>): Swagger2Conversion["serversFrom"][number][] {
  const sources: Swagger2Conversion["serversFrom"][number][] = [];
  if (swagger["host"]) sources.push("host");
  else if (swagger["basePath"]) sources.push("basePath");
  if (Array.isArray(swagger["x-servers"])) sources.splice(0, sources.length, "x-servers");
  if (swagger["x-ms-parameterized-host"]) sources.push("x-ms-parameterized-host");
  return sources;
}

/**
 * swagger2openapi gives an `x-ms-parameterized-host` parameter without a
 * `default` (or `enum`) the default `"none"`, which is not a host; said as a
 * warning so the model does not take it for one.
 */
function inventedServerDefaults(
  swagger: Readonly<Record<string, unknown>>,
  converted: Record<string, unknown>,
  sources: readonly string[],
): { pointer: string; message: string }[] {
  const template = asRecord(swagger["x-ms-parameterized-host"]);
  if (!template || !sources.includes("x-ms-parameterized-host") || !Array.isArray(converted["servers"])) return [];
  const placeholders = String(template["hostTemplate"]).match(/\{\w+\}/g) ?? [];
  const parameters = Array.isArray(template["parameters"]) ? (template["parameters"] as unknown[]) : [];
  const invented = new Set<string>();
  parameters.forEach((parameter, index) => {
    const record = asRecord(parameter);
    if (!record || record["default"] !== undefined || record["enum"] !== undefined) return;
    const name = typeof record["name"] === "string" ? record["name"] : placeholders[index]?.slice(1, -1);
    if (name !== undefined) invented.add(name);
  });
  const warnings: { pointer: string; message: string }[] = [];
  (converted["servers"] as unknown[]).forEach((server, index) => {
    for (const [name, variable] of Object.entries(asRecord(asRecord(server)?.["variables"]) ?? {})) {
      if (invented.has(name) && asRecord(variable)?.["default"] === "none") {
        warnings.push({
          pointer: toPointer(["servers", index, "variables", name, "default"]),
          message: `x-ms-parameterized-host gives {${name}} no default; the converter wrote "none"`,
        });
      }
    }
  });
  return warnings;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
