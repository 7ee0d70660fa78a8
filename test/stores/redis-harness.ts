// What the Redis store tests share: the conformance harness over any Redis
// topology, and values planted behind the store's back.
import { randomUUID } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import { RedisTokenStore } from "../../generator/stores/redis-store.js";
import type { RedisClient, RedisConnection, RedisTokenStoreOptions } from "../../generator/stores/redis-store.js";
import type { PlantedEntry, PlantedKind, StoreHarness } from "../session/store-conformance.js";

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Writes a foreign value where `store` keeps `key`'s entry, through `admin` (a plain client or a cluster). */
export async function plant(admin: Redis | Cluster, store: RedisTokenStore, key: string, entry: PlantedEntry, kind: PlantedKind): Promise<void> {
  const name = entry === "token" ? store.tokenKey(key) : entry === "lease" ? store.leaseKey(key) : store.coolDownKey(key);
  await admin.del(name);
  if (kind === "wrong-type") {
    await admin.hset(name, "planted", "1");
    await admin.pexpire(name, 60_000);
  } else if (kind === "garbage") {
    await admin.set(name, "{ not a token");
  } else {
    await admin.set(name, "another-holder");
  }
}

/**
 * A conformance harness: a store on `connection` with a fresh prefix, on the
 * fixed clock the shared suite's tokens are dated by (2023). Its leases and
 * cool-downs run on Redis's own clock, so `advance` really waits.
 */
export function redisHarness(
  connection: () => RedisClient | RedisConnection,
  admin: () => Redis | Cluster,
  options: RedisTokenStoreOptions = {},
): StoreHarness {
  const store = new RedisTokenStore(connection(), { prefix: `conformance-${randomUUID()}:`, now: () => 1_700_000_000_000, ...options });
  return {
    store,
    advance: delay,
    cleanup: () => store.close(),
    plant: (key, entry, kind) => plant(admin(), store, key, entry, kind),
  };
}
