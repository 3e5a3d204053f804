import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { build, preview } from 'vite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatMoney } from '../examples/storefront/money.ts';
import { advanceOrderStatus, createPizzaPlaceClient, getOrder, issueToken, type MenuItemList, type Order, type Payment, type Problem } from '../sdk/index.ts';
import { chromiumUnavailableReason, launchChromium } from './support/chromium.ts';
import { openTestDatabase, releaseTestDatabases, type TestDatabase } from './support/database.ts';
import { freePort } from './support/free-port.ts';
import { scratchParent } from './support/postgres.ts';
import { startMock, type RunningPrism } from './support/prism.ts';
import { SseReader } from './support/sse.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { exampleOf, operations, resolve, successResponse } from './support/spec.ts';

const storefrontConfig = fileURLToPath(new URL('../examples/storefront/vite.config.ts', import.meta.url));

interface Storefront {
  url: string;
  close(): Promise<void>;
}

/**
 * Builds the storefront as `vite build` would, with `apiBaseUrl` in place of `VITE_API_BASE_URL`, and serves
 * the result on 127.0.0.1:`port` — the origin the API has to allow.
 */
async function serveStorefront(apiBaseUrl: string, port: number): Promise<Storefront> {
  const outDir = await mkdtemp(join(scratchParent(), 'pizza-place-storefront-'));
  try {
    await build({
      configFile: storefrontConfig,
      logLevel: 'warn',
      define: { 'import.meta.env.VITE_API_BASE_URL': JSON.stringify(apiBaseUrl) },
      build: { outDir, emptyOutDir: true },
    });
    const server = await preview({
      configFile: storefrontConfig,
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port, strictPort: true, open: false },
    });
    return {
      url: `http://127.0.0.1:${port}/`,
      close: async () => {
        await server.close();
        await rm(outDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    throw error;
  }
}

/** A fresh browser context and page per test; uncaught errors on the page are collected for the test to check. */
function usePage(browser: () => Browser): { page: () => Page; pageErrors: string[] } {
  let context: BrowserContext | undefined;
  let current: Page | undefined;
  const pageErrors: string[] = [];
  beforeEach(async () => {
    pageErrors.length = 0;
    context = await browser().newContext();
    // Shorter than the test's timeout, so that a missing element fails with Playwright's own message.
    context.setDefaultTimeout(10_000);
    current = await context.newPage();
    current.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  return {
    page: () => {
      if (!current) throw new Error('usePage(): the page exists only while a test runs');
      return current;
    },
    pageErrors,
  };
}

/** Waits until `done` shows, or fails with what the page says in `failed` (a problem's detail) if that shows first. */
async function settle(done: Locator, failed: Locator): Promise<void> {
  await done.or(failed).filter({ visible: true }).first().waitFor();
  if (await failed.isVisible()) throw new Error(`the page reports: ${await failed.textContent()}`);
}

function text(page: Page, testId: string): Promise<string> {
  return page.getByTestId(testId).innerText();
}

function menuEntry(page: Page, name: string): Locator {
  return page.getByTestId('menu-item').filter({ has: page.getByRole('heading', { name, exact: true }) });
}

interface Customer {
  name: string;
  email: string;
  password: string;
}

interface Checkout {
  fulfilment: 'pickup' | 'delivery';
  customer: Customer;
}

/**
 * Puts two medium Margheritas with Extra Mozzarella in the cart, creates the account and places the order.
 * Resolves to the subtotal the cart estimated and the total the server quoted before the order was placed.
 */
async function placeMargheritaOrder(page: Page, storefront: Storefront, { fulfilment, customer }: Checkout): Promise<{ estimatedSubtotal: string; quotedTotal: string }> {
  await page.goto(storefront.url);
  const margherita = menuEntry(page, 'Margherita');
  await margherita.waitFor();
  await margherita.getByLabel('Size').selectOption('medium');
  await margherita.getByLabel('Quantity').fill('2');
  await margherita.getByRole('checkbox', { name: /Extra Mozzarella/ }).check();
  await margherita.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByTestId('cart-line').filter({ hasText: '2 × Margherita (medium) with Extra Mozzarella' }).waitFor();

  const account = page.getByTestId('account-form');
  await account.getByLabel('Name').fill(customer.name);
  await account.getByLabel('Email').fill(customer.email);
  await account.getByLabel('Password').fill(customer.password);
  await account.getByRole('button', { name: 'Create account' }).click();
  await settle(page.getByTestId('account-status').filter({ hasText: 'Signed in as' }), page.getByTestId('account-error'));

  const checkout = page.getByTestId('checkout-form');
  if (fulfilment === 'delivery') {
    await checkout.getByLabel('Delivery').check();
    await checkout.getByLabel('Street and number').fill('742 Evergreen Terrace');
    await checkout.getByLabel('City').fill('Springfield');
    await checkout.getByLabel('Postal code').fill('62704');
  } else {
    await checkout.getByLabel('Pickup at the counter').check();
  }
  const estimatedSubtotal = await text(page, 'cart-subtotal');
  await page.getByTestId('quote').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="quote-total"]')?.textContent !== '');
  // The quote follows the fulfilment chosen: wait for the one asked for last.
  await page.waitForTimeout(300);
  const quotedTotal = await text(page, 'quote-total');
  await page.getByTestId('place-order').click();
  await settle(page.getByTestId('order'), page.getByTestId('checkout-error'));
  return { estimatedSubtotal, quotedTotal };
}

async function pay(page: Page, paymentMethodToken: 'tok_visa' | 'tok_chargeDeclined'): Promise<void> {
  await page.getByTestId('payment-form').getByLabel('Card').selectOption(paymentMethodToken);
  await page.getByTestId('pay').click();
}

/**
 * Starts noting every status the page shows from now on; the function it resolves to reads them (the one shown
 * at the start first, each change once).
 */
async function recordShownStatuses(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const shown = document.querySelector('[data-testid="order-status"]')!;
    const before: Array<string | null> = [];
    Object.assign(window, { shownStatuses: () => [...before, shown.getAttribute('data-status')] });
    new MutationObserver((records) => before.push(...records.map((record) => record.oldValue))).observe(shown, {
      attributeFilter: ['data-status'],
      attributeOldValue: true,
    });
  });
  return async () => {
    const seen = await page.evaluate(() => (window as unknown as { shownStatuses(): string[] }).shownStatuses());
    return seen.filter((status, i) => status !== seen[i - 1]);
  };
}

async function shownTotals(page: Page) {
  return {
    subtotal: await text(page, 'order-subtotal'),
    deliveryFee: await text(page, 'order-delivery-fee'),
    tax: await text(page, 'order-tax'),
    total: await text(page, 'order-total'),
  };
}

function formattedTotals(order: Order) {
  return {
    subtotal: formatMoney(order.subtotal),
    deliveryFee: formatMoney(order.deliveryFee),
    tax: formatMoney(order.tax),
    total: formatMoney(order.total),
  };
}

/** The example the contract documents first for an operation's answer, which is what the Prism mock serves. */
function documentedExample<T>(operationId: string, status?: number): T {
  const found = operations().find((candidate) => candidate.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId}`);
  const response = status === undefined ? successResponse(found.operation).response : resolve(found.operation.responses[String(status)]);
  const [media] = Object.values<Record<string, unknown>>(response.content);
  return exampleOf(media!) as T;
}

const declined = documentedExample<Problem>('payOrder', 402);

const chromiumUnavailable = chromiumUnavailableReason();
const describeInChromium = chromiumUnavailable
  ? (name: string, body: () => void) => describe.skip(`${name} (skipped: ${chromiumUnavailable})`, body)
  : describe;

describeInChromium('the storefront in Chromium', () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  function theBrowser(): Browser {
    if (!browser) throw new Error('Chromium did not start');
    return browser;
  }

  describe('against the Prism mock', () => {
    let prism: RunningPrism | undefined;
    let storefront: Storefront | undefined;
    const { page, pageErrors } = usePage(theBrowser);
    const ada: Customer = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct-horse-battery' };

    beforeAll(async () => {
      prism = await startMock();
      storefront = await serveStorefront(prism.url, await freePort());
    });
    afterAll(async () => {
      await storefront?.close();
      await prism?.stop();
    });

    it('lists the documented menu with every size priced from cents', async () => {
      await page().goto(storefront!.url);
      const margherita = menuEntry(page(), 'Margherita');
      await margherita.waitFor();
      const documented = documentedExample<MenuItemList>('listMenuItems').data;
      expect(await page().getByTestId('menu-item').count()).toBe(documented.length);
      const sizes = documented.find((item) => item.name === 'Margherita')!.sizes;
      expect(await margherita.getByLabel('Size').locator('option').allInnerTexts()).toEqual(
        sizes.map(({ size, price }) => `${size[0]!.toUpperCase()}${size.slice(1)} ${formatMoney(price)}`),
      );
      expect(formatMoney(sizes[0]!.price)).toBe('$8.99');
      expect(pageErrors).toEqual([]);
    });

    it('takes a delivery order from cart to payment and shows the status and totals the mock documents, then its event stream live', async () => {
      const { estimatedSubtotal } = await placeMargheritaOrder(page(), storefront!, { fulfilment: 'delivery', customer: ada });
      expect(estimatedSubtotal).toBe('$26.98'); // 2 × (11.99 medium + 1.50 Extra Mozzarella), from the documented menu
      const placed = documentedExample<Order>('placeOrder');
      expect(await text(page(), 'order-id')).toBe(placed.id);
      expect(await page().getByTestId('order-status').getAttribute('data-status')).toBe(placed.status);
      expect(await shownTotals(page())).toEqual(formattedTotals(placed));

      const shownStatuses = await recordShownStatuses(page());
      await pay(page(), 'tok_visa');
      await settle(page().getByTestId('payment-result'), page().getByTestId('payment-error'));
      const payment = documentedExample<Payment>('payOrder');
      expect(await text(page(), 'payment-result')).toBe(`Paid ${formatMoney(payment.amount)} with ${payment.card.brand} ending in ${payment.card.last4}.`);
      // The status shown after paying is what getOrder answers (the mock's first example: a paid order being prepared);
      // then the page follows the order live, and the mock's documented event stream walks it to the door.
      const fetched = documentedExample<Order>('getOrder');
      const streamed = (await new SseReader([documentedExample<string>('watchOrder')]).rest()).flatMap((block) => (block.data ? [JSON.parse(block.data).status as string] : []));
      await page().getByTestId('order-tracking').waitFor({ state: 'hidden' });
      expect(await shownStatuses()).toEqual([placed.status, fetched.status, ...streamed]);
      expect(await text(page(), 'order-status')).toBe(streamed.at(-1)!.replaceAll('_', ' '));
      expect(await shownTotals(page())).toEqual(formattedTotals(fetched));
      expect(await page().getByTestId('payment-form').isHidden()).toBe(true);
      expect(pageErrors).toEqual([]);
    });

    it("shows the 402 problem's detail when the card is declined", async () => {
      await placeMargheritaOrder(page(), storefront!, { fulfilment: 'pickup', customer: ada });
      // The mock answers a request's declared 402 only when asked to, through Prism's Prefer header.
      await page().route('**/orders/*/payments', (route) => route.continue({ headers: { ...route.request().headers(), prefer: 'code=402' } }));
      await pay(page(), 'tok_chargeDeclined');
      await page().getByTestId('payment-error').waitFor();
      expect(await text(page(), 'payment-error')).toBe(declined.detail);
      expect(await page().getByTestId('payment-form').isVisible()).toBe(true);
      expect(pageErrors).toEqual([]);
    });
  });

  describe('against the real server [sqlite]', () => {
    let apiPort: number;
    let storefront: Storefront | undefined;
    let database: TestDatabase | undefined;
    let server: TestServer | undefined;
    const { page, pageErrors } = usePage(theBrowser);

    beforeAll(async () => {
      apiPort = await freePort();
      storefront = await serveStorefront(`http://127.0.0.1:${apiPort}`, await freePort());
    });
    beforeEach(async () => {
      database = await openTestDatabase('sqlite');
      server = await startTestServer(database.config, { port: apiPort, corsOrigins: [new URL(storefront!.url).origin] });
    });
    afterEach(async () => {
      await server?.close();
      await database?.close();
      server = database = undefined;
    });
    afterAll(async () => {
      await storefront?.close();
      await releaseTestDatabases();
    });

    /** The order as the server has it, read through the SDK with the customer's own token. */
    async function serverOrder(customer: Customer, orderId: string): Promise<Order> {
      const signedIn = await issueToken({
        client: createPizzaPlaceClient({ baseUrl: server!.url }),
        body: { email: customer.email, password: customer.password },
        throwOnError: true,
      });
      const client = createPizzaPlaceClient({ baseUrl: server!.url, token: signedIn.data.accessToken });
      const { data, response } = await getOrder({ client, path: { orderId }, throwOnError: true });
      expect(response.status).toBe(200);
      return data;
    }

    const grace: Customer = { name: 'Grace Hopper', email: 'grace@example.com', password: 'a-long-enough-password' };

    it("takes a pickup order from cart to payment, showing the server's totals and the status confirmed", async () => {
      const { estimatedSubtotal } = await placeMargheritaOrder(page(), storefront!, { fulfilment: 'pickup', customer: grace });
      const orderId = await text(page(), 'order-id');
      const placed = await serverOrder(grace, orderId);
      expect(placed.status).toBe('awaiting_payment');
      expect(await shownTotals(page())).toEqual(formattedTotals(placed));
      expect(estimatedSubtotal).toBe(formatMoney(placed.subtotal));
      expect(placed.deliveryFee.amount).toBe(0);

      await pay(page(), 'tok_visa');
      await settle(page().getByTestId('payment-result'), page().getByTestId('payment-error'));
      expect(await text(page(), 'payment-result')).toMatch(new RegExp(`^Paid \\${formatMoney(placed.total)} with visa ending in \\d{4}\\.$`));
      expect(await page().getByTestId('order-status').getAttribute('data-status')).toBe('confirmed');
      const paid = await serverOrder(grace, orderId);
      expect(paid.status).toBe('confirmed');
      expect(await shownTotals(page())).toEqual(formattedTotals(paid));
      expect(pageErrors).toEqual([]);
    });

    it('shows the quote before ordering, stays signed in across an expired access token, and shows the refund after cancelling', async () => {
      const { quotedTotal } = await placeMargheritaOrder(page(), storefront!, { fulfilment: 'pickup', customer: grace });
      const orderId = await text(page(), 'order-id');
      const placed = await serverOrder(grace, orderId);
      expect(quotedTotal).toBe(formatMoney(placed.total));

      // The access token runs out: the page's session refreshes it by itself, and the customer notices nothing.
      await page().evaluate(() => {
        const key = 'pizza-place-session';
        const tokens = JSON.parse(sessionStorage.getItem(key)!);
        sessionStorage.setItem(key, JSON.stringify({ ...tokens, accessToken: 'an.expired.token', accessTokenExpiresAt: Date.now() - 1_000 }));
      });
      await pay(page(), 'tok_visa');
      await settle(page().getByTestId('payment-result'), page().getByTestId('payment-error'));
      expect(await text(page(), 'payment-result')).toMatch(/^Paid /);

      await page().getByTestId('cancel-order').click();
      await page().getByTestId('refunds').filter({ hasText: 'Refund of' }).waitFor();
      expect(await text(page(), 'refunds')).toBe(`Refund of ${formatMoney(placed.total)} made.`);
      expect(await page().getByTestId('order-status').getAttribute('data-status')).toBe('cancelled');
      expect(pageErrors).toEqual([]);
    });

    it('shows each status live as the kitchen moves the paid order along, without a reload, and stops following once it is collected', async () => {
      await placeMargheritaOrder(page(), storefront!, { fulfilment: 'pickup', customer: grace });
      const orderId = await text(page(), 'order-id');
      await pay(page(), 'tok_visa');
      await settle(page().getByTestId('payment-result'), page().getByTestId('payment-error'));
      await page().getByTestId('order-tracking').waitFor();
      const shownStatuses = await recordShownStatuses(page());

      const { staff } = database!.config;
      const { data: signedIn } = await issueToken({ client: createPizzaPlaceClient({ baseUrl: server!.url }), body: staff, throwOnError: true });
      const kitchen = createPizzaPlaceClient({ baseUrl: server!.url, token: signedIn.accessToken });
      for (const status of ['preparing', 'baking', 'ready', 'collected'] as const) {
        const advanced = performance.now();
        await advanceOrderStatus({ client: kitchen, path: { orderId }, body: { status }, throwOnError: true });
        await page().locator(`[data-testid="order-status"][data-status="${status}"]`).waitFor({ timeout: 2_000 });
        expect(performance.now() - advanced).toBeLessThan(2_000);
      }
      await page().getByTestId('order-tracking').waitFor({ state: 'hidden' });
      expect(await shownStatuses()).toEqual(['confirmed', 'preparing', 'baking', 'ready', 'collected']);
      expect(await text(page(), 'order-status')).toBe('collected');
      expect(pageErrors).toEqual([]);
    });

    it("shows the server's 402 detail for a declined card, then confirms the order paid with a good card", async () => {
      await placeMargheritaOrder(page(), storefront!, { fulfilment: 'delivery', customer: grace });
      await pay(page(), 'tok_chargeDeclined');
      await page().getByTestId('payment-error').waitFor();
      expect(await text(page(), 'payment-error')).toBe(declined.detail);
      expect(await page().getByTestId('order-status').getAttribute('data-status')).toBe('awaiting_payment');

      await pay(page(), 'tok_visa');
      await settle(page().getByTestId('payment-result'), page().getByTestId('payment-error'));
      expect(await page().getByTestId('order-status').getAttribute('data-status')).toBe('confirmed');
      const paid = await serverOrder(grace, await text(page(), 'order-id'));
      expect(paid.status).toBe('confirmed');
      expect(paid.deliveryFee.amount).toBeGreaterThan(0);
      expect(await shownTotals(page())).toEqual(formattedTotals(paid));
      expect(pageErrors).toEqual([]);
    });
  });
});
