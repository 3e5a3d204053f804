import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { zOrderTrackingEvent } from '../generated/zod.gen.ts';
import type { Config } from '../server/config.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase, useTestDatabase } from './support/database.ts';
import { advance, deliveryOrder, placeOrder, placePaidOrder, postPayment } from './support/orders.ts';
import { SseReader, type SseBlock } from './support/sse.ts';

/** The app over the test's database, with these order stream settings over the defaults. */
function appWith(database: Parameters<typeof createTestApp>[0], tracking: Partial<Config['orderTracking']> = {}): TestApp {
  const { config } = database;
  return createTestApp({ ...database, config: { ...config, orderTracking: { ...config.orderTracking, ...tracking } } });
}

function watch(app: TestApp, orderId: string, token: string, headers: Record<string, string> = {}): Promise<Response> {
  return app.request(`/orders/${orderId}/events`, { token, headers: { Accept: 'text/event-stream', ...headers } });
}

/** A status event's data, checked against the contract's `OrderTrackingEvent`. */
function trackingEvent(block: SseBlock | undefined) {
  expect(block?.event).toBe('status');
  expect(block?.id).toMatch(/^evt_/);
  return zOrderTrackingEvent.parse(JSON.parse(block!.data!));
}

async function statusesOf(reader: SseReader): Promise<string[]> {
  return (await reader.rest()).filter((block) => block.data !== undefined).map((block) => trackingEvent(block).status);
}

const deliverySteps = ['preparing', 'baking', 'ready', 'out_for_delivery', 'delivered'] as const;

describeEachDatabase('getOrder with ETag and If-None-Match', (kind) => {
  const database = useTestDatabase(kind);

  it.each([
    ['a small pickup order', undefined],
    ['a delivery order large enough to be compressed', deliveryOrder],
  ])('answers 304 with the same ETag and Vary as the 200 for %s, and a new ETag once the order changes', async (_, body) => {
    const app = appWith(database());
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer, body);
    for (const acceptEncoding of ['gzip, br', 'identity']) {
      const headers = { 'Accept-Encoding': acceptEncoding };
      const first = await app.request(`/orders/${order.id}`, { token: customer, headers });
      expect(first.status).toBe(200);
      const etag = first.headers.get('ETag');
      expect(etag).toMatch(/^(W\/)?"[A-Za-z0-9_-]{27}"$/);
      await first.arrayBuffer();

      const unchanged = await app.request(`/orders/${order.id}`, { token: customer, headers: { ...headers, 'If-None-Match': etag! } });
      expect(unchanged.status).toBe(304);
      expect(await unchanged.text()).toBe('');
      expect(unchanged.headers.get('ETag')).toBe(etag);
      expect(unchanged.headers.get('Vary')).toBe(first.headers.get('Vary'));
    }
    const compressed = await app.request(`/orders/${order.id}`, { token: customer, headers: { 'Accept-Encoding': 'gzip' } });
    expect(compressed.headers.get('Content-Encoding')).toBe(body ? 'gzip' : null);
    const etag = compressed.headers.get('ETag')!;

    expect((await postPayment(app, customer, order.id, 'tok_visa')).status).toBe(201);
    const changed = await app.request(`/orders/${order.id}`, { token: customer, headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { status: string }).status).toBe('confirmed');
    expect(changed.headers.get('ETag')).not.toBe(etag);
  });

  it("answers If-None-Match: * with 304, and another customer's order with 404 whatever the ETag", async () => {
    const app = appWith(database());
    const owner = await app.tokenFor('customer');
    const order = await placeOrder(app, owner);
    const own = await app.request(`/orders/${order.id}`, { token: owner });
    const etag = own.headers.get('ETag')!;
    expect((await app.request(`/orders/${order.id}`, { token: owner, headers: { 'If-None-Match': '*' } })).status).toBe(304);
    expect((await app.request(`/orders/${order.id}`, { token: owner, headers: { 'If-None-Match': `"other", ${etag}` } })).status).toBe(304);

    const stranger = await app.request(`/orders/${order.id}`, { token: await app.tokenFor('customer'), headers: { 'If-None-Match': etag } });
    expect(stranger.status).toBe(404);
    expect(stranger.headers.get('Content-Type')).toBe('application/problem+json');
    expect(stranger.headers.get('ETag')).toBeNull();
  });
});

describeEachDatabase('watchOrder, the order event stream', (kind) => {
  const database = useTestDatabase(kind);

  it('sends retry, the current status, then each change as it is committed, and ends after delivery', async () => {
    // Polling is slowed to a minute: only this instance's change notices can deliver the changes in time.
    const app = appWith(database(), { pollIntervalMs: 60_000 });
    const customer = await app.tokenFor('customer');
    const staff = await app.tokenFor('staff');
    const order = await placePaidOrder(app, customer, deliveryOrder);

    const response = await watch(app, order.id, customer, { 'Accept-Encoding': 'br, gzip' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/event-stream');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(response.headers.get('X-Accel-Buffering')).toBe('no');
    expect(response.headers.get('Content-Encoding')).toBeNull();
    const reader = new SseReader(response.body!);
    expect((await reader.next())?.retry).toBe(app.config.orderTracking.retryMs);
    const current = trackingEvent(await reader.next());
    expect(current).toEqual({ orderId: order.id, status: 'confirmed', previousStatus: 'awaiting_payment', occurredAt: expect.any(String) });

    let previous = 'confirmed';
    for (const status of deliverySteps) {
      const sent = performance.now();
      expect((await advance(app, staff, order.id, status)).status).toBe(200);
      const block = await reader.nextEvent(1_000);
      expect(trackingEvent(block)).toMatchObject({ orderId: order.id, status, previousStatus: previous });
      expect(block!.receivedAt - sent).toBeLessThan(500);
      previous = status;
    }
    expect(await reader.next()).toBeUndefined();
    expect(app.orderTracking.openStreams).toBe(0);
    const ended = app.logs().find((line) => line.msg === 'order stream ended');
    expect(ended).toMatchObject({ orderId: order.id, reason: 'final-status', eventsSent: 6 });
    expect(app.logs().filter((line) => line.msg === 'request' && line.path === `/orders/${order.id}/events`)).toEqual([
      expect.objectContaining({ method: 'GET', status: 200 }),
    ]);
  });

  it('resumes after Last-Event-ID with every later event, none repeated; an unknown id starts from the current status', async () => {
    const app = appWith(database());
    const customer = await app.tokenFor('customer');
    const staff = await app.tokenFor('staff');
    const order = await placePaidOrder(app, customer, deliveryOrder);
    const firstReader = new SseReader((await watch(app, order.id, customer)).body!);
    const seen = await firstReader.nextEvent();
    expect(trackingEvent(seen).status).toBe('confirmed');
    await firstReader.cancel();
    const seenId = seen!.id!;
    expect((await advance(app, staff, order.id, 'preparing', 'baking', 'ready')).status).toBe(200);

    const resumed = new SseReader((await watch(app, order.id, customer, { 'Last-Event-ID': seenId })).body!);
    const missed = [await resumed.nextEvent(), await resumed.nextEvent(), await resumed.nextEvent()].map(trackingEvent);
    expect(missed.map((event) => event.status)).toEqual(['preparing', 'baking', 'ready']);
    expect(missed.map((event) => event.previousStatus)).toEqual(['confirmed', 'preparing', 'baking']);
    expect((await advance(app, staff, order.id, 'out_for_delivery')).status).toBe(200);
    expect(trackingEvent(await resumed.nextEvent()).status).toBe('out_for_delivery');
    await resumed.cancel();

    const unknown = new SseReader((await watch(app, order.id, customer, { 'Last-Event-ID': 'evt_NoSuchEvent000000' })).body!);
    expect(trackingEvent(await unknown.nextEvent()).status).toBe('out_for_delivery');
    await unknown.cancel();

    expect((await advance(app, staff, order.id, 'delivered')).status).toBe(200);
    const lastId = (await app.db.selectFrom('order_events').select('id').where('order_id', '=', order.id).where('status', '=', 'delivered').executeTakeFirstOrThrow()).id;
    // Resumed after the final status: 204 and no stream, on which a browser's EventSource stops reconnecting.
    const afterTheEnd = await watch(app, order.id, customer, { 'Last-Event-ID': lastId });
    expect([afterTheEnd.status, await afterTheEnd.text(), afterTheEnd.headers.get('Cache-Control')]).toEqual([204, '', 'no-store']);
    await sleep(10);
    expect(app.orderTracking.openStreams).toBe(0);
  });

  it("answers another customer's order, an unknown order and a malformed Last-Event-ID with a problem before any stream; staff follow any order", async () => {
    const app = appWith(database());
    const owner = await app.tokenFor('customer');
    const order = await placePaidOrder(app, owner);

    for (const [response, status] of [
      [await watch(app, order.id, await app.tokenFor('customer')), 404],
      [await watch(app, 'ord_NoSuchOrder0000000', owner), 404],
      [await watch(app, order.id, owner, { 'Last-Event-ID': 'not an event id' }), 400],
      [await app.request(`/orders/${order.id}/events`), 401],
    ] as const) {
      expect(response.status).toBe(status);
      expect(response.headers.get('Content-Type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status });
    }
    expect(app.orderTracking.openStreams).toBe(0);

    const staffReader = new SseReader((await watch(app, order.id, await app.tokenFor('staff'))).body!);
    expect(trackingEvent(await staffReader.nextEvent()).status).toBe('confirmed');
    await staffReader.cancel();
  });

  it('ends a pickup order at collected and a cancelled order at cancelled', async () => {
    const app = appWith(database());
    const customer = await app.tokenFor('customer');
    const staff = await app.tokenFor('staff');
    const pickup = await placePaidOrder(app, customer);
    const pickupStream = new SseReader((await watch(app, pickup.id, customer)).body!);
    expect((await advance(app, staff, pickup.id, 'preparing', 'baking', 'ready', 'collected')).status).toBe(200);
    expect(await statusesOf(pickupStream)).toEqual(['confirmed', 'preparing', 'baking', 'ready', 'collected']);

    const cancelled = await placePaidOrder(app, customer);
    const cancelledStream = new SseReader((await watch(app, cancelled.id, customer)).body!);
    expect((await app.request(`/orders/${cancelled.id}/cancel`, { method: 'POST', token: customer, json: {} })).status).toBe(200);
    expect(await statusesOf(cancelledStream)).toEqual(['confirmed', 'cancelled']);
  });

  it('delivers a change made through another instance within 2 seconds by polling', async () => {
    const db = database();
    const watching = appWith(db, { pollIntervalMs: 500 });
    const changing = appWith(db);
    const customer = await watching.tokenFor('customer');
    const staff = await changing.tokenFor('staff');
    const order = await placePaidOrder(changing, customer);
    const reader = new SseReader((await watch(watching, order.id, customer)).body!);
    expect(trackingEvent(await reader.nextEvent()).status).toBe('confirmed');
    const sent = performance.now();
    expect((await advance(changing, staff, order.id, 'preparing')).status).toBe(200);
    const block = await reader.nextEvent(2_000);
    expect(trackingEvent(block).status).toBe('preparing');
    expect(block!.receivedAt - sent).toBeLessThan(2_000);
    await reader.cancel();
  });

  it('sends a heartbeat comment while nothing happens, and ends a stream at its longest life with a comment', async () => {
    const app = appWith(database(), { heartbeatMs: 50, maxStreamMs: 1_000 });
    const customer = await app.tokenFor('customer');
    const order = await placePaidOrder(app, customer);
    const opened = performance.now();
    const blocks = await new SseReader((await watch(app, order.id, customer)).body!).rest(3_000);
    const lifetime = performance.now() - opened;
    expect(lifetime).toBeGreaterThanOrEqual(950);
    expect(lifetime).toBeLessThan(2_000);
    expect(blocks.filter((block) => block.comments.includes('keep-alive')).length).toBeGreaterThanOrEqual(10);
    expect(blocks.at(-1)?.comments[0]).toMatch(/reconnect with Last-Event-ID/);
    expect(app.orderTracking.openStreams).toBe(0);
  });

  it('refuses a stream beyond the cap with 503 and Retry-After, and has room again once a client goes away', async () => {
    const app = appWith(database(), { maxStreams: 1 });
    const customer = await app.tokenFor('customer');
    const order = await placePaidOrder(app, customer);
    const first = new SseReader((await watch(app, order.id, customer)).body!);
    await first.nextEvent();

    const refused = await watch(app, order.id, customer);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ type: 'https://pizza-place.example/problems/service-unavailable', status: 503 });

    await first.cancel();
    expect(app.orderTracking.openStreams).toBe(0);
    const again = await watch(app, order.id, customer);
    expect(again.status).toBe(200);
    await again.body!.cancel();
  });

  it('ends every open stream with a comment when the instance shuts down, and refuses new ones', async () => {
    const app = appWith(database());
    const customer = await app.tokenFor('customer');
    const order = await placePaidOrder(app, customer);
    const reader = new SseReader((await watch(app, order.id, customer)).body!);
    await reader.nextEvent();
    app.orderTracking.close();
    const [last, end] = [await reader.next(), await reader.next()];
    expect(last?.comments[0]).toMatch(/shutting down; reconnect with Last-Event-ID/);
    expect(end).toBeUndefined();
    const refused = await watch(app, order.id, customer);
    expect(refused.status).toBe(503);
    await refused.body?.cancel();
  });

  it('counts the stream as one request against the rate limit, however many events it carries', async () => {
    const app = appWith(database());
    const customer = await app.tokenFor('customer');
    const staff = await app.tokenFor('staff');
    const order = await placePaidOrder(app, customer);
    const remaining = (response: Response) => Number(response.headers.get('RateLimit')?.match(/r=(\d+)/)?.[1]);
    const response = await watch(app, order.id, customer);
    const reader = new SseReader(response.body!);
    expect((await advance(app, staff, order.id, 'preparing', 'baking')).status).toBe(200);
    expect([await reader.nextEvent(), await reader.nextEvent(), await reader.nextEvent()].map((block) => trackingEvent(block).status)).toEqual([
      'confirmed',
      'preparing',
      'baking',
    ]);
    const next = await app.request(`/orders/${order.id}`, { token: customer });
    // The two status changes and this read: the stream and its three events were one request.
    expect(remaining(next)).toBe(remaining(response) - 3);
    await reader.cancel();
  });
});
