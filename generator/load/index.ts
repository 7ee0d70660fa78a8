import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { SpecError } from "./errors.js";
import { parseSpecText } from "./parse.js";
import { bundleExternalRefs, type RefPolicy } from "./external-refs.js";
import { dropExtensionRefs } from "./extension-refs.js";
import { checkRefs } from "./refs.js";
import type { Swagger2Conversion } from "./swagger2.js";
import { applyOverlay, type OverlayAction } from "./overlay.js";
import { specVersionOf, validateDocument, type OpenApiVersion } from "./validate.js";

export { SPEC_ERRORS, SPEC_ERROR_CODES, SpecError, type SpecErrorCode } from "./errors.js";
export { escapeToken, fromPointer, localRefToPointer, lookupPointer, toPointer, unescapeToken } from "./pointer.js";
export type { OpenApiVersion, SpecVersion } from "./validate.js";
export type { Swagger2Conversion } from "./swagger2.js";
export type { RefPolicy } from "./external-refs.js";

/** By default, no remote documents. */
const DEFAULT_POLICY: RefPolicy = { allowRemote: false };

/** A parsed, reference-checked and validated OpenAPI document. */
export interface LoadedSpec {
  /** The file as the user named it, with forward slashes (used in messages and banners). */
  readonly file: string;
  /** SHA-256 of the file's bytes, hex (of the file as written, also when it was converted). */
  readonly sha256: string;
  /** The OpenAPI version of `document`: "3.0" for a converted Swagger 2.0 file. */
  readonly version: OpenApiVersion;
  /**
   * The document with `$ref`s intact; the model resolves them where it needs
   * names. Always OpenAPI 3: a Swagger 2.0 file is converted (see `conversion`).
   */
  readonly document: Readonly<Record<string, unknown>>;
  /** Present when the file is Swagger 2.0: `document` is its conversion to OpenAPI 3.0. */
  readonly convertedFrom?: "2.0";
  /** What that conversion did (present with `convertedFrom`). */
  readonly conversion?: Swagger2Conversion;
  /**
   * Pointers (into the file as written) of Specification Extension members
   * that were dropped because they held a `$ref` (see dropExtensionRefs);
   * present when there were any.
   */
  readonly droppedExtensions?: readonly string[];
  /** Present when an OpenAPI Overlay was applied to the file before anything else read it. */
  readonly overlay?: { readonly file: string; readonly sha256: string; readonly actions: readonly OverlayAction[] };
}

/** Reads, parses, bundles allowed external refs, checks every `$ref` and validates one spec file. */
export async function loadSpec(file: string, policy: RefPolicy = DEFAULT_POLICY, overlayFile?: string): Promise<LoadedSpec> {
  const read = async (path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new SpecError("read", path.split("\\").join("/"), "", `cannot read the file (${reason})`);
    }
  };
  const bytes = await read(file);
  const overlay = overlayFile === undefined ? undefined : { file: overlayFile.split("\\").join("/"), bytes: await read(overlayFile) };
  return loadSpecText(file.split("\\").join("/"), bytes, { path: file, policy, ...(overlay ? { overlay } : {}) });
}

/**
 * As {@link loadSpec}, for bytes already in memory (tests, stdin). External
 * refs resolve only when `source.path` says where the bytes came from.
 */
export async function loadSpecText(
  file: string,
  bytes: Uint8Array,
  source: { path?: string; policy?: RefPolicy; overlay?: { file: string; bytes: Uint8Array } } = {},
): Promise<LoadedSpec> {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  let parsed = parseSpecText(file, text);
  let overlay: LoadedSpec["overlay"];
  if (source.overlay) {
    // The overlay amends the file as written, before any check reads it (OpenAPI Overlay 1.0 §3).
    const overlayText = new TextDecoder("utf-8", { fatal: false }).decode(source.overlay.bytes);
    const applied = applyOverlay(source.overlay.file, parseSpecText(source.overlay.file, overlayText), parsed);
    parsed = applied.document;
    overlay = { file: source.overlay.file, sha256: createHash("sha256").update(source.overlay.bytes).digest("hex"), actions: applied.actions };
  }
  const overlaid = overlay ? { overlay } : {};
  specVersionOf(file, parsed);
  // $refs inside x- members are vendor data, never checked, bundled or resolved (OpenAPI 3.0 §4.9).
  const { document: ownRefsOnly, dropped } = dropExtensionRefs(file, parsed);
  const document = await bundleExternalRefs(file, source.path, ownRefsOnly, source.policy ?? DEFAULT_POLICY);
  const version = specVersionOf(file, document);
  checkRefs(file, document);
  await validateDocument(file, document as object, version);
  const droppedExtensions = dropped.length > 0 ? { droppedExtensions: dropped } : {};
  if (version !== "2.0") return { file, sha256, version, document: document as Record<string, unknown>, ...droppedExtensions, ...overlaid };
  // Swagger 2.0: validated above with pointers into the file; the model reads OpenAPI 3 only.
  const { convertSwagger2 } = await import("./swagger2.js");
  const { document: converted, conversion } = await convertSwagger2(file, document as Record<string, unknown>);
  const context = "(after conversion from Swagger 2.0; a tokenwright or swagger2openapi bug)";
  try {
    checkRefs(file, converted);
  } catch (error) {
    if (error instanceof SpecError) throw new SpecError(error.code, file, error.pointer, `${error.detail} ${context}`);
    throw error;
  }
  await validateDocument(file, converted, specVersionOf(file, converted), { semantic: false, context });
  return { file, sha256, version: "3.0", document: converted, convertedFrom: "2.0", conversion, ...droppedExtensions, ...overlaid };
}
export { ENDPOINT_KEYS, loadProviderConfig, type AuthorizationConfig, type EndpointKey, type EndpointsConfig, type ExpiryConfig, type GrantConfig, type ProviderConfig, type ResponseConfig } from "./config.js";
