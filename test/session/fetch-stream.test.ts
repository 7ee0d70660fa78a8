// session.fetch with request bodies: a stream is streamed (never buffered)
// and sent once, so a 401 to it is returned after a new token is fetched;
// bodies held in memory keep the 401 replay.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { REPLAY_LIMIT_BYTES } from "../../generator/runtime/session-fetch.js";
import { TokenOriginError } from "../../generator/runtime/session-errors.js";
import { createSession } from "../../generator/runtime/session.js";
import type { TokenServerReply } from "../support/loopback.js";
import { makeGrant, testClock, tokenBody, useServers, useUnhandledRejectionTrap } from "./helpers.js";

const start = useServers();
useUnhandledRejectionTrap();

async function issuer(reply: (n: number) => TokenServerReply = (n) => ({ status: 200, body: tokenBody(n) })) {
  let n = 0;
  return start(() => reply(++n));
}

/** An API accepting only `Bearer <accepted>`, echoing what it got. */
async function api(accepted: string) {
  return start((request) =>
    request.headers.authorization === `Bearer ${accepted}`
      ? { status: 200, body: { seen: request.body } }
      : { status: 401, headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' }, body: { error: "invalid_token" } },
  );
}

function sessionFor(tokenUrl: string, apiUrl: string) {
  return createSession(makeGrant({ baseUrl: tokenUrl, clock: testClock() }), { origins: [apiUrl], minRefreshIntervalMs: 0 });
}

/** A stream of `parts`, each produced when asked for; `cancelled` settles with the reason if it is cancelled. */
function textStream(parts: readonly string[]) {
  let i = 0;
  let onCancel: (reason: unknown) => void = () => undefined;
  const cancelled = new Promise<unknown>((resolve) => {
    onCancel = resolve;
  });
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const part = parts[i++];
        if (part === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(part));
      },
      cancel(reason) {
        onCancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, cancelled };
}

interface ChildReport {
  readonly status: number;
  readonly answer: { readonly received: number; readonly intact: boolean; readonly auth?: string };
  /** Largest growth after a full GC while the body was produced, over the level before (bytes). */
  readonly rssGrowth: number;
  readonly arrayBufferGrowth: number;
  /** Most chunks produced and not yet collected at once. */
  readonly maxLiveChunks: number;
  readonly sawProgress: boolean;
  readonly finishedAt: number;
}

/**
 * Runs in a child process (with --expose-gc; its memory is its own): sends
 * a 64 MiB stream, produced 64 KiB at a time in new buffers, through
 * session.fetch. Every 4 MiB it collects garbage and samples memory, and
 * counts the chunks still alive. Before producing the last chunk it waits
 * (up to 5 s) until the server has received bytes.
 */
const CHILD = `
const [modulePath, base] = process.argv.slice(1);
const { authorizedFetch, sender } = await import(modulePath);
const token = { accessToken: "at-1", tokenType: "Bearer", receivedAt: Date.now() };
const source = { current: async () => ({ ok: true, token }), renew: async () => ({ ok: true, token }) };
const fetch = authorizedFetch(source, new Set([new URL(base).origin]), sender(undefined));
const TOTAL = 64 * 1024 * 1024;
const CHUNK = 64 * 1024;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
await (await fetch(base + "/warm", { method: "POST", body: "x" })).text();
gc();
await tick();
const before = process.memoryUsage();
let rssGrowth = 0, arrayBufferGrowth = 0, maxLiveChunks = 0, produced = 0, collected = 0, finishedAt = 0, sawProgress = false;
const registry = new FinalizationRegistry(() => collected++);
const stream = new ReadableStream({
  async pull(controller) {
    if (produced > 0 && produced % (4 * 1024 * 1024) === 0) {
      gc();
      // Finalization callbacks run in later tasks.
      await tick();
      await tick();
      const now = process.memoryUsage();
      rssGrowth = Math.max(rssGrowth, now.rss - before.rss);
      arrayBufferGrowth = Math.max(arrayBufferGrowth, now.arrayBuffers - before.arrayBuffers);
      maxLiveChunks = Math.max(maxLiveChunks, produced / CHUNK - collected);
    }
    if (produced === TOTAL - CHUNK) {
      for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 10))) {
        if (Number(await (await globalThis.fetch(base + "/progress")).text()) > 0) {
          sawProgress = true;
          break;
        }
      }
    }
    const chunk = new Uint8Array(CHUNK).fill(0xab);
    registry.register(chunk, 0);
    controller.enqueue(chunk);
    produced += CHUNK;
    if (produced === TOTAL) {
      finishedAt = Date.now();
      controller.close();
    }
  },
}, { highWaterMark: 0 });
const response = await fetch(base + "/upload", { method: "PUT", body: stream, duplex: "half" });
const answer = await response.json();
process.stdout.write(JSON.stringify({ status: response.status, answer, rssGrowth, arrayBufferGrowth, maxLiveChunks, sawProgress, finishedAt }));
`;

/** A server counting upload bytes as they arrive, without keeping them. */
async function countingServer() {
  let received = 0;
  let firstByteAt = 0;
  const server = createServer((req, res) => {
    if (req.url === "/progress") {
      res.end(String(received));
      return;
    }
    let intact = true;
    req.on("data", (chunk: Buffer) => {
      if (req.url !== "/upload") return;
      if (firstByteAt === 0) firstByteAt = Date.now();
      received += chunk.length;
      if (chunk[0] !== 0xab || chunk[chunk.length - 1] !== 0xab) intact = false;
    });
    req.on("end", () => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(req.url === "/upload" ? { received, intact, auth: req.headers.authorization } : {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    firstByteAt: () => firstByteAt,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function runChild(base: string): Promise<ChildReport> {
  const modulePath = fileURLToPath(new URL("../../generator/runtime/session-fetch.ts", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", CHILD, modulePath, base], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(JSON.parse(out) as ChildReport);
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

describe("session.fetch with a streamed body", () => {
  it("sends a 64 MiB stream as it is produced, with memory well under its size", { timeout: 20_000 }, async () => {
    const server = await countingServer();
    try {
      const report = await runChild(server.url);
      expect(report.status).toBe(200);
      expect(report.answer).toEqual({ received: 64 * 1024 * 1024, intact: true, auth: "Bearer at-1" });
      // The server saw bytes before the stream produced its last chunk.
      expect(report.sawProgress).toBe(true);
      expect(server.firstByteAt()).toBeGreaterThan(0);
      expect(server.firstByteAt()).toBeLessThan(report.finishedAt);
      console.log(`64 MiB stream: RSS +${mib(report.rssGrowth)} MiB, ArrayBuffers +${mib(report.arrayBufferGrowth)} MiB, at most ${report.maxLiveChunks} chunks alive`);
      // Buffering it, or a copy held for a replay or a redirect (a tee, as Node's fetch makes unless
      // redirects are errors), keeps every chunk: 1024 of them, 64 MiB (314 MiB RSS was seen).
      // Streamed, only those in flight are alive. RSS grows by some 20-30 MiB for sending at all,
      // whatever the body's size (16 or 256 MiB alike).
      expect(report.maxLiveChunks).toBeLessThan(256);
      expect(report.arrayBufferGrowth).toBeLessThan(16 * 1024 * 1024);
      expect(report.rssGrowth).toBeLessThan(48 * 1024 * 1024);
    } finally {
      await server.close();
    }
  });

  it("is sent once: a 401 is returned as it is, and the next request carries a new token", async () => {
    const tokens = await issuer();
    const apiServer = await api("at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const { stream } = textStream(["part-1 ", "part-2 ", "part-3"]);
    const init = { method: "PUT", body: stream, duplex: "half" } as RequestInit;
    const response = await session.fetch(`${apiServer.url}/upload`, init);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "invalid_token" });
    expect(apiServer.requests.map((r) => [r.method, r.headers.authorization, r.headers["transfer-encoding"], r.body])).toEqual([
      ["PUT", "Bearer at-1", "chunked", "part-1 part-2 part-3"],
    ]);
    // The refused token was replaced before the 401 was handed back.
    expect(tokens.requests).toHaveLength(2);
    const next = await session.fetch(`${apiServer.url}/upload`, { method: "PUT", body: "again" });
    expect(next.status).toBe(200);
    expect(apiServer.requests.at(-1)?.headers.authorization).toBe("Bearer at-2");
    expect(tokens.requests).toHaveLength(2);
    await session.close();
  });

  it("streams an async iterable body the same way", async () => {
    const tokens = await issuer();
    const apiServer = await api("at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    async function* parts() {
      yield new TextEncoder().encode("one ");
      yield new TextEncoder().encode("two");
    }
    const response = await session.fetch(`${apiServer.url}/upload`, { method: "POST", body: parts(), duplex: "half" } as unknown as RequestInit);
    expect(response.status).toBe(401);
    expect(apiServer.requests.map((r) => r.body)).toEqual(["one two"]);
    expect(tokens.requests).toHaveLength(2);
    await session.close();
  });

  it("cancels a stream it never sends (origin refused, token failure)", async () => {
    const tokens = await issuer(() => ({ status: 400, body: { error: "invalid_client" } }));
    const apiServer = await api("at-1");
    const session = sessionFor(tokens.url, apiServer.url);
    const refused = textStream(["x"]);
    await expect(
      session.fetch("https://elsewhere.example/upload", { method: "PUT", body: refused.stream, duplex: "half" } as RequestInit),
    ).rejects.toBeInstanceOf(TokenOriginError);
    expect(await refused.cancelled).toBeInstanceOf(TokenOriginError);
    const failed = textStream(["x"]);
    const error: unknown = await session
      .fetch(`${apiServer.url}/upload`, { method: "PUT", body: failed.stream, duplex: "half" } as RequestInit)
      .catch((e: unknown) => e);
    expect(await failed.cancelled).toBe(error);
    expect(apiServer.requests).toHaveLength(0);
    await session.close();
  });
});

describe("session.fetch with a body held in memory", () => {
  const text = "name=widget&note=%C3%BC";
  const bytes = new TextEncoder().encode(text);
  it.each<[string, () => BodyInit, string | undefined]>([
    ["a string", () => text, "text/plain;charset=UTF-8"],
    ["an ArrayBuffer", () => bytes.slice().buffer, undefined],
    ["a Uint8Array view into a larger buffer", () => new Uint8Array([0, ...bytes, 0]).subarray(1, bytes.length + 1), undefined],
    ["a DataView", () => new DataView(bytes.slice().buffer), undefined],
    ["a Blob", () => new Blob([text], { type: "application/x-custom" }), "application/x-custom"],
    ["URLSearchParams", () => new URLSearchParams(text), "application/x-www-form-urlencoded;charset=UTF-8"],
  ])("replays %s after a 401, with the same bytes, length and type", async (_name, body, type) => {
    const tokens = await issuer();
    const apiServer = await api("at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const response = await session.fetch(`${apiServer.url}/items`, { method: "POST", body: body() });
    expect(response.status).toBe(200);
    expect(
      apiServer.requests.map((r) => [r.headers.authorization, r.headers["content-type"], r.headers["content-length"], r.headers["transfer-encoding"], r.body]),
    ).toEqual([
      ["Bearer at-1", type, String(bytes.length), undefined, text],
      ["Bearer at-2", type, String(bytes.length), undefined, text],
    ]);
    await session.close();
  });

  it("replays a FormData with a Content-Type that matches each send's boundary", async () => {
    const tokens = await issuer();
    const apiServer = await api("at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const form = new FormData();
    form.append("name", "widget");
    form.append("file", new Blob(["file body"], { type: "text/plain" }), "a.txt");
    const response = await session.fetch(`${apiServer.url}/items`, { method: "POST", body: form });
    expect(response.status).toBe(200);
    expect(apiServer.requests).toHaveLength(2);
    for (const request of apiServer.requests) {
      const parsed = await new Response(request.body, { headers: { "Content-Type": request.headers["content-type"] ?? "" } }).formData();
      expect(parsed.get("name")).toBe("widget");
      const file = parsed.get("file") as File;
      expect([file.name, await file.text()]).toEqual(["a.txt", "file body"]);
    }
    await session.close();
  });

  it.each(["a Uint8Array", "an ArrayBuffer"])("sends what %s held when called, as fetch does", async (kind) => {
    const tokens = await issuer();
    const apiServer = await api("at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const buffer = new TextEncoder().encode("before");
    const body = kind === "an ArrayBuffer" ? buffer.buffer : buffer;
    const pending = session.fetch(`${apiServer.url}/items`, { method: "POST", body });
    buffer.set(new TextEncoder().encode("AFTER!"));
    expect((await pending).status).toBe(200);
    expect(apiServer.requests.map((r) => r.body)).toEqual(["before", "before"]);
    await session.close();
  });
});

describe("session.fetch with a Request as input", () => {
  it("replays a Request whose body ends within the limit, sent with its length", async () => {
    const tokens = await issuer();
    const apiServer = await api("at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const request = new Request(`${apiServer.url}/items`, { method: "POST", body: '{"a":1}', headers: { "Content-Type": "application/json" } });
    const response = await session.fetch(request);
    expect(response.status).toBe(200);
    expect(apiServer.requests.map((r) => [r.headers.authorization, r.headers["content-type"], r.headers["content-length"], r.body])).toEqual([
      ["Bearer at-1", "application/json", "7", '{"a":1}'],
      ["Bearer at-2", "application/json", "7", '{"a":1}'],
    ]);
    await session.close();
  });

  it("streams a Request body longer than the limit, and returns its 401", async () => {
    const tokens = await issuer();
    const apiServer = await api("at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const chunk = "y".repeat(256 * 1024);
    const count = REPLAY_LIMIT_BYTES / chunk.length + 4;
    const { stream } = textStream(Array.from({ length: count }, () => chunk));
    const request = new Request(`${apiServer.url}/upload`, { method: "PUT", body: stream, duplex: "half" } as RequestInit);
    const response = await session.fetch(request);
    expect(response.status).toBe(401);
    expect(apiServer.requests).toHaveLength(1);
    expect(apiServer.requests[0]?.headers["transfer-encoding"]).toBe("chunked");
    expect(apiServer.requests[0]?.body.length).toBe(count * chunk.length);
    expect(tokens.requests).toHaveLength(2);
    await session.close();
  });

  it("takes init's body over the Request's", async () => {
    const tokens = await issuer();
    const apiServer = await api("at-2");
    const session = sessionFor(tokens.url, apiServer.url);
    const request = new Request(`${apiServer.url}/items`, { method: "POST", body: "from the request" });
    const response = await session.fetch(request, { body: "from init" });
    expect(response.status).toBe(200);
    expect(apiServer.requests.map((r) => r.body)).toEqual(["from init", "from init"]);
    await session.close();
  });
});
