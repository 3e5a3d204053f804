import { connect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createMenuItemValidators } from '../sdk/validation.ts';
import { accountAccess, standingFromDatabase } from '../server/auth/account-access.ts';
import { signAccessToken } from '../server/auth/jwt.ts';
import { seededIds } from '../server/db/seed.ts';
import { zProblem, zValidationProblem } from '../generated/zod.gen.ts';
import { createTestApp, useTestApp } from './support/app.ts';
import { describeEachDatabase, useTestDatabase } from './support/database.ts';
import { deliveryOrder, placeOrder, postOrder, pickupMargherita } from './support/orders.ts';
import { startTestServer } from './support/server.ts';

/** Writes `text` on a fresh socket and collects everything the server sends until it closes or goes quiet. */
function exchange(socket: Socket, text: string, quietMs = 1_000): Promise<{ received: string; closed: boolean }> {
  return new Promise((resolve) => {
    let received = '';
    let timer: NodeJS.Timeout;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      resolve({ received, closed });
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), quietMs);
    };
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      idle();
    });
    socket.once('close', () => finish(true));
    socket.write(text);
    idle();
  });
}

describe('a chunked body over the limit', () => {
  const database = useTestDatabase('sqlite');

  it('is answered 413 with Connection: close, and the connection then closes instead of failing the next request', async () => {
    const server = await startTestServer(database().config, { bodyLimitBytes: 2048 });
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    try {
      await new Promise((resolve) => socket.once('connect', resolve));
      const chunk = `{"notes":"${'x'.repeat(4000)}"}`;
      const body = `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
      const { received, closed } = await exchange(
        socket,
        `POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
      );
      const head = received.split('\r\n\r\n')[0]!;
      expect(head).toMatch(/^HTTP\/1\.1 413 /);
      expect(head.toLowerCase()).toContain('connection: close');
      expect(received).toContain('content-too-large');
      expect(closed || socket.destroyed || socket.readableEnded).toBe(true);
    } finally {
      socket.destroy();
      await server.close();
    }
  });

  it('answers a declared length over the limit 413 with Connection: close too, before reading the body', async () => {
    const server = await startTestServer(database().config, { bodyLimitBytes: 2048 });
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    try {
      await new Promise((resolve) => socket.once('connect', resolve));
      const body = `{"notes":"${'x'.repeat(4000)}"}`;
      // Only the head is sent: the server must not wait for the body before answering.
      const { received, closed } = await exchange(socket, `POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      expect(received).toMatch(/^HTTP\/1\.1 413 /);
      expect(received.toLowerCase()).toContain('connection: close');
      expect(closed).toBe(true);
    } finally {
      socket.destroy();
      await server.close();
    }
  });
});

/** GET over the wire with the raw headers (no decoding), so ETag and Vary are what the server sent. */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
    httpRequest(url, { headers }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
    })
      .on('error', reject)
      .end();
  });
}

describe('a 304 on the wire', () => {
  const database = useTestDatabase('sqlite');

  it('repeats the ETag (same strength) and Vary of its 200, with and without compression', async () => {
    const origin = 'http://localhost:5173';
    const server = await startTestServer(database().config, { corsOrigins: [origin] });
    try {
      // An order of many lines is over the compression threshold; a small one is not.
      const app = createTestApp(database());
      const token = await app.tokenFor('customer');
      const pizzas = [seededIds.items.margherita, seededIds.items.pepperoni, seededIds.items.quattroFormaggi, seededIds.items.veganGarden];
      const lines = pizzas.flatMap((itemId) => ['small', 'medium', 'large'].map((size) => ({ itemId, size, quantity: 1, toppings: [seededIds.toppings.mushrooms] })));
      const orders = [await placeOrder(app, token, { ...deliveryOrder, lines }), await placeOrder(app, token)];
      const paths = ['/menu/items', '/menu/items?category=drink', `/menu/items/${seededIds.items.cola}`, `/menu/items/${seededIds.items.margherita}`, '/menu/toppings', ...orders.map((order) => `/orders/${order.id}`)];
      let compressedOrder = false;
      for (const path of paths) {
        for (const encoding of ['gzip', 'br;q=1, gzip;q=0.5', 'identity', undefined]) {
          const asked = { origin, authorization: `Bearer ${token}`, ...(encoding !== undefined && { 'accept-encoding': encoding }) };
          const full = await rawGet(`${server.url}${path}`, asked);
          expect(full.status, path).toBe(200);
          if (path.startsWith('/orders/') && full.headers['content-encoding'] === 'gzip') compressedOrder = true;
          const etag = String(full.headers.etag);
          const notModified = await rawGet(`${server.url}${path}`, { ...asked, 'if-none-match': etag });
          expect(notModified.status, `${path} ${encoding}`).toBe(304);
          expect(notModified.headers.etag, `${path} ${encoding}`).toBe(etag);
          expect(notModified.headers.vary, `${path} ${encoding}`).toBe(full.headers.vary);
          // Either form of the tag names the same representation (weak comparison).
          const otherForm = etag.startsWith('W/') ? etag.slice(2) : `W/${etag}`;
          expect((await rawGet(`${server.url}${path}`, { ...asked, 'if-none-match': otherForm })).status).toBe(304);
        }
      }
      expect(compressedOrder, 'an order read was large enough to be compressed').toBe(true);
    } finally {
      await server.close();
    }
  });
});

describeEachDatabase('private answers', (kind) => {
  const testApp = useTestApp(kind);

  it('say Cache-Control: no-store (tokens, account, orders, payments, webhooks, errors), while the menu keeps its caching', async () => {
    const app = testApp();
    const customer = { email: 'private@example.com', password: 'private answers password', name: 'Private' };
    const token = await app.tokenFor(customer);
    const staff = await app.tokenFor('staff');
    const order = await placeOrder(app, token);
    const signIn = await app.request('/auth/token', { method: 'POST', json: { email: customer.email, password: customer.password } });
    const answers: Array<[string, Response]> = [
      ['POST /auth/token', signIn],
      ['POST /accounts', await app.request('/accounts', { method: 'POST', json: { email: 'another@example.com', password: 'another password here', name: 'Another' } })],
      ['GET /me', await app.request('/me', { token })],
      ['GET /orders', await app.request('/orders', { token })],
      ['GET /orders/{id}', await app.request(`/orders/${order.id}`, { token })],
      ['GET /orders/{id} 404', await app.request('/orders/ord_doesNotExist1', { token })],
      ['GET /orders 401', await app.request('/orders')],
      ['POST /orders', await postOrder(app, token, pickupMargherita)],
      ['GET /orders/{id}/payments', await app.request(`/orders/${order.id}/payments`, { token })],
      ['GET /inventory/ingredients', await app.request('/inventory/ingredients', { token: staff })],
      ['GET /webhooks/subscriptions', await app.request('/webhooks/subscriptions', { token: staff })],
    ];
    for (const [name, response] of answers) {
      expect(response.status, name).toBeLessThan(500);
      expect(response.headers.get('cache-control'), name).toBe('no-store');
    }
    const menu = await app.request('/menu/items');
    expect(menu.status).toBe(200);
    expect(menu.headers.get('cache-control')).toBeNull();
    expect(menu.headers.get('etag')).toMatch(/^"/);
    expect((await app.request('/health/live')).headers.get('cache-control')).toBeNull();
  });

  it('say no-store on the order event stream too', async () => {
    const app = testApp();
    const token = await app.tokenFor('customer');
    const order = await placeOrder(app, token);
    const controller = new AbortController();
    const stream = await app.request(`/orders/${order.id}/events`, { token, headers: { accept: 'text/event-stream' }, signal: controller.signal });
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers.get('cache-control')).toBe('no-store');
    } finally {
      controller.abort();
      await stream.body?.cancel().catch(() => {});
    }
  });
});

describeEachDatabase('a correctly signed token for an account that does not exist', (kind) => {
  const testApp = useTestApp(kind);

  it('passes no operation: staff ones and customer ones answer 401, never 201, 200 or 500', async () => {
    const app = testApp();
    const forge = (role: 'staff' | 'customer') => signAccessToken({ id: 'usr_deletedAccount01', role }, app.config.jwt).token;
    const menuItem = { name: 'Ghost Pizza', description: 'Made by nobody.', category: 'pizza', dietary: [], sizes: [{ size: 'medium', price: { amount: 999, currency: 'USD' } }] };
    const attempts: Array<[string, Response]> = [
      ['POST /menu/items', await app.request('/menu/items', { method: 'POST', token: forge('staff'), json: menuItem })],
      ['GET /inventory/ingredients', await app.request('/inventory/ingredients', { token: forge('staff') })],
      ['GET /webhooks/subscriptions', await app.request('/webhooks/subscriptions', { token: forge('staff') })],
      ['GET /me', await app.request('/me', { token: forge('customer') })],
      ['GET /orders', await app.request('/orders', { token: forge('customer') })],
      ['POST /orders', await postOrder(app, forge('customer'), pickupMargherita)],
    ];
    for (const [name, response] of attempts) {
      expect(response.status, name).toBe(401);
      expect(response.headers.get('www-authenticate'), name).toContain('invalid_token');
    }
  });

  it('is caught by a check that costs a map lookup per request once the account was read (measured)', async () => {
    const app = testApp();
    const customer = { id: seededIds.staff, role: 'staff' as const, tokenVersion: 0 };
    const cached = accountAccess(standingFromDatabase(app.db), { maxAgeMs: 60_000 });
    const uncached = accountAccess(standingFromDatabase(app.db), { maxAgeMs: 0 });
    expect(await cached.allows(customer)).toBe(true);
    expect(await cached.allows({ ...customer, id: 'usr_deletedAccount01' })).toBe(false);
    const time = async (access: typeof cached, rounds: number) => {
      const started = performance.now();
      for (let index = 0; index < rounds; index++) await access.allows(customer);
      return ((performance.now() - started) * 1000) / rounds;
    };
    const cachedMicros = await time(cached, 100_000);
    const uncachedMicros = await time(uncached, 500);
    console.log(`[${kind}] account check per request: ${cachedMicros.toFixed(2)} µs from the per-instance cache, ${uncachedMicros.toFixed(0)} µs reading the account each time`);
    expect(cachedMicros).toBeLessThan(uncachedMicros / 10);
  });
});

describeEachDatabase('uniqueItems', (kind) => {
  const testApp = useTestApp(kind);

  it('refuses a duplicate dietary flag on POST and PATCH /menu/items with 422 pointing at it, and so do the SDK validators', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const item = { name: 'Double Vegan', description: 'Twice as vegan.', category: 'pizza', dietary: ['vegan', 'vegan'], sizes: [{ size: 'medium', price: { amount: 999, currency: 'USD' } }] };
    const created = await app.request('/menu/items', { method: 'POST', token: staff, json: item });
    expect(created.status).toBe(422);
    expect(JSON.stringify(await created.json())).toContain('/body/dietary');
    const patched = await app.request(`/menu/items/${seededIds.items.margherita}`, { method: 'PATCH', token: staff, json: { dietary: ['vegan', 'vegan'] } });
    expect(patched.status).toBe(422);
    const menu = (await (await app.request(`/menu/items/${seededIds.items.margherita}`)).json()) as { dietary: string[] };
    expect(menu.dietary).toEqual([...new Set(menu.dietary)]);
    await expect(createMenuItemValidators.request!({ body: item })).rejects.toThrow(/dietary/);
    await expect(createMenuItemValidators.request!({ body: { ...item, dietary: ['vegan'] } })).resolves.toBeDefined();
  });
});

describe('values a client sent, echoed in a problem', () => {
  const testApp = useTestApp('sqlite');

  it('stay within the contract\'s limits: instance, detail, pointers, error details and the number of errors', async () => {
    const app = testApp();
    const token = await app.tokenFor('customer');
    const long = 'x'.repeat(5_000);
    const answers: Array<[string, Response]> = [
      ['long path', await app.request(`/${long}`)],
      ['long path with a query', await app.request(`/orders/${long}?${long}=${long}`, { token })],
      ['long query value', await app.request(`/menu/items?category=${long}`)],
      ['long id', await app.request(`/menu/items/itm_${'a'.repeat(3_000)}`)],
      ['long unknown member', await postOrder(app, token, { ...pickupMargherita, ['m'.repeat(1_000)]: long })],
      ['300 unknown members', await postOrder(app, token, { ...pickupMargherita, ...Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`extra${index}`, index])) })],
      ['300 bad lines', await postOrder(app, token, { ...pickupMargherita, lines: Array.from({ length: 300 }, () => ({ itemId: long, size: long, quantity: -1 })) })],
      ['control characters', await app.request(`/menu/items/${encodeURIComponent('itm_\u0000\u001b[31m\u007f')}`)],
      ['long method', await app.request('/menu/items', { method: 'PUT' })],
    ];
    for (const [name, response] of answers) {
      expect(response.status, name).toBeGreaterThanOrEqual(400);
      expect(response.status, name).toBeLessThan(500);
      expect(response.headers.get('content-type'), name).toBe('application/problem+json');
      const body = (await response.json()) as { errors?: unknown };
      const schema = body.errors === undefined ? zProblem : zValidationProblem;
      const checked = schema.safeParse(body);
      expect(checked.success, `${name}: ${JSON.stringify(checked.error?.issues.slice(0, 3))}`).toBe(true);
    }
  });
});
