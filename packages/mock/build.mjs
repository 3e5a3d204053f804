// Builds the published package: the server bundled with the stateful entry (its packages stay dependencies),
// the entry's declarations, the contract the server serves at /openapi.json, where the bundle reads it, and the
// Scalar bundle it serves at /docs, beside the server's (no Scalar package to install).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';

rmSync('dist', { recursive: true, force: true });
rmSync('openapi', { recursive: true, force: true });
mkdirSync('openapi');
copyFileSync('../../openapi/pizza-place.yaml', 'openapi/pizza-place.yaml');
await build({
  entryPoints: ['src/stateful.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: 'dist/server/stateful.js',
});
copyFileSync(fileURLToPath(new URL('./browser/standalone.js', import.meta.resolve('@scalar/api-reference'))), 'dist/server/scalar-standalone.js');
const source = readFileSync('src/stateful.ts', 'utf8');
const { outputText, diagnostics } = ts.transpileDeclaration(source, { fileName: 'stateful.ts', compilerOptions: { module: ts.ModuleKind.NodeNext } });
if (diagnostics?.length) throw new Error(ts.formatDiagnostics(diagnostics, ts.createCompilerHost({})));
writeFileSync('dist/server/stateful.d.ts', outputText);
