import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The storefront imports the SDK by its package name, as an app would; the alias points that name at the
 * SDK's source so the page always runs the SDK of this checkout, no build step in between.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: { '@pizza-place/api': fileURLToPath(new URL('../../sdk/index.ts', import.meta.url)) },
  },
  // localhost:5173 is the origin the real server allows by default (CORS_ORIGINS).
  server: { host: 'localhost', port: 5173, strictPort: true },
  build: { target: 'es2022' },
});
