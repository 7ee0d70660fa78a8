import module, { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { SharedTypeScriptData } from "./shared-typescript-hooks.js";

/**
 * Makes openapi-typescript, once imported, share ts-morph's TypeScript (see
 * shared-typescript-hooks.ts). Needs `module.register` (Node 20.6+); without
 * it, from source, or with TOKENWRIGHT_SEPARATE_TYPESCRIPT=1, each loads its
 * own copy and the output is the same.
 */
export function shareTypeScriptWithOpenapiTypescript(): void {
  const register = (module as { register?: (specifier: string, parentURL: string, options: object) => void }).register;
  if (typeof register !== "function" || process.env["TOKENWRIGHT_SEPARATE_TYPESCRIPT"]) return;
  // Run from source (tests), the hooks exist only as .ts, which a loader hook thread cannot import.
  if (!import.meta.url.endsWith(".js")) return;
  const require = createRequire(import.meta.url);
  const openapiTypescriptDir = pathToFileURL(require.resolve("openapi-typescript/package.json").replace(/package\.json$/, "")).href;
  // ts-morph's own compiler, resolved the way ts-morph resolves it.
  const tsMorphCommon = createRequire(require.resolve("ts-morph")).resolve("@ts-morph/common/dist/typescript.js");
  const data: SharedTypeScriptData = { typescriptPath: tsMorphCommon, openapiTypescriptDir };
  register("./shared-typescript-hooks.js", import.meta.url, { data });
}
