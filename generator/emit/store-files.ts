import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../package-root.js";
import { STORES_SOURCE } from "../write/manifest.js";
import { bannerComment } from "./banner.js";
import { formatTypeScript } from "./format.js";
import type { EmittedFile } from "./index.js";

/**
 * `stores/`: the token stores a project asks for (`"stores"` in
 * tokenwright.config.json), copied from `generator/stores/` under a banner
 * and through the formatter, as the runtime is. A store imports the
 * output's `../runtime/` and the packages the user installs (`ioredis`), so
 * nothing it needs at run time comes from tokenwright.
 */
export function storeFiles(files: readonly string[], folder: string, command: string): EmittedFile[] {
  return files.map((name) => {
    const source = readFileSync(fileURLToPath(new URL(`${STORES_SOURCE}${name}`, packageRoot)));
    const sha256 = createHash("sha256").update(source).digest("hex");
    const path = `${folder}/${name}`;
    return { path, content: formatTypeScript(path, source.toString("utf8"), bannerComment(`${STORES_SOURCE}${name}`, sha256, command)) };
  });
}
