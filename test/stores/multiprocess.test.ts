// Token sessions in separate OS processes, sharing one RedisTokenStore, make
// one token request between them; a process that dies holding the refresh
// lease holds the others up for no longer than the lease.
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTokenServer } from "../support/loopback.js";
import type { TokenServer, TokenServerHandler } from "../support/loopback.js";
import { startRedis } from "../support/redis-topology.js";
import type { RedisNode } from "../support/redis-topology.js";

const CHILD = fileURLToPath(new URL("./fixtures/session-child.ts", import.meta.url));

let redis: RedisNode;
let admin: Redis;
const children: Child[] = [];
const servers: TokenServer[] = [];

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
}, 20_000);

afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  /** Resolves when the child printed `{"ready":true}`; rejects if it exits first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<Exit>;
  go(): void;
  kill(): void;
}

interface Case {
  readonly tokenUrl: string;
  readonly prefix: string;
  readonly keyId: string;
  readonly leaseMs: number;
  readonly calls: number;
}

function spawnChild(setup: Case): Child {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    env: {
      ...process.env,
      REDIS_URL: redis.url,
      PREFIX: setup.prefix,
      TOKEN_URL: setup.tokenUrl,
      KEY_ID: setup.keyId,
      LEASE_MS: String(setup.leaseMs),
      CALLS: String(setup.calls),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      if (stdout.includes('{"ready":true}')) resolve();
    });
    void exited.then((exit) => reject(new Error(`child exited before it was ready (${exit.code ?? exit.signal}):\n${stderr}`)));
  });
  ready.catch(() => undefined);
  const made: Child = {
    process: child,
    ready,
    exited,
    go: () => child.stdin.end("go\n"),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
  children.push(made);
  return made;
}

/** The distinct tokens a child printed; fails with its output when it did not exit cleanly. */
async function tokensOf(child: Child, withinMs: number): Promise<string[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), withinMs)));
  const exit = await Promise.race([child.exited, timedOut]);
  clearTimeout(timer);
  if (exit === "timeout") {
    child.kill();
    throw new Error(`child did not finish within ${withinMs} ms`);
  }
  expect(exit.code, `child failed:\n${exit.stdout}\n${exit.stderr}`).toBe(0);
  const line = exit.stdout.split("\n").find((text) => text.startsWith('{"tokens":'));
  expect(line, `child printed no tokens:\n${exit.stdout}`).toBeDefined();
  const parsed = JSON.parse(line ?? "{}") as { tokens?: unknown };
  if (!Array.isArray(parsed.tokens)) throw new Error(`unexpected output: ${line}`);
  return parsed.tokens.map(String);
}

/** A token endpoint that counts POSTs and answers each after ~100 ms, so concurrent requests overlap. */
async function tokenServer(hangFirst = false): Promise<{ server: TokenServer; posts: () => number; firstPost: Promise<void> }> {
  let count = 0;
  let sawFirst: () => void = () => undefined;
  const firstPost = new Promise<void>((resolve) => (sawFirst = resolve));
  const handler: TokenServerHandler = async (request) => {
    if (request.method !== "POST") return { status: 405 };
    count += 1;
    const n = count;
    sawFirst();
    if (hangFirst && n === 1) return; // never answered: its requester is killed
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { status: 200, body: { access_token: `at-multi-${n}-${randomUUID()}`, token_type: "bearer", expires_in: 3600 } };
  };
  const server = await startTokenServer(handler);
  servers.push(server);
  return { server, posts: () => count, firstPost };
}

function newCase(tokenUrl: string, leaseMs: number, calls: number): Case {
  const id = randomUUID();
  return { tokenUrl, prefix: `mp-${id}:`, keyId: id, leaseMs, calls };
}

describe("RedisTokenStore shared by OS processes", () => {
  it("8 processes, 50 concurrent calls each: one token request, one token", async () => {
    const { server, posts } = await tokenServer();
    const setup = newCase(server.url, 5_000, 50);
    const group = Array.from({ length: 8 }, () => spawnChild(setup));
    await Promise.all(group.map((child) => child.ready));
    expect(posts()).toBe(0);
    for (const child of group) child.go();
    const results = await Promise.all(group.map((child) => tokensOf(child, 15_000)));
    const distinct = new Set(results.flat());
    expect(results.every((tokens) => tokens.length === 1)).toBe(true);
    expect(distinct.size).toBe(1);
    expect([...distinct][0]).toMatch(/^at-multi-1-/);
    expect(posts()).toBe(1);
    expect(server.requests.filter((request) => request.method === "POST")).toHaveLength(1);
  }, 25_000);

  it("a process that dies holding the lease blocks the others only until the lease runs out", async () => {
    const leaseMs = 500;
    const { server, posts, firstPost } = await tokenServer(true);
    const setup = newCase(server.url, leaseMs, 20);
    const holder = spawnChild({ ...setup, calls: 1 });
    const group = Array.from({ length: 4 }, () => spawnChild(setup));
    await Promise.all([holder.ready, ...group.map((child) => child.ready)]);

    holder.go();
    await firstPost;
    // The holder has the lease and its request is in flight: kill it there.
    const leases = await admin.keys(`${setup.prefix}*:lease`);
    expect(leases).toHaveLength(1);
    const lease = leases[0] ?? "";
    holder.kill();
    expect((await holder.exited).signal).toBe("SIGKILL");
    const leftMs = await admin.pttl(lease);
    expect(leftMs).toBeGreaterThan(0);
    expect(leftMs).toBeLessThanOrEqual(leaseMs);

    const started = Date.now();
    for (const child of group) child.go();
    const results = await Promise.all(group.map((child) => tokensOf(child, 10_000)));
    const tookMs = Date.now() - started;
    const distinct = new Set(results.flat());
    expect(distinct.size).toBe(1);
    expect([...distinct][0]).toMatch(/^at-multi-2-/);
    expect(posts()).toBe(2);
    // They did wait for the dead holder's lease, and not much longer.
    expect(tookMs).toBeGreaterThanOrEqual(leftMs - 50);
    expect(tookMs).toBeLessThan(leftMs + 3_000);
  }, 25_000);
});
