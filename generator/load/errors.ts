/**
 * A problem with an input document, located by file and JSON pointer
 * (RFC 6901) so the user can go straight to it. Everything the generator
 * refuses is reported as one of these; anything else is a bug in tokenwright.
 */
export class SpecError extends Error {
  readonly code: SpecErrorCode;
  readonly file: string;
  /** JSON pointer into the document; "" is the whole document. */
  readonly pointer: string;
  /** 1-based line and column, for syntax errors where a pointer cannot exist yet. */
  readonly position: { readonly line: number; readonly column: number } | undefined;
  readonly detail: string;

  constructor(
    code: SpecErrorCode,
    file: string,
    pointer: string,
    detail: string,
    position?: { line: number; column: number },
  ) {
    const where = position ? `${file}:${position.line}:${position.column}` : `${file}#${pointer}`;
    super(`${where}: ${detail}`);
    this.name = "SpecError";
    this.code = code;
    this.file = file;
    this.pointer = pointer;
    this.position = position;
    this.detail = detail;
  }
}

export type SpecErrorCode =
  | "read"
  | "syntax"
  | "not_openapi"
  | "invalid"
  | "unresolved_ref"
  | "external_ref"
  | "no_token_operation"
  | "ambiguous_token_operation"
  | "unsupported"
  | "insecure_url"
  | "config"
  | "overlay";
