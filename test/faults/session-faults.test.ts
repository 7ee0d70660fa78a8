// Sessions under store faults, with real processes: three workers (separate
// OS processes, each its own session) share one Redis (a single server, a
// 3-master cluster, or a master/replica pair behind Sentinel) and a token
// endpoint that rotates refresh tokens and revokes the family on reuse.
// Redis is killed, restarted, frozen (SIGSTOP) and cut off (a paused TCP
// proxy) while the workers ask for tokens. Each row asserts: no refresh
// token sent twice (the server saw no reuse), no caller waited past the
// deadline, every call ended in a token or a typed error, and token
// requests against the ideal; and prints its figures.
import { Cluster, Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRedis, startRedisCluster, startRedisSentinel } from "../support/redis-topology.js";
import type { RedisCluster, RedisNode, RedisSentinel } from "../support/redis-topology.js";
import { startTcpProxy } from "../support/tcp-proxy.js";
import type { TcpProxy } from "../support/tcp-proxy.js";
import { callAll, failuresOf, maxWait, newPrefix, sleep, startWorkers, tokensOf } from "./fleet.js";
import type { CallReport, StoreSetting, Worker, WorkerSetup } from "./fleet.js";
import { startRotatingServer } from "./rotating-server.js";
import type { RotatingServer } from "./rotating-server.js";

const LIFETIME_S = 3;
/** Past the token's expiry: the next call must refresh, and nothing stale can be served. */
const EXPIRE_MS = LIFETIME_S * 1000 + 100;
const DEADLINE_MS = 4_000;
const LEASE_MS = 3_000;
const STORE_TIMEOUT_MS = 500;
/** What a call may take past the deadline: timers, process scheduling. */
const SLACK_MS = 750;
/** The kinds of error a caller may see while the store is out. */
const TYPED = new Set(["store_unavailable", "deadline", "cooling_down"]);

interface Topology {
  readonly name: string;
  readonly store: StoreSetting;
  /** The same store through a pausable TCP proxy, where the topology has one. */
  readonly proxy?: TcpProxy;
  admin(): Redis | Cluster;
  /** The store loses its data (single server, cluster node) or fails over (Sentinel). */
  restart(key: string): Promise<void>;
  freeze(key: string): void | Promise<void>;
  thaw(key: string): void;
  stop(): Promise<void>;
}

interface Figures {
  readonly requests: number;
  readonly ideal: number;
  readonly typedErrors: number;
  readonly maxWaitMs: number;
}

function report(topology: string, row: string, server: RotatingServer, figures: Figures): void {
  const line =
    `fault [${topology}] ${row}: token requests ${figures.requests} (ideal ${figures.ideal}), ` +
    `refresh tokens sent twice ${server.reuses.length}, typed errors ${figures.typedErrors}, ` +
    `longest wait ${figures.maxWaitMs} ms (deadline ${DEADLINE_MS} ms)`;
  console.log(line);
}

function totalRequests(server: RotatingServer): number {
  return server.requests.authorization_code + server.requests.refresh_token + server.requests.client_credentials;
}

/** Every call ended in a token or a typed error, within the deadline. */
function expectSettled(reports: readonly CallReport[]): void {
  for (const kind of failuresOf(reports)) expect(TYPED, `unexpected error kind ${kind}`).toContain(kind);
  expect(maxWait(reports)).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
}

function describeFaults(name: string, open: () => Promise<Topology>, rows: readonly string[]): void {
  describe(`sessions under faults: ${name}`, () => {
    let topology: Topology;
    let server: RotatingServer;
    let workers: Worker[] = [];

    beforeAll(async () => {
      topology = await open();
    }, 60_000);
    afterAll(async () => {
      await topology?.stop();
    }, 30_000);
    afterEach(async () => {
      await Promise.all(workers.map((worker) => worker.close().catch(() => worker.kill())));
      workers = [];
      await server?.close();
    }, 20_000);

    async function fleet(grant: WorkerSetup["grant"], overrides: Partial<WorkerSetup> = {}, stores: StoreSetting[] = []): Promise<Worker[]> {
      server = await startRotatingServer({ lifetimeS: LIFETIME_S });
      const setup: WorkerSetup = {
        store: topology.store,
        tokenUrl: server.url,
        grant,
        prefix: newPrefix(),
        deadlineMs: DEADLINE_MS,
        leaseMs: LEASE_MS,
        storeTimeoutMs: STORE_TIMEOUT_MS,
        ...overrides,
      };
      workers = await startWorkers(3, setup, stores);
      return workers;
    }

    /** The first worker exchanges the code; the others adopt its token from the store. */
    async function signedIn(): Promise<string> {
      const first = await workers[0]!.call();
      expect(tokensOf([first])).toEqual(["at-1"]);
      expect(tokensOf(await callAll(workers, 5))).toEqual(["at-1"]);
      return (await workers[0]!.key()).tokenKey;
    }

    const row = (title: string, run: () => Promise<Figures>): void => {
      // Rows a topology cannot stage (a proxy in front of a cluster) are left out, not skipped.
      if (!rows.includes(title)) return;
      it(
        title,
        async () => {
          let figures: Figures;
          try {
            figures = await run();
          } catch (error) {
            console.log(`fault [${name}] ${title}: FAILED; requests ${JSON.stringify(server?.requests)}, reused ${JSON.stringify(server?.reuses)}`);
            throw error;
          }
          report(name, title, server, figures);
          expect(server.reuses).toEqual([]);
          expect(server.revoked).toBe(false);
          expect(figures.maxWaitMs).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
          expect(figures.requests).toBe(figures.ideal);
        },
        60_000,
      );
    };

    row("many callers in three processes: one token request per refresh", async () => {
      await fleet("authorization_code");
      await signedIn();
      await sleep(EXPIRE_MS);
      const reports = await callAll(workers, 50);
      expect(tokensOf(reports)).toEqual(["at-2"]);
      expect(failuresOf(reports)).toEqual([]);
      return { requests: totalRequests(server), ideal: 2, typedErrors: 0, maxWaitMs: maxWait(reports) };
    });

    row("store restarts while idle: the rotated refresh token is put back, not the spent one", async () => {
      await fleet("authorization_code");
      const key = await signedIn();
      await sleep(EXPIRE_MS);
      expect(tokensOf(await callAll(workers, 5))).toEqual(["at-2"]);
      await topology.restart(key);
      await sleep(EXPIRE_MS);
      const reports = await callAll(workers, 20);
      expectSettled(reports);
      // A caller may run out of deadline while the first refresh after a restart waits out its grace.
      const after = failuresOf(reports).length > 0 ? [...(await callAll(workers, 5))] : [];
      expect(tokensOf([...reports, ...after])).toEqual(["at-3"]);
      return { requests: totalRequests(server), ideal: 3, typedErrors: failuresOf(reports).length, maxWaitMs: maxWait(reports) };
    });

    row("store restarts while a refresh is in flight: its answer is waited for", async () => {
      await fleet("authorization_code");
      const key = await signedIn();
      await sleep(EXPIRE_MS);
      let restarting: Promise<void> = Promise.resolve();
      // The new token outlives the restart (a cluster takes seconds to report ok again).
      server.setLifetime(60);
      server.nextFault(async () => {
        // Answered 300 ms into the restart (or failover), while the store is still coming back.
        restarting = topology.restart(key);
        await sleep(300);
        return "answer";
      });
      const reports = await callAll(workers, 10);
      await restarting;
      expectSettled(reports);
      const after = await callAll(workers, 5);
      expect(tokensOf([...reports, ...after])).toEqual(["at-2"]);
      return { requests: totalRequests(server), ideal: 2, typedErrors: failuresOf(reports).length, maxWaitMs: maxWait(reports) };
    });

    row("a refresh slower than the lease: the lease is renewed, nobody else sends the token", async () => {
      await fleet("authorization_code", { leaseMs: 1_000 });
      await signedIn();
      await sleep(EXPIRE_MS);
      server.setDelay(2_500);
      const reports = await callAll(workers, 10);
      server.setDelay(0);
      expect(failuresOf(reports)).toEqual([]);
      expect(tokensOf(reports)).toEqual(["at-2"]);
      return { requests: totalRequests(server), ideal: 2, typedErrors: 0, maxWaitMs: maxWait(reports) };
    });

    row("store frozen (SIGSTOP) when a refresh is due: every call settles, then recovers", async () => {
      await fleet("authorization_code");
      const key = await signedIn();
      await sleep(EXPIRE_MS);
      await topology.freeze(key);
      let reports: CallReport[];
      try {
        reports = await callAll(workers, 10);
      } finally {
        topology.thaw(key);
      }
      expectSettled(reports);
      expect(failuresOf(reports).length).toBeGreaterThan(0);
      await sleep(500);
      const after = await callAll(workers, 10);
      expect(failuresOf(after)).toEqual([]);
      expect(tokensOf(after)).toEqual(["at-2"]);
      return { requests: totalRequests(server), ideal: 2, typedErrors: failuresOf(reports).length, maxWaitMs: maxWait(reports) };
    });

    row("a lease key without expiry: calls settle, the lease is repaired", async () => {
      await fleet("authorization_code", { leaseMs: 1_000 });
      await signedIn();
      const { leaseKey } = await workers[0]!.key();
      await topology.admin().set(leaseKey, "left-by-a-bug");
      await sleep(EXPIRE_MS);
      const reports = await callAll(workers, 5);
      expectSettled(reports);
      await sleep(1_200);
      const after = await callAll(workers, 5);
      expect(failuresOf(after)).toEqual([]);
      expect(tokensOf(after)).toEqual(["at-2"]);
      return { requests: totalRequests(server), ideal: 2, typedErrors: failuresOf(reports).length, maxWaitMs: Math.max(maxWait(reports), maxWait(after)) };
    });

    row("a token key of the wrong Redis type: read as absent and replaced", async () => {
      await fleet("client_credentials");
      const { tokenKey } = await workers[0]!.key();
      await topology.admin().hset(tokenKey, "not", "a token");
      const reports = await callAll(workers, 10);
      expect(failuresOf(reports)).toEqual([]);
      expect(tokensOf(reports)).toEqual(["at-1"]);
      return { requests: totalRequests(server), ideal: 1, typedErrors: 0, maxWaitMs: maxWait(reports) };
    });

    row("the rotated refresh token arrives while the store is cut off: kept, written later, never lost", async () => {
      const proxy = topology.proxy!;
      const viaProxy: StoreSetting = { url: proxy.url };
      await fleet("authorization_code", {}, [viaProxy, viaProxy, viaProxy]);
      await signedIn();
      await sleep(EXPIRE_MS);
      server.nextFault(async () => {
        proxy.pause();
        setTimeout(() => proxy.resume(), 1_500);
        return "answer";
      });
      const reports = await callAll(workers, 10);
      expectSettled(reports);
      await sleep(1_000);
      const after = await callAll(workers, 10);
      expect(failuresOf(after)).toEqual([]);
      expect(tokensOf(after)).toEqual(["at-2"]);
      return { requests: totalRequests(server), ideal: 2, typedErrors: failuresOf(reports).length, maxWaitMs: maxWait(reports) };
    });

    row("one process partitioned from the store: it never sends the refresh token; the others refresh", async () => {
      const proxy = topology.proxy!;
      await fleet("authorization_code", {}, [{ url: proxy.url }]);
      await signedIn();
      await sleep(EXPIRE_MS);
      proxy.pause();
      let cutOff: CallReport;
      let others: CallReport[];
      try {
        [cutOff, ...others] = await Promise.all([workers[0]!.call(10), workers[1]!.call(10), workers[2]!.call(10)]) as [CallReport, ...CallReport[]];
      } finally {
        proxy.resume();
      }
      expectSettled([cutOff]);
      expect(failuresOf([cutOff]).length).toBe(10);
      expect(tokensOf(others)).toEqual(["at-2"]);
      const after = await workers[0]!.call(5);
      expect(tokensOf([after])).toEqual(["at-2"]);
      return { requests: totalRequests(server), ideal: 2, typedErrors: 10, maxWaitMs: maxWait([cutOff, ...others]) };
    });

    row("a process dies mid-refresh: the others take over once its lease runs out", async () => {
      await fleet("authorization_code", { leaseMs: 1_500 });
      await signedIn();
      await sleep(EXPIRE_MS);
      let dying: Promise<unknown> | undefined;
      server.nextFault(async () => {
        // The refresh reached the server; its sender dies before the answer, so nothing is spent.
        workers[0]!.kill();
        await workers[0]!.exited;
        return "hang";
      });
      dying = workers[0]!.call(1).catch(() => undefined);
      await sleep(300);
      const reports = await callAll(workers.slice(1), 5);
      await dying;
      expectSettled(reports);
      expect(tokensOf(reports)).toEqual(["at-2"]);
      return { requests: totalRequests(server), ideal: 3, typedErrors: failuresOf(reports).length, maxWaitMs: maxWait(reports) };
    });
  });
}

const ALL_ROWS = [
  "many callers in three processes: one token request per refresh",
  "store restarts while idle: the rotated refresh token is put back, not the spent one",
  "store restarts while a refresh is in flight: its answer is waited for",
  "a refresh slower than the lease: the lease is renewed, nobody else sends the token",
  "store frozen (SIGSTOP) when a refresh is due: every call settles, then recovers",
  "a lease key without expiry: calls settle, the lease is repaired",
  "a token key of the wrong Redis type: read as absent and replaced",
  "the rotated refresh token arrives while the store is cut off: kept, written later, never lost",
  "one process partitioned from the store: it never sends the refresh token; the others refresh",
  "a process dies mid-refresh: the others take over once its lease runs out",
];
/** Rows that need a proxy in front of the one server. */
const PROXY_ROWS = new Set(ALL_ROWS.slice(7, 9));

describeFaults(
  "single server",
  async () => {
    const node: RedisNode = await startRedis();
    const proxy = await startTcpProxy({ port: node.port });
    const admin = new Redis(node.url, { lazyConnect: false });
    admin.on("error", () => undefined);
    return {
      name: "single",
      store: { url: node.url },
      proxy,
      admin: () => admin,
      restart: () => node.restart(),
      freeze: () => node.freeze(),
      thaw: () => node.thaw(),
      stop: async () => {
        admin.disconnect();
        await proxy.close();
        await node.stop();
      },
    };
  },
  ALL_ROWS,
);

describeFaults(
  "3-master cluster",
  async () => {
    const cluster: RedisCluster = await startRedisCluster();
    const admin = new Cluster([...cluster.startupNodes]);
    admin.on("error", () => undefined);
    return {
      name: "cluster",
      store: { cluster: cluster.startupNodes.map(({ host, port }) => ({ host, port })) },
      admin: () => admin,
      restart: async (key) => {
        await cluster.nodeFor(key).restart();
        await cluster.waitForOk();
      },
      freeze: (key) => cluster.nodeFor(key).freeze(),
      thaw: (key) => cluster.nodeFor(key).thaw(),
      stop: async () => {
        admin.disconnect();
        await cluster.stop();
      },
    };
  },
  ALL_ROWS.filter((title) => !PROXY_ROWS.has(title)),
);

describeFaults(
  "Sentinel (master, replica, failover)",
  async () => {
    const sentinel: RedisSentinel = await startRedisSentinel();
    const admin = new Redis({ sentinels: [...sentinel.sentinels], name: sentinel.masterName });
    admin.on("error", () => undefined);
    let frozen: RedisNode | undefined;
    return {
      name: "sentinel",
      store: { sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })), name: sentinel.masterName },
      admin: () => admin,
      restart: async () => {
        // The killed master comes back, and the sentinel makes it a replica of the new one.
        const old = await sentinel.currentMasterNode();
        await sentinel.failover();
        await old.restart();
      },
      freeze: async () => {
        // Earlier rows' failovers may have swapped the roles: freeze the master of now.
        frozen = await sentinel.currentMasterNode();
        frozen.freeze();
      },
      thaw: () => frozen?.thaw(),
      stop: async () => {
        admin.disconnect();
        await sentinel.stop();
      },
    };
  },
  // A failover is this topology's restart; a frozen master is found out by the sentinel, not the store.
  ALL_ROWS.filter((title) => !PROXY_ROWS.has(title)),
);
