// Sessions are something a bundle imports, not something the client reaches: bundled as a user's
// bundler does (esbuild, ESM, browser), `createAssetClient` alone carries no session, store or
// discovery code, and `createAssetSession` brings the sessions in.
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../generator/helpers.js";

async function bundledModules(code: string): Promise<string[]> {
  const built = await build({
    stdin: { contents: code, resolveDir: REPO_ROOT, loader: "ts", sourcefile: "entry.ts" },
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
  return Object.entries(inputs)
    .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
    .map(([path]) => path.replace(/^.*generated\//, ""))
    .sort();
}

const SESSION_CODE = /^runtime\/(session[^/]*|store|canonical|source-identity)\.ts$|^asset\/session\.ts$/;

describe("what a bundle of the generated Asset client carries", () => {
  it("createAssetClient alone: the request path, no session, store or discovery code", async () => {
    const modules = await bundledModules('export { createAssetClient } from "./generated/asset/index.ts";');
    expect(modules).toContain("runtime/request.ts");
    expect(modules.filter((m) => SESSION_CODE.test(m) || m === "runtime/discovery.ts")).toEqual([]);
  });

  it("with createAssetSession: the sessions too", async () => {
    const modules = await bundledModules('export { createAssetClient, createAssetSession } from "./generated/asset/index.ts";');
    expect(modules).toEqual(expect.arrayContaining(["asset/session.ts", "runtime/session.ts", "runtime/session-fetch.ts", "runtime/store.ts"]));
    expect(modules).not.toContain("runtime/discovery.ts");
  });
});
