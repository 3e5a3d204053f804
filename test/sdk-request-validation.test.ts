import { describe, expect, it } from 'vitest';
import { createPizzaPlaceClient, listMenuItems, placeOrder, type PlaceOrderData } from '../sdk/index.ts';
import { validators } from '../sdk/validation.ts';
import { exampleOf, operations, successResponse } from './support/spec.ts';

const idempotencyKey = '3f6c1a52-8d0e-4b7a-9c61-2f5e8b1d4a70';
const body: PlaceOrderData['body'] = {
  lines: [{ itemId: 'itm_margherita01', size: 'medium', quantity: 1, toppings: [] }],
  fulfilment: { type: 'pickup' },
};

/** The contract's own example answer of an operation, as the server would send it. */
function exampleAnswer(operationId: string): Response {
  const operation = operations().find((op) => op.operationId === operationId);
  if (!operation) throw new Error(`no operation ${operationId} in the spec`);
  const { status, response } = successResponse(operation.operation);
  const example = exampleOf(response.content['application/json']);
  return Response.json(example, { status });
}

/** A client whose `fetch` records every request it is asked to send and answers with the operation's example. */
function recordingClient(operationId: string) {
  const sent: Request[] = [];
  const client = createPizzaPlaceClient({
    baseUrl: 'http://pizza.test',
    token: 'token',
    validation: validators,
    fetch: async (input) => {
      sent.push(input as Request);
      return exampleAnswer(operationId);
    },
  });
  return { client, sent };
}

describe('the SDK request validator', () => {
  it.each(['Idempotency-Key', 'idempotency-key', 'IDEMPOTENCY-KEY'])(
    'accepts a valid Idempotency-Key header passed as %s and sends it',
    async (name) => {
      const { client, sent } = recordingClient('placeOrder');
      const headers = { [name]: idempotencyKey } as PlaceOrderData['headers'];
      const result = await placeOrder({ client, headers, body });
      expect(result.response?.status).toBe(201);
      expect(result.error).toBeUndefined();
      expect(sent).toHaveLength(1);
      expect(sent[0]?.headers.get('Idempotency-Key')).toBe(idempotencyKey);
    },
  );

  it('refuses an Idempotency-Key that is too short before fetch is called', async () => {
    const { client, sent } = recordingClient('placeOrder');
    const { error } = await placeOrder({ client, headers: { 'Idempotency-Key': 'short' }, body });
    expect(error).toMatchObject({ kind: 'invalid-request', issues: [expect.objectContaining({ path: ['headers', 'Idempotency-Key'] })] });
    expect(sent).toHaveLength(0);
  });

  it('fills in a missing Idempotency-Key, which then passes validation', async () => {
    const { client, sent } = recordingClient('placeOrder');
    const result = await placeOrder({ client, headers: {} as PlaceOrderData['headers'], body });
    expect(result.error).toBeUndefined();
    expect(sent[0]?.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an invalid body before fetch is called, even with a valid Idempotency-Key', async () => {
    const { client, sent } = recordingClient('placeOrder');
    const { error } = await placeOrder({
      client,
      headers: { 'Idempotency-Key': idempotencyKey },
      body: { ...body, lines: [{ itemId: 'itm_margherita01', size: 'medium', quantity: 0, toppings: [] }] },
    });
    expect(error).toMatchObject({ kind: 'invalid-request', issues: [expect.objectContaining({ path: ['body', 'lines', 0, 'quantity'] })] });
    expect(sent).toHaveLength(0);
  });

  it('sends an operation whose only header parameter is optional without that header', async () => {
    const { client, sent } = recordingClient('listMenuItems');
    const result = await listMenuItems({ client });
    expect(result.response?.status).toBe(200);
    expect(result.error).toBeUndefined();
    expect(sent[0]?.headers.has('If-None-Match')).toBe(false);
  });
});

describe('validation errors', () => {
  it('keep only where and what: an issue echoing its input (a password) does not reach the error or its message', async () => {
    let fetched = 0;
    const client = createPizzaPlaceClient({
      baseUrl: 'http://pizza.test',
      fetch: async () => (fetched++, Response.json({})),
      validation: [
        {
          operation: 'GET /menu/items',
          request: async () => {
            throw Object.assign(new Error('invalid'), { issues: [{ path: ['query', 'q'], message: 'too long', code: 'too_big', input: 'hunter2-secret' }] });
          },
        },
      ],
    });
    const { error } = await listMenuItems({ client });
    expect(fetched).toBe(0);
    expect(error).toMatchObject({ kind: 'invalid-request', issues: [{ path: ['query', 'q'], message: 'too long', code: 'too_big' }] });
    expect(JSON.stringify({ ...error, message: error?.message })).not.toContain('hunter2');
    expect(Object.keys((error as unknown as { issues: object[] }).issues[0]!)).toEqual(['path', 'message', 'code']);
  });

  it('of a 2xx answer are invalid-response and carry the answer', async () => {
    const client = createPizzaPlaceClient({
      baseUrl: 'http://pizza.test',
      fetch: async () => Response.json({ items: 'not a list' }, { headers: { 'X-Request-Id': 'req_1' } }),
      validation: validators,
    });
    const { data, error } = await listMenuItems({ client });
    expect(data).toBeUndefined();
    expect(error).toMatchObject({ kind: 'invalid-response', requestId: 'req_1', response: expect.any(Response) });
  });
});
