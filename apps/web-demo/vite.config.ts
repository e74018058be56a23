import { defineConfig } from 'vite';

// `vite build` writes dist/, which @mmo/demo-server serves on `/`. `vite` (pnpm dev) serves the
// page with hot reload and forwards the game's routes to a demo server on 127.0.0.1:8080.
const DEMO_SERVER = 'http://127.0.0.1:8080';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The whole client with protobufjs is ~170 KiB minified; one chunk is fine for a demo.
    chunkSizeWarningLimit: 400,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/dev': DEMO_SERVER,
      '/demo': DEMO_SERVER,
      '/ws': { target: DEMO_SERVER.replace('http', 'ws'), ws: true },
    },
  },
});
