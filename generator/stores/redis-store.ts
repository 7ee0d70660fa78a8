/**
 * A `TokenStore` in Redis, shared by every process that uses the same Redis
 * and prefix. Lives outside the runtime because it needs npm (`ioredis`)
 * and `node:` modules. A project gets it as `<out>/stores/redis-store.ts`
 * with `"stores": ["redis"]` in tokenwright.config.json (importing the
 * output's `runtime/` and the project's own ioredis); the package also
 * exports it as `tokenwright/redis-store`.
 *
 * Connections: a URL (`"redis://…"`), ioredis options (`{ host, port }`,
 * `{ url: "redis://…", …more ioredis options }`, or Sentinel:
 * `{ sentinels: [{ host, port }, …], name: "mymaster" }`), which the store
 * opens and `close` quits; or an ioredis `Redis` or `Cluster` client, which it
 * uses and never quits. Through Sentinel, a failover is survived: commands
 * fail while there is no master, and ioredis reconnects to the promoted one.
 *
 * Layout, for a session key `K` and the prefix `P` (default `tokenwright:`),
 * with `K` as a hash tag so that everything of one key lives in one cluster
 * slot (`{`, `}` and `%` in `K` are percent-encoded, and an empty `K` is `%`):
 * - `P{K}:token`: the token as JSON, expiring `graceMs` after the token does
 *   (no expiry when the token has none, or by default when it carries a
 *   refresh token); `set` keeps a stored token of a higher `generation`;
 * - `P{K}:lease`: the refresh lease, a random id with a PX expiry, so a holder
 *   that dies leaves a lease that expires by itself; a lease key found without
 *   expiry is given one, and one of another type is dropped;
 * - `P{K}:cooldown`: present (with a PX expiry) while `K` cools down;
 * - channel `P{K}:changed`: `set`, `delete` and `release` publish on it
 *   (PUBLISH, which a Redis 7 cluster delivers on every node); `waitForChange`
 *   subscribes to it.
 * A key of the wrong Redis type, or a token value that is not a token, reads
 * as absent and is replaced. Tokens written by versions that used
 * `P token:K` are not read: after an upgrade, each key is fetched once anew.
 *
 * Every method is bounded in time: it rejects with `RedisTokenStoreError`
 * after `commandTimeoutMs` (a stalled or frozen server never hangs a caller).
 * Connections the store opens also fail commands fast while the server is
 * down (one retry), reconnect by themselves, and the store serves again as
 * soon as Redis is back.
 */
import { createHash, randomUUID } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import type { RedisOptions } from "ioredis";
import type { StoredToken, TokenLease, TokenStore } from "../runtime/store.js";
import { MAX_TIMER_MS } from "../runtime/timers.js";

export interface RedisTokenStoreOptions {
  /** Prepended to every key and channel (default `tokenwright:`). */
  readonly prefix?: string;
  /** How long a token stays in Redis after its `expiresAt` (default 60 000 ms). */
  readonly graceMs?: number;
  /**
   * As `graceMs`, for tokens that carry a refresh token. Default: no expiry
   * at all. A token that is gone from Redis takes its refresh token with it,
   * and a client whose original grant cannot run unattended (an
   * authorization code) would then need its user again, so such tokens stay
   * until they are replaced or deleted unless this is set.
   */
  readonly refreshTokenGraceMs?: number;
  /**
   * The clock `expiresAt` is measured on (default `Date.now`); pass the
   * session's clock when it is not `Date.now`.
   */
  readonly now?: () => number;
  /**
   * The longest any store method may take (default 2000 ms); it then rejects
   * with `RedisTokenStoreError`. Also ioredis's `commandTimeout` for the
   * connections the store opens.
   */
  readonly commandTimeoutMs?: number;
}

/** A Redis command failed or timed out. The message never holds a token or a stored value. */
export class RedisTokenStoreError extends Error {
  readonly code = "TOKEN_STORE_REDIS";
  constructor(message: string) {
    super(message);
    this.name = "RedisTokenStoreError";
  }
}

/**
 * ioredis options for a connection the store opens, plus `url`
 * (`redis://[user:password@]host:port/db`, or `rediss://` for TLS), which
 * takes precedence over `host`, `port`, `username`, `password` and `db`.
 * With `sentinels` and `name`, the store connects through Sentinel.
 */
export interface RedisConnectionOptions extends RedisOptions {
  readonly url?: string;
}

/** Something a store can connect with: a URL (`redis://…`) or ioredis options. */
export type RedisConnection = string | RedisConnectionOptions;

/** A client the caller owns: one server (or Sentinel) connection, or a cluster. */
export type RedisClient = Redis | Cluster;

const DEFAULT_PREFIX = "tokenwright:";
const DEFAULT_GRACE_MS = 60_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
/** Wake this long after a lease's remaining time, so the lease is surely gone. */
const LEASE_EXPIRY_SLACK_MS = 5;
/** Rounds of `set` when the stored value changes between judging and replacing it. */
const SET_ROUNDS = 8;

interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/** Lua: a key's type, as a string. */
const TYPE_OF = `local function typeOf(key) return redis.call("TYPE", key)["ok"] end
`;

/**
 * Lua mirror of `parseStoredToken`: the generation of a decoded token, or nil
 * when the value is not a token.
 */
const GENERATION_OF = `
local function finite(x) return type(x) == "number" and x == x and x > -math.huge and x < math.huge end
local function optString(x) return x == nil or type(x) == "string" end
local function optFinite(x) return x == nil or finite(x) end
local function generationOf(v)
  if type(v) ~= "table" then return nil end
  if type(v.accessToken) ~= "string" or v.accessToken == "" then return nil end
  if not finite(v.receivedAt) then return nil end
  if not (optString(v.tokenType) and optString(v.refreshToken) and optString(v.scope)
      and optFinite(v.expiresAt)) then return nil end
  local g = v.generation
  if g == nil then return 0 end
  if not finite(g) or g < 0 or g ~= math.floor(g) or g > 9007199254740991 then return nil end
  return g
end
`;

/** Lua: writes ARGV[1] with TTL ARGV[3] ("" for none), publishes on ARGV[4], returns 1. */
const WRITE_TOKEN = `
local function write()
  if ARGV[3] == "" then
    redis.call("SET", KEYS[1], ARGV[1])
  else
    redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[3])
  end
  redis.call("PUBLISH", ARGV[4], "set")
  return 1
end
`;

/**
 * Writes the token unless the stored one has a higher generation. A key of
 * another type is dropped first. Returns 1 when written; otherwise the stored
 * value, for the caller to judge with `parseStoredToken` (Redis's JSON decoder
 * accepts more than JSON, e.g. NaN, and rejects some JSON, e.g. lone
 * surrogates, so only the caller decides that a value is a token).
 * KEYS[1] token key; ARGV[1] value; ARGV[2] its generation; ARGV[3] TTL ms or ""; ARGV[4] channel.
 */
const SET_SCRIPT = script(`${TYPE_OF}${GENERATION_OF}${WRITE_TOKEN}
local kind = typeOf(KEYS[1])
if kind == "none" then return write() end
if kind ~= "string" then
  redis.call("DEL", KEYS[1])
  return write()
end
local raw = redis.call("GET", KEYS[1])
local ok, stored = pcall(cjson.decode, raw)
if not ok then return raw end
local generation = generationOf(stored)
if generation == nil or generation <= tonumber(ARGV[2]) then return write() end
return raw
`);

/**
 * Replaces the stored value only if it is still ARGV[5], which the caller
 * judged not to be a newer token. 1 when written, 0 when it changed meanwhile.
 * KEYS and ARGV[1..4] as SET_SCRIPT.
 */
const REPLACE_SCRIPT = script(`${TYPE_OF}${WRITE_TOKEN}
if typeOf(KEYS[1]) ~= "string" or redis.call("GET", KEYS[1]) ~= ARGV[5] then return 0 end
return write()
`);

/** KEYS[1] token key; ARGV[1] channel. */
const DELETE_SCRIPT = script(`
redis.call("DEL", KEYS[1])
redis.call("PUBLISH", ARGV[1], "delete")
return 1
`);

/**
 * Takes the lease when there is none (1), else 0. A lease key without expiry
 * (nobody would ever get it) is given `leaseMs`; one of another type is
 * dropped and the lease taken.
 * KEYS[1] lease key; ARGV[1] our id; ARGV[2] lease ms.
 */
const ACQUIRE_SCRIPT = script(`${TYPE_OF}
local kind = typeOf(KEYS[1])
if kind == "string" then
  if redis.call("PTTL", KEYS[1]) == -1 then redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
  return 0
end
if kind ~= "none" then redis.call("DEL", KEYS[1]) end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return 1
`);

/**
 * Extends our lease (1); takes it again when there is none (1); 0 when
 * another id holds it (given an expiry if it had none).
 * KEYS[1] lease key; ARGV[1] our id; ARGV[2] lease ms.
 */
const RENEW_SCRIPT = script(`${TYPE_OF}
local kind = typeOf(KEYS[1])
if kind == "string" then
  if redis.call("GET", KEYS[1]) == ARGV[1] then
    redis.call("PEXPIRE", KEYS[1], ARGV[2])
    return 1
  end
  if redis.call("PTTL", KEYS[1]) == -1 then redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
  return 0
end
if kind ~= "none" then redis.call("DEL", KEYS[1]) end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return 1
`);

/**
 * Deletes the lease only when it still holds our id, then tells waiters.
 * Nothing is published when another holder (or a value of another type) has
 * the key by now.
 * KEYS[1] lease key; ARGV[1] our id; ARGV[2] channel.
 */
const RELEASE_SCRIPT = script(`${TYPE_OF}
local kind = typeOf(KEYS[1])
if kind == "string" then
  if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
  redis.call("DEL", KEYS[1])
elseif kind ~= "none" then
  return 0
end
redis.call("PUBLISH", ARGV[2], "release")
return 1
`);

/**
 * Starts a cool-down of ARGV[1] ms unless a longer one remains. A key of
 * another type, or without expiry, is replaced.
 * KEYS[1] cool-down key; ARGV[1] ms.
 */
const COOL_DOWN_SCRIPT = script(`${TYPE_OF}
local kind = typeOf(KEYS[1])
if kind == "string" then
  if redis.call("PTTL", KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
elseif kind ~= "none" then
  redis.call("DEL", KEYS[1])
end
redis.call("SET", KEYS[1], "1", "PX", ARGV[1])
return 1
`);

/**
 * The cool-down's remaining ms, 0 when none; a key of another type, or
 * without expiry, is no cool-down and is dropped.
 * KEYS[1] cool-down key.
 */
const COOL_DOWN_REMAINING_SCRIPT = script(`${TYPE_OF}
local kind = typeOf(KEYS[1])
if kind == "none" then return 0 end
local left = redis.call("PTTL", KEYS[1])
if kind ~= "string" or left < 0 then
  redis.call("DEL", KEYS[1])
  return 0
end
return left
`);

/**
 * What `waitForChange` compares: token value, lease id, lease PTTL (values of
 * another type read as nil).
 * KEYS[1] token key; KEYS[2] lease key.
 */
const SNAPSHOT_SCRIPT = script(`${TYPE_OF}
local function text(key)
  if typeOf(key) == "string" then return redis.call("GET", key) end
  return false
end
return { text(KEYS[1]), text(KEYS[2]), redis.call("PTTL", KEYS[2]) }
`);

interface Channel {
  readonly waiters: Set<() => void>;
  /** Settles when the SUBSCRIBE was acknowledged (rejects if it failed). */
  readonly subscribed: Promise<void>;
  ready: boolean;
}

/** What `waitForChange` compares to see a change it may have missed while subscribing. */
interface Snapshot {
  readonly token: string | null;
  readonly lease: string | null;
  /** Remaining lease time in ms; negative when there is no lease or it has no expiry. */
  readonly leasePttl: number;
}

export class RedisTokenStore implements TokenStore {
  /** The connection (or cluster) for commands and PUBLISH. */
  readonly client: RedisClient;
  readonly prefix: string;
  readonly commandTimeoutMs: number;
  private readonly ownsClient: boolean;
  private readonly graceMs: number;
  private readonly refreshTokenGraceMs: number | undefined;
  private readonly now: () => number;
  private subscriber: RedisClient | undefined;
  private readonly channels = new Map<string, Channel>();
  /** Every pending `waitForChange`, so `close` can end them. */
  private readonly pending = new Set<() => void>();
  private closed = false;
  private closing: Promise<void> | undefined;

  /**
   * @param connection an ioredis `Redis` or `Cluster` client, which the store
   *   uses but never quits; or a URL / ioredis options (with `url`, or
   *   Sentinel's `sentinels` and `name`), for a connection the store opens and
   *   `close` quits. Either way `waitForChange` opens one more connection
   *   (a duplicate of the client, on first use) that `close` quits.
   */
  constructor(connection: RedisClient | RedisConnection, options: RedisTokenStoreOptions = {}) {
    this.prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.graceMs = nonNegative(options.graceMs ?? DEFAULT_GRACE_MS, "graceMs");
    this.refreshTokenGraceMs = options.refreshTokenGraceMs === undefined ? undefined : nonNegative(options.refreshTokenGraceMs, "refreshTokenGraceMs");
    this.commandTimeoutMs = positive(options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, "commandTimeoutMs");
    this.now = options.now ?? Date.now;
    if (isRedisClient(connection)) {
      this.client = connection;
      this.ownsClient = false;
    } else {
      this.client = openConnection(connection, this.commandTimeoutMs);
      this.ownsClient = true;
      // Failures reach callers through rejected commands; without a listener
      // ioredis would also log every connection error.
      this.client.on("error", ignore);
    }
  }

  tokenKey(key: string): string {
    return this.slotKey(key, "token");
  }

  leaseKey(key: string): string {
    return this.slotKey(key, "lease");
  }

  coolDownKey(key: string): string {
    return this.slotKey(key, "cooldown");
  }

  channelName(key: string): string {
    return this.slotKey(key, "changed");
  }

  async get(key: string): Promise<StoredToken | undefined> {
    return this.bounded("GET", async () => {
      let raw: string | null;
      try {
        raw = await this.client.get(this.tokenKey(key));
      } catch (error) {
        // A key of another type is not a token.
        if (error instanceof Error && error.message.startsWith("WRONGTYPE")) return undefined;
        throw error;
      }
      return raw === null ? undefined : parseStoredToken(raw);
    });
  }

  async set(key: string, token: StoredToken): Promise<boolean> {
    this.assertOpen();
    const generation = token.generation ?? 0;
    if (!isGeneration(generation)) throw new RangeError("generation must be a non-negative integer");
    const value = JSON.stringify(pickStoredToken(token));
    const ttl = this.ttlMs(token);
    const tokenKey = this.tokenKey(key);
    const args = [value, String(generation), ttl === undefined ? "" : String(ttl), this.channelName(key)];
    return this.bounded(
      "SET",
      async (live) => {
        for (let round = 0; round < SET_ROUNDS && live(); round++) {
          const reply = await this.run(SET_SCRIPT, [tokenKey], args, live);
          if (reply === 1) return true;
          if (typeof reply !== "string") throw new RedisTokenStoreError("redis SET failed: unexpected reply");
          const stored = parseStoredToken(reply);
          if (stored !== undefined && (stored.generation ?? 0) > generation) return false;
          if (!live()) break;
          if ((await this.run(REPLACE_SCRIPT, [tokenKey], [...args, reply], live)) === 1) return true;
        }
        throw new RedisTokenStoreError("redis SET failed: the stored value kept changing");
      },
      [value, token.accessToken, token.refreshToken],
    );
  }

  async delete(key: string): Promise<void> {
    await this.bounded("DEL", (live) => this.run(DELETE_SCRIPT, [this.tokenKey(key)], [this.channelName(key)], live));
  }

  async acquire(key: string, leaseMs: number): Promise<TokenLease | undefined> {
    this.assertOpen();
    const ms = leaseTime(leaseMs);
    const id = randomUUID();
    const leaseKey = this.leaseKey(key);
    const taken = await this.bounded("SET NX (lease)", (live) => this.run(ACQUIRE_SCRIPT, [leaseKey], [id, ms], live));
    if (taken !== 1) return undefined;
    let released = false;
    return {
      renew: async (renewMs: number) => {
        this.assertOpen();
        const next = leaseTime(renewMs);
        // A released lease is given up: renewing it does not take it again.
        if (released) return false;
        const renewed = await this.bounded("EVAL (lease renew)", (live) => this.run(RENEW_SCRIPT, [leaseKey], [id, next], live));
        return renewed === 1;
      },
      release: async () => {
        if (released) return;
        released = true;
        await this.bounded("EVAL (lease release)", (live) => this.run(RELEASE_SCRIPT, [leaseKey], [id, this.channelName(key)], live));
      },
    };
  }

  async coolDown(key: string, ms: number): Promise<void> {
    this.assertOpen();
    if (!(ms >= 0 && Number.isFinite(ms))) throw new RangeError("ms must be a non-negative number of milliseconds");
    if (ms === 0) return;
    await this.bounded("EVAL (cool-down)", (live) => this.run(COOL_DOWN_SCRIPT, [this.coolDownKey(key)], [String(Math.ceil(ms))], live));
  }

  async coolDownRemaining(key: string): Promise<number> {
    const left = await this.bounded("EVAL (cool-down remaining)", (live) => this.run(COOL_DOWN_REMAINING_SCRIPT, [this.coolDownKey(key)], [], live));
    return typeof left === "number" && left > 0 ? left : 0;
  }

  waitForChange(key: string, timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const name = this.channelName(key);
      const timers: ReturnType<typeof setTimeout>[] = [];
      let settled = false;
      const done = (): void => {
        if (settled) return;
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        this.pending.delete(done);
        this.removeWaiter(name, done);
        resolve();
      };
      const after = (ms: number): void => {
        timers.push(setTimeout(done, Math.min(MAX_TIMER_MS, Math.max(0, Number.isNaN(ms) ? 0 : ms))));
      };
      after(timeoutMs);
      this.pending.add(done);
      const channel = this.addWaiter(name, done);
      void this.watchForMissedChange(key, channel, () => settled, done, after);
    });
  }

  /**
   * Ends pending `waitForChange` calls, quits the subscriber connection and,
   * when the store opened it, the command connection. A client passed in
   * stays open. Later calls reject; `waitForChange` resolves at once.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    for (const done of [...this.pending]) done();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    // Nothing on the subscriber is worth waiting for.
    subscriber?.disconnect();
    if (this.ownsClient && this.client instanceof Redis) await quit(this.client, this.commandTimeoutMs);
    else if (this.ownsClient) this.client.disconnect();
  }

  private slotKey(key: string, kind: string): string {
    return `${this.prefix}{${hashTag(key)}}:${kind}`;
  }

  private ttlMs(token: StoredToken): number | undefined {
    const expiresAt = token.expiresAt;
    if (expiresAt === undefined || !Number.isFinite(expiresAt)) return undefined;
    if (token.refreshToken !== undefined && this.refreshTokenGraceMs === undefined) return undefined;
    const grace = token.refreshToken !== undefined ? (this.refreshTokenGraceMs ?? this.graceMs) : this.graceMs;
    // PX must be a positive integer; a token past its grace lives 1 ms.
    return Math.max(1, Math.ceil(expiresAt - this.now() + grace));
  }

  private assertOpen(): void {
    if (this.closed) throw new RedisTokenStoreError("the Redis token store is closed");
  }

  /**
   * Runs one store operation within `commandTimeoutMs`: a client passed in
   * may have no command timeout of its own, and an operation may take more
   * than one command. Failures become RedisTokenStoreErrors without the values sent.
   * `live` turns false when the operation timed out: it then sends no further
   * command (a command already sent may still take effect).
   */
  private async bounded<T>(
    what: string,
    run: (live: () => boolean) => Promise<T>,
    secrets: readonly (string | undefined)[] = [],
  ): Promise<T> {
    this.assertOpen();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const work = run(() => live);
    // A late failure after the timeout is nobody's to handle.
    work.catch(ignore);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        live = false;
        reject(new RedisTokenStoreError(`redis ${what} timed out after ${this.commandTimeoutMs} ms`));
      }, this.commandTimeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (error) {
      if (error instanceof RedisTokenStoreError) throw error;
      throw storeError(what, error, secrets);
    } finally {
      clearTimeout(timer);
    }
  }

  /** EVALSHA, falling back to EVAL when the server (or cluster node) does not have the script yet. */
  private async run(lua: Script, keys: readonly string[], args: readonly (string | number)[], live: () => boolean): Promise<unknown> {
    try {
      return await this.client.evalsha(lua.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT")) || !live()) throw error;
      return this.client.eval(lua.source, keys.length, ...keys, ...args);
    }
  }

  private ensureSubscriber(): RedisClient {
    if (this.subscriber) return this.subscriber;
    const subscriber = this.client.duplicate();
    subscriber.on("error", ignore);
    subscriber.on("message", (channel: string) => {
      for (const wake of [...(this.channels.get(channel)?.waiters ?? [])]) wake();
    });
    this.subscriber = subscriber;
    return subscriber;
  }

  private addWaiter(name: string, done: () => void): Channel {
    let channel = this.channels.get(name);
    if (!channel) {
      const subscriber = this.ensureSubscriber();
      const subscribed = subscriber.subscribe(name).then(() => {
        created.ready = true;
      });
      // A failed SUBSCRIBE leaves the waiters to their timeout.
      subscribed.catch(ignore);
      const created: Channel = { waiters: new Set(), subscribed, ready: false };
      channel = created;
      this.channels.set(name, channel);
    }
    channel.waiters.add(done);
    return channel;
  }

  private removeWaiter(name: string, done: () => void): void {
    const channel = this.channels.get(name);
    if (!channel?.waiters.delete(done) || channel.waiters.size > 0) return;
    this.channels.delete(name);
    // Queued behind the SUBSCRIBE on the same connection, so it cannot overtake it;
    // a later SUBSCRIBE to the same channel is queued behind this one in turn.
    if (!this.closed) this.subscriber?.unsubscribe(name).catch(ignore);
  }

  /**
   * A change published before the SUBSCRIBE took effect reaches no one. So the
   * state is read when the wait starts and again once subscribed, and a
   * difference wakes the waiter. The state also says how long the current
   * lease has left: as Redis does not announce a lease running out (its holder
   * died), the waiter wakes when it does. Errors leave the waiter to its timeout.
   */
  private async watchForMissedChange(
    key: string,
    channel: Channel,
    settled: () => boolean,
    done: () => void,
    after: (ms: number) => void,
  ): Promise<void> {
    try {
      const wasReady = channel.ready;
      const before = await this.snapshot(key);
      if (settled()) return;
      if (before.lease !== null && before.leasePttl >= 0) after(before.leasePttl + LEASE_EXPIRY_SLACK_MS);
      if (wasReady) return;
      await channel.subscribed;
      if (settled()) return;
      const now = await this.snapshot(key);
      if (now.token !== before.token || now.lease !== before.lease) done();
    } catch {
      // Left to the timeout.
    }
  }

  private async snapshot(key: string): Promise<Snapshot> {
    const reply = await this.bounded("EVAL (snapshot)", (live) => this.run(SNAPSHOT_SCRIPT, [this.tokenKey(key), this.leaseKey(key)], [], live));
    const [token, lease, pttl] = Array.isArray(reply) ? (reply as unknown[]) : [];
    return {
      token: typeof token === "string" ? token : null,
      lease: typeof lease === "string" ? lease : null,
      leasePttl: typeof pttl === "number" ? pttl : -1,
    };
  }
}

/** Reads a stored token; anything that is not one counts as absent. */
export function parseStoredToken(raw: string): StoredToken | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  const { accessToken, tokenType, expiresAt, refreshToken, scope, receivedAt, generation } = object;
  if (typeof accessToken !== "string" || accessToken === "") return undefined;
  if (typeof receivedAt !== "number" || !Number.isFinite(receivedAt)) return undefined;
  if (!optional(tokenType, isString) || !optional(refreshToken, isString) || !optional(scope, isString)) return undefined;
  if (!optional(expiresAt, isFiniteNumber)) return undefined;
  if (!optional(generation, isGeneration)) return undefined;
  return pickStoredToken({ accessToken, tokenType, expiresAt, refreshToken, scope, receivedAt, generation } as StoredToken);
}

/** Only the fields of a StoredToken, with absent ones left out. */
function pickStoredToken(token: StoredToken): StoredToken {
  return {
    accessToken: token.accessToken,
    ...(token.tokenType !== undefined && { tokenType: token.tokenType }),
    ...(token.expiresAt !== undefined && { expiresAt: token.expiresAt }),
    ...(token.refreshToken !== undefined && { refreshToken: token.refreshToken }),
    ...(token.scope !== undefined && { scope: token.scope }),
    receivedAt: token.receivedAt,
    ...(token.generation !== undefined && { generation: token.generation }),
  };
}

/**
 * The key as a hash tag: Redis hashes what is between the first `{` and the
 * next `}`, so a `}` in the key must not end it, and an empty tag would hash
 * the whole (different) key names. Injective: `%` is encoded too, and the
 * empty key's `%` is no encoding of another key.
 */
function hashTag(key: string): string {
  if (key === "") return "%";
  return key.replace(/[%{}]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A prefix whose first `{` is followed by `}` would make every key hash on its own: refused. */
function checkPrefix(prefix: string): string {
  const open = prefix.indexOf("{");
  if (open !== -1 && prefix[open + 1] === "}") {
    throw new RangeError(
      "prefix must not contain an empty hash tag `{}`: the keys of one session key would land in different cluster " +
        "slots",
    );
  }
  return prefix;
}

function openConnection(connection: RedisConnection, commandTimeoutMs: number): Redis {
  // Fail commands fast while the server is down (one retry after a reconnect
  // attempt, instead of 20), bound every command, and keep reconnecting.
  const defaults: RedisOptions = {
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs, 1_000),
    maxRetriesPerRequest: 1,
    retryStrategy: (times: number) => Math.min(times * 50, 500),
  };
  if (typeof connection === "string") return new Redis(connection, defaults);
  const { url, ...rest } = connection;
  const options: RedisOptions = { ...defaults, ...rest };
  // A URL's host, port, credentials and db win over the same options.
  return url === undefined ? new Redis(options) : new Redis(url, options);
}

function optional(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || check(value);
}

function isString(value: unknown): boolean {
  return typeof value === "string";
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value);
}

function isGeneration(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function nonNegative(value: number, name: string): number {
  if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`${name} must be a non-negative number of milliseconds`);
  return value;
}

function positive(value: number, name: string): number {
  if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`${name} must be a positive number of milliseconds`);
  return value;
}

function leaseTime(leaseMs: number): number {
  if (!(leaseMs > 0 && Number.isFinite(leaseMs))) throw new RangeError("leaseMs must be a positive number of milliseconds");
  return Math.ceil(leaseMs);
}

function isRedisClient(connection: RedisClient | RedisConnection): connection is RedisClient {
  if (connection instanceof Redis || connection instanceof Cluster) return true;
  // A client from another copy of ioredis.
  const candidate = connection as { duplicate?: unknown; publish?: unknown; evalsha?: unknown };
  return (
    typeof connection === "object" &&
    typeof candidate.duplicate === "function" &&
    typeof candidate.publish === "function" &&
    typeof candidate.evalsha === "function"
  );
}

function ignore(): void {}

/**
 * The Redis error's own message only: ioredis attaches the command and its
 * arguments (the stored token) to reply errors, so the error is not kept as
 * `cause`, and any secret that shows up in the message is cut out.
 */
function storeError(what: string, error: unknown, secrets: readonly (string | undefined)[] = []): RedisTokenStoreError {
  let message = error instanceof Error ? error.message : "unknown error";
  for (const secret of secrets) {
    if (secret !== undefined && secret !== "") message = message.split(secret).join("[redacted]");
  }
  return new RedisTokenStoreError(`redis ${what} failed: ${message}`);
}

async function quit(client: Redis, withinMs: number): Promise<void> {
  if (client.status === "end") return;
  const ended = new Promise<void>((resolve) => client.once("end", resolve));
  if (client.status !== "ready") {
    client.disconnect();
  } else {
    client.quit().catch(() => client.disconnect());
  }
  // Resolve once the socket is gone; a server that never closes it gets cut off.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cutOff = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      client.disconnect();
      resolve();
    }, Math.min(withinMs, 1_000));
  });
  await Promise.race([ended, cutOff]);
  clearTimeout(timer);
}
