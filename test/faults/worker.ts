// One OS process of the fault suite: a token session over a RedisTokenStore
// shared with its siblings, driven by JSON lines on stdin; answers are JSON
// lines on stdout.
//
//   {"id":1,"op":"call","n":20}  -> {"id":1,"results":[{"ok":true,"token":"at-2"},{"ok":false,"kind":"deadline"}],"maxMs":12}
//   {"id":2,"op":"key"}          -> {"id":2,"tokenKey":"…","leaseKey":"…"}
//   {"id":3,"op":"stats"}        -> {"id":3,"stats":{…}}
//   {"id":4,"op":"close"}        -> {"id":4,"closed":true}, then the process exits
//
// Environment: STORE (JSON: {"url"} | {"cluster":[{host,port}]} | {"sentinels":[…],"name"}),
// PREFIX, TOKEN_URL, GRANT ("authorization_code" | "client_credentials"),
// DEADLINE_MS, LEASE_MS, STORE_TIMEOUT_MS.
import { createInterface } from "node:readline";
import { Cluster } from "ioredis";
import type { TokenResponseError, TransportError } from "../../generator/runtime/errors.js";
import { requestToken } from "../../generator/runtime/request.js";
import { createSession } from "../../generator/runtime/session.js";
import { storeKey } from "../../generator/runtime/session-key.js";
import type { SessionGrant } from "../../generator/runtime/session-types.js";
import type { ClientConfig, GrantRule, TokenEndpoint } from "../../generator/runtime/types.js";
import { RedisTokenStore } from "../../generator/stores/redis-store.js";
import { AUTHORIZATION_CODE } from "./rotating-server.js";

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
}

interface StoreSetting {
  readonly url?: string;
  readonly cluster?: readonly { host: string; port: number }[];
  readonly sentinels?: readonly { host: string; port: number }[];
  readonly name?: string;
}

const endpoint: TokenEndpoint = {
  path: "/oauth/token",
  encoding: "form",
  successStatuses: [200],
  errorStatuses: [400, 401],
  tokenFields: { accessToken: "access_token", tokenType: "token_type", refreshToken: "refresh_token" },
  expiry: { kind: "relative", field: "expires_in" },
};
const auth = { kind: "basic" } as const;
const grantRule: GrantRule = { grantType: env("GRANT"), grantField: "grant_type", clientAuth: auth };
const refreshRule: GrantRule = { grantType: "refresh_token", grantField: "grant_type", clientAuth: auth };
const config: ClientConfig = { clientId: "fault-client", clientSecret: "fault-secret-7Hq", baseUrl: env("TOKEN_URL"), timeoutMs: 5_000 };
const single = grantRule.grantType === "authorization_code";
const params = single ? { code: AUTHORIZATION_CODE, redirect_uri: "https://app.example/callback" } : {};

type Raw = Record<string, unknown>;
const grant: SessionGrant<Raw, TokenResponseError<number, unknown> | TransportError> = {
  obtain: (call) => requestToken<Raw, TokenResponseError<number, unknown>>(endpoint, grantRule, config, params, call),
  reobtainable: !single,
  refresh: (refreshToken, call) =>
    requestToken<Raw, TokenResponseError<number, unknown>>(endpoint, refreshRule, config, { refresh_token: refreshToken }, call),
  keyParts: ["fault-suite", config.baseUrl, grantRule.grantType],
  clock: Date.now,
};

const setting = JSON.parse(env("STORE")) as StoreSetting;
const storeOptions = { prefix: env("PREFIX"), commandTimeoutMs: Number(env("STORE_TIMEOUT_MS")) };
const store =
  setting.cluster !== undefined
    ? new RedisTokenStore(new Cluster([...setting.cluster], { lazyConnect: false }), storeOptions)
    : setting.sentinels !== undefined
      ? new RedisTokenStore({ sentinels: [...setting.sentinels], name: setting.name ?? "" }, storeOptions)
      : new RedisTokenStore(setting.url ?? "", storeOptions);
const session = createSession(grant, {
  store,
  leaseMs: Number(env("LEASE_MS")),
  deadlineMs: Number(env("DEADLINE_MS")),
  storeTimeoutMs: Number(env("STORE_TIMEOUT_MS")),
  retry: { tries: 3, baseDelayMs: 50, maxDelayMs: 1_000 },
});

function reply(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function call(n: number): Promise<Record<string, unknown>> {
  let maxMs = 0;
  const results = await Promise.all(
    Array.from({ length: n }, async () => {
      const started = performance.now();
      const result = await session.getToken();
      maxMs = Math.max(maxMs, performance.now() - started);
      return result.ok ? { ok: true, token: result.token.accessToken } : { ok: false, kind: result.error.kind };
    }),
  );
  return { results, maxMs: Math.round(maxMs) };
}

reply({ ready: true });
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue;
  const command = JSON.parse(line) as { id: number; op: string; n?: number };
  switch (command.op) {
    case "call":
      reply({ id: command.id, ...(await call(command.n ?? 1)) });
      break;
    case "key": {
      const key = await storeKey(grant.keyParts);
      reply({ id: command.id, tokenKey: store.tokenKey(key), leaseKey: store.leaseKey(key) });
      break;
    }
    case "stats":
      reply({ id: command.id, stats: session.stats() });
      break;
    case "close":
      await session.close();
      await store.close();
      reply({ id: command.id, closed: true });
      process.exit(0);
  }
}
