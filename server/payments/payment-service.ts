import type { Kysely } from 'kysely';
import type { Payment, PaymentActionRequired, PayOrderRequest, RefundRequest } from '../../generated/types.gen.ts';
import type { AuthenticatedUser } from '../app-env.ts';
import { toTimestamp } from '../db/dialect.ts';
import { newId } from '../db/ids.ts';
import type { Database } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import { requestHash } from '../idempotency/idempotency.ts';
import { changeOrderStatus, findOrder, insertOrderEvent } from '../orders/order-repository.ts';
import { visibilityFor } from '../orders/order-service.ts';
import { outboxInsert, recordEvents, webhookEvent } from '../webhooks/outbox.ts';
import { PaymentProviderUnavailable, type Charge, type DeclineReason, type PaymentProvider } from './payment-provider.ts';
import {
  deleteAttempt,
  findAttemptByIdForUpdate,
  findAttemptForUpdate,
  findPayment,
  findPaymentsOfOrder,
  findPendingRefunds,
  findRefundByKeyForUpdate,
  findStalePendingAttempts,
  hasUnfinishedAttempt,
  insertAttempt,
  insertPayment,
  insertRefund,
  markPaymentRefunded,
  markRefundSucceeded,
  updateAttempt,
  type PaymentAttemptRow,
  type PaymentRow,
  type PaymentWithRefunds,
  type RefundRow,
} from './payment-repository.ts';

export type PayOrderResult =
  | { ok: true; payment: Payment; replayed: boolean }
  | { ok: true; actionRequired: PaymentActionRequired }
  | { ok: false; reason: 'order-not-found' | 'order-already-paid' | 'order-cancelled' | 'payment-in-progress' | 'idempotency-key-reused' }
  | { ok: false; reason: 'declined'; decline: DeclineReason }
  | { ok: false; reason: 'provider-unavailable' };

type Recorded = Exclude<PayOrderResult, { ok: false; reason: 'provider-unavailable' }>;

/**
 * Charges the order's total at most once per `Idempotency-Key`, never holding a database lock across the call to
 * the provider: (1) a transaction records the attempt, whose id is the provider's idempotency key, or finds the
 * attempt of an earlier request with the key; (2) the provider is asked, outside any transaction; (3) a
 * transaction records what it answered (the payment, the confirmed order and their events; or the action the
 * customer must take; or, for a decline, nothing, freeing the key). When the provider cannot be reached the
 * attempt stays pending: a retry with the key asks again under the same provider key, and the start-up recovery
 * asks with `retrieve`, so a card is never charged twice.
 */
export async function payOrder(
  db: Kysely<Database>,
  provider: PaymentProvider,
  user: AuthenticatedUser,
  orderId: string,
  input: PayOrderRequest,
  idempotencyKey: string,
): Promise<PayOrderResult> {
  const hash = requestHash({ orderId, body: input });
  const started = await inTransaction(db, async (trx): Promise<Recorded | { attempt: PaymentAttemptRow }> => {
    // Lock order: the request's own key (the attempt) first, then the order row.
    const earlier = await findAttemptForUpdate(trx, user.id, idempotencyKey);
    if (earlier) {
      if (earlier.request_hash !== hash) return { ok: false, reason: 'idempotency-key-reused' };
      if (earlier.status === 'succeeded') return { ok: true, payment: await paymentOf(trx, earlier.payment_id!), replayed: true };
      return { attempt: earlier };
    }
    const order = await findOrder(trx, orderId, visibilityFor(user), true);
    if (!order) return { ok: false, reason: 'order-not-found' };
    if (order.status === 'cancelled') return { ok: false, reason: 'order-cancelled' };
    if (order.status !== 'awaiting_payment') return { ok: false, reason: 'order-already-paid' };
    if (await hasUnfinishedAttempt(trx, order.id)) return { ok: false, reason: 'payment-in-progress' };
    const attempt = await insertAttempt(trx, {
      id: newId('att'),
      order_id: order.id,
      user_id: user.id,
      idempotency_key: idempotencyKey,
      request_hash: hash,
      amount_cents: order.total_cents,
      currency: order.currency,
      status: 'pending',
      provider_charge_id: null,
      next_action_url: null,
      payment_id: null,
    });
    return { attempt };
  });
  if (!('attempt' in started)) return started;
  const { attempt } = started;
  let charge: Charge | undefined;
  try {
    charge =
      attempt.status === 'pending'
        ? await provider.charge({ amount: { amount: attempt.amount_cents, currency: attempt.currency }, paymentMethod: input.paymentMethodToken, idempotencyKey: attempt.id })
        : await provider.retrieve({ idempotencyKey: attempt.id });
  } catch (error) {
    if (error instanceof PaymentProviderUnavailable) return { ok: false, reason: 'provider-unavailable' };
    throw error;
  }
  if (!charge) throw new Error(`payment attempt ${attempt.id} waits for action, yet the provider knows no charge under its key`);
  return recordCharge(db, attempt.id, charge, user.id);
}

/** Records what the provider answered for an attempt, once: whoever records second finds it recorded. */
async function recordCharge(db: Kysely<Database>, attemptId: string, charge: Charge, changedBy: string | null): Promise<Recorded> {
  return inTransaction(db, async (trx): Promise<Recorded> => {
    const attempt = await findAttemptByIdForUpdate(trx, attemptId);
    if (!attempt) return charge.status === 'declined' ? { ok: false, reason: 'declined', decline: charge.reason } : { ok: false, reason: 'payment-in-progress' };
    if (attempt.status === 'succeeded') return { ok: true, payment: await paymentOf(trx, attempt.payment_id!), replayed: true };
    switch (charge.status) {
      case 'declined':
        await deleteAttempt(trx, attempt.id);
        return { ok: false, reason: 'declined', decline: charge.reason };
      case 'requires_action':
        await updateAttempt(trx, attempt.id, { status: 'requires_action', provider_charge_id: charge.id, next_action_url: charge.nextAction.url });
        return { ok: true, actionRequired: { status: 'requires_action', nextAction: charge.nextAction } };
      case 'succeeded': {
        const order = await findOrder(trx, attempt.order_id, { customerId: undefined }, true);
        // A pending attempt keeps cancellation away, so only a broken invariant gets here.
        if (order?.status !== 'awaiting_payment') throw new Error(`order ${attempt.order_id} left awaiting_payment while payment attempt ${attempt.id} was under way`);
        const payment = await insertPayment(trx, {
          id: newId('pay'),
          order_id: order.id,
          amount_cents: attempt.amount_cents,
          currency: attempt.currency,
          status: 'succeeded',
          card_brand: charge.card.brand,
          card_last4: charge.card.last4,
          provider_charge_id: charge.id,
        });
        await updateAttempt(trx, attempt.id, { status: 'succeeded', provider_charge_id: charge.id, payment_id: payment.id, next_action_url: null });
        await changeOrderStatus(trx, order.id, 'awaiting_payment', 'confirmed');
        const body = toPayment(payment, []);
        await insertOrderEvent(
          trx,
          { id: newId('evt'), orderId: order.id, previousStatus: 'awaiting_payment', status: 'confirmed', changedBy, occurredAt: payment.created_at },
          outboxInsert(trx, [webhookEvent('payment.succeeded', body, { occurredAt: payment.created_at })]),
        );
        return { ok: true, payment: body, replayed: false };
      }
    }
  });
}

async function paymentOf(db: Kysely<Database>, paymentId: string): Promise<Payment> {
  const found = await findPayment(db, paymentId);
  if (!found) throw new Error(`payment ${paymentId} vanished`);
  return toPayment(found.payment, found.refunds);
}

/** What is left to refund of a payment: its amount less every refund made or under way. */
function refundable({ payment, refunds }: PaymentWithRefunds): number {
  return payment.amount_cents - refunds.reduce((sum, refund) => sum + refund.amount_cents, 0);
}

/**
 * Records a refund of what is left of the order's payment, pending, in the caller's transaction (cancelling the
 * order); {@link completeRefunds} then asks the provider. Nothing when there is no payment or nothing left.
 */
export async function recordRefundOfOrder(trx: Kysely<Database>, orderId: string, reason: string): Promise<RefundRow[]> {
  const recorded: RefundRow[] = [];
  for (const found of await findPaymentsOfOrder(trx, orderId)) {
    const amount = refundable(found);
    if (amount <= 0) continue;
    recorded.push(
      await insertRefund(trx, {
        id: newId('ref'),
        payment_id: found.payment.id,
        amount_cents: amount,
        reason,
        status: 'pending',
        provider_refund_id: null,
        requested_by: null,
        idempotency_key: null,
        request_hash: null,
      }),
    );
  }
  return recorded;
}

/** The refunds of an order still waiting for the provider (a cancellation whose refund could not be made yet). */
export async function pendingRefundsOfOrder(db: Kysely<Database>, orderId: string): Promise<RefundRow[]> {
  return (await findPaymentsOfOrder(db, orderId)).flatMap(({ refunds }) => refunds.filter((refund) => refund.status === 'pending'));
}

/**
 * Asks the provider for each pending refund, outside any transaction, under the refund's id as idempotency key (so
 * two cancellations racing, or a retry after a timeout, refund once), then records each that was made, with its
 * `payment.refunded` event in the same transaction. Says whether every one was made.
 */
export async function completeRefunds(db: Kysely<Database>, provider: PaymentProvider, refunds: readonly RefundRow[]): Promise<boolean> {
  let allMade = true;
  for (const refund of refunds) {
    const found = await findPayment(db, refund.payment_id);
    if (!found) continue;
    const { payment } = found;
    try {
      const made = await provider.refund({
        chargeId: payment.provider_charge_id ?? payment.id,
        amount: { amount: refund.amount_cents, currency: payment.currency },
        idempotencyKey: refund.id,
      });
      await inTransaction(db, async (trx) => {
        if (!(await markRefundSucceeded(trx, refund.id, made.id))) return;
        const now = await findPayment(trx, payment.id);
        if (!now) return;
        const refunded = now.refunds.filter((each) => each.status === 'succeeded').reduce((sum, each) => sum + each.amount_cents, 0);
        if (refunded >= payment.amount_cents) await markPaymentRefunded(trx, payment.id);
        const body = toPayment({ ...now.payment, status: refunded >= payment.amount_cents ? 'refunded' : now.payment.status }, now.refunds);
        await recordEvents(trx, [webhookEvent('payment.refunded', body)]);
      });
    } catch (error) {
      if (!(error instanceof PaymentProviderUnavailable)) throw error;
      allMade = false;
    }
  }
  return allMade;
}

export type RefundPaymentResult =
  | { ok: true; payment: Payment; replayed: boolean }
  | { ok: false; reason: 'not-found' | 'idempotency-key-reused' | 'provider-unavailable' | 'nothing-to-refund' }
  | { ok: false; reason: 'wrong-currency'; currency: string }
  | { ok: false; reason: 'too-large'; leftCents: number; currency: string };

/** Staff give back part of a payment, at most once per Idempotency-Key; the refund is recorded before the provider is asked. */
export async function refundPayment(
  db: Kysely<Database>,
  provider: PaymentProvider,
  user: AuthenticatedUser,
  target: { orderId: string; paymentId: string },
  input: RefundRequest,
  idempotencyKey: string,
): Promise<RefundPaymentResult> {
  if (input.amount.amount === 0) return { ok: false, reason: 'nothing-to-refund' };
  const hash = requestHash({ ...target, body: input });
  const started = await inTransaction(db, async (trx): Promise<Exclude<RefundPaymentResult, { ok: true }> | { refund: RefundRow; replayed: boolean }> => {
    const earlier = await findRefundByKeyForUpdate(trx, user.id, idempotencyKey);
    if (earlier) return earlier.request_hash === hash ? { refund: earlier, replayed: true } : { ok: false, reason: 'idempotency-key-reused' };
    const order = await findOrder(trx, target.orderId, { customerId: undefined }, true);
    const found = order && (await findPaymentsOfOrder(trx, order.id)).find(({ payment }) => payment.id === target.paymentId);
    if (!found) return { ok: false, reason: 'not-found' };
    if (input.amount.currency !== found.payment.currency) return { ok: false, reason: 'wrong-currency', currency: found.payment.currency };
    const left = refundable(found);
    if (input.amount.amount > left) return { ok: false, reason: 'too-large', leftCents: left, currency: found.payment.currency };
    const refund = await insertRefund(trx, {
      id: newId('ref'),
      payment_id: found.payment.id,
      amount_cents: input.amount.amount,
      reason: input.reason,
      status: 'pending',
      provider_refund_id: null,
      requested_by: user.id,
      idempotency_key: idempotencyKey,
      request_hash: hash,
    });
    return { refund, replayed: false };
  });
  if (!('refund' in started)) return started;
  const made = started.refund.status === 'succeeded' || (await completeRefunds(db, provider, [started.refund]));
  if (!made) return { ok: false, reason: 'provider-unavailable' };
  return { ok: true, payment: await paymentOf(db, started.refund.payment_id), replayed: started.replayed };
}

/**
 * Finishes what requests left unfinished when the process stopped: each payment attempt still pending since before
 * `olderThanMs` is looked up at the provider by its key and recorded as it stands (an attempt the provider never saw
 * is dropped: nothing was charged), and every pending refund is asked for again under its key.
 */
export async function recoverPayments(db: Kysely<Database>, provider: PaymentProvider, olderThanMs: number): Promise<{ attempts: number; refunds: number }> {
  const stale = await findStalePendingAttempts(db, toTimestamp(new Date(Date.now() - olderThanMs)));
  for (const attempt of stale) {
    const charge = await provider.retrieve({ idempotencyKey: attempt.id });
    if (charge) await recordCharge(db, attempt.id, charge, null);
    else await inTransaction(db, (trx) => deleteAttempt(trx, attempt.id));
  }
  const refunds = await findPendingRefunds(db);
  await completeRefunds(db, provider, refunds);
  return { attempts: stale.length, refunds: refunds.length };
}

/** The order's payments, oldest first, or `undefined` when the caller may not see the order. */
export async function listOrderPayments(db: Kysely<Database>, user: AuthenticatedUser, orderId: string): Promise<Payment[] | undefined> {
  const order = await findOrder(db, orderId, visibilityFor(user));
  if (!order) return undefined;
  const payments = await findPaymentsOfOrder(db, order.id);
  return payments.map(({ payment, refunds }) => toPayment(payment, refunds));
}

/** The contract's Payment from its row and its refunds' rows. */
export function toPayment(payment: PaymentRow, refunds: readonly RefundRow[]): Payment {
  const money = (amount: number) => ({ amount, currency: payment.currency });
  const refunded = refunds.filter((refund) => refund.status === 'succeeded').reduce((sum, refund) => sum + refund.amount_cents, 0);
  return {
    id: payment.id,
    orderId: payment.order_id,
    amount: money(payment.amount_cents),
    status: refunded >= payment.amount_cents ? 'refunded' : refunded > 0 ? 'partially_refunded' : 'succeeded',
    card: { brand: payment.card_brand as Payment['card']['brand'], last4: payment.card_last4 },
    createdAt: payment.created_at,
    refunds: refunds.map((refund) => ({
      id: refund.id,
      amount: money(refund.amount_cents),
      reason: refund.reason ?? '',
      status: refund.status,
      createdAt: refund.created_at,
    })),
  };
}
