import type { JSDocStructure, OptionalKind, PropertySignatureStructure, StatementStructures, WriterFunction } from "ts-morph";
import { StructureKind, VariableDeclarationKind } from "./ts-morph.js";
import type { FieldModel } from "../model/index.js";
import { docText, docValue } from "./doc-text.js";
import { LOCAL_TYPES } from "./names.js";

/** Small builders shared by the file emitters. Spec text reaches code only through these. */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property key: bare when it is an identifier, else a JSON string literal. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/**
 * A key for an object literal (a value, not a type): as {@link propertyKey},
 * but `__proto__` is computed, since a literal `__proto__:` sets the
 * prototype instead of adding a member.
 */
export function objectLiteralKey(name: string): string {
  return name === "__proto__" ? `[${JSON.stringify(name)}]` : propertyKey(name);
}

/** `Base["name"]`: an indexed access type with a safely quoted key. */
export function indexed(base: string, ...keys: (string | number)[]): string {
  return base + keys.map((key) => `[${typeof key === "number" ? key : JSON.stringify(key)}]`).join("");
}

/** A string-literal union type: `"a" | "b"` (or `never`). */
export function literalUnion(values: readonly string[]): string {
  return values.length === 0 ? "never" : values.map((value) => JSON.stringify(value)).join(" | ");
}

/** JSDoc from optional spec text plus tags; undefined when there is nothing to say. */
export function jsDoc(description: string | undefined, tags: readonly { tagName: string; text?: string }[] = []): OptionalKind<JSDocStructure>[] {
  const cleaned = description === undefined ? undefined : docText(description);
  const cleanTags = tags.map((tag) => ({ tagName: tag.tagName, ...(tag.text !== undefined ? { text: docText(tag.text) } : {}) }));
  if ((cleaned === undefined || cleaned === "") && cleanTags.length === 0) return [];
  return [{ ...(cleaned ? { description: cleaned } : {}), tags: cleanTags }];
}

/** A params property: typed by indexing the wire body, so the spec's own types flow through. */
export function fieldSignature(field: FieldModel, wireBody: string, typeOverride?: string): OptionalKind<PropertySignatureStructure> {
  const wireType = typeOverride ?? indexed(wireBody, field.name);
  const tags: { tagName: string; text?: string }[] = [];
  if (field.documentedDefault !== undefined) tags.push({ tagName: "default", text: `${docValue(field.documentedDefault)} (applied by the server; never sent for you)` });
  if (field.deprecated) tags.push({ tagName: "deprecated" });
  return {
    name: propertyKey(field.name),
    hasQuestionToken: !field.required,
    // Required here may be optional on the wire (a flat multi-grant schema), so undefined is removed.
    type: field.required ? `${LOCAL_TYPES.defined}<${wireType}>` : wireType,
    docs: jsDoc(field.description, tags),
  };
}

/** `field?: never` entries that make alternative credential sets mutually exclusive. */
export function excludedSignature(name: string): OptionalKind<PropertySignatureStructure> {
  return { name: propertyKey(name), hasQuestionToken: true, type: "never" };
}

/** Writes a type literal from property structures (ts-morph prints the docs). */
export function objectType(properties: readonly OptionalKind<PropertySignatureStructure>[]): WriterFunction {
  return (writer) => {
    if (properties.length === 0) {
      writer.write("Record<string, never>");
      return;
    }
    writer.write("{").newLine();
    writer.indent(() => {
      for (const property of properties) {
        for (const doc of property.docs ?? []) {
          if (typeof doc === "string") continue;
          writeDoc(writer, doc);
        }
        writer.write(`${property.name}${property.hasQuestionToken ? "?" : ""}: ${String(property.type)};`).newLine();
      }
    });
    writer.write("}");
  };
}

export function writeDoc(writer: Parameters<WriterFunction>[0], doc: OptionalKind<JSDocStructure>): void {
  const lines: string[] = [];
  if (typeof doc.description === "string" && doc.description !== "") lines.push(...doc.description.split("\n"));
  for (const tag of doc.tags ?? []) lines.push(`@${tag.tagName}${tag.text ? ` ${String(tag.text)}` : ""}`);
  if (lines.length === 1) {
    writer.write(`/** ${lines[0]} */`).newLine();
    return;
  }
  writer.write("/**").newLine();
  for (const line of lines) writer.write(line === "" ? " *" : ` * ${line}`).newLine();
  writer.write(" */").newLine();
}

/**
 * A TypeScript literal for plain data: identifier keys bare, every string
 * through JSON.stringify, short arrays of scalars on one line. Keys that are
 * not identifiers are quoted, and `__proto__` is written as a computed key so
 * it stays an own property instead of setting the prototype.
 */
export function literal(value: unknown, indent = ""): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "undefined";
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((item) => item === null || typeof item !== "object")) return `[${value.map((item) => literal(item)).join(", ")}]`;
    return `[\n${value.map((item) => `${inner}${literal(item, inner)},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([name, v]) => `${inner}${objectLiteralKey(name)}: ${literal(v, inner)},`).join("\n")}\n${indent}}`;
}

/** A union written one member per line, each led by `|`, indented under the declaration. */
export function unionType(members: readonly (string | WriterFunction)[]): WriterFunction {
  return (writer) => {
    const write = (member: string | WriterFunction) => (typeof member === "string" ? writer.write(member) : member(writer));
    if (members.length === 0) writer.write("never");
    else if (members.length === 1) write(members[0]!);
    else {
      writer.withIndentationLevel(writer.getIndentationLevel() + 1, () => {
        for (const member of members) {
          writer.newLine().write("| ");
          write(member);
        }
      });
    }
  };
}

/** A `const` with a type, a literal value and its doc comment (exported when asked). */
export function constant(name: string, type: string, value: unknown, doc: string, exported = false): StatementStructures {
  return {
    kind: StructureKind.VariableStatement,
    isExported: exported,
    declarationKind: VariableDeclarationKind.Const,
    docs: jsDoc(doc),
    declarations: [{ name, type, initializer: literal(value) }],
  };
}
