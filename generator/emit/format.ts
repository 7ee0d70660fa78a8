import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { packageRoot } from "../package-root.js";

/**
 * The one formatter every generated TypeScript file goes through: dprint's
 * TypeScript plugin (a WebAssembly module, pinned in package.json) with the
 * settings below, then the comments it leaves over {@link LINE_WIDTH} are
 * re-wrapped (dprint never re-flows comment text). Loaded only when a file
 * is emitted: the up-to-date check and `--check` never load it.
 *
 * Chosen by measuring on the five providers plus the runtime (~290 KB, one
 * process each, Node 20): Prettier 3 took 2.4–3.0 s; TypeScript's own
 * formatter 0.8–1.2 s, and it wraps no lines; dprint 0.8–1.5 s, of which all
 * but ~0.15 s is V8 tiering its WebAssembly up, so it runs on V8's baseline
 * compiler alone. Formatted bodies are cached by content (see formatBody):
 * a run that formats nothing new loads no formatter.
 */

/** No generated line is longer than this (a word longer than it, such as a URL, keeps a line of its own). */
export const LINE_WIDTH = 120;

/** The dprint-plugin-typescript settings, pinned (the plugin version is pinned in package.json). */
export const FORMAT_SETTINGS = {
  lineWidth: LINE_WIDTH,
  indentWidth: 2,
  useTabs: false,
  newLineKind: "lf",
  quoteStyle: "alwaysDouble",
  quoteProps: "preserve",
  semicolons: "prefer",
  trailingCommas: "onlyMultiLine",
  operatorPosition: "nextLine",
  "arrowFunction.useParentheses": "force",
  "module.sortImportDeclarations": "maintain",
  "module.sortExportDeclarations": "maintain",
  "importDeclaration.sortNamedImports": "maintain",
  "exportDeclaration.sortNamedExports": "maintain",
} as const;

interface DprintFormatter {
  setConfig(global: Record<string, unknown>, plugin: Record<string, unknown>): void;
  getConfigDiagnostics(): readonly { propertyName: string; message: string }[];
  formatText(request: { filePath: string; fileText: string }): string;
}

let loaded: DprintFormatter | undefined;

function formatter(): DprintFormatter {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const { createFromBuffer } = require("@dprint/formatter") as { createFromBuffer(wasm: Uint8Array): DprintFormatter };
  const { getPath } = require("@dprint/typescript") as { getPath(): string };
  // Measured: tiering the plugin up to optimised code costs ~1 s of a run that formats for ~0.15 s without it.
  // Only WebAssembly compiled from here on is affected, and tokenwright compiles no other.
  v8.setFlagsFromString("--liftoff-only");
  const created = createFromBuffer(readFileSync(getPath()));
  const { lineWidth, indentWidth, useTabs, newLineKind, ...plugin } = FORMAT_SETTINGS;
  created.setConfig({ lineWidth, indentWidth, useTabs, newLineKind }, plugin);
  const problems = created.getConfigDiagnostics();
  if (problems.length > 0) throw new Error(`formatter settings: ${problems.map((p) => `${p.propertyName}: ${p.message}`).join("; ")}`);
  loaded = created;
  return created;
}

/**
 * A generated TypeScript file, formatted: the same text in gives the same
 * text out, and formatting it again changes nothing. `banner` (`//` lines,
 * which name the command that regenerates the file) is wrapped and put
 * first; the body is formatted apart from it, so that its formatting is
 * cached by content whatever the command (see {@link formatBody}).
 */
export function formatTypeScript(path: string, body: string, banner?: string): string {
  const formatted = formatBody(path, body);
  return banner === undefined ? formatted : `${banner.split("\n").map((line) => wrapLineComment(line, "")).join("\n")}\n\n${formatted}`;
}

/** dprint settles a few constructs (a long `??=` of a parenthesised conditional) only on a second pass. */
const MAX_PASSES = 4;

/** Formats code: dprint, then comment wrapping, repeated until the text no longer changes, so formatting is idempotent. */
function formatCode(path: string, text: string): string {
  const filePath = path.endsWith(".ts") ? path : `${path}.ts`;
  let current = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = wrapComments(formatter().formatText({ filePath, fileText: current }));
    if (next === current) return next;
    current = next;
  }
  throw new Error(`${path}: the formatter does not settle after ${MAX_PASSES} passes`);
}

/**
 * The formatted text of a file body, from `node_modules/.cache/tokenwright`
 * when this formatter (its code, plugin version and settings) has formatted
 * the same text before; the runtime's files and an unchanged spec's files
 * then load no formatter at all. A cache that cannot be read or written is
 * ignored; `TOKENWRIGHT_NO_FORMAT_CACHE=1` turns it off.
 */
function formatBody(path: string, text: string): string {
  if (process.env["TOKENWRIGHT_NO_FORMAT_CACHE"]) return formatCode(path, text);
  const file = `${cacheFolder()}${createHash("sha256").update(formatterIdentity()).update("\0").update(text).digest("hex")}.ts`;
  try {
    return readFileSync(file, "utf8");
  } catch {
    // Not formatted before: format and keep it.
  }
  const formatted = formatCode(path, text);
  try {
    mkdirSync(cacheFolder(), { recursive: true });
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(temporary, formatted);
    renameSync(temporary, file);
  } catch {
    // A read-only install formats every time.
  }
  return formatted;
}

function cacheFolder(): string {
  return fileURLToPath(new URL("node_modules/.cache/tokenwright/format/", packageRoot));
}

let identity: string | undefined;

/** What decides a formatted text besides the input: this module's own code, the plugin's version and the settings. */
function formatterIdentity(): string {
  if (identity !== undefined) return identity;
  const require = createRequire(import.meta.url);
  const plugin = JSON.parse(readFileSync(require.resolve("@dprint/typescript/package.json"), "utf8")) as { version?: string };
  identity = createHash("sha256")
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(`\0${String(plugin.version)}\0${JSON.stringify(FORMAT_SETTINGS)}`)
    .digest("hex");
  return identity;
}

/**
 * Re-wraps the comments that run past {@link LINE_WIDTH}: `//` comments and
 * the lines of `/** … *\/` blocks (a one-line block becomes a block of lines).
 * Words are never split; a parenthesised group that fits on a line is kept
 * together; code blocks inside a comment are left as they are. A file with
 * no long line is returned as it is, unparsed.
 */
export function wrapComments(text: string): string {
  // Only a comment that starts its line is re-wrapped: without such a long line there is nothing to scan for.
  if (!text.split("\n").some((line) => line.length > LINE_WIDTH && /^\s*(\/\/|\/\*|\*)/.test(line))) return text;
  const edits: { pos: number; end: number; text: string }[] = [];
  for (const comment of commentsOf(text)) {
    const lineStart = text.lastIndexOf("\n", comment.pos - 1) + 1;
    const lead = text.slice(lineStart, comment.pos);
    // Only a comment that starts its line (after indentation) is re-wrapped; one after code is left as it is.
    if (lead.trim() !== "") continue;
    const original = text.slice(comment.pos, comment.end);
    const wrapped = comment.kind === "line" ? wrapLineComment(original, lead) : wrapBlockComment(original, lead);
    if (wrapped !== original) edits.push({ pos: comment.pos, end: comment.end, text: wrapped });
  }
  let out = text;
  for (const edit of edits.sort((a, b) => b.pos - a.pos)) out = `${out.slice(0, edit.pos)}${edit.text}${out.slice(edit.end)}`;
  return out;
}

/** A comment in a file: `[pos, end)`, and whether it is a `//` comment or a block. */
export interface CommentRange {
  readonly pos: number;
  readonly end: number;
  readonly kind: "line" | "block";
}

/** Words after which a `/` starts a regular expression rather than dividing. */
const BEFORE_EXPRESSION = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

/**
 * Every comment in a TypeScript file, in order. A small lexer that knows
 * just enough to tell a comment from text that looks like one: strings,
 * template literals (with `${…}` nested to any depth) and regular expressions
 * (a `/` where an expression may start). It needs no TypeScript, so the
 * formatter can run off the main thread.
 */
export function commentsOf(text: string): CommentRange[] {
  const comments: CommentRange[] = [];
  /** The brace depth at each open `${`, innermost last. */
  const substitutions: number[] = [];
  let depth = 0;
  let regexAllowed = true;
  let i = 0;
  /** Reads a template literal's text from `from` to its closing backtick or its next `${`. */
  const template = (from: number): number => {
    for (let j = from; j < text.length; j++) {
      if (text[j] === "\\") j++;
      else if (text[j] === "`") {
        regexAllowed = false;
        return j + 1;
      } else if (text[j] === "$" && text[j + 1] === "{") {
        substitutions.push(depth);
        regexAllowed = true;
        return j + 2;
      }
    }
    return text.length;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === "/" && text[i + 1] === "/") {
      const newline = text.indexOf("\n", i);
      const end = newline < 0 ? text.length : newline;
      comments.push({ pos: i, end, kind: "line" });
      i = end;
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      const end = close < 0 ? text.length : close + 2;
      comments.push({ pos: i, end, kind: "block" });
      i = end;
    } else if (c === "/") {
      i = regexAllowed ? skipRegex(text, i) : i + 1;
      regexAllowed = !regexAllowed;
    } else if (c === '"' || c === "'") {
      i = skipQuoted(text, i);
      regexAllowed = false;
    } else if (c === "`") {
      i = template(i + 1);
    } else if (c === "{") {
      depth++;
      i++;
      regexAllowed = true;
    } else if (c === "}") {
      if (substitutions.length > 0 && substitutions[substitutions.length - 1] === depth) {
        substitutions.pop();
        i = template(i + 1);
      } else {
        depth--;
        i++;
        regexAllowed = false;
      }
    } else if (/[\w$]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[\w$]/.test(text[j]!)) j++;
      regexAllowed = BEFORE_EXPRESSION.has(text.slice(i, j));
      i = j;
    } else if (c === ")" || c === "]") {
      regexAllowed = false;
      i++;
    } else {
      if (!/\s/.test(c)) regexAllowed = true;
      i++;
    }
  }
  return comments;
}

function skipQuoted(text: string, start: number): number {
  const quote = text[start];
  for (let j = start + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === quote || text[j] === "\n") return j + (text[j] === quote ? 1 : 0);
  }
  return text.length;
}

function skipRegex(text: string, start: number): number {
  let inClass = false;
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j];
    if (c === "\\") j++;
    else if (c === "\n") return j;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "/") {
      let end = j + 1;
      while (end < text.length && /[a-z]/i.test(text[end]!)) end++;
      return end;
    }
  }
  return text.length;
}

/** `// a long comment` -> several `//` lines at the same indentation. */
function wrapLineComment(comment: string, indent: string): string {
  if (indent.length + comment.length <= LINE_WIDTH) return comment;
  const body = comment.replace(/^\/\/\s?/, "");
  return wrapWords(body, LINE_WIDTH - indent.length - 3).map((line) => (line === "" ? "//" : `// ${line}`)).join(`\n${indent}`);
}

/** A `/** … *\/` block whose lines run long: each long line re-wrapped, a one-line block opened up. */
function wrapBlockComment(comment: string, indent: string): string {
  if (!comment.startsWith("/**")) return comment;
  const lines = comment.split("\n");
  if (lines.length === 1) {
    if (indent.length + comment.length <= LINE_WIDTH) return comment;
    const body = comment.slice(3, -2).trim();
    return [`/**`, ...wrapWords(body, LINE_WIDTH - indent.length - 3).map((line) => (line === "" ? " *" : ` * ${line}`)), " */"].join(`\n${indent}`);
  }
  let fenced = false;
  const out: string[] = [];
  for (const [index, line] of lines.entries()) {
    const match = /^(\s*\* ?)(.*)$/.exec(line);
    if (index === 0 || !match) {
      out.push(line);
      continue;
    }
    const [, prefix, body] = match as unknown as [string, string, string];
    if (body.trimStart().startsWith("```")) fenced = !fenced;
    if (fenced || line.length <= LINE_WIDTH || body.trimStart().startsWith("```")) {
      out.push(line);
      continue;
    }
    // A list item's continuation lines are indented under its text.
    const item = /^(\s*(?:[-*+]|\d+\.) )/.exec(body)?.[1] ?? /^(\s*)/.exec(body)![1]!;
    const wrapped = wrapWords(body.slice(item.length), LINE_WIDTH - prefix.length - item.length);
    out.push(...wrapped.map((text, n) => `${prefix}${n === 0 ? item : " ".repeat(item.length)}${text}`));
  }
  return out.join("\n");
}

/** Words filled into lines of at most `width` characters; a group in parentheses that fits a line is not split. */
export function wrapWords(text: string, width: number): string[] {
  const words = text.split(/ +/).filter((word) => word !== "");
  const units: string[] = [];
  for (let i = 0; i < words.length; i++) {
    let unit = words[i]!;
    if (unit.startsWith("(") && !unit.includes(")")) {
      let j = i + 1;
      let group = unit;
      while (j < words.length && !words[j - 1]!.includes(")")) group = `${group} ${words[j++]}`;
      if (group.includes(")") && group.length <= width) {
        unit = group;
        i = j - 1;
      }
    }
    units.push(unit);
  }
  const lines: string[] = [];
  let current = "";
  for (const unit of units) {
    if (current === "") current = unit;
    else if (current.length + 1 + unit.length <= width) current = `${current} ${unit}`;
    else {
      lines.push(current);
      current = unit;
    }
  }
  if (current !== "" || lines.length === 0) lines.push(current);
  return lines;
}
