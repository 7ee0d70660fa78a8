import { cp, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";

export * from "./manifest.js";

/** A file to write, path relative to the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Replaces the output folder with a new tree in one step: the tree is built
 * beside it (same file system), then swapped in by renames, so a failure at
 * any point leaves the previous output as it was. `keep` names top-level
 * entries of the old folder to carry over unchanged (current providers).
 */
export async function writeOutput(outDir: string, files: readonly OutputFile[], keep: readonly string[]): Promise<void> {
  const target = resolve(outDir);
  const suffix = `${process.pid}-${Date.now()}`;
  const staging = `${target}.tokenwright-new-${suffix}`;
  const previous = `${target}.tokenwright-old-${suffix}`;
  await mkdir(dirname(target), { recursive: true });
  try {
    await mkdir(staging);
    for (const entry of [...keep].sort()) {
      if (existsSync(`${target}/${entry}`)) await cp(`${target}/${entry}`, `${staging}/${entry}`, { recursive: true });
    }
    for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const path = resolve(staging, file.path);
      if (!path.startsWith(`${staging}/`)) throw new Error(`refusing to write outside the output folder: ${JSON.stringify(file.path)}`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content);
    }
    const hadPrevious = existsSync(target);
    if (hadPrevious) await rename(target, previous);
    try {
      await rename(staging, target);
    } catch (error) {
      if (hadPrevious) await rename(previous, target);
      throw error;
    }
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
