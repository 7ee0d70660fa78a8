// The misbehaving token servers shared by misbehaving-server.test.ts (which
// checks each row's exact outcome) and secret-scan.test.ts (which re-runs
// every row with distinctive secrets and scans the errors they produce).
import { gzipSync } from "node:zlib";
import type { TokenResponseError, TransportError } from "../../generator/runtime/errors.js";
import { MAX_BODY_BYTES, requestToken } from "../../generator/runtime/request.js";
import type { ClientConfig, GrantRule, Token, TokenEndpoint, TokenResult } from "../../generator/runtime/types.js";
import { startTokenServer } from "../support/loopback.js";
import type { RecordedRequest, TokenServerHandler, TokenServerReply } from "../support/loopback.js";

/** The fixed clock every row runs on: a whole second near the real time, so a server's `Date` header is within the skew tolerance. */
export const T = Math.floor(Date.now() / 1000) * 1000;
/** Timeout for the rows that wait for a stalled server. */
export const SLOW_TIMEOUT_MS = 300;
/** Timeout for every other row: generous, but a row that hangs still fails quickly. */
export const DEFAULT_ROW_TIMEOUT_MS = 5_000;

/*
 * Distinctive secrets. Each carries the tag "SECRETx" (unchanged by every
 * encoding, so a partial echo is still found) and characters that the
 * encodings change, so that each encoded form is a different needle.
 */
export const CLIENT_ID = "hardening client/é";
export const CLIENT_SECRET = "cs SECRETxCS %&+:/é💡";
export const PASSWORD = "pw SECRETxPW =?#💡";
export const PIN = "SECRETxPIN-4711";
export const REFRESH_TOKEN = "rt.SECRETxRT/+=";
export const ACCESS_TOKEN = "at.SECRETxAT_9f";
export const AUTH_CODE = "code SECRETxCODE&";
export const SECRET_TAG = "SECRETx";

/** Every request carries these besides the client's credentials. */
export const SECRET_PARAMS: Readonly<Record<string, string>> = {
  username: "hardening-user",
  password: PASSWORD,
  pin: PIN,
  refresh_token: REFRESH_TOKEN,
};

/** How a run sends the client's credentials and parameters. */
export interface Variant {
  readonly name: string;
  readonly grant: GrantRule;
  readonly encoding: "form" | "json";
}

export const VARIANTS: readonly Variant[] = [
  { name: "basic, form", grant: { grantType: "password", grantField: "grant_type", clientAuth: { kind: "basic" } }, encoding: "form" },
  {
    name: "body, form",
    grant: { grantType: "password", grantField: "grant_type", clientAuth: { kind: "fields", idField: "client_id", secretField: "client_secret" } },
    encoding: "form",
  },
  {
    name: "body, json",
    grant: { grantType: "password", grantField: "grant_type", clientAuth: { kind: "fields", idField: "client_id", secretField: "client_secret" } },
    encoding: "json",
  },
];

export type Raw = Record<string, unknown>;
export type RowError = TokenResponseError<number, unknown> | TransportError;
export type RowResult = TokenResult<Raw, RowError>;

/** The exact outcome a row expects: a normalised token, or an error's kind and key fields. */
export type Want =
  | { readonly kind: "token"; readonly token: Token<Raw> }
  | { readonly kind: "invalid_response"; readonly status: number; readonly reason: string }
  | { readonly kind: "unexpected_status"; readonly status: number; readonly body: unknown; readonly retryAfterMs: number | undefined }
  | { readonly kind: "response"; readonly status: number; readonly body: unknown; readonly retryAfterMs: number | undefined }
  | { readonly kind: "timeout"; readonly timeoutMs: number }
  | { readonly kind: "network"; readonly causeName: string }
  | { readonly kind: "aborted" };

/** What a row's handler may need besides the request. */
export interface RowContext {
  /** A second loopback server on another origin, which must never be contacted. */
  readonly elsewhereUrl: string;
}

export interface Row {
  readonly name: string;
  readonly serve: (context: RowContext) => TokenServerHandler;
  readonly want: Want;
  readonly timeoutMs?: number;
}

export interface RowOutcome {
  readonly result: RowResult;
  readonly requests: readonly RecordedRequest[];
  readonly elsewhereRequests: readonly RecordedRequest[];
  readonly elapsedMs: number;
}

export const ENDPOINT: TokenEndpoint = {
  path: "/oauth/token",
  encoding: "form",
  successStatuses: [200],
  errorStatuses: [400, 401],
  tokenFields: { accessToken: "access_token", tokenType: "token_type", refreshToken: "refresh_token", scope: "scope" },
  expiry: { kind: "relative", field: "expires_in" },
};

/** Runs one row against fresh loopback servers (the token server and the other origin), closing both afterwards. */
export async function runRow(row: Row, variant: Variant = VARIANTS[0] as Variant): Promise<RowOutcome> {
  const elsewhere = await startTokenServer(() => ({ status: 200, body: { access_token: ACCESS_TOKEN } }));
  const server = await startTokenServer(row.serve({ elsewhereUrl: elsewhere.url }));
  try {
    const config: ClientConfig = {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      baseUrl: server.url,
      clock: () => T,
      timeoutMs: row.timeoutMs ?? DEFAULT_ROW_TIMEOUT_MS,
    };
    const began = performance.now();
    const result = await requestToken<Raw, TokenResponseError<number, unknown>>(
      { ...ENDPOINT, encoding: variant.encoding },
      variant.grant,
      config,
      SECRET_PARAMS,
    );
    const elapsedMs = performance.now() - began;
    return { result, requests: [...server.requests], elsewhereRequests: [...elsewhere.requests], elapsedMs };
  } finally {
    await Promise.all([server.close(), elsewhere.close()]);
  }
}

// ---------------------------------------------------------------- replies

const reply = (r: TokenServerReply): (() => TokenServerHandler) => () => () => r;
const json200 = (body: object): (() => TokenServerHandler) => reply({ status: 200, body });
const raw200 = (text: string, contentType = "application/json"): (() => TokenServerHandler) =>
  reply({ status: 200, headers: { "Content-Type": contentType }, body: text });

/** A success body with the given fields on top of a usable access token. */
function tokenJson(extra: Readonly<Record<string, unknown>>): string {
  return JSON.stringify({ access_token: ACCESS_TOKEN, ...extra });
}

function tokenRow(name: string, bodyText: string, token: Omit<Token<Raw>, "raw" | "accessToken">): Row {
  return { name, serve: raw200(bodyText), want: { kind: "token", token: { accessToken: ACCESS_TOKEN, ...token, raw: JSON.parse(bodyText) as Raw } } };
}

function invalid(name: string, serve: () => TokenServerHandler, reason: string): Row {
  return { name, serve, want: { kind: "invalid_response", status: 200, reason } };
}

const MISSING_ACCESS_TOKEN = "access_token is missing or not a non-empty string";
const TOO_BIG = "body exceeds 1 MiB";
const OVER_CAP = 1.5 * 1024 * 1024;
const bigTokenBody = (bytes: number): string => `{"access_token":"${ACCESS_TOKEN}","pad":"${"x".repeat(bytes)}"}`;

/** 16 MiB of JSON once decoded, about 16 KB on the wire. */
let gzipBomb: Buffer | undefined;
function bomb(): Buffer {
  gzipBomb ??= gzipSync(Buffer.from(bigTokenBody(16 * 1024 * 1024)));
  return gzipBomb;
}

/** Headers and part of a body, then nothing: the request must still end at the timeout. */
const stallAfterHeaders: TokenServerHandler = (_request, { res }) => {
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "200" });
  res.write('{"access_token":');
};

/** A chunked body that keeps coming, one byte every 50 ms, forever. */
const trickle: TokenServerHandler = (_request, { res, socket }) => {
  res.writeHead(200, { "Content-Type": "application/json" });
  res.write('{"access_token":"');
  const timer = setInterval(() => res.write("a"), 50);
  socket.on("close", () => clearInterval(timer));
};

/** A raw HTTP head and part of a body written straight to the socket, which then closes. */
function truncated(head: string, partial: string): TokenServerHandler {
  return (_request, { socket }) => {
    socket.write(`${head}\r\n\r\n${partial}`, () => socket.destroy());
  };
}

const redirect = (status: number): Row => ({
  name: `${status} redirect to another origin`,
  serve: ({ elsewhereUrl }) => () => ({ status, headers: { Location: `${elsewhereUrl}/oauth/token` } }),
  want: { kind: "unexpected_status", status, body: "", retryAfterMs: undefined },
});

// A 200 KB description full of control characters, and other long strings,
// on a documented error status: kept in structure, cut to 1000 characters
// and cleaned of C0/C1 controls (except \n and \t).
const DESCRIPTION_HEAD = "Bad\u0000 request\u001b[2J\r\n\tsee\u0085 the docs\u009b\u007f";
const DESCRIPTION_HEAD_CLEAN = "Bad request[2J\n\tsee the docs";
const HUGE_ERROR_TEXT = JSON.stringify({
  error: "invalid_request",
  error_description: DESCRIPTION_HEAD + "A".repeat(200_000),
  "note\u001b": "short\u0007",
  details: [{ detail: "a" + "💡".repeat(60_000) }],
}).replace(/}$/, ',"__proto__":{"polluted":"yes"}}');
const HUGE_ERROR_CLEAN = JSON.stringify({
  error: "invalid_request",
  error_description: DESCRIPTION_HEAD_CLEAN + "A".repeat(1000 - DESCRIPTION_HEAD_CLEAN.length),
  note: "short",
  // 1000 UTF-16 units would end in half an emoji, so the cut keeps 999.
  details: [{ detail: "a" + "💡".repeat(499) }],
}).replace(/}$/, ',"__proto__":{"polluted":"yes"}}');

const DEEP = 200_000;
/** What a body nested 200 000 levels deep keeps: 31 levels below the top, then a marker. */
function cutNesting(): unknown {
  let inner: unknown = "[nested too deep]";
  for (let i = 0; i < 31; i++) inner = [inner];
  return inner;
}

const POLLUTING_TOKEN =
  `{"access_token":"${ACCESS_TOKEN}","token_type":"Bearer",` +
  `"__proto__":{"polluted":"yes","access_token":"evil"},"constructor":{"prototype":{"polluted":"yes"}}}`;

// Servers that echo what they received. Each reads the credentials the way
// the variant sent them (form or JSON body, or the Basic header), so that a
// row's outcome is the same for every variant: every echo is redacted.

interface Received {
  readonly password: string;
  readonly refreshToken: string;
  readonly clientSecret: string;
}

const formEncodeValue = (text: string): string => new URLSearchParams([["", text]]).toString().slice(1);
const formDecodeValue = (text: string): string => new URLSearchParams(`x=${text}`).get("x") ?? "";
const base64Of = (text: string): string => Buffer.from(text, "utf8").toString("base64");

/** The credentials in a request, wherever the variant put them. */
export function receivedCredentials(request: RecordedRequest): Received {
  const json = (request.headers["content-type"] ?? "").includes("json");
  const fields = (json ? JSON.parse(request.body) : Object.fromEntries(new URLSearchParams(request.body))) as Record<string, unknown>;
  const text = (name: string): string => (typeof fields[name] === "string" ? (fields[name] as string) : "");
  let clientSecret = text("client_secret");
  const authorization = request.headers.authorization ?? "";
  if (authorization.startsWith("Basic ")) {
    const pair = Buffer.from(authorization.slice("Basic ".length), "base64").toString("utf8");
    clientSecret = formDecodeValue(pair.slice(pair.indexOf(":") + 1));
  }
  return { password: text("password"), refreshToken: text("refresh_token"), clientSecret };
}

const echo = (answer: (received: Received) => TokenServerReply): (() => TokenServerHandler) => () => (request) => answer(receivedCredentials(request));
const R = "[redacted]";

export const ROWS: readonly Row[] = [
  // Bodies that are not JSON.
  invalid("200 text/plain", raw200("access_token=abc", "text/plain"), 'content type "text/plain" is not JSON'),
  invalid("200 application/json with invalid JSON", raw200(`{"access_token": "${ACCESS_TOKEN}",}`), "body is not valid JSON"),
  {
    name: "HTML 502",
    serve: reply({ status: 502, headers: { "Content-Type": "text/html" }, body: "<html><body><h1>502 Bad Gateway</h1></body></html>" }),
    want: { kind: "unexpected_status", status: 502, body: "<html><body><h1>502 Bad Gateway</h1></body></html>", retryAfterMs: undefined },
  },
  invalid("empty 200 body", reply({ status: 200 }), "body is not valid JSON"),
  invalid("200 with a C1 control in the content type", raw200("{}", "text/\u009b31mplain"), 'content type "text/\\u009b31mplain" is not JSON'),
  {
    name: "truncated JSON: Content-Length 200, 32 bytes sent, then the socket closes",
    serve: () => truncated("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200", `{"access_token":"${ACCESS_TOKEN}`),
    want: { kind: "network", causeName: "TypeError" },
  },
  {
    name: "truncated chunked JSON, then the socket closes",
    serve: () => truncated("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked", `10\r\n{"access_token":`),
    want: { kind: "network", causeName: "TypeError" },
  },
  // Bodies over the 1 MiB cap.
  invalid("body over 1 MiB with Content-Length", () => () => {
    const body = bigTokenBody(OVER_CAP);
    return { status: 200, headers: { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) }, body };
  }, TOO_BIG),
  invalid("body over 1 MiB, chunked", () => (_request, { res }) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(bigTokenBody(OVER_CAP));
  }, TOO_BIG),
  invalid("gzip bomb: 16 KB on the wire, 16 MiB decoded", () => {
    const wire = bomb();
    return (_request, { res }) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip", "Content-Length": String(wire.length) });
      res.end(wire);
    };
  }, TOO_BIG),
  // Prototype pollution attempts.
  tokenRow("__proto__ and constructor.prototype keys beside an access token", POLLUTING_TOKEN, { tokenType: "Bearer" }),
  invalid("access_token only under __proto__", raw200(`{"__proto__":{"access_token":"${ACCESS_TOKEN}"}}`), MISSING_ACCESS_TOKEN),
  // No usable access token.
  invalid("200 with an OAuth error body", json200({ error: "invalid_client" }), MISSING_ACCESS_TOKEN),
  invalid("missing access_token", json200({ token_type: "Bearer", expires_in: 3600 }), MISSING_ACCESS_TOKEN),
  invalid("numeric access_token", json200({ access_token: 12345 }), MISSING_ACCESS_TOKEN),
  invalid("object access_token", json200({ access_token: { value: ACCESS_TOKEN } }), MISSING_ACCESS_TOKEN),
  invalid("empty access_token", json200({ access_token: "" }), MISSING_ACCESS_TOKEN),
  // token_type is kept as sent.
  ...["BEARER", "bearer", "Bearer", "MAC", "DPoP"].map((type) =>
    tokenRow(`token_type ${type}`, tokenJson({ token_type: type, expires_in: 3600 }), { tokenType: type, expiresAt: T + 3_600_000 }),
  ),
  // expires_in.
  tokenRow('expires_in "3600"', tokenJson({ expires_in: "3600" }), { expiresAt: T + 3_600_000 }),
  invalid('expires_in "3600abc"', raw200(tokenJson({ expires_in: "3600abc" })), 'expires_in is not a number (got "3600abc")'),
  invalid("expires_in -1", raw200(tokenJson({ expires_in: -1 })), "expires_in is negative (got -1)"),
  tokenRow("expires_in 0 (expires now)", tokenJson({ expires_in: 0 }), { expiresAt: T }),
  invalid('expires_in "NaN"', raw200(tokenJson({ expires_in: "NaN" })), 'expires_in is not a number (got "NaN")'),
  invalid("expires_in 1e400 (parses to Infinity)", raw200(`{"access_token":"${ACCESS_TOKEN}","expires_in":1e400}`), "expires_in is not a finite number (got Infinity)"),
  // The endpoint's rule says relative: however large, it is a lifetime (whether it is a unix time is the model's call).
  tokenRow("expires_in 1.9e9 under a relative rule is seconds from receipt", tokenJson({ expires_in: 1.9e9 }), { expiresAt: T + 1.9e12 }),
  invalid("expires_in 1e13 s from receipt is past the range of a date", raw200(tokenJson({ expires_in: 1e13 })), "expires_in gives an expiry outside the range of a date"),
  invalid("expires_in with a C1 control", raw200(tokenJson({ expires_in: "36\u009b00" })), 'expires_in is not a number (got "36\\u009b00")'),
  // Stalls and broken connections.
  { name: "slow headers", serve: () => () => undefined, timeoutMs: SLOW_TIMEOUT_MS, want: { kind: "timeout", timeoutMs: SLOW_TIMEOUT_MS } },
  { name: "slow body after headers", serve: () => stallAfterHeaders, timeoutMs: SLOW_TIMEOUT_MS, want: { kind: "timeout", timeoutMs: SLOW_TIMEOUT_MS } },
  { name: "body trickling a byte every 50 ms", serve: () => trickle, timeoutMs: SLOW_TIMEOUT_MS, want: { kind: "timeout", timeoutMs: SLOW_TIMEOUT_MS } },
  {
    name: "connection reset before headers",
    serve: () => (_request, { socket }) => void socket.resetAndDestroy(),
    want: { kind: "network", causeName: "TypeError" },
  },
  {
    name: "connection closed before headers",
    serve: () => (_request, { socket }) => void socket.end(),
    want: { kind: "network", causeName: "TypeError" },
  },
  // Rate limits and outages.
  {
    name: "429 with Retry-After seconds",
    serve: reply({ status: 429, headers: { "Retry-After": "7", "Content-Type": "text/plain" }, body: "slow down" }),
    want: { kind: "unexpected_status", status: 429, body: "slow down", retryAfterMs: 7_000 },
  },
  {
    name: "503 with Retry-After HTTP-date",
    serve: reply({ status: 503, headers: { "Retry-After": new Date(T + 120_000).toUTCString(), "Content-Type": "text/html" }, body: "<h1>maintenance</h1>" }),
    want: { kind: "unexpected_status", status: 503, body: "<h1>maintenance</h1>", retryAfterMs: 120_000 },
  },
  {
    name: "500 text with terminal escapes",
    serve: reply({ status: 500, headers: { "Content-Type": "text/plain" }, body: "\u001b[31mERROR\u001b[0m\r\n\tat x\u0000\u009b" }),
    want: { kind: "unexpected_status", status: 500, body: "[31mERROR[0m\n\tat x", retryAfterMs: undefined },
  },
  // Redirects are never followed.
  ...[301, 302, 303, 307, 308].map(redirect),
  // Hostile error bodies on a documented status.
  {
    name: "400 with a 200 KB error_description full of control characters",
    serve: jsonStatus(400, HUGE_ERROR_TEXT),
    want: { kind: "response", status: 400, body: JSON.parse(HUGE_ERROR_CLEAN), retryAfterMs: undefined },
  },
  {
    name: `400 with an error body nested ${DEEP} levels deep`,
    serve: jsonStatus(400, `{"error":"invalid_request","nested":${"[".repeat(DEEP)}${"]".repeat(DEEP)}}`),
    want: { kind: "response", status: 400, body: { error: "invalid_request", nested: cutNesting() }, retryAfterMs: undefined },
  },
  // Servers that echo the credentials back: every echo is redacted.
  {
    name: "400 whose error_description echoes the credentials",
    serve: echo((c) => ({
      status: 400,
      body: { error: "invalid_grant", error_description: `bad password ${c.password} for ${c.clientSecret}; refresh ${c.refreshToken}` },
    })),
    want: { kind: "response", status: 400, body: { error: "invalid_grant", error_description: `bad password ${R} for ${R}; refresh ${R}` }, retryAfterMs: undefined },
  },
  {
    name: "401 echoing the credentials as keys, nested values and encodings",
    serve: echo((c) => ({
      status: 401,
      body: {
        error: "invalid_client",
        echo: {
          [c.clientSecret]: c.password,
          encoded: [formEncodeValue(c.password), encodeURIComponent(c.refreshToken), base64Of(c.clientSecret)],
          authorization: `Basic ${base64Of(`${formEncodeValue(CLIENT_ID)}:${formEncodeValue(c.clientSecret)}`)}`,
        },
      },
    })),
    want: {
      kind: "response",
      status: 401,
      body: { error: "invalid_client", echo: { [R]: R, encoded: [R, R, R], authorization: `Basic ${R}` } },
      retryAfterMs: undefined,
    },
  },
  {
    name: "400 echoing the password with control characters spliced into it",
    serve: echo((c) => ({ status: 400, body: { error: "invalid_grant", error_description: `${c.password.slice(0, 3)}\u0000\u001b${c.password.slice(3)}` } })),
    want: { kind: "response", status: 400, body: { error: "invalid_grant", error_description: R }, retryAfterMs: undefined },
  },
  {
    name: "500 text echoing the credentials",
    serve: echo((c) => ({ status: 500, headers: { "Content-Type": "text/plain" }, body: `denied: ${c.password} / ${formEncodeValue(c.clientSecret)}` })),
    want: { kind: "unexpected_status", status: 500, body: `denied: ${R} / ${R}`, retryAfterMs: undefined },
  },
  {
    name: "503 text cut off at 1 MiB inside an echoed client secret",
    serve: echo((c) => ({ status: 503, headers: { "Content-Type": "text/plain" }, body: `${"\u0001".repeat(MAX_BODY_BYTES - 8)}${c.clientSecret}` })),
    want: { kind: "unexpected_status", status: 503, body: R, retryAfterMs: undefined },
  },
  invalid(
    "200 whose expires_in echoes the password",
    echo((c) => ({ status: 200, body: { access_token: ACCESS_TOKEN, expires_in: c.password } })),
    `expires_in is not a number (got "${R}")`,
  ),
  invalid(
    "200 whose Content-Type echoes the client secret, form-encoded",
    echo((c) => ({ status: 200, headers: { "Content-Type": formEncodeValue(c.clientSecret) }, body: tokenJson({ expires_in: 60 }) })),
    `content type "${R}" is not JSON`,
  ),
];

function jsonStatus(status: number, text: string): () => TokenServerHandler {
  return reply({ status, headers: { "Content-Type": "application/json" }, body: text });
}
