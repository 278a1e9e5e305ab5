import { readFileSync } from 'node:fs';

/** Set by the bundler (scripts/bundle-cli.mjs); absent when the modules run unbundled (tests, dist/). */
declare const __BUILD_IMAGES_VERSION__: string | undefined;

/** The tool's own version, from package.json (one source of truth). */
export const TOOL_VERSION: string =
  typeof __BUILD_IMAGES_VERSION__ === 'string'
    ? __BUILD_IMAGES_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
