import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  // The protocol package (and its protobufjs) is a dependency, resolved by the consumer's bundler.
  external: ['@mmo/protocol'],
});
