import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";

/**
 * The small glob dialect of `tokenwright.config.json`'s `specs`: `*` and `?`
 * within a path segment, `**` for any number of folders, `{a,b}`
 * alternatives. Folders whose names start with `.` and `node_modules` are
 * never entered by a wildcard. Only Node built-ins: the up-to-date check
 * loads this.
 */
export function isGlob(pattern: string): boolean {
  return /[*?{]/.test(pattern);
}

/** `specs/*.{yaml,json}` -> `specs/*.yaml`, `specs/*.json` (nested braces too). */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf("{");
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      const head = pattern.slice(0, open);
      const tail = pattern.slice(i + 1);
      const bounds = [open, ...commas, i];
      const options = bounds.slice(1).map((end, k) => pattern.slice(bounds[k]! + 1, end));
      return options.flatMap((option) => expandBraces(`${head}${option}${tail}`));
    } else if (c === "," && depth === 1) commas.push(i);
  }
  return [pattern]; // an unclosed brace is literal
}

/** The folder a pattern's wildcards start below (`specs/**\/*.yaml` -> `specs`), for watching. */
export function globBase(pattern: string): string {
  const segments = pattern.split("/");
  const literal: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (isGlob(segment)) break;
    literal.push(segment);
  }
  return literal.join("/") || ".";
}

/** Whether a pattern can match files in nested folders (`**`), so a watcher must look below its base. */
export function globIsDeep(pattern: string): boolean {
  return expandBraces(pattern).some((p) => p.split("/").includes("**"));
}

function segmentRegExp(segment: string): RegExp {
  let source = "";
  for (const c of segment) {
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/**
 * Files matching a pattern, relative to `root` as the pattern spells them
 * (forward slashes), sorted. `skipDir(path)` leaves a folder out (the output
 * folder); it is given the folder's path relative to `root`.
 */
export function globFiles(root: string, pattern: string, skipDir: (relativePath: string) => boolean = () => false): string[] {
  const found = new Set<string>();
  for (const expanded of expandBraces(pattern.split("\\").join("/"))) {
    const absolute = isAbsolute(expanded);
    const segments = expanded.split("/").filter((s, i) => s !== "" || (i === 0 && absolute));
    walk(absolute ? "/" : "", absolute ? segments.slice(1) : segments);
  }
  return [...found].sort();

  function walk(prefix: string, rest: readonly string[]): void {
    const [segment, ...tail] = rest;
    if (segment === undefined) return;
    const full = (path: string) => (isAbsolute(path) ? path : join(root, path));
    const joined = (name: string) => (prefix === "" ? name : prefix.endsWith("/") ? `${prefix}${name}` : `${prefix}/${name}`);
    if (segment === "**") {
      walk(prefix, tail); // zero folders
      for (const entry of entries(full(prefix || "."))) {
        if (!entry.dir || entry.name.startsWith(".") || entry.name === "node_modules") continue;
        const path = joined(entry.name);
        if (!skipDir(path)) walk(path, rest);
      }
      return;
    }
    if (!isGlob(segment)) {
      const path = joined(segment);
      if (tail.length === 0) {
        if (isFile(full(path))) found.add(path);
      } else if (!skipDir(path)) walk(path, tail);
      return;
    }
    const match = segmentRegExp(segment);
    for (const entry of entries(full(prefix || "."))) {
      if (!match.test(entry.name) || (entry.name.startsWith(".") && !segment.startsWith("."))) continue;
      const path = joined(entry.name);
      if (tail.length === 0) {
        if (!entry.dir) found.add(path);
      } else if (entry.dir && entry.name !== "node_modules" && !skipDir(path)) walk(path, tail);
    }
  }
}

function entries(folder: string): { name: string; dir: boolean }[] {
  try {
    return readdirSync(folder, { withFileTypes: true }).map((e) => ({ name: e.name, dir: e.isDirectory() || (e.isSymbolicLink() && isDir(join(folder, e.name))) }));
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
