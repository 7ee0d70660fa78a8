// oidc-provider 9 on loopback with the whole OAuth surface on: devInteractions
// (login and consent forms), the device flow, revocation, introspection, PAR,
// PKCE (S256, required for every authorization code), RFC 9207 `iss`.
// Every request is counted by path; the device flow's `interval` can be set,
// and a token request can be answered `slow_down` (RFC 8628 §3.5) before the
// provider sees it, as a real server does when polled too fast.
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";
import type { ClientMetadata } from "oidc-provider";

export interface FlowProvider {
  readonly issuer: string;
  /** Requests received, by path without query (`POST /token`). */
  readonly requests: string[];
  /** The `interval` the device authorization response carries (seconds), when set. */
  deviceInterval: number | undefined;
  /** Which token requests (1-based, counted from the start) are answered `slow_down` before the provider sees them. */
  slowDownAt: Set<number>;
  /** When each `POST /token` arrived (performance.now()). */
  readonly tokenTimes: number[];
  /** How many `POST /token` requests have arrived. */
  tokenRequests(): number;
  close(): Promise<void>;
}

export async function startFlowProvider(clients: ClientMetadata[]): Promise<FlowProvider> {
  const signing = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(signing.privateKey)), alg: "ES256", use: "sig", kid: "flow-1" };
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const tokenTimes: number[] = [];
  let handler: ((req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    const line = `${req.method ?? "GET"} ${(req.url ?? "/").split("?")[0] ?? "/"}`;
    requests.push(line);
    if (line === "POST /token") tokenTimes.push(performance.now());
    handler?.(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({ id_token_signed_response_alg: "ES256", ...client })),
    jwks: { keys: [jwk] },
    scopes: ["openid", "offline_access", "api:read"],
    pkce: { required: () => true },
    // Accounts are whatever login devInteractions submits.
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
    // Stated, so that the provider prints no notice about its defaults.
    ttl: { AccessToken: 600, AuthorizationCode: 60, DeviceCode: 600, Grant: 600, IdToken: 600, Interaction: 600, RefreshToken: 3600, Session: 600 },
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true, allowedPolicy: () => true },
      introspection: { enabled: true, allowedPolicy: () => true },
      pushedAuthorizationRequests: { enabled: true },
      // DPoP allowed, not required: a code requested with dpop_jkt (RFC 9449 §10) is bound to that key.
      dPoP: { enabled: true },
    },
    // Refresh tokens for every code grant, offline_access or not, so revocation has one to revoke.
    issueRefreshToken: () => true,
  });
  provider.on("server_error", () => undefined);
  const state: FlowProvider = {
    issuer,
    requests,
    deviceInterval: undefined,
    slowDownAt: new Set(),
    tokenTimes,
    tokenRequests: () => requests.filter((r) => r === "POST /token").length,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  // Koa's `use` (the package ships no types; test/keys/oidc-provider.d.ts declares what the key tests use).
  const app = provider as unknown as {
    use(middleware: (ctx: { method: string; path: string; status: number; body: unknown }, next: () => Promise<void>) => Promise<void>): void;
  };
  app.use(async (ctx, next) => {
    if (ctx.method === "POST" && ctx.path === "/token" && state.slowDownAt.has(state.tokenRequests())) {
      ctx.status = 400;
      ctx.body = { error: "slow_down", error_description: "polling too fast" };
      return;
    }
    await next();
  });
  // The device authorization response as a provider that names its interval sends it (oidc-provider leaves it to the default 5 s).
  provider.on("device_authorization.success", (...args: unknown[]) => {
    const body = args[1] as Record<string, unknown>;
    if (state.deviceInterval !== undefined) body["interval"] = state.deviceInterval;
  });
  handler = provider.callback();
  return state;
}

/**
 * A user agent driven by the test: follows redirects with a cookie jar and
 * submits each HTML form it meets (devInteractions' login and consent, the
 * device flow's user code and confirmation), filling `fill`'s fields, until
 * a redirect to a URL `stop` accepts (returned, not fetched) or a page with
 * no form (returned as `done`).
 */
export async function browse(
  start: string,
  fill: Readonly<Record<string, string>>,
  stop: (url: string) => boolean,
  /** Leave at the first interaction page through its abort link (the user says no). */
  abort = false,
  /** Fields added to a form, given its fields (a button's value, which the form's inputs do not hold). */
  extra: (fields: URLSearchParams) => Readonly<Record<string, string>> = () => ({}),
): Promise<{ readonly url: string; readonly steps: number; readonly done: boolean }> {
  const cookies = new Map<string, string>();
  let next: { url: string; method: "GET" | "POST"; body?: string } = { url: start, method: "GET" };
  let pressed = false;
  for (let steps = 1; steps <= 30; steps++) {
    const response = await fetch(next.url, {
      method: next.method,
      redirect: "manual",
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(next.body !== undefined ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(next.body !== undefined ? { body: next.body } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair?.indexOf("=") ?? -1;
      if (pair !== undefined && at > 0) cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      const target = new URL(location, next.url).href;
      await response.body?.cancel();
      if (stop(target)) return { url: target, steps, done: false };
      next = { url: target, method: "GET" };
      continue;
    }
    const html = await response.text();
    // The page that answers a button press (abort) ends the walk: the user is done.
    if (pressed) return { url: next.url, steps, done: true };
    const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
    if (form === null) return { url: next.url, steps, done: true };
    const action = /action="([^"]*)"/.exec(form[1] ?? "")?.[1] ?? next.url;
    if (abort && /\/interaction\/[^/]+$/.test(new URL(action, next.url).pathname)) {
      next = { url: `${new URL(action, next.url).href}/abort`, method: "GET" };
      continue;
    }
    const fields = new URLSearchParams();
    for (const input of (form[2] ?? "").matchAll(/<input\b([^>]*)>/gi)) {
      const name = /name="([^"]*)"/.exec(input[1] ?? "")?.[1];
      if (name === undefined) continue;
      fields.set(name, fill[name] ?? /value="([^"]*)"/.exec(input[1] ?? "")?.[1] ?? "");
    }
    const added = Object.entries(extra(fields));
    for (const [name, value] of added) fields.set(name, value);
    pressed = added.length > 0;
    next = { url: new URL(action.replace(/&amp;/g, "&"), next.url).href, method: "POST", body: fields.toString() };
  }
  throw new Error(`no end after 30 steps from ${start}`);
}
