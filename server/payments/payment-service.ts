import type { Kysely } from 'kysely';
import type { Payment, PayOrderRequest } from '../../generated/types.gen.ts';
import type { AuthenticatedUser } from '../app-env.ts';
import { newId } from '../db/ids.ts';
import type { Database } from '../db/tables.ts';
import { runIdempotently, type IdempotentOutcome } from '../idempotency/idempotency.ts';
import { changeOrderStatus, findOrder, insertOrderEvent } from '../orders/order-repository.ts';
import { visibilityFor } from '../orders/order-service.ts';
import type { DeclineReason, PaymentProvider } from './payment-provider.ts';
import { findPaymentsOfOrder, insertPayment, type PaymentRow, type RefundRow } from './payment-repository.ts';
import { outboxInsert, webhookEvent } from '../webhooks/outbox.ts';

export type PayOrderFailure =
  | { ok: false; reason: 'order-not-found' }
  | { ok: false; reason: 'order-already-paid' | 'order-cancelled' }
  | { ok: false; reason: 'declined'; decline: DeclineReason }
  | { ok: false; reason: 'unknown-token' };

export type PayOrderResult = IdempotentOutcome<Payment, PayOrderFailure>;

/**
 * Charges the order's total at most once per `Idempotency-Key` and confirms the order, in one transaction that
 * holds the order row: of two payments racing for one order, the second finds it paid. A declined card
 * stores nothing.
 */
export function payOrder(
  db: Kysely<Database>,
  provider: PaymentProvider,
  user: AuthenticatedUser,
  orderId: string,
  input: PayOrderRequest,
  idempotencyKey: string,
): Promise<PayOrderResult> {
  return runIdempotently<Payment, PayOrderFailure>(
    db,
    { userId: user.id, operation: 'payOrder', key: idempotencyKey, request: { orderId, body: input } },
    async (trx) => {
      const order = await findOrder(trx, orderId, visibilityFor(user), true);
      if (!order) return { ok: false, reason: 'order-not-found' };
      if (order.status === 'cancelled') return { ok: false, reason: 'order-cancelled' };
      if (order.status !== 'awaiting_payment') return { ok: false, reason: 'order-already-paid' };
      const charge = await provider.charge({
        token: input.paymentMethodToken,
        amount: { amount: order.total_cents, currency: order.currency },
        idempotencyKey: `${user.id}/${idempotencyKey}`,
      });
      if (!charge.ok) return charge.reason === 'unknown-token' ? { ok: false, reason: 'unknown-token' } : { ok: false, reason: 'declined', decline: charge.reason };
      const payment = await insertPayment(trx, {
        id: newId('pay'),
        order_id: order.id,
        amount_cents: order.total_cents,
        currency: order.currency,
        status: 'succeeded',
        card_brand: charge.card.brand,
        card_last4: charge.card.last4,
      });
      if (!(await changeOrderStatus(trx, order.id, 'awaiting_payment', 'confirmed'))) return { ok: false, reason: 'order-already-paid' };
      const body = toPayment(payment, undefined);
      await insertOrderEvent(
        trx,
        { id: newId('evt'), orderId: order.id, previousStatus: 'awaiting_payment', status: 'confirmed', changedBy: user.id, occurredAt: payment.created_at },
        outboxInsert(trx, [webhookEvent('payment.succeeded', body, { occurredAt: payment.created_at })]),
      );
      return { ok: true, response: { status: 201, body, headers: {} } };
    },
  );
}

/** The order's payments, oldest first, or `undefined` when the caller may not see the order. */
export async function listOrderPayments(db: Kysely<Database>, user: AuthenticatedUser, orderId: string): Promise<Payment[] | undefined> {
  const order = await findOrder(db, orderId, visibilityFor(user));
  if (!order) return undefined;
  const payments = await findPaymentsOfOrder(db, order.id);
  return payments.map(({ payment, refund }) => toPayment(payment, refund));
}

/** The contract's Payment from its row and its refund's. */
export function toPayment(payment: PaymentRow, refund: RefundRow | undefined): Payment {
  const money = (amount: number) => ({ amount, currency: payment.currency });
  return {
    id: payment.id,
    orderId: payment.order_id,
    amount: money(payment.amount_cents),
    status: payment.status,
    card: { brand: payment.card_brand as Payment['card']['brand'], last4: payment.card_last4 },
    createdAt: payment.created_at,
    refunds: refund ? [{ id: refund.id, amount: money(refund.amount_cents), reason: refund.reason ?? '', createdAt: refund.created_at }] : [],
  };
}
