import type { Kysely } from 'kysely';
import { currentTimestamp } from '../db/dialect.ts';
import type { Database, NewRow, Row } from '../db/tables.ts';

export type PaymentRow = Row<'payments'>;
export type RefundRow = Row<'refunds'>;

export async function insertPayment(db: Kysely<Database>, payment: Omit<NewRow<'payments'>, 'created_at'>): Promise<PaymentRow> {
  return db.insertInto('payments').values(payment).returningAll().executeTakeFirstOrThrow();
}

/** An order's payments, oldest first, each with its refund if it has one. */
export async function findPaymentsOfOrder(db: Kysely<Database>, orderId: string): Promise<Array<{ payment: PaymentRow; refund: RefundRow | undefined }>> {
  const rows = await db
    .selectFrom('payments')
    .leftJoin('refunds', 'refunds.payment_id', 'payments.id')
    .selectAll('payments')
    .select([
      'refunds.id as refund_id',
      'refunds.amount_cents as refund_amount_cents',
      'refunds.reason as refund_reason',
      'refunds.created_at as refund_created_at',
    ])
    .where('payments.order_id', '=', orderId)
    .orderBy('payments.created_at')
    .orderBy('payments.id')
    .execute();
  return rows.map(({ refund_id, refund_amount_cents, refund_reason, refund_created_at, ...payment }) => ({
    payment,
    refund:
      refund_id === null
        ? undefined
        : { id: refund_id, payment_id: payment.id, amount_cents: refund_amount_cents!, reason: refund_reason, created_at: refund_created_at! },
  }));
}

/**
 * Refunds the order's payment in full, unless it has none or it is refunded already.
 * @returns the refund made, or `undefined` when there was nothing to refund.
 */
export async function refundPaymentOfOrder(
  db: Kysely<Database>,
  orderId: string,
  refundId: string,
  reason: string,
): Promise<RefundRow | undefined> {
  const payment = await db
    .updateTable('payments')
    .set({ status: 'refunded' })
    .where('order_id', '=', orderId)
    .where('status', '=', 'succeeded')
    .returning(['id', 'amount_cents'])
    .executeTakeFirst();
  if (!payment) return undefined;
  return db
    .insertInto('refunds')
    .values({ id: refundId, payment_id: payment.id, amount_cents: payment.amount_cents, reason, created_at: currentTimestamp(db) })
    .returningAll()
    .executeTakeFirstOrThrow();
}
