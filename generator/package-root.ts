/**
 * The package root as a URL ending in `/`. Sources live in `generator/` and
 * compiled code in `dist/generator/`; both find the root by name so the
 * templates and runtime sources are read from one place either way.
 */
export const packageRoot: URL = (() => {
  const here = new URL(".", import.meta.url).href;
  const marker = here.lastIndexOf("/dist/generator/") >= 0 ? "/dist/generator/" : "/generator/";
  return new URL(here.slice(0, here.lastIndexOf(marker) + 1));
})();
