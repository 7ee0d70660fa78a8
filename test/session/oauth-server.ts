// A real OAuth 2.0 server (@node-oauth/oauth2-server) on a loopback port:
// password and refresh_token grants, refresh tokens rotated on every use and
// revoked once used.
import OAuth2Server from "@node-oauth/oauth2-server";
import type { TokenServer } from "../support/loopback.js";
import { startTokenServer } from "../support/loopback.js";
import { CLIENT_ID, CLIENT_SECRET } from "./helpers.js";

export const USERNAME = "ann";
export const USER_PASSWORD = "correct-horse-42";
export const ACCESS_TOKEN_LIFETIME_S = 3600;

interface RefreshEntry {
  readonly token: OAuth2Server.RefreshToken;
  revoked: boolean;
}

export interface OAuthServer {
  readonly http: TokenServer;
  /** Every refresh token issued, oldest first. */
  readonly issued: string[];
  /** Every refresh token presented, and whether it was then the newest and unrevoked. */
  readonly presented: { readonly token: string; readonly valid: boolean }[];
  /** OAuth error codes answered, in order. */
  readonly errors: string[];
  isRevoked(refreshToken: string): boolean;
}

export async function startOAuthServer(): Promise<OAuthServer> {
  const refreshTokens = new Map<string, RefreshEntry>();
  const issued: string[] = [];
  const presented: { token: string; valid: boolean }[] = [];
  const errors: string[] = [];
  const client: OAuth2Server.Client = { id: CLIENT_ID, grants: ["password", "refresh_token"] };
  const user: OAuth2Server.User = { id: USERNAME };
  const model: OAuth2Server.PasswordModel & OAuth2Server.RefreshTokenModel = {
    getClient: async (id, secret) => (id === CLIENT_ID && secret === CLIENT_SECRET ? client : false),
    getUser: async (username, password) => (username === USERNAME && password === USER_PASSWORD ? user : false),
    saveToken: async (token, savedClient, savedUser) => {
      if (token.refreshToken !== undefined) {
        refreshTokens.set(token.refreshToken, { token: { ...token, refreshToken: token.refreshToken, client: savedClient, user: savedUser }, revoked: false });
        issued.push(token.refreshToken);
      }
      return { ...token, client: savedClient, user: savedUser };
    },
    getAccessToken: async () => false,
    getRefreshToken: async (refreshToken) => {
      const entry = refreshTokens.get(refreshToken);
      presented.push({ token: refreshToken, valid: entry !== undefined && !entry.revoked && issued.at(-1) === refreshToken });
      return entry !== undefined && !entry.revoked ? entry.token : false;
    },
    revokeToken: async (token) => {
      const entry = refreshTokens.get(token.refreshToken);
      if (entry === undefined || entry.revoked) return false;
      entry.revoked = true;
      return true;
    },
  };
  const oauth = new OAuth2Server({ model, accessTokenLifetime: ACCESS_TOKEN_LIFETIME_S, alwaysIssueNewRefreshToken: true });
  const http = await startTokenServer(async (recorded) => {
    const request = new OAuth2Server.Request({
      method: recorded.method,
      headers: recorded.headers as Record<string, string>,
      query: {},
      body: Object.fromEntries(new URLSearchParams(recorded.body)),
    });
    const response = new OAuth2Server.Response({ headers: {} });
    try {
      await oauth.token(request, response);
    } catch {
      const body: unknown = response.body;
      errors.push(typeof body === "object" && body !== null ? String((body as { error?: unknown }).error) : "?");
    }
    return { status: response.status ?? 500, headers: response.headers ?? {}, body: response.body as object };
  });
  return { http, issued, presented, errors, isRevoked: (token) => refreshTokens.get(token)?.revoked === true };
}
