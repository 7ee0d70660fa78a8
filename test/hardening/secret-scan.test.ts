// Gathers every error the misbehaving-server rows produce (re-run with
// distinctive secrets in every request, three ways of sending them), every
// kind of error a session produces, and the errors from servers that echo
// every credential they received (in JSON and text bodies, in
// error_description, in headers, at 400/401/500/503 and at 200 with an
// unusable body) and from network failures whose cause carries the request,
// and scans each, with its cause chain, in every rendering (message,
// String(), stack, JSON.stringify, util.inspect) for the secrets in every
// encoding they were sent in. Also checks RFC 6749 §2.3.1 Basic credentials
// against a server that decodes them.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { NetworkError, TokenClientConfigError, UnexpectedStatusError } from "../../generator/runtime/errors.js";
import { requestToken } from "../../generator/runtime/request.js";
import { ReauthenticationRequiredError, SessionClosedError, TokenOriginError } from "../../generator/runtime/session-errors.js";
import { createSession } from "../../generator/runtime/session.js";
import type { SessionOptions } from "../../generator/runtime/session-types.js";
import type { ClientConfig, FetchLike, GrantRule } from "../../generator/runtime/types.js";
import type { RecordedRequest, TokenServerHandler, TokenServerReply } from "../support/loopback.js";
import { codeGrant, makeGrant, testClock, useServers } from "../session/helpers.js";
import type { GrantSetup } from "../session/helpers.js";
import {
  ACCESS_TOKEN,
  AUTH_CODE,
  CLIENT_ID,
  CLIENT_SECRET,
  ENDPOINT,
  PASSWORD,
  PIN,
  REFRESH_TOKEN,
  ROWS,
  SECRET_PARAMS,
  SECRET_TAG,
  VARIANTS,
  receivedCredentials,
  runRow,
} from "./rows.js";

const start = useServers();

// ------------------------------------------------------------- encodings

/**
 * RFC 6749 Appendix B: UTF-8, then every octet outside ALPHA / DIGIT percent-
 * encoded, with space as "+". Written out here rather than borrowed from
 * URLSearchParams, which is what the runtime uses. ("*-._" are left as they
 * are, as WHATWG URL serialisation does; the vectors below avoid them.)
 */
function formEncode(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9*\-._]/.test(c)) out += c;
    else if (byte === 0x20) out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const base64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");
const basicValue = (id: string, secret: string): string => base64(`${formEncode(id)}:${formEncode(secret)}`);

const SECRETS = { CLIENT_SECRET, PASSWORD, PIN, REFRESH_TOKEN, ACCESS_TOKEN, AUTH_CODE } as const;

/** Every spelling in which a secret could leak. */
const NEEDLES: readonly { readonly label: string; readonly needle: string }[] = (() => {
  const list: { label: string; needle: string }[] = [];
  for (const [name, secret] of Object.entries(SECRETS)) {
    list.push(
      { label: `${name} raw`, needle: secret },
      { label: `${name} form-encoded`, needle: formEncode(secret) },
      { label: `${name} percent-encoded`, needle: encodeURIComponent(secret) },
      { label: `${name} JSON-escaped`, needle: JSON.stringify(secret).slice(1, -1) },
      { label: `${name} base64`, needle: base64(secret) },
    );
  }
  list.push({ label: "Basic credentials", needle: basicValue(CLIENT_ID, CLIENT_SECRET) });
  list.push({ label: "secret tag (partial echo)", needle: SECRET_TAG });
  const seen = new Set<string>();
  return list.filter(({ needle }) => !seen.has(needle) && seen.add(needle));
})();

// ------------------------------------------------------------- the scan

/** The error and its causes (and an AggregateError's errors), each once. */
function causeChain(error: unknown): unknown[] {
  const out: unknown[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 50) {
    const next = queue.shift();
    if (next === undefined || next === null || out.includes(next)) continue;
    out.push(next);
    if (typeof next === "object") {
      queue.push((next as { cause?: unknown }).cause);
      if (next instanceof AggregateError) queue.push(...(next.errors as unknown[]));
    }
  }
  return out;
}

function renderings(error: unknown): { readonly how: string; readonly text: string }[] {
  return causeChain(error).flatMap((link, depth) => [
    { how: `cause[${depth}].message`, text: link instanceof Error ? link.message : "" },
    { how: `cause[${depth}] String()`, text: String(link) },
    { how: `cause[${depth}].stack`, text: link instanceof Error ? (link.stack ?? "") : "" },
    { how: `cause[${depth}] JSON.stringify`, text: JSON.stringify(link) ?? "" },
    { how: `cause[${depth}] inspect`, text: inspect(link, { depth: 10 }) },
    { how: `cause[${depth}] inspect showHidden`, text: inspect(link, { showHidden: true, depth: 10 }) },
  ]);
}

interface Hit {
  readonly source: string;
  readonly how: string;
  readonly label: string;
}

function scan(source: string, error: unknown): Hit[] {
  const hits: Hit[] = [];
  for (const { how, text } of renderings(error)) {
    for (const { label, needle } of NEEDLES) if (text.includes(needle)) hits.push({ source, how, label });
  }
  return hits;
}

interface Collected {
  readonly source: string;
  readonly error: unknown;
}
const collected: Collected[] = [];

function collect(source: string, error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  collected.push({ source, error });
}

/** The secrets really went out in `request`, so an echo had the chance to happen. */
function expectSecretsSent(request: RecordedRequest | undefined): void {
  const sent = `${request?.body ?? ""}\n${request?.headers.authorization ?? ""}`;
  const spelled = (secret: string): boolean =>
    [formEncode(secret), JSON.stringify(secret).slice(1, -1)].some((needle) => sent.includes(needle));
  expect(spelled(PASSWORD) && spelled(PIN) && spelled(REFRESH_TOKEN)).toBe(true);
  expect(spelled(CLIENT_SECRET) || sent.includes(basicValue(CLIENT_ID, CLIENT_SECRET))).toBe(true);
}

// ------------------------------------------------------------- gathering

const ERROR_ROWS = ROWS.filter((row) => row.want.kind !== "token");

describe("errors from the misbehaving-server rows", () => {
  it.each(ERROR_ROWS)("$name", async (row) => {
    const outcomes = await Promise.all(VARIANTS.map((variant) => runRow(row, variant).then((outcome) => ({ variant, outcome }))));
    for (const { variant, outcome } of outcomes) {
      expectSecretsSent(outcome.requests[0]);
      if (outcome.result.ok) throw new Error(`${row.name} (${variant.name}) gave a token`);
      expect(outcome.result.error.kind).toBe(row.want.kind);
      collect(`${row.name} (${variant.name})`, outcome.result.error);
    }
  });
});

const SECRET_CONFIG = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
const TOKEN = { access_token: ACCESS_TOKEN, token_type: "Bearer", expires_in: 60, refresh_token: REFRESH_TOKEN };

/** A session over a grant with the distinctive secrets, against `handler`. */
async function openSession(handler: TokenServerHandler, setup: Partial<GrantSetup> = {}, options: SessionOptions = {}) {
  const server = await start(handler);
  const clock = testClock();
  const grant = makeGrant({ baseUrl: server.url, clock, params: { ...SECRET_PARAMS, code: AUTH_CODE }, config: SECRET_CONFIG, ...setup });
  const session = createSession(grant, { retry: { tries: 1 }, origins: [server.url], ...options });
  return { server, clock, session };
}

describe("errors from sessions", () => {
  it("ReauthenticationRequiredError, caused by a refused refresh token", async () => {
    const { server, clock, session } = await openSession(
      (request) => (request.body.includes("grant_type=refresh_token") ? { status: 400, body: { error: "invalid_grant" } } : { status: 200, body: TOKEN }),
      { rule: codeGrant, reobtainable: false },
    );
    await session.getAccessToken();
    clock.advance(60_000);
    const error = await session.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReauthenticationRequiredError);
    expect((error as Error).cause).toBeDefined();
    expect(server.requests[1]?.body).toContain(formEncode(REFRESH_TOKEN));
    collect("session: refresh refused", error);
  });

  it("ReauthenticationRequiredError, with nothing to refresh", async () => {
    const { clock, session } = await openSession(() => ({ status: 200, body: { ...TOKEN, refresh_token: undefined } }), {
      rule: codeGrant,
      reobtainable: false,
      refresh: false,
    });
    await session.getAccessToken();
    clock.advance(60_000);
    collect("session: single-use grant spent", await session.getAccessToken().catch((e: unknown) => e));
  });

  it("SessionClosedError", async () => {
    const { session } = await openSession(() => ({ status: 200, body: TOKEN }));
    await session.getAccessToken();
    await session.close();
    const error = await session.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionClosedError);
    collect("session: closed", error);
  });

  it("AbortedError, when close() cuts a request short", async () => {
    const { server, session } = await openSession(() => undefined);
    const pending = session.getAccessToken().catch((e: unknown) => e);
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expectSecretsSent(server.requests[0]);
    await session.close();
    const error = await pending;
    expect((error as { kind?: unknown }).kind).toBe("aborted");
    collect("session: aborted by close", error);
  });

  it("TokenOriginError from session.fetch and from the middleware", async () => {
    const { session } = await openSession(() => ({ status: 200, body: TOKEN }));
    await session.getAccessToken();
    const fromFetch = await session.fetch(`https://api.elsewhere.example/x?pin=${encodeURIComponent(PIN)}`).catch((e: unknown) => e);
    const fromMiddleware = await session.middleware
      .onRequest({ request: new Request("https://api.elsewhere.example/y", { headers: { "X-Pin": PIN } }) })
      .catch((e: unknown) => e);
    expect(fromFetch).toBeInstanceOf(TokenOriginError);
    expect(fromMiddleware).toBeInstanceOf(TokenOriginError);
    collect("session.fetch: other origin", fromFetch);
    collect("session.middleware: other origin", fromMiddleware);
  });

  it("InvalidTokenValueError for a token no header can carry", async () => {
    const { server, session } = await openSession((request) =>
      request.url === "/oauth/token" ? { status: 200, body: { ...TOKEN, access_token: `${ACCESS_TOKEN}\r\nX: y` } } : { status: 200 },
    );
    const error = await session.fetch(`${server.url}/api`).catch((e: unknown) => e);
    expect((error as { kind?: unknown }).kind).toBe("invalid_token_value");
    collect("session.fetch: unsendable token", error);
  });

  it.each([
    { name: "documented 401", handler: (() => ({ status: 401, body: { error: "invalid_client" } })) satisfies TokenServerHandler, kind: "response" },
    { name: "503", handler: (() => ({ status: 503, headers: { "Retry-After": "1" } })) satisfies TokenServerHandler, kind: "unexpected_status" },
    { name: "unusable 200", handler: (() => ({ status: 200, body: { ...TOKEN, expires_in: "soon" } })) satisfies TokenServerHandler, kind: "invalid_response" },
    { name: "reset", handler: ((_r, { socket }) => void socket.resetAndDestroy()) satisfies TokenServerHandler, kind: "network" },
  ])("the token request's own error through getAccessToken: $name", async ({ name, handler, kind }) => {
    const { server, session } = await openSession(handler);
    const error = await session.getAccessToken().catch((e: unknown) => e);
    expect((error as { kind?: unknown }).kind).toBe(kind);
    expectSecretsSent(server.requests[0]);
    collect(`session.getAccessToken: ${name}`, error);
  });

  it("a failed renewal after the API's 401, through session.fetch", async () => {
    let tokens = 0;
    const { server, session } = await openSession((request) => {
      if (request.url !== "/oauth/token") return { status: 401 };
      tokens += 1;
      return tokens === 1 ? { status: 200, body: TOKEN } : { status: 401, body: { error: "invalid_client", error_description: "no" } };
    });
    const error = await session.fetch(`${server.url}/api`, { method: "POST", body: `pin=${encodeURIComponent(PIN)}` }).catch((e: unknown) => e);
    expect((error as { kind?: unknown }).kind).toBe("response");
    expect(server.requests.some((r) => r.headers.authorization === `Bearer ${ACCESS_TOKEN}`)).toBe(true);
    collect("session.fetch: renewal refused", error);
  });

  it("TokenClientConfigError and TypeError for caller bugs", async () => {
    const server = await start(() => ({ status: 200, body: TOKEN }));
    const grant = makeGrant({ baseUrl: server.url, clock: testClock(), config: SECRET_CONFIG });
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (error) {
        return error;
      }
      throw new Error("expected a throw");
    };
    const userinfo = `https://${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}@auth.example`;
    const errors: [string, unknown][] = [
      ["createSession: negative margin", thrown(() => createSession(grant, { refreshMarginMs: -1 }))],
      ["createSession: origin with credentials", thrown(() => createSession(grant, { origins: [`https://u:${encodeURIComponent(PASSWORD)}@api.example`] }))],
      ["createSession: zero tries", thrown(() => createSession(grant, { retry: { tries: 0 } }))],
      ["requestToken: base URL with credentials", await requestToken(ENDPOINT, VARIANTS[0]?.grant as GrantRule, { ...SECRET_CONFIG, baseUrl: userinfo }, {}).catch((e: unknown) => e)],
      ["requestToken: unencodable param", await requestToken(ENDPOINT, VARIANTS[1]?.grant as GrantRule, { ...SECRET_CONFIG, baseUrl: server.url }, { pin: { PIN } }).catch((e: unknown) => e)],
    ];
    for (const [source, error] of errors) collect(source, error);
    expect(errors.filter(([, e]) => e instanceof TokenClientConfigError)).toHaveLength(4);
    expect(server.requests).toHaveLength(0);
  });
});

// ------------------------------------------------------------- verdict

describe("secret scan", () => {
  it("finds a planted secret in every place it looks (so a clean scan means something)", () => {
    const hidden = new Error("wrapper");
    Object.defineProperty(hidden, "detail", { value: `token=${ACCESS_TOKEN}`, enumerable: false });
    const planted: [string, unknown][] = [
      ["message", new Error(`bad password ${PASSWORD}`)],
      ["form-encoded body", new UnexpectedStatusError(500, `echo: password=${formEncode(PASSWORD)}`)],
      ["percent-encoded deep cause", new NetworkError({ cause: new Error("x", { cause: new Error(encodeURIComponent(REFRESH_TOKEN)) }) })],
      ["Basic header in a body", new UnexpectedStatusError(400, { seen: `Basic ${basicValue(CLIENT_ID, CLIENT_SECRET)}` })],
      ["non-enumerable property", hidden],
      ["AggregateError member", new AggregateError([new Error(PIN)], "many")],
    ];
    for (const [where, error] of planted) expect(scan(where, error).length, where).toBeGreaterThan(0);
  });

  it("no error holds a secret in any encoding", () => {
    const kinds = new Set(collected.map(({ error }) => (error as { kind?: string }).kind ?? (error as Error).name));
    expect([...kinds].sort()).toEqual([
      "TokenClientConfigError",
      "TokenOriginError",
      "TypeError",
      "aborted",
      "invalid_response",
      "invalid_token_value",
      "network",
      "reauthentication_required",
      "response",
      "session_closed",
      "timeout",
      "unexpected_status",
    ]);
    expect(collected.length).toBeGreaterThanOrEqual(ERROR_ROWS.length * VARIANTS.length + 15);
    const hits = collected.flatMap(({ source, error }) => scan(source, error));
    const checked = collected.reduce((n, { error }) => n + renderings(error).length, 0);
    console.log(`secret scan: ${checked} renderings checked, ${hits.length} hits (${collected.length} errors, ${NEEDLES.length} needles)`);
    expect(hits).toEqual([]);
  });

  // session-fetch.ts is outside this change: `new Request(url)` rejects a URL
  // with userinfo, and the platform's TypeError quotes the whole URL. Marked
  // `fails` so that fixing it (catching and rethrowing without the URL) shows up here.
  it("session.fetch does not echo credentials put in the URL (the platform Request TypeError is replaced)", async () => {
    const { session } = await openSession(() => ({ status: 200, body: TOKEN }));
    const error = await session.fetch(`https://user:${encodeURIComponent(PASSWORD)}@api.example/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(scan("session.fetch: userinfo URL", error)).toEqual([]);
  });
});

// ------------------------------------------------------------- echoing servers

interface EchoClient {
  readonly name: string;
  readonly grant: GrantRule;
  readonly encoding: "form" | "json";
  readonly params: Readonly<Record<string, string>>;
}

const basicAuth = { kind: "basic" } as const;
const postAuth = { kind: "fields", idField: "client_id", secretField: "client_secret" } as const;
const passwordParams = { username: "hardening-user", password: PASSWORD };
const refreshParams = { refresh_token: REFRESH_TOKEN };

const ECHO_CLIENTS: readonly EchoClient[] = [
  { name: "client_secret_basic, password", grant: { grantType: "password", grantField: "grant_type", clientAuth: basicAuth }, encoding: "form", params: passwordParams },
  { name: "client_secret_post, password", grant: { grantType: "password", grantField: "grant_type", clientAuth: postAuth }, encoding: "form", params: passwordParams },
  { name: "client_secret_post (JSON), password", grant: { grantType: "password", grantField: "grant_type", clientAuth: postAuth }, encoding: "json", params: passwordParams },
  { name: "client_secret_basic, refresh_token", grant: { grantType: "refresh_token", grantField: "grant_type", clientAuth: basicAuth }, encoding: "form", params: refreshParams },
  { name: "client_secret_post, refresh_token", grant: { grantType: "refresh_token", grantField: "grant_type", clientAuth: postAuth }, encoding: "form", params: refreshParams },
  { name: "client_secret_post (JSON), refresh_token", grant: { grantType: "refresh_token", grantField: "grant_type", clientAuth: postAuth }, encoding: "json", params: refreshParams },
];

/** Everything a server received that is secret, in every form it has it in: the raw request too. */
function everythingReceived(request: RecordedRequest): string[] {
  const received = receivedCredentials(request);
  const values = [received.password, received.refreshToken, received.clientSecret].filter((value) => value !== "");
  const authorization = request.headers.authorization ?? "";
  const basicPair = authorization.startsWith("Basic ") ? Buffer.from(authorization.slice(6), "base64").toString("utf8") : "";
  return [
    request.body,
    authorization,
    basicPair,
    ...values,
    ...values.map(formEncode),
    ...values.map(encodeURIComponent),
    ...values.map(base64),
    ...values.map((value) => JSON.stringify(value)),
  ].filter((text) => text !== "");
}

/** What a header can carry (Latin-1, no controls): the text itself, or its percent-encoding. */
const headerSafe = (text: string): string => (/^[\x20-\x7e]*$/.test(text) ? text : encodeURIComponent(text));

type Place = "json" | "text" | "headers";

/** A reply at `status` that echoes everything received, in `place`. */
function echoReply(status: number, place: Place, request: RecordedRequest): TokenServerReply {
  const all = everythingReceived(request);
  const received = receivedCredentials(request);
  const secret = received.password || received.refreshToken;
  const echoHeaders = {
    "WWW-Authenticate": `Basic realm="token", error="invalid_client", error_description="${all.map(headerSafe).join(" ").replace(/"/g, "'")}"`,
    "X-Echo": all.map(headerSafe).join(" | "),
    "X-Echo-Authorization": headerSafe(request.headers.authorization ?? ""),
  };
  if (status === 200) {
    // A success status with a body that cannot be a token; the echo reaches the reason where it can.
    switch (place) {
      case "json":
        return { status, headers: echoHeaders, body: { access_token: ACCESS_TOKEN, expires_in: `${secret} ${all.join(" ")}`, echo: all } };
      case "text":
        return { status, headers: { ...echoHeaders, "Content-Type": "text/plain" }, body: all.join("\n") };
      case "headers":
        return { status, headers: { ...echoHeaders, "Content-Type": headerSafe(formEncode(received.clientSecret)) }, body: JSON.stringify({ access_token: ACCESS_TOKEN }) };
    }
  }
  switch (place) {
    case "json":
      return {
        status,
        headers: echoHeaders,
        body: {
          error: secret,
          error_description: `received ${all.join(" ")}`,
          echo: { received: all, [received.clientSecret]: secret, request: { headers: request.headers, body: request.body } },
        },
      };
    case "text":
      return { status, headers: { ...echoHeaders, "Content-Type": "text/plain" }, body: `POST ${request.url}\n${JSON.stringify(request.headers)}\n\n${all.join("\n")}` };
    case "headers":
      return { status, headers: echoHeaders, body: { error: "invalid_client" } };
  }
}

const ECHO_STATUSES = [400, 401, 500, 503, 200] as const;
const PLACES: readonly Place[] = ["json", "text", "headers"];
const KIND_AT: Readonly<Record<number, Readonly<Record<Place, string>>>> = {
  400: { json: "response", text: "unexpected_status", headers: "response" },
  401: { json: "response", text: "unexpected_status", headers: "response" },
  500: { json: "unexpected_status", text: "unexpected_status", headers: "unexpected_status" },
  503: { json: "unexpected_status", text: "unexpected_status", headers: "unexpected_status" },
  200: { json: "invalid_response", text: "invalid_response", headers: "invalid_response" },
};

const echoed: Collected[] = [];

/** The echo reached the client: what the server sent back spells out the secrets it received. */
function expectEchoed(replies: readonly string[], client: EchoClient): void {
  const sentBack = replies.join("\n");
  const spelled = (secret: string): boolean =>
    [JSON.stringify(secret).slice(1, -1), formEncode(secret), encodeURIComponent(secret)].some((needle) => sentBack.includes(needle));
  expect(spelled(client.params["password"] ?? client.params["refresh_token"] ?? "")).toBe(true);
  expect(spelled(CLIENT_SECRET)).toBe(true);
}

describe("errors from servers that echo every credential they received", () => {
  const cases = ECHO_CLIENTS.flatMap((client) => ECHO_STATUSES.map((status) => ({ client, status, name: `${client.name}: ${status}` })));

  it.each(cases)("$name, echoed in a JSON body, a text body and headers", async ({ client, status }) => {
    for (const place of PLACES) {
      const replies: string[] = [];
      const server = await start((request) => {
        const reply = echoReply(status, place, request);
        replies.push(`${JSON.stringify(reply.headers)} ${typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body)}`);
        return reply;
      });
      const config: ClientConfig = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: server.url, clock: () => Date.now() };
      const result = await requestToken({ ...ENDPOINT, encoding: client.encoding }, client.grant, config, client.params);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.kind, place).toBe(KIND_AT[status]?.[place]);
      expectEchoed(replies, client);
      echoed.push({ source: `${client.name}: ${status} echoed in ${place}`, error: result.error });
    }
  });

  /** A fetch that fails the way undici can: a TypeError whose cause carries the request it was sending. */
  const leakyFetch =
    (aggregate: boolean): FetchLike =>
    async (url, init) => {
      try {
        return await globalThis.fetch(url, init);
      } catch (original) {
        const headers = init.headers as Record<string, string>;
        const carrying = Object.assign(new Error(`socket closed while sending ${String(init.body)} with ${headers["Authorization"] ?? "no authorization"}`), {
          code: "UND_ERR_SOCKET",
          request: { url, method: init.method, headers, body: init.body },
          cause: original,
        });
        const cause = aggregate ? new AggregateError([carrying, new Error(`retry of ${String(init.body)}`)], "every address failed") : carrying;
        throw Object.assign(new TypeError("fetch failed", { cause }), { request: init });
      }
    };

  it.each(ECHO_CLIENTS)("$name: a network failure whose cause carries the request", async (client) => {
    for (const fetch of [undefined, leakyFetch(false), leakyFetch(true)]) {
      const server = await start((_request, { socket }) => void socket.resetAndDestroy());
      const config: ClientConfig = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: server.url, fetch };
      const result = await requestToken({ ...ENDPOINT, encoding: client.encoding }, client.grant, config, client.params);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.kind).toBe("network");
      expect(server.requests).toHaveLength(1);
      echoed.push({ source: `${client.name}: network failure (${fetch === undefined ? "platform fetch" : "fetch carrying the request"})`, error: result.error });
    }
  });

  it("the scan finds an unredacted echo (so a clean scan means something)", () => {
    const leaky = new NetworkError();
    Object.defineProperty(leaky, "cause", { value: leakyRequestError(), enumerable: false });
    expect(scan("raw cause", leaky).length).toBeGreaterThan(0);
  });

  it("no rendering of any of them holds a secret", () => {
    expect(echoed.length).toBe(ECHO_CLIENTS.length * (ECHO_STATUSES.length * PLACES.length + 3));
    const kinds = new Set(echoed.map(({ error }) => (error as { kind?: string }).kind));
    expect([...kinds].sort()).toEqual(["invalid_response", "network", "response", "unexpected_status"]);
    const hits = echoed.flatMap(({ source, error }) => scan(source, error));
    const checked = echoed.reduce((n, { error }) => n + renderings(error).length, 0);
    console.log(`secret scan (echoing servers): ${checked} renderings checked, ${hits.length} hits (${echoed.length} errors, ${NEEDLES.length} needles)`);
    expect(hits).toEqual([]);
  });
});

/** What a raw cause would look like if it were kept: the request, secrets and all. */
function leakyRequestError(): Error {
  return Object.assign(new TypeError("fetch failed"), { request: { body: `password=${formEncode(PASSWORD)}` } });
}

// ------------------------------------------------------------- RFC 6749 §2.3.1

describe("RFC 6749 §2.3.1 Basic credentials, decoded by a real server", () => {
  const basicGrant: GrantRule = { grantType: "client_credentials", grantField: "grant_type", clientAuth: { kind: "basic" } };

  it.each([
    { id: "my client", secret: "s3cr3t with spaces", userPass: "my+client:s3cr3t+with+spaces" },
    { id: "a%b&c+d:e/f", secret: "%&+:/", userPass: "a%25b%26c%2Bd%3Ae%2Ff:%25%26%2B%3A%2F" },
    // The example value of RFC 6749 Appendix B.
    { id: "client", secret: " %&+£€", userPass: "client:+%25%26%2B%C2%A3%E2%82%AC" },
    { id: "été client", secret: "💡 idea", userPass: "%C3%A9t%C3%A9+client:%F0%9F%92%A1+idea" },
    { id: "~user~", secret: "", userPass: "%7Euser%7E:" },
  ])("$id / $secret", async ({ id, secret, userPass }) => {
    const decoded: { id: string; secret: string }[] = [];
    const server = await start((request) => {
      const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/.exec(request.headers.authorization ?? "");
      if (match?.[1] === undefined) return { status: 401, body: { error: "invalid_client" } };
      const pair = Buffer.from(match[1], "base64").toString("utf8");
      const colon = pair.indexOf(":");
      const formDecode = (text: string): string => decodeURIComponent(text.replace(/\+/g, " "));
      decoded.push({ id: formDecode(pair.slice(0, colon)), secret: formDecode(pair.slice(colon + 1)) });
      return { status: 200, body: { access_token: "ok" } };
    });
    // The table is consistent with Appendix B as written out above.
    expect(`${formEncode(id)}:${formEncode(secret)}`).toBe(userPass);
    const result = await requestToken(ENDPOINT, basicGrant, { clientId: id, clientSecret: secret, baseUrl: server.url }, {});
    expect(result.ok).toBe(true);
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from(userPass, "utf8").toString("base64")}`);
    expect(server.requests[0]?.body).toBe("grant_type=client_credentials");
    expect(decoded).toEqual([{ id, secret }]);
  });

  it("matches a header written out by hand", async () => {
    const server = await start(() => ({ status: 200, body: { access_token: "ok" } }));
    await requestToken(ENDPOINT, basicGrant, { clientId: "my client", clientSecret: "s3cr3t with spaces", baseUrl: server.url }, {});
    expect(server.requests[0]?.headers.authorization).toBe("Basic bXkrY2xpZW50OnMzY3IzdCt3aXRoK3NwYWNlcw==");
  });
});
