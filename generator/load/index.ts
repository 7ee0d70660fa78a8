import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { SpecError } from "./errors.js";
import { parseSpecText } from "./parse.js";
import { bundleExternalRefs, type RefPolicy } from "./external-refs.js";
import { checkRefs } from "./refs.js";
import { openApiVersionOf, validateDocument, type OpenApiVersion } from "./validate.js";

export { SpecError, type SpecErrorCode } from "./errors.js";
export { lookupPointer, localRefToPointer, toPointer, fromPointer } from "./pointer.js";
export type { OpenApiVersion } from "./validate.js";
export type { RefPolicy } from "./external-refs.js";

/** By default, no remote documents. */
const DEFAULT_POLICY: RefPolicy = { allowRemote: false };

/** A parsed, reference-checked and validated OpenAPI document. */
export interface LoadedSpec {
  /** The file as the user named it, with forward slashes (used in messages and banners). */
  readonly file: string;
  /** SHA-256 of the file's bytes, hex. */
  readonly sha256: string;
  readonly version: OpenApiVersion;
  /** The document with `$ref`s intact; the model resolves them where it needs names. */
  readonly document: Readonly<Record<string, unknown>>;
}

/** Reads, parses, bundles allowed external refs, checks every `$ref` and validates one spec file. */
export async function loadSpec(file: string, policy: RefPolicy = DEFAULT_POLICY): Promise<LoadedSpec> {
  const displayName = file.split("\\").join("/");
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new SpecError("read", displayName, "", `cannot read the file (${reason})`);
  }
  return loadSpecText(displayName, bytes, { path: file, policy });
}

/**
 * As {@link loadSpec}, for bytes already in memory (tests, stdin). External
 * refs resolve only when `source.path` says where the bytes came from.
 */
export async function loadSpecText(file: string, bytes: Uint8Array, source: { path?: string; policy?: RefPolicy } = {}): Promise<LoadedSpec> {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const parsed = parseSpecText(file, text);
  openApiVersionOf(file, parsed);
  const document = await bundleExternalRefs(file, source.path, parsed, source.policy ?? DEFAULT_POLICY);
  const version = openApiVersionOf(file, document);
  checkRefs(file, document);
  await validateDocument(file, document as object, version);
  return { file, sha256, version, document: document as Record<string, unknown> };
}
export { loadProviderConfig, type ProviderConfig } from "./config.js";
