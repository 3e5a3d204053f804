// Compiles the server for a package that runs it (packages/server, packages/mock): its entries bundled by esbuild into
// `dist/server/` (the server's packages stay imports, installed as the package's dependencies), the contract the
// server reads at start copied to `openapi/`, where the bundle looks for it, and the Scalar bundle that /docs serves
// copied beside the server, so that running it needs no Scalar package.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * @param {{ packageDir: string, entryPoints: string[] }} options the package's directory, and its entries relative to it
 * @returns {Promise<string[]>} the packages the bundle imports
 * @throws when the package does not depend on one of them: installed alone, it could not run
 */
export async function bundleServer({ packageDir, entryPoints }) {
  const dist = join(packageDir, 'dist');
  const openapi = join(packageDir, 'openapi');
  rmSync(dist, { recursive: true, force: true });
  rmSync(openapi, { recursive: true, force: true });
  mkdirSync(openapi);
  copyFileSync(fileURLToPath(new URL('../openapi/pizza-place.yaml', import.meta.url)), join(openapi, 'pizza-place.yaml'));
  const { metafile } = await build({
    absWorkingDir: packageDir,
    entryPoints,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: join(dist, 'server'),
    metafile: true,
    logLevel: 'warning',
  });
  copyFileSync(fileURLToPath(new URL('./browser/standalone.js', import.meta.resolve('@scalar/api-reference'))), join(dist, 'server', 'scalar-standalone.js'));
  const imported = new Set();
  for (const input of Object.values(metafile.inputs)) {
    for (const { path, external } of input.imports) {
      if (external && !path.startsWith('node:')) imported.add(path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/'));
    }
  }
  const { dependencies = {} } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const missing = [...imported].filter((name) => !(name in dependencies));
  if (missing.length > 0) throw new Error(`${join(packageDir, 'package.json')} must depend on ${missing.join(', ')}: its server bundle imports them`);
  return [...imported].sort();
}
