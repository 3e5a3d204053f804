import path from 'node:path';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const fixture = path.join(root, 'test/types/handlers.test-d.ts');
const expectErrorMarker = /^[ \t]*\/\/ @ts-expect-error.*$/gm;

/** Type-checks the fixture with the project's compiler options, optionally with its source replaced. */
function diagnosticsOf(source?: string): Array<{ line: number; message: string }> {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  })!;
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (source !== undefined && path.resolve(file) === fixture ? source : readFile(file));
  const program = ts.createProgram([fixture], config.options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file && path.resolve(diagnostic.file.fileName) === fixture)
    .map((diagnostic) => ({
      line: diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start!).line + 1,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    }));
}

describe('generated Handlers type', () => {
  const source = ts.sys.readFile(fixture)!;

  it('accepts handlers that answer with declared statuses and bodies, and refuses the marked ones', () => {
    expect(diagnosticsOf()).toEqual([]);
  });

  it('reports an error at every marked handler once its @ts-expect-error is removed', () => {
    const lines = source.split('\n');
    const markedLines = lines.flatMap((line, index) => (/^\s*\/\/ @ts-expect-error/.test(line) ? [index + 2] : []));
    expect(markedLines.length).toBeGreaterThanOrEqual(5);

    const unmarked = source.replace(expectErrorMarker, '');
    const errorLines = new Set(diagnosticsOf(unmarked).map(({ line }) => line));
    expect([...markedLines].filter((line) => !errorLines.has(line))).toEqual([]);
  });
});
