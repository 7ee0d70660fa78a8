import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docText, docValue } from "../../generator/emit/doc-text.js";
import { Printer, emitProvider, runtimeFiles, type EmittedFile } from "../../generator/emit/index.js";
import { literal } from "../../generator/emit/typescript.js";
import { wireTypes } from "../../generator/emit/wire.js";
import { loadSpecText, type ProviderConfig } from "../../generator/load/index.js";
import { buildModel, type ProviderModel } from "../../generator/model/index.js";
import { HOSTILE_ENUM, HOSTILE_GRANT, HOSTILE_SERVER_URL, HOSTILE_TEXT, TRAP, hostileSpec } from "../fixtures/hostile-spec.js";
import { REPO_ROOT, bannerText, diagnosticsUnder, sha256Hex, tokenSpec, transpileTree, typecheck, useTempDirs, writeTree, type Json, type TypecheckResult } from "./helpers.js";

const BIDI_AND_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe("docText", () => {
  it.each<{ name: string; given: string; want: string }>([
    { name: "comment end is broken", given: "a */ b", want: "a *\u2215 b" },
    { name: "every comment end is broken", given: "*/*/", want: "*\u2215*\u2215" },
    { name: "a comment end formed by removing a control is broken too", given: "*\u202e/ x", want: "*\u2215 x" },
    { name: "U+2028 and U+2029 become newlines", given: "a\u2028b\u2029c", want: "a\nb\nc" },
    { name: "NEL becomes a newline", given: "a\u0085b", want: "a\nb" },
    { name: "CRLF and lone CR become newlines", given: "a\r\nb\rc", want: "a\nb\nc" },
    { name: "bidi overrides and isolates are removed (Trojan Source)", given: "\u202eevil\u202c txt\u2066x\u2069 \u200fy\u200e", want: "evil txtx y" },
    { name: "C0/C1 controls are removed", given: "a\u0000b\u0007c\u001bd\u009be", want: "abcde" },
    { name: "tabs become two spaces", given: "a\tb", want: "a  b" },
    { name: "a leading @ cannot forge a JSDoc tag", given: "@param x evil", want: "\uff20param x evil" },
    { name: "an indented leading @ on a later line is neutralised", given: "ok\n  @returns evil", want: "ok\n  \uff20returns evil" },
    { name: "@ inside a line is kept", given: "mail me@example.com", want: "mail me@example.com" },
    { name: "trailing whitespace and outer blank lines go", given: "\n\n  first  \n  second  \n\n", want: "first\n  second" },
    { name: "long text is cut at 2000 characters", given: "x".repeat(2500), want: `${"x".repeat(2000)}…` },
  ])("$name", ({ given, want }) => {
    const out = docText(given);
    expect(out).toBe(want);
    expect(out).not.toContain("*/");
    expect(out).not.toMatch(/[\r\u2028\u2029\u0085]/);
    expect(out).not.toMatch(BIDI_AND_CONTROLS);
    expect(out).not.toMatch(/^\s*@/m);
  });

  it("keeps hostile text inside one comment when printed as JSDoc", () => {
    const text = `/**\n * ${docText(HOSTILE_TEXT).split("\n").join("\n * ")}\n */\nexport const marker = 1;\n`;
    const file = ts.createSourceFile("doc.ts", text, ts.ScriptTarget.ES2022, true);
    expect(file.statements).toHaveLength(1);
    expect(ts.isVariableStatement(file.statements[0]!)).toBe(true);
  });

  it("docValue shows a JSON value without ending the comment", () => {
    expect(docValue({ a: "*/" })).toBe('{"a":"*\u2215"}');
    expect(docValue(undefined)).toBe("undefined");
  });
});

/** Evaluates a JavaScript expression; the test's own code, never generated output. */
const evaluate = (code: string): unknown => (new Function(`"use strict"; return (${code});`) as () => unknown)();

describe("literal", () => {
  it.each<{ name: string; given: unknown; want: string }>([
    { name: "number", given: 1, want: "1" },
    { name: "string with quotes", given: 'a"b', want: '"a\\"b"' },
    { name: "null", given: null, want: "null" },
    { name: "identifier keys bare, others quoted", given: { a: 1, $b: 2, _c: 3, "a-b": 4, "1x": 5, "": 6, "a b": 7 }, want: '{\n  a: 1,\n  $b: 2,\n  _c: 3,\n  "a-b": 4,\n  "1x": 5,\n  "": 6,\n  "a b": 7,\n}' },
    { name: "reserved words are valid property names", given: { class: 1, constructor: 2 }, want: "{\n  class: 1,\n  constructor: 2,\n}" },
    { name: "__proto__ as a computed key", given: JSON.parse('{"__proto__": {"x": 1}}') as unknown, want: '{\n  ["__proto__"]: {\n    x: 1,\n  },\n}' },
    { name: "undefined properties are left out", given: { a: undefined, b: 1 }, want: "{\n  b: 1,\n}" },
    { name: "scalar arrays on one line", given: [1, "x", null, true], want: '[1, "x", null, true]' },
    { name: "arrays of objects, one per line", given: [{ a: 1 }], want: "[\n  {\n    a: 1,\n  },\n]" },
    { name: "empty object and array", given: { o: {}, a: [] }, want: "{\n  o: {},\n  a: [],\n}" },
    {
      name: "hostile strings stay strings",
      given: { s: "</script>\u2028`${x}`\\*/" },
      want: `{\n  s: ${JSON.stringify("</script>\u2028`${x}`\\*/")},\n}`,
    },
  ])("$name", ({ given, want }) => {
    expect(literal(given)).toBe(want);
  });

  it.each<{ name: string; given: unknown }>([
    { name: "nested data", given: { a: [1, 2, { b: "c" }], d: { e: null, f: false } } },
    { name: "hostile strings", given: { s: HOSTILE_TEXT, list: HOSTILE_ENUM } },
    { name: "hostile keys", given: Object.fromEntries([...HOSTILE_ENUM, "*/", "a-b", "class"].map((k, i) => [k, i])) },
  ])("evaluates back to the same value: $name", ({ given }) => {
    expect(evaluate(literal(given))).toStrictEqual(given);
  });

  it("a __proto__ key stays an own property and does not set the prototype", () => {
    const given = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const value = evaluate(literal(given)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(value, "__proto__")).toBe(true);
    expect(Object.keys(value)).toEqual(["__proto__", "a"]);
    expect(value["polluted"]).toBeUndefined();
  });
});

interface EmitCase {
  /** Also the spec's file stem and so the provider folder. */
  readonly name: string;
  readonly why: string;
  readonly document: Json;
  readonly config?: ProviderConfig;
}

const variant = (grantType: string, extra: Json, required: string[] = ["grant_type"]): Json => ({
  type: "object",
  required,
  properties: { grant_type: { type: "string", enum: [grantType] }, ...extra },
});

const CASES: readonly EmitCase[] = [
  { name: "hostile", why: "comment, string, template and script breakouts everywhere", document: hostileSpec() },
  {
    name: "comment-opener",
    why: 'a title containing "/*" (the factory JSDoc also has an @throws tag)',
    document: tokenSpec({ document: { info: { title: "Acme /* beta", version: "1" } } }),
  },
  {
    name: "constructor-field",
    why: "an optional body field named constructor (an Object.prototype member)",
    document: tokenSpec({
      body: { type: "object", required: ["grant_type"], properties: { grant_type: { type: "string", enum: ["client_credentials"] }, constructor: { type: "string" } } },
    }),
  },
  {
    name: "inline-variants",
    why: "inline oneOf variants (Extract on grant_type), JSON body, several servers",
    document: tokenSpec({
      mediaType: "application/json",
      document: { servers: [{ url: "https://a.example.com", description: "Sandbox" }, { url: "https://b.example.com", description: "Production" }] },
      body: {
        oneOf: [
          variant("password", { username: { type: "string" }, password: { type: "string" }, client_id: { type: "string" } }, ["grant_type", "username", "password", "client_id"]),
          variant("refresh_token", { refresh_token: { type: "string" }, client_id: { type: "string" } }, ["grant_type", "client_id"]),
        ],
      },
    }),
  },
  {
    name: "components-alternatives",
    why: "component variants, config alternatives, basic auth, no servers, created-plus-relative expiry",
    document: tokenSpec({
      operation: { security: [{ basic: [] }] },
      body: { oneOf: [{ $ref: "#/components/schemas/PasswordRequest" }, { $ref: "#/components/schemas/ClientCredentialsRequest" }] },
      response: { type: "object", required: ["access_token"], properties: { access_token: { type: "string" }, created_at: { type: "integer" }, expires_in: { type: "integer" }, scope: { type: "string" } } },
      components: {
        securitySchemes: { basic: { type: "http", scheme: "basic" } },
        schemas: {
          PasswordRequest: variant("password", {
            username: { type: "string" },
            password: { type: "string" },
            device_id: { type: "string" },
            pin: { type: "string" },
            scope: { type: "string", default: "read" },
          }),
          ClientCredentialsRequest: variant("client_credentials", { scope: { type: "array", items: { type: "string" } } }),
        },
      },
    }),
    config: { grants: { password: { alternatives: [["username", "password"], ["device_id", "pin"]] } } },
  },
];

interface Emitted {
  readonly model: ProviderModel;
  readonly wire: string;
  readonly files: EmittedFile[];
  readonly specBytes: Uint8Array;
}

/** The regenerate command banners name; the CLI passes the one for its run. */
const COMMAND = "npm run generate";

async function emitOne(given: EmitCase): Promise<Emitted> {
  const specBytes = new TextEncoder().encode(JSON.stringify(given.document, null, 2));
  const spec = await loadSpecText(`specs/${given.name}.json`, specBytes);
  const model = buildModel({ spec, config: given.config, configFile: given.config ? `specs/${given.name}.tokenwright.json` : undefined });
  const wire = await wireTypes(model.wireDocument);
  return { model, wire, files: emitProvider(model, wire, COMMAND), specBytes };
}

/** Identifiers (not comments or strings) with this name anywhere in a TypeScript file. */
function identifiersNamed(file: string, text: string, name: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && node.text === name) found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("emitted providers", () => {
  const tempDir = useTempDirs();
  const emitted = new Map<string, Emitted>();
  let root = "";
  let checked: TypecheckResult = { files: [], diagnostics: [] };
  let transpileProblems = new Map<string, string[]>();
  const fired: string[] = [];
  const globals = globalThis as unknown as Record<string, unknown>;

  beforeAll(async () => {
    root = await tempDir("emit");
    for (const given of CASES) emitted.set(given.name, await emitOne(given));
    const files = [...[...emitted.values()].flatMap((e) => e.files), ...runtimeFiles(COMMAND)];
    writeTree(root, Object.fromEntries(files.map((f) => [f.path, f.content])));
    checked = typecheck(root);
    transpileProblems = transpileTree(root);
    globals[TRAP] = (): never => {
      fired.push(new Error("trap").stack ?? "trap");
      throw new Error("generated code executed spec text");
    };
  }, 120_000);

  afterAll(() => {
    delete globals[TRAP];
  });

  it("the typecheck covers every emitted TypeScript file", () => {
    const emittedTs = [...emitted.values()].flatMap((e) => e.files.map((f) => f.path)).filter((p) => p.endsWith(".ts"));
    expect(emittedTs.length).toBe(CASES.length * 5);
    expect(checked.files).toEqual(expect.arrayContaining([...emittedTs, "runtime/index.ts", "runtime/request.ts"]));
  });

  it("the copied runtime typechecks under --strict", () => {
    expect(diagnosticsUnder(checked, "runtime")).toEqual([]);
  });

  it.each(CASES.map((c) => ({ name: c.name, why: c.why })))("$name typechecks under --strict ($why)", ({ name }) => {
    expect(diagnosticsUnder(checked, name)).toEqual([]);
  });

  it.each(CASES.map((c) => ({ name: c.name, why: c.why })))("$name imports without running spec text", async ({ name }) => {
    expect([...transpileProblems].filter(([path]) => path.startsWith(`${name}/`))).toEqual([]);
    const before = fired.length;
    const module: unknown = await import(pathToFileURL(join(root, name, "index.js")).href);
    expect(fired.slice(before)).toEqual([]);
    const prefix = emitted.get(name)!.model.typePrefix;
    expect(typeof (module as Record<string, unknown>)[`create${prefix}Client`]).toBe("function");
  });

  it("hostile: spec text reaches code only as comments and string literals", () => {
    const { files } = emitted.get("hostile")!;
    const hits = files.filter((f) => f.path.endsWith(".ts")).flatMap((f) => identifiersNamed(f.path, f.content, TRAP));
    expect(hits).toEqual([]);
  });

  it("hostile: the client carries spec values as exact data and sends them", async () => {
    interface Client {
      clientCredentials(params?: Record<string, unknown>): Promise<{ ok: boolean }>;
      [method: string]: ((params?: Record<string, unknown>) => Promise<{ ok: boolean }>) | undefined;
    }
    interface HostileModule {
      createHostileClient(options: Record<string, unknown>): Client;
      HOSTILE_SERVERS: readonly { name: string; url: string }[];
    }
    const module = (await import(pathToFileURL(join(root, "hostile", "index.js")).href)) as HostileModule;
    expect(module.HOSTILE_SERVERS.map((s) => s.url)).toEqual([HOSTILE_SERVER_URL, "https://backup.example.com"]);
    const sent: string[] = [];
    const fetch = (_input: string, init: RequestInit): Promise<Response> => {
      sent.push(String(init.body));
      return Promise.resolve(new Response(JSON.stringify({ access_token: "tok", token_type: "bearer", expires_in: 60 }), { status: 200, headers: { "content-type": "application/json" } }));
    };
    const client = module.createHostileClient({ baseUrl: "http://127.0.0.1:9", clientId: "id", clientSecret: "secret", fetch });
    const hostileGrant = emitted.get("hostile")!.model.grants.find((g) => g.grantType === HOSTILE_GRANT)!;
    const method = client[hostileGrant.methodName];
    expect(typeof method).toBe("function");
    const params = Object.fromEntries([
      ["__proto__", "proto value"],
      ["a-b", "ab"],
      ["class", "cls"],
      ["mode", HOSTILE_ENUM[0]!],
    ]);
    const result = await method!(params);
    expect(result.ok).toBe(true);
    const body = new URLSearchParams(sent[0]);
    expect(body.get("grant_type")).toBe(HOSTILE_GRANT);
    expect(body.get("__proto__")).toBe("proto value");
    expect(body.get("a-b")).toBe("ab");
    expect(body.get("class")).toBe("cls");
    expect(body.get("mode")).toBe(HOSTILE_ENUM[0]);
    expect(fired).toEqual([]);
  });

  it("hostile: the README escapes HTML", () => {
    const readme = emitted.get("hostile")!.files.find((f) => f.path === "hostile/README.md")!.content;
    expect(readme).not.toMatch(/<\/?script/i);
    expect(readme).toContain("&lt;/script&gt;");
  });

  it("emitting the same model twice is byte-identical (fresh or shared printer)", async () => {
    for (const { model, wire, files } of emitted.values()) {
      expect(emitProvider(model, wire, COMMAND, new Printer())).toEqual(files);
      const shared = new Printer();
      emitProvider(model, wire, COMMAND, shared);
      expect(emitProvider(model, wire, COMMAND, shared)).toEqual(files);
    }
  });

  it("wire types are deterministic and leave the model's slice untouched", async () => {
    const { model, wire } = emitted.get("components-alternatives")!;
    const before = structuredClone(model.wireDocument);
    expect(await wireTypes(model.wireDocument)).toBe(wire);
    expect(model.wireDocument).toStrictEqual(before);
  });

  it.each(CASES.map((c) => ({ name: c.name })))("every $name file starts with the do-not-edit banner naming the spec and its sha256", ({ name }) => {
    const { files, specBytes } = emitted.get(name)!;
    const sha = sha256Hex(specBytes);
    expect(files.map((f) => f.path).sort()).toEqual([`${name}/README.md`, `${name}/client.ts`, `${name}/index.ts`, `${name}/session.ts`, `${name}/types.ts`, `${name}/wire.ts`]);
    for (const file of files) {
      if (file.path.endsWith(".ts")) {
        expect(bannerText(file.content), file.path).toBe(
          `Generated by tokenwright from specs/${name}.json (sha256 ${sha}). Do not edit: this file is overwritten. Regenerate with \`${COMMAND}\`.`,
        );
      } else {
        expect(file.content.startsWith(`<!-- Generated by tokenwright from specs/${name}.json (sha256 ${sha}). Do not edit.`), file.path).toBe(true);
      }
    }
  });

  it("every runtime file starts with a banner naming its source and that source's sha256", () => {
    const files = runtimeFiles(COMMAND);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const name = file.path.slice("runtime/".length);
      const sha = sha256Hex(readFileSync(join(REPO_ROOT, "generator/runtime", name)));
      expect(bannerText(file.content), file.path).toMatch(new RegExp(`^Generated by tokenwright from generator/runtime/${name.replace(".", "\\.")} \\(sha256 ${sha}\\)\\. `));
    }
  });
});
