/**
 * Adds a script to a package.json by inserting text, so everything else in
 * the file (indentation, key order, line endings, how arrays are wrapped)
 * stays byte for byte as the user wrote it.
 */

interface Member {
  readonly key: string;
  /** Offset of the key's opening quote. */
  readonly keyStart: number;
  readonly value: Node;
}

type Node =
  | { readonly kind: "object"; readonly start: number; readonly end: number; readonly members: readonly Member[] }
  | { readonly kind: "other"; readonly start: number; readonly end: number; readonly value: unknown };

export type AddScriptResult =
  | { readonly status: "added"; readonly text: string }
  | { readonly status: "present" }
  | { readonly status: "conflict"; readonly existing: unknown };

/** `text` with `"scripts": { name: command }` added; "present" when it is already there, "conflict" when `name` runs something else. */
export function addScript(text: string, name: string, command: string): AddScriptResult {
  const root = parseWithOffsets(text);
  if (root.kind !== "object") throw new Error("package.json is not a JSON object");
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const unit = indentUnit(text, root);
  const entry = `${JSON.stringify(name)}: ${JSON.stringify(command)}`;
  const scripts = root.members.find((m) => m.key === "scripts");
  if (scripts !== undefined && scripts.value.kind === "object") {
    const existing = scripts.value.members.find((m) => m.key === name);
    if (existing !== undefined) {
      const value = existing.value.kind === "other" ? existing.value.value : undefined;
      return value === command ? { status: "present" } : { status: "conflict", existing: value };
    }
    return { status: "added", text: appendMember(text, scripts.value, entry, eol, unit, lineIndent(text, scripts.keyStart)) };
  }
  if (scripts !== undefined) throw new Error("package.json's \"scripts\" is not an object");
  const multiline = root.members.length > 0 && /[\r\n]/.test(text.slice(root.start, root.members[0]!.keyStart));
  const inner = multiline ? `{${eol}${unit}${unit}${entry}${eol}${unit}}` : `{ ${entry} }`;
  return { status: "added", text: appendMember(text, root, `"scripts": ${inner}`, eol, unit, "") };
}

/** Inserts `member` after an object's last member, matching how the existing members are laid out. */
function appendMember(text: string, object: Extract<Node, { kind: "object" }>, member: string, eol: string, unit: string, objectIndent: string): string {
  const close = object.end - 1; // the closing brace
  const last = object.members.at(-1);
  if (last === undefined) {
    // `{}` or `{\n}`: lay the one member out on its own line.
    return `${text.slice(0, object.start + 1)}${eol}${objectIndent}${unit}${member}${eol}${objectIndent}${text.slice(close)}`;
  }
  const multiline = /[\r\n]/.test(text.slice(object.start, last.keyStart));
  const separator = multiline ? `,${eol}${lineIndent(text, last.keyStart)}` : ", ";
  return `${text.slice(0, last.value.end)}${separator}${member}${text.slice(last.value.end)}`;
}

/** The whitespace that starts the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** One level of indentation, as the file's first member is indented (two spaces when it cannot tell). */
function indentUnit(text: string, root: Extract<Node, { kind: "object" }>): string {
  const first = root.members[0];
  if (first === undefined) return "  ";
  const indent = lineIndent(text, first.keyStart);
  return indent === "" || !/[\r\n]/.test(text.slice(root.start, first.keyStart)) ? "  " : indent;
}

/** A JSON parser that keeps offsets; throws a SyntaxError (from JSON.parse) on invalid JSON. */
export function parseWithOffsets(text: string): Node {
  JSON.parse(text); // the strict check, with JSON.parse's message
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const value = (): Node => {
    ws();
    const start = i;
    if (text[i] === "{") {
      i++;
      const members: Member[] = [];
      ws();
      if (text[i] === "}") {
        i++;
        return { kind: "object", start, end: i, members };
      }
      for (;;) {
        ws();
        const keyStart = i;
        const key = string();
        ws();
        i++; // ':'
        members.push({ key, keyStart, value: value() });
        ws();
        if (text[i++] === "}") return { kind: "object", start, end: i, members };
      }
    }
    if (text[i] === "[") {
      i++;
      ws();
      if (text[i] === "]") i++;
      else
        for (;;) {
          value();
          ws();
          if (text[i++] === "]") break;
        }
      return { kind: "other", start, end: i, value: JSON.parse(text.slice(start, i)) as unknown };
    }
    if (text[i] === '"') {
      const parsed = string();
      return { kind: "other", start, end: i, value: parsed };
    }
    while (i < text.length && /[^\s,}\]]/.test(text[i]!)) i++;
    return { kind: "other", start, end: i, value: JSON.parse(text.slice(start, i)) as unknown };
  };
  const string = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  return value();
}
