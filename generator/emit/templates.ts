import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../package-root.js";

/** Reads a template from the package's `templates/` folder. */
export function readTemplate(name: string): string {
  return readFileSync(fileURLToPath(new URL(`templates/${name}`, packageRoot)), "utf8");
}
