// Every code block in README.md is run by a test. This file names, for each block, the test
// that runs it, and runs the ones no other test does: the CLI synopsis against --help, the
// tokenwright.config.json example in a project laid out as it says, the overlay example on a
// spec with that path, and the provider config example through the loader. A block added to
// the README without a runner fails here.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { loadProviderConfig, loadSpec } from "../generator/load/index.js";
import { checkProjectConfig } from "../generator/project/config.js";
import { ACME_YAML } from "./fixtures/cli-specs.js";
import { bannerText } from "./support/banner.js";
import { REPO_ROOT, ensureBuilt, runCli, tokenSpec, useTempDirs, writeTree } from "./generator/helpers.js";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const BLOCKS = [...README.matchAll(/^```([a-z]*)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1]!, body: m[2]!, line: README.slice(0, m.index).split("\n").length }));
const tempDir = useTempDirs();

/** Which test runs each block, decided by what the block is. */
function runnerOf(block: { lang: string; body: string }): string {
  if (block.lang === "sh" && block.body.includes("npm test")) return ".ci/run (npm ci, npm test): developing tokenwright itself";
  if (block.lang === "sh") return "test/consumer/pack.test.ts (the shell blocks before the first ts block, in a fresh project)";
  if ((block.lang === "ts" && block.body.includes("createOktaClient(")) || (block.lang === "json" && block.body.includes('"clientAuthMethods"'))) {
    return "test/keys/readme-keys.test.ts (keys section: type-checked and run)";
  }
  if (block.lang === "ts" && block.body.includes("@opentelemetry/api")) return "test/readme.test.ts (events example)";
  if (block.lang === "ts" && block.body.includes("createAssetSession(")) return "test/readme.test.ts (session example)";
  if (block.lang === "ts") return "test/readme.test.ts and test/consumer/pack.test.ts (usage example)";
  if (block.lang === "" && block.body.startsWith("tokenwright ")) return "this file: the synopsis is --help's";
  if (block.lang === "json" && block.body.includes('"specs"')) return "this file: tokenwright.config.json";
  if (block.lang === "yaml" && block.body.startsWith("overlay:")) return "this file: the overlay";
  if (block.lang === "json" && block.body.includes('"displayName"')) return "this file: the provider config";
  return "NONE";
}

describe("every README code block has a runner", () => {
  it("none is left unrun", () => {
    const unclaimed = BLOCKS.filter((b) => runnerOf(b) === "NONE").map((b) => `README.md:${b.line} \`\`\`${b.lang}`);
    expect(unclaimed).toEqual([]);
    expect(BLOCKS.length).toBeGreaterThanOrEqual(9);
  });

  it("the developer block runs what .ci/run runs, with scripts package.json has", () => {
    const block = BLOCKS.find((b) => runnerOf(b).startsWith(".ci/run"))!;
    const ci = readFileSync(join(REPO_ROOT, ".ci/run"), "utf8");
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(block.body).toMatch(/^npm install && npm run generate\s/m);
    expect(block.body).toMatch(/^npm test\s/m);
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test$/m);
    expect(Object.keys(scripts)).toEqual(expect.arrayContaining(["generate", "test", "build"]));
  });
});

describe("README blocks run here", () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 120_000);

  it("the synopsis is the usage --help prints", async () => {
    const block = BLOCKS.find((b) => runnerOf(b) === "this file: the synopsis is --help's")!;
    const help = await runCli(["--help"], REPO_ROOT);
    const usage = help.stdout.slice(help.stdout.indexOf("Usage:\n") + 7, help.stdout.indexOf("\n\n", help.stdout.indexOf("Usage:\n")));
    expect(block.body.trim()).toBe(usage.split("\n").map((l) => l.trim()).join("\n"));
  });

  it("the tokenwright.config.json example generates in a project laid out as it says", async () => {
    const block = BLOCKS.find((b) => runnerOf(b) === "this file: tokenwright.config.json")!;
    const config = JSON.parse(block.body) as { providers: Record<string, { config: string; overlay: string }> };
    expect(() => checkProjectConfig("tokenwright.config.json", config)).not.toThrow();
    const dir = await tempDir("readme-config");
    const acme = config.providers["acme"]!;
    writeTree(dir, {
      "tokenwright.config.json": block.body,
      "specs/beta.yaml": ACME_YAML,
      "vendor/acme.json": JSON.stringify(parseYaml(ACME_YAML)),
      [acme.config]: JSON.stringify({ displayName: "Acme Cloud" }),
      [acme.overlay]: "overlay: 1.0.0\ninfo: { title: fixes, version: '1' }\nactions:\n  - target: $.info\n    update: { description: Amended. }\n",
    });
    const run = await runCli(["generate"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(dir, "src/generated/acme/index.ts"), "utf8")).toContain("createAcmeCloudClient");
    expect(bannerText(readFileSync(join(dir, "src/generated/beta/client.ts"), "utf8"))).toContain("Regenerate with `npm run generate:tokens`");
    expect((await runCli(["generate", "--check"], join(dir, "src"))).code).toBe(0);
  });

  it("the overlay example amends a spec with that path", async () => {
    const block = BLOCKS.find((b) => runnerOf(b) === "this file: the overlay")!;
    const dir = await tempDir("readme-overlay");
    writeFileSync(join(dir, "acme.json"), JSON.stringify(tokenSpec()));
    writeFileSync(join(dir, "acme.overlay.yaml"), block.body);
    const loaded = await loadSpec(join(dir, "acme.json"), undefined, join(dir, "acme.overlay.yaml"));
    const expiresIn = (loaded.document as { paths: Record<string, { post: { responses: Record<string, { content: Record<string, { schema: { properties: Record<string, { description?: string }> } }> }> } }> }).paths["/oauth/token"]!.post.responses["200"]!.content["application/json"]!.schema.properties["expires_in"]!;
    expect(expiresIn.description).toBe("A unix timestamp (seconds).");
  });

  it("the provider config example is a valid provider config", async () => {
    const block = BLOCKS.find((b) => runnerOf(b) === "this file: the provider config")!;
    const dir = await tempDir("readme-provider-config");
    writeFileSync(join(dir, "acme.tokenwright.json"), block.body);
    await expect(loadProviderConfig(join(dir, "acme.tokenwright.json"))).resolves.toEqual(JSON.parse(block.body));
  });
});
