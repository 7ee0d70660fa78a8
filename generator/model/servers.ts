import { SpecError } from "../load/index.js";
import { isJson, type SpecView } from "./schema.js";
import type { TokenOperation } from "./operation.js";
import type { Fact, ServerModel } from "./types.js";
import { found, type Found } from "./found.js";
import { serverNameFor, uniqueNames } from "./names.js";

/**
 * The servers the token operation is served from: operation-level `servers`
 * override path-level, which override the document's (OpenAPI 3.0 §4.7.5).
 * Server variables (§4.7.6) stay in the URL as templates the caller may fill;
 * the checks below read the URL with their defaults.
 */
export function serversFor(view: SpecView, token: TokenOperation): Found<ServerModel[]> {
  const facts: Fact[] = [];
  const levels = [
    { owner: token.operation, label: "operation" },
    { owner: token.pathItem, label: "path" },
    { owner: { node: view.document, pointer: "" }, label: "document" },
  ];
  for (const { owner, label } of levels) {
    const list = isJson(owner.node) ? owner.node["servers"] : undefined;
    if (!Array.isArray(list) || list.length === 0) continue;
    const all = list.filter(isJson).map((server) => {
      const template = String(server["url"] ?? "");
      const variables = variablesOf(template, server["variables"]);
      return {
        url: withDefaultVariables(template, server["variables"]),
        template,
        variables,
        description: typeof server["description"] === "string" ? server["description"] : undefined,
      };
    });
    all.forEach((server, index) => refuseUnsafeUrl(view.file, `${owner.pointer}/servers/${index}/url`, server.url));
    // A relative server URL is relative to where the document was served from (3.0 §4.7.5), which a generated client cannot know.
    const raw = all.filter((server) => isAbsoluteUrl(server.url) && isSecureOrLoopback(server.url));
    for (const server of all.filter((s) => !isAbsoluteUrl(s.url))) {
      facts.push({ topic: "servers", statement: `relative server URL ${JSON.stringify(server.url)} left out: pass baseUrl`, source: "spec", evidence: `${owner.pointer}/servers` });
    }
    for (const server of all.filter((s) => isAbsoluteUrl(s.url) && !isSecureOrLoopback(s.url))) {
      facts.push({ topic: "servers", statement: `server ${JSON.stringify(server.url)} left out: tokens are only requested over https (or loopback)`, source: "spec", evidence: `${owner.pointer}/servers` });
    }
    if (raw.length === 0) return found([], facts);
    const names = uniqueNames(raw.map((s) => serverNameFor(s.variables !== undefined ? s.template : s.url, s.description)));
    facts.push({ topic: "servers", statement: `${raw.length} server(s) from the ${label} level`, source: "spec", evidence: `${owner.pointer}/servers` });
    for (const server of raw.filter((s) => s.variables !== undefined)) {
      facts.push({ topic: "servers", statement: `${server.template} has variables ${Object.keys(server.variables!).join(", ")} (defaults ${Object.values(server.variables!).map((v) => v.default).join(", ")})`, source: "spec", evidence: `${owner.pointer}/servers` });
    }
    const servers = raw.map((server, index) => ({
      name: names[index]!,
      url: server.variables !== undefined ? server.template : server.url,
      ...(server.variables !== undefined ? { variables: server.variables } : {}),
      ...(server.description !== undefined ? { description: server.description } : {}),
    }));
    return found(servers, facts);
  }
  return found([], [{ topic: "servers", statement: "no servers declared: callers must pass baseUrl", source: "spec", evidence: "/servers" }]);
}

/** The variables a URL template uses that have a string default (others cannot be filled, so they stay literal). */
function variablesOf(template: string, variables: unknown): ServerModel["variables"] {
  if (!isJson(variables)) return undefined;
  const out: [string, { default: string; enum?: string[]; description?: string }][] = [];
  for (const match of template.matchAll(/\{([^}]+)\}/g)) {
    const name = match[1]!;
    const variable = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (!isJson(variable) || typeof variable["default"] !== "string") continue;
    const values = Array.isArray(variable["enum"]) ? variable["enum"].filter((v): v is string => typeof v === "string") : undefined;
    if (out.some(([seen]) => seen === name)) continue;
    out.push([name, {
      default: variable["default"],
      ...(values !== undefined && values.length > 0 ? { enum: values } : {}),
      ...(typeof variable["description"] === "string" && variable["description"] !== "" ? { description: variable["description"] } : {}),
    }]);
  }
  // fromEntries keeps a variable named "__proto__" as data.
  return out.length > 0 ? Object.fromEntries(out) : undefined;
}

/** `https://{region}.example.com` with `variables.region.default: eu` -> `https://eu.example.com`. */
function withDefaultVariables(url: string, variables: unknown): string {
  if (!isJson(variables)) return url;
  return url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const variable = variables[name];
    const value = isJson(variable) && Object.hasOwn(variables, name) ? variable["default"] : undefined;
    return typeof value === "string" ? value : whole;
  });
}

function isAbsoluteUrl(url: string): boolean {
  try {
    return new URL(url).protocol.length > 0;
  } catch {
    return false;
  }
}

/**
 * A server URL that carries credentials or a fragment is refused: userinfo in
 * a published document is a leaked secret or a trick, and a fragment is never
 * sent, so the URL cannot mean what it says.
 */
function refuseUnsafeUrl(file: string, pointer: string, url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new SpecError("url_credentials", file, pointer, "the server URL carries credentials (user:password@); they are never copied into generated code");
  }
  if (url.includes("#")) throw new SpecError("url_fragment", file, pointer, "the server URL has a fragment (#…), which is never sent");
}

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

function isSecureOrLoopback(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === "https:" || (parsed.protocol === "http:" && LOOPBACK_HOSTS.test(parsed.hostname));
}
