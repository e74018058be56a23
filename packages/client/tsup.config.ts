import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // dist/browser/ belongs to the browser build below, which runs at the same time.
    clean: ['!browser/**'],
    target: 'es2022',
    platform: 'neutral',
    // The protocol package (and its protobufjs) is a dependency, resolved by the consumer's bundler.
    external: ['@mmo/protocol'],
  },
  {
    // One self-contained ESM file for pages without a bundler (and the same file in Node/Electron):
    // @mmo/protocol and protobufjs bundled in, minified, no Node imports. Measured by `pnpm run size`.
    entry: { 'mmo-client': 'src/browser.ts' },
    outDir: 'dist/browser',
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    minify: true,
    target: 'es2022',
    platform: 'browser',
    noExternal: [/.*/],
  },
]);
