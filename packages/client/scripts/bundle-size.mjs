#!/usr/bin/env node
// Prints the size of the browser bundle (dist/browser/mmo-client.js, built by `tsup`): minified
// bytes as shipped, gzip -9 and brotli. The figure in README.md comes from here:
//   pnpm --filter @mmo/client run size
// It fails when the file still imports anything, i.e. when the runtime (@mmo/protocol,
// protobufjs) is not all inside and the figure would leave part of it out.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const BUNDLE = fileURLToPath(new URL('../dist/browser/mmo-client.js', import.meta.url));
const GZIP_LEVEL = 9; // as `gzip -9`; servers usually compress at 6, a few hundred bytes larger
const BROTLI_QUALITY = 11; // what static-asset pipelines precompress with

let code;
try {
  code = await readFile(BUNDLE);
} catch {
  console.error(`${BUNDLE} is missing: run \`pnpm --filter @mmo/client build\` first`);
  process.exit(1);
}

// Static `import ... from '...'`, `import '...'`, `export ... from '...'`, dynamic `import('...')`
// and `require('...')`: in a minified esbuild file none of these appear once everything is bundled.
const text = code.toString('utf8');
const leftovers = [
  ...text.matchAll(/(?:^|[;}\s])(?:import|export)\s*[\w$*{},\s]*?from\s*["']([^"']+)["']/g),
  ...text.matchAll(/(?:^|[;}\s])import\s*["']([^"']+)["']/g),
  ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  ...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g),
].map((m) => m[1]);
if (leftovers.length > 0) {
  console.error(`${BUNDLE} still imports ${[...new Set(leftovers)].join(', ')}: the runtime is not all bundled`);
  process.exit(1);
}

const gzip = gzipSync(code, { level: GZIP_LEVEL }).length;
const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log('@mmo/client browser bundle (dist/browser/mmo-client.js, ESM, @mmo/protocol + protobufjs included)');
console.log(`  minified: ${kb(code.length)} (${code.length} B)`);
console.log(`  gzip -${GZIP_LEVEL}:  ${kb(gzip)} (${gzip} B)`);
console.log(`  brotli ${BROTLI_QUALITY}: ${kb(brotli)} (${brotli} B)`);
