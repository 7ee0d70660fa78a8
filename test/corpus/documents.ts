/**
 * The corpus specs as OpenAPI 3 documents for test-side checking, read
 * independently of the generator's loader: parsed from the file, converted
 * with swagger2openapi when the file is Swagger 2.0, so that request and
 * response schemas can be sampled (test/support/sample-from-schema.ts) and
 * validated with ajv (test/support/spec-schema.ts, which reads OpenAPI 3
 * files only).
 */
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { loadSpecSchemas, type SpecSchemas } from "../support/spec-schema.js";

/** Where the corpus lives: the 18 provider files (byte-identical copies), their configs, INDEX.md. */
export const CORPUS_DIR = fileURLToPath(new URL("./specs/", import.meta.url));

/** Spec files of the corpus (configs and Markdown excluded), sorted. */
export async function corpusSpecFiles(): Promise<string[]> {
  const { readdir } = await import("node:fs/promises");
  return (await readdir(CORPUS_DIR)).filter((name) => /\.(ya?ml|json)$/i.test(name) && !name.endsWith(".tokenwright.json")).sort();
}

export interface CorpusDocument {
  /** The file name in the corpus, e.g. `slack-web-api.json`. */
  readonly file: string;
  /** `"3.0"` or `"3.1"` after any conversion. */
  readonly version: "3.0" | "3.1";
  /** Whether the file is Swagger 2.0 and this is swagger2openapi's conversion of it. */
  readonly converted: boolean;
  /** The OpenAPI 3 document, `$ref`s intact. */
  readonly document: Record<string, unknown>;
}

type Converter = {
  convertObj(document: unknown, options: Record<string, unknown>): Promise<{ openapi: Record<string, unknown> }>;
};

const require = createRequire(import.meta.url);

/**
 * Reads a corpus spec (by file name, or a path) as an OpenAPI 3 document.
 * With `onlyPaths`, the document keeps just those path items and what they
 * reference (see {@link sliceDocument}): the same pointers, a fraction of a
 * whole-API document to convert and dereference.
 */
export async function readCorpusDocument(fileOrPath: string, onlyPaths?: readonly string[]): Promise<CorpusDocument> {
  const path = fileOrPath.includes("/") ? fileOrPath : join(CORPUS_DIR, fileOrPath);
  const text = await readFile(path, "utf8");
  const parsed: unknown = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  if (!isRecord(parsed)) throw new Error(`${fileOrPath}: not an object`);
  let document = onlyPaths === undefined ? parsed : sliceDocument(parsed, onlyPaths);
  let converted = false;
  if (typeof parsed["swagger"] === "string") {
    const converter = require("swagger2openapi") as Converter;
    // patch: repair what 2.0 allowed loosely; warnOnly: keep going past the rest. Never resolves anything.
    const result = await converter.convertObj(structuredClone(parsed), { patch: true, warnOnly: true, resolve: false, direct: false });
    document = result.openapi;
    converted = true;
  }
  const openapi = document["openapi"];
  if (typeof openapi !== "string" || !/^3\.[01]\./.test(openapi)) throw new Error(`${fileOrPath}: not OpenAPI 3.0 / 3.1 (openapi: ${String(openapi)})`);
  return { file: basename(path), version: openapi.startsWith("3.1") ? "3.1" : "3.0", converted, document };
}

/**
 * spec-schema's validators for a document: it reads files, so the document
 * (without specification extensions, whose vendor `$ref`s may point at files
 * that are not in the corpus) is written to `tempDir` first.
 */
export async function specSchemasFor(document: Readonly<Record<string, unknown>>, tempDir: string, name: string): Promise<SpecSchemas> {
  const file = join(tempDir, `${name.replace(/[^A-Za-z0-9._-]/g, "_")}.schemas.json`);
  await writeFile(file, JSON.stringify(withoutExtensions(document)));
  return loadSpecSchemas(file);
}

/** Top-level members that hold what `$ref`s point at, or the path items: copied only as far as needed. */
const SLICED = new Set(["paths", "components", "definitions", "parameters", "responses", "webhooks", "$defs"]);

/**
 * The document with only the path items `paths` and everything they reach
 * through local `$ref`s, each at its original JSON pointer, so references
 * (and a Swagger 2.0 conversion) work as in the whole document. Other
 * top-level members (servers, security, host, consumes…) are kept whole.
 */
export function sliceDocument(document: Readonly<Record<string, unknown>>, paths: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) if (!SLICED.has(key)) out[key] = value;
  const done = new Set<string>();
  const queue: string[][] = paths.map((path) => ["paths", path]);
  for (let tokens = queue.shift(); tokens !== undefined; tokens = queue.shift()) {
    const key = JSON.stringify(tokens);
    if (done.has(key)) continue;
    done.add(key);
    const at = (node: unknown, token: string): unknown =>
      Array.isArray(node) ? node[Number(token)] : isRecord(node) && Object.hasOwn(node, token) ? node[token] : undefined;
    let source: unknown = document;
    for (const token of tokens) source = at(source, token);
    if (source === undefined) continue; // dangling: left for the reader of the slice to report
    // Copy the path down to it; an array on the way is copied whole (no holes).
    let target: Record<string, unknown> = out;
    let original: unknown = document;
    for (const [i, token] of tokens.entries()) {
      original = at(original, token);
      const whole = i === tokens.length - 1 || Array.isArray(original) || typeof original !== "object" || original === null;
      if (whole) {
        Object.defineProperty(target, token, { value: original, enumerable: true, writable: true, configurable: true });
        break;
      }
      const existing = target[token];
      if (isRecord(existing)) target = existing;
      else {
        const fresh: Record<string, unknown> = {};
        Object.defineProperty(target, token, { value: fresh, enumerable: true, writable: true, configurable: true });
        target = fresh;
      }
    }
    for (const ref of localRefs(source)) queue.push(ref);
  }
  return out;
}

/** JSON-pointer tokens of every local `$ref` below `node`. */
function localRefs(node: unknown, found: string[][] = []): string[][] {
  if (Array.isArray(node)) for (const item of node) localRefs(item, found);
  else if (isRecord(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/")) {
        let pointer = value.slice(1);
        try {
          pointer = decodeURIComponent(pointer);
        } catch {
          // kept as written
        }
        found.push(pointer.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~")));
      } else localRefs(value, found);
    }
  }
  return found;
}

/** Maps of user-chosen names, where an `x-` key is a name, not an extension. */
const NAME_MAPS = new Set([
  "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "schemas", "parameters", "examples",
  "requestBodies", "headers", "securitySchemes", "links", "callbacks", "pathItems", "content", "encoding", "variables",
  "scopes", "mapping", "webhooks", "responses",
]);
/** Literal data: copied as is. */
const DATA_KEYS = new Set(["example", "examples", "default", "enum", "const"]);

/** A copy without specification extensions (`x-` members of OpenAPI and Schema objects). */
export function withoutExtensions(node: unknown, inNameMap = false): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutExtensions(item));
  if (!isRecord(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!inNameMap && key.startsWith("x-")) continue;
    if (!inNameMap && DATA_KEYS.has(key)) {
      out[key] = value;
      continue;
    }
    // `properties: { x-id: {...} }` keeps its member; the schema inside is an object again.
    Object.defineProperty(out, key, { value: withoutExtensions(value, !inNameMap && NAME_MAPS.has(key)), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
