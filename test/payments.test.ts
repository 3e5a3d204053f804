import { expect, it } from 'vitest';
import { useTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';
import { advance, countRows, placeOrder, placePaidOrder, postPayment } from './support/orders.ts';

describeEachDatabase('paying for orders', (kind) => {
  const testApp = useTestApp(kind);

  it('charges the order total to the card and confirms the order', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    const response = await postPayment(app, customer, order.id, 'tok_mastercard');
    expect(response.status).toBe(201);
    const payment = await response.json();
    expect(payment).toMatchObject({
      orderId: order.id,
      amount: { amount: order.total.amount, currency: 'USD' },
      status: 'succeeded',
      card: { brand: 'mastercard', last4: '4444' },
      refunds: [],
    });
    const paid = await (await app.request(`/orders/${order.id}`, { token: customer })).json();
    expect(paid.status).toBe('confirmed');
    const listed = await app.request(`/orders/${order.id}/payments`, { token: customer });
    expect(listed.status).toBe(200);
    expect((await listed.json()).data).toEqual([payment]);
  });

  it.each([
    ['tok_chargeDeclined', 'The card was declined'],
    ['tok_insufficientFunds', 'insufficient funds'],
  ])('declines %s with 402 and stores nothing', async (token, detail) => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    const response = await postPayment(app, customer, order.id, token);
    expect(response.status).toBe(402);
    const body = await response.json();
    expect(body.type).toBe('https://pizza-place.example/problems/payment-declined');
    expect(body.detail).toContain(detail);
    expect(await countRows(app, 'payments')).toBe(0);
    expect((await (await app.request(`/orders/${order.id}`, { token: customer })).json()).status).toBe('awaiting_payment');
  });

  it('refuses a token the card processor never issued with 422', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    const response = await postPayment(app, customer, order.id, 'tok_madeUp');
    expect(response.status).toBe(422);
    expect((await response.json()).errors[0].pointer).toBe('/body/paymentMethodToken');
  });

  it('refuses to pay an order twice with 409', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placePaidOrder(app, customer);
    const again = await postPayment(app, customer, order.id, 'tok_visa');
    expect(again.status).toBe(409);
    expect((await again.json()).type).toBe('https://pizza-place.example/problems/order-already-paid');
    expect(await countRows(app, 'payments')).toBe(1);
  });

  it('takes one of two concurrent payments for an order and refuses the other with 409', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    const responses = await Promise.all([postPayment(app, customer, order.id, 'tok_visa'), postPayment(app, customer, order.id, 'tok_visa')]);
    expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
    expect(await countRows(app, 'payments')).toBe(1);
  });

  it('refuses to pay a cancelled order with 409', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    await app.request(`/orders/${order.id}/cancel`, { method: 'POST', token: customer });
    const response = await postPayment(app, customer, order.id, 'tok_visa');
    expect(response.status).toBe(409);
    expect(await countRows(app, 'payments')).toBe(0);
  });

  it('answers 404 for another customer\'s order, paying or listing, and shows its payments to staff', async () => {
    const app = testApp();
    const order = await placePaidOrder(app, await app.tokenFor('customer'));
    const stranger = await app.tokenFor('customer');
    expect((await postPayment(app, stranger, order.id, 'tok_visa')).status).toBe(404);
    expect((await app.request(`/orders/${order.id}/payments`, { token: stranger })).status).toBe(404);
    const staff = await app.request(`/orders/${order.id}/payments`, { token: await app.tokenFor('staff') });
    expect(staff.status).toBe(200);
    expect((await staff.json()).data).toHaveLength(1);
  });
});

describeEachDatabase('refunds', (kind) => {
  const testApp = useTestApp(kind);
  const cancel = (app: ReturnType<typeof testApp>, token: string, orderId: string, reason?: string) =>
    app.request(`/orders/${orderId}/cancel`, { method: 'POST', token, ...(reason !== undefined && { json: { reason } }) });

  it('refunds a paid order in full when it is cancelled', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placePaidOrder(app, customer);
    expect((await cancel(app, customer, order.id, 'Plans changed.')).status).toBe(200);
    const payments = await (await app.request(`/orders/${order.id}/payments`, { token: customer })).json();
    expect(payments.data).toHaveLength(1);
    const [payment] = payments.data;
    expect(payment.status).toBe('refunded');
    expect(payment.refunds).toHaveLength(1);
    expect(payment.refunds[0]).toMatchObject({ amount: payment.amount, reason: 'Plans changed.' });
  });

  it('does not refund an order that was never paid', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    expect((await cancel(app, customer, order.id)).status).toBe(200);
    expect(await countRows(app, 'refunds')).toBe(0);
  });

  it('refunds once when staff and the customer cancel at the same moment; a cancel that finds it refunded gets 409', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const staff = await app.tokenFor('staff');
    const order = await placePaidOrder(app, customer);
    const responses = await Promise.all([cancel(app, customer, order.id), cancel(app, staff, order.id), cancel(app, customer, order.id)]);
    // A cancel that comes while the refund is still on its way to the provider finishes it (200), once.
    const statuses = responses.map((response) => response.status);
    expect(statuses).toContain(200);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    expect(await countRows(app, 'refunds')).toBe(1);
    expect((await cancel(app, staff, order.id)).status).toBe(409);
  });

  it('refunds a paid order staff cancel in the kitchen', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const staff = await app.tokenFor('staff');
    const order = await placePaidOrder(app, customer);
    await advance(app, staff, order.id, 'preparing', 'baking');
    expect((await cancel(app, staff, order.id)).status).toBe(200);
    const [payment] = (await (await app.request(`/orders/${order.id}/payments`, { token: customer })).json()).data;
    expect(payment.status).toBe('refunded');
    expect(payment.refunds[0].reason).toBe('Order cancelled by the Pizza Place.');
  });
});
