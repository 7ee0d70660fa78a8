import type { OptionalKind, SourceFileStructure } from "ts-morph";
import { IndentationText, NewLineKind, Project, QuoteKind } from "./ts-morph.js";
import { formatTypeScript } from "./format.js";

/**
 * The one place generated TypeScript is printed. Emitters build ts-morph
 * structures; this turns each into text exactly once with fixed settings,
 * separates top-level statements with a blank line, and passes the file
 * through the formatter (format.ts), so output is byte-identical across runs
 * and machines.
 */
export class Printer {
  private readonly project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      newLineKind: NewLineKind.LineFeed,
      quoteKind: QuoteKind.Double,
      useTrailingCommas: true,
    },
  });
  private counter = 0;

  /** `path` names the output file (for the formatter's messages). */
  print(structure: OptionalKind<SourceFileStructure>, banner: string, path = "generated.ts"): string {
    const file = this.project.createSourceFile(`/f${this.counter++}.ts`, structure);
    const text = spaceTopLevel(file.getFullText().replace(/[ \t]+$/gm, ""));
    this.project.removeSourceFile(file);
    return formatTypeScript(path, `${text.trimEnd()}\n`, banner);
  }
}

const MODULE_LINK = /^(import|export)\b.*\bfrom\s/;

/**
 * Puts a blank line before each top-level statement (with its JSDoc), except
 * within a run of imports or re-exports. Whitespace only: ts-morph prints
 * structures back to back.
 */
function spaceTopLevel(text: string): string {
  const out: string[] = [];
  let insideDoc = false;
  for (const line of text.split("\n")) {
    const topLevel = line !== "" && !/^[\s}\])|*]/.test(line);
    const previous = out[out.length - 1];
    const startsStatement = topLevel && !insideDoc && !(previous?.endsWith("*/") && !previous.startsWith("//"));
    if (startsStatement && previous !== undefined && previous !== "" && !(MODULE_LINK.test(previous) && MODULE_LINK.test(line))) out.push("");
    if (line.startsWith("/**")) insideDoc = !line.includes("*/");
    else if (insideDoc && line.includes("*/")) insideDoc = false;
    out.push(line);
  }
  return out.join("\n");
}
