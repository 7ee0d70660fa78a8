import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../package-root.js";
import { bannerComment } from "./banner.js";
import { formatTypeScript } from "./format.js";
import type { EmittedFile } from "./index.js";

/** The runtime's source folder, inside the package. */
export const RUNTIME_SOURCE = "generator/runtime/";

/**
 * `runtime/`: the runtime's source, copied under a banner and through the
 * formatter every generated file goes through, so that generated clients
 * depend on nothing their users cannot read, in one style.
 */
export function runtimeFiles(command: string): EmittedFile[] {
  const folder = fileURLToPath(new URL(RUNTIME_SOURCE, packageRoot));
  return readdirSync(folder)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    .sort()
    .map((name) => {
      const source = readFileSync(`${folder}/${name}`);
      const sha256 = createHash("sha256").update(source).digest("hex");
      const path = `runtime/${name}`;
      return { path, content: formatTypeScript(path, source.toString("utf8"), bannerComment(`${RUNTIME_SOURCE}${name}`, sha256, command)) };
    });
}
