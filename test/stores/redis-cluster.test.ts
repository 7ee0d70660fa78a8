// RedisTokenStore on a Redis Cluster of 3 masters started by this file,
// through an ioredis `Cluster` client passed in.
import { randomUUID } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StoredToken } from "../../generator/runtime/store.js";
import { RedisTokenStore, RedisTokenStoreError } from "../../generator/stores/redis-store.js";
import { describeTokenStore } from "../session/store-conformance.js";
import { keySlot, startRedisCluster } from "../support/redis-topology.js";
import type { RedisCluster, RedisNode } from "../support/redis-topology.js";
import { delay, redisHarness } from "./redis-harness.js";

const TIMEOUT_MS = 300;

let cluster: RedisCluster;
/** One client for every store of the file, as an application shares one. */
let shared: Cluster;
const stores: RedisTokenStore[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
  shared = new Cluster([...cluster.startupNodes]);
  shared.on("error", () => undefined);
}, 30_000);

afterAll(async () => {
  shared?.disconnect();
  await cluster?.stop();
});

afterEach(async () => {
  for (const node of cluster.nodes) node.thaw();
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

function store(prefix = `cluster-${randomUUID()}:`): RedisTokenStore {
  const made = new RedisTokenStore(shared, { prefix, commandTimeoutMs: TIMEOUT_MS });
  stores.push(made);
  return made;
}

function token(overrides: Partial<StoredToken> = {}): StoredToken {
  const now = Date.now();
  return { accessToken: "at-cluster", refreshToken: "rt-cluster", expiresAt: now + 3_600_000, receivedAt: now, ...overrides };
}

/** A plain (non-cluster) connection to one node, to look at what it holds. */
async function onNode<T>(node: RedisNode, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: node.host, port: node.port, maxRetriesPerRequest: 0 });
  try {
    return await run(client);
  } finally {
    client.disconnect();
  }
}

/** Session keys whose slots are served by each master in turn. */
function keysOnEveryNode(s: RedisTokenStore): string[] {
  const found = new Map<RedisNode, string>();
  while (found.size < cluster.nodes.length) {
    const key = `k-${randomUUID()}`;
    const node = cluster.nodeFor(s.tokenKey(key));
    if (!found.has(node)) found.set(node, key);
  }
  return cluster.nodes.map((node) => found.get(node) as string);
}

describeTokenStore("RedisTokenStore (3-master cluster)", () => redisHarness(() => shared, () => shared), { foreignValues: true });

describe("RedisTokenStore on a cluster", () => {
  it("keeps every key of a session key on one node, and spreads session keys over every master", async () => {
    const s = store();
    const keys = Array.from({ length: 30 }, () => `k-${randomUUID()}`);
    const used = new Set<RedisNode>();
    for (const key of keys) {
      const names = [s.tokenKey(key), s.leaseKey(key), s.coolDownKey(key), s.channelName(key)];
      const slots = await Promise.all(names.map((name) => shared.cluster("KEYSLOT", name)));
      expect(new Set(slots).size, names.join(" ")).toBe(1);
      expect(slots[0]).toBe(keySlot(names[0] as string));
      used.add(cluster.nodeFor(names[0] as string));
      expect(await s.set(key, token())).toBe(true);
      expect(await s.acquire(key, 60_000)).toBeDefined();
      await s.coolDown(key, 60_000);
    }
    expect(used.size).toBe(3);
    for (const key of keys) {
      const node = cluster.nodeFor(s.tokenKey(key));
      expect(await onNode(node, (client) => client.exists(s.tokenKey(key), s.leaseKey(key), s.coolDownKey(key)))).toBe(3);
    }
    for (const node of cluster.nodes) expect(await onNode(node, (client) => client.dbsize())).toBeGreaterThan(0);
  });

  it("wakes waitForChange whichever master the key lives on (PUBLISH reaches every node)", async () => {
    const prefix = `cluster-${randomUUID()}:`;
    const waiter = store(prefix);
    const writer = store(prefix);
    for (const key of keysOnEveryNode(waiter)) {
      const waiting = waiter.waitForChange(key, 5_000);
      await delay(100);
      const started = performance.now();
      expect(await writer.set(key, token())).toBe(true);
      await waiting;
      expect(performance.now() - started, `key on ${cluster.nodeFor(waiter.tokenKey(key)).port}`).toBeLessThan(2_000);
    }
  });

  it("bounds the methods for keys on a frozen master; keys on the others keep working", async () => {
    const s = store();
    const [frozenKey, ...liveKeys] = keysOnEveryNode(s) as [string, ...string[]];
    await s.set(frozenKey, token());
    const frozen = cluster.nodeFor(s.tokenKey(frozenKey));
    frozen.freeze();
    try {
      const started = performance.now();
      const results = await Promise.allSettled([s.get(frozenKey), s.set(frozenKey, token()), s.acquire(frozenKey, 1_000), s.coolDownRemaining(frozenKey)]);
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 300);
      for (const result of results) {
        expect(result.status).toBe("rejected");
        if (result.status === "rejected") expect(result.reason).toBeInstanceOf(RedisTokenStoreError);
      }
      for (const key of liveKeys) {
        expect(await s.set(key, token({ accessToken: "at-live" }))).toBe(true);
        expect((await s.get(key))?.accessToken).toBe("at-live");
      }
    } finally {
      frozen.thaw();
    }
    expect((await s.get(frozenKey))?.accessToken).toBeDefined();
  });
});
