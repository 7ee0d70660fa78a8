import { SpecError } from "./errors.js";
import { toPointer } from "./pointer.js";

/**
 * OpenAPI Overlay 1.0 (https://spec.openapis.org/overlay/v1.0.0): a document
 * of actions, each selecting nodes of the spec with a JSONPath `target` and
 * either merging `update` into them or removing them. It lets a user state
 * what a provider's spec gets wrong without editing the provider's file.
 *
 * Targets use the JSONPath subset that overlays need in practice: `$`, member
 * names (`.name`, `['name']`, `["name"]`), array indexes (`[0]`) and wildcards
 * (`.*`, `[*]`). Filters, recursive descent and slices are refused by name,
 * as is a target that selects nothing: an action that silently did nothing
 * would leave the user believing the spec was amended.
 */
export interface OverlayAction {
  readonly target: string;
  readonly description?: string;
  readonly kind: "update" | "remove";
  /** How many nodes the target selected. */
  readonly matched: number;
}

export interface AppliedOverlay {
  readonly document: unknown;
  readonly actions: readonly OverlayAction[];
}

type Json = Record<string, unknown>;
type Segment = { readonly kind: "name"; readonly name: string } | { readonly kind: "index"; readonly index: number } | { readonly kind: "wildcard" };

/** Applies an overlay document to a copy of `document`; the input is not changed. */
export function applyOverlay(overlayFile: string, overlay: unknown, document: unknown): AppliedOverlay {
  const fail = (path: (string | number)[], detail: string): never => {
    throw new SpecError("overlay", overlayFile, toPointer(path), detail);
  };
  if (!isJson(overlay)) return fail([], "an overlay is a JSON/YAML object");
  if (typeof overlay["overlay"] !== "string" || !/^1\.0\.\d+$/.test(overlay["overlay"])) fail(["overlay"], 'must be "1.0.x" (OpenAPI Overlay 1.0)');
  const info = overlay["info"];
  if (!isJson(info) || typeof info["title"] !== "string" || typeof info["version"] !== "string") fail(["info"], "must have a string title and version");
  const actions = overlay["actions"];
  if (!Array.isArray(actions) || actions.length === 0) return fail(["actions"], "must be a non-empty array of actions");
  const current: unknown = structuredClone(document);
  const applied: OverlayAction[] = [];
  actions.forEach((action: unknown, index) => {
    if (!isJson(action)) return fail(["actions", index], "an action is an object");
    const target = action["target"];
    if (typeof target !== "string") return fail(["actions", index, "target"], "must be a JSONPath string");
    const segments = parsePath(target, (detail) => fail(["actions", index, "target"], detail));
    const remove = action["remove"] === true;
    const hasUpdate = Object.hasOwn(action, "update");
    if (remove === hasUpdate) return fail(["actions", index], 'needs exactly one of "update" and "remove": true');
    const description = typeof action["description"] === "string" ? action["description"] : undefined;
    const selected = select(current, segments);
    if (selected.length === 0) return fail(["actions", index, "target"], `${JSON.stringify(target)} selects nothing in the spec`);
    if (remove) {
      if (segments.length === 0) return fail(["actions", index, "target"], "the whole document cannot be removed");
      // Later indexes first, so removing array items does not shift the ones still to remove.
      for (const { parent, key } of [...selected].reverse()) {
        if (Array.isArray(parent) && typeof key === "number") parent.splice(key, 1);
        else if (isJson(parent) && typeof key === "string") delete parent[key];
      }
    } else {
      const update = action["update"];
      for (const node of selected) {
        const value = node.parent === undefined ? current : (node.parent as Record<string | number, unknown>)[node.key as string | number];
        if (Array.isArray(value)) {
          value.push(structuredClone(update));
        } else if (isJson(value) && isJson(update)) {
          merge(value, update);
        } else {
          return fail(["actions", index, "update"], `the target selects a ${value === null ? "null" : typeof value}; an update merges into an object or appends to an array`);
        }
      }
    }
    applied.push({ target, ...(description !== undefined ? { description } : {}), kind: remove ? "remove" : "update", matched: selected.length });
  });
  return { document: current, actions: applied };
}

/** Objects merge member by member; anything else is replaced by the update's value. */
function merge(target: Json, update: Json): void {
  for (const [key, value] of Object.entries(update)) {
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isJson(existing) && isJson(value)) merge(existing, value);
    // defineProperty keeps a key spelled "__proto__" as data.
    else Object.defineProperty(target, key, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
  }
}

interface Selected {
  readonly parent: unknown;
  readonly key: string | number | undefined;
}

function select(document: unknown, segments: readonly Segment[]): Selected[] {
  let nodes: Selected[] = [{ parent: undefined, key: undefined }];
  const valueOf = (s: Selected): unknown => (s.parent === undefined ? document : (s.parent as Record<string | number, unknown>)[s.key as string | number]);
  for (const segment of segments) {
    const next: Selected[] = [];
    for (const node of nodes) {
      const value = valueOf(node);
      if (segment.kind === "wildcard") {
        if (Array.isArray(value)) value.forEach((_, index) => next.push({ parent: value, key: index }));
        else if (isJson(value)) for (const key of Object.keys(value)) next.push({ parent: value, key });
      } else if (segment.kind === "index") {
        if (Array.isArray(value) && segment.index < value.length) next.push({ parent: value, key: segment.index });
      } else if (isJson(value) && Object.hasOwn(value, segment.name)) {
        next.push({ parent: value, key: segment.name });
      }
    }
    nodes = next;
  }
  return nodes;
}

/** `$.paths['/oauth/token'].post.responses.*` -> segments; anything outside the subset is refused. */
function parsePath(path: string, fail: (detail: string) => never): Segment[] {
  if (!path.startsWith("$")) return fail("a JSONPath starts with $");
  const segments: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    if (path.startsWith("..", i)) return fail("recursive descent (..) is not supported; name the path");
    if (path[i] === ".") {
      i++;
      if (path[i] === "*") {
        segments.push({ kind: "wildcard" });
        i++;
        continue;
      }
      const match = /^[A-Za-z_$][A-Za-z0-9_$-]*/.exec(path.slice(i));
      if (!match) return fail(`expected a member name at character ${i + 1}; use ['...'] for other names`);
      segments.push({ kind: "name", name: match[0] });
      i += match[0].length;
      continue;
    }
    if (path[i] === "[") {
      const rest = path.slice(i);
      if (rest.startsWith("[*]")) {
        segments.push({ kind: "wildcard" });
        i += 3;
        continue;
      }
      const index = /^\[(\d+)\]/.exec(rest);
      if (index) {
        segments.push({ kind: "index", index: Number(index[1]) });
        i += index[0].length;
        continue;
      }
      const quoted = /^\[(['"])((?:\\.|(?!\1).)*)\1\]/.exec(rest);
      if (quoted) {
        segments.push({ kind: "name", name: quoted[2]!.replace(/\\(.)/g, "$1") });
        i += quoted[0].length;
        continue;
      }
      if (rest.startsWith("[?")) return fail("filter expressions ([?...]) are not supported; name the path");
      return fail(`unsupported selector at character ${i + 1}: names, [n], [*] and ['name'] are supported`);
    }
    return fail(`unexpected ${JSON.stringify(path[i])} at character ${i + 1}`);
  }
  return segments;
}

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
