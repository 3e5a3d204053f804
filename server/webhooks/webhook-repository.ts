import type { Kysely } from 'kysely';
import { claimForUpdate, currentTimestamp, type Timestamp } from '../db/dialect.ts';
import type { Database, NewRow, Row, RowUpdate, WebhookEventType } from '../db/tables.ts';
import { olderThan, type PagePosition } from '../pagination.ts';

export function insertSubscription(db: Kysely<Database>, subscription: NewRow<'webhook_subscriptions'>): Promise<Row<'webhook_subscriptions'>> {
  return db.insertInto('webhook_subscriptions').values(subscription).returningAll().executeTakeFirstOrThrow();
}

/** Newest first; `limit` rows at most, after `after` when given. */
export function selectSubscriptions(db: Kysely<Database>, page: { after?: PagePosition | undefined; limit: number }): Promise<Row<'webhook_subscriptions'>[]> {
  return db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .$if(page.after !== undefined, (query) => query.where(olderThan(page.after!)))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .execute();
}

export function selectSubscription(db: Kysely<Database>, id: string): Promise<Row<'webhook_subscriptions'> | undefined> {
  return db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
}

export function updateSubscription(
  db: Kysely<Database>,
  id: string,
  changes: RowUpdate<'webhook_subscriptions'>,
): Promise<Row<'webhook_subscriptions'> | undefined> {
  return db
    .updateTable('webhook_subscriptions')
    .set({ ...changes, updated_at: currentTimestamp(db) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the subscription and (by cascade) its deliveries. @returns whether it existed. */
export async function deleteSubscription(db: Kysely<Database>, id: string): Promise<boolean> {
  const { numDeletedRows } = await db.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst();
  return numDeletedRows > 0n;
}

/** Makes `secret` the signing secret and keeps the current one as the previous, until `previousExpiresAt`. */
export function replaceSecret(
  db: Kysely<Database>,
  id: string,
  secret: string,
  previousExpiresAt: Timestamp,
): Promise<Row<'webhook_subscriptions'> | undefined> {
  return db
    .updateTable('webhook_subscriptions')
    .set((eb) => ({
      previous_secret: eb.ref('secret'),
      previous_secret_expires_at: previousExpiresAt,
      secret,
      updated_at: currentTimestamp(db),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** A subscription's deliveries, newest first; `limit` rows at most, after `after` when given. */
export function selectDeliveries(
  db: Kysely<Database>,
  subscriptionId: string,
  page: { after?: PagePosition | undefined; limit: number },
): Promise<Row<'webhook_deliveries'>[]> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .$if(page.after !== undefined, (query) => query.where(olderThan(page.after!)))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .execute();
}

/** Puts a delivery back in the queue, due at `now`, for a new round of retries. */
export function requeueDelivery(
  db: Kysely<Database>,
  subscriptionId: string,
  deliveryId: string,
  now: Timestamp,
): Promise<Row<'webhook_deliveries'> | undefined> {
  return db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: now, round_started_at: now, round_attempts: 0 })
    .where('id', '=', deliveryId)
    .where('subscription_id', '=', subscriptionId)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Whether there is work for the worker: an event not yet fanned out, or a delivery due by `now` (of any
 * subscription). A plain read, so an idle worker polls without taking SQLite's write lock or a PostgreSQL
 * transaction; the claims below decide what is really taken.
 */
export async function hasWork(db: Kysely<Database>, now: Timestamp): Promise<{ events: boolean; deliveries: boolean }> {
  const [event, delivery] = await Promise.all([
    db.selectFrom('webhook_events').select('id').where('dispatched_at', 'is', null).limit(1).executeTakeFirst(),
    db.selectFrom('webhook_deliveries').select('id').where('status', '=', 'pending').where('next_attempt_at', '<=', now).limit(1).executeTakeFirst(),
  ]);
  return { events: event !== undefined, deliveries: delivery !== undefined };
}

/** Outbox events not yet fanned out, oldest first, claimed by this transaction (others pass over them). */
export function claimUndispatchedEvents(db: Kysely<Database>, limit: number): Promise<Array<Pick<Row<'webhook_events'>, 'id' | 'type'>>> {
  return db
    .selectFrom('webhook_events')
    .select(['id', 'type'])
    .where('dispatched_at', 'is', null)
    .orderBy('occurred_at')
    .orderBy('id')
    .limit(limit)
    .$call(claimForUpdate(db))
    .execute();
}

export function selectEnabledSubscriptions(db: Kysely<Database>): Promise<Array<Pick<Row<'webhook_subscriptions'>, 'id' | 'events'>>> {
  return db.selectFrom('webhook_subscriptions').select(['id', 'events']).where('enabled', '=', 1).execute();
}

/** Adds deliveries; one that exists already (same event and subscription) is left as it is. */
export async function insertDeliveries(db: Kysely<Database>, deliveries: NewRow<'webhook_deliveries'>[]): Promise<void> {
  if (deliveries.length === 0) return;
  await db
    .insertInto('webhook_deliveries')
    .values(deliveries)
    .onConflict((conflict) => conflict.columns(['subscription_id', 'event_id']).doNothing())
    .execute();
}

export async function markEventsDispatched(db: Kysely<Database>, ids: string[], now: Timestamp): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('webhook_events').set({ dispatched_at: now }).where('id', 'in', ids).execute();
}

/** What one attempt needs: the claim (to record its outcome against), the event and where and how to send it. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  eventType: WebhookEventType;
  subscriptionId: string;
  /** The delivery's `attempts` once this attempt is counted: the attempt's token when its outcome is recorded. */
  attempts: number;
  roundAttempts: number;
  roundStartedAt: Timestamp;
  payload: string;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Timestamp | null;
}

/**
 * Claims up to `limit` due deliveries of enabled subscriptions for one attempt each: counts the attempt and
 * pushes `next_attempt_at` to `leaseUntil`, so no worker claims them again until the attempt had its time.
 * Run in a transaction, which then holds the rows' locks only until it commits (never across the network).
 */
export async function claimDueDeliveries(
  db: Kysely<Database>,
  { now, leaseUntil, limit }: { now: Timestamp; leaseUntil: Timestamp; limit: number },
): Promise<ClaimedDelivery[]> {
  const due = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('webhook_subscriptions')
          .select('webhook_subscriptions.id')
          .whereRef('webhook_subscriptions.id', '=', 'webhook_deliveries.subscription_id')
          .where('webhook_subscriptions.enabled', '=', 1),
      ),
    )
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .$call(claimForUpdate(db))
    .execute();
  if (due.length === 0) return [];
  const ids = due.map((row) => row.id);
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      round_attempts: eb('round_attempts', '+', 1),
      next_attempt_at: leaseUntil,
      last_attempt_at: now,
    }))
    .where('id', 'in', ids)
    .execute();
  return db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhook_events', 'webhook_events.id', 'webhook_deliveries.event_id')
    .innerJoin('webhook_subscriptions', 'webhook_subscriptions.id', 'webhook_deliveries.subscription_id')
    .select([
      'webhook_deliveries.id',
      'webhook_deliveries.event_id as eventId',
      'webhook_deliveries.event_type as eventType',
      'webhook_deliveries.subscription_id as subscriptionId',
      'webhook_deliveries.attempts',
      'webhook_deliveries.round_attempts as roundAttempts',
      'webhook_deliveries.round_started_at as roundStartedAt',
      'webhook_events.payload',
      'webhook_subscriptions.url',
      'webhook_subscriptions.secret',
      'webhook_subscriptions.previous_secret as previousSecret',
      'webhook_subscriptions.previous_secret_expires_at as previousSecretExpiresAt',
    ])
    .where('webhook_deliveries.id', 'in', ids)
    .execute();
}

/** How an attempt ended, as the delivery records it. */
export type AttemptRecord =
  | { status: 'succeeded'; responseStatus: number }
  | { status: 'pending'; responseStatus: number | null; error: string; nextAttemptAt: Timestamp }
  | { status: 'failed'; responseStatus: number | null; error: string };

/**
 * Records an attempt's outcome, unless the delivery changed since it was claimed (redelivered, or claimed
 * again after its lease ran out): then a newer attempt owns it and this outcome is dropped.
 */
export async function recordAttempt(db: Kysely<Database>, claim: Pick<ClaimedDelivery, 'id' | 'attempts' | 'roundStartedAt'>, outcome: AttemptRecord): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: outcome.status,
      last_response_status: outcome.responseStatus,
      last_error: outcome.status === 'succeeded' ? null : outcome.error,
      next_attempt_at: outcome.status === 'pending' ? outcome.nextAttemptAt : null,
    })
    .where('id', '=', claim.id)
    .where('status', '=', 'pending')
    .where('attempts', '=', claim.attempts)
    .where('round_started_at', '=', claim.roundStartedAt)
    .execute();
}

/**
 * Deletes finished deliveries last tried before `cutoff`, then the events dispatched before it that have no
 * delivery left (deleting an event would take its deliveries with it). @returns how many of each went.
 */
export async function deleteFinishedBefore(db: Kysely<Database>, cutoff: Timestamp): Promise<{ deliveries: number; events: number }> {
  const deliveries = await db
    .deleteFrom('webhook_deliveries')
    .where('status', 'in', ['succeeded', 'failed'])
    .where((eb) => eb(eb.fn.coalesce('last_attempt_at', 'created_at'), '<', cutoff))
    .executeTakeFirst();
  const events = await db
    .deleteFrom('webhook_events')
    .where('dispatched_at', '<', cutoff)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_deliveries')
            .select('webhook_deliveries.id')
            .whereRef('webhook_deliveries.event_id', '=', 'webhook_events.id'),
        ),
      ),
    )
    .executeTakeFirst();
  return { deliveries: Number(deliveries.numDeletedRows), events: Number(events.numDeletedRows) };
}
