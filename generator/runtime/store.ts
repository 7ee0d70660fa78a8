/**
 * Where a session keeps its token, so that every caller (and, with a shared
 * store, every process) uses one valid token per client and credentials.
 */

/** A token as a session stores it: what a caller needs, plus when it arrived. */
export interface StoredToken {
  readonly accessToken: string;
  readonly tokenType?: string;
  /** Epoch ms on the local clock; absent when the provider does not say. */
  readonly expiresAt?: number;
  readonly refreshToken?: string;
  readonly scope?: string;
  /** Epoch ms when the token was received; the refresh margin is a share of its lifetime. */
  readonly receivedAt: number;
  /**
   * Counts the tokens written under one key: a session writes a token it
   * received with one more than the token it replaced. A store never lets a
   * lower generation replace a higher one, so that a process republishing an
   * older copy (after the store lost its data) cannot bring back a spent
   * refresh token. Absent counts as 0.
   */
  readonly generation?: number;
}

/** The right to refresh one key, held until released or until its lease runs out. */
export interface TokenLease {
  /**
   * Extends the lease to `leaseMs` from now. When no lease exists any more
   * (it ran out with nobody taking it, or the store lost it in a restart) it
   * is taken again for this holder. Resolves false when another holder has
   * the lease: this holder must then not send a refresh token.
   */
  renew(leaseMs: number): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Storage for session tokens. Every method may be called concurrently. A
 * store shared between processes must make `acquire` exclusive across them
 * and let a lease expire by itself, so that a process that dies while
 * refreshing does not block the others for longer than the lease.
 */
export interface TokenStore {
  /** The token under `key`; a value that is not a token (another program's, a wrong type) reads as absent. */
  get(key: string): Promise<StoredToken | undefined>;
  /**
   * Writes `token` unless the store holds a token of a higher `generation`
   * under `key` (absent counts as 0; equal generations are replaced).
   * Resolves true when written, false when a newer token was kept. A value
   * that is not a token is replaced.
   */
  set(key: string, token: StoredToken): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Takes the refresh lease for `key` for at most `leaseMs`; undefined when another holder has it. */
  acquire(key: string, leaseMs: number): Promise<TokenLease | undefined>;
  /**
   * Resolves when the token under `key` may have changed, or after
   * `timeoutMs` at the latest. Stores without notifications may simply wait.
   */
  waitForChange(key: string, timeoutMs: number): Promise<void>;
  /**
   * Starts (or lengthens) a cool-down of `ms` for `key`, seen by every
   * process sharing the store: no token request is made for `key` until it
   * ends. A shorter cool-down never shortens a longer one. Measured by the
   * store's own clock (a TTL), so hosts whose clocks disagree agree on it.
   */
  coolDown(key: string, ms: number): Promise<void>;
  /** Milliseconds left of `key`'s cool-down; 0 when there is none. */
  coolDownRemaining(key: string): Promise<number>;
  /** Releases connections the store owns. */
  close?(): Promise<void>;
}

/** How long the memory store keeps a token without a refresh token after it expired. */
const MEMORY_GRACE_MS = 60_000;

/**
 * The default store: one process, no I/O. Tokens without a refresh token are
 * dropped once they are a minute past their expiry, so a long-running
 * process that opens many sessions does not keep every token it ever held.
 */
export class MemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, StoredToken>();
  private readonly leases = new Map<string, { readonly id: object; readonly until: number }>();
  private readonly coolDowns = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly now: () => number;

  /** `now` decides when leases, cool-downs and tokens expire (default `Date.now`). */
  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  async get(key: string): Promise<StoredToken | undefined> {
    const token = this.tokens.get(key);
    if (token !== undefined && this.expired(token)) {
      this.tokens.delete(key);
      return undefined;
    }
    return token;
  }

  async set(key: string, token: StoredToken): Promise<boolean> {
    this.sweep();
    const held = this.tokens.get(key);
    if (held !== undefined && (held.generation ?? 0) > (token.generation ?? 0)) return false;
    this.tokens.set(key, token);
    this.notify(key);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.tokens.delete(key);
    this.notify(key);
  }

  /** Drops every token, lease and cool-down (a session that owns its store calls this on close). */
  clear(): void {
    this.tokens.clear();
    this.leases.clear();
    this.coolDowns.clear();
  }

  /** How many tokens the store holds (expired ones are dropped first). */
  get size(): number {
    this.sweep();
    return this.tokens.size;
  }

  async acquire(key: string, leaseMs: number): Promise<TokenLease | undefined> {
    const held = this.leases.get(key);
    if (held && held.until > this.now()) return undefined;
    const id = {};
    let released = false;
    this.leases.set(key, { id, until: this.now() + leaseMs });
    return {
      renew: async (ms) => {
        if (released) return false;
        const current = this.leases.get(key);
        if (current !== undefined && current.id !== id && current.until > this.now()) return false;
        this.leases.set(key, { id, until: this.now() + ms });
        return true;
      },
      release: async () => {
        released = true;
        if (this.leases.get(key)?.id === id) this.leases.delete(key);
        this.notify(key);
      },
    };
  }

  async coolDown(key: string, ms: number): Promise<void> {
    const until = this.now() + ms;
    if ((this.coolDowns.get(key) ?? 0) < until) this.coolDowns.set(key, until);
  }

  async coolDownRemaining(key: string): Promise<number> {
    const until = this.coolDowns.get(key);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return left;
    this.coolDowns.delete(key);
    return 0;
  }

  waitForChange(key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(key) === waiters) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.add(done);
    });
  }

  private expired(token: StoredToken): boolean {
    return token.refreshToken === undefined && token.expiresAt !== undefined && token.expiresAt + MEMORY_GRACE_MS <= this.now();
  }

  private sweep(): void {
    for (const [key, token] of this.tokens) if (this.expired(token)) this.tokens.delete(key);
    const now = this.now();
    for (const [key, lease] of this.leases) if (lease.until <= now) this.leases.delete(key);
    for (const [key, until] of this.coolDowns) if (until <= now) this.coolDowns.delete(key);
  }

  private notify(key: string): void {
    for (const wake of [...(this.waiters.get(key) ?? [])]) wake();
  }
}
