// Shared fixtures for the runtime tests that talk to a loopback server.
import { afterEach } from "vitest";
import type { TokenEndpoint, GrantRule } from "../../generator/runtime/types.js";
import { startTokenServer } from "../support/loopback.js";
import type { TokenServer, TokenServerHandler } from "../support/loopback.js";

export const NOW = 1_700_000_000_000;
export const CLIENT_ID = "client id+1";
export const CLIENT_SECRET = "s3cr%t:Zq9! é";
export const PASSWORD = "p@ss word/Xy7&💡";

export function endpoint(overrides: Partial<TokenEndpoint> = {}): TokenEndpoint {
  return {
    path: "/oauth/token",
    encoding: "form",
    successStatuses: [200],
    errorStatuses: [400, 401],
    tokenFields: { accessToken: "access_token", tokenType: "token_type", refreshToken: "refresh_token", scope: "scope" },
    expiry: { kind: "relative", field: "expires_in" },
    ...overrides,
  };
}

export const basicGrant: GrantRule = { grantType: "client_credentials", grantField: "grant_type", clientAuth: { kind: "basic" } };
export const bodyPasswordGrant: GrantRule = {
  grantType: "password",
  grantField: "grant_type",
  clientAuth: { kind: "fields", idField: "client_id", secretField: "client_secret" },
};

/** Starts loopback servers that are closed after each test. */
export function useServers(): (handler: TokenServerHandler) => Promise<TokenServer> {
  const open: TokenServer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((server) => server.close()));
  });
  return async (handler) => {
    const server = await startTokenServer(handler);
    open.push(server);
    return server;
  };
}

/** A promise that settles after `ms`; tests only wait for short, bounded times. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
