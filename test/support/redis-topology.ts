// Real Redis processes for tests, on loopback and free ports: a single
// server, a cluster of masters, and a master + replica watched by sentinels.
// Each process can be killed, restarted, frozen (SIGSTOP) and thawed; every
// process dies with the test process (an `exit` hook, and a watchdog process
// for a test process that is killed by a signal). A missing `redis-server`
// makes every helper reject with REDIS_INSTALL_HINT: tests fail, never skip.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

export const LOOPBACK = "127.0.0.1";

export const REDIS_INSTALL_HINT =
  "redis-server is not installed or not on PATH: the Redis token store tests need it " +
  "(Debian/Ubuntu: apt-get install redis-server redis-tools; .ci/run installs them)";

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** One redis-server (or sentinel) process, restartable on the same port. */
export interface RedisNode extends Address {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** Its working directory (nodes.conf, AOF, sentinel.conf); removed by `stop`. */
  readonly dir: string;
  /** The current process id; undefined while it is not running. */
  readonly pid: number | undefined;
  /** A process is running (it may be frozen). */
  readonly running: boolean;
  readonly frozen: boolean;
  /** SIGKILL, resolved once it has exited. Data not persisted is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (killing it first if it runs); resolves once it answers PING. */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing is answered. */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
  /** Ends it for good (thawing it first) and removes its directory. */
  stop(): Promise<void>;
  /** The tail of its log, for failure messages. */
  log(): string;
}

export interface StartRedisOptions {
  /**
   * `"aof"`: `appendonly yes` with `appendfsync always` in the node's
   * directory, so acknowledged writes survive `kill` + `restart`. Default
   * `"none"`: no RDB, no AOF, a restart starts empty.
   */
  readonly persistence?: "none" | "aof";
  /** More `--name value...` arguments for redis-server. */
  readonly args?: readonly string[];
  /** The binary (default `redis-server`). */
  readonly command?: string;
}

// ---------------------------------------------------------------------------
// Process bookkeeping: every process dies with this one.

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
let hooked = false;
let watchdogFile: string | undefined;

function track(child: ChildProcess): void {
  hook();
  live.add(child);
  child.once("exit", () => {
    live.delete(child);
    writeWatchdogFile();
  });
  writeWatchdogFile();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const child of live) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  // The exit hook does not run when this process is killed by a signal (a test
  // runner ending its workers): a detached shell polls for this process and
  // then kills whatever pids the file lists and removes the directories.
  const base = mkdtempSync(join(tmpdir(), "tokenwright-redis-watchdog-"));
  watchdogFile = join(base, "pids");
  writeFileSync(watchdogFile, "");
  const script =
    'while kill -0 "$1" 2>/dev/null; do sleep 0.5; done; ' +
    'while read -r kind value; do if [ "$kind" = pid ]; then kill -9 "$value" 2>/dev/null; else rm -rf "$value"; fi; done < "$2"; ' +
    'rm -rf "$3"';
  const watchdog = spawn("sh", ["-c", script, "watchdog", String(process.pid), watchdogFile, base], {
    detached: true,
    stdio: "ignore",
  });
  watchdog.on("error", () => undefined);
  watchdog.unref();
  process.on("exit", () => {
    rmSync(base, { recursive: true, force: true });
    try {
      watchdog.kill("SIGKILL");
    } catch {
      // already gone
    }
  });
}

function writeWatchdogFile(): void {
  if (watchdogFile === undefined) return;
  const lines = [...live].filter((child) => child.pid !== undefined).map((child) => `pid ${child.pid}`);
  for (const dir of dirs) lines.push(`dir ${dir}`);
  try {
    writeFileSync(watchdogFile, lines.map((line) => `${line}\n`).join(""));
  } catch {
    // the watchdog is a second line of defence only
  }
}

function tempDir(kind: string): string {
  hook();
  const dir = mkdtempSync(join(tmpdir(), `tokenwright-${kind}-`));
  dirs.add(dir);
  writeWatchdogFile();
  return dir;
}

function removeDir(dir: string): void {
  dirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
  writeWatchdogFile();
}

// ---------------------------------------------------------------------------
// One process.

interface NodeSpec {
  readonly command: string;
  /** Arguments for a given port; called again on restart. */
  readonly args: (port: number, dir: string) => readonly string[];
  /** Written into `dir` before every start (sentinel.conf must exist and be writable). */
  readonly beforeStart?: (port: number, dir: string) => Promise<void>;
  readonly kind: string;
}

async function launchNode(spec: NodeSpec): Promise<RedisNode> {
  let lastError: unknown;
  // A free port can be taken between finding it and redis binding it; try again then.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = tempDir(spec.kind);
    try {
      const node = new ManagedNode(spec, port, dir);
      await node.start();
      return node;
    } catch (error) {
      removeDir(dir);
      if (error instanceof Error && error.message === REDIS_INSTALL_HINT) throw error;
      lastError = error;
    }
  }
  throw new Error(`${spec.command} did not start: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

class ManagedNode implements RedisNode {
  readonly host = LOOPBACK;
  readonly url: string;
  private child: ChildProcess | undefined;
  private output = "";
  private isFrozen = false;
  private stopped = false;

  constructor(
    private readonly spec: NodeSpec,
    readonly port: number,
    readonly dir: string,
  ) {
    this.url = `redis://${LOOPBACK}:${port}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  get frozen(): boolean {
    return this.running && this.isFrozen;
  }

  log(): string {
    return this.output.slice(-4000);
  }

  async start(): Promise<void> {
    if (this.stopped) throw new Error(`redis node on port ${this.port} was stopped`);
    await this.spec.beforeStart?.(this.port, this.dir);
    const child = spawn(this.spec.command, [...this.spec.args(this.port, this.dir)], {
      cwd: this.dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.isFrozen = false;
    const append = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString("utf8")).slice(-20_000);
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    const failed = new Promise<never>((_, reject) => {
      child.once("error", (error: NodeJS.ErrnoException) => {
        reject(error.code === "ENOENT" ? new Error(REDIS_INSTALL_HINT) : error);
      });
      child.once("exit", (code, signal) => {
        reject(new Error(`${this.spec.command} on port ${this.port} exited (${signal ?? code}) before answering PING:\n${this.log()}`));
      });
    });
    failed.catch(() => undefined);
    if (child.pid !== undefined) track(child);
    try {
      await Promise.race([failed, waitForPong(this.port, 10_000)]);
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
    this.isFrozen = false;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  freeze(): void {
    if (!this.running) throw new Error(`redis node on port ${this.port} is not running`);
    this.child?.kill("SIGSTOP");
    this.isFrozen = true;
  }

  thaw(): void {
    if (!this.running) return;
    this.child?.kill("SIGCONT");
    this.isFrozen = false;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const child = this.child;
    if (child !== undefined && this.running) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), 2_000);
      await exited;
      clearTimeout(force);
    }
    removeDir(this.dir);
  }
}

// ---------------------------------------------------------------------------
// A single server.

function serverArgs(options: StartRedisOptions, extra: readonly string[] = []): NodeSpec["args"] {
  return (port, dir) => [
    "--port", String(port),
    "--bind", LOOPBACK,
    "--dir", dir,
    "--daemonize", "no",
    "--save", "",
    // A replica's first sync would otherwise wait 5 s for more replicas.
    "--repl-diskless-sync-delay", "0",
    ...(options.persistence === "aof"
      ? ["--appendonly", "yes", "--appendfsync", "always"]
      : ["--appendonly", "no"]),
    ...extra,
    ...(options.args ?? []),
  ];
}

/**
 * Spawns `redis-server` on a free loopback port and waits until it answers
 * PING. Rejects (never skips) when `redis-server` is missing.
 */
export function startRedis(options: StartRedisOptions = {}): Promise<RedisNode> {
  return launchNode({ kind: "redis", command: options.command ?? "redis-server", args: serverArgs(options) });
}

// ---------------------------------------------------------------------------
// A cluster.

export interface StartRedisClusterOptions extends StartRedisOptions {
  /** How many masters share the 16384 slots (default 3). */
  readonly masters?: number;
  /** `cluster-node-timeout` (default 5000 ms). */
  readonly nodeTimeoutMs?: number;
}

export interface RedisCluster {
  /** Every master, in slot order: `nodes[0]` serves slot 0. */
  readonly nodes: readonly RedisNode[];
  /** For `new Cluster(startupNodes)`. */
  readonly startupNodes: readonly Address[];
  /** The slot a key hashes to (CRC16 of its hash tag, as Redis does). */
  slotOf(key: string): number;
  /** The master serving `key`'s slot. */
  nodeFor(key: string): RedisNode;
  /** Resolves once every running node reports `cluster_state:ok` and knows every other node. */
  waitForOk(withinMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const SLOTS = 16384;

/**
 * Starts `masters` cluster-enabled redis-servers (no replicas) on loopback,
 * assigns each a contiguous share of the slots, has them meet, and waits for
 * `cluster_state:ok` everywhere.
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  const count = options.masters ?? 3;
  if (!(count >= 1 && Number.isInteger(count))) throw new RangeError("masters must be a positive integer");
  const nodes: RedisNode[] = [];
  const busPorts = new Map<number, number>();
  try {
    for (let i = 0; i < count; i++) {
      const bus = await freePort();
      const node = await launchNode({
        kind: "redis-cluster",
        command: options.command ?? "redis-server",
        args: (port, dir) => {
          busPorts.set(port, bus);
          return serverArgs(options, [
            "--cluster-enabled", "yes",
            "--cluster-config-file", join(dir, "nodes.conf"),
            "--cluster-port", String(bus),
            "--cluster-node-timeout", String(options.nodeTimeoutMs ?? 5_000),
            "--cluster-announce-ip", LOOPBACK,
          ])(port, dir);
        },
      });
      nodes.push(node);
    }
    await withAdmin(nodes, async (admins) => {
      for (const [i, admin] of admins.entries()) {
        const first = Math.floor((SLOTS * i) / count);
        const last = Math.floor((SLOTS * (i + 1)) / count) - 1;
        await admin.call("CLUSTER", "SET-CONFIG-EPOCH", String(i + 1));
        await admin.call("CLUSTER", "ADDSLOTSRANGE", String(first), String(last));
      }
      const [first] = admins;
      for (const node of nodes.slice(1)) {
        await first?.call("CLUSTER", "MEET", LOOPBACK, String(node.port), String(busPorts.get(node.port)));
      }
    });
    const cluster: RedisCluster = {
      nodes,
      startupNodes: nodes.map((node) => ({ host: node.host, port: node.port })),
      slotOf: keySlot,
      nodeFor(key) {
        const slot = keySlot(key);
        const node = nodes.find((_, i) => slot >= Math.floor((SLOTS * i) / count) && slot < Math.floor((SLOTS * (i + 1)) / count));
        if (!node) throw new Error(`no node serves slot ${slot}`);
        return node;
      },
      waitForOk: (withinMs = 20_000) => waitForClusterOk(nodes, withinMs),
      stop: () => stopAll(nodes),
    };
    await cluster.waitForOk();
    return cluster;
  } catch (error) {
    await stopAll(nodes);
    throw error;
  }
}

async function waitForClusterOk(nodes: readonly RedisNode[], withinMs: number): Promise<void> {
  const running = nodes.filter((node) => node.running && !node.frozen);
  let last = "";
  await waitFor(`cluster_state:ok on ${running.map((node) => node.port).join(", ")}`, withinMs, async () => {
    return withAdmin(running, async (admins) => {
      for (const admin of admins) {
        const info = (await admin.call("CLUSTER", "INFO")) as string;
        last = info;
        if (!info.includes("cluster_state:ok")) return false;
        if (!info.includes(`cluster_known_nodes:${nodes.length}`)) return false;
        if (!info.includes(`cluster_slots_assigned:${SLOTS}`)) return false;
      }
      return true;
    });
  }, () => last);
}

// ---------------------------------------------------------------------------
// Sentinel.

export interface StartRedisSentinelOptions extends StartRedisOptions {
  /** 1 (quorum 1) or 3 (quorum 2) sentinels; default 1. */
  readonly sentinels?: 1 | 3;
  /** Default `tokenwright-master`. */
  readonly masterName?: string;
  /** `down-after-milliseconds` (default 1000). */
  readonly downAfterMs?: number;
  /** `failover-timeout` (default 3000). */
  readonly failoverTimeoutMs?: number;
}

export interface RedisSentinel {
  readonly masterName: string;
  /** For ioredis `{ sentinels, name: masterName }`. */
  readonly sentinels: readonly Address[];
  readonly sentinelNodes: readonly RedisNode[];
  /** The master when it started. */
  readonly master: RedisNode;
  /** The replica when it started. */
  readonly replica: RedisNode;
  /** The master the (first running) sentinel reports now. */
  currentMaster(): Promise<Address>;
  /** The data node serving as master now (`master` or `replica`). */
  currentMasterNode(): Promise<RedisNode>;
  /**
   * Kills (SIGKILL) the current master and resolves with the new master once
   * a sentinel reports the other data node as master and it has taken that role.
   */
  failover(withinMs?: number): Promise<Address>;
  stop(): Promise<void>;
}

/**
 * Starts a master, one replica of it and 1 or 3 sentinels watching it
 * (`redis-server sentinel.conf --sentinel`), all on loopback; resolves once
 * the replica is in sync and every sentinel knows the replica (and the other
 * sentinels), so a failover can happen right away.
 */
export async function startRedisSentinel(options: StartRedisSentinelOptions = {}): Promise<RedisSentinel> {
  const count = options.sentinels ?? 1;
  const masterName = options.masterName ?? "tokenwright-master";
  const downAfterMs = options.downAfterMs ?? 1_000;
  const failoverTimeoutMs = options.failoverTimeoutMs ?? 3_000;
  const command = options.command ?? "redis-server";
  const started: RedisNode[] = [];
  try {
    const master = await launchNode({ kind: "redis-master", command, args: serverArgs(options) });
    started.push(master);
    const replica = await launchNode({
      kind: "redis-replica",
      command,
      args: serverArgs(options, ["--replicaof", LOOPBACK, String(master.port)]),
    });
    started.push(replica);
    await waitFor(`replica ${replica.port} in sync with ${master.port}`, 10_000, () =>
      withAdmin([replica], async ([admin]) => ((await admin?.info("replication")) ?? "").includes("master_link_status:up")),
    );
    const sentinelNodes: RedisNode[] = [];
    for (let i = 0; i < count; i++) {
      const node = await launchNode({
        kind: "redis-sentinel",
        command,
        // Sentinel rewrites its config file; it is written fresh only for the first start.
        beforeStart: async (port, dir) => {
          const file = join(dir, "sentinel.conf");
          if (existsSync(file)) return;
          await writeFile(
            file,
            [
              `port ${port}`,
              `bind ${LOOPBACK}`,
              `dir ${dir}`,
              `sentinel monitor ${masterName} ${LOOPBACK} ${master.port} ${count === 1 ? 1 : 2}`,
              `sentinel down-after-milliseconds ${masterName} ${downAfterMs}`,
              `sentinel failover-timeout ${masterName} ${failoverTimeoutMs}`,
              `sentinel parallel-syncs ${masterName} 1`,
              "",
            ].join("\n"),
          );
        },
        args: (_port, dir) => [join(dir, "sentinel.conf"), "--sentinel"],
      });
      sentinelNodes.push(node);
      started.push(node);
    }
    await waitFor("sentinels to know the replica and each other", 15_000, () =>
      withAdmin(sentinelNodes, async (admins) => {
        for (const admin of admins) {
          const replicas = (await admin.call("SENTINEL", "REPLICAS", masterName)) as string[][];
          const known = replicas.map(fields).find((entry) => entry["port"] === String(replica.port));
          if (known === undefined || /s_down|o_down|disconnected/.test(known["flags"] ?? "")) return false;
          const others = (await admin.call("SENTINEL", "SENTINELS", masterName)) as string[][];
          if (others.length < count - 1) return false;
        }
        return true;
      }),
    );
    const dataNodes = [master, replica];
    const currentMaster = async (): Promise<Address> => {
      let lastError: unknown;
      for (const node of sentinelNodes.filter((candidate) => candidate.running && !candidate.frozen)) {
        try {
          return await withAdmin([node], async ([admin]) => {
            const reply = (await admin?.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)) as [string, string] | null;
            if (!reply) throw new Error(`sentinel ${node.port} does not know ${masterName}`);
            return { host: reply[0], port: Number(reply[1]) };
          });
        } catch (error) {
          lastError = error;
        }
      }
      throw new Error(`no sentinel answered: ${String(lastError)}`);
    };
    const currentMasterNode = async (): Promise<RedisNode> => {
      const address = await currentMaster();
      const node = dataNodes.find((candidate) => candidate.port === address.port);
      if (!node) throw new Error(`sentinel reports an unknown master ${address.host}:${address.port}`);
      return node;
    };
    return {
      masterName,
      sentinels: sentinelNodes.map((node) => ({ host: node.host, port: node.port })),
      sentinelNodes,
      master,
      replica,
      currentMaster,
      currentMasterNode,
      async failover(withinMs = 20_000) {
        const old = await currentMasterNode();
        const next = dataNodes.find((node) => node !== old);
        if (!next?.running) throw new Error("no running replica to fail over to");
        await old.kill();
        let seen = "";
        await waitFor(`sentinel to promote ${next.port} after killing ${old.port}`, withinMs, async () => {
          const address = await currentMaster();
          seen = `${address.host}:${address.port}`;
          if (address.port !== next.port) return false;
          return withAdmin([next], async ([admin]) => ((await admin?.info("replication")) ?? "").includes("role:master"));
        }, () => `sentinel reported ${seen}`);
        return { host: next.host, port: next.port };
      },
      stop: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Helpers.

/** Redis's key slot: CRC16 (XMODEM) of the hash tag, or of the whole key. */
export function keySlot(key: string): number {
  let bytes = Buffer.from(key, "utf8");
  const open = bytes.indexOf(0x7b); // {
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % SLOTS;
}

const handedOut = new Set<number>();

/** A free TCP port on loopback (free when asked; bind it soon), never one handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = await anyFreePort();
    if (!handedOut.has(port) || attempt >= 20) {
      handedOut.add(port);
      return port;
    }
  }
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when something on `port` answers PING with +PONG. */
export async function waitForPong(port: number, withinMs: number): Promise<void> {
  await waitFor(`PONG from port ${port}`, withinMs, () => ping(port));
}

/** Whether `port` answers PING within `timeoutMs`. */
export function ping(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    let reply = "";
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on("error", () => finish(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) finish(reply.startsWith("+PONG"));
    });
  });
}

async function waitFor(what: string, withinMs: number, check: () => Promise<boolean>, detail?: () => string): Promise<void> {
  const deadline = Date.now() + withinMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const extra = detail?.() ?? (lastError === undefined ? "" : String(lastError));
      throw new Error(`timed out after ${withinMs} ms waiting for ${what}${extra ? `: ${extra}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Short-lived plain connections to `nodes` (cluster nodes too: no redirects followed). */
async function withAdmin<T>(nodes: readonly RedisNode[], run: (admins: Redis[]) => Promise<T>): Promise<T> {
  const admins = nodes.map(
    (node) =>
      new Redis({
        host: node.host,
        port: node.port,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: 2_000,
        commandTimeout: 2_000,
        enableReadyCheck: false,
      }),
  );
  for (const admin of admins) admin.on("error", () => undefined);
  try {
    return await run(admins);
  } finally {
    for (const admin of admins) admin.disconnect();
  }
}

function fields(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string;
  return out;
}

async function stopAll(nodes: readonly RedisNode[]): Promise<void> {
  await Promise.all(nodes.map((node) => node.stop()));
}
