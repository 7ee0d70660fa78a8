// The part of swagger2openapi@7 (CommonJS, untyped) that generator/load/swagger2.ts uses.
declare module "swagger2openapi" {
  interface ConvertOptions {
    /** Fix small errors in place (counted in `patches`). */
    patch?: boolean;
    /** Add an `x-s2o-warning` member instead of rejecting on non-patchable problems. */
    warnOnly?: boolean;
    /** Resolve external references (fetches files and URLs). */
    resolve?: boolean;
    /** Resolve internal references too (inlines shared request bodies). */
    resolveInternal?: boolean;
    /** Resolve with the converted document instead of the options object. */
    direct?: boolean;
    /** Clone YAML anchors instead of rejecting them. */
    anchors?: boolean;
    /** Add an `x-origin` member naming the source and converter. */
    origin?: boolean;
    /** The source text; when absent the converter serialises the document to YAML to fill it. */
    text?: string;
    /** Used only to fetch external references. */
    fetch?: (...args: unknown[]) => Promise<never>;
    /** Set by the converter: how many small errors it fixed. */
    patches?: number;
  }
  interface Swagger2OpenApi {
    convertObj(swagger: object, options: ConvertOptions): Promise<Record<string, unknown>>;
    targetVersion: string;
  }
  const converter: Swagger2OpenApi;
  export default converter;
}
