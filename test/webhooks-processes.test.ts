import { expect, it, onTestFinished } from 'vitest';
import { verifyWebhook } from '../sdk/index.ts';
import { pickupMargherita } from './support/orders.ts';
import { describeEachDatabase, useTestDatabase, type TestDatabase } from './support/database.ts';
import { freePort } from './support/free-port.ts';
import { databaseEnv, startServerProcess, stopServerProcess, waitUntilLive, type ServerProcess } from './support/server-process.ts';
import { startWebhookReceiver, type Reply, type WebhookReceiver } from './support/webhook-receiver.ts';

const json = { 'content-type': 'application/json' };

/** A server process on the test database whose worker retries fast; stopped (if still running) after the test. */
async function startInstance(database: TestDatabase, env: Record<string, string> = {}): Promise<ServerProcess> {
  const started = startServerProcess({
    ...databaseEnv(database.config),
    PORT: String(await freePort()),
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '100000',
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_RETRY_DELAYS_MS: '200',
    WEBHOOK_POLL_INTERVAL_MS: '100',
    ...env,
  });
  onTestFinished(() => stopServerProcess(started).then(() => undefined));
  await waitUntilLive(started);
  return started;
}

async function signIn(instance: ServerProcess, email: string, password: string): Promise<Record<string, string>> {
  const response = await fetch(`${instance.url}/auth/token`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
  expect(response.status).toBe(200);
  const { accessToken } = (await response.json()) as { accessToken: string };
  return { ...json, authorization: `Bearer ${accessToken}` };
}

async function customerOf(instance: ServerProcess): Promise<Record<string, string>> {
  const customer = { email: `webhooks-${Date.now()}@example.com`, password: 'a customer password', name: 'Ada Lovelace' };
  expect((await fetch(`${instance.url}/accounts`, { method: 'POST', headers: json, body: JSON.stringify(customer) })).status).toBe(201);
  return signIn(instance, customer.email, customer.password);
}

async function subscribe(instance: ServerProcess, staff: Record<string, string>, url: string): Promise<{ id: string; secret: string }> {
  const body = { url, events: ['order.placed', 'order.status_changed', 'payment.succeeded', 'payment.refunded', 'stock.low'] };
  const response = await fetch(`${instance.url}/webhooks/subscriptions`, { method: 'POST', headers: staff, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; secret: string };
}

async function placeOrder(instance: ServerProcess, customer: Record<string, string>, key: string): Promise<string> {
  const response = await fetch(`${instance.url}/orders`, { method: 'POST', headers: { ...customer, 'idempotency-key': key }, body: JSON.stringify(pickupMargherita) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function receiver(reply?: (index: number) => Reply, port?: number): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(reply, port);
  onTestFinished(() => started.close());
  return started;
}

async function deliveryRows(database: TestDatabase) {
  return database.db.selectFrom('webhook_deliveries').select(['event_id', 'status', 'attempts']).execute();
}

describeEachDatabase('webhook delivery across server processes', (kind) => {
  const database = useTestDatabase(kind);

  it('delivers after the server is killed (SIGKILL) mid-attempt: the lease runs out and the next server sends it again, same webhook-id', { timeout: 60_000 }, async () => {
    const db = database();
    let first: ServerProcess | undefined;
    const endpoint = await receiver((index) => {
      if (index > 0) return { status: 204 };
      first!.child.kill('SIGKILL');
      return 'hang';
    });
    first = await startInstance(db);
    const { staff: account } = db.config;
    const staff = await signIn(first, account.email, account.password);
    const { secret } = await subscribe(first, staff, endpoint.url);
    const customer = await customerOf(first);
    const orderId = await placeOrder(first, customer, 'killed-mid-attempt');

    await endpoint.waitFor(1);
    await first.exited;
    expect(await deliveryRows(db)).toEqual([expect.objectContaining({ status: 'pending', attempts: 1 })]);

    await startInstance(db);
    const [lost, delivered] = await endpoint.waitFor(2, 30_000);
    expect(delivered!.headers['webhook-id']).toBe(lost!.headers['webhook-id']);
    const { data: event, error } = await verifyWebhook(secret, delivered!.headers, delivered!.body);
    expect(error).toBeUndefined();
    expect(event).toMatchObject({ type: 'order.placed', data: { id: orderId } });
    await expect.poll(() => deliveryRows(db), { timeout: 10_000 }).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 2 })]);
  });

  it('delivers an event whose server was killed (SIGKILL) right after the change, once a server runs again', { timeout: 60_000 }, async () => {
    const db = database();
    const port = await freePort(); // nothing listens there until the receiver starts, after the kill
    const first = await startInstance(db);
    const { staff: account } = db.config;
    const staff = await signIn(first, account.email, account.password);
    const { secret } = await subscribe(first, staff, `http://127.0.0.1:${port}/hooks`);
    const customer = await customerOf(first);
    const orderId = await placeOrder(first, customer, 'killed-after-change');
    first.child.kill('SIGKILL');
    await first.exited;

    const endpoint = await receiver(undefined, port);
    await startInstance(db);
    const [delivered] = await endpoint.waitFor(1, 30_000);
    const { data: event, error } = await verifyWebhook(secret, delivered!.headers, delivered!.body);
    expect(error).toBeUndefined();
    expect(event).toMatchObject({ type: 'order.placed', data: { id: orderId } });
    await expect.poll(() => deliveryRows(db), { timeout: 10_000 }).toEqual([expect.objectContaining({ status: 'succeeded' })]);
    expect(endpoint.received).toHaveLength(1);
  });

  it('shares the work between two instances and delivers each event exactly once', { timeout: 120_000 }, async () => {
    const db = database();
    const endpoint = await receiver();
    const instances = [await startInstance(db, { WEBHOOK_CONCURRENCY: '4', WEBHOOK_POLL_INTERVAL_MS: '50' }), await startInstance(db, { WEBHOOK_CONCURRENCY: '4', WEBHOOK_POLL_INTERVAL_MS: '50' })];
    const { staff: account } = db.config;
    const staff = await signIn(instances[0]!, account.email, account.password);
    const { secret } = await subscribe(instances[0]!, staff, endpoint.url);
    const customer = await customerOf(instances[0]!);

    const orders = 40;
    for (let batch = 0; batch < orders; batch += 8) {
      await Promise.all(Array.from({ length: 8 }, (_, i) => placeOrder(instances[(batch + i) % 2]!, customer, `exactly-once-${batch + i}`)));
    }
    const events = await db.db.selectFrom('webhook_events').select('id').execute();
    expect(events.length).toBeGreaterThanOrEqual(orders);
    await expect
      .poll(async () => (await deliveryRows(db)).filter((row) => row.status === 'succeeded').length, { timeout: 60_000 })
      .toBe(events.length);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const perId = new Map<string, number>();
    for (const request of endpoint.received) {
      const id = String(request.headers['webhook-id']);
      perId.set(id, (perId.get(id) ?? 0) + 1);
      expect((await verifyWebhook(secret, request.headers, request.body)).error).toBeUndefined();
    }
    expect(new Set(perId.keys())).toEqual(new Set(events.map((event) => event.id)));
    expect([...perId.values()].every((count) => count === 1)).toBe(true);
    expect(await deliveryRows(db)).toEqual(events.map(() => expect.objectContaining({ status: 'succeeded', attempts: 1 })));
    const deliveredBy = instances.map((instance) => instance.output().split('\n').filter((line) => line.includes('"webhook delivered"')).length);
    expect(deliveredBy.reduce((sum, count) => sum + count, 0)).toBe(events.length);
    expect(deliveredBy.every((count) => count > 0)).toBe(true);
  });
});
