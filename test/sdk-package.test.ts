import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureSizes, verdicts } from '../bench/size.ts';
import { startPrism, type RunningPrism } from './support/prism.ts';

const execute = promisify(execFile);
/** Runs a command; when it fails, the error says what it printed. */
const run = (file: string, args: string[], options: { cwd: string }) =>
  execute(file, args, options).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  });
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

/** A React page on TanStack Query, with no glue of its own: the package's query helpers and typed problems. */
const page = `
import { QueryClient, QueryClientProvider, useMutation, useSuspenseQuery } from '@tanstack/react-query';
import { Suspense } from 'react';
import { createPizzaPlaceClient, isProblem, type OrderLineInput } from '@pizza-place/api';
import { listMenuItemsOptions, placeOrderMutation } from '@pizza-place/api/query';

export const client = createPizzaPlaceClient({ baseUrl: 'http://api.consumer.test', token: () => 'token' });

function Menu() {
  const { data: menu } = useSuspenseQuery(listMenuItemsOptions({ client, query: { category: undefined } }));
  const order = useMutation(placeOrderMutation({ client }));
  const line: OrderLineInput = { itemId: menu.data[0]!.id, size: 'medium', quantity: 1, toppings: [] };
  const shortages = isProblem(order.error, 409) ? order.error.problem.shortages.map((shortage) => shortage.ingredientId) : [];
  return (
    <ul>
      {menu.data.map((item) => <li key={item.id}>{item.name}</li>)}
      <button onClick={() => order.mutate({ body: { lines: [line], fulfilment: { type: 'pickup' } } })}>Order</button>
      {shortages.length ? <p>{shortages.join(', ')}</p> : null}
    </ul>
  );
}

export function Page({ queryClient }: { queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <Suspense fallback={<p>Loading</p>}>
        <Menu />
      </Suspense>
    </QueryClientProvider>
  );
}
`;

/** An MSW test of the consumer's own: the package's handlers, one overridden, the SDK's retry after a mocked 503, and the page rendered on them. */
const mswTest = `
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { QueryClient } from '@tanstack/react-query';
import { prerenderToNodeStream } from 'react-dom/static';
import { listMenuItems, placeOrder } from '@pizza-place/api';
import { handlers, orderFixture, placeOrderHandler } from '@pizza-place/api/msw';
import { client, Page } from './page.js';

const server = setupServer(...handlers);
server.listen({ onUnhandledRequest: 'error' });
let attempts = 0;
server.use(placeOrderHandler(() => (++attempts === 1 ? HttpResponse.json({ type: 'about:blank', title: 'Unavailable', status: 503 }, { status: 503 }) : HttpResponse.json(orderFixture({ status: 'confirmed' }), { status: 201 }))));
const placed = await placeOrder({ client, body: { lines: [{ itemId: 'itm_margherita01', size: 'medium', quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' } }, retryDelay: 1, throwOnError: true });
const menu = await listMenuItems({ client, throwOnError: true });
const { prelude } = await prerenderToNodeStream(<Page queryClient={new QueryClient()} />);
let html = '';
for await (const chunk of prelude) html += String(chunk);
server.close();
console.log(JSON.stringify({ attempts, status: placed.data.status, items: menu.data.data.length, rendered: html.includes(menu.data.data[0]!.name) }));
`;

/** A wrapper library of the consumer's, emitting declarations: every type it re-exposes must be nameable (no TS2742). */
const wrapper = `
import { getOrder, placeOrder, type PizzaPlaceClient } from '@pizza-place/api';
import { getOrderOptions } from '@pizza-place/api/query';

export const fetchOrder = (client: PizzaPlaceClient, orderId: string) => getOrder({ client, path: { orderId } });
export const order = (client: PizzaPlaceClient, orderId: string) => getOrderOptions({ client, path: { orderId } });
export const place = placeOrder;
`;

/** What the consumer takes from this repository's node_modules instead of the registry: the app's own framework, test and type packages. */
const appPackages = ['react', 'react-dom', 'scheduler', '@types/react', '@types/react-dom', '@types/node', 'undici-types', '@tanstack/query-core', '@tanstack/react-query', 'msw'];

describe('the packed SDK', () => {
  let project: string;
  let prism: RunningPrism;
  let installed: string[];

  beforeAll(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'pizza-place-consumer-'));
    const { stdout } = await run('npm', ['pack', '--pack-destination', project, '--json'], { cwd: root });
    const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }];
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run('npm', ['install', path.join(project, filename), '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project });
    installed = (await readdir(path.join(project, 'node_modules'))).filter((name) => !name.startsWith('.'));
    for (const name of appPackages) {
      await mkdir(path.dirname(path.join(project, 'node_modules', name)), { recursive: true });
      await symlink(path.join(root, 'node_modules', name), path.join(project, 'node_modules', name), 'dir');
    }
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
    expect(installed.sort()).toEqual(['@pizza-place', 'zod']);
  });

  it('type-checks a React + TanStack Query page, an MSW test and a wrapper library under strict and exactOptionalPropertyTypes, and runs them', async () => {
    const app = path.join(project, 'app');
    await mkdir(app, { recursive: true });
    await writeFile(path.join(app, 'page.tsx'), page);
    await writeFile(path.join(app, 'msw.test.tsx'), mswTest);
    await writeFile(path.join(app, 'wrapper.ts'), wrapper);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', jsx: 'react-jsx', strict: true, exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true, lib: ['ES2023', 'DOM', 'DOM.Iterable'], types: ['node'], declaration: true, skipLibCheck: true, outDir: 'out',
        },
        files: ['page.tsx', 'msw.test.tsx', 'wrapper.ts'],
      }),
    );
    await run(process.execPath, [tsc, '-p', app], { cwd: app });
    expect(await readFile(path.join(app, 'out/wrapper.d.ts'), 'utf8')).toContain('@pizza-place/api');
    const { stdout } = await run(process.execPath, [path.join(app, 'out/msw.test.js')], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ attempts: 2, status: 'confirmed', items: expect.any(Number), rendered: true });
  });

  it('loads no zod types through its main entry', async () => {
    await writeFile(path.join(project, 'main-only.ts'), `import { listMenuItems } from '@pizza-place/api';\nexport const call = listMenuItems;\n`);
    const { stdout } = await run(process.execPath, [tsc, '--listFilesOnly', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--noEmit', 'main-only.ts'], { cwd: project });
    const files = stdout.split('\n').filter(Boolean);
    expect(files.some((file) => file.includes('@pizza-place/api/dist/sdk/index.d.ts'))).toBe(true);
    expect(files.filter((file) => file.includes('/zod/'))).toEqual([]);
  });

  it('ships only files an entry reaches', async () => {
    const dist = path.join(project, 'node_modules/@pizza-place/api/dist');
    const shipped = (await readdir(dist, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => path.relative(dist, path.join(entry.parentPath, entry.name)));
    const reached = new Set<string>(['openapi.json']);
    const exports = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')).exports as Record<string, string | { types: string; default: string }>;
    const queue = Object.values(exports).flatMap((target) => (typeof target === 'string' ? [] : [target.types, target.default])).filter((file) => file.startsWith('./dist/')).map((file) => file.slice('./dist/'.length));
    while (queue.length) {
      const file = queue.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      const text = await readFile(path.join(dist, file), 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = path.normalize(path.join(path.dirname(file), specifier!));
        const stem = target.replace(/\.(d\.ts|ts|js)$/, '');
        queue.push(...[`${stem}.js`, `${stem}.d.ts`].filter((candidate) => shipped.includes(candidate)));
      }
    }
    expect(shipped.filter((file) => !reached.has(file)).sort()).toEqual([]);
  });

  it('type-checks a consumer program against its .d.ts files (skipLibCheck off) and runs it against the mock', async () => {
    await run(process.execPath, [tsc, '-p', project], { cwd: project });
    const { stdout } = await run(process.execPath, [path.join(project, 'out/main.js'), prism.url], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({ names: expect.arrayContaining(['Margherita']), notFound: true, total: 'USD' });
  });

  it('bundles no zod without validation, zod/mini only with it, and stays within every size target', async () => {
    const sizes = verdicts(await measureSizes());
    expect(sizes.find((size) => size.variant === 'sdk')?.packages).toEqual([]);
    expect(sizes.find((size) => size.variant === 'sdk + validation')?.packages).toEqual(['zod']);
    // Bundle sizes are deterministic for the locked dependencies: ≤ 1× openapi-fetch bare, ≤ 5× validated, query ≤ +1.5 KB.
    expect(sizes.filter((size) => !size.ok).map(({ variant, gzipBytes, goal }) => ({ variant, gzipBytes, goal }))).toEqual([]);
  });
});
