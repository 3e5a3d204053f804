// Builds the published package: the server bundled with the stateful entry (see scripts/bundle-server.mjs: its
// packages stay dependencies, the contract and the /docs bundle are copied beside it), and the entry's declarations.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { bundleServer } from '../../scripts/bundle-server.mjs';

const packageDir = fileURLToPath(new URL('.', import.meta.url));
await bundleServer({ packageDir, entryPoints: ['src/stateful.ts'] });
const source = readFileSync(new URL('src/stateful.ts', import.meta.url), 'utf8');
const { outputText, diagnostics } = ts.transpileDeclaration(source, { fileName: 'stateful.ts', compilerOptions: { module: ts.ModuleKind.NodeNext } });
if (diagnostics?.length) throw new Error(ts.formatDiagnostics(diagnostics, ts.createCompilerHost({})));
writeFileSync(new URL('dist/server/stateful.d.ts', import.meta.url), outputText);
