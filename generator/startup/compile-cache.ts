import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import module from "node:module";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { packageRoot } from "../package-root.js";

/**
 * A generate run spends most of its time in V8 compiling TypeScript's
 * compiler, which ts-morph and openapi-typescript each bring (9 MB of
 * CommonJS apiece). Node 22.1+ caches compiled code itself
 * (`module.enableCompileCache`); on Node 20 this does the same for exactly
 * those two files, by compiling them through `vm.Script` with V8's code
 * cache. Every other module, and every ES module, is left to Node. The cache
 * lives in `node_modules/.cache/tokenwright`; a cache that cannot be read or
 * written is ignored, and `TOKENWRIGHT_NO_COMPILE_CACHE=1` turns it off.
 */
const TYPESCRIPT_BUNDLE = /[\\/](?:typescript[\\/]lib[\\/]typescript\.js|@ts-morph[\\/]common[\\/]dist[\\/]typescript\.js)$/;

interface CompilableModule {
  exports: unknown;
  require(id: string): unknown;
  _compile(content: string, filename: string, format?: string): unknown;
}

interface ModuleInternals {
  prototype: CompilableModule;
  wrap(script: string): string;
  _resolveFilename(request: string, parent: CompilableModule, isMain: boolean, options?: unknown): string;
  _cache: unknown;
}

let enabled = false;

export function enableCompileCache(): void {
  if (enabled || process.env["TOKENWRIGHT_NO_COMPILE_CACHE"]) return;
  enabled = true;
  // Installed in a project (…/node_modules/tokenwright/), the cache goes in that project's node_modules/.cache.
  const root = fileURLToPath(packageRoot);
  const installed = /[\\/]node_modules[\\/]$/.test(dirname(root) + sep);
  const cacheDir = installed ? join(dirname(root), ".cache", "tokenwright") + sep : fileURLToPath(new URL("node_modules/.cache/tokenwright/", packageRoot));
  const builtIn = (module as { enableCompileCache?: (directory?: string) => unknown }).enableCompileCache;
  if (typeof builtIn === "function") {
    builtIn(cacheDir);
    return;
  }
  const internals = module as unknown as ModuleInternals;
  const original = internals.prototype._compile;
  internals.prototype._compile = function (this: CompilableModule, content: string, filename: string, format?: string): unknown {
    if (format === "module" || !TYPESCRIPT_BUNDLE.test(filename)) return original.call(this, content, filename, format);
    return runCached(internals, this, content, filename, cacheDir);
  };
}

function runCached(internals: ModuleInternals, target: CompilableModule, content: string, filename: string, cacheDir: string): unknown {
  const cacheFile = `${cacheDir}${createHash("sha256").update(`${process.version}\0${filename}\0`).update(content).digest("hex")}.v8`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(internals.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
  if (!cachedData || script.cachedDataRejected === true) {
    // Written at exit, so the cache also holds the functions that ran (compiled lazily) by then.
    process.once("exit", () => saveCache(script, cacheDir, cacheFile));
  }
  const require = Object.assign((id: string) => target.require(id), {
    resolve: (request: string, options?: unknown) => internals._resolveFilename(request, target, false, options),
    cache: internals._cache,
  });
  const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
  return wrapper.call(target.exports, target.exports, require, target, filename, dirname(filename));
}

function saveCache(script: vm.Script, cacheDir: string, cacheFile: string): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const temporary = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  } catch {
    // A read-only install just runs without the cache.
  }
}
