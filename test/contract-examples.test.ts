import { describe, expect, it } from 'vitest';
import { useTestApp } from './support/app.ts';
import { exampleOf, operations, resolve, spec, type Json } from './support/spec.ts';
import { pickupMargherita, postOrder } from './support/orders.ts';

const menuExample = spec.components.examples.FullMenu.value as { data: Array<{ id: string; available: boolean }> };
const toppingsExample = Object.values(spec.components.examples as Record<string, Json>).find((example) => example.value?.data?.[0]?.id?.startsWith('top_'))!
  .value as { data: Array<{ id: string; available: boolean }> };

/** The example of a header of an operation's response, through `$ref`s. */
function headerExample(operationId: string, status: string, header: string): string {
  const op = operations().find((candidate) => candidate.operationId === operationId)!;
  const definition = resolve(resolve(op.operation.responses[status]).headers[header]);
  return resolve(definition.schema).examples[0];
}

describe("the contract's examples agree with each other and with the server", () => {
  it('orders only what the menu examples say is available', () => {
    const available = new Set([...menuExample.data, ...toppingsExample.data].filter((entry) => entry.available).map((entry) => entry.id));
    const orderExamples = Object.entries(spec.components.examples as Record<string, Json>).filter(([name]) => name.startsWith('PlaceOrder'));
    expect(orderExamples.length).toBeGreaterThan(0);
    for (const [name, { value }] of orderExamples) {
      for (const line of value.lines as Array<{ itemId: string; toppings?: string[] }>) {
        for (const id of [line.itemId, ...(line.toppings ?? [])]) expect({ name, id, available: available.has(id) }).toEqual({ name, id, available: true });
      }
    }
  });

  it('shows a used-up quota on the 429 answer', () => {
    const tooMany = resolve(spec.components.responses.TooManyRequests);
    expect(resolve(resolve(tooMany.headers.RateLimit).schema).examples[0]).toMatch(/;r=0;/);
  });

  it('says "menu item" in the 404 example of the menu item operations', () => {
    for (const operationId of ['getMenuItem', 'updateMenuItem', 'retireMenuItem']) {
      const op = operations().find((candidate) => candidate.operationId === operationId)!;
      const notFound = resolve(op.operation.responses['404']).content['application/problem+json'];
      expect(String((exampleOf(notFound) as Json).detail)).toContain('menu item');
    }
  });
});

describe("the contract's Location examples are what the server sends", () => {
  const testApp = useTestApp('sqlite');

  it('points registerCustomer at /me, createMenuItem at the item and placeOrder at the order', async () => {
    const app = testApp();
    const registered = await app.request('/accounts', { method: 'POST', json: { email: 'location@example.com', password: 'correct horse battery', name: 'Ada' } });
    expect(registered.status).toBe(201);
    expect(registered.headers.get('location')).toBe(headerExample('registerCustomer', '201', 'Location'));

    const created = await app.request('/menu/items', {
      method: 'POST',
      token: await app.tokenFor('staff'),
      json: { name: 'Calzone', description: 'Folded.', category: 'pizza', sizes: [{ size: 'large', price: { amount: 1599, currency: 'USD' } }], stockTracked: false },
    });
    expect(created.status).toBe(201);
    const shape = (location: string) => location.replace(/[a-z]{3}_[A-Za-z0-9]{8,40}$/, '<id>');
    expect(shape(created.headers.get('location')!)).toBe(shape(headerExample('createMenuItem', '201', 'Location')));

    const placed = await postOrder(app, await app.tokenFor('customer'), pickupMargherita);
    expect(placed.status).toBe(201);
    expect(shape(placed.headers.get('location')!)).toBe(shape(headerExample('placeOrder', '201', 'Location')));
  });
});
