import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

import { repositoryRoot } from './fixtures/codegen/generate.ts';

/** What esbuild keeps of `imports` (a module's import clause and path), not minified, zod left out. */
async function bundled(imports: string): Promise<string> {
  const result = await build({
    stdin: { contents: `import ${imports};\nconsole.log(${imports.match(/\{(.*)\}/)![1]});`, resolveDir: repositoryRoot, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    external: ['zod', 'zod/*'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

const declared = (name: string) => new RegExp(`\\bvar ${name}\\d*\\b`);

describe('generated zod schemas in a bundle', () => {
  it('keep only the zod/mini schemas of the validators an app imports', async () => {
    const code = await bundled(`{ getOrderValidators } from './generated/sdk-validation/validators.gen.ts'`);
    expect(code).toMatch(declared('zOrder'));
    expect(code).toMatch(declared('zMoney'));
    expect(code).not.toMatch(declared('zMenuItemInput'));
    expect(code).not.toMatch(declared('zStockAdjustmentPage'));
    expect(code).not.toMatch(declared('zPlaceOrderBody'));
  });

  it('keep only the full zod schemas an app imports from the SDK’s schemas entry', async () => {
    const code = await bundled(`{ zMoney } from './sdk/schemas.ts'`);
    expect(code).toMatch(declared('zMoney'));
    expect(code).not.toMatch(declared('zOrder'));
    expect(code).not.toMatch(declared('zMenuItem'));
  });
});
