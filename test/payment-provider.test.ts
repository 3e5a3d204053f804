import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import type { Card, Money } from '../generated/types.gen.ts';
import { findOrder } from '../server/orders/order-repository.ts';
import { PaymentProviderUnavailable, withTimeout, type Charge, type PaymentProvider } from '../server/payments/payment-provider.ts';
import { recoverPayments } from '../server/payments/payment-service.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase, useTestDatabase } from './support/database.ts';
import { countRows, placeOrder, postPayment } from './support/orders.ts';

type Step = 'charge' | 'retrieve' | 'refund';
/** What the double does on its next call of a step: fail before reaching the processor, after it acted, or never answer. */
type Failure = 'before' | 'after' | 'hang';

/**
 * A card processor double that behaves as a real one does with idempotency keys (a repeated key answers as the first
 * call did, and is not charged again) and records every call; each step can be told to fail once.
 */
class RecordingProvider implements PaymentProvider {
  readonly calls: Array<{ step: Step; idempotencyKey: string }> = [];
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, { chargeId: string; amount: Money }>();
  readonly failNext = new Map<Step, Failure>();
  readonly hung: Array<() => void> = [];

  private async step<T>(step: Step, idempotencyKey: string, act: () => T): Promise<T> {
    this.calls.push({ step, idempotencyKey });
    const failure = this.failNext.get(step);
    this.failNext.delete(step);
    if (failure === 'before') throw new Error('connection refused');
    if (failure === 'hang') await new Promise<void>((resolve) => this.hung.push(resolve));
    const result = act();
    if (failure === 'after') throw new Error('connection reset after the processor acted');
    return result;
  }

  charge(request: { amount: Money; paymentMethod: string; idempotencyKey: string }) {
    return this.step('charge', request.idempotencyKey, () => {
      const known = this.charges.get(request.idempotencyKey);
      if (known) return known;
      const card: Card = { brand: 'visa', last4: '4242' };
      const charge: Charge = request.paymentMethod === 'tok_chargeDeclined' ? { status: 'declined', reason: 'card-declined' } : { status: 'succeeded', id: `ch_${randomUUID()}`, card };
      this.charges.set(request.idempotencyKey, charge);
      return charge;
    });
  }

  retrieve(request: { idempotencyKey: string }) {
    return this.step('retrieve', request.idempotencyKey, () => this.charges.get(request.idempotencyKey));
  }

  refund(request: { chargeId: string; amount: Money; idempotencyKey: string }) {
    return this.step('refund', request.idempotencyKey, () => {
      if (!this.refunds.has(request.idempotencyKey)) this.refunds.set(request.idempotencyKey, { chargeId: request.chargeId, amount: request.amount });
      return { status: 'succeeded' as const, id: `re_${request.idempotencyKey}` };
    });
  }

  callsOf(step: Step) {
    return this.calls.filter((call) => call.step === step);
  }
}

describeEachDatabase('payments through a provider', (kind) => {
  const database = useTestDatabase(kind);
  let provider: RecordingProvider;
  let app: TestApp;

  beforeEach(() => {
    provider = new RecordingProvider();
    app = createTestApp(database(), { paymentProvider: withTimeout(provider, 300) });
  });

  const cancel = (token: string, orderId: string) => app.request(`/orders/${orderId}/cancel`, { method: 'POST', token, json: {} });
  const orderStatus = async (orderId: string) => (await findOrder(app.db, orderId, { customerId: undefined }))!.status;

  it('holds no database lock while the card is charged: the order row can be locked while the charge hangs', async () => {
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    provider.failNext.set('charge', 'hang');
    const paying = postPayment(app, customer, order.id, 'tok_visa');
    await expect.poll(() => provider.hung.length).toBe(1);
    const locked = await app.db.transaction().execute((trx) => findOrder(trx, order.id, { customerId: undefined }, true));
    expect(locked?.status).toBe('awaiting_payment');
    provider.hung.shift()!();
    expect((await paying).status).toBe(201);
  });

  it('answers 503 with Retry-After when the processor does not answer within the timeout, and the retry charges once', async () => {
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    const key = randomUUID();
    provider.failNext.set('charge', 'hang');
    const answer = await postPayment(app, customer, order.id, 'tok_visa', key);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('Retry-After')).toBe('1');
    expect((await answer.json()).type).toBe('https://pizza-place.example/problems/payment-provider-unavailable');
    provider.hung.shift()!();
    expect((await postPayment(app, customer, order.id, 'tok_visa', key)).status).toBe(201);
    expect(provider.charges.size).toBe(1);
  });

  it('charges once when the answer is lost after the processor charged, and the client retries with the same key', async () => {
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    const key = randomUUID();
    provider.failNext.set('charge', 'after');
    expect((await postPayment(app, customer, order.id, 'tok_visa', key)).status).toBe(503);
    expect(await orderStatus(order.id)).toBe('awaiting_payment');
    const other = await postPayment(app, customer, order.id, 'tok_visa');
    expect(other.status).toBe(409);
    expect((await other.json()).type).toBe('https://pizza-place.example/problems/payment-in-progress');

    const retried = await postPayment(app, customer, order.id, 'tok_visa', key);
    expect(retried.status).toBe(201);
    const keys = provider.callsOf('charge').map((call) => call.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect(provider.charges.size).toBe(1);
    expect(await countRows(app, 'payments')).toBe(1);
    expect(await orderStatus(order.id)).toBe('confirmed');
  });

  it('recovers a charge whose request died at start-up with retrieve, never charging again', async () => {
    const customer = await app.tokenFor('customer');
    const charged = await placeOrder(app, customer);
    const neverSent = await placeOrder(app, customer);
    provider.failNext.set('charge', 'after');
    expect((await postPayment(app, customer, charged.id, 'tok_visa')).status).toBe(503);
    provider.failNext.set('charge', 'before');
    expect((await postPayment(app, customer, neverSent.id, 'tok_visa')).status).toBe(503);

    expect(await recoverPayments(app.db, provider, 0)).toEqual({ attempts: 2, refunds: 0 });
    expect(provider.callsOf('retrieve')).toHaveLength(2);
    expect(provider.callsOf('charge')).toHaveLength(2);
    expect(await orderStatus(charged.id)).toBe('confirmed');
    expect(await orderStatus(neverSent.id)).toBe('awaiting_payment');
    // The attempt the processor never saw is gone, so the customer can pay afresh.
    expect((await postPayment(app, customer, neverSent.id, 'tok_visa')).status).toBe(201);
    expect(await countRows(app, 'payments')).toBe(2);
  });

  it('refunds a cancelled order once through the processor, also when the refund times out and the cancel is retried', async () => {
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    expect((await postPayment(app, customer, order.id, 'tok_visa')).status).toBe(201);
    provider.failNext.set('refund', 'after');
    const first = await cancel(customer, order.id);
    expect(first.status).toBe(200);
    expect((await first.json()).status).toBe('cancelled');
    const pending = await (await app.request(`/orders/${order.id}/payments`, { token: customer })).json();
    expect(pending.data[0].refunds).toMatchObject([{ status: 'pending', amount: { amount: order.total.amount } }]);

    expect((await cancel(customer, order.id)).status).toBe(200);
    const done = await (await app.request(`/orders/${order.id}/payments`, { token: customer })).json();
    expect(done.data[0]).toMatchObject({ status: 'refunded', refunds: [{ status: 'succeeded' }] });
    expect(new Set(provider.callsOf('refund').map((call) => call.idempotencyKey)).size).toBe(1);
    expect(provider.refunds.size).toBe(1);
    expect((await cancel(customer, order.id)).status).toBe(409);
    const events = await app.db.selectFrom('webhook_events').select('type').where('type', '=', 'payment.refunded').execute();
    expect(events).toHaveLength(1);
  });

  it('refunds once when two cancels race', async () => {
    const customer = await app.tokenFor('customer');
    const staff = await app.tokenFor('staff');
    const order = await placeOrder(app, customer);
    expect((await postPayment(app, customer, order.id, 'tok_visa')).status).toBe(201);
    await Promise.all([cancel(customer, order.id), cancel(staff, order.id)]);
    expect(provider.refunds.size).toBe(1);
    expect(await countRows(app, 'refunds')).toBe(1);
  });

  it('lets staff refund part of a payment once per key, refuses more than is left, and cancelling refunds the rest', async () => {
    const customer = await app.tokenFor('customer');
    const staff = await app.tokenFor('staff');
    const order = await placeOrder(app, customer);
    const paid = await (await postPayment(app, customer, order.id, 'tok_visa')).json();
    const refund = (token: string, amount: number, key = randomUUID()) =>
      app.request(`/orders/${order.id}/payments/${paid.id}/refunds`, {
        method: 'POST',
        token,
        json: { amount: { amount, currency: 'USD' }, reason: 'The cola was missing.' },
        headers: { 'Idempotency-Key': key },
      });

    expect((await refund(customer, 100)).status).toBe(403);
    const key = randomUUID();
    const partial = await refund(staff, 100, key);
    expect(partial.status).toBe(201);
    expect(await partial.json()).toMatchObject({ status: 'partially_refunded', refunds: [{ amount: { amount: 100 }, status: 'succeeded' }] });
    const replay = await refund(staff, 100, key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(provider.refunds.size).toBe(1);

    const tooMuch = await refund(staff, order.total.amount);
    expect(tooMuch.status).toBe(422);
    expect(await tooMuch.json()).toMatchObject({ type: 'https://pizza-place.example/problems/refund-too-large', errors: [{ pointer: '/body/amount/amount' }] });
    const wrongPayment = await app.request(`/orders/${order.id}/payments/pay_NoSuchPayment01/refunds`, {
      method: 'POST',
      token: staff,
      json: { amount: { amount: 1, currency: 'USD' }, reason: 'x' },
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(wrongPayment.status).toBe(404);

    expect((await cancel(staff, order.id)).status).toBe(200);
    const payments = await (await app.request(`/orders/${order.id}/payments`, { token: staff })).json();
    expect(payments.data[0].status).toBe('refunded');
    expect(payments.data[0].refunds.map((each: { amount: Money }) => each.amount.amount)).toEqual([100, order.total.amount - 100]);
    const refunded = await app.db.selectFrom('webhook_events').select('type').where('type', '=', 'payment.refunded').execute();
    expect(refunded).toHaveLength(2);
  });

  it('answers a card that needs the customer to confirm with 202 and the action, then the payment once they did', async () => {
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    const key = randomUUID();
    provider.charge = async (request) => {
      provider.calls.push({ step: 'charge', idempotencyKey: request.idempotencyKey });
      const charge: Charge = { status: 'requires_action', id: 'ch_3ds', nextAction: { type: 'redirect_to_url', url: 'https://bank.example/3ds/ch_3ds' } };
      provider.charges.set(request.idempotencyKey, charge);
      return charge;
    };
    const first = await postPayment(app, customer, order.id, 'tok_visa', key);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ status: 'requires_action', nextAction: { type: 'redirect_to_url', url: 'https://bank.example/3ds/ch_3ds' } });
    expect(await orderStatus(order.id)).toBe('awaiting_payment');

    const [attemptKey] = provider.charges.keys();
    provider.charges.set(attemptKey!, { status: 'succeeded', id: 'ch_3ds', card: { brand: 'visa', last4: '3155' } });
    const second = await postPayment(app, customer, order.id, 'tok_visa', key);
    expect(second.status).toBe(201);
    expect((await second.json()).card.last4).toBe('3155');
    expect(provider.callsOf('charge')).toHaveLength(1);
    expect(await orderStatus(order.id)).toBe('confirmed');
  });

  it('reports any failure of the provider as unavailable, bounded by the timeout', async () => {
    const slow: PaymentProvider = { charge: () => new Promise(() => {}), retrieve: async () => undefined, refund: () => Promise.reject(new Error('boom')) };
    const bounded = withTimeout(slow, 50);
    await expect(bounded.charge({ amount: { amount: 1, currency: 'USD' }, paymentMethod: 'tok_visa', idempotencyKey: 'k' })).rejects.toBeInstanceOf(PaymentProviderUnavailable);
    await expect(bounded.refund({ chargeId: 'c', amount: { amount: 1, currency: 'USD' }, idempotencyKey: 'k' })).rejects.toBeInstanceOf(PaymentProviderUnavailable);
  });
});
