// Shared fixtures for the generator tests: temp folders, small specs, tsc, transpiling, the CLI.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll } from "vitest";
import { SpecError, loadProviderConfig, loadSpecText, type LoadedSpec, type ProviderConfig } from "../../generator/load/index.js";
import { buildModel, type FieldModel, type GrantModel, type ProviderModel } from "../../generator/model/index.js";
import { decideClientAuth } from "../../generator/runtime/client-auth.js";
import type { AppliedClientAuth } from "../../generator/runtime/types.js";

/** The repository root, with a trailing separator. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = join(REPO_ROOT, "dist/generator/cli/main.js");

export type Json = Record<string, unknown>;

/** Temp folders made through the returned function are removed after the file's tests. */
export function useTempDirs(): (label: string) => Promise<string> {
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (label) => {
    const dir = await mkdtemp(join(tmpdir(), `tokenwright-${label}-`));
    made.push(dir);
    return dir;
  };
}

/** Writes files (relative path -> text) below a folder, creating sub-folders. */
export function writeTree(root: string, files: Readonly<Record<string, string>>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/** Every file below a folder, relative path (forward slashes) -> sha256 of its bytes. */
export function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[relative(root, full).split("\\").join("/")] = createHash("sha256").update(readFileSync(full)).digest("hex");
    }
  };
  walk(root);
  return out;
}

/** Every file below a folder, relative path -> mtime in ms. */
export function mtimeTree(root: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const path of Object.keys(hashTree(root))) out[path] = statSync(join(root, path)).mtimeMs;
  return out;
}

export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Loads a document given as an object, through the real loader (so fixtures are valid OpenAPI). */
export async function loadDocument(document: unknown, file = "specs/acme.json"): Promise<LoadedSpec> {
  return loadSpecText(file, new TextEncoder().encode(JSON.stringify(document, null, 2)));
}

/** Where a provider config given to {@link modelOf} is said to come from. */
export const CONFIG_FILE = "specs/acme.tokenwright.json";

/** The model of a document given as an object (and a provider config, said to be {@link CONFIG_FILE}). */
export async function modelOf(document: Json, config?: ProviderConfig, configFile: string | undefined = config ? CONFIG_FILE : undefined): Promise<ProviderModel> {
  return buildModel({ spec: await loadDocument(document), config, configFile });
}

/** The model error a document must produce (after loading fine). */
export async function modelError(document: Json, config?: ProviderConfig, configFile: string | undefined = config ? CONFIG_FILE : undefined): Promise<SpecError> {
  const spec = await loadDocument(document);
  try {
    buildModel({ spec, config, configFile });
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error("expected buildModel to throw a SpecError");
}

/** A model's grant by type; fails the test with the grants it has. */
export function grant(model: ProviderModel, grantType: string): GrantModel {
  const found = model.grants.find((g) => g.grantType === grantType);
  if (!found) throw new Error(`no ${grantType} grant; have ${model.grants.map((g) => g.grantType).join(", ")}`);
  return found;
}

/** A field by name; fails the test with the fields there are. */
export function field(fields: readonly FieldModel[], name: string): FieldModel {
  const found = fields.find((f) => f.name === name);
  if (!found) throw new Error(`no field ${name}; have ${fields.map((f) => f.name).join(", ")}`);
  return found;
}

/** The minimal RFC 6749 §5.1 success body. */
export const TOKEN_RESPONSE: Json = {
  type: "object",
  required: ["access_token", "token_type"],
  properties: {
    access_token: { type: "string" },
    token_type: { type: "string" },
    expires_in: { type: "integer" },
  },
};

/** The RFC 6749 §5.2 error body. */
export const ERROR_RESPONSE: Json = {
  type: "object",
  required: ["error"],
  properties: { error: { type: "string" }, error_description: { type: "string" } },
};

export interface TokenSpecOptions {
  readonly openapi?: string;
  readonly path?: string;
  readonly mediaType?: string;
  /** The request body schema. */
  readonly body?: Json;
  /** The 200 response schema. */
  readonly response?: Json;
  /** Replaces the whole `responses` object. */
  readonly responses?: Json;
  /** Extra keys for the operation (security, servers, ...). */
  readonly operation?: Json;
  /** Extra keys for the path item. */
  readonly pathItem?: Json;
  /** Extra keys for the document (servers, security, components, paths are merged). */
  readonly document?: Json;
  readonly components?: Json;
}

/** A small valid OpenAPI document with one token operation; everything can be overridden. */
export function tokenSpec(options: TokenSpecOptions = {}): Json {
  const path = options.path ?? "/oauth/token";
  const body = options.body ?? {
    type: "object",
    required: ["grant_type"],
    properties: { grant_type: { type: "string", enum: ["client_credentials"] }, scope: { type: "string" } },
  };
  const responses = options.responses ?? {
    "200": { description: "A token", content: { "application/json": { schema: options.response ?? TOKEN_RESPONSE } } },
    "400": { description: "Bad request", content: { "application/json": { schema: ERROR_RESPONSE } } },
  };
  const { paths: extraPaths, ...restOfDocument } = (options.document ?? {}) as { paths?: Json } & Json;
  return {
    openapi: options.openapi ?? "3.0.3",
    info: { title: "Acme", version: "1.0.0" },
    ...restOfDocument,
    paths: {
      ...(extraPaths ?? {}),
      [path]: {
        ...(options.pathItem ?? {}),
        post: {
          operationId: "getToken",
          requestBody: { required: true, content: { [options.mediaType ?? "application/x-www-form-urlencoded"]: { schema: body } } },
          responses,
          ...(options.operation ?? {}),
        },
      },
    },
    ...(options.components !== undefined ? { components: options.components } : {}),
  };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a node script with arguments; never rejects for a non-zero exit. */
export function runNode(args: readonly string[], options: { cwd: string; env?: Readonly<Record<string, string>>; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The compiled CLI as a user runs it, from `cwd`. */
export function runCli(args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}): Promise<RunResult> {
  return runNode([CLI, ...args], { cwd, env });
}

/** Builds dist/ once when the compiled CLI is missing. */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(CLI)) return;
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  await new Promise<void>((resolve, reject) => {
    const child = spawn(npm, ["run", "build"], { cwd: REPO_ROOT, stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`npm run build exited ${String(code)}`))));
  });
}

/** What {@link typecheck} found. */
export interface TypecheckResult {
  /** Files in the program, relative to the root. */
  readonly files: readonly string[];
  /** `path(line,col): TSxxxx message`, path relative to the root. */
  readonly diagnostics: readonly string[];
}

/**
 * Type-checks every `.ts` below `root` with the TypeScript compiler API,
 * `--strict` plus the project's stricter flags, as a consumer of generated
 * code would. Unlike the `tsc` command, which stops at syntax errors, this
 * reports semantic errors of every file even when another file is broken.
 * A tsconfig.json is left in `root` so a failure can be replayed with
 * `tsc -p <root>`. `skipLibCheck` leaves TypeScript's own DOM/ES libraries
 * unchecked (a third of the time on a large tree); every file below `root`
 * is still checked in full.
 */
export function typecheck(root: string, { skipLibCheck = false }: { readonly skipLibCheck?: boolean } = {}): TypecheckResult {
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2022", "DOM"],
      types: [],
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      verbatimModuleSyntax: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      ...(skipLibCheck ? { skipLibCheck: true } : {}),
      noEmit: true,
    },
    include: ["**/*.ts"],
  };
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  if (!existsSync(join(root, "package.json"))) writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  const parsed = ts.parseJsonConfigFileContent(tsconfig, ts.sys, root);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const all = [
    ...parsed.errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  const rel = (path: string) => relative(root, path).split("\\").join("/");
  const diagnostics = all.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (!d.file || d.start === undefined) return `TS${d.code} ${message}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${rel(d.file.fileName)}(${line + 1},${character + 1}): TS${d.code} ${message}`;
  });
  return { files: parsed.fileNames.map(rel), diagnostics };
}

/** Diagnostics of files below one top-level folder. */
export function diagnosticsUnder(result: TypecheckResult, folder: string): string[] {
  return result.diagnostics.filter((d) => d.startsWith(`${folder}/`) || !/^[^ ]+\(\d+,\d+\):/.test(d));
}

/**
 * Transpiles every `.ts` below `root` to a `.js` beside it (ESM), for
 * importing generated code. Returns the syntax problems found, by file.
 */
export function transpileTree(root: string): Map<string, string[]> {
  const problemsByFile = new Map<string, string[]>();
  if (!existsSync(join(root, "package.json"))) writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  for (const path of Object.keys(hashTree(root))) {
    if (!path.endsWith(".ts") || path.endsWith(".d.ts")) continue;
    const full = join(root, path);
    const output = ts.transpileModule(readFileSync(full, "utf8"), {
      fileName: full,
      reportDiagnostics: true,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
    });
    const problems = (output.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    if (problems.length > 0) problemsByFile.set(path, problems);
    writeFileSync(full.replace(/\.ts$/, ".js"), output.outputText);
  }
  return problemsByFile;
}

/**
 * The do-not-edit banner a generated file starts with, as one line of text:
 * its leading `//` lines (wrapped at 120 columns by the formatter) joined by spaces.
 */
export function bannerText(content: string): string {
  const lines: string[] = [];
  for (const line of content.split("\n")) {
    if (!line.startsWith("//")) break;
    lines.push(line.replace(/^\/\/ ?/, ""));
  }
  return lines.join(" ");
}

/**
 * The method a grant's requests use without a `clientAuth` option, as the runtime's `decideClientAuth` decides it
 * from the model's documented facts; `discovered` while it waits for a discovery document.
 */
export function decidedClientAuth(grant: Pick<GrantModel, "clientAuth">): AppliedClientAuth | { readonly kind: "discovered" } {
  const decision = decideClientAuth(grant.clientAuth);
  return decision.kind === "decided" ? decision.rule : { kind: "discovered" };
}

/**
 * Provider configs written to files of a temp folder and read as the generator reads them (so errors carry the
 * file), and models built with them. Call at the top of a test file.
 */
export function configFiles(label: string): {
  load(config: unknown): Promise<{ file: string; config: ProviderConfig | undefined }>;
  model(spec: Json, config: unknown): Promise<ProviderModel>;
} {
  const tempDir = useTempDirs();
  let dir = "";
  let written = 0;
  beforeAll(async () => {
    dir = await tempDir(label);
  });
  const load = async (config: unknown) => {
    const file = join(dir, `c${written++}.tokenwright.json`);
    writeFileSync(file, JSON.stringify(config));
    return { file, config: await loadProviderConfig(file) };
  };
  const model = async (spec: Json, config: unknown) => {
    const loaded = await load(config);
    return buildModel({ spec: await loadDocument(spec, "specs/quirk.json"), config: loaded.config, configFile: loaded.file });
  };
  return { load, model };
}

/** The SpecError `work` rejects with; any other outcome fails the test. */
export async function refusal(work: () => Promise<unknown>): Promise<SpecError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error("expected a SpecError");
}
