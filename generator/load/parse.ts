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
    const offset = /position (\d+)/.exec(message)?.[1];
    const position = offset === undefined ? { line: 1, column: 1 } : lineAndColumn(text, Number(offset));
    throw new SpecError("syntax", file, "", `invalid JSON: ${message}`, position);
  }
}

function parseYaml(file: string, text: string): unknown {
  const document = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false, version: "1.2" });
  const [firstError] = document.errors;
  if (firstError) {
    const at = firstError.linePos?.[0];
    const detail = `invalid YAML: ${firstError.message.split("\n")[0] ?? firstError.code}`;
    throw new SpecError("syntax", file, "", detail, at ? { line: at.line, column: at.col } : { line: 1, column: 1 });
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
