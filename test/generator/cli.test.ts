import { appendFileSync, cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ACME_YAML, BETA_JSON } from "../fixtures/cli-specs.js";
import { bannerText, ensureBuilt, hashTree, mtimeTree, runCli, useTempDirs, writeTree } from "./helpers.js";

const tempDir = useTempDirs();

/** A project folder with `specs/` and, after the first generate, `out/`. */
let generated = "";

/** A fresh copy of the generated project, so each test can change it freely. */
async function cloneProject(): Promise<string> {
  const dir = await tempDir("cli");
  cpSync(generated, dir, { recursive: true, preserveTimestamps: true });
  return dir;
}

beforeAll(async () => {
  await ensureBuilt();
  generated = await tempDir("cli-base");
  writeTree(generated, { "specs/acme.yaml": ACME_YAML, "specs/beta.json": BETA_JSON });
  const run = await runCli(["generate", "--out", "out"], generated);
  if (run.code !== 0) throw new Error(`the first generate failed (${String(run.code)}):\n${run.stdout}\n${run.stderr}`);
}, 120_000);

describe("usage", () => {
  it("--help prints usage and exits 0", async () => {
    const run = await runCli(["--help"], generated);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage:");
    expect(run.stdout).toContain("tokenwright generate");
  });

  it.each<{ name: string; args: string[]; mentions: string }>([
    { name: "unknown flag", args: ["generate", "--bogus"], mentions: "--bogus" },
    { name: "unknown short flag", args: ["generate", "-x"], mentions: "-x" },
    { name: "unknown command", args: ["frobnicate"], mentions: "frobnicate" },
    { name: "extra positional", args: ["generate", "extra"], mentions: "extra" },
    { name: "--spec without a value", args: ["generate", "--spec"], mentions: "--spec" },
    { name: "a spec file that does not exist", args: ["generate", "--spec", "specs/missing.yaml", "--out", "out"], mentions: "specs/missing.yaml" },
  ])("$name exits 2", async ({ args, mentions }) => {
    const project = await cloneProject();
    const before = hashTree(project);
    const run = await runCli(args, project);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(mentions);
    expect(hashTree(project)).toEqual(before);
  });
});

describe("generate and --check", () => {
  it("a fresh generate writes every provider and the runtime, and --check then passes", async () => {
    const files = Object.keys(hashTree(join(generated, "out")));
    for (const provider of ["acme", "beta"]) {
      for (const name of ["client.ts", "index.ts", "types.ts", "wire.ts", "README.md"]) expect(files).toContain(`${provider}/${name}`);
    }
    expect(files).toContain("manifest.json");
    expect(files).toContain("runtime/index.ts");
    const project = await cloneProject();
    const run = await runCli(["generate", "--out", "out", "--check"], project);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("up to date");
  });

  it("--check after a spec edit exits 1 and names that provider only", async () => {
    const project = await cloneProject();
    appendFileSync(join(project, "specs/acme.yaml"), "x-note: edited after generation\n");
    const before = hashTree(join(project, "out"));
    const run = await runCli(["generate", "--out", "out", "--check"], project);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^\s*acme: .*specs\/acme\.yaml changed/m);
    expect(run.stderr).not.toMatch(/^\s*beta:/m);
    expect(hashTree(join(project, "out"))).toEqual(before);
  });

  it("--check after a description is added to the spec exits 1", async () => {
    const project = await cloneProject();
    const spec = join(project, "specs/beta.json");
    const document = JSON.parse(readFileSync(spec, "utf8")) as { info: Record<string, unknown> };
    document.info["description"] = "Now with a description.";
    writeFileSync(spec, JSON.stringify(document, null, 2));
    const run = await runCli(["generate", "--out", "out", "--check"], project);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^\s*beta: /m);
    expect(run.stderr).not.toMatch(/^\s*acme:/m);
  });

  it.each<{ file: string }>([{ file: "acme/client.ts" }, { file: "beta/types.ts" }, { file: "runtime/request.ts" }])(
    "--check after hand-editing $file exits 1 naming the file",
    async ({ file }) => {
      const project = await cloneProject();
      appendFileSync(join(project, "out", file), "\n// a local tweak\n");
      const run = await runCli(["generate", "--out", "out", "--check"], project);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`${file} was edited by hand`);
    },
  );

  it.each<{ name: string; change: (project: string) => void; names: RegExp }>([
    { name: "a spec is deleted", change: (p) => rmSync(join(p, "specs/beta.json")), names: /^\s*beta: its spec is gone/m },
    {
      name: "a provider config appears beside a spec",
      change: (p) => writeFileSync(join(p, "specs/acme.tokenwright.json"), JSON.stringify({ displayName: "Acme" })),
      names: /^\s*acme: .*acme\.tokenwright\.json changed/m,
    },
    { name: "the manifest is deleted", change: (p) => rmSync(join(p, "out/manifest.json")), names: /^\s*acme: not generated yet/m },
  ])("--check exits 1 when $name", async ({ change, names }) => {
    const project = await cloneProject();
    change(project);
    const run = await runCli(["generate", "--out", "out", "--check"], project);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(names);
  });

  it("--check after a generated file is deleted exits 1 naming the file", async () => {
    const project = await cloneProject();
    rmSync(join(project, "out/acme/wire.ts"));
    const run = await runCli(["generate", "--out", "out", "--check"], project);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("acme/wire.ts");
  });

  it("a no-change generate says up to date and rewrites nothing", async () => {
    const project = await cloneProject();
    const out = join(project, "out");
    const hashes = hashTree(out);
    const mtimes = mtimeTree(out);
    const folder = statSync(out).ino;
    const run = await runCli(["generate", "--out", "out"], project);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("up to date");
    expect(hashTree(out)).toEqual(hashes);
    expect(mtimeTree(out)).toEqual(mtimes);
    expect(statSync(out).ino).toBe(folder);
  });

  it("a generate after a spec edit rewrites the output and --check passes again", async () => {
    const project = await cloneProject();
    const before = hashTree(join(project, "out"));
    writeFileSync(join(project, "specs/acme.yaml"), ACME_YAML.replace("title: Acme Identity", "title: Acme Identity\n  description: Updated."));
    const run = await runCli(["generate", "--out", "out"], project);
    expect(run.code, run.stderr).toBe(0);
    const after = hashTree(join(project, "out"));
    expect(after["acme/README.md"]).not.toBe(before["acme/README.md"]);
    expect(after["beta/client.ts"]).toBe(before["beta/client.ts"]);
    const check = await runCli(["generate", "--out", "out", "--check"], project);
    expect(check.code).toBe(0);
  });
});

describe("banners and manifest name what regenerates the output", () => {
  it("a --spec/--out run with absolute paths records them relative to the working directory and names its own command", async () => {
    const project = await cloneProject();
    const run = await runCli(["generate", "--spec", join(project, "specs/acme.yaml"), "--out", join(project, "custom")], project);
    expect(run.code, run.stderr).toBe(0);
    const banner = bannerText(readFileSync(join(project, "custom/acme/client.ts"), "utf8"));
    expect(banner).toMatch(
      /^Generated by tokenwright from specs\/acme\.yaml \(sha256 [0-9a-f]{64}\)\. Do not edit: this file is overwritten\. Regenerate with `npx tokenwright generate --spec specs\/acme\.yaml --out custom`\.$/,
    );
    const manifest = readFileSync(join(project, "custom/manifest.json"), "utf8");
    expect(manifest).not.toContain(project);
    const check = await runCli(["generate", "--spec", "specs/acme.yaml", "--out", "custom", "--check"], project);
    expect(check.code, check.stderr).toBe(0);
  });

  it("the default run (no --spec, no --out) names `npm run generate`", async () => {
    const project = await cloneProject();
    const run = await runCli(["generate"], project);
    expect(run.code, run.stderr).toBe(0);
    expect(bannerText(readFileSync(join(project, "generated/beta/types.ts"), "utf8"))).toMatch(/ Do not edit: this file is overwritten\. Regenerate with `npm run generate`\.$/);
  });
});

describe("a broken spec", () => {
  it.each<{ name: string; spec: string; where: RegExp }>([
    {
      name: "bad YAML",
      spec: ACME_YAML.replace("      operationId: getToken\n", "      operationId: getToken\n     broken: [indent\n"),
      where: /specs\/acme\.yaml:\d+:\d+: invalid YAML/,
    },
    {
      name: "an unresolvable $ref",
      spec: ACME_YAML.replace('$ref: "#/components/schemas/TokenRequest"', '$ref: "#/components/schemas/Missing"'),
      where: /specs\/acme\.yaml#\/paths\/~1oauth~1token\/post\/requestBody\/content\/application~1x-www-form-urlencoded\/schema: .*#\/components\/schemas\/Missing/,
    },
    {
      name: "no token operation",
      spec: ACME_YAML.replace("grant_type:\n          type: string\n          enum: [client_credentials]", "audience:\n          type: string").replace("required: [grant_type]", "required: [audience]"),
      where: /specs\/acme\.yaml#\/paths: no token operation/,
    },
  ])("$name: exit 1, the file and place are named, the output is untouched", async ({ spec, where }) => {
    expect(spec).not.toBe(ACME_YAML);
    const project = await cloneProject();
    const out = join(project, "out");
    const hashes = hashTree(out);
    const mtimes = mtimeTree(out);
    writeFileSync(join(project, "specs/acme.yaml"), spec);
    const run = await runCli(["generate", "--out", "out"], project);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(where);
    expect(hashTree(out)).toEqual(hashes);
    expect(mtimeTree(out)).toEqual(mtimes);
    // No staging or backup folders are left beside the output.
    expect(readdirSync(project).sort()).toEqual(["out", "specs"]);
  });
});
