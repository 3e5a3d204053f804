import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const entry = (file: string) => fileURLToPath(new URL(`../../sdk/${file}`, import.meta.url));

/**
 * The page imports the SDK by its package's public entries, as an app would; the aliases point them at the
 * SDK's sources so the page always runs the SDK of this checkout. Vite compiles the TSX itself (React's
 * automatic JSX runtime, from tsconfig.json); no plugin needed.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: [
      { find: /^@pizza-place\/api\/query$/, replacement: entry('query.ts') },
      { find: /^@pizza-place\/api$/, replacement: entry('index.ts') },
    ],
  },
  // localhost:5173 is the origin the real server allows by default (CORS_ORIGINS).
  server: { host: 'localhost', port: 5173, strictPort: true },
  build: {
    target: 'es2022',
    // TanStack Query marks its React modules "use client" for React Server Components; a plain SPA has nothing to preserve.
    rollupOptions: { onwarn: (warning, warn) => warning.code !== 'MODULE_LEVEL_DIRECTIVE' && warn(warning) },
  },
});
