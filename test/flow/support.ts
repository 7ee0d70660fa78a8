// What the flow tests share: generating providers into a temp folder (transpiled, so tests import the GENERATED
// client, session and runtime), the registered client, the shape of a flow client as a test calls it, the user's
// trip through the authorization endpoint, and the no-secret check on errors.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { expect } from "vitest";
import { emitProvider, runtimeFiles } from "../../generator/emit/index.js";
import { wireTypes } from "../../generator/emit/wire.js";
import type { ProviderModel } from "../../generator/model/index.js";
import { loadAndModel, specInputFiles } from "../../generator/pipeline/model-providers.js";
import { transpileTree, writeTree } from "../generator/helpers.js";
import { browse, type FlowProvider } from "./provider.js";

export const CLIENT_ID = "flow-client";
export const CLIENT_SECRET = "flow-secret-0123456789-abcdefghij";
/** Registered, never listened on: the test stops at the redirect to it, as a browser would hand it to the app. */
export const REDIRECT_URI = "http://127.0.0.1:9/callback";

/** The confidential client both flow suites register at oidc-provider: code, refresh and device grants, Basic auth. */
export const FLOW_CLIENT = {
  client_id: CLIENT_ID,
  client_secret: CLIENT_SECRET,
  redirect_uris: [REDIRECT_URI],
  response_types: ["code"],
  grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
  token_endpoint_auth_method: "client_secret_basic",
};

/** The specs written the way a provider publishes them (with provider configs beside them, where they need one). */
export const FLOW_SPECS = fileURLToPath(new URL("./specs/", import.meta.url));

/** The model of a fixture spec file, through the same load -> model path as `tokenwright generate`. */
export function specModel(file: string): Promise<ProviderModel> {
  return loadAndModel(specInputFiles(join(FLOW_SPECS, file)));
}

/**
 * A spec (and provider config) written to `dir` as a provider's files, then modelled as `generate` models them:
 * for specs that name a loopback port, known only once the test's server listens.
 */
export async function writtenSpecModel(dir: string, name: string, spec: unknown, config?: string): Promise<ProviderModel> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(spec, null, 2)}\n`);
  if (config !== undefined) writeFileSync(join(dir, `${name}.tokenwright.json`), config);
  return loadAndModel(specInputFiles(join(dir, `${name}.json`)));
}

/** Writes the runtime and each model's provider below `root`, transpiled to JavaScript next to the TypeScript. */
export async function emitInto(root: string, models: readonly ProviderModel[]): Promise<void> {
  const files = [...runtimeFiles("npm run generate")];
  for (const model of models) files.push(...emitProvider(model, await wireTypes(model.wireDocument), "npm run generate"));
  writeTree(root, Object.fromEntries(files.map((f) => [f.path, f.content])));
  expect([...transpileTree(root)]).toEqual([]);
}

/** A generated module below `root` (`flowplain/index.js`), untyped. */
export async function importGenerated(root: string, path: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(join(root, path)).href)) as Record<string, unknown>;
}

export type Result = { ok: true; [key: string]: unknown } | { ok: false; error: Error & { kind: string; code: string; body?: unknown } };

export interface FlowClient {
  authorizationUrl(params: Record<string, unknown>): Promise<Result & { url: string; state: string; codeVerifier: string; nonce: string }>;
  authorizationCallback(
    callback: string,
    expected: Record<string, unknown>,
  ): Promise<Result & { token: { accessToken: string; refreshToken?: string; raw: Record<string, unknown> } }>;
  deviceAuthorization(params?: Record<string, unknown>): Promise<
    Result & { userCode: string; verificationUri: string; verificationUriComplete: string; interval: number; poll(o?: { signal?: AbortSignal }): Promise<Result & { token: { accessToken: string } }> }
  >;
  revoke(params: { token: string; tokenTypeHint?: string }): Promise<Result>;
  introspect(params: { token: string; tokenTypeHint?: string }): Promise<Result & { introspection: { active: boolean } }>;
  refreshToken(params: Record<string, unknown>): Promise<Result & { token: { accessToken: string; refreshToken?: string } }>;
}

export interface FlowSession {
  getToken(): Promise<Result & { token: { accessToken: string; refreshToken?: string } }>;
  close(o?: { revoke?: boolean }): Promise<void>;
}

/** The user's trip: an authorization request, login and consent over HTTP, and the callback URL the server redirects to. */
export async function authorize(provider: FlowProvider, client: FlowClient, scope: readonly string[] = ["openid", "offline_access"], abort = false) {
  const request = await client.authorizationUrl({ redirectUri: REDIRECT_URI, scope });
  if (!request.ok) throw new Error(`authorizationUrl failed: ${request.error.message}`);
  const before = provider.requests.length;
  const agent = await browse(request.url, { login: "alice", password: "any" }, (url) => url.startsWith(REDIRECT_URI), abort);
  return { request, callback: agent.url, userAgentSteps: agent.steps, serverRequests: provider.requests.length - before };
}

/** Every rendering of an error (message, String, inspect, JSON, causes) is free of each secret. */
export function expectNoSecret(error: Error, secrets: readonly string[]): void {
  const renderings = [error.message, String(error), inspect(error, { depth: 10 }), JSON.stringify(error), error.stack ?? "", inspect(error.cause), JSON.stringify(error.cause ?? null)];
  for (const secret of secrets) {
    for (const text of renderings) expect(text.includes(secret), `a rendering holds a secret: ${text.slice(0, 200)}`).toBe(false);
  }
}
