import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The renderer alone, built with plain vite for `weft serve` and the browser tests (no Electron needed). */
export default defineConfig({
  root: resolve(here, 'src-renderer'),
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  mode: 'production',
  build: {
    outDir: resolve(here, 'out/renderer-web'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
});
