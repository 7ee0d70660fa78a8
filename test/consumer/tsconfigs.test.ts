// The generated code compiles where users compile: the repository's specs/ generated into a
// temp folder and typechecked under the five tsconfigs users have (README "Requirements").
// Each config is left in the folder as tsconfig.<name>.json, so a failure replays with
// `npx tsc -p <folder>/tsconfig.<name>.json`.
import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, ensureBuilt, runCli, useTempDirs } from "../generator/helpers.js";

/** What every config shares: strict, and the strictness flags a careful project turns on. */
const COMMON = {
  target: "ES2022",
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  noPropertyAccessFromIndexSignature: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  erasableSyntaxOnly: true,
  skipLibCheck: true,
  noEmit: true,
};

const NODE_TYPES = join(REPO_ROOT, "node_modules/@types");

/** name -> compilerOptions on top of COMMON. */
const CONFIGS: Readonly<Record<string, Record<string, unknown>>> = {
  // A Node service with @types/node and the default libs (which include the DOM).
  "module NodeNext": { module: "NodeNext", moduleResolution: "NodeNext", types: ["node"], typeRoots: [NODE_TYPES] },
  // A bundled app (Vite, esbuild, webpack).
  "moduleResolution bundler": { module: "ESNext", moduleResolution: "bundler", types: [] },
  // TypeScript 5.4's module: preserve (bundlers, Bun).
  "module preserve": { module: "preserve", types: [] },
  // A plain Node service: no DOM at all, fetch and friends from @types/node.
  "Node only (lib ES2022, @types/node, no DOM)": { module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022"], types: ["node"], typeRoots: [NODE_TYPES] },
  // A browser app: the DOM, no @types/node.
  "DOM only (lib ES2022 + DOM, no @types/node)": { module: "ESNext", moduleResolution: "bundler", lib: ["ES2022", "DOM"], types: [] },
};

const tempDir = useTempDirs();
let project = "";

beforeAll(async () => {
  await ensureBuilt();
  project = await tempDir("tsconfigs");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const run = await runCli(["generate", "--out", join(project, "generated")], REPO_ROOT);
  if (run.code !== 0) throw new Error(`generate failed (${String(run.code)}):\n${run.stdout}\n${run.stderr}`);
}, 120_000);

/** `file(line,col): TSxxxx message` for every diagnostic, paths relative to the project. */
function typecheckWith(name: string, options: Record<string, unknown>): { files: string[]; diagnostics: string[] } {
  // The stores (`"stores"` in the repository's config) are Node code on the app's own ioredis, which
  // this project does not install: test/generator/stores.test.ts and pack.test.ts typecheck them.
  const config = { compilerOptions: { ...COMMON, ...options }, include: ["generated/**/*.ts"], exclude: ["generated/stores"] };
  const slug = name.split(" ")[0]!.toLowerCase().replace(/[^a-z]+/g, "-");
  writeFileSync(join(project, `tsconfig.${slug}.json`), `${JSON.stringify(config, null, 2)}\n`);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, project);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const all = [...parsed.errors, ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
  const rel = (path: string) => relative(project, path).split("\\").join("/");
  return {
    files: parsed.fileNames.map(rel),
    diagnostics: all.map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
      if (!d.file || d.start === undefined) return `TS${d.code} ${message}`;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${rel(d.file.fileName)}(${line + 1},${character + 1}): TS${d.code} ${message}`;
    }),
  };
}

describe("the generated code typechecks under each tsconfig users have", () => {
  it.each(Object.keys(CONFIGS))("%s", (name) => {
    const { files, diagnostics } = typecheckWith(name, CONFIGS[name]!);
    expect(files).toContain("generated/asset/index.ts");
    expect(files).toContain("generated/runtime/index.ts");
    expect(files.length).toBeGreaterThan(30);
    expect(diagnostics).toEqual([]);
  }, 60_000);
});
