// Self-test of the Redis test topologies and the TCP proxy.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { Cluster, Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { REDIS_INSTALL_HINT, keySlot, ping, startRedis, startRedisCluster, startRedisSentinel } from "./redis-topology.js";
import type { RedisNode } from "./redis-topology.js";
import { startTcpProxy } from "./tcp-proxy.js";

const MISSING = "tokenwright-no-such-redis-server";
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(node: { host: string; port: number }): Redis {
  const made = new Redis({ host: node.host, port: node.port, maxRetriesPerRequest: 0, retryStrategy: () => null });
  made.on("error", () => undefined);
  cleanups.push(() => made.disconnect());
  return made;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, withinMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("redis topologies: a missing redis-server", () => {
  it("makes every helper reject with the install hint (no skip)", async () => {
    await expect(startRedis({ command: MISSING })).rejects.toThrow(REDIS_INSTALL_HINT);
    await expect(startRedisCluster({ command: MISSING })).rejects.toThrow(REDIS_INSTALL_HINT);
    await expect(startRedisSentinel({ command: MISSING })).rejects.toThrow(REDIS_INSTALL_HINT);
  });
});

describe("startRedis", () => {
  it("kills, restarts on the same port (data lost), freezes, thaws and stops", async () => {
    const node = await startRedis();
    cleanups.push(() => node.stop());
    expect(node.url).toBe(`redis://127.0.0.1:${node.port}`);
    await client(node).set("k", "v");
    const firstPid = node.pid;
    await node.kill();
    expect(node.running).toBe(false);
    expect(await ping(node.port, 300)).toBe(false);
    await node.restart();
    expect(node.pid).not.toBe(firstPid);
    expect(await client(node).get("k")).toBeNull();

    node.freeze();
    expect(node.frozen).toBe(true);
    expect(await ping(node.port, 300)).toBe(false);
    node.thaw();
    expect(await ping(node.port, 1_000)).toBe(true);

    await node.stop();
    expect(await ping(node.port, 300)).toBe(false);
    expect(existsSync(node.dir)).toBe(false);
  });

  it("keeps data over kill + restart with AOF persistence", async () => {
    const node = await startRedis({ persistence: "aof" });
    cleanups.push(() => node.stop());
    await client(node).set("durable", "yes");
    await node.kill();
    await node.restart();
    expect(await client(node).get("durable")).toBe("yes");
  });
});

describe("startRedisCluster", () => {
  it("starts 3 masters sharing every slot, cluster_state:ok, keys spread over all three", async () => {
    const cluster = await startRedisCluster();
    cleanups.push(() => cluster.stop());
    expect(cluster.nodes).toHaveLength(3);
    for (const node of cluster.nodes) {
      const info = (await client(node).call("CLUSTER", "INFO")) as string;
      expect(info).toContain("cluster_state:ok");
      expect(info).toContain("cluster_slots_assigned:16384");
      expect(info).toContain("cluster_known_nodes:3");
    }
    const admin = client(cluster.nodes[0] as RedisNode);
    for (const key of ["a", "b{tag}c", "{tag}", "{}x", "x{}", "é{ü}", "plain-key-123"]) {
      expect(await admin.cluster("KEYSLOT", key), key).toBe(keySlot(key));
    }
    const routed = new Cluster([...cluster.startupNodes]);
    routed.on("error", () => undefined);
    cleanups.push(() => routed.disconnect());
    for (let i = 0; i < 60; i++) await routed.set(`spread-${i}`, String(i));
    for (const node of cluster.nodes) expect(await client(node).dbsize()).toBeGreaterThan(0);
    expect(await client(cluster.nodeFor("spread-7")).get("spread-7")).toBe("7");
  }, 30_000);
});

describe("startRedisSentinel", () => {
  it("promotes the replica when the master is killed", async () => {
    const topology = await startRedisSentinel();
    cleanups.push(() => topology.stop());
    expect((await topology.currentMaster()).port).toBe(topology.master.port);
    const viaSentinel = new Redis({ sentinels: [...topology.sentinels], name: topology.masterName });
    viaSentinel.on("error", () => undefined);
    cleanups.push(() => viaSentinel.disconnect());
    await viaSentinel.set("before", "failover");
    expect(await viaSentinel.call("WAIT", "1", "2000")).toBe(1);
    const promoted = await topology.failover();
    expect(promoted.port).toBe(topology.replica.port);
    expect(topology.master.running).toBe(false);
    expect(((await client(topology.replica).call("ROLE")) as unknown[])[0]).toBe("master");
    expect(await client(topology.replica).get("before")).toBe("failover");
  }, 30_000);
});

describe("startTcpProxy", () => {
  /** Sends PING on a raw connection through the proxy; resolves with the reply once one arrives. */
  function rawPing(port: number): { socket: ReturnType<typeof connect>; reply: Promise<string> } {
    const socket = connect({ host: "127.0.0.1", port });
    socket.on("error", () => undefined);
    const reply = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
        if (text.includes("\r\n")) resolve(text);
      });
      socket.on("close", () => resolve(text || "closed"));
    });
    socket.on("connect", () => socket.write("PING\r\n"));
    cleanups.push(() => void socket.destroy());
    return { socket, reply };
  }

  async function settled<T>(promise: Promise<T>, ms: number): Promise<T | "pending"> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wait = new Promise<"pending">((resolve) => (timer = setTimeout(() => resolve("pending"), ms)));
    try {
      return await Promise.race([promise, wait]);
    } finally {
      clearTimeout(timer);
    }
  }

  it("forwards, stalls a PING while paused, lets it through on resume, cuts and closes", async () => {
    const node = await startRedis();
    cleanups.push(() => node.stop());
    const proxy = await startTcpProxy({ port: node.port });
    cleanups.push(() => proxy.close());
    expect(await ping(proxy.port, 1_000)).toBe(true);

    const open = rawPing(proxy.port);
    expect(await open.reply).toBe("+PONG\r\n");

    proxy.pause();
    const stalled = rawPing(proxy.port);
    expect(await settled(stalled.reply, 300)).toBe("pending");
    expect(proxy.connections).toBeGreaterThanOrEqual(2);
    proxy.resume();
    expect(await settled(stalled.reply, 1_000)).toBe("+PONG\r\n");

    const before = proxy.connections;
    expect(before).toBeGreaterThan(0);
    const closed = new Promise<void>((resolve) => open.socket.once("close", () => resolve()));
    proxy.cut();
    await closed;
    expect(proxy.connections).toBe(0);
    expect(await ping(proxy.port, 1_000)).toBe(true);

    await proxy.close();
    expect(await ping(proxy.port, 300)).toBe(false);
  });
});

describe("process cleanup", () => {
  const CHILD = fileURLToPath(new URL("./fixtures/redis-owner-child.ts", import.meta.url));

  async function childWithRedis(exit: boolean): Promise<{ pid: number; dir: string; kill: () => void; exited: Promise<void> }> {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], { env: { ...process.env, EXIT: exit ? "1" : "0" }, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    cleanups.push(() => void child.kill("SIGKILL"));
    let output = "";
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const first = output.split("\n")[0];
        if (output.includes("\n") && first !== undefined) resolve(first);
      });
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      void exited.then(() => reject(new Error(`child exited before starting redis:\n${output}`)));
    });
    const { pid, dir } = JSON.parse(line) as { pid: number; dir: string };
    return { pid, dir, kill: () => child.kill("SIGKILL"), exited };
  }

  it("kills a test process's redis-server when it exits, and when it is killed (watchdog)", async () => {
    const [exiting, killed] = await Promise.all([childWithRedis(true), childWithRedis(false)]);
    await exiting.exited;
    await until("redis of an exited process to die", 3_000, () => !alive(exiting.pid));
    expect(existsSync(exiting.dir)).toBe(false);

    expect(alive(killed.pid)).toBe(true);
    killed.kill();
    await killed.exited;
    await until("redis of a killed process to die", 5_000, () => !alive(killed.pid));
    await until("its directory to go", 2_000, () => !existsSync(killed.dir));
  }, 20_000);
});
