/**
 * Build step (`npm run build`): writes each Swagger 2.0 / OpenAPI meta-schema validator as
 * Ajv standalone code, so `generate` loads a ready function instead of
 * compiling ~0.4 s of schema per version on every run.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { SPEC_VERSIONS, compileMetaSchema, compiledPath } from "./meta-schemas.js";

const require = createRequire(import.meta.url);
const standaloneCode = (require("ajv/dist/standalone") as { default: (ajv: unknown, validate: unknown) => string }).default;

for (const version of SPEC_VERSIONS) {
  const { ajv, validate } = compileMetaSchema(version, true);
  writeFileSync(fileURLToPath(compiledPath(version)), standaloneCode(ajv, validate));
}
