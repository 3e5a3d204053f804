import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build, preview } from 'vite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { chromiumUnavailableReason, launchChromium } from './support/chromium.ts';
import { freePort } from './support/free-port.ts';
import { scratchParent } from './support/postgres.ts';
import { startMock, type RunningPrism } from './support/prism.ts';
import { exampleOf, operations, resolve } from './support/spec.ts';

const config = fileURLToPath(new URL('../examples/react-storefront/vite.config.ts', import.meta.url));
const unavailable = chromiumUnavailableReason();

/** The contract's documented 409 of placeOrder (out of stock), as the mock would answer `Prefer: code=409`. */
function outOfStockExample(): unknown {
  const placeOrder = operations().find((op) => op.operationId === 'placeOrder')!.operation;
  return exampleOf(resolve<{ content: Record<string, unknown> }>(placeOrder.responses['409']).content['application/problem+json'] as never);
}

describe.skipIf(unavailable)('the React storefront (Vite + React + TanStack Query) against the mock, in Chromium', () => {
  let mock: RunningPrism;
  let browser: Browser;
  let url: string;
  let close: () => Promise<void>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mock = await startMock();
    const outDir = await mkdtemp(join(scratchParent(), 'pizza-place-react-storefront-'));
    await build({ configFile: config, logLevel: 'warn', define: { 'import.meta.env.VITE_API_BASE_URL': JSON.stringify(mock.url) }, build: { outDir, emptyOutDir: true } });
    const port = await freePort();
    const server = await preview({ configFile: config, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true, open: false } });
    url = `http://127.0.0.1:${port}/`;
    close = async () => {
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    };
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await close?.();
    await mock?.stop();
  });
  beforeEach(async () => {
    pageErrors.length = 0;
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(url);
  });
  afterEach(async () => {
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  const fillCartAndSignIn = async () => {
    await page.getByRole('button', { name: 'Add Margherita' }).click();
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('lists the menu, places an order, pays it, and shows the order’s status as it refreshes', async () => {
    await expect(page.getByRole('region', { name: 'Menu' }).getByText('Margherita').first().textContent()).resolves.toBe('Margherita');
    await fillCartAndSignIn();
    await page.getByRole('button', { name: 'Place order' }).click();
    const status = page.locator('[data-status]');
    await status.waitFor();
    const orderRequests: string[] = [];
    page.on('request', (request) => void (new URL(request.url()).pathname.startsWith('/orders/') && orderRequests.push(request.method())));
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.locator('[data-paid]').waitFor();
    expect(await status.textContent()).toMatch(/^(placed|confirmed|preparing|ready|out_for_delivery|delivered|collected)$/);
    await page.waitForTimeout(2_500);
    expect(orderRequests.filter((method) => method === 'GET').length).toBeGreaterThanOrEqual(2);
  });

  it('shows the 422 problem of a quantity the contract refuses, pointing at the field', async () => {
    await fillCartAndSignIn();
    await page.getByRole('spinbutton', { name: 'Quantity of line 1' }).fill('0');
    await page.getByRole('button', { name: 'Place order' }).click();
    const alert = page.locator('[data-problem="422"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('/body/lines/0/quantity');
  });

  it('shows what is out of stock when the order is answered 409', async () => {
    const problem = outOfStockExample() as { shortages: Array<{ ingredientId: string }> };
    await page.route('**/orders', (route) =>
      route.request().method() === 'POST' ? route.fulfill({ status: 409, contentType: 'application/problem+json', body: JSON.stringify(problem) }) : route.fallback(),
    );
    await fillCartAndSignIn();
    await page.getByRole('button', { name: 'Place order' }).click();
    const alert = page.locator('[data-problem="409"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(problem.shortages[0]!.ingredientId);
  });
});
