/** Input naming, kept free of heavy imports: the up-to-date check loads only this and the manifest. */
export { providerIdFor as providerIdOf } from "./model/names.js";

/** A provider config sits beside its spec: `specs/zype.json` + `specs/zype.tokenwright.json`. */
export const CONFIG_SUFFIX_NAME = ".tokenwright.json";

/** An OpenAPI Overlay sits beside its spec too: `specs/zype.overlay.yaml` (or `.yml`, `.json`). */
export const OVERLAY_SUFFIXES = [".overlay.yaml", ".overlay.yml", ".overlay.json"] as const;
