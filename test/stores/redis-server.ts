// Starts a throwaway redis-server on loopback for one test file.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { connect, createServer } from "node:net";
import type { AddressInfo } from "node:net";

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  stop(): Promise<void>;
}

export const INSTALL_HINT =
  "redis-server is not installed or not on PATH: the Redis token store tests need it " +
  "(Debian/Ubuntu: apt-get install redis-server; .ci/run installs it)";

/**
 * Spawns `redis-server` on a free loopback port without persistence and waits
 * until it answers PING. Rejects (never skips) when `redis-server` is missing.
 */
export async function startRedisServer(command = "redis-server"): Promise<RedisServer> {
  let lastError: unknown;
  // A free port can be taken between finding it and redis binding it; try again then.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(command, port);
    } catch (error) {
      if (error instanceof Error && error.message === INSTALL_HINT) throw error;
      lastError = error;
    }
  }
  throw new Error(`redis-server did not start: ${String(lastError)}`);
}

async function launch(command: string, port: number): Promise<RedisServer> {
  const child = spawn(command, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "ENOENT" ? new Error(INSTALL_HINT) : error);
    });
    child.once("exit", (code, signal) => {
      reject(new Error(`redis-server exited (${signal ?? code}) before answering PING:\n${output.slice(-2000)}`));
    });
  });
  failed.catch(() => undefined);
  try {
    await Promise.race([failed, waitForPong(port, 10_000)]);
  } catch (error) {
    await kill(child);
    throw error;
  }
  return { port, url: `redis://127.0.0.1:${port}`, stop: () => kill(child) };
}

async function waitForPong(port: number, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let reply = "";
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.on("error", () => finish(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) finish(reply.startsWith("+PONG"));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
