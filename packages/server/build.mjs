// Compiles the server for production: dist/server/index.js, which `node packages/server/dist/server/index.js` runs (see the README).
import { fileURLToPath } from 'node:url';
import { bundleServer } from '../../scripts/bundle-server.mjs';

await bundleServer({ packageDir: fileURLToPath(new URL('.', import.meta.url)), entryPoints: ['../../server/index.ts'] });
