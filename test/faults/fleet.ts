// Spawns fault-suite workers (test/faults/worker.ts), each a separate OS
// process with its own session over a shared Redis, and talks to them.
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));

export interface StoreSetting {
  readonly url?: string;
  readonly cluster?: readonly { host: string; port: number }[];
  readonly sentinels?: readonly { host: string; port: number }[];
  readonly name?: string;
}

export interface WorkerSetup {
  readonly store: StoreSetting;
  readonly tokenUrl: string;
  readonly grant: "authorization_code" | "client_credentials";
  readonly prefix: string;
  readonly deadlineMs: number;
  readonly leaseMs: number;
  readonly storeTimeoutMs: number;
}

export type CallResult = { readonly ok: true; readonly token: string } | { readonly ok: false; readonly kind: string };

export interface CallReport {
  readonly results: readonly CallResult[];
  /** The longest any of the calls waited, in ms. */
  readonly maxMs: number;
}

export interface Worker {
  call(n?: number): Promise<CallReport>;
  key(): Promise<{ readonly tokenKey: string; readonly leaseKey: string }>;
  stats(): Promise<Record<string, number>>;
  close(): Promise<void>;
  kill(): void;
  readonly exited: Promise<number | null>;
}

export function newPrefix(): string {
  return `faults-${randomUUID().slice(0, 8)}:`;
}

/** Starts `count` workers and resolves once each has connected. */
export async function startWorkers(count: number, setup: WorkerSetup, stores: readonly StoreSetting[] = []): Promise<Worker[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => startWorker({ ...setup, store: stores[i] ?? setup.store })));
}

const running = new Set<ChildProcessWithoutNullStreams>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

async function startWorker(setup: WorkerSetup): Promise<Worker> {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER], {
    env: {
      ...process.env,
      STORE: JSON.stringify(setup.store),
      TOKEN_URL: setup.tokenUrl,
      GRANT: setup.grant,
      PREFIX: setup.prefix,
      DEADLINE_MS: String(setup.deadlineMs),
      LEASE_MS: String(setup.leaseMs),
      STORE_TIMEOUT_MS: String(setup.storeTimeoutMs),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  running.add(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-4000)));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const waiting = new Map<number, (message: Record<string, unknown>) => void>();
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout }).on("line", (line) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (message["ready"] === true) ready();
    const id = message["id"];
    if (typeof id === "number") {
      waiting.get(id)?.(message);
      waiting.delete(id);
    }
  });
  const died = exited.then((code) => {
    throw new Error(`fault worker exited (${code}) unexpectedly:\n${stderr}`);
  });
  died.catch(() => undefined);
  await Promise.race([isReady, died]);
  let next = 0;
  const ask = (op: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> => {
    next += 1;
    const id = next;
    const answered = new Promise<Record<string, unknown>>((resolve) => waiting.set(id, resolve));
    child.stdin.write(`${JSON.stringify({ id, op, ...extra })}\n`);
    return Promise.race([answered, died]);
  };
  return {
    call: async (n = 1) => (await ask("call", { n })) as unknown as CallReport,
    key: async () => (await ask("key")) as unknown as { tokenKey: string; leaseKey: string },
    stats: async () => ((await ask("stats"))["stats"] ?? {}) as Record<string, number>,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await Promise.race([ask("close").catch(() => undefined), exited]);
      await exited;
    },
    kill: () => child.kill("SIGKILL"),
    exited,
  };
}

/** Every worker makes `n` calls at once; resolves with all their reports. */
export function callAll(workers: readonly Worker[], n = 1): Promise<CallReport[]> {
  return Promise.all(workers.map((worker) => worker.call(n)));
}

export function tokensOf(reports: readonly CallReport[]): string[] {
  return [...new Set(reports.flatMap((report) => report.results.flatMap((result) => (result.ok ? [result.token] : []))))];
}

export function failuresOf(reports: readonly CallReport[]): string[] {
  return reports.flatMap((report) => report.results.flatMap((result) => (result.ok ? [] : [result.kind])));
}

export function maxWait(reports: readonly CallReport[]): number {
  return Math.max(0, ...reports.map((report) => report.maxMs));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
