// ts-morph's values, required rather than imported. ts-morph is CommonJS: imported from an ES module, Node
// first scans its source for named exports (cjs-module-lexer), about 70 ms of every generate run; required,
// it is not scanned. Emitters import ts-morph's values from here and its types from "ts-morph" itself.
import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";

const tsMorph = createRequire(import.meta.url)("ts-morph") as typeof TsMorph;

export const { IndentationText, NewLineKind, Project, QuoteKind, StructureKind, VariableDeclarationKind, ts } = tsMorph;
