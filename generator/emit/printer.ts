import { IndentationText, NewLineKind, Project, QuoteKind, type OptionalKind, type SourceFileStructure } from "ts-morph";

/**
 * The one place generated TypeScript is printed. Emitters build ts-morph
 * structures; this turns each into text exactly once with fixed settings, so
 * output is byte-identical across runs and machines, and separates top-level
 * statements with a blank line. (The TypeScript formatter would cost ~0.4 s of
 * language-service start-up per run, so the emitters indent correctly instead.)
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

  print(structure: OptionalKind<SourceFileStructure>, banner: string): string {
    const file = this.project.createSourceFile(`/f${this.counter++}.ts`, structure);
    const text = spaceTopLevel(file.getFullText().replace(/[ \t]+$/gm, ""));
    this.project.removeSourceFile(file);
    return `${banner}\n\n${text.trimEnd()}\n`;
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
