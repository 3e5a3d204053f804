import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it, onTestFinished } from 'vitest';
import type { Config } from '../server/config.ts';
import { toJsonText, toTimestamp } from '../server/db/dialect.ts';
import { newId } from '../server/db/ids.ts';
import { seededIds } from '../server/db/seed.ts';
import { createWebhookWorker } from '../server/webhooks/delivery-worker.ts';
import { newSigningSecret } from '../server/webhooks/signing.ts';
import { insertSubscription } from '../server/webhooks/webhook-repository.ts';
import { verifyWebhook } from '../sdk/index.ts';
import { useTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';
import { memoryLogger } from './support/memory-logger.ts';
import { placeOrder, placePaidOrder, postPayment, setStock } from './support/orders.ts';
import { startWebhookReceiver, type Reply, type WebhookReceiver } from './support/webhook-receiver.ts';

const { ingredients } = seededIds;
const allEvents = ['order.placed', 'order.status_changed', 'payment.succeeded', 'payment.refunded', 'stock.low'];
/** Retries after 100 ms, polls every 50 ms: a test sees a whole retry schedule in well under a second. */
const fastDelivery = { WEBHOOK_RETRY_DELAYS_MS: '100', WEBHOOK_POLL_INTERVAL_MS: '50', WEBHOOK_TIMEOUT_MS: '2000' };

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastAttemptAt: string | null;
  lastResponseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
}

async function subscribe(app: TestApp, staff: string, body: Record<string, unknown>): Promise<{ id: string; secret: string; response: Response }> {
  const response = await app.request('/webhooks/subscriptions', { method: 'POST', token: staff, json: { events: allEvents, ...body } });
  expect(response.status).toBe(201);
  const created = (await response.clone().json()) as { id: string; secret: string };
  return { ...created, response };
}

async function deliveries(app: TestApp, staff: string, subscriptionId: string): Promise<Delivery[]> {
  const response = await app.request(`/webhooks/subscriptions/${subscriptionId}/deliveries?limit=100`, { token: staff });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Delivery[] }).data;
}

/** Polls `read` until `done` holds for what it returns; fails after `timeoutMs` showing the last value. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

/** The delivery worker over the test app's database and change feed, stopped when the test ends. */
function startWorker(app: TestApp, webhooks: Partial<Config['webhooks']> = {}) {
  const { logger, lines } = memoryLogger();
  const config = { ...app.config, webhooks: { ...app.config.webhooks, ...webhooks } };
  const worker = createWebhookWorker({ db: app.db, config, logger, changes: app.changes });
  worker.start();
  onTestFinished(() => worker.stop());
  return { worker, logs: lines };
}

async function receiver(reply?: (index: number) => Reply): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(reply);
  onTestFinished(() => started.close());
  return started;
}

describeEachDatabase('webhook subscriptions', (kind) => {
  const testApp = useTestApp(kind);

  it('creates a subscription and answers its secret once (201, Location, no-store); get and list never show it', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const { id, secret, response } = await subscribe(app, staff, { url: 'http://127.0.0.1:9/hooks', events: ['order.placed'], description: 'Kitchen display board' });
    expect(response.headers.get('location')).toBe(`/webhooks/subscriptions/${id}`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(id).toMatch(/^whk_[A-Za-z0-9]{20}$/);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await response.json()).toEqual({
      id,
      url: 'http://127.0.0.1:9/hooks',
      events: ['order.placed'],
      description: 'Kitchen display board',
      enabled: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      secret,
    });

    const got = await app.request(`/webhooks/subscriptions/${id}`, { token: staff });
    expect(got.status).toBe(200);
    const subscription = await got.json();
    expect(subscription).not.toHaveProperty('secret');
    expect(subscription).toMatchObject({ id, description: 'Kitchen display board', enabled: true });
    const listed = await app.request('/webhooks/subscriptions', { token: staff });
    expect(listed.status).toBe(200);
    const page = await listed.text();
    expect(page).not.toContain(secret);
    expect(JSON.parse(page)).toEqual({ data: [subscription], nextCursor: null });

    const other = await subscribe(app, staff, { url: 'http://127.0.0.1:9/other' });
    expect(other.secret).not.toBe(secret);
    expect((await app.request(`/webhooks/subscriptions/${other.id}`, { token: staff }).then((r) => r.json())).description).toBeNull();
  });

  it('lists subscriptions newest first, a page at a time, and answers a cursor it did not make with 400', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await subscribe(app, staff, { url: `http://127.0.0.1:9/${i}` })).id);
      await sleep(5);
    }
    const first = await (await app.request('/webhooks/subscriptions?limit=2', { token: staff })).json();
    expect(first.data.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await (await app.request(`/webhooks/subscriptions?limit=2&cursor=${first.nextCursor}`, { token: staff })).json();
    expect(second).toEqual({ data: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    const malformed = await app.request('/webhooks/subscriptions?cursor=not-a-cursor', { token: staff });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ errors: [{ pointer: '/query/cursor' }] });
  });

  it('changes only what the patch holds, pauses and resumes, and answers 404 for an unknown subscription', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const { id } = await subscribe(app, staff, { url: 'http://127.0.0.1:9/a', events: ['order.placed'], description: 'Before' });
    const before = await (await app.request(`/webhooks/subscriptions/${id}`, { token: staff })).json();
    await sleep(5);
    const patch = (body: unknown, subscriptionId = id) => app.request(`/webhooks/subscriptions/${subscriptionId}`, { method: 'PATCH', token: staff, json: body });

    const paused = await patch({ enabled: false });
    expect(paused.status).toBe(200);
    const afterPause = await paused.json();
    expect(afterPause).toEqual({ ...before, enabled: false, updatedAt: expect.any(String) });
    expect(afterPause.updatedAt > before.updatedAt).toBe(true);

    const changed = await patch({ url: 'http://127.0.0.1:9/b', events: ['stock.low', 'order.placed'], description: 'After', enabled: true });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ url: 'http://127.0.0.1:9/b', events: ['stock.low', 'order.placed'], description: 'After', enabled: true });
    const cleared = await patch({ description: null });
    expect([cleared.status, (await cleared.json()).description]).toEqual([200, null]);

    const unknown = await patch({ enabled: false }, 'whk_NoSuchSubscription1');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ type: 'https://pizza-place.example/problems/not-found', detail: 'There is no webhook subscription whk_NoSuchSubscription1.' });
    expect((await patch({})).status).toBe(422);
    expect((await patch({ url: 'ftp://127.0.0.1/' })).status).toBe(422);
  });

  it('deletes a subscription with its deliveries: 204, then 404 for it and its deliveries', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const { id } = await subscribe(app, staff, { url: 'http://127.0.0.1:9/hooks' });
    // Nothing listens on port 9: the delivery fails once and waits a minute for its retry.
    const worker = startWorker(app, { retryDelaysMs: [60_000] });
    await placeOrder(app, customer);
    await until(() => deliveries(app, staff, id), (list) => list.length === 1);
    await worker.worker.stop();

    const deleted = await app.request(`/webhooks/subscriptions/${id}`, { method: 'DELETE', token: staff });
    expect(deleted.status).toBe(204);
    expect(await app.db.selectFrom('webhook_deliveries').selectAll().execute()).toEqual([]);
    for (const path of [`/webhooks/subscriptions/${id}`, `/webhooks/subscriptions/${id}/deliveries`]) {
      expect((await app.request(path, { token: staff })).status).toBe(404);
    }
    expect((await app.request(`/webhooks/subscriptions/${id}`, { method: 'DELETE', token: staff })).status).toBe(404);
  });

  it('rotates the secret: a new one, the previous valid for 24 hours more, 404 for an unknown subscription', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const { id, secret } = await subscribe(app, staff, { url: 'http://127.0.0.1:9/hooks' });
    const rotated = await app.request(`/webhooks/subscriptions/${id}/secret`, { method: 'POST', token: staff });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const body = await rotated.json();
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(body.secret).not.toBe(secret);
    expect(Math.abs(Date.parse(body.previousSecretExpiresAt) - (Date.now() + 24 * 60 * 60 * 1000))).toBeLessThan(60_000);
    const row = await app.db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([row.secret, row.previous_secret]).toEqual([body.secret, secret]);
    expect((await app.request('/webhooks/subscriptions/whk_NoSuchSubscription1/secret', { method: 'POST', token: staff })).status).toBe(404);
  });

  it('is for staff only: 403 for a customer on every operation, 401 without a token', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const { id } = await subscribe(app, staff, { url: 'http://127.0.0.1:9/hooks' });
    const base = `/webhooks/subscriptions`;
    const calls: Array<[string, string, unknown?]> = [
      ['POST', base, { url: 'http://127.0.0.1:9/x', events: ['order.placed'] }],
      ['GET', base],
      ['GET', `${base}/${id}`],
      ['PATCH', `${base}/${id}`, { enabled: false }],
      ['DELETE', `${base}/${id}`],
      ['POST', `${base}/${id}/secret`],
      ['GET', `${base}/${id}/deliveries`],
      ['POST', `${base}/${id}/deliveries/dlv_NoSuchDelivery001/redeliver`],
    ];
    for (const [method, path, json] of calls) {
      const response = await app.request(path, { method, token: customer, ...(json !== undefined && { json }) });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
    }
    expect((await app.request(base, { token: undefined })).status).toBe(401);
    expect((await app.request(`${base}/${id}`, { token: staff })).status).toBe(200);
  });
});

describeEachDatabase('webhook URLs in production', (kind) => {
  const testApp = useTestApp(kind, { env: { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-at-least-32-chars', STAFF_PASSWORD: 'a long staff password' } });

  it('refuses http and URLs of private, loopback or link-local addresses with 422 pointing at /body/url', async () => {
    const app = testApp();
    expect(app.config.webhooks.allowPrivateUrls).toBe(false);
    const staff = await app.tokenFor('staff');
    const refused: Array<[string, RegExp]> = [
      ['http://93.184.215.14/hooks', /^Must be an https URL/],
      ['https://127.0.0.1/hooks', /127\.0\.0\.1 is a loopback address/],
      ['https://localhost:8443/hooks', /^localhost resolves to (127\.0\.0\.1|::1), a loopback address/],
      ['https://10.1.2.3/hooks', /10\.1\.2\.3 is a private address/],
      ['https://192.168.1.20/hooks', /a private address/],
      ['https://172.20.0.1/hooks', /a private address/],
      ['https://100.64.0.1/hooks', /carrier-grade NAT/],
      ['https://169.254.169.254/latest/meta-data', /a link-local address/],
      ['https://[::1]/hooks', /::1 is a loopback address/],
      ['https://[fd00::1]/hooks', /unique local/],
      ['https://[::ffff:10.0.0.1]/hooks', /IPv4-mapped/],
      ['https://0.0.0.0/hooks', /unspecified/],
      ['https://2130706433/hooks', /127\.0\.0\.1 is a loopback address/],
      ['https://user:pass@93.184.215.14/hooks', /user name or password/],
    ];
    for (const [url, message] of refused) {
      const response = await app.request('/webhooks/subscriptions', { method: 'POST', token: staff, json: { url, events: ['order.placed'] } });
      expect({ url, status: response.status }).toEqual({ url, status: 422 });
      const problem = await response.json();
      expect(problem).toMatchObject({ type: 'https://pizza-place.example/problems/validation-failed', errors: [{ pointer: '/body/url' }] });
      expect(problem.errors[0].detail).toMatch(message);
    }
    expect(await app.db.selectFrom('webhook_subscriptions').selectAll().execute()).toEqual([]);

    const created = await subscribe(app, staff, { url: 'https://93.184.215.14/hooks' });
    const moved = await app.request(`/webhooks/subscriptions/${created.id}`, { method: 'PATCH', token: staff, json: { url: 'https://10.0.0.8/hooks' } });
    expect(moved.status).toBe(422);
    expect(await moved.json()).toMatchObject({ errors: [{ pointer: '/body/url', detail: expect.stringMatching(/10\.0\.0\.8 is a private address/) }] });
  });
});

describeEachDatabase('webhook delivery', (kind) => {
  const testApp = useTestApp(kind, { env: fastDelivery });

  it('delivers every event type signed; each verifies with verifyWebhook and is the outbox event, byte for byte', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const endpoint = await receiver();
    const { id: subscriptionId, secret } = await subscribe(app, staff, { url: endpoint.url });
    startWorker(app);

    await setStock(app, ingredients.dough, 5_200); // a medium margherita takes 250 g: below the 5,000 g threshold
    const order = await placeOrder(app, customer); // order.placed, stock.low
    expect((await postPayment(app, customer, order.id, 'tok_visa')).status).toBe(201); // payment.succeeded, order.status_changed
    const cancelled = await app.request(`/orders/${order.id}/cancel`, { method: 'POST', token: staff, json: { reason: 'Oven broke down.' } });
    expect(cancelled.status).toBe(200); // order.status_changed, payment.refunded

    const received = await endpoint.waitFor(6);
    const outbox = new Map((await app.db.selectFrom('webhook_events').select(['id', 'payload']).execute()).map((row) => [row.id, row.payload]));
    const types: string[] = [];
    for (const request of received) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toMatch(/^PizzaPlace-Webhooks\//);
      expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      const { data: event, error } = await verifyWebhook(secret, request.headers, request.body);
      expect(error).toBeUndefined();
      expect(event!.id).toBe(request.headers['webhook-id']);
      expect(request.body).toBe(outbox.get(event!.id));
      types.push(event!.type);
    }
    expect(types.sort()).toEqual(['order.placed', 'order.status_changed', 'order.status_changed', 'payment.refunded', 'payment.succeeded', 'stock.low']);

    const list = await until(() => deliveries(app, staff, subscriptionId), (all) => all.length === 6 && all.every((d) => d.status === 'succeeded'));
    for (const delivery of list) {
      expect(delivery).toMatchObject({ attempts: 1, lastResponseStatus: 204, lastError: null, nextAttemptAt: null, lastAttemptAt: expect.any(String) });
    }
    await sleep(200);
    expect(endpoint.received).toHaveLength(6);
  });

  it('retries a receiver that answers 500 twice: three attempts with one webhook-id, and the delivery shows them', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const endpoint = await receiver((index) => (index < 2 ? { status: 500, body: 'database down\n' } : { status: 200 }));
    const { id, secret } = await subscribe(app, staff, { url: endpoint.url, events: ['order.placed'] });
    const { logs } = startWorker(app);
    await placeOrder(app, customer);

    const attempts = await endpoint.waitFor(3);
    expect(new Set(attempts.map((request) => request.headers['webhook-id'])).size).toBe(1);
    for (const request of attempts) expect((await verifyWebhook(secret, request.headers, request.body)).error).toBeUndefined();
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(70); // 100 ms ± 20 %
    const [delivery] = await until(() => deliveries(app, staff, id), ([first]) => first?.status === 'succeeded');
    expect(delivery).toMatchObject({ eventId: attempts[0]!.headers['webhook-id'], eventType: 'order.placed', attempts: 3, lastResponseStatus: 200, lastError: null, nextAttemptAt: null });
    const failures = logs().filter((line) => line.msg === 'webhook delivery attempt failed; retrying');
    expect(failures.map((line) => [line.attempt, line.responseStatus, line.error])).toEqual([
      [1, 500, 'database down'],
      [2, 500, 'database down'],
    ]);
    await sleep(200);
    expect(endpoint.received).toHaveLength(3);
  });

  it('times out a receiver that hangs, and tries again with the same webhook-id', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const endpoint = await receiver((index) => (index === 0 ? 'hang' : { status: 204 }));
    const { id } = await subscribe(app, staff, { url: endpoint.url, events: ['order.placed'] });
    const { logs } = startWorker(app, { timeoutMs: 300 });
    await placeOrder(app, customer);

    const [hung, retried] = await endpoint.waitFor(2);
    expect(retried!.headers['webhook-id']).toBe(hung!.headers['webhook-id']);
    expect(retried!.at - hung!.at).toBeGreaterThanOrEqual(300);
    const [delivery] = await until(() => deliveries(app, staff, id), ([first]) => first?.status === 'succeeded');
    expect(delivery).toMatchObject({ attempts: 2, lastResponseStatus: 204 });
    expect(logs().find((line) => line.msg === 'webhook delivery attempt failed; retrying')).toMatchObject({ responseStatus: null, error: 'no answer within 300 ms' });
  });

  it('keeps only a short excerpt of a failed answer, and when the next attempt is due', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const endpoint = await receiver(() => ({ status: 502, body: `Bad gateway\u0000\u001b[31m ${'x'.repeat(200_000)}` }));
    const { id } = await subscribe(app, staff, { url: endpoint.url, events: ['order.placed'] });
    startWorker(app, { retryDelaysMs: [60_000] });
    await placeOrder(app, customer);

    const [delivery] = await until(() => deliveries(app, staff, id), ([first]) => first?.lastResponseStatus === 502);
    expect(delivery!.status).toBe('pending');
    expect(delivery!.lastError).toMatch(/^Bad gateway \[31m x+…$/);
    expect(delivery!.lastError!.length).toBeLessThanOrEqual(300);
    const dueIn = Date.parse(delivery!.nextAttemptAt!) - Date.now();
    expect(dueIn).toBeGreaterThan(40_000);
    expect(dueIn).toBeLessThanOrEqual(72_000);
  });

  it('signs with the new and the previous secret during the grace period after a rotation, then with the new one only', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const endpoint = await receiver();
    const { id, secret: previous } = await subscribe(app, staff, { url: endpoint.url, events: ['order.placed'] });
    const { secret: current } = await (await app.request(`/webhooks/subscriptions/${id}/secret`, { method: 'POST', token: staff })).json();
    startWorker(app);

    await placeOrder(app, customer);
    const [during] = await endpoint.waitFor(1);
    const signatures = String(during!.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    expect((await verifyWebhook(current, during!.headers, during!.body)).error).toBeUndefined();
    expect((await verifyWebhook(previous, during!.headers, during!.body)).error).toBeUndefined();
    // The new secret's signature comes first, and each one alone is the signature of its own secret.
    expect((await verifyWebhook(current, { ...during!.headers, 'webhook-signature': signatures[0] }, during!.body)).error).toBeUndefined();
    expect((await verifyWebhook(previous, { ...during!.headers, 'webhook-signature': signatures[1] }, during!.body)).error).toBeUndefined();

    await app.db.updateTable('webhook_subscriptions').set({ previous_secret_expires_at: toTimestamp(new Date(Date.now() - 1000)) }).where('id', '=', id).execute();
    await placeOrder(app, customer);
    const [, after] = await endpoint.waitFor(2);
    expect(String(after!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect((await verifyWebhook(current, after!.headers, after!.body)).error).toBeUndefined();
    expect((await verifyWebhook(previous, after!.headers, after!.body)).error?.kind).toBe('invalid-signature');
  });

  it('redelivers with the same webhook-id (202), and answers 404 for a delivery that is not the subscription\'s', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const endpoint = await receiver();
    const { id } = await subscribe(app, staff, { url: endpoint.url, events: ['order.placed'] });
    const other = await subscribe(app, staff, { url: `${endpoint.url}/other`, events: ['stock.low'] });
    startWorker(app);
    await placeOrder(app, customer);
    const [delivered] = await until(() => deliveries(app, staff, id), ([first]) => first?.status === 'succeeded');

    const redeliver = (subscriptionId: string, deliveryId: string) =>
      app.request(`/webhooks/subscriptions/${subscriptionId}/deliveries/${deliveryId}/redeliver`, { method: 'POST', token: staff });
    expect((await redeliver(other.id, delivered!.id)).status).toBe(404);
    const unknown = await redeliver(id, 'dlv_NoSuchDelivery001');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ detail: `There is no delivery dlv_NoSuchDelivery001 of webhook subscription ${id}.` });

    const queued = await redeliver(id, delivered!.id);
    expect(queued.status).toBe(202);
    expect(await queued.json()).toMatchObject({ id: delivered!.id, eventId: delivered!.eventId, status: 'pending', attempts: 1, nextAttemptAt: expect.any(String) });
    const [first, second] = await endpoint.waitFor(2);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    const [again] = await until(() => deliveries(app, staff, id), ([only]) => only?.status === 'succeeded' && only.attempts === 2);
    expect(again).toMatchObject({ id: delivered!.id, lastResponseStatus: 204 });
  });

  it('gives up when the next retry would come more than 24 hours after the first attempt; a redelivery starts a new round', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const endpoint = await receiver((index) => (index < 2 ? { status: 503 } : { status: 204 }));
    const { id } = await subscribe(app, staff, { url: endpoint.url, events: ['order.placed'] });
    const { logs } = startWorker(app, { retryDelaysMs: [1_500] });
    await placeOrder(app, customer);

    const [pending] = await until(() => deliveries(app, staff, id), ([first]) => first?.lastResponseStatus === 503);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastError: 'answered 503 with an empty body' });
    // As if the round had begun 24 hours ago: the attempt now due is its last, since the next pause would end past it.
    const dayAgo = toTimestamp(new Date(Date.now() - 24 * 60 * 60 * 1000));
    await app.db.updateTable('webhook_deliveries').set({ round_started_at: dayAgo }).where('id', '=', pending!.id).execute();

    const [failed] = await until(() => deliveries(app, staff, id), ([first]) => first?.status !== 'pending');
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, lastResponseStatus: 503, nextAttemptAt: null });
    expect(logs().some((line) => line.msg === 'webhook delivery failed for good: retries ran out' && line.deliveryId === pending!.id)).toBe(true);

    const redelivered = await app.request(`/webhooks/subscriptions/${id}/deliveries/${pending!.id}/redeliver`, { method: 'POST', token: staff });
    expect(redelivered.status).toBe(202);
    const [succeeded] = await until(() => deliveries(app, staff, id), ([first]) => first?.status === 'succeeded');
    expect(succeeded).toMatchObject({ attempts: 3, lastResponseStatus: 204, lastError: null });
    expect(new Set((await endpoint.waitFor(3)).map((request) => request.headers['webhook-id'])).size).toBe(1);
    const row = await app.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', pending!.id).executeTakeFirstOrThrow();
    expect(row.round_attempts).toBe(1);
    expect(Date.now() - Date.parse(row.round_started_at)).toBeLessThan(60_000);
  });

  it('sends a subscription only the event types it asked for, and nothing that happened while it was paused', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const endpoint = await receiver();
    const payments = await subscribe(app, staff, { url: `${endpoint.url}?payments`, events: ['payment.succeeded'] });
    const orders = await subscribe(app, staff, { url: `${endpoint.url}?orders`, events: ['order.placed'] });
    const pause = (enabled: boolean) => app.request(`/webhooks/subscriptions/${orders.id}`, { method: 'PATCH', token: staff, json: { enabled } });
    expect((await pause(false)).status).toBe(200);
    startWorker(app);

    await placePaidOrder(app, customer);
    await until(() => deliveries(app, staff, payments.id), ([first]) => first?.status === 'succeeded');
    await until(() => app.db.selectFrom('webhook_events').select('id').where('dispatched_at', 'is', null).execute(), (rows) => rows.length === 0);
    await sleep(200);
    expect(endpoint.received.map((request) => [request.path, JSON.parse(request.body).type])).toEqual([['/hooks?payments', 'payment.succeeded']]);
    expect(await deliveries(app, staff, orders.id)).toEqual([]);

    expect((await pause(true)).status).toBe(200);
    const order = await placeOrder(app, customer);
    const [, resumed] = await endpoint.waitFor(2);
    expect([resumed!.path, JSON.parse(resumed!.body).data.id]).toEqual(['/hooks?orders', order.id]);
  });

  it('does not connect to a host that resolves to a private address when it is delivered to', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    let connections = 0;
    const listener: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => listener.close(() => resolve())));
    const { port } = listener.address() as AddressInfo;
    // Saved as if these URLs had passed the check when the subscription was made (a DNS answer that changed
    // since, or a setting that was on then): the worker checks again and refuses to connect.
    const ids = [];
    for (const url of [`https://localhost:${port}/hooks`, `https://127.0.0.1:${port}/hooks`, `http://93.184.215.14:${port}/hooks`]) {
      const row = await insertSubscription(app.db, { id: newId('whk'), url, events: toJsonText(['order.placed']), secret: newSigningSecret(), created_by: seededIds.staff });
      ids.push(row.id);
    }
    startWorker(app, { allowPrivateUrls: false, retryDelaysMs: [60_000] });
    await placeOrder(app, customer);

    const errors = [];
    for (const id of ids) {
      const [delivery] = await until(() => deliveries(app, staff, id), ([first]) => first?.lastError != null);
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: null });
      errors.push(delivery!.lastError);
    }
    expect(errors[0]).toMatch(/^not connected: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(errors[1]).toMatch(/^not sent: 127\.0\.0\.1 is a loopback address/);
    expect(errors[2]).toMatch(/^not sent: Must be an https URL/);
    expect(connections).toBe(0);
  });

  it('lists a subscription\'s deliveries newest first, a page at a time', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const endpoint = await receiver();
    const { id } = await subscribe(app, staff, { url: endpoint.url, events: ['order.placed'] });
    startWorker(app);
    for (let i = 0; i < 3; i++) {
      await placeOrder(app, customer);
      await endpoint.waitFor(i + 1);
    }
    const all = await until(() => deliveries(app, staff, id), (list) => list.length === 3);
    expect(all.map((delivery) => delivery.createdAt)).toEqual(all.map((delivery) => delivery.createdAt).sort().reverse());
    const first = await (await app.request(`/webhooks/subscriptions/${id}/deliveries?limit=2`, { token: staff })).json();
    expect(first.data.map((delivery: Delivery) => delivery.id)).toEqual(all.slice(0, 2).map((delivery) => delivery.id));
    const second = await (await app.request(`/webhooks/subscriptions/${id}/deliveries?limit=2&cursor=${first.nextCursor}`, { token: staff })).json();
    expect(second).toEqual({ data: [expect.objectContaining({ id: all[2]!.id })], nextCursor: null });
  });

  it('deletes finished deliveries and their events once older than the retention, and keeps the rest', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const { id: subscriptionId } = await subscribe(app, staff, { url: 'http://127.0.0.1:9/hooks', events: ['stock.low'] });
    const old = toTimestamp(new Date(Date.now() - 31 * 24 * 60 * 60 * 1000));
    const recent = toTimestamp(new Date(Date.now() - 24 * 60 * 60 * 1000));
    const event = (id: string, at: string) => ({ id, type: 'stock.low' as const, payload: '{}', occurred_at: at, dispatched_at: at });
    await app.db.insertInto('webhook_events').values([event('evt_OldDelivered0001', old), event('evt_OldStillPending1', old), event('evt_RecentDelivered1', recent)]).execute();
    const delivery = (id: string, eventId: string, status: 'succeeded' | 'pending', at: string) => ({
      id,
      subscription_id: subscriptionId,
      event_id: eventId,
      event_type: 'stock.low' as const,
      status,
      attempts: 1,
      round_started_at: status === 'pending' ? toTimestamp(new Date()) : at,
      next_attempt_at: status === 'pending' ? toTimestamp(new Date(Date.now() + 60 * 60 * 1000)) : null,
      last_attempt_at: at,
      created_at: at,
    });
    await app.db
      .insertInto('webhook_deliveries')
      .values([
        delivery('dlv_OldDelivered0001', 'evt_OldDelivered0001', 'succeeded', old),
        delivery('dlv_OldStillPending1', 'evt_OldStillPending1', 'pending', old),
        delivery('dlv_RecentDelivered1', 'evt_RecentDelivered1', 'succeeded', recent),
      ])
      .execute();
    const { logs } = startWorker(app);

    await until(() => app.db.selectFrom('webhook_events').select('id').orderBy('id').execute(), (rows) => rows.length === 2);
    expect((await app.db.selectFrom('webhook_events').select('id').orderBy('id').execute()).map((row) => row.id)).toEqual(['evt_OldStillPending1', 'evt_RecentDelivered1']);
    expect((await app.db.selectFrom('webhook_deliveries').select('id').orderBy('id').execute()).map((row) => row.id)).toEqual(['dlv_OldStillPending1', 'dlv_RecentDelivered1']);
    expect(logs().find((line) => line.msg === 'old webhook deliveries and events deleted')).toMatchObject({ deliveries: 1, events: 1 });
  });

  it('logs a warning when private URLs are allowed in production', async () => {
    const app = testApp();
    const { logs, worker } = startWorker(app, { allowPrivateUrls: true });
    await worker.stop();
    expect(logs().some((line) => line.level === 40)).toBe(false);
    const production = { ...app, config: { ...app.config, environment: 'production' as const } };
    const warned = startWorker(production, { allowPrivateUrls: true });
    await warned.worker.stop();
    expect(warned.logs()).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringContaining('WEBHOOK_ALLOW_PRIVATE_URLS is on in production') }));
  });
});
