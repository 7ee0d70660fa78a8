/**
 * A `TokenStore` in Redis, shared by every process that uses the same Redis
 * and prefix. Lives outside `generator/runtime` because it needs npm
 * (`ioredis`) and `node:` modules.
 *
 * Layout, for a session key `K` and the prefix `P` (default `tokenwright:`):
 * - `P token:K`: the token as JSON, expiring `graceMs` after the token does
 *   (no expiry when the token has none);
 * - `P lease:K`: the refresh lease, a random id set with `NX PX leaseMs`, so a
 *   holder that dies leaves a lease that expires by itself;
 * - channel `P changed:K`: `set`, `delete` and `release` publish on it;
 *   `waitForChange` subscribes to it.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { RedisOptions } from "ioredis";
import type { StoredToken, TokenLease, TokenStore } from "../runtime/store.js";

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
}

/** A Redis command failed. The message never holds a token or a stored value. */
export class RedisTokenStoreError extends Error {
  readonly code = "TOKEN_STORE_REDIS";
  constructor(message: string) {
    super(message);
    this.name = "RedisTokenStoreError";
  }
}

/** Something a store can connect with: a URL (`redis://…`) or ioredis options. */
export type RedisConnection = string | RedisOptions;

const DEFAULT_PREFIX = "tokenwright:";
const DEFAULT_GRACE_MS = 60_000;
/** setTimeout fires at once for delays above 2^31 - 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;
/** Wake this long after a lease's remaining time, so the lease is surely gone. */
const LEASE_EXPIRY_SLACK_MS = 5;

/**
 * Deletes the lease only when it still holds our id, then tells waiters.
 * Nothing is published when another holder has the lease by now.
 * KEYS[1] lease key; ARGV[1] our id; ARGV[2] channel.
 */
const RELEASE_SCRIPT = `
local held = redis.call("GET", KEYS[1])
if held == ARGV[1] then
  redis.call("DEL", KEYS[1])
elseif held then
  return 0
end
redis.call("PUBLISH", ARGV[2], "release")
return 1
`;

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
  /** The connection for commands and PUBLISH. */
  readonly client: Redis;
  readonly prefix: string;
  private readonly ownsClient: boolean;
  private readonly graceMs: number;
  private readonly refreshTokenGraceMs: number | undefined;
  private readonly now: () => number;
  private subscriber: Redis | undefined;
  private readonly channels = new Map<string, Channel>();
  /** Every pending `waitForChange`, so `close` can end them. */
  private readonly pending = new Set<() => void>();
  private closed = false;
  private closing: Promise<void> | undefined;

  /**
   * @param connection an ioredis client, which the store uses but never
   *   quits; or a URL / ioredis options, for a connection the store opens and
   *   `close` quits. Either way `waitForChange` opens one more connection
   *   (a duplicate of the client, on first use) that `close` quits.
   */
  constructor(connection: Redis | RedisConnection, options: RedisTokenStoreOptions = {}) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.graceMs = nonNegative(options.graceMs ?? DEFAULT_GRACE_MS, "graceMs");
    this.refreshTokenGraceMs = options.refreshTokenGraceMs === undefined ? undefined : nonNegative(options.refreshTokenGraceMs, "refreshTokenGraceMs");
    this.now = options.now ?? Date.now;
    if (isRedisClient(connection)) {
      this.client = connection;
      this.ownsClient = false;
    } else {
      this.client = typeof connection === "string" ? new Redis(connection) : new Redis(connection);
      this.ownsClient = true;
      // Failures reach callers through rejected commands; without a listener
      // ioredis would also log every connection error.
      this.client.on("error", ignore);
    }
  }

  tokenKey(key: string): string {
    return `${this.prefix}token:${key}`;
  }

  leaseKey(key: string): string {
    return `${this.prefix}lease:${key}`;
  }

  channelName(key: string): string {
    return `${this.prefix}changed:${key}`;
  }

  async get(key: string): Promise<StoredToken | undefined> {
    this.assertOpen();
    let raw: string | null;
    try {
      raw = await this.client.get(this.tokenKey(key));
    } catch (error) {
      throw storeError("GET", error);
    }
    return raw === null ? undefined : parseStoredToken(raw);
  }

  async set(key: string, token: StoredToken): Promise<void> {
    this.assertOpen();
    const value = JSON.stringify(pickStoredToken(token));
    const ttl = this.ttlMs(token);
    const multi = this.client.multi();
    if (ttl === undefined) multi.set(this.tokenKey(key), value);
    else multi.set(this.tokenKey(key), value, "PX", ttl);
    multi.publish(this.channelName(key), "set");
    await exec(multi, "SET", [value, token.accessToken, token.refreshToken]);
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    await exec(this.client.multi().del(this.tokenKey(key)).publish(this.channelName(key), "delete"), "DEL", []);
  }

  async acquire(key: string, leaseMs: number): Promise<TokenLease | undefined> {
    this.assertOpen();
    if (!(leaseMs > 0 && Number.isFinite(leaseMs))) throw new RangeError("leaseMs must be a positive number of milliseconds");
    const id = randomUUID();
    const leaseKey = this.leaseKey(key);
    let reply: string | null;
    try {
      reply = await this.client.set(leaseKey, id, "PX", Math.ceil(leaseMs), "NX");
    } catch (error) {
      throw storeError("SET NX (lease)", error);
    }
    if (reply !== "OK") return undefined;
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        try {
          await this.client.eval(RELEASE_SCRIPT, 1, leaseKey, id, this.channelName(key));
        } catch (error) {
          throw storeError("EVAL (lease release)", error);
        }
      },
    };
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
    if (this.ownsClient) await quit(this.client);
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

  private ensureSubscriber(): Redis {
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
    const leaseKey = this.leaseKey(key);
    const replies = await this.client.multi().get(this.tokenKey(key)).get(leaseKey).pttl(leaseKey).exec();
    if (replies === null) throw new RedisTokenStoreError("transaction aborted");
    const [token, lease, pttl] = replies.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
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
  const { accessToken, tokenType, expiresAt, refreshToken, scope, receivedAt } = object;
  if (typeof accessToken !== "string" || accessToken === "") return undefined;
  if (typeof receivedAt !== "number" || !Number.isFinite(receivedAt)) return undefined;
  if (!optional(tokenType, isString) || !optional(refreshToken, isString) || !optional(scope, isString)) return undefined;
  if (!optional(expiresAt, isFiniteNumber)) return undefined;
  return pickStoredToken({ accessToken, tokenType, expiresAt, refreshToken, scope, receivedAt } as StoredToken);
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
  };
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

function nonNegative(value: number, name: string): number {
  if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`${name} must be a non-negative number of milliseconds`);
  return value;
}

function isRedisClient(connection: Redis | RedisConnection): connection is Redis {
  if (connection instanceof Redis) return true;
  // A client from another copy of ioredis.
  const candidate = connection as { duplicate?: unknown; publish?: unknown; multi?: unknown };
  return (
    typeof connection === "object" &&
    typeof candidate.duplicate === "function" &&
    typeof candidate.publish === "function" &&
    typeof candidate.multi === "function"
  );
}

function ignore(): void {}

/** Runs a MULTI; a failure becomes a RedisTokenStoreError without the values sent. */
async function exec(
  multi: ReturnType<Redis["multi"]>,
  what: string,
  secrets: readonly (string | undefined)[],
): Promise<void> {
  let replies: [error: Error | null, result: unknown][] | null;
  try {
    replies = await multi.exec();
  } catch (error) {
    throw storeError(what, error, secrets);
  }
  if (replies === null) throw new RedisTokenStoreError(`redis ${what} failed: transaction aborted`);
  for (const [error] of replies) if (error) throw storeError(what, error, secrets);
}

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

async function quit(client: Redis): Promise<void> {
  if (client.status === "end") return;
  const ended = new Promise<void>((resolve) => client.once("end", resolve));
  if (client.status !== "ready") {
    client.disconnect();
  } else {
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
  }
  // Resolve once the socket is gone; a server that never closes it gets cut off.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cutOff = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      client.disconnect();
      resolve();
    }, 1_000);
  });
  await Promise.race([ended, cutOff]);
  clearTimeout(timer);
}
