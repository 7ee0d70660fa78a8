// generator/emit/wire.ts calls openapi-typescript's transform directly (to skip
// Redocly's bundling of an already validated slice). This pins that shortcut to
// the public API: for every spec's slice, the output must be exactly what the
// public `openapiTS()` + `astToString()` print.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, ensureBuilt, runCli, useTempDirs } from "./helpers.js";
import { formatTypeScript } from "../../generator/emit/format.js";
import { wireTypes } from "../../generator/emit/wire.js";
import { loadProviderConfig, loadSpec } from "../../generator/load/index.js";
import { buildModel } from "../../generator/model/index.js";
import { hostileSpec } from "../fixtures/hostile-spec.js";
import { loadSpecText } from "../../generator/load/index.js";

const specsDir = fileURLToPath(new URL("../../specs/", import.meta.url));
const specFiles = readdirSync(specsDir).filter((name) => /\.(ya?ml|json)$/.test(name) && !name.endsWith(".tokenwright.json"));

async function slices(): Promise<{ name: string; slice: Readonly<Record<string, unknown>> }[]> {
  const out: { name: string; slice: Readonly<Record<string, unknown>> }[] = [];
  for (const name of specFiles) {
    const configFile = `${specsDir}${name.replace(/\.(ya?ml|json)$/, "")}.tokenwright.json`;
    const config = await loadProviderConfig(configFile);
    const model = buildModel({ spec: await loadSpec(`${specsDir}${name}`), config, configFile: config ? configFile : undefined });
    out.push({ name, slice: model.wireDocument });
  }
  const hostile = await loadSpecText("specs/hostile.json", new TextEncoder().encode(JSON.stringify(hostileSpec())));
  out.push({ name: "hostile fixture", slice: buildModel({ spec: hostile }).wireDocument });
  return out;
}

describe("wire types through the direct transform", () => {
  it("print exactly what the public openapiTS() prints, for every spec's slice", async () => {
    const all = await slices();
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const { name, slice } of all) {
      const viaPublicApi = astToString(await openapiTS(structuredClone(slice) as never, { silent: true }));
      expect(await wireTypes(slice), name).toBe(viaPublicApi);
    }
  }, 30_000);
});

describe("wire types from the CLI, where openapi-typescript shares ts-morph's TypeScript", () => {
  const tempDir = useTempDirs();

  it("match the public openapiTS() on the project's own TypeScript, for every spec", async () => {
    await ensureBuilt();
    const out = await tempDir("wire-cli");
    const run = await runCli(["generate", "--out", out], REPO_ROOT);
    expect(run.code, run.stderr).toBe(0);
    const all = await slices();
    for (const { name, slice } of all.filter((s) => s.name !== "hostile fixture")) {
      const provider = name.replace(/\.(ya?ml|json)$/, "");
      const printed = readFileSync(join(out, provider, "wire.ts"), "utf8");
      const body = printed.slice(printed.indexOf("\n\n") + 2);
      const viaPublicApi = astToString(await openapiTS(structuredClone(slice) as never, { silent: true }));
      // What the CLI writes is that text through the formatter every generated file goes through.
      expect(body, provider).toBe(formatTypeScript(`${provider}/wire.ts`, `${viaPublicApi.trimEnd()}\n`));
    }
  }, 60_000);
});
