/**
 * `npm run size`: what a typical storefront pays for the SDK. Bundles the same four calls (list the
 * menu, place an order, pay it, read it back) three ways with esbuild (minified ESM for the browser),
 * gzips each, and compares them with the targets of the SDK issue:
 *
 * - `sdk`: `@pizza-place/api` without validation (target: ≤ 1× openapi-fetch);
 * - `sdk + validation`: with `@pizza-place/api/validation` (target: ≤ 5× openapi-fetch);
 * - `sdk + query`: the same four calls through `@pizza-place/api/query`'s helpers (two query options,
 *   two mutations; TanStack Query itself is the app's, not counted) (target: ≤ 1.5 KB gzip more than `sdk`);
 * - `msw`: `@pizza-place/api/msw`'s `handlers` for every operation with their fixtures, `msw` itself left
 *   out (reported, no target: it is a test dependency);
 * - `openapi-fetch`: the baseline, typed by `openapi-typescript` generated from the same spec at run time.
 *
 * Exits non-zero when a target is missed or when the unvalidated bundle contains any zod.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';
import openapiTS, { astToString } from 'openapi-typescript';

const root = path.resolve(import.meta.dirname, '..');
const work = path.join(root, 'tmp', 'size');

const body = `{ lines: [{ itemId: 'itm_margherita01', size: 'medium', quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' } }`;
const payment = `{ paymentMethodToken: 'tok_visa' }`;

/** The storefront's four calls through the SDK, with the validators of those four operations when `validation` is given. */
function sdkStorefront(sdk: string, validation?: string): string {
  const validators = ['listMenuItemsValidators', 'placeOrderValidators', 'payOrderValidators', 'getOrderValidators'];
  return `
      import { createPizzaPlaceClient, getOrder, listMenuItems, payOrder, placeOrder } from ${JSON.stringify(sdk)};
      ${validation ? `import { ${validators.join(', ')} } from ${JSON.stringify(validation)};` : ''}
      export async function storefront(baseUrl, token) {
        const client = createPizzaPlaceClient({ baseUrl, token${validation ? `, validation: [${validators.join(', ')}]` : ''} });
        const menu = await listMenuItems({ client });
        const placed = await placeOrder({ client, body: ${body} });
        if (placed.error) throw placed.error;
        const orderId = placed.data.id;
        await payOrder({ client, path: { orderId }, body: ${payment} });
        return { menu: menu.data, order: (await getOrder({ client, path: { orderId } })).data };
      }`;
}

/** The storefront's four calls through the TanStack Query helpers, run as TanStack Query would run them. */
function queryStorefront(sdk: string, query: string): string {
  return `
      import { createPizzaPlaceClient } from ${JSON.stringify(sdk)};
      import { getOrderOptions, listMenuItemsOptions, payOrderMutation, placeOrderMutation } from ${JSON.stringify(query)};
      export async function storefront(baseUrl, token) {
        const client = createPizzaPlaceClient({ baseUrl, token });
        const signal = new AbortController().signal;
        const menu = await listMenuItemsOptions({ client }).queryFn({ signal });
        const placed = await placeOrderMutation({ client }).mutationFn({ body: ${body} });
        const orderId = placed.id;
        await payOrderMutation({ client }).mutationFn({ path: { orderId }, body: ${payment} });
        return { menu, order: await getOrderOptions({ client, path: { orderId } }).queryFn({ signal }) };
      }`;
}

interface Entries {
  sdk: string;
  validation: string;
  query: string;
  msw: string;
}

/**
 * One way of making the storefront's four calls, as an entry module. `target` is a ratio to openapi-fetch;
 * `overSdk` a budget in gzip bytes over the `sdk` variant; `external` packages the app brings itself.
 */
const variants: Record<string, { target?: number; overSdk?: number; external?: string[]; source: (entries: Entries) => string }> = {
  sdk: { target: 1, source: ({ sdk }) => sdkStorefront(sdk) },
  'sdk + validation': { target: 5, source: ({ sdk, validation }) => sdkStorefront(sdk, validation) },
  'sdk + query': { overSdk: 1536, external: ['@tanstack/query-core'], source: ({ sdk, query }) => queryStorefront(sdk, query) },
  msw: { external: ['msw'], source: ({ msw }) => `export { handlers } from ${JSON.stringify(msw)};` },
  'openapi-fetch': {
    target: 1,
    source: () => `
      import createClient from 'openapi-fetch';
      export async function storefront(baseUrl, token) {
        const client = createClient({ baseUrl, headers: { Authorization: 'Bearer ' + token } });
        const menu = await client.GET('/menu/items');
        const placed = await client.POST('/orders', { headers: { 'Idempotency-Key': crypto.randomUUID() }, body: ${body} });
        if (placed.error) throw placed.error;
        const orderId = placed.data.id;
        await client.POST('/orders/{orderId}/payments', { params: { path: { orderId }, header: { 'Idempotency-Key': crypto.randomUUID() } }, body: ${payment} });
        return { menu: menu.data, order: (await client.GET('/orders/{orderId}', { params: { path: { orderId } } })).data };
      }`,
  },
};

export type Variant = 'sdk' | 'sdk + validation' | 'sdk + query' | 'msw' | 'openapi-fetch';

export interface Measurement {
  variant: Variant;
  bytes: number;
  gzipBytes: number;
  /** The npm packages whose code ended up in the bundle. */
  packages: string[];
}

/** Bundles and gzips every variant; `entries` name the SDK's entries (its sources by default). */
export async function measureSizes(
  entries: Entries = { sdk: 'sdk/index.ts', validation: 'sdk/validation.ts', query: 'sdk/query.ts', msw: 'sdk/msw.ts' },
): Promise<Measurement[]> {
  const resolved = Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, path.resolve(root, entry)])) as unknown as Entries;
  await rm(work, { force: true, recursive: true });
  await mkdir(work, { recursive: true });
  // The baseline's types, as an openapi-fetch user would have them (they weigh nothing once bundled).
  await writeFile(path.join(work, 'schema.d.ts'), astToString(await openapiTS(pathToFileURL(path.join(root, 'openapi/pizza-place.yaml')))));

  const measurements: Measurement[] = [];
  for (const [variant, { source, external = [] }] of Object.entries(variants) as Array<[Variant, (typeof variants)[string]]>) {
    const entry = path.join(work, `${variant.replace(/\W+/g, '-')}.js`);
    await writeFile(entry, source!(resolved));
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: root,
      external,
    });
    const code = result.outputFiles[0]!.contents;
    const [output] = Object.values(result.metafile.outputs);
    const packages = new Set(
      Object.entries(output!.inputs)
        .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
        .flatMap(([input]) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? []),
    );
    measurements.push({ variant, bytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength, packages: [...packages].sort() });
  }
  return measurements;
}

/** Each variant's ratio to openapi-fetch and whether it meets its target (a ratio, or a budget over `sdk`). */
export function verdicts(measurements: Measurement[]) {
  const baseline = measurements.find((m) => m.variant === 'openapi-fetch')!.gzipBytes;
  const sdk = measurements.find((m) => m.variant === 'sdk')!.gzipBytes;
  return measurements.map((m) => {
    const { target, overSdk } = variants[m.variant]!;
    const ratio = m.gzipBytes / baseline;
    const ok = (target === undefined || ratio <= target) && (overSdk === undefined || m.gzipBytes - sdk <= overSdk);
    const goal = target !== undefined ? `≤ ${target}×` : overSdk !== undefined ? `≤ sdk + ${overSdk} B (+${m.gzipBytes - sdk} B)` : undefined;
    return { ...m, ratio, goal, ok };
  });
}

async function main() {
  const rows = verdicts(await measureSizes());
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log('A storefront\'s four calls (list the menu, place an order, pay, get the order), and the MSW handlers, esbuild --minify, ESM, browser, gzip -9:\n');
  console.log('| variant | minified | gzip | vs openapi-fetch | target | packages bundled |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const row of rows) {
    const target = row.variant === 'openapi-fetch' ? 'baseline' : row.goal ? `${row.goal} ${row.ok ? 'ok' : 'MISSED'}` : 'reported';
    console.log(`| ${row.variant} | ${kb(row.bytes)} | ${kb(row.gzipBytes)} (${row.gzipBytes} B) | ${row.ratio.toFixed(2)}× | ${target} | ${row.packages.join(', ') || '—'} |`);
  }
  const zodLeak = rows.find((row) => row.variant === 'sdk')!.packages.includes('zod');
  if (zodLeak) console.error('\nThe bundle without validation contains zod.');
  if (zodLeak || rows.some((row) => !row.ok)) process.exitCode = 1;
}

if (import.meta.filename === process.argv[1]) await main();
