import type { Kysely } from 'kysely';
import { currentTimestamp, lockForUpdate, type Timestamp } from '../db/dialect.ts';
import type { Database, NewRow, Row } from '../db/tables.ts';

export type PaymentRow = Row<'payments'>;
export type RefundRow = Row<'refunds'>;
export type PaymentAttemptRow = Row<'payment_attempts'>;

export async function insertPayment(db: Kysely<Database>, payment: Omit<NewRow<'payments'>, 'created_at'>): Promise<PaymentRow> {
  return db.insertInto('payments').values(payment).returningAll().executeTakeFirstOrThrow();
}

export interface PaymentWithRefunds {
  payment: PaymentRow;
  /** Oldest first. */
  refunds: RefundRow[];
}

/** An order's payments, oldest first, each with its refunds. */
export async function findPaymentsOfOrder(db: Kysely<Database>, orderId: string): Promise<PaymentWithRefunds[]> {
  const payments = await db.selectFrom('payments').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
  if (payments.length === 0) return [];
  const refunds = await db
    .selectFrom('refunds')
    .selectAll()
    .where('payment_id', 'in', payments.map((payment) => payment.id))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return payments.map((payment) => ({ payment, refunds: refunds.filter((refund) => refund.payment_id === payment.id) }));
}

/** The payment with its refunds. */
export async function findPayment(db: Kysely<Database>, paymentId: string): Promise<PaymentWithRefunds | undefined> {
  const payment = await db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
  if (!payment) return undefined;
  const refunds = await db.selectFrom('refunds').selectAll().where('payment_id', '=', paymentId).orderBy('created_at').orderBy('id').execute();
  return { payment, refunds };
}

/** The attempt a user made under an Idempotency-Key, locked until the transaction ends. */
export function findAttemptForUpdate(db: Kysely<Database>, userId: string, idempotencyKey: string): Promise<PaymentAttemptRow | undefined> {
  return db
    .selectFrom('payment_attempts')
    .selectAll()
    .where('user_id', '=', userId)
    .where('idempotency_key', '=', idempotencyKey)
    .$call(lockForUpdate(db))
    .executeTakeFirst();
}

export function findAttemptByIdForUpdate(db: Kysely<Database>, id: string): Promise<PaymentAttemptRow | undefined> {
  return db.selectFrom('payment_attempts').selectAll().where('id', '=', id).$call(lockForUpdate(db)).executeTakeFirst();
}

/** Whether a payment of the order is under way (charged or waiting for the customer, not yet recorded). */
export async function hasUnfinishedAttempt(db: Kysely<Database>, orderId: string): Promise<boolean> {
  const row = await db.selectFrom('payment_attempts').select('id').where('order_id', '=', orderId).where('status', 'in', ['pending', 'requires_action']).executeTakeFirst();
  return row !== undefined;
}

export async function insertAttempt(db: Kysely<Database>, attempt: Omit<NewRow<'payment_attempts'>, 'created_at' | 'updated_at'>): Promise<PaymentAttemptRow> {
  return db.insertInto('payment_attempts').values(attempt).returningAll().executeTakeFirstOrThrow();
}

export async function updateAttempt(
  db: Kysely<Database>,
  id: string,
  changes: Partial<Pick<PaymentAttemptRow, 'status' | 'provider_charge_id' | 'next_action_url' | 'payment_id'>>,
): Promise<void> {
  await db.updateTable('payment_attempts').set({ ...changes, updated_at: currentTimestamp(db) }).where('id', '=', id).execute();
}

export async function deleteAttempt(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('payment_attempts').where('id', '=', id).execute();
}

/** Attempts still pending since before `before`: their request ended without recording what the provider did. */
export function findStalePendingAttempts(db: Kysely<Database>, before: Timestamp): Promise<PaymentAttemptRow[]> {
  return db.selectFrom('payment_attempts').selectAll().where('status', '=', 'pending').where('updated_at', '<', before).orderBy('updated_at').execute();
}

export async function insertRefund(db: Kysely<Database>, refund: Omit<NewRow<'refunds'>, 'created_at'>): Promise<RefundRow> {
  return db.insertInto('refunds').values(refund).returningAll().executeTakeFirstOrThrow();
}

/** The refund a staff member asked for under an Idempotency-Key, locked until the transaction ends. */
export function findRefundByKeyForUpdate(db: Kysely<Database>, requestedBy: string, idempotencyKey: string): Promise<RefundRow | undefined> {
  return db
    .selectFrom('refunds')
    .selectAll()
    .where('requested_by', '=', requestedBy)
    .where('idempotency_key', '=', idempotencyKey)
    .$call(lockForUpdate(db))
    .executeTakeFirst();
}

/** Marks a pending refund made; says whether this call did (of two recording it, one does). */
export async function markRefundSucceeded(db: Kysely<Database>, id: string, providerRefundId: string): Promise<boolean> {
  const result = await db
    .updateTable('refunds')
    .set({ status: 'succeeded', provider_refund_id: providerRefundId })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function markPaymentRefunded(db: Kysely<Database>, paymentId: string): Promise<void> {
  await db.updateTable('payments').set({ status: 'refunded' }).where('id', '=', paymentId).execute();
}

/** Every refund still pending, oldest first, for the start-up recovery. */
export function findPendingRefunds(db: Kysely<Database>): Promise<RefundRow[]> {
  return db.selectFrom('refunds').selectAll().where('status', '=', 'pending').orderBy('created_at').execute();
}
