// A project with tokenwright.config.json, through the CLI as a user runs it: `init` writes the
// config and the package.json script (keeping the file as it was written), and `generate` /
// `--check` read the config wherever in the project they run, so the output and the verdict do
// not depend on how generate was called; the --check hint names the user's own command.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { addScript } from "../../generator/project/package-json.js";
import { ACME_YAML, BETA_JSON } from "../fixtures/cli-specs.js";
import { bannerText } from "../support/banner.js";
import { ensureBuilt, hashTree, runCli, useTempDirs, writeTree } from "./helpers.js";

const tempDir = useTempDirs();

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

describe("addScript keeps package.json as it was written", () => {
  it.each<{ name: string; before: string; after: string }>([
    {
      name: "two-space indent, scripts present",
      before: `{\n  "name": "app",\n  "scripts": {\n    "build": "tsc"\n  },\n  "files": ["dist",   "src"]\n}\n`,
      after: `{\n  "name": "app",\n  "scripts": {\n    "build": "tsc",\n    "generate:tokens": "tokenwright generate"\n  },\n  "files": ["dist",   "src"]\n}\n`,
    },
    {
      name: "tabs and CRLF, no scripts",
      before: `{\r\n\t"name": "app",\r\n\t"type": "module"\r\n}\r\n`,
      after: `{\r\n\t"name": "app",\r\n\t"type": "module",\r\n\t"scripts": {\r\n\t\t"generate:tokens": "tokenwright generate"\r\n\t}\r\n}\r\n`,
    },
    {
      name: "four spaces, empty scripts, no final newline",
      before: `{\n    "name": "app",\n    "scripts": {}\n}`,
      after: `{\n    "name": "app",\n    "scripts": {\n        "generate:tokens": "tokenwright generate"\n    }\n}`,
    },
    {
      name: "one line",
      before: `{"name":"app","scripts":{"test":"vitest"}}`,
      after: `{"name":"app","scripts":{"test":"vitest", "generate:tokens": "tokenwright generate"}}`,
    },
    {
      name: "strings with braces and escapes before scripts",
      before: `{\n  "description": "a \\"}\\" {",\n  "scripts": {\n    "x": "echo }"\n  }\n}\n`,
      after: `{\n  "description": "a \\"}\\" {",\n  "scripts": {\n    "x": "echo }",\n    "generate:tokens": "tokenwright generate"\n  }\n}\n`,
    },
  ])("$name", ({ before, after }) => {
    const result = addScript(before, "generate:tokens", "tokenwright generate");
    expect(result).toEqual({ status: "added", text: after });
    expect(JSON.parse(after)).toMatchObject({ scripts: { "generate:tokens": "tokenwright generate" } });
  });

  it("reports a script already there, or one that runs something else", () => {
    expect(addScript(`{"scripts":{"g":"tokenwright generate"}}`, "g", "tokenwright generate")).toEqual({ status: "present" });
    expect(addScript(`{"scripts":{"g":"make"}}`, "g", "tokenwright generate")).toEqual({ status: "conflict", existing: "make" });
  });
});

describe("tokenwright init", () => {
  it("writes a config generate accepts and adds the script, keeping package.json's tabs", async () => {
    const dir = await tempDir("init");
    writeFileSync(join(dir, "package.json"), `{\n\t"name": "app",\n\t"type": "module"\n}\n`);
    const run = await runCli(["init"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("npm run generate:tokens");
    const config = JSON.parse(readFileSync(join(dir, "tokenwright.config.json"), "utf8")) as Record<string, unknown>;
    expect(config).toMatchObject({ specs: ["specs/*.{yaml,yml,json}"], out: "generated", script: "generate:tokens" });
    // Run from this checkout rather than an install, it names where the schema will be once installed.
    expect(config["$schema"]).toBe("./node_modules/tokenwright/tokenwright.config.schema.json");
    expect(readFileSync(join(dir, "package.json"), "utf8")).toBe(`{\n\t"name": "app",\n\t"type": "module",\n\t"scripts": {\n\t\t"generate:tokens": "tokenwright generate"\n\t}\n}\n`);
    writeTree(dir, { "specs/acme.yaml": ACME_YAML });
    const generate = await runCli(["generate"], dir);
    expect(generate.code, generate.stderr).toBe(0);
    expect(existsSync(join(dir, "generated/acme/index.ts"))).toBe(true);
  });

  it("refuses to overwrite a config, changing nothing", async () => {
    const dir = await tempDir("init-twice");
    writeTree(dir, { "package.json": `{ "name": "app" }`, "tokenwright.config.json": `{"specs":["a.yaml"],"out":"x"}` });
    const before = hashTree(dir);
    const run = await runCli(["init"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("tokenwright.config.json already exists");
    expect(hashTree(dir)).toEqual(before);
  });

  it("refuses a script name that runs something else, writing nothing", async () => {
    const dir = await tempDir("init-conflict");
    writeTree(dir, { "package.json": `{ "scripts": { "generate:tokens": "make tokens" } }` });
    const before = hashTree(dir);
    const run = await runCli(["init"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/already has a script "generate:tokens" \("make tokens"\); pick another name with --script/);
    expect(hashTree(dir)).toEqual(before);
  });

  it("takes --spec, --out and --script; generates into src/ when there is one", async () => {
    const dir = await tempDir("init-flags");
    writeTree(dir, { "package.json": "{}", "src/app.ts": "" });
    const run = await runCli(["init", "--spec", "openapi/*.yaml", "--spec", "vendor/acme.json", "--script", "tokens"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "tokenwright.config.json"), "utf8"))).toMatchObject({ specs: ["openapi/*.yaml", "vendor/acme.json"], out: "src/generated", script: "tokens" });
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))).toEqual({ scripts: { tokens: "tokenwright generate" } });
  });

  it("without a package.json writes the config and says what script to add", async () => {
    const dir = await tempDir("init-bare");
    const run = await runCli(["init"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`no package.json here; add "generate:tokens": "tokenwright generate"`);
    expect(existsSync(join(dir, "package.json"))).toBe(false);
  });
});

/** A project with two specs, a config and its script, generated once. */
async function configuredProject(config: Record<string, unknown> = {}): Promise<string> {
  const dir = await tempDir("configured");
  writeTree(dir, {
    "package.json": JSON.stringify({ name: "app", type: "module", scripts: { tokens: "tokenwright generate" } }),
    "specs/acme.yaml": ACME_YAML,
    "specs/beta.json": BETA_JSON,
    "src/app.ts": "",
    "tokenwright.config.json": JSON.stringify({ specs: ["specs/*.{yaml,json}"], out: "src/generated", script: "tokens", ...config }),
  });
  const run = await runCli(["generate"], dir);
  if (run.code !== 0) throw new Error(`generate failed:\n${run.stdout}\n${run.stderr}`);
  return dir;
}

describe("generate with a tokenwright.config.json", () => {
  it("banners name the config's script; --check passes however and wherever it is run", async () => {
    const dir = await configuredProject();
    const out = join(dir, "src/generated");
    expect(bannerText(readFileSync(join(out, "acme/client.ts"), "utf8"))).toContain("Do not edit: this file is overwritten. Regenerate with `npm run tokens`.");
    const manifest = readFileSync(join(out, "manifest.json"), "utf8");
    expect(manifest).not.toContain(dir);
    expect(JSON.parse(manifest)).toMatchObject({ runtimeCommand: "npm run tokens", providers: { acme: { spec: "specs/acme.yaml", command: "npm run tokens" } } });
    const before = hashTree(out);
    for (const [args, cwd] of [
      [["generate", "--check"], dir],
      [["generate", "--check"], join(dir, "src")],
      [["generate", "--check", "--config", "../tokenwright.config.json"], join(dir, "src")],
      [["generate", "--check", "--out", "src/generated"], dir],
      [["generate", "--check", "--out", "generated"], join(dir, "src")],
      [["generate", "--check", "--spec", "specs/acme.yaml", "--spec", "specs/beta.json"], dir],
      [["generate", "--check", "--spec", "specs/acme.yaml"], dir],
    ] as const) {
      const run = await runCli(args, cwd);
      expect(run.code, `${args.join(" ")} in ${cwd}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toContain("is up to date");
    }
    // A run from a sub-folder writes nothing new either.
    const again = await runCli(["generate"], join(dir, "src"));
    expect(again.code, again.stderr).toBe(0);
    expect(hashTree(out)).toEqual(before);
  });

  it("--check names what is stale and the config's script, from any folder", async () => {
    const dir = await configuredProject();
    writeFileSync(join(dir, "specs/acme.yaml"), `${ACME_YAML}x-note: edited\n`);
    for (const args of [["generate", "--check"], ["generate", "--check", "--out", "generated"]]) {
      const run = await runCli(args, join(dir, "src"));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^tokenwright: generated\/ is stale:\n\s+acme: specs\/acme\.yaml changed\n/);
      expect(run.stderr).toContain("Run `npm run tokens` and commit the result.");
    }
    // Flags that change what is generated name themselves.
    const other = await runCli(["generate", "--check", "--spec", "specs/acme.yaml"], dir);
    expect(other.stderr).toContain("Run `npx tokenwright generate --spec specs/acme.yaml` and commit the result.");
  });

  it("a spec removed from the project is stale, as in a whole-folder run", async () => {
    const dir = await configuredProject({ specs: ["specs/acme.yaml", "specs/beta.json"] });
    writeFileSync(join(dir, "tokenwright.config.json"), JSON.stringify({ specs: ["specs/acme.yaml"], out: "src/generated", script: "tokens" }));
    const run = await runCli(["generate", "--check"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^\s+beta: its spec is gone$/m);
  });

  it("a named provider config: used for the provider, listed in the manifest, its change makes output stale", async () => {
    const dir = await tempDir("named-config");
    writeTree(dir, {
      "specs/acme.yaml": ACME_YAML,
      "config/acme.json": JSON.stringify({ displayName: "Acme Cloud" }),
      "tokenwright.config.json": JSON.stringify({ specs: ["specs/acme.yaml"], out: "out", providers: { acme: { config: "config/acme.json" } } }),
    });
    const run = await runCli(["generate"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(dir, "out/acme/index.ts"), "utf8")).toContain("createAcmeCloudClient");
    expect(bannerText(readFileSync(join(dir, "out/acme/client.ts"), "utf8"))).toContain("Regenerate with `npx tokenwright generate`.");
    expect(JSON.parse(readFileSync(join(dir, "out/manifest.json"), "utf8"))).toMatchObject({ providers: { acme: { config: "config/acme.json" } } });
    const explained = await runCli(["explain", "specs/acme.yaml"], dir);
    expect(explained.stdout).toContain("config config/acme.json");
    writeFileSync(join(dir, "config/acme.json"), JSON.stringify({ displayName: "Acme Two" }));
    const check = await runCli(["generate", "--check"], dir);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/acme: config\/acme\.json changed/);
    expect(check.stderr).toContain("Run `npx tokenwright generate` and commit the result.");
  });

  it("a config given by --config under another name: banners name it, relative to the project", async () => {
    const dir = await tempDir("other-name");
    writeTree(dir, { "specs/acme.yaml": ACME_YAML, "config/tokens.json": JSON.stringify({ specs: ["../specs/acme.yaml"], out: "../out" }), "src/x.ts": "" });
    const run = await runCli(["generate", "--config", "../config/tokens.json"], join(dir, "src"));
    expect(run.code, run.stderr).toBe(0);
    expect(bannerText(readFileSync(join(dir, "out/acme/client.ts"), "utf8"))).toContain("Regenerate with `npx tokenwright generate --config tokens.json`.");
    expect(JSON.parse(readFileSync(join(dir, "out/manifest.json"), "utf8"))).toMatchObject({ providers: { acme: { spec: "../specs/acme.yaml" } } });
    expect((await runCli(["generate", "--check", "--config", "config/tokens.json"], dir)).code).toBe(0);
  });

  it("a broken config: exit 1 naming the file, pointer and code; nothing written", async () => {
    const dir = await tempDir("broken-config");
    writeTree(dir, { "specs/acme.yaml": ACME_YAML, "tokenwright.config.json": JSON.stringify({ specs: ["specs/*.yaml"], out: "out", providers: { beta: {} } }) });
    const run = await runCli(["generate"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("tokenwright.config.json#/providers/beta: names no spec; the specs give acme [config]");
    expect(existsSync(join(dir, "out"))).toBe(false);
    const missing = await runCli(["generate", "--config", "nope.json"], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no config file nope.json");
  });
});

describe("without a config, how generate was called does not make output stale", () => {
  it("generated with --spec and --out, checked with --out alone (the issue's case): up to date", async () => {
    const dir = await tempDir("flags");
    writeTree(dir, { "specs/acme.yaml": ACME_YAML });
    const run = await runCli(["generate", "--spec", "specs/acme.yaml", "--out", "src/generated"], dir);
    expect(run.code, run.stderr).toBe(0);
    for (const args of [
      ["generate", "--out", "src/generated", "--check"],
      ["generate", "--check", "--out", "./src/generated/", "--spec", "./specs/acme.yaml"],
      ["generate", "--check", "--spec", join(dir, "specs/acme.yaml"), "--out", join(dir, "src/generated")],
    ]) {
      const check = await runCli(args, dir);
      expect(check.code, `${args.join(" ")}: ${check.stderr}`).toBe(0);
    }
  });

  it("the stale hint names the command line used, or the npm script running it", async () => {
    const dir = await tempDir("flags-hint");
    writeTree(dir, { "specs/acme.yaml": ACME_YAML });
    expect((await runCli(["generate", "--out", "src/gen"], dir)).code).toBe(0);
    writeFileSync(join(dir, "specs/acme.yaml"), `${ACME_YAML}x-note: edited\n`);
    const plain = await runCli(["generate", "--check", "--out", "src/gen"], dir);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("Run `npx tokenwright generate --out src/gen` and commit the result.");
    const viaNpm = await runCli(["generate", "--out", "src/gen", "--check"], dir, { npm_lifecycle_event: "tokens", npm_lifecycle_script: "tokenwright generate --out src/gen" });
    expect(viaNpm.stderr).toContain("Run `npm run tokens` and commit the result.");
  });
});
