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
}

/** The right to refresh one key, held until released or until its lease runs out. */
export interface TokenLease {
  release(): Promise<void>;
}

/**
 * Storage for session tokens. Every method may be called concurrently. A
 * store shared between processes must make `acquire` exclusive across them
 * and let a lease expire by itself, so that a process that dies while
 * refreshing does not block the others for longer than the lease.
 */
export interface TokenStore {
  get(key: string): Promise<StoredToken | undefined>;
  set(key: string, token: StoredToken): Promise<void>;
  delete(key: string): Promise<void>;
  /** Takes the refresh lease for `key` for at most `leaseMs`; undefined when another holder has it. */
  acquire(key: string, leaseMs: number): Promise<TokenLease | undefined>;
  /**
   * Resolves when the token under `key` may have changed, or after
   * `timeoutMs` at the latest. Stores without notifications may simply wait.
   */
  waitForChange(key: string, timeoutMs: number): Promise<void>;
  /** Releases connections the store owns. */
  close?(): Promise<void>;
}

/** The default store: one process, no I/O. */
export class MemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, StoredToken>();
  private readonly leases = new Map<string, { readonly id: object; readonly until: number }>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly now: () => number;

  /** `now` decides when leases expire (default `Date.now`). */
  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  async get(key: string): Promise<StoredToken | undefined> {
    return this.tokens.get(key);
  }

  async set(key: string, token: StoredToken): Promise<void> {
    this.tokens.set(key, token);
    this.notify(key);
  }

  async delete(key: string): Promise<void> {
    this.tokens.delete(key);
    this.notify(key);
  }

  async acquire(key: string, leaseMs: number): Promise<TokenLease | undefined> {
    const held = this.leases.get(key);
    if (held && held.until > this.now()) return undefined;
    const id = {};
    this.leases.set(key, { id, until: this.now() + leaseMs });
    return {
      release: async () => {
        if (this.leases.get(key)?.id === id) this.leases.delete(key);
        this.notify(key);
      },
    };
  }

  waitForChange(key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.add(done);
    });
  }

  private notify(key: string): void {
    for (const wake of [...(this.waiters.get(key) ?? [])]) wake();
  }
}
