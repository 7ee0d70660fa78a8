import { lookup } from "node:dns/promises";
import { realpath, readFile, stat } from "node:fs/promises";
import { isIP } from "node:net";
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SpecError } from "./errors.js";
import { forEachRef, pointerOf } from "./refs.js";

/** What a spec may reference outside itself. */
export interface RefPolicy {
  /** Allow `http(s):` refs (`--allow-remote`); never to loopback, link-local or private addresses. */
  readonly allowRemote: boolean;
}

/** A remote document larger than this is refused. */
const MAX_REMOTE_BYTES = 10 * 1024 * 1024;
const REMOTE_TIMEOUT_MS = 10_000;

/**
 * Inlines `$ref`s to other documents, under the policy:
 * - files resolve only inside the spec's own folder (after following links),
 *   so a spec cannot read `/etc/passwd` or `../secrets.yaml`;
 * - `http(s):` documents only with `allowRemote`, and never from loopback,
 *   link-local or private addresses.
 * The document's own external refs are checked first, so a refusal names the
 * pointer of the object holding the ref; refs inside referenced documents are
 * held to the same rules by the resolvers swagger-parser is given. Refs
 * inside Specification Extensions of `document` are not followed (the caller
 * drops them first); inside a referenced document, the bundler follows every
 * `$ref`, since which of its keys are extensions depends on where it is used.
 * Returns the document unchanged when it has no external refs.
 */
export async function bundleExternalRefs(displayFile: string, specPath: string | undefined, document: unknown, policy: RefPolicy): Promise<unknown> {
  const external = externalRefs(displayFile, document);
  if (external.length === 0) return document;
  if (specPath === undefined) {
    const first = external[0]!;
    throw new SpecError("external_ref", displayFile, first.pointer, `$ref ${JSON.stringify(first.ref)} points outside this document, which was not read from a file`);
  }
  const root = await realpath(dirname(resolve(specPath)));
  for (const { ref, pointer } of external) await checkTarget(displayFile, pointer, ref, specPath, root, policy);
  const { default: SwaggerParser } = await import("@apidevtools/swagger-parser");
  // The bundler rewraps resolver errors as "Error reading file"; keep ours to report it as it is.
  let refusal: SpecError | undefined;
  const readInsideOrRefuse = async (url: string): Promise<Buffer> => {
    try {
      return await readInside(url, root);
    } catch (error) {
      if (error instanceof SpecError) refusal ??= new SpecError("external_ref", displayFile, "", `${error.detail}: ${JSON.stringify(error.file)}`);
      throw error;
    }
  };
  try {
    // The parsed document is given, not re-read from specPath: it is the one
    // whose extension refs were dropped (see dropExtensionRefs) and whose YAML
    // aliases were bounded; specPath only says where relative refs start.
    return await SwaggerParser.bundle(specPath, document as never, {
      resolve: {
        external: true,
        file: { order: 1, canRead: (file: { url: string }) => file.url.startsWith("file:") || !/^[a-z][a-z0-9+.-]*:/i.test(file.url), read: (file: { url: string }) => readInsideOrRefuse(file.url) },
        http: policy.allowRemote ? { order: 2, canRead: (file: { url: string }) => /^https?:/i.test(file.url), read: (file: { url: string }) => readRemote(file.url) } : false,
      },
    } as never);
  } catch (error) {
    if (refusal) throw refusal;
    if (error instanceof SpecError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new SpecError("external_ref", displayFile, "", `cannot bundle external $refs: ${message.split("\n")[0]}`);
  }
}

function externalRefs(file: string, document: unknown): { ref: string; pointer: string }[] {
  const found: { ref: string; pointer: string }[] = [];
  forEachRef(file, document, (ref, holder) => {
    if (!ref.startsWith("#")) found.push({ ref, pointer: pointerOf(holder) });
  });
  return found;
}

async function checkTarget(file: string, pointer: string, ref: string, specPath: string, root: string, policy: RefPolicy): Promise<void> {
  const target = ref.split("#")[0] ?? "";
  if (/^https?:/i.test(target)) {
    if (!policy.allowRemote) {
      throw new SpecError("external_ref", file, pointer, `remote $ref ${JSON.stringify(ref)} is refused; pass --allow-remote to fetch it`);
    }
    await assertPublicHost(new URL(target), file, pointer);
    return;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("file:")) {
    throw new SpecError("external_ref", file, pointer, `$ref ${JSON.stringify(ref)} uses a scheme tokenwright does not fetch`);
  }
  const path = target.startsWith("file:") ? fileURLToPath(target) : resolve(dirname(resolve(specPath)), decodeURIComponent(target));
  if (!(await isInside(path, root))) {
    throw new SpecError("external_ref", file, pointer, `$ref ${JSON.stringify(ref)} leaves the spec's folder; only files beside the spec (or below it) are read`);
  }
  // Said here, with the pointer of the ref; the bundler would only name the file.
  if (!(await isFile(path))) {
    throw new SpecError("external_ref", file, pointer, `$ref ${JSON.stringify(ref)} names a file that is not there (${JSON.stringify(target)})`);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isInside(path: string, root: string): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    // A missing file is refused by checkTarget (or the bundler, for refs in referenced files); its location must still be inside.
    real = resolve(path);
  }
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function readInside(url: string, root: string): Promise<Buffer> {
  const path = url.startsWith("file:") ? fileURLToPath(url) : resolve(url);
  if (!(await isInside(path, root))) {
    throw new SpecError("external_ref", pathToFileURL(path).href, "", "a referenced document points outside the spec's folder");
  }
  return readFile(path);
}

async function readRemote(url: string): Promise<string> {
  const parsed = new URL(url);
  await assertPublicHost(parsed, url, "");
  const response = await fetch(parsed, { redirect: "error", signal: AbortSignal.timeout(REMOTE_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${parsed.origin}${parsed.pathname} answered ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_REMOTE_BYTES) throw new Error(`${parsed.origin}${parsed.pathname} is larger than ${MAX_REMOTE_BYTES} bytes`);
  return text;
}

/** Refuses hosts that are (or resolve to) loopback, link-local, private or unspecified addresses. */
async function assertPublicHost(url: URL, file: string, pointer: string): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new SpecError("external_ref", file, pointer, `cannot resolve ${JSON.stringify(url.hostname)}`);
  const blocked = addresses.find(isNonPublicAddress);
  if (blocked !== undefined) {
    throw new SpecError("external_ref", file, pointer, `remote $ref host ${JSON.stringify(url.hostname)} is a loopback, link-local or private address; refused even with --allow-remote`);
  }
}

export function isNonPublicAddress(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(v4) === 4) {
    const [a = 0, b = 0] = v4.split(".").map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v6 = address.toLowerCase();
  return v6 === "::" || v6 === "::1" || v6.startsWith("fe80:") || v6.startsWith("fc") || v6.startsWith("fd") || v6.startsWith("ff");
}
