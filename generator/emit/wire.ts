/**
 * Wire types from openapi-typescript for the token operation's slice of the
 * spec, imported only when a provider is actually generated.
 *
 * openapi-typescript's entry point first lints and bundles every document
 * with Redocly, which costs ~0.25 s to import plus ~30 ms a document. A slice
 * is already validated and self-contained (local refs only, checked by
 * `load`), so tokenwright calls the same transform `openapiTS()` calls, with
 * the same context defaults, through the package's exported subpaths. The
 * package version is pinned, and `test/generator/wire.test.ts` checks that
 * this prints exactly what the public `openapiTS()` prints for every slice.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

type Json = Readonly<Record<string, unknown>>;

interface TransformModules {
  transformSchema(schema: unknown, context: object): unknown;
  scanDiscriminators(schema: unknown, options: object): unknown;
  resolveRef(schema: unknown, ref: string, options: object): unknown;
  astToString(nodes: unknown): string;
}

let modules: Promise<TransformModules> | undefined;

function loadTransform(): Promise<TransformModules> {
  // File URLs from the package's own location: every resolver (Node, Vite) agrees on those.
  const packageJson = createRequire(import.meta.url).resolve("openapi-typescript/package.json");
  const file = (path: string) => pathToFileURL(packageJson.replace(/package\.json$/, path)).href;
  modules ??= Promise.all([
    import(file("dist/transform/index.mjs")) as Promise<{ default: TransformModules["transformSchema"] }>,
    import(file("dist/lib/utils.mjs")) as Promise<Pick<TransformModules, "scanDiscriminators" | "resolveRef">>,
    import(file("dist/lib/ts.mjs")) as Promise<Pick<TransformModules, "astToString">>,
  ]).then(([transform, utils, ts]) => ({
    transformSchema: transform.default,
    scanDiscriminators: utils.scanDiscriminators,
    resolveRef: utils.resolveRef,
    astToString: ts.astToString,
  }));
  return modules;
}

export async function wireTypes(sliced: Json): Promise<string> {
  const { transformSchema, scanDiscriminators, resolveRef, astToString } = await loadTransform();
  // The transform annotates what it is given; the model's copy stays as it is.
  const schema: Record<string, unknown> = structuredClone(sliced);
  // Redocly's bundling adds an empty components object; without it `components` would print differently.
  schema["components"] ??= {};
  const options = { silent: true };
  // openapiTS()'s defaults for every option tokenwright leaves unset (openapi-typescript 7.13).
  const context = {
    additionalProperties: false,
    alphabetize: false,
    arrayLength: false,
    defaultNonNullable: true,
    discriminators: scanDiscriminators(schema, options),
    emptyObjectsUnknown: false,
    enum: false,
    enumValues: false,
    conditionalEnums: false,
    dedupeEnums: false,
    excludeDeprecated: false,
    exportType: false,
    immutable: false,
    rootTypes: false,
    rootTypesNoSchemaPrefix: false,
    rootTypesKeepCasing: false,
    injectFooter: [],
    pathParamsAsTypes: false,
    postTransform: undefined,
    propertiesRequiredByDefault: false,
    silent: true,
    inject: undefined,
    transform: undefined,
    transformProperty: undefined,
    makePathsEnum: false,
    generatePathParams: false,
    readWriteMarkers: false,
    resolve: (ref: string) => resolveRef(schema, ref, options),
  };
  return astToString(transformSchema(schema, context));
}
