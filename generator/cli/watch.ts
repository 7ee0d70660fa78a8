import { readdirSync, watch, type FSWatcher } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";

/** What a run asks to be watched, absolute paths. */
export interface WatchTargets {
  /** Files whose change matters (their folders are watched). */
  readonly files: readonly string[];
  /** Folders whose entries matter (a new spec matching a glob). */
  readonly dirs: readonly string[];
  /** Folders to watch with every folder below them (`**` globs). */
  readonly deepDirs: readonly string[];
  /** Paths to ignore: the output folder and the staging folders beside it. */
  readonly ignore: (path: string) => boolean;
}

export interface Watcher {
  /** Stops watching; a run under way finishes. */
  close(): void;
}

/**
 * Runs `run` once, then again after each change to what it asked to watch,
 * `debounceMs` after the last change of a burst; never two runs at once (a
 * change during a run causes one more run after it). `run` reports its own
 * errors and returns what to watch next, so a broken spec or config is
 * watched until it is fixed.
 */
export function watchAndRun(run: () => Promise<WatchTargets>, debounceMs: number): Watcher {
  const watchers = new Map<string, FSWatcher>();
  let targets: WatchTargets | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let closed = false;

  const changed = (dir: string, name: string | Buffer | null) => {
    if (closed) return;
    const path = name === null ? dir : join(dir, name.toString());
    if (targets?.ignore(path)) return;
    clearTimeout(timer);
    timer = setTimeout(go, debounceMs);
  };

  const rewatch = (next: WatchTargets) => {
    targets = next;
    const wanted = new Set<string>([...next.files.map((f) => dirname(f)), ...next.dirs]);
    for (const deep of next.deepDirs) for (const dir of folders(deep, next.ignore)) wanted.add(dir);
    for (const [dir, watcher] of watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: true }, (_event, name) => changed(dir, name));
        watcher.on("error", () => {
          watcher.close();
          watchers.delete(dir);
        });
        watchers.set(dir, watcher);
      } catch {
        // A folder that does not exist (yet): its parent is watched when a target needs it.
        const parent = dirname(dir);
        if (parent !== dir && !watchers.has(parent) && !wanted.has(parent)) wanted.add(parent);
      }
    }
  };

  const go = async (): Promise<void> => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const next = await run();
      if (!closed) rewatch(next);
    } finally {
      running = false;
    }
    if (again && !closed) {
      again = false;
      await go();
    }
  };

  void go();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** A folder and every folder below it, except hidden ones, node_modules and ignored ones. */
function folders(root: string, ignore: (path: string) => boolean): string[] {
  const out = [resolve(root)];
  for (let i = 0; i < out.length && out.length < 2000; i++) {
    let entries;
    try {
      entries = readdirSync(out[i]!, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = `${out[i]!}${sep}${entry.name}`;
      if (!ignore(path)) out.push(path);
    }
  }
  return out;
}
