import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

/** Calls a team would write against types from openapi-typescript, leaving out every optional field. */
const program = `
import type { components, paths } from './pizza-place';

type PlaceOrderBody = paths['/orders']['post']['requestBody']['content']['application/json'];
const order: PlaceOrderBody = { lines: [{ itemId: 'itm_margherita01', size: 'medium', quantity: 1 }], fulfilment: { type: 'pickup' } };
const line: components['schemas']['OrderLineInput'] = { itemId: 'itm_margherita01', size: 'large', quantity: 2 };
type ListOrdersQuery = NonNullable<paths['/orders']['get']['parameters']['query']>;
const query: ListOrdersQuery = {};
const patch: components['schemas']['MenuItemPatch'] = { name: 'Margherita' };
export { order, line, query, patch };
`;

describe('the contract through an independent generator (openapi-typescript)', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pizza-place-openapi-typescript-'));
    await run(process.execPath, [path.join(root, 'node_modules/openapi-typescript/bin/cli.js'), path.join(root, 'openapi/pizza-place.yaml'), '-o', path.join(folder, 'pizza-place.ts')], { cwd: root });
    await writeFile(path.join(folder, 'main.ts'), program);
  }, 60_000);
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('makes every optional request field optional: a minimal placeOrder body without toppings type-checks', async () => {
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', path.join(folder, 'main.ts')], { cwd: folder }).then(
      () => ({ code: 0, output: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
    );
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});
