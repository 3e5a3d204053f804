import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumUnavailableReason, launchChromium } from './support/chromium.ts';
import { useTestDatabase } from './support/database.ts';
import { startTestServer } from './support/server.ts';

const chromiumUnavailable = chromiumUnavailableReason();
const describeInChromium = chromiumUnavailable ? (name: string, body: () => void) => describe.skip(`${name} (skipped: ${chromiumUnavailable})`, body) : describe;

describe('GET /docs', () => {
  const database = useTestDatabase('sqlite');

  it('serves a page whose Content-Security-Policy allows this origin only, and the Scalar bundle from this server', async () => {
    const server = await startTestServer(database().config);
    try {
      const page = await fetch(`${server.url}/docs`);
      expect(page.status).toBe(200);
      const policy = page.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self';");
      expect(policy).toContain("connect-src 'self'");
      expect(policy).not.toMatch(/https?:|\*|'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
      const html = await page.text();
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).toContain('<script src="/docs/scalar.js"></script>');

      const script = await fetch(`${server.url}/docs/scalar.js`, { headers: { 'accept-encoding': 'gzip' } });
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(script.headers.get('content-encoding')).toBe('gzip');
      expect((await script.text()).length).toBeGreaterThan(1_000_000);
      const revalidated = await fetch(`${server.url}/docs/scalar.js`, { headers: { 'if-none-match': script.headers.get('etag')! } });
      expect(revalidated.status).toBe(304);
    } finally {
      await server.close();
    }
  });
});

describeInChromium('the API reference in Chromium with the network cut off', () => {
  const database = useTestDatabase('sqlite');
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the operations, loading nothing from anywhere but this server, with no CSP violation', { timeout: 90_000 }, async () => {
    const server = await startTestServer(database().config);
    const context = await browser.newContext();
    try {
      const origin = new URL(server.url).origin;
      const blocked: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (new URL(url).origin === origin || url.startsWith('data:')) return route.continue();
        blocked.push(url);
        return route.abort('internetdisconnected');
      });
      const page = await context.newPage();
      const violations: string[] = [];
      const errors: string[] = [];
      // The bundle probes whether it may compile code (zod's `Function('')`, in a try): that one is refused, as it should be.
      await page.exposeFunction('reportViolation', (violation: string) => violations.push(violation));
      await page.addInitScript(() =>
        document.addEventListener('securitypolicyviolation', (event) => {
          if (event.blockedURI !== 'eval') void (window as unknown as { reportViolation(text: string): void }).reportViolation(`${event.effectiveDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
        }),
      );
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${server.url}/docs`);
      const visible = (text: string) => page.getByText(text, { exact: true }).first().isVisible();
      for (const summary of ['Register a customer account', 'Sign in and get an access token']) {
        await expect.poll(() => visible(summary), { timeout: 30_000 }).toBe(true);
      }
      await page.getByText('Orders', { exact: true }).first().click();
      for (const summary of ['Place an order', 'Follow an order live', 'Cancel an order']) {
        await expect.poll(() => visible(summary), { timeout: 10_000 }).toBe(true);
      }
      console.log(`/docs in Chromium: operations shown; ${blocked.length} outside requests blocked${blocked.length ? `: ${blocked.join(', ')}` : ''}`);
      expect(violations).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await server.close();
    }
  });
});
