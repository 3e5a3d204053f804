import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  advanceOrderStatus, createPizzaPlaceClient, isPizzaPlaceError, isProblem, issueToken, payOrder, placeOrder, registerCustomer, watchOrder,
  type PizzaPlaceClient, type PizzaPlaceClientOptions, type TrackedOrderEvent,
} from '../sdk/index.ts';
import type { Config } from '../server/config.ts';
import { describeEachDatabase, useTestDatabase } from './support/database.ts';
import { freePort } from './support/free-port.ts';
import { deliveryOrder } from './support/orders.ts';
import { postgresUnavailableReason } from './support/postgres.ts';
import { startMock } from './support/prism.ts';
import { problem, startScriptedServer, type Answer } from './support/scripted-server.ts';
import { databaseEnv, startServerProcess, stopServerProcess, waitUntilLive, type ServerProcess } from './support/server-process.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const kitchen = ['preparing', 'baking', 'ready', 'out_for_delivery', 'delivered'] as const;
/** Short reconnect waits, so that the tests of dropped connections take a second, not many. */
const quickRetry = { ORDER_STREAM_RETRY_MS: '200' };

async function signedIn(baseUrl: string, email: string, password: string, options: Partial<PizzaPlaceClientOptions> = {}): Promise<PizzaPlaceClient> {
  const { data } = await issueToken({ client: createPizzaPlaceClient({ baseUrl }), body: { email, password }, throwOnError: true });
  return createPizzaPlaceClient({ baseUrl, token: data.accessToken, ...options });
}

/** A new customer's client, and how to sign them in again elsewhere. */
async function newCustomer(baseUrl: string, options: Partial<PizzaPlaceClientOptions> = {}) {
  const customer = { email: `watcher-${randomUUID()}@example.com`, password: 'correct horse battery staple', name: 'Ada Watcher' };
  await registerCustomer({ client: createPizzaPlaceClient({ baseUrl }), body: customer, throwOnError: true });
  return { ...customer, client: await signedIn(baseUrl, customer.email, customer.password, options) };
}

/** A delivery order placed and paid (status `confirmed`) through the SDK. */
async function paidOrder(client: PizzaPlaceClient): Promise<string> {
  const { data: order } = await placeOrder({ client, body: deliveryOrder as never, throwOnError: true });
  await payOrder({ client, path: { orderId: order.id }, body: { paymentMethodToken: 'tok_visa' }, throwOnError: true });
  return order.id;
}

interface Watching {
  events: Array<TrackedOrderEvent & { at: number }>;
  /** Settles when the iteration ends: `undefined` when it ended by itself, else what it threw. */
  ended: Promise<unknown>;
  /** Resolves once `count` events have arrived; fails after `timeoutMs`. */
  received(count: number, timeoutMs?: number): Promise<void>;
}

/** Iterates `watchOrder` in the background, noting when each event arrives. */
function watch(iteration: AsyncIterable<TrackedOrderEvent>): Watching {
  const events: Watching['events'] = [];
  const ended = (async () => {
    for await (const event of iteration) events.push({ ...event, at: performance.now() });
  })().then(
    () => undefined,
    (error: unknown) => error,
  );
  const received = async (count: number, timeoutMs = 5_000) => {
    const deadline = performance.now() + timeoutMs;
    while (events.length < count) {
      if (performance.now() > deadline) throw new Error(`${events.length} of ${count} events within ${timeoutMs} ms: ${events.map((event) => event.status)}`);
      await sleep(5);
    }
  };
  return { events, ended, received };
}

const statuses = (events: readonly TrackedOrderEvent[]) => events.map((event) => event.status);

/** A TCP relay to `target` whose connections can be cut, and new ones refused, to drop a stream mid-way. */
async function startRelay(target: URL): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((socket) => {
    if (refusing) return void socket.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.once('close', () => sockets.delete(end));
      end.on('error', () => undefined);
    }
    socket.pipe(upstream).pipe(socket);
    socket.once('close', () => upstream.destroy());
    upstream.once('close', () => socket.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    cut() {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      refusing = false;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('watchOrder through the SDK against the mock (pizza-place-mock)', () => {
  it("yields the contract's example stream as typed events and ends at its final status", { timeout: 60_000 }, async () => {
    const mock = await startMock();
    try {
      const client = createPizzaPlaceClient({ baseUrl: mock.url, token: 'any-token' });
      const watching = watch(watchOrder({ client, path: { orderId: 'ord_7Hk2QpX9mRt4' } }));
      expect(await watching.ended).toBeUndefined();
      expect(statuses(watching.events)).toEqual(['confirmed', ...kitchen]);
      expect(watching.events[0]).toMatchObject({ id: 'evt_Qm5Vx2Hb8Tn2', orderId: 'ord_7Hk2QpX9mRt4', previousStatus: 'awaiting_payment', occurredAt: '2025-06-14T18:06:30Z' });
    } finally {
      await mock.stop();
    }
  });
});

/** A 200 event stream written in these pieces, a little apart, so that the client reads them one by one. */
function eventStream(...pieces: string[]): Answer {
  return async (_, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (const piece of pieces) {
      res.write(piece);
      await sleep(10);
    }
    res.end();
  };
}

const trackingData = (status: string, previousStatus: string | null) =>
  JSON.stringify({ orderId: 'ord_7Hk2QpX9mRt4', status, previousStatus, occurredAt: '2025-06-14T18:12:00Z' });

describe('watchOrder through the SDK against a scripted server', () => {
  it('reads events however the bytes fall: CRLF, CR or LF, comments, data over several lines, other event types; honours Retry-After and retry:', { timeout: 20_000 }, async () => {
    const server = await startScriptedServer();
    try {
      server.script(
        problem(503, {}, { 'Retry-After': '1' }),
        eventStream(
          'retry: 50\r\n\r\n: keep-alive\r\n',
          'id: evt_Scripted0001\r',
          `\nevent: status\r\ndata: ${trackingData('confirmed', 'awaiting_payment')}\r\n\r`,
          '\nevent: ping\ndata: not for us\n\n',
          `id: evt_Scripted0002\revent: status\rdata: {"orderId":"ord_7Hk2QpX9mRt4",\rdata: "status":"ready","previousStatus":"confirmed","occurredAt":"2025-06-14T18:12:00Z"}\r\r`,
          `id: evt_Scripted0003\nevent: status\ndata: ${trackingData('out_for_delivery', 'ready')}`,
        ),
        eventStream(`id: evt_Scripted0004\nevent: status\ndata: ${trackingData('delivered', 'out_for_delivery')}\n\n`),
      );
      const client = createPizzaPlaceClient({ baseUrl: server.url, token: 'any-token' });
      const watching = watch(watchOrder({ client, path: { orderId: 'ord_7Hk2QpX9mRt4' } }));
      expect(await watching.ended).toBeUndefined();
      // The third event was cut off by the end of the stream before its blank line: dropped, and asked for again.
      expect(watching.events.map(({ id, status }) => [id, status])).toEqual([
        ['evt_Scripted0001', 'confirmed'],
        ['evt_Scripted0002', 'ready'],
        ['evt_Scripted0004', 'delivered'],
      ]);
      const [refused, first, second] = server.received;
      expect(first!.at - refused!.at).toBeGreaterThanOrEqual(990);
      expect(first!.headers['last-event-id']).toBeUndefined();
      expect(first!.headers.accept).toBe('text/event-stream');
      expect(first!.headers.authorization).toBe('Bearer any-token');
      expect(second!.headers['last-event-id']).toBe('evt_Scripted0002');
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(50);
    } finally {
      await server.close();
    }
  });

  it('ends with an invalid-response error when an event is not JSON', async () => {
    const server = await startScriptedServer();
    try {
      server.script(eventStream('id: evt_Scripted0001\nevent: status\ndata: <html>\n\n'));
      const client = createPizzaPlaceClient({ baseUrl: server.url, token: 'any-token' });
      const failure = await watch(watchOrder({ client, path: { orderId: 'ord_7Hk2QpX9mRt4' } })).ended;
      expect(isPizzaPlaceError(failure, 'invalid-response')).toBe(true);
    } finally {
      await server.close();
    }
  });
});

const describeOnPostgres = postgresUnavailableReason() ? describe.skip : describe;

describeOnPostgres('watchOrder through the SDK, two server processes on PostgreSQL', () => {
  const database = useTestDatabase('postgres');

  it('sees confirmed → preparing → baking → ready → out_for_delivery → delivered as staff advance the order on the other instance, each within 2 s, then ends', { timeout: 90_000 }, async () => {
    const { config } = database();
    const processes: ServerProcess[] = [];
    try {
      for (let i = 0; i < 2; i++) processes.push(startServerProcess({ ...databaseEnv(config), PORT: String(await freePort()), LOG_LEVEL: 'warn' }));
      await Promise.all(processes.map((started) => waitUntilLive(started)));
      const [watched, staffed] = processes as [ServerProcess, ServerProcess];
      const customer = await newCustomer(watched.url);
      const staff = await signedIn(staffed.url, config.staff.email, config.staff.password);
      const orderId = await paidOrder(customer.client);

      const watching = watch(watchOrder({ client: customer.client, path: { orderId } }));
      await watching.received(1);
      const latencies: number[] = [];
      for (const [step, status] of kitchen.entries()) {
        // Spread over the polling interval, as a kitchen would.
        await sleep(Math.random() * config.orderTracking.pollIntervalMs);
        await advanceOrderStatus({ client: staff, path: { orderId }, body: { status }, throwOnError: true });
        const committed = performance.now();
        await watching.received(step + 2, 2_000);
        latencies.push(watching.events[step + 1]!.at - committed);
      }
      expect(await watching.ended).toBeUndefined();
      expect(statuses(watching.events)).toEqual(['confirmed', ...kitchen]);
      expect(watching.events.every((event) => event.orderId === orderId && /^evt_/.test(event.id))).toBe(true);
      expect(Math.max(...latencies)).toBeLessThan(2_000);
      console.info(`[postgres] a change on one instance reached the SDK on the other in ${latencies.map(Math.round).join(', ')} ms (polling every ${config.orderTracking.pollIntervalMs} ms)`);
    } finally {
      await Promise.all(processes.map(stopServerProcess));
    }
  });
});

describeEachDatabase('watchOrder through the SDK against the real server', (kind) => {
  const database = useTestDatabase(kind, { env: quickRetry });

  /** The server over the test's database, with `settings` over its configuration. */
  function serve(settings: Partial<Config> = {}): Promise<TestServer> {
    return startTestServer(database().config, settings);
  }

  it('resumes after a dropped connection with Last-Event-ID: nothing missed, nothing repeated', { timeout: 30_000 }, async () => {
    const server = await serve();
    const relay = await startRelay(new URL(server.url));
    try {
      const sentLastEventIds: Array<string | null> = [];
      const customer = await newCustomer(relay.url, {
        fetch: (request, init) => {
          sentLastEventIds.push((request as Request).headers.get('Last-Event-ID'));
          return fetch(request, init);
        },
      });
      const staff = await signedIn(server.url, database().config.staff.email, database().config.staff.password);
      const orderId = await paidOrder(customer.client);
      sentLastEventIds.length = 0;
      const watching = watch(watchOrder({ client: customer.client, path: { orderId } }));
      await watching.received(1);
      await advanceOrderStatus({ client: staff, path: { orderId }, body: { status: 'preparing' }, throwOnError: true });
      await watching.received(2);

      relay.cut();
      await advanceOrderStatus({ client: staff, path: { orderId }, body: { status: 'baking' }, throwOnError: true });
      await advanceOrderStatus({ client: staff, path: { orderId }, body: { status: 'ready' }, throwOnError: true });
      await sleep(500); // reconnects fail meanwhile
      expect(watching.events.length).toBe(2);
      relay.restore();
      await watching.received(4, 10_000);
      await advanceOrderStatus({ client: staff, path: { orderId }, body: { status: 'out_for_delivery' }, throwOnError: true });
      await advanceOrderStatus({ client: staff, path: { orderId }, body: { status: 'delivered' }, throwOnError: true });

      expect(await watching.ended).toBeUndefined();
      expect(statuses(watching.events)).toEqual(['confirmed', ...kitchen]);
      expect(new Set(watching.events.map((event) => event.id)).size).toBe(6);
      expect(sentLastEventIds[0]).toBeNull();
      expect(sentLastEventIds.at(-1)).toBe(watching.events[1]!.id);
    } finally {
      await relay.close();
      await server.close();
    }
  });

  it("ends with a typed 404 for another customer's order, a 401 for a bad token, and a network error once retries run out", async () => {
    const server = await serve();
    try {
      const owner = await newCustomer(server.url);
      const orderId = await paidOrder(owner.client);
      const stranger = await newCustomer(server.url);
      const failure = async (iteration: AsyncIterable<TrackedOrderEvent>) => (await watch(iteration).ended) as unknown;

      const notYours = await failure(watchOrder({ client: stranger.client, path: { orderId } }));
      expect(isProblem(notYours, 404)).toBe(true);
      expect(notYours).toMatchObject({ kind: 'problem', status: 404, operation: 'GET /orders/{orderId}/events' });

      const badToken = await failure(watchOrder({ client: createPizzaPlaceClient({ baseUrl: server.url, token: 'not-a-token' }), path: { orderId } }));
      expect(isProblem(badToken, 401)).toBe(true);

      const nobody = `http://127.0.0.1:${await freePort()}`;
      const unreachable = await failure(watchOrder({ client: createPizzaPlaceClient({ baseUrl: nobody, token: 'any' }), path: { orderId }, retries: 0 }));
      expect(isPizzaPlaceError(unreachable, 'network')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('stops at once when aborted, connected or waiting to reconnect, and the server lets the stream go', async () => {
    const server = await serve();
    try {
      const customer = await newCustomer(server.url);
      const orderId = await paidOrder(customer.client);
      const controller = new AbortController();
      const watching = watch(watchOrder({ client: customer.client, path: { orderId }, signal: controller.signal }));
      await watching.received(1);
      controller.abort();
      expect(await watching.ended).toBeUndefined();
      await expect.poll(() => server.logs().some((line) => line.msg === 'order stream ended' && line.reason === 'client-gone')).toBe(true);

      const waiting = new AbortController();
      const nobody = createPizzaPlaceClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, token: 'any' });
      const reconnecting = watch(watchOrder({ client: nobody, path: { orderId }, signal: waiting.signal }));
      await sleep(100);
      const aborted = performance.now();
      waiting.abort();
      expect(await reconnecting.ended).toBeUndefined();
      expect(performance.now() - aborted).toBeLessThan(100);
    } finally {
      await server.close();
    }
  });

  it('is ended with a comment on graceful shutdown, without holding the shutdown, and resumes on the next instance', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const first = await serve({ port, shutdownTimeoutMs: 10_000 });
    const customer = await newCustomer(first.url);
    const orderId = await paidOrder(customer.client);
    const watching = watch(watchOrder({ client: customer.client, path: { orderId } }));
    await watching.received(1);

    const closing = performance.now();
    await first.close();
    expect(performance.now() - closing).toBeLessThan(2_000);
    expect(first.logs().find((line) => line.msg === 'order stream ended')).toMatchObject({ reason: 'shutdown' });

    const next = await serve({ port });
    try {
      const staff = await signedIn(next.url, database().config.staff.email, database().config.staff.password);
      for (const status of kitchen) await advanceOrderStatus({ client: staff, path: { orderId }, body: { status }, throwOnError: true });
      expect(await watching.ended).toBeUndefined();
      expect(statuses(watching.events)).toEqual(['confirmed', ...kitchen]);
    } finally {
      await next.close();
    }
  });

  it('ends at once when resumed after the final event, and when the order is already delivered', async () => {
    const server = await serve();
    try {
      const sent: string[] = [];
      const counting: typeof fetch = (input, init) => {
        sent.push(input instanceof Request ? input.url : String(input));
        return fetch(input, init);
      };
      const customer = await newCustomer(server.url, { fetch: counting });
      const staff = await signedIn(server.url, database().config.staff.email, database().config.staff.password);
      const orderId = await paidOrder(customer.client);
      for (const status of kitchen) await advanceOrderStatus({ client: staff, path: { orderId }, body: { status }, throwOnError: true });

      const fresh = watch(watchOrder({ client: customer.client, path: { orderId } }));
      expect(await fresh.ended).toBeUndefined();
      expect(statuses(fresh.events)).toEqual(['delivered']);

      // The server answers 204 to a resumption after the final event: one request, no stream, no reconnection.
      sent.length = 0;
      const resumed = watch(watchOrder({ client: customer.client, path: { orderId }, lastEventId: fresh.events[0]!.id }));
      expect(await resumed.ended).toBeUndefined();
      expect(resumed.events).toEqual([]);
      expect(sent).toEqual([`${server.url}/orders/${orderId}/events`]);
    } finally {
      await server.close();
    }
  });
});
