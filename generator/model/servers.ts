import { SpecError } from "../load/index.js";
import { isJson, type SpecView } from "./schema.js";
import type { TokenOperation } from "./operation.js";
import type { Fact, ServerModel } from "./types.js";
import { serverNameFor, uniqueNames } from "./names.js";

/**
 * The servers the token operation is served from: operation-level `servers`
 * override path-level, which override the document's (OpenAPI 3.0 §4.7.5).
 * Server variables take their defaults (§4.7.6).
 */
export function serversFor(view: SpecView, token: TokenOperation, facts: Fact[]): ServerModel[] {
  const levels = [
    { owner: token.operation, label: "operation" },
    { owner: token.pathItem, label: "path" },
    { owner: { node: view.document, pointer: "" }, label: "document" },
  ];
  for (const { owner, label } of levels) {
    const list = isJson(owner.node) ? owner.node["servers"] : undefined;
    if (!Array.isArray(list) || list.length === 0) continue;
    const all = list.filter(isJson).map((server) => ({
      url: withDefaultVariables(String(server["url"] ?? ""), server["variables"]),
      description: typeof server["description"] === "string" ? server["description"] : undefined,
    }));
    all.forEach((server, index) => refuseUnsafeUrl(view.file, `${owner.pointer}/servers/${index}/url`, server.url));
    // A relative server URL is relative to where the document was served from (3.0 §4.7.5), which a generated client cannot know.
    const raw = all.filter((server) => isAbsoluteUrl(server.url) && isSecureOrLoopback(server.url));
    for (const server of all.filter((s) => !isAbsoluteUrl(s.url))) {
      facts.push({ topic: "servers", statement: `relative server URL ${JSON.stringify(server.url)} left out: pass baseUrl`, source: "spec", evidence: `${owner.pointer}/servers` });
    }
    for (const server of all.filter((s) => isAbsoluteUrl(s.url) && !isSecureOrLoopback(s.url))) {
      facts.push({ topic: "servers", statement: `server ${JSON.stringify(server.url)} left out: tokens are only requested over https (or loopback)`, source: "spec", evidence: `${owner.pointer}/servers` });
    }
    if (raw.length === 0) return [];
    const names = uniqueNames(raw.map((s) => serverNameFor(s.url, s.description)));
    facts.push({ topic: "servers", statement: `${raw.length} server(s) from the ${label} level`, source: "spec", evidence: `${owner.pointer}/servers` });
    return raw.map((server, index) => ({
      name: names[index]!,
      url: server.url,
      ...(server.description !== undefined ? { description: server.description } : {}),
    }));
  }
  facts.push({ topic: "servers", statement: "no servers declared: callers must pass baseUrl", source: "spec", evidence: "/servers" });
  return [];
}

/** `https://{region}.example.com` with `variables.region.default: eu` -> `https://eu.example.com`. */
function withDefaultVariables(url: string, variables: unknown): string {
  if (!isJson(variables)) return url;
  return url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const variable = variables[name];
    const value = isJson(variable) ? variable["default"] : undefined;
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
    throw new SpecError("insecure_url", file, pointer, "the server URL carries credentials (user:password@); they are never copied into generated code");
  }
  if (url.includes("#")) throw new SpecError("insecure_url", file, pointer, "the server URL has a fragment (#…), which is never sent");
}

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

function isSecureOrLoopback(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === "https:" || (parsed.protocol === "http:" && LOOPBACK_HOSTS.test(parsed.hostname));
}
