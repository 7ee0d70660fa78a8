import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../paths.js";
import { bannerComment } from "./banner.js";
import type { EmittedFile } from "./index.js";

/** The runtime's source folder, inside the package. */
export const RUNTIME_SOURCE = "generator/runtime/";

/**
 * `runtime/`: the runtime's source, copied verbatim under a banner, so that
 * generated clients depend on nothing their users cannot read.
 */
export function runtimeFiles(command: string): EmittedFile[] {
  const folder = fileURLToPath(new URL(RUNTIME_SOURCE, packageRoot));
  return readdirSync(folder)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    .sort()
    .map((name) => {
      const source = readFileSync(`${folder}/${name}`);
      const sha256 = createHash("sha256").update(source).digest("hex");
      return { path: `runtime/${name}`, content: `${bannerComment(`${RUNTIME_SOURCE}${name}`, sha256, command)}\n\n${source.toString("utf8")}` };
    });
}
