import YAML from "yaml";
import { SpecError } from "./errors.js";

/** YAML aliases expand by reference; past this many, a document is refused (alias bombs). */
const MAX_YAML_ALIASES = 1000;

/**
 * Parses a spec's text as JSON (for `.json`) or YAML (anything else; YAML is a
 * superset of JSON). Syntax errors name the file, line and column.
 */
export function parseSpecText(file: string, text: string): unknown {
  if (file.toLowerCase().endsWith(".json")) return parseJson(file, text);
  return parseYaml(file, text);
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = lineAndColumn(text, jsonErrorOffset(text, message));
    throw new SpecError("syntax", file, "", `invalid JSON: ${message.split("\n")[0]}`, position);
  }
}

/**
 * Where JSON stops being valid. V8 names the position in some messages but
 * not in others ("Unexpected token 'x', ... is not valid JSON"); then the
 * longest prefix that is still the start of a valid document is found by
 * binary search, since a prefix of a viable prefix is viable too.
 */
function jsonErrorOffset(text: string, message: string): number {
  const stated = /at position (\d+)/.exec(message)?.[1];
  if (stated !== undefined) return Number(stated);
  const viable = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (error) {
      return /end of JSON input|Unterminated string/i.test((error as Error).message);
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (viable(middle)) low = middle;
    else high = middle - 1;
  }
  // The first character past the longest viable prefix is the offending one.
  return Math.min(low, Math.max(text.length - 1, 0));
}

function parseYaml(file: string, text: string): unknown {
  const document = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false, version: "1.2" });
  const [firstError] = document.errors;
  if (firstError) {
    const at = firstError.linePos?.[0];
    const detail = `invalid YAML: ${firstError.message.split("\n")[0] ?? firstError.code}`;
    throw new SpecError("syntax", file, "", detail, at ? { line: at.line, column: at.col } : lineAndColumn(text, firstError.pos[0]));
  }
  try {
    return document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SpecError("syntax", file, "", `invalid YAML: ${message}`);
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { line, column };
}
