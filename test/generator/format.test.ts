// Every generated TypeScript file goes through one formatter (generator/emit/format.ts): 2-space
// indentation, at most 120 columns, and formatting the output again changes nothing.
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import ts from "typescript";
import { LINE_WIDTH, commentsOf, formatTypeScript, wrapComments, wrapWords } from "../../generator/emit/format.js";
import { emitProvider } from "../../generator/emit/index.js";
import { wireTypes } from "../../generator/emit/wire.js";
import { loadSpecText } from "../../generator/load/index.js";
import { buildModel } from "../../generator/model/index.js";
import { hostileSpec } from "../fixtures/hostile-spec.js";
import { CLI, REPO_ROOT, ensureBuilt, runNode, useTempDirs, writeTree } from "./helpers.js";

const GENERATED = join(REPO_ROOT, "generated");

function tsFiles(folder: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts")) out.push({ path: relative(folder, full).split("\\").join("/"), text: readFileSync(full, "utf8") });
    }
  };
  walk(folder);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** `file:line (columns)` for each line over the limit; columns are code points, as an editor counts them. */
function longLines(files: readonly { path: string; text: string }[]): string[] {
  return files.flatMap(({ path, text }) =>
    text.split("\n").flatMap((line, index) => ([...line].length > LINE_WIDTH ? [`${path}:${index + 1} (${[...line].length})`] : [])),
  );
}

const committed = tsFiles(GENERATED);
const providers = committed.filter((f) => !f.path.startsWith("runtime/"));
const runtime = committed.filter((f) => f.path.startsWith("runtime/"));

describe("the committed generated/ tree", () => {
  it("has provider and runtime files to check", () => {
    expect(providers.length).toBeGreaterThanOrEqual(20);
    expect(runtime.length).toBeGreaterThanOrEqual(10);
  });

  it(`no provider file has a line over ${LINE_WIDTH} columns`, () => {
    expect(longLines(providers)).toEqual([]);
  });

  // The runtime is copied from generator/runtime through the same formatter, which breaks code and
  // comments but never a string literal: a longer string there must be shortened in the runtime's source.
  it(`no runtime file has a line over ${LINE_WIDTH} columns`, () => {
    expect(longLines(runtime)).toEqual([]);
  });

  it("is indented with two spaces, never tabs", () => {
    for (const { path, text } of committed) {
      expect(text, path).not.toMatch(/^\t/m);
      // Outside block comments (whose lines carry one space before "*"), every indent is a multiple of two.
      const odd = text.split("\n").filter((line) => /^( {2})* \S/.test(line) && !/^\s*\*/.test(line));
      expect(odd, path).toEqual([]);
    }
  });

  it.each(committed.map(({ path }) => ({ path })))("formatting $path again changes nothing", ({ path }) => {
    const { text } = committed.find((f) => f.path === path)!;
    expect(formatTypeScript(path, text)).toBe(text);
  });
});

describe("a hostile spec's files", () => {
  it("are formatted within the width, and formatting them again changes nothing", async () => {
    const spec = await loadSpecText("specs/hostile.json", new TextEncoder().encode(JSON.stringify(hostileSpec())));
    const model = buildModel({ spec });
    const files = emitProvider(model, await wireTypes(model.wireDocument), "npm run generate")
      .filter((f) => f.path.endsWith(".ts"))
      .map((f) => ({ path: f.path, text: f.content }));
    expect(longLines(files)).toEqual([]);
    for (const { path, text } of files) expect(formatTypeScript(path, text), path).toBe(text);
  });
});

/** The comments TypeScript's own scanner finds (template literals and regular expressions rescanned as its parser would). */
function scannerComments(text: string): { pos: number; end: number; kind: "line" | "block" }[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const out: { pos: number; end: number; kind: "line" | "block" }[] = [];
  const substitutions: number[] = [];
  const dividesAfter = new Set([ts.SyntaxKind.Identifier, ts.SyntaxKind.NumericLiteral, ts.SyntaxKind.StringLiteral, ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.TemplateTail, ts.SyntaxKind.RegularExpressionLiteral, ts.SyntaxKind.CloseParenToken, ts.SyntaxKind.CloseBracketToken, ts.SyntaxKind.CloseBraceToken, ts.SyntaxKind.ThisKeyword, ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NullKeyword]);
  let depth = 0;
  let previous = ts.SyntaxKind.Unknown;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia) {
      out.push({ pos: scanner.getTokenStart(), end: scanner.getTokenEnd(), kind: kind === ts.SyntaxKind.SingleLineCommentTrivia ? "line" : "block" });
      continue;
    }
    if (kind === ts.SyntaxKind.NewLineTrivia || kind === ts.SyntaxKind.WhitespaceTrivia) continue;
    if (kind === ts.SyntaxKind.OpenBraceToken) depth++;
    else if (kind === ts.SyntaxKind.TemplateHead) substitutions.push(depth);
    else if (kind === ts.SyntaxKind.CloseBraceToken && substitutions.at(-1) === depth) {
      kind = scanner.reScanTemplateToken(false);
      if (kind === ts.SyntaxKind.TemplateTail) substitutions.pop();
    } else if (kind === ts.SyntaxKind.CloseBraceToken) depth--;
    else if ((kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) && !dividesAfter.has(previous)) kind = scanner.reScanSlashToken();
    previous = kind;
  }
  return out;
}

describe("commentsOf", () => {
  const sources = [...committed, ...tsFiles(join(REPO_ROOT, "generator"))];

  it("finds the comments TypeScript's scanner finds, in every generated file and every generator source", () => {
    expect(sources.length).toBeGreaterThan(100);
    for (const { path, text } of sources) expect(commentsOf(text), path).toEqual(scannerComments(text));
  });

  it.each<{ name: string; given: string; want: string[] }>([
    { name: "strings", given: `const a = "// no"; const b = '/* no */'; // yes`, want: ["// yes"] },
    { name: "template literals, nested", given: "const t = `/* no ${`// no ${x}`} */`; /* yes */", want: ["/* yes */"] },
    { name: "a regular expression", given: "const r = /\\/\\/ no [/]/g; // yes", want: ["// yes"] },
    { name: "division", given: "const d = a / b; // yes", want: ["// yes"] },
    { name: "a regular expression after return", given: "function f() { return /\\/*x/.test(s); } // yes", want: ["// yes"] },
  ])("tells comments from $name", ({ given, want }) => {
    expect(commentsOf(given).map((c) => given.slice(c.pos, c.end))).toEqual(want);
  });
});

describe("wrapWords", () => {
  it.each<{ name: string; given: string; width: number; want: string[] }>([
    { name: "short text stays one line", given: "a b c", width: 10, want: ["a b c"] },
    { name: "fills lines greedily", given: "aaa bbb ccc ddd", width: 7, want: ["aaa bbb", "ccc ddd"] },
    { name: "a word longer than the width keeps a line of its own", given: "a https://example.com/a/very/long/url b", width: 10, want: ["a", "https://example.com/a/very/long/url", "b"] },
    { name: "a parenthesised group that fits is not split", given: "from specs/a.yaml (sha256 0123456789).", width: 28, want: ["from specs/a.yaml", "(sha256 0123456789)."] },
    { name: "a group longer than a line is split like words", given: "x (a b c d e f)", width: 6, want: ["x (a b", "c d e", "f)"] },
    { name: "runs of spaces fold", given: "a   b", width: 10, want: ["a b"] },
    { name: "empty text is one empty line", given: "", width: 10, want: [""] },
  ])("$name", ({ given, width, want }) => {
    expect(wrapWords(given, width)).toEqual(want);
  });
});

describe("wrapComments", () => {
  const long = "word ".repeat(40).trim();
  it.each<{ name: string; given: string; want: string }>([
    { name: "a file without long lines is returned as it is", given: "// short\nconst a = 1;\n", want: "// short\nconst a = 1;\n" },
    {
      name: "a long // comment becomes several, at its indentation",
      given: `  // ${long}\n`,
      want: `  // ${"word ".repeat(23).trim()}\n  // ${"word ".repeat(17).trim()}\n`,
    },
    {
      name: "a long one-line JSDoc opens up",
      given: `/** ${long} */\nconst a = 1;\n`,
      want: `/**\n * ${"word ".repeat(23).trim()}\n * ${"word ".repeat(17).trim()}\n */\nconst a = 1;\n`,
    },
    {
      name: "a list item's continuation is indented under its text",
      given: `/**\n * - ${long}\n */\n`,
      want: `/**\n * - ${"word ".repeat(23).trim()}\n *   ${"word ".repeat(17).trim()}\n */\n`,
    },
    {
      name: "a code block inside a comment is left as it is",
      given: `/**\n * \`\`\`ts\n * const x = "${"y".repeat(130)}";\n * \`\`\`\n */\n`,
      want: `/**\n * \`\`\`ts\n * const x = "${"y".repeat(130)}";\n * \`\`\`\n */\n`,
    },
    {
      name: "text in a template literal that looks like a comment is not a comment",
      given: `const t = \`\n// ${long}\n\`;\n`,
      want: `const t = \`\n// ${long}\n\`;\n`,
    },
    {
      name: "a comment after code is left where it is",
      given: `const a = 1; // ${long}\n`,
      want: `const a = 1; // ${long}\n`,
    },
  ])("$name", ({ given, want }) => {
    expect(wrapComments(given)).toBe(want);
  });
});

describe("the formatter is loaded only to emit", () => {
  const tempDir = useTempDirs();

  it("a run that writes loads it; a no-change run and --check do not", async () => {
    await ensureBuilt();
    const project = await tempDir("format-load");
    mkdirSync(join(project, "specs"));
    copyFileSync(join(REPO_ROOT, "specs/asset.yaml"), join(project, "specs/asset.yaml"));
    // Reports every require of the formatter's packages (format.ts loads them with require).
    writeTree(project, {
      "watch-formatter.cjs": [
        'const Module = require("node:module");',
        "const load = Module._load;",
        'Module._load = function (request, ...rest) { if (request.startsWith("@dprint/")) process.stderr.write(`formatter loaded: ${request}\\n`); return load.call(this, request, ...rest); };',
      ].join("\n"),
    });
    const run = (args: string[]) => runNode(["--require", "./watch-formatter.cjs", CLI, "generate", "--out", "out", ...args], { cwd: project, env: { TOKENWRIGHT_NO_FORMAT_CACHE: "1" } });
    const first = await run([]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain("formatter loaded: @dprint/formatter");
    const again = await run([]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("up to date");
    expect(again.stderr).not.toContain("formatter loaded");
    const check = await run(["--check"]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).not.toContain("formatter loaded");
  }, 60_000);
});
