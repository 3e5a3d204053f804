import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cancelOrder, createPizzaPlaceClient, getMe, getOrder, isPizzaPlaceError, isProblem, listMenuItems,
  listOrders, pages, paginate, payOrder, placeOrder, ProblemError, type Order, type PizzaPlaceClientOptions,
} from '../sdk/index.ts';
import * as sdk from '../sdk/index.ts';
import { validators } from '../sdk/validation.ts';
import { after, hangUp, json, problem, startScriptedServer, type ScriptedServer } from './support/scripted-server.ts';
import { exampleOf, operations, successResponse } from './support/spec.ts';

const orderId = 'ord_7Hk2QpX9mRt4';
const order = exampleOf(successResponse(operations().find((op) => op.operationId === 'getOrder')!.operation).response.content['application/json']) as Order;
const orderBody = { lines: [{ itemId: 'itm_margherita01', size: 'medium' as const, quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' as const } };
const secret = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.do-not-leak';

describe('the SDK client against a scripted server', () => {
  let server: ScriptedServer;
  const clientFor = (options: Partial<PizzaPlaceClientOptions> = {}) =>
    createPizzaPlaceClient({ baseUrl: server.url, token: secret, retryDelay: 10, ...options });
  const gaps = () => server.received.slice(1).map((request, i) => request.at - server.received[i]!.at);

  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('typed errors', () => {
    it('returns a 409 as a problem error carrying the Problem, narrowed by isProblem', async () => {
      const shortages = [{ ingredientId: 'ing_mozzarella01', requested: 250, available: 100 }];
      server.script(problem(409, { detail: 'Not enough mozzarella.', shortages }));
      const { data, error } = await placeOrder({ client: clientFor(), body: orderBody });
      expect(data).toBeUndefined();
      expect(isProblem(error, 404)).toBe(false);
      if (!isProblem(error, 409)) throw new Error(`expected a 409 problem, got ${error}`);
      expect(error).toBeInstanceOf(ProblemError);
      expect(error).toMatchObject({ kind: 'problem', status: 409, title: 'Status 409', detail: 'Not enough mozzarella.', operation: 'POST /orders' });
      expect(error.problem).toMatchObject({ shortages });
      expect(error.response.status).toBe(409);
    });

    it('carries the validation errors[] of a 422', async () => {
      const errors = [{ pointer: '/lines/0/quantity', detail: 'must be at least 1' }];
      server.script(problem(422, { errors }));
      const { error } = await placeOrder({ client: clientFor(), body: orderBody });
      expect(error?.kind === 'problem' && error.status === 422 && error.errors).toEqual(errors);
    });

    it('makes a Problem from the status line of a non-Problem error body', async () => {
      server.script((_, res) => void res.writeHead(502, { 'Content-Type': 'text/html' }).end('<h1>Bad gateway</h1>'));
      const { error } = await getOrder({ client: clientFor(), path: { orderId } });
      expect(error).toMatchObject({ kind: 'problem', status: 502, title: 'Bad Gateway', type: 'about:blank' });
    });

    it('rejects with the same error when throwOnError is set, and resolves to the data otherwise', async () => {
      server.script(problem(404));
      await expect(getOrder({ client: clientFor(), path: { orderId }, throwOnError: true })).rejects.toMatchObject({ kind: 'problem', status: 404 });
      server.script(json(200, order));
      const { data } = await getOrder({ client: clientFor(), path: { orderId }, throwOnError: true });
      expect(data.id).toBe(orderId);
    });

    it('reports a refused connection as a network error', async () => {
      const { error } = await listMenuItems({ client: createPizzaPlaceClient({ baseUrl: 'http://127.0.0.1:9', retries: 0 }) });
      expect(error).toMatchObject({ kind: 'network', operation: 'GET /menu/items' });
      expect(isPizzaPlaceError(error, 'network')).toBe(true);
    });
  });

  describe('retries', () => {
    it('waits the Retry-After seconds of a 429, then succeeds', async () => {
      server.script(problem(429, {}, { 'Retry-After': '1' }), json(200, order));
      const { data, error } = await getOrder({ client: clientFor(), path: { orderId } });
      expect(error).toBeUndefined();
      expect(data?.id).toBe(orderId);
      expect(server.received).toHaveLength(2);
      expect(gaps()[0]).toBeGreaterThanOrEqual(950);
    });

    it('honours a Retry-After given as an HTTP date', async () => {
      const inTwoSeconds = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toUTCString();
      server.script(problem(503, {}, { 'Retry-After': inTwoSeconds }), json(200, order));
      const { error } = await getOrder({ client: clientFor(), path: { orderId } });
      expect(error).toBeUndefined();
      expect(gaps()[0]).toBeGreaterThanOrEqual(1000);
    });

    it('retries a 503 twice by default with growing backoff, then returns the last answer', async () => {
      server.script(problem(503));
      const { error } = await getOrder({ client: clientFor({ retryDelay: 100 }), path: { orderId } });
      expect(error).toMatchObject({ kind: 'problem', status: 503 });
      expect(server.received).toHaveLength(3);
      const [first, second] = gaps();
      expect(first).toBeGreaterThanOrEqual(50); // 100 ms ± jitter
      expect(second).toBeGreaterThanOrEqual(100); // 200 ms ± jitter
    });

    it('follows the retries option of the client and of the call', async () => {
      server.script(problem(503));
      await getOrder({ client: clientFor({ retries: 4 }), path: { orderId } });
      expect(server.received).toHaveLength(5);
      server.script(problem(503));
      await getOrder({ client: clientFor({ retries: 4 }), path: { orderId }, retries: 0 });
      expect(server.received).toHaveLength(1);
    });

    it('retries a GET after a network failure', async () => {
      server.script(hangUp, hangUp, json(200, order));
      const { error } = await getOrder({ client: clientFor(), path: { orderId } });
      expect(error).toBeUndefined();
      expect(server.received).toHaveLength(3);
    });

    it('does not retry a POST without an Idempotency-Key', async () => {
      server.script(problem(503));
      const { error } = await cancelOrder({ client: clientFor(), path: { orderId }, body: { reason: 'Changed my mind.' } });
      expect(error).toMatchObject({ kind: 'problem', status: 503 });
      expect(server.received).toHaveLength(1);
      server.script(hangUp);
      expect((await cancelOrder({ client: clientFor(), path: { orderId } })).error?.kind).toBe('network');
      expect(server.received).toHaveLength(1);
    });

    it('does not wait for a Retry-After longer than maxRetryDelay', async () => {
      server.script(problem(429, {}, { 'Retry-After': '120' }));
      const started = performance.now();
      const { error } = await getOrder({ client: clientFor(), path: { orderId } });
      expect(error).toMatchObject({ status: 429 });
      expect(server.received).toHaveLength(1);
      expect(performance.now() - started).toBeLessThan(1000);
    });
  });

  describe('idempotency', () => {
    it('gives placeOrder a generated Idempotency-Key and resends the same one on every retry', async () => {
      server.script(problem(503), hangUp, json(201, order));
      const { error } = await placeOrder({ client: clientFor(), body: orderBody });
      expect(error).toBeUndefined();
      const keys = server.received.map((request) => request.headers['idempotency-key']);
      expect(keys).toHaveLength(3);
      expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Set(keys).size).toBe(1);
      expect(server.received.every((request) => JSON.parse(request.body).lines.length === 1)).toBe(true);
    });

    it('uses a new key for each call, and the caller’s key when given', async () => {
      server.script(json(201, { id: 'pay_1' }));
      const client = clientFor();
      await payOrder({ client, path: { orderId }, body: { paymentMethodToken: 'tok_visa' } });
      await payOrder({ client, path: { orderId }, body: { paymentMethodToken: 'tok_visa' } });
      await payOrder({ client, path: { orderId }, headers: { 'Idempotency-Key': 'b1946ac9-2b3f-4c5e-9a7d-0123456789ab' }, body: { paymentMethodToken: 'tok_visa' } });
      const [first, second, third] = server.received.map((request) => request.headers['idempotency-key']);
      expect(first).not.toBe(second);
      expect(third).toBe('b1946ac9-2b3f-4c5e-9a7d-0123456789ab');
    });

    it('covers exactly the operations whose contract declares an Idempotency-Key header', () => {
      const declared = operations()
        .filter((op) => op.parameters.some((parameter) => parameter.in === 'header' && parameter.name === 'Idempotency-Key'))
        .map((op) => `${op.method.toUpperCase()} ${op.path}`);
      const marked = (Object.values(sdk) as unknown[])
        .map((value) => (typeof value === 'function' && 'route' in value ? (value.route as { method: string; url: string; idempotent: boolean }) : undefined))
        .filter((route) => route?.idempotent)
        .map((route) => `${route!.method} ${route!.url}`);
      expect(declared.length).toBeGreaterThan(2);
      expect(marked.sort()).toEqual(declared.sort());
    });
  });

  describe('timeouts and cancellation', () => {
    it('fails with a timeout when no answer comes within the call’s timeout', async () => {
      server.script(after(2000, json(200, order)));
      const started = performance.now();
      const { error } = await getOrder({ client: clientFor(), path: { orderId }, timeout: 150 });
      expect(error).toMatchObject({ kind: 'timeout' });
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it('times out even when the garbage collector runs while it waits', async () => {
      setFlagsFromString('--expose-gc');
      const collectGarbage = runInNewContext('gc') as () => void;
      const collecting = setInterval(collectGarbage, 20);
      try {
        server.script(after(1500, json(200, order)));
        const started = performance.now();
        const { error } = await getOrder({ client: clientFor(), path: { orderId }, timeout: 150 });
        expect(error).toMatchObject({ kind: 'timeout' });
        expect(performance.now() - started).toBeLessThan(1000);
      } finally {
        clearInterval(collecting);
      }
    });

    it('counts retries and waits against the same timeout', async () => {
      server.script(problem(503, {}, { 'Retry-After': '1' }));
      const { error } = await getOrder({ client: clientFor({ timeout: 300 }), path: { orderId } });
      expect(error).toMatchObject({ kind: 'timeout' });
      expect(server.received).toHaveLength(1);
    });

    it('stops at once, retries included, when the caller aborts', async () => {
      server.script(problem(503, {}, { 'Retry-After': '5' }));
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = performance.now();
      const { error } = await getOrder({ client: clientFor(), path: { orderId }, signal: controller.signal });
      expect(error).toMatchObject({ kind: 'aborted' });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(server.received).toHaveLength(1);
    });

    it('reports an abort while waiting for the answer as aborted, not as a network error', async () => {
      server.script(after(2000, json(200, order)));
      const { error } = await getOrder({ client: clientFor(), path: { orderId }, signal: AbortSignal.timeout(100) });
      expect(error?.kind).toBe('aborted');
    });
  });

  describe('auth', () => {
    it('asks an async token provider before every secured call, so a refreshed token is used', async () => {
      let issued = 0;
      const client = clientFor({ token: async () => (await new Promise((r) => setTimeout(r, 5)), `token-${++issued}`) });
      server.script(json(200, { id: 'usr_1' }));
      await getMe({ client });
      await getMe({ client });
      await listMenuItems({ client });
      expect(server.received.map((request) => request.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2', undefined]);
    });

    it.each([
      ['a problem', problem(401, { detail: 'The token has expired.' })],
      ['a network failure', hangUp],
      ['a timeout', after(1000, json(200, {}))],
      ['a response that breaks the contract', json(200, { id: 42 })],
    ])('keeps the token out of %s, serialised or logged', async (_, answer) => {
      server.script(answer);
      const { error } = await getMe({ client: clientFor({ validation: validators, retries: 0, timeout: 200 }) });
      expect(isPizzaPlaceError(error)).toBe(true);
      for (const text of [JSON.stringify(error), String(error), error?.message, error?.stack, inspect(error, { depth: 10, showHidden: true })]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain('c2VjcmV0LXRva2Vu');
      }
    });
  });

  describe('pagination', () => {
    const pageOf = (ids: string[], nextCursor: string | null) => json(200, { data: ids.map((id) => ({ ...order, id })), nextCursor });

    it('walks every page with for await, passing each nextCursor and keeping the query', async () => {
      server.script(pageOf(['ord_1', 'ord_2'], 'c2'), pageOf(['ord_3', 'ord_4'], 'c3'), pageOf(['ord_5'], null));
      const ids: string[] = [];
      for await (const { id } of paginate(listOrders, { client: clientFor(), query: { limit: 2, status: 'delivered' } })) ids.push(id);
      expect(ids).toEqual(['ord_1', 'ord_2', 'ord_3', 'ord_4', 'ord_5']);
      expect(server.received.map((request) => request.url.search)).toEqual([
        '?limit=2&status=delivered',
        '?limit=2&status=delivered&cursor=c2',
        '?limit=2&status=delivered&cursor=c3',
      ]);
    });

    it('gives one page at a time and fetches the next only when asked', async () => {
      server.script(pageOf(['ord_1'], 'c2'), pageOf(['ord_2'], null));
      const iterator = pages(listOrders, { client: clientFor() });
      const first = await iterator.next();
      expect(first.value).toMatchObject({ data: [{ id: 'ord_1' }], nextCursor: 'c2' });
      expect(server.received).toHaveLength(1);
      await iterator.return();
      expect(server.received).toHaveLength(1);
    });

    it('throws the failed page’s error out of the loop', async () => {
      server.script(pageOf(['ord_1'], 'c2'), problem(400, { errors: [{ pointer: '/query/cursor', detail: 'malformed' }] }));
      const seen: string[] = [];
      const walk = async () => {
        for await (const { id } of paginate(listOrders, { client: clientFor() })) seen.push(id);
      };
      await expect(walk()).rejects.toMatchObject({ kind: 'problem', status: 400 });
      expect(seen).toEqual(['ord_1']);
    });
  });

  describe('validation', () => {
    it('reports a 2xx answer that breaks the contract as invalid-response, with where', async () => {
      server.script(json(200, { ...order, total: { amount: 'lots', currency: 'USD' } }));
      const { data, error, response } = await getOrder({ client: clientFor({ validation: validators }), path: { orderId } });
      expect(data).toBeUndefined();
      expect(response?.status).toBe(200);
      expect(error).toMatchObject({ kind: 'invalid-response', issues: [expect.objectContaining({ path: ['total', 'amount'] })] });
    });

    it('passes the same answer through when validation is off', async () => {
      server.script(json(200, { ...order, total: { amount: 'lots', currency: 'USD' } }));
      const { data, error } = await getOrder({ client: clientFor(), path: { orderId } });
      expect(error).toBeUndefined();
      expect(data?.total.amount).toBe('lots');
    });

    it('reports a 2xx body that is not JSON as invalid-response', async () => {
      server.script((_, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end('<html>'));
      const { error } = await getOrder({ client: clientFor(), path: { orderId } });
      expect(error?.kind).toBe('invalid-response');
    });
  });
});
