// tokenwright.config.json (generator/project/config.ts): its validation (file, pointer, stable
// code), its JSON schema agreeing with it, and how its specs resolve: files, globs, what a glob
// never matches, and the errors of a project whose specs or providers do not add up.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { SpecError } from "../../generator/load/errors.js";
import { checkProjectConfig, findProjectConfig, loadProjectConfig, resolveProjectSpecs } from "../../generator/project/config.js";
import { expandBraces, globBase, globFiles } from "../../generator/project/glob.js";
import { REPO_ROOT, useTempDirs, writeTree } from "./helpers.js";

const tempDir = useTempDirs();
const FILE = "tokenwright.config.json";
const schema = JSON.parse(readFileSync(join(REPO_ROOT, "tokenwright.config.schema.json"), "utf8")) as object;
const validateWithSchema = new Ajv({ allErrors: true, strict: false }).compile(schema);

function refusal(value: unknown): SpecError {
  try {
    checkProjectConfig(FILE, value);
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

const VALID = { specs: ["specs/*.yaml"], out: "src/generated" };

describe("tokenwright.config.json validation", () => {
  it.each<{ name: string; config: unknown; pointer: string; message: RegExp }>([
    // given a config -> want a "config" error at this pointer
    { name: "not an object", config: ["specs"], pointer: "", message: /must be a JSON object/ },
    { name: "an unknown setting", config: { ...VALID, output: "x" }, pointer: "/output", message: /unknown setting "output"; known: .*out/ },
    { name: "no specs", config: { out: "generated" }, pointer: "/specs", message: /at least one spec/ },
    { name: "specs not an array", config: { ...VALID, specs: "specs/*.yaml" }, pointer: "/specs", message: /at least one spec/ },
    { name: "specs empty", config: { ...VALID, specs: [] }, pointer: "/specs", message: /at least one spec/ },
    { name: "a spec that is not a string", config: { ...VALID, specs: ["specs/a.yaml", 3] }, pointer: "/specs/1", message: /spec file or a glob/ },
    { name: "an empty spec", config: { ...VALID, specs: [" "] }, pointer: "/specs/0", message: /spec file or a glob/ },
    { name: "an absolute spec path", config: { ...VALID, specs: ["/home/me/specs/a.yaml"] }, pointer: "/specs/0", message: /not absolute/ },
    { name: "no out", config: { specs: ["specs/a.yaml"] }, pointer: "/out", message: /is required/ },
    { name: "out not a string", config: { ...VALID, out: 1 }, pointer: "/out", message: /must be a folder/ },
    { name: "an absolute out", config: { ...VALID, out: "C:\\out" }, pointer: "/out", message: /not absolute/ },
    { name: "a script with a space", config: { ...VALID, script: "generate tokens" }, pointer: "/script", message: /package.json script/ },
    { name: "allowRemote as a string", config: { ...VALID, allowRemote: "yes" }, pointer: "/allowRemote", message: /true or false/ },
    { name: "providers as an array", config: { ...VALID, providers: [] }, pointer: "/providers", message: /JSON object/ },
    { name: "a provider id in capitals", config: { ...VALID, providers: { Acme: {} } }, pointer: "/providers/Acme", message: /provider id/ },
    { name: "an unknown provider setting", config: { ...VALID, providers: { acme: { displayName: "Acme" } } }, pointer: "/providers/acme/displayName", message: /unknown setting "displayName"; known: config, overlay/ },
    { name: "a provider config that is not a path", config: { ...VALID, providers: { acme: { config: { clientAuth: "basic" } } } }, pointer: "/providers/acme/config", message: /provider config file/ },
    { name: "an absolute overlay", config: { ...VALID, providers: { acme: { overlay: "/x.yaml" } } }, pointer: "/providers/acme/overlay", message: /not absolute/ },
  ])("$name -> config error at $pointer, and the schema refuses it too", ({ config, pointer, message }) => {
    const error = refusal(config);
    expect(error.code).toBe("config");
    expect(error.file).toBe(FILE);
    expect(error.pointer).toBe(pointer);
    expect(error.detail).toMatch(message);
    expect(error.message).toBe(`${FILE}#${pointer}: ${error.detail}`);
    expect(validateWithSchema(config)).toBe(false);
  });

  it.each<{ name: string; config: Record<string, unknown> }>([
    { name: "the least", config: VALID },
    { name: "what init writes", config: { $schema: "./node_modules/tokenwright/tokenwright.config.schema.json", specs: ["specs/*.{yaml,yml,json}"], out: "generated", script: "generate:tokens" } },
    {
      name: "everything",
      config: { ...VALID, script: "tokens", allowRemote: true, providers: { "commerce-layer": { config: "config/commerce-layer.tokenwright.json", overlay: "overlays/cl.overlay.yaml" } } },
    },
  ])("$name is read as written, and the schema accepts it", ({ config }) => {
    const { $schema: _ignored, ...settings } = config;
    expect(checkProjectConfig(FILE, config)).toEqual(settings);
    expect(validateWithSchema(config), JSON.stringify(validateWithSchema.errors)).toBe(true);
  });

  it("invalid JSON is a config error at the whole document; a missing file a read error", async () => {
    const dir = await tempDir("project-config");
    writeFileSync(join(dir, FILE), "{ specs: [] }");
    expect(() => loadProjectConfig(join(dir, FILE))).toThrow(expect.objectContaining({ code: "config", pointer: "", detail: expect.stringMatching(/^invalid JSON/) }));
    expect(() => loadProjectConfig(join(dir, "absent", FILE))).toThrow(expect.objectContaining({ code: "read" }));
  });

  it("is found in the folder or the nearest one above", async () => {
    const dir = await tempDir("project-find");
    writeTree(dir, { [FILE]: JSON.stringify(VALID), "src/deep/x.ts": "" });
    expect(findProjectConfig(join(dir, "src/deep"))).toBe(join(dir, FILE));
    expect(findProjectConfig(dir)).toBe(join(dir, FILE));
  });
});

describe("globs", () => {
  it("expand braces, nested too, and name the folder they start below", () => {
    expect(expandBraces("specs/*.{yaml,yml,json}")).toEqual(["specs/*.yaml", "specs/*.yml", "specs/*.json"]);
    expect(expandBraces("{a,b/{c,d}}.yaml")).toEqual(["a.yaml", "b/c.yaml", "b/d.yaml"]);
    expect(expandBraces("no-braces.yaml")).toEqual(["no-braces.yaml"]);
    expect(globBase("specs/**/*.yaml")).toBe("specs");
    expect(globBase("*.yaml")).toBe(".");
    expect(globBase("apis/v1/*/openapi.json")).toBe("apis/v1");
  });

  it("match *, ?, ** and skip dot folders and node_modules", async () => {
    const dir = await tempDir("glob");
    writeTree(dir, {
      "specs/a.yaml": "",
      "specs/b.yml": "",
      "specs/nested/c.yaml": "",
      "specs/nested/deeper/d.yaml": "",
      "specs/.hidden/e.yaml": "",
      "specs/node_modules/f.yaml": "",
      "specs/x1.json": "",
    });
    expect(globFiles(dir, "specs/*.yaml")).toEqual(["specs/a.yaml"]);
    expect(globFiles(dir, "specs/?.y*ml")).toEqual(["specs/a.yaml", "specs/b.yml"]);
    expect(globFiles(dir, "specs/**/*.yaml")).toEqual(["specs/a.yaml", "specs/nested/c.yaml", "specs/nested/deeper/d.yaml"]);
    expect(globFiles(dir, "specs/x?.json")).toEqual(["specs/x1.json"]);
    expect(globFiles(dir, "specs/**/*.yaml", (path) => path === "specs/nested")).toEqual(["specs/a.yaml"]);
  });
});

describe("a project's specs", () => {
  async function project(files: Record<string, string>, config: Record<string, unknown>) {
    const dir = await tempDir("project-specs");
    writeTree(dir, { ...files, [FILE]: JSON.stringify(config) });
    return loadProjectConfig(join(dir, FILE));
  }
  const resolutionError = (loaded: ReturnType<typeof loadProjectConfig>): SpecError => {
    try {
      resolveProjectSpecs(loaded, FILE);
    } catch (error) {
      if (error instanceof SpecError) return error;
      throw error;
    }
    throw new Error("expected the specs to be refused");
  };

  it("a glob matches specs, never provider configs, overlays, package files or the output", async () => {
    const loaded = await project(
      {
        "specs/acme.yaml": "",
        "specs/acme.tokenwright.json": "{}",
        "specs/acme.overlay.yaml": "",
        "specs/beta.json": "",
        "package.json": "{}",
        "generated/manifest.json": "{}",
        "notes.txt": "",
      },
      { specs: ["specs/*.{yaml,yml,json}", "**/*.json"], out: "generated" },
    );
    expect(resolveProjectSpecs(loaded, FILE)).toEqual([
      { spec: "specs/acme.yaml", provider: "acme" },
      { spec: "specs/beta.json", provider: "beta" },
    ]);
  });

  it("named provider configs and overlays are taken, relative to the config", async () => {
    const loaded = await project({ "specs/acme.yaml": "", "config/acme.json": "{}", "config/acme.overlay.yaml": "" }, { specs: ["./specs/acme.yaml"], out: "out", providers: { acme: { config: "config/acme.json", overlay: "config/acme.overlay.yaml" } } });
    expect(resolveProjectSpecs(loaded, FILE)).toEqual([{ spec: "specs/acme.yaml", provider: "acme", config: "config/acme.json", overlay: "config/acme.overlay.yaml" }]);
  });

  it.each<{ name: string; files: Record<string, string>; config: Record<string, unknown>; code: string; pointer: string; message: RegExp }>([
    { name: "a listed file that is not there", files: { "specs/a.yaml": "" }, config: { specs: ["specs/a.yaml", "specs/missing.yaml"], out: "out" }, code: "spec_not_found", pointer: "/specs/1", message: /no such file: specs\/missing\.yaml/ },
    { name: "globs that match nothing", files: { "specs/readme.md": "" }, config: { specs: ["specs/*.yaml", "apis/**/*.json"], out: "out" }, code: "spec_not_found", pointer: "/specs", message: /no spec matches "specs\/\*\.yaml", "apis\/\*\*\/\*\.json"/ },
    { name: "two specs making one provider", files: { "specs/acme.yaml": "", "other/acme.json": "" }, config: { specs: ["specs/*.yaml", "other/*.json"], out: "out" }, code: "config", pointer: "/specs/1", message: /specs\/acme\.yaml and other\/acme\.json would both generate the provider "acme"/ },
    { name: "a provider no spec gives", files: { "specs/acme.yaml": "" }, config: { specs: ["specs/*.yaml"], out: "out", providers: { beta: {} } }, code: "config", pointer: "/providers/beta", message: /names no spec; the specs give acme/ },
    { name: "a named provider config that is not there", files: { "specs/acme.yaml": "" }, config: { specs: ["specs/*.yaml"], out: "out", providers: { acme: { config: "acme.json" } } }, code: "config", pointer: "/providers/acme/config", message: /no such file: acme\.json/ },
  ])("$name -> $code at $pointer", async ({ files, config, code, pointer, message }) => {
    const error = resolutionError(await project(files, config));
    expect(error).toMatchObject({ code, file: FILE, pointer });
    expect(error.detail).toMatch(message);
  });

  it("a spec below a folder named like the output is still found when it is not the output", async () => {
    const dir = await tempDir("project-out");
    mkdirSync(join(dir, "generated-specs"), { recursive: true });
    writeTree(dir, { "generated-specs/acme.yaml": "", [FILE]: JSON.stringify({ specs: ["generated-specs/*.yaml"], out: "generated" }) });
    expect(resolveProjectSpecs(loadProjectConfig(join(dir, FILE)), FILE).map((s) => s.spec)).toEqual(["generated-specs/acme.yaml"]);
  });
});
