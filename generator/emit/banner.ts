import Handlebars from "handlebars";
import { docText } from "./doc-text.js";
import { readTemplate } from "./templates.js";

let compiled: Handlebars.TemplateDelegate | undefined;

/** The do-not-edit banner every generated file starts with, as `//` comment lines. */
export function bannerComment(source: string, sha256: string | undefined, command: string): string {
  compiled ??= Handlebars.compile(readTemplate("banner.hbs"), { noEscape: true, strict: true });
  const text = compiled({ source, sha256: sha256 ?? "", command });
  return docText(text)
    .split("\n")
    .map((line) => (line === "" ? "//" : `// ${line}`))
    .join("\n");
}
