import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureSizes } from '../bench/size.ts';
import { startPrism, type RunningPrism } from './support/prism.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

/** A consumer's program: only the published entries, type-checked strictly, run against the mock. */
const program = `
import { createPizzaPlaceClient, getMenuItem, isProblem, listMenuItems, placeOrder, type MenuItem } from '@pizza-place/api';
import { validators } from '@pizza-place/api/validation';

const client = createPizzaPlaceClient({ baseUrl: process.argv[2]!, token: async () => 'token', validation: validators });
const menu = await listMenuItems({ client });
if (menu.error) throw menu.error;
const names: string[] = menu.data.data.map((item: MenuItem) => item.name);
const missing = await getMenuItem({ client, path: { itemId: 'itm_margherita01' }, headers: { Prefer: 'code=404' } as never });
const placed = await placeOrder({
  client,
  body: { lines: [{ itemId: 'itm_margherita01', size: 'medium', quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' } },
  throwOnError: true,
});
console.log(JSON.stringify({ names, notFound: isProblem(missing.error, 404), total: placed.data.total.currency }));
`;

describe('the packed SDK', () => {
  let project: string;
  let prism: RunningPrism;

  beforeAll(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'pizza-place-consumer-'));
    const { stdout } = await run('npm', ['pack', '--pack-destination', project, '--json'], { cwd: root });
    const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }];
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run('npm', ['install', path.join(project, filename), '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project });
    await writeFile(path.join(project, 'main.ts'), program);
    await writeFile(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, lib: ['ES2023', 'DOM'], types: [], skipLibCheck: false, outDir: 'out' },
        files: ['main.ts', 'node.d.ts'],
      }),
    );
    // The consumer needs nothing but process.argv and console from Node; no @types/node install.
    await writeFile(path.join(project, 'node.d.ts'), 'declare const process: { argv: string[] };\n');
    prism = await startPrism();
  }, 240_000);
  afterAll(async () => {
    await prism?.stop();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('installs with zod as its only dependency', async () => {
    const installed = (await readdir(path.join(project, 'node_modules'))).filter((name) => !name.startsWith('.'));
    expect(installed.sort()).toEqual(['@pizza-place', 'zod']);
  });

  it('type-checks a consumer program against its .d.ts files (skipLibCheck off) and runs it against the mock', async () => {
    await run(process.execPath, [tsc, '-p', project], { cwd: project });
    const { stdout } = await run(process.execPath, [path.join(project, 'out/main.js'), prism.url], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({ names: expect.arrayContaining(['Margherita']), notFound: true, total: 'USD' });
  });

  it('bundles no zod without validation, and zod/mini only with it', async () => {
    const sizes = await measureSizes();
    expect(sizes.find((size) => size.variant === 'sdk')?.packages).toEqual([]);
    expect(sizes.find((size) => size.variant === 'sdk + validation')?.packages).toEqual(['zod']);
  });
});
