import { describe, expect, it } from "vitest";
import { basicAuthorization } from "../../generator/runtime/client-auth.js";
import { TokenClientConfigError, TokenResponseError } from "../../generator/runtime/errors.js";
import type { TransportError } from "../../generator/runtime/errors.js";
import { MAX_BODY_BYTES, requestToken } from "../../generator/runtime/request.js";
import type { ClientConfig, FetchLike, TokenEndpoint, TokenResult } from "../../generator/runtime/types.js";
import type { TokenServerReply } from "../support/loopback.js";
import { CLIENT_ID, CLIENT_SECRET, NOW, PASSWORD, basicGrant, bodyPasswordGrant, endpoint, useServers } from "./helpers.js";

const start = useServers();

type Result = TokenResult<Record<string, unknown>, TokenResponseError<400 | 401, { error: string }> | TransportError>;

function config(baseUrl: string, extra: Partial<ClientConfig> = {}): ClientConfig {
  return { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl, clock: () => NOW, ...extra };
}

function errorOf(result: Result): TokenResponseError<400 | 401, { error: string }> | TransportError {
  if (result.ok) throw new Error(`expected an error, got token ${JSON.stringify(result.token)}`);
  return result.error;
}

const TOKEN_BODY = { access_token: "at-1", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-1", scope: "read write" };

describe("requestToken success", () => {
  it("sends a form body with body credentials and normalises the token", async () => {
    const server = await start(() => ({ status: 200, body: TOKEN_BODY }));
    const result = await requestToken(endpoint(), bodyPasswordGrant, config(`${server.url}/v1`), {
      grant_type: "overridden?",
      username: "ann o'neil",
      password: PASSWORD,
      resource: ["https://a.example/", "https://b.example/"],
      scope: undefined,
    });
    expect(result).toEqual({
      ok: true,
      token: { accessToken: "at-1", tokenType: "Bearer", expiresAt: NOW + 3_600_000, refreshToken: "rt-1", scope: "read write", raw: TOKEN_BODY },
    });
    expect(server.requests).toHaveLength(1);
    const [seen] = server.requests;
    expect(seen?.method).toBe("POST");
    expect(seen?.url).toBe("/v1/oauth/token");
    expect(seen?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(seen?.headers["accept"]).toBe("application/json");
    expect(seen?.headers["authorization"]).toBeUndefined();
    expect(seen?.body).toBe(
      "grant_type=password&username=ann+o%27neil&password=p%40ss+word%2FXy7%26%F0%9F%92%A1" +
        "&resource=https%3A%2F%2Fa.example%2F&resource=https%3A%2F%2Fb.example%2F" +
        "&client_id=client+id%2B1&client_secret=s3cr%25t%3AZq9%21+%C3%A9",
    );
  });

  it("sends a JSON body", async () => {
    const server = await start(() => ({ status: 200, body: TOKEN_BODY }));
    const result = await requestToken(endpoint({ encoding: "json" }), bodyPasswordGrant, config(server.url), {
      username: "ann",
      password: PASSWORD,
      scope: null,
      skipped: undefined,
    });
    expect(result.ok).toBe(true);
    const [seen] = server.requests;
    expect(seen?.headers["content-type"]).toBe("application/json");
    expect(seen?.headers["accept"]).toBe("application/json");
    expect(seen?.body).toBe(
      JSON.stringify({ grant_type: "password", username: "ann", password: PASSWORD, scope: null, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
    );
  });

  it("sends RFC 6749 §2.3.1 Basic credentials and no body credentials", async () => {
    const server = await start(() => ({ status: 200, body: TOKEN_BODY }));
    const result = await requestToken(endpoint(), basicGrant, config(server.url), { scope: "read" });
    expect(result.ok).toBe(true);
    const [seen] = server.requests;
    expect(seen?.headers["authorization"]).toBe(basicAuthorization(CLIENT_ID, CLIENT_SECRET));
    expect(seen?.headers["authorization"]).toBe(`Basic ${Buffer.from("client+id%2B1:s3cr%25t%3AZq9%21+%C3%A9").toString("base64")}`);
    expect(seen?.body).toBe("grant_type=client_credentials&scope=read");
  });

  it("sets only the token keys the body has", async () => {
    const server = await start(() => ({ status: 200, body: { access_token: "only", token_type: null, scope: null } }));
    const result = await requestToken(endpoint(), basicGrant, config(server.url), {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.token).sort()).toEqual(["accessToken", "raw"]);
  });

  it.each<{ name: string; reply: TokenServerReply; ep?: Partial<TokenEndpoint> }>([
    { name: "charset parameter", reply: { status: 200, headers: { "Content-Type": "application/json; charset=utf-8" }, body: JSON.stringify(TOKEN_BODY) } },
    { name: "upper-case media type", reply: { status: 200, headers: { "Content-Type": "Application/JSON" }, body: JSON.stringify(TOKEN_BODY) } },
    { name: "+json suffix", reply: { status: 200, headers: { "Content-Type": "application/vnd.token+json" }, body: JSON.stringify(TOKEN_BODY) } },
    { name: "no content type", reply: { status: 200, body: JSON.stringify(TOKEN_BODY) } },
    { name: "any 2xx when no success status is documented", reply: { status: 201, body: TOKEN_BODY }, ep: { successStatuses: [] } },
    { name: "a documented 201", reply: { status: 201, body: TOKEN_BODY }, ep: { successStatuses: [201] } },
  ])("accepts $name", async ({ reply, ep }) => {
    const server = await start(() => reply);
    const result = await requestToken(endpoint(ep), basicGrant, config(server.url), {});
    expect(result.ok && result.token.accessToken).toBe("at-1");
  });

  it("reads the clock once, when the answer arrives", async () => {
    const server = await start(() => ({ status: 200, body: { access_token: "a", expires_in: "60" } }));
    const requestsSeenAtClock: number[] = [];
    const clock = (): number => {
      requestsSeenAtClock.push(server.requests.length);
      return 5_000;
    };
    const result = await requestToken(endpoint(), basicGrant, config(server.url, { clock }), {});
    expect(result.ok && result.token.expiresAt).toBe(65_000);
    expect(requestsSeenAtClock).toEqual([1]);
  });

  it("uses an injected fetch", async () => {
    const server = await start(() => ({ status: 200, body: TOKEN_BODY }));
    const urls: string[] = [];
    const fetch: FetchLike = (input, init) => {
      urls.push(input);
      return globalThis.fetch(input, init);
    };
    const result = await requestToken(endpoint(), basicGrant, config(server.url, { fetch }), {});
    expect(result.ok).toBe(true);
    expect(urls).toEqual([`${server.url}/oauth/token`]);
  });

  it("accepts a body of exactly 1 MiB", async () => {
    const head = '{"access_token":"big","pad":"';
    const tail = '"}';
    const body = head + "x".repeat(MAX_BODY_BYTES - head.length - tail.length) + tail;
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    const server = await start(() => ({ status: 200, headers: { "Content-Type": "application/json" }, body }));
    const result = await requestToken(endpoint(), basicGrant, config(server.url), {});
    expect(result.ok && result.token.accessToken).toBe("big");
  });
});

describe("requestToken error statuses", () => {
  it("returns a documented error status as a typed TokenResponseError", async () => {
    const body = { error: "invalid_grant", error_description: "bad password" };
    const server = await start(() => ({ status: 400, body }));
    const error = errorOf(await requestToken(endpoint(), bodyPasswordGrant, config(server.url), { password: PASSWORD }));
    expect(error).toBeInstanceOf(TokenResponseError);
    expect(error.kind).toBe("response");
    if (error.kind !== "response") return;
    expect(error.status).toBe(400);
    expect(error.body).toEqual(body);
    expect(error.message).toContain("(invalid_grant)");
  });

  it.each<{ name: string; reply: TokenServerReply; wantStatus: number; wantBody: unknown }>([
    { name: "undocumented status with text", reply: { status: 500, headers: { "Content-Type": "text/plain" }, body: "boom" }, wantStatus: 500, wantBody: "boom" },
    { name: "undocumented status with JSON", reply: { status: 503, body: { error: "temporarily_unavailable" } }, wantStatus: 503, wantBody: { error: "temporarily_unavailable" } },
    { name: "documented status that is not JSON", reply: { status: 401, headers: { "Content-Type": "text/html" }, body: "<h1>no</h1>" }, wantStatus: 401, wantBody: "<h1>no</h1>" },
    { name: "documented status whose JSON does not parse", reply: { status: 400, headers: { "Content-Type": "application/json" }, body: "{oops" }, wantStatus: 400, wantBody: "{oops" },
    { name: "long text is capped at 4 KiB", reply: { status: 502, headers: { "Content-Type": "text/plain" }, body: "y".repeat(10_000) }, wantStatus: 502, wantBody: "y".repeat(4096) },
    { name: "a 2xx that is not a documented success", reply: { status: 202, body: TOKEN_BODY }, wantStatus: 202, wantBody: TOKEN_BODY },
  ])("$name → unexpected_status", async ({ reply, wantStatus, wantBody }) => {
    const server = await start(() => reply);
    const error = errorOf(await requestToken(endpoint(), basicGrant, config(server.url), {}));
    expect(error.kind).toBe("unexpected_status");
    if (error.kind !== "unexpected_status") return;
    expect(error.status).toBe(wantStatus);
    expect(error.body).toEqual(wantBody);
  });

  it("does not follow a 307 redirect to another origin", async () => {
    const elsewhere = await start(() => ({ status: 200, body: TOKEN_BODY }));
    const server = await start(() => ({ status: 307, headers: { Location: `${elsewhere.url}/steal` }, body: "" }));
    const error = errorOf(await requestToken(endpoint(), basicGrant, config(server.url), {}));
    expect(error.kind).toBe("unexpected_status");
    expect(error.kind === "unexpected_status" && error.status).toBe(307);
    expect(server.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
  });
});

describe("requestToken unusable success bodies", () => {
  it.each<{ name: string; reply: TokenServerReply; wantReason: RegExp }>([
    { name: "HTML", reply: { status: 200, headers: { "Content-Type": "text/html" }, body: "<html></html>" }, wantReason: /not JSON/ },
    { name: "broken JSON", reply: { status: 200, headers: { "Content-Type": "application/json" }, body: '{"access_token":' }, wantReason: /not valid JSON/ },
    { name: "empty body", reply: { status: 200, headers: { "Content-Type": "application/json" }, body: "" }, wantReason: /not valid JSON/ },
    { name: "JSON array", reply: { status: 200, body: [TOKEN_BODY] }, wantReason: /not a JSON object/ },
    { name: "JSON null", reply: { status: 200, headers: { "Content-Type": "application/json" }, body: "null" }, wantReason: /not a JSON object/ },
    { name: "missing access_token", reply: { status: 200, body: { token_type: "Bearer" } }, wantReason: /access_token/ },
    { name: "empty access_token", reply: { status: 200, body: { access_token: "" } }, wantReason: /access_token/ },
    { name: "numeric access_token", reply: { status: 200, body: { access_token: 12 } }, wantReason: /access_token/ },
    { name: "numeric token_type", reply: { status: 200, body: { access_token: "a", token_type: 1 } }, wantReason: /token_type/ },
    { name: "object refresh_token", reply: { status: 200, body: { access_token: "a", refresh_token: {} } }, wantReason: /refresh_token/ },
    { name: "array scope", reply: { status: 200, body: { access_token: "a", scope: ["a"] } }, wantReason: /scope/ },
    { name: "garbage expires_in", reply: { status: 200, body: { access_token: "a", expires_in: "3600abc" } }, wantReason: /expires_in/ },
    {
      name: "2 MiB body",
      reply: { status: 200, headers: { "Content-Type": "application/json" }, body: `{"access_token":"${"a".repeat(2 * 1024 * 1024)}"}` },
      wantReason: /body exceeds 1 MiB/,
    },
  ])("$name → invalid_response", async ({ reply, wantReason }) => {
    const server = await start(() => reply);
    const error = errorOf(await requestToken(endpoint(), basicGrant, config(server.url), {}));
    expect(error.kind).toBe("invalid_response");
    if (error.kind !== "invalid_response") return;
    expect(error.status).toBe(200);
    expect(error.reason).toMatch(wantReason);
  });
});

describe("requestToken transport failures", () => {
  it("times out when the server never answers", async () => {
    const server = await start(() => undefined);
    const began = Date.now();
    const error = errorOf(await requestToken(endpoint(), basicGrant, config(server.url, { timeoutMs: 200 }), {}));
    expect(error.kind).toBe("timeout");
    expect(error.kind === "timeout" && error.timeoutMs).toBe(200);
    expect(Date.now() - began).toBeLessThan(1500);
  }, 2000);

  it("times out when the body stalls after the headers", async () => {
    const server = await start((_request, { res }) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"access_token":"a"');
    });
    const error = errorOf(await requestToken(endpoint(), basicGrant, config(server.url, { timeoutMs: 200 }), {}));
    expect(error.kind).toBe("timeout");
  }, 2000);

  it("times out even when an injected fetch ignores the signal", async () => {
    const fetch: FetchLike = () => new Promise<Response>(() => undefined);
    const error = errorOf(await requestToken(endpoint(), basicGrant, config("https://auth.example", { fetch, timeoutMs: 100 }), {}));
    expect(error.kind).toBe("timeout");
  }, 2000);

  it("reports a destroyed socket as a network error", async () => {
    const server = await start((_request, { socket }) => {
      socket.destroy();
    });
    const error = errorOf(await requestToken(endpoint(), basicGrant, config(server.url), {}));
    expect(error.kind).toBe("network");
    expect(error.cause).toBeDefined();
  });

  it("reports a connection reset mid-body as a network error", async () => {
    const server = await start((_request, { res, socket }) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "1000" });
      res.write('{"access_token":"a"', () => socket.destroy());
    });
    const error = errorOf(await requestToken(endpoint(), basicGrant, config(server.url), {}));
    expect(error.kind).toBe("network");
  });

  it("reports an injected fetch that throws synchronously as a network error", async () => {
    const fetch: FetchLike = () => {
      throw new Error("no sockets here");
    };
    const error = errorOf(await requestToken(endpoint(), basicGrant, config("https://auth.example", { fetch }), {}));
    expect(error.kind).toBe("network");
  });

  it("reports the caller's abort while waiting", async () => {
    const server = await start(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = errorOf(await requestToken(endpoint(), basicGrant, config(server.url), {}, { signal: controller.signal }));
    expect(error.kind).toBe("aborted");
  }, 2000);

  it("reports the caller's abort while reading the body", async () => {
    const server = await start((_request, { res }) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write("{");
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = errorOf(await requestToken(endpoint(), basicGrant, config(server.url), {}, { signal: controller.signal }));
    expect(error.kind).toBe("aborted");
  }, 2000);

  it("sends nothing when the caller's signal is already aborted", async () => {
    const server = await start(() => ({ status: 200, body: TOKEN_BODY }));
    const error = errorOf(await requestToken(endpoint(), basicGrant, config(server.url), {}, { signal: AbortSignal.abort() }));
    expect(error.kind).toBe("aborted");
    expect(server.requests).toHaveLength(0);
  });
});

describe("requestToken caller bugs reject before sending", () => {
  it.each<{ name: string; baseUrl?: string; timeoutMs?: number; params?: Record<string, unknown>; want: new (...args: never[]) => Error }>([
    { name: "an object param in a form body", params: { claims: { a: 1 } }, want: TypeError },
    { name: "a non-loopback http baseUrl", baseUrl: "http://auth.example.com", want: TokenClientConfigError },
    { name: "a zero timeout", timeoutMs: 0, want: TokenClientConfigError },
    { name: "a NaN timeout", timeoutMs: Number.NaN, want: TokenClientConfigError },
  ])("$name", async ({ baseUrl, timeoutMs, params, want }) => {
    const server = await start(() => ({ status: 200, body: TOKEN_BODY }));
    const cfg = config(baseUrl ?? server.url, timeoutMs === undefined ? {} : { timeoutMs });
    await expect(requestToken(endpoint(), basicGrant, cfg, params ?? {})).rejects.toBeInstanceOf(want);
    expect(server.requests).toHaveLength(0);
  });
});
