/**
 * The do-not-edit banner a generated file starts with, as one line of text:
 * its leading `//` comment lines (or the README's `<!-- … -->`) joined, so
 * tests read what it says however the formatter wraps it.
 */
export function bannerText(content: string): string {
  if (content.startsWith("<!--")) return content.slice(4, content.indexOf("-->")).replace(/\s+/g, " ").trim();
  const lines: string[] = [];
  for (const line of content.split("\n")) {
    if (!line.startsWith("//")) break;
    lines.push(line.replace(/^\/\/ ?/, ""));
  }
  return lines.join(" ").replace(/\s+/g, " ").trim();
}
