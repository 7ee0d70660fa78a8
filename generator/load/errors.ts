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

/**
 * Every refusal the generator can report, each with a stable code: tools and
 * tests tell refusals apart by code (`explain --json` prints it), never by
 * message text, which may be reworded. A code, once published, keeps its
 * meaning; a new kind of refusal gets a new code.
 */
export const SPEC_ERRORS = {
  // Reading and parsing
  read: "a spec, overlay or config file cannot be read",
  syntax: "the file is not valid JSON or YAML",
  not_openapi: "the document is not an OpenAPI (or Swagger 2.0) document",
  unsupported_version: "the OpenAPI or Swagger version is not one tokenwright reads (Swagger 2.0, OpenAPI 3.0.x, 3.1.x, 3.2.x)",
  version_not_string: 'the "swagger" field is the number 2.0, not the string "2.0" (unquoted in YAML)',
  too_deeply_nested: "the document is nested too deeply to check, convert or read",
  proto_member: 'a Swagger 2.0 document has a member named "__proto__", which cannot be converted safely',
  invalid: "the document breaks its OpenAPI or Swagger meta-schema",
  conversion_failed: "a Swagger 2.0 document cannot be converted to OpenAPI 3.0",
  // References
  unresolved_ref: "a local $ref points at nothing",
  external_ref: "a $ref to another document is refused or cannot be followed",
  ref_cycle: "a chain of $refs to $refs never reaches a schema",
  // Files beside the spec
  overlay: "the OpenAPI Overlay beside the spec is malformed or cannot be applied",
  config: "the provider config (or project config) says something wrong or impossible",
  /** The message names the spec's file and pointer beside the config's. */
  config_contradicts_spec: "the provider config states something the spec contradicts (an expiry read from an issue time, a unit the schema's type rules out, a member the schema cannot have: a token path, an error field, an expiry; an authorization parameter renamed or fixed against what the spec documents)",
  /** tokenwright.config.json names a spec file that is not there, or its globs match none. */
  spec_not_found: "the project config names a spec file that is not there, or its globs match none",
  // The token operation
  no_token_operation: "no operation issues tokens, and no security scheme names a token endpoint",
  ambiguous_token_operation: "more than one operation (or OAuth2 flow) issues tokens, at different endpoints",
  unsupported_media_type: "the token request body is neither form-encoded nor JSON",
  invalid_percent_escape: 'the token path has a "%" that does not start a percent-escape',
  percent_in_name: 'a path, operationId or media type key of the token operation contains "%"',
  no_grant_type: "the token request carries no grant_type and the provider config names no grant",
  insecure_url: "a token or discovery URL is neither https nor loopback http",
  url_credentials: "a server, token or discovery URL carries user:password@",
  url_fragment: "a server or discovery URL carries a #fragment, which is never sent",
  synthesis_name_taken: "the spec already uses a component name tokenwright needs to synthesise the token operation",
  // The token response
  no_json_success: "no 2xx response of the token operation has a JSON schema",
  no_access_token: "the success response has no access_token (in any spelling) and the provider config names none",
  self_referencing_schema: "a schema the token operation uses is made only of itself (through $ref/oneOf/anyOf/allOf)",
  // Emitting
  wire_types_failed: "openapi-typescript cannot type the token operation",
} as const;

export type SpecErrorCode = keyof typeof SPEC_ERRORS;

/** The codes, in the order above. */
export const SPEC_ERROR_CODES = Object.keys(SPEC_ERRORS) as readonly SpecErrorCode[];
