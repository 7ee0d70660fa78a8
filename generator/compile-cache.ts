import module, { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { packageRoot } from "./paths.js";

/**
 * Most of a generate run is V8 compiling TypeScript's compiler, which both
 * ts-morph and openapi-typescript bundle (~9 MB of JavaScript each). Caching
 * the compiled code between runs removes about a third of that. Node 22.1+
 * has this built in (`module.enableCompileCache`); on Node 20 the
 * `v8-compile-cache` package does the same for CommonJS modules. A cache that
 * cannot be written (read-only install) is skipped silently, and
 * `TOKENWRIGHT_NO_COMPILE_CACHE=1` turns it off.
 */
export function enableCompileCache(): void {
  if (process.env["TOKENWRIGHT_NO_COMPILE_CACHE"]) return;
  const cacheDir = fileURLToPath(new URL("node_modules/.cache/tokenwright/", packageRoot));
  const builtIn = (module as { enableCompileCache?: (directory?: string) => unknown }).enableCompileCache;
  if (typeof builtIn === "function") {
    builtIn(cacheDir);
    return;
  }
  process.env["V8_COMPILE_CACHE_CACHE_DIR"] ??= cacheDir;
  createRequire(import.meta.url)("v8-compile-cache");
}
