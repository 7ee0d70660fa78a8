/**
 * Module hooks (registered with `module.register`) that make
 * openapi-typescript use the TypeScript compiler ts-morph has already loaded,
 * instead of loading a second 9 MB copy (~0.5 s of a generate run).
 *
 * Only the bare specifier `typescript` imported from inside the
 * openapi-typescript package is redirected, to a one-line ES module that
 * `require`s ts-morph's copy. (Importing the CommonJS file itself from ESM
 * would make Node scan all 9 MB for named exports, ~0.3 s; openapi-typescript
 * only uses the default import.) `test/generator/wire.test.ts` checks the
 * CLI's output against the public openapiTS() on the project's own TypeScript.
 */
interface ResolveContext {
  readonly parentURL?: string;
}
interface ResolveResult {
  readonly url: string;
  readonly format?: string | null;
  readonly shortCircuit?: boolean;
}
interface LoadResult {
  readonly format: string;
  readonly source?: string;
  readonly shortCircuit?: boolean;
}

export interface SharedTypeScriptData {
  /** Absolute path of the TypeScript compiler ts-morph loaded. */
  readonly typescriptPath: string;
  /** File URL of the openapi-typescript package folder, ending in `/`. */
  readonly openapiTypescriptDir: string;
}

const SHIM_URL = "tokenwright:shared-typescript";

let shared: SharedTypeScriptData | undefined;

export function initialize(data: SharedTypeScriptData): void {
  shared = data;
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  next: (specifier: string, context: ResolveContext) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  if (shared && specifier === "typescript" && context.parentURL?.startsWith(shared.openapiTypescriptDir)) {
    return { url: SHIM_URL, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url: string, context: object, next: (url: string, context: object) => Promise<LoadResult>): Promise<LoadResult> {
  if (shared && url === SHIM_URL) {
    const source = [
      'import { createRequire } from "node:module";',
      `export default createRequire(${JSON.stringify(shared.typescriptPath)})(${JSON.stringify(shared.typescriptPath)});`,
    ].join("\n");
    return { format: "module", source, shortCircuit: true };
  }
  return next(url, context);
}
