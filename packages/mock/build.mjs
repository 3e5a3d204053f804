// Builds the published package: the server bundled with the stateful entry (its packages stay dependencies),
// the entry's declarations, and the contract the server serves at /openapi.json, where the bundle reads it.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const source = readFileSync('src/stateful.ts', 'utf8');
const { outputText, diagnostics } = ts.transpileDeclaration(source, { fileName: 'stateful.ts', compilerOptions: { module: ts.ModuleKind.NodeNext } });
if (diagnostics?.length) throw new Error(ts.formatDiagnostics(diagnostics, ts.createCompilerHost({})));
writeFileSync('dist/server/stateful.d.ts', outputText);
