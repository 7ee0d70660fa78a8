/**
 * Wire types from openapi-typescript, for the token operation's slice of the
 * spec. Importing openapi-typescript costs ~1 s (it brings its own TypeScript
 * and Redocly), so it is imported only when a provider is actually generated,
 * and the generate command runs this in a worker beside the ts-morph work.
 */
export async function wireTypes(sliced: Readonly<Record<string, unknown>>): Promise<string> {
  const { default: openapiTS, astToString } = await import("openapi-typescript");
  // openapi-typescript mutates what it is given; the model's copy stays as it is.
  const nodes = await openapiTS(structuredClone(sliced) as never, { silent: true, alphabetize: false });
  return astToString(nodes);
}
