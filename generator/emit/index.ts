import type { ProviderModel } from "../model/index.js";
import { bannerComment } from "./banner.js";
import { formatTypeScript } from "./format.js";
import { clientFile } from "./client-file.js";
import { indexFile } from "./index-file.js";
import { allGrants, providerNames } from "./names.js";
import { Printer } from "./printer.js";
import { readmeFile } from "./readme.js";
import { sessionFile } from "./session-file.js";
import { typesFile } from "./types-file.js";

export { runtimeFiles } from "./runtime-files.js";
export { wireTypes } from "./wire.js";

/** One output file, path relative to the output folder with forward slashes. */
export interface EmittedFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Every file of one provider's folder, given its wire types from
 * openapi-typescript and the command that regenerates it (for the banners).
 */
export function emitProvider(model: ProviderModel, wireTypesText: string, command: string, printer = new Printer()): EmittedFile[] {
  const banner = bannerComment(model.source.file, model.source.sha256, command);
  const folder = model.provider;
  return [
    { path: `${folder}/wire.ts`, content: formatTypeScript(`${folder}/wire.ts`, `${wireTypesText.trimEnd()}\n`, banner) },
    { path: `${folder}/types.ts`, content: printer.print(typesFile(model), banner, `${folder}/types.ts`) },
    { path: `${folder}/client.ts`, content: printer.print(clientFile(model), banner, `${folder}/client.ts`) },
    { path: `${folder}/session.ts`, content: printer.print(sessionFile(model), banner, `${folder}/session.ts`) },
    { path: `${folder}/index.ts`, content: printer.print(indexFile(model), banner, `${folder}/index.ts`) },
    { path: `${folder}/README.md`, content: readmeFile(model, command) },
  ];
}

/** The generated client's grant methods, of every token operation, as `generate` lists them. */
export function grantMethods(model: ProviderModel): string[] {
  const names = providerNames(model);
  return allGrants(model).map((grant) => names.method(grant));
}

export { Printer };
