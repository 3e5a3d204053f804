/**
 * `npm run size`: what a typical storefront pays for the SDK. Bundles the same four calls (list the
 * menu, place an order, pay it, read it back) three ways with esbuild (minified ESM for the browser),
 * gzips each, and compares them with the targets of the SDK issue:
 *
 * - `sdk`: `@pizza-place/api` without validation (target: ≤ 2× openapi-fetch);
 * - `sdk + validation`: with `@pizza-place/api/validation` (target: ≤ 5× openapi-fetch);
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

/** One way of making the storefront's four calls, as an entry module. */
const variants = {
  sdk: { target: 2, source: (sdk: string) => sdkStorefront(sdk) },
  'sdk + validation': { target: 5, source: (sdk: string, validation: string) => sdkStorefront(sdk, validation) },
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
} as const;

export type Variant = keyof typeof variants;

export interface Measurement {
  variant: Variant;
  bytes: number;
  gzipBytes: number;
  /** The npm packages whose code ended up in the bundle. */
  packages: string[];
}

/** Bundles and gzips every variant; `sdk` and `validation` name the SDK entries (source by default). */
export async function measureSizes(
  sdk = path.join(root, 'sdk/index.ts'),
  validation = path.join(root, 'sdk/validation.ts'),
): Promise<Measurement[]> {
  await rm(work, { force: true, recursive: true });
  await mkdir(work, { recursive: true });
  // The baseline's types, as an openapi-fetch user would have them (they weigh nothing once bundled).
  await writeFile(path.join(work, 'schema.d.ts'), astToString(await openapiTS(pathToFileURL(path.join(root, 'openapi/pizza-place.yaml')))));

  const measurements: Measurement[] = [];
  for (const [variant, { source }] of Object.entries(variants) as Array<[Variant, (typeof variants)[Variant]]>) {
    const entry = path.join(work, `${variant.replace(/\W+/g, '-')}.js`);
    await writeFile(entry, source(sdk, validation));
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

/** Each variant's ratio to openapi-fetch and whether it meets its target. */
export function verdicts(measurements: Measurement[]) {
  const baseline = measurements.find((m) => m.variant === 'openapi-fetch')!.gzipBytes;
  return measurements.map((m) => {
    const ratio = m.gzipBytes / baseline;
    return { ...m, ratio, target: variants[m.variant].target, ok: ratio <= variants[m.variant].target };
  });
}

async function main() {
  const rows = verdicts(await measureSizes());
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log('A storefront\'s four calls (list the menu, place an order, pay, get the order), esbuild --minify, ESM, browser, gzip -9:\n');
  console.log('| variant | minified | gzip | vs openapi-fetch | target | packages bundled |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const row of rows) {
    const target = row.variant === 'openapi-fetch' ? 'baseline' : `≤ ${row.target}× ${row.ok ? 'ok' : 'MISSED'}`;
    console.log(`| ${row.variant} | ${kb(row.bytes)} | ${kb(row.gzipBytes)} (${row.gzipBytes} B) | ${row.ratio.toFixed(2)}× | ${target} | ${row.packages.join(', ') || '—'} |`);
  }
  const zodLeak = rows.find((row) => row.variant === 'sdk')!.packages.includes('zod');
  if (zodLeak) console.error('\nThe bundle without validation contains zod.');
  if (zodLeak || rows.some((row) => !row.ok)) process.exitCode = 1;
}

if (import.meta.filename === process.argv[1]) await main();
