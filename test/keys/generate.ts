// Generates the key-using test providers (test/keys/specs/) into a temp folder, as `tokenwright generate` would,
// transpiled so that tests import the GENERATED client, session and runtime rather than generator/runtime.
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect } from "vitest";
import { emitProvider, runtimeFiles } from "../../generator/emit/index.js";
import { wireTypes } from "../../generator/emit/wire.js";
import { loadProviderConfig, loadSpec } from "../../generator/load/index.js";
import { buildModel, type ProviderModel } from "../../generator/model/index.js";
import { transpileTree, writeTree } from "../generator/helpers.js";

export const SPECS = fileURLToPath(new URL("./specs/", import.meta.url));

/** The model of a fixture spec (`okta` -> specs/okta.yaml and specs/okta.tokenwright.json). */
export async function fixtureModel(name: string): Promise<ProviderModel> {
  const file = join(SPECS, `${name}.yaml`);
  const configFile = join(SPECS, `${name}.tokenwright.json`);
  const config = await loadProviderConfig(configFile);
  return buildModel({ spec: await loadSpec(file), config, configFile: config ? configFile : undefined });
}

/** Writes the runtime and each fixture provider below `root`, transpiled; returns their models by name. */
export async function generateFixtures(root: string, names: readonly string[]): Promise<Map<string, ProviderModel>> {
  const files = [...runtimeFiles("npm run generate")];
  const models = new Map<string, ProviderModel>();
  for (const name of names) {
    const model = await fixtureModel(name);
    models.set(name, model);
    files.push(...emitProvider(model, await wireTypes(model.wireDocument), "npm run generate"));
  }
  writeTree(root, Object.fromEntries(files.map((f) => [f.path, f.content])));
  expect([...transpileTree(root)]).toEqual([]);
  return models;
}

/** A generated module below `root` (`okta/index.js`, `runtime/index.js`), untyped. */
export async function importGenerated(root: string, path: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(join(root, path)).href)) as Record<string, unknown>;
}
