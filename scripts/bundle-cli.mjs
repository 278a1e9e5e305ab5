#!/usr/bin/env node
// Part of `npm run build`, after tsc: bundles the CLI (dist/cli.js and everything it imports, our modules
// and the pure-JavaScript packages) into dist/bundle/ with esbuild, split at every dynamic import so each
// command still loads only what it runs. Why: Node resolves, reads and compiles every ES module and
// package file separately; on a no-op build of the reference tree that was ~0.2 s of 0.75 s (measured:
// 0.76 s unbundled vs 0.54 s bundled, same machine, docs/benchmarks.md has the figures of record).
// Kept outside the bundle: dockerode (required through createRequire, and only for pushes, pulls and
// ssh:// engines) and the AWS SDK (loaded only by the AMI target); Node resolves them from node_modules.
// dist/bundle/meta.json (esbuild's metafile) says which package went into which chunk
// (tests/lazy-imports.test.ts reads it).
import { build } from 'esbuild';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(repo, 'dist', 'bundle');
const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
rmSync(out, { recursive: true, force: true });
const result = await build({
  entryPoints: { cli: join(repo, 'dist', 'cli.js') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: out,
  chunkNames: '[name]-[hash]',
  external: ['dockerode', '@aws-sdk/*', './schema-validator.cjs'],
  // The packages written in CommonJS (commander, yaml) call require() for Node's modules; in an ES module
  // bundle that require must exist.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // src/version.ts reads package.json next to dist/ when run unbundled; the bundle carries the version.
  define: { __BUILD_IMAGES_VERSION__: JSON.stringify(version) },
  metafile: true,
  logLevel: 'warning',
});
// src/config/schema.ts requires the validator compiled at build time from beside itself.
copyFileSync(join(repo, 'dist', 'config', 'schema-validator.cjs'), join(out, 'schema-validator.cjs'));
writeFileSync(join(out, 'meta.json'), JSON.stringify(result.metafile));
