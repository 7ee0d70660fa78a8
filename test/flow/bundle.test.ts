// The flows are code a client carries only when its provider has them: a bundle of the generated Asset
// client (whose model has no OAuth surface) holds none of the flow runtime, as a user's bundler builds it.
import { build } from "esbuild";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../generator/helpers.js";

const FLOW_CODE = /^runtime\/(authorize|callback|device|revoke|flow-request)\.ts$/;

it("createAssetClient, without a surface, bundles no flow code", async () => {
  const built = await build({
    stdin: { contents: 'export { createAssetClient } from "./generated/asset/index.ts";', resolveDir: REPO_ROOT, loader: "ts", sourcefile: "entry.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.values(built.metafile.outputs)[0]!.inputs;
  const modules = Object.entries(inputs)
    .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
    .map(([path]) => path.replace(/^.*generated\//, ""));
  expect(modules).toContain("runtime/request.ts");
  expect(modules.filter((m) => FLOW_CODE.test(m))).toEqual([]);
});
