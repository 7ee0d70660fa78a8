import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../package-root.js";
import { PROJECT_CONFIG_NAME, checkProjectConfig, type ProjectConfig } from "./config.js";
import { addScript } from "./package-json.js";

/** The package.json script `init` adds, and the config's `script`. */
export const DEFAULT_SCRIPT = "generate:tokens";
/** What that script runs: generate reads the config, wherever in the project it is run from. */
export const SCRIPT_COMMAND = "tokenwright generate";
export const DEFAULT_SPECS = "specs/*.{yaml,yml,json}";
/** The JSON schema of tokenwright.config.json, in the package. */
export const PROJECT_CONFIG_SCHEMA = "tokenwright.config.schema.json";

export interface InitOptions {
  readonly dir: string;
  readonly specs?: readonly string[];
  readonly out?: string;
  readonly script?: string;
}

export type InitResult =
  | { readonly ok: true; readonly configFile: string; readonly config: ProjectConfig; readonly script: "added" | "present" | "no-package-json" }
  | { readonly ok: false; readonly message: string };

/**
 * `tokenwright init`: writes a starter tokenwright.config.json in `dir` and a
 * script running `tokenwright generate` into its package.json. Refuses,
 * changing nothing, when the config exists or the script name is taken by
 * another command.
 */
export function init(options: InitOptions): InitResult {
  const configFile = join(options.dir, PROJECT_CONFIG_NAME);
  if (existsSync(configFile)) return { ok: false, message: `${PROJECT_CONFIG_NAME} already exists; not overwriting it` };
  const script = options.script ?? DEFAULT_SCRIPT;
  const out = options.out ?? (isDirectory(join(options.dir, "src")) ? "src/generated" : "generated");
  const config: ProjectConfig = { specs: options.specs ?? [DEFAULT_SPECS], out, script };
  const schema = schemaReference(options.dir);
  const text = `${JSON.stringify({ $schema: schema, ...config }, null, 2)}\n`;
  // The same checks generate applies, so init never writes a config generate refuses.
  try {
    checkProjectConfig(PROJECT_CONFIG_NAME, JSON.parse(text));
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }

  const packageFile = join(options.dir, "package.json");
  let packageText: string | undefined;
  let status: "added" | "present" | "no-package-json" = "no-package-json";
  if (existsSync(packageFile)) {
    const original = readFileSync(packageFile, "utf8");
    let result;
    try {
      result = addScript(original, script, SCRIPT_COMMAND);
    } catch (error) {
      return { ok: false, message: `cannot read package.json: ${(error as Error).message}` };
    }
    if (result.status === "conflict") {
      return { ok: false, message: `package.json already has a script ${JSON.stringify(script)} (${JSON.stringify(result.existing)}); pick another name with --script <name>` };
    }
    status = result.status;
    if (result.status === "added") packageText = result.text;
  }
  writeFileSync(configFile, text, { flag: "wx" });
  if (packageText !== undefined) writeFileSync(packageFile, packageText);
  return { ok: true, configFile, config, script: status };
}

/**
 * Where the config's `$schema` points: the installed package's schema,
 * relative to the project (`./node_modules/tokenwright/…`, or a parent's
 * node_modules in a workspace). Run from anywhere else (an npx cache, a
 * checkout), it names where the schema will be once tokenwright is installed.
 */
function schemaReference(dir: string): string {
  const schema = fileURLToPath(new URL(PROJECT_CONFIG_SCHEMA, packageRoot));
  const path = relative(dir, schema).split(sep).join("/");
  if (!/(^|\/)node_modules\/tokenwright\//.test(path) || isAbsolute(path) || path.includes("/_npx/")) return `./node_modules/tokenwright/${PROJECT_CONFIG_SCHEMA}`;
  return path.startsWith("../") ? path : `./${path}`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
