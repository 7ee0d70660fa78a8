import Handlebars from "handlebars";
import { docText } from "./doc-text.js";
import { readTemplate } from "./templates.js";

export const REGENERATE_COMMAND = "npm run generate";

let compiled: Handlebars.TemplateDelegate | undefined;

/** The do-not-edit banner every generated file starts with, as `//` comment lines. */
export function bannerComment(source: string, sha256: string | undefined): string {
  compiled ??= Handlebars.compile(readTemplate("banner.hbs"), { noEscape: true, strict: true });
  const text = compiled({ source, sha256: sha256 ?? "", command: REGENERATE_COMMAND });
  return docText(text)
    .split("\n")
    .map((line) => (line === "" ? "//" : `// ${line}`))
    .join("\n");
}
