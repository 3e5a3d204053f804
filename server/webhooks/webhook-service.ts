import type { Kysely } from 'kysely';
import type {
  WebhookDelivery,
  WebhookSecret,
  WebhookSubscription,
  WebhookSubscriptionInput,
  WebhookSubscriptionPatch,
  WebhookSubscriptionWithSecret,
} from '../../generated/types.gen.ts';
import { parseJsonText, toJsonText, toTimestamp } from '../db/dialect.ts';
import { newId } from '../db/ids.ts';
import type { Database, Row } from '../db/tables.ts';
import { pageOf, type Page, type PagePosition } from '../pagination.ts';
import type { ValidationError } from '../problem.ts';
import { newSigningSecret } from './signing.ts';
import { webhookUrlRefusal } from './url-guard.ts';
import {
  deleteSubscription,
  insertSubscription,
  replaceSecret,
  requeueDelivery,
  selectDeliveries,
  selectSubscription,
  selectSubscriptions,
  updateSubscription,
} from './webhook-repository.ts';

/** How long a rotated-out secret keeps signing deliveries beside the new one. */
export const secretGracePeriodMs = 24 * 60 * 60 * 1000;
/** The contract's `WebhookDelivery.attempts` maximum. */
const mostAttemptsShown = 1000;

export interface UrlPolicy {
  /** `WEBHOOK_ALLOW_PRIVATE_URLS`: http and private addresses allowed. */
  allowPrivateUrls: boolean;
}

type PageQuery = { after?: PagePosition | undefined; limit: number };

export type Saved<T> = { ok: true; value: T } | { ok: false; reason: 'invalid'; errors: ValidationError[] };

async function urlErrors(url: string | undefined, policy: UrlPolicy): Promise<ValidationError[]> {
  if (url === undefined) return [];
  const refusal = await webhookUrlRefusal(url, policy.allowPrivateUrls);
  return refusal === undefined ? [] : [{ pointer: '/body/url', detail: refusal }];
}

/** Subscribes `input.url`, with a new signing secret, answered this once. */
export async function createSubscription(
  db: Kysely<Database>,
  input: WebhookSubscriptionInput,
  createdBy: string,
  policy: UrlPolicy,
): Promise<Saved<WebhookSubscriptionWithSecret>> {
  const errors = await urlErrors(input.url, policy);
  if (errors.length > 0) return { ok: false, reason: 'invalid', errors };
  const row = await insertSubscription(db, {
    id: newId('whk'),
    url: input.url,
    events: toJsonText(input.events),
    description: input.description ?? null,
    secret: newSigningSecret(),
    created_by: createdBy,
  });
  return { ok: true, value: { ...toSubscription(row), secret: row.secret } };
}

export async function listSubscriptions(db: Kysely<Database>, query: PageQuery): Promise<Page<WebhookSubscription>> {
  const rows = await selectSubscriptions(db, { after: query.after, limit: query.limit + 1 });
  return pageOf(rows.map(toSubscription), query.limit);
}

export async function getSubscription(db: Kysely<Database>, id: string): Promise<WebhookSubscription | undefined> {
  const row = await selectSubscription(db, id);
  return row && toSubscription(row);
}

/** Changes what `patch` holds; a new URL is checked as a new subscription's is. */
export async function changeSubscription(
  db: Kysely<Database>,
  id: string,
  patch: WebhookSubscriptionPatch,
  policy: UrlPolicy,
): Promise<Saved<WebhookSubscription> | { ok: false; reason: 'not-found' }> {
  const errors = await urlErrors(patch.url, policy);
  if (errors.length > 0) return { ok: false, reason: 'invalid', errors };
  const row = await updateSubscription(db, id, {
    ...(patch.url !== undefined && { url: patch.url }),
    ...(patch.events !== undefined && { events: toJsonText(patch.events) }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
  });
  return row ? { ok: true, value: toSubscription(row) } : { ok: false, reason: 'not-found' };
}

/** Deletes the subscription and its deliveries, sent or not. @returns whether it existed. */
export function removeSubscription(db: Kysely<Database>, id: string): Promise<boolean> {
  return deleteSubscription(db, id);
}

/** A new signing secret; the current one keeps signing beside it for {@link secretGracePeriodMs}. */
export async function rotateSecret(db: Kysely<Database>, id: string, now: Date = new Date()): Promise<WebhookSecret | undefined> {
  const row = await replaceSecret(db, id, newSigningSecret(), toTimestamp(new Date(now.getTime() + secretGracePeriodMs)));
  return row && { secret: row.secret, previousSecretExpiresAt: row.previous_secret_expires_at! };
}

/** @returns undefined when there is no such subscription. */
export async function listDeliveries(db: Kysely<Database>, subscriptionId: string, query: PageQuery): Promise<Page<WebhookDelivery> | undefined> {
  const [subscription, rows] = await Promise.all([
    selectSubscription(db, subscriptionId),
    selectDeliveries(db, subscriptionId, { after: query.after, limit: query.limit + 1 }),
  ]);
  if (!subscription) return undefined;
  return pageOf(rows.map(toDelivery), query.limit);
}

/**
 * Queues the delivery to be sent again now, with the same event (so the same `webhook-id`), for a new round of
 * retries. @returns undefined when the subscription has no such delivery.
 */
export async function redeliver(db: Kysely<Database>, subscriptionId: string, deliveryId: string): Promise<WebhookDelivery | undefined> {
  const row = await requeueDelivery(db, subscriptionId, deliveryId, toTimestamp(new Date()));
  return row && toDelivery(row);
}

function toSubscription(row: Row<'webhook_subscriptions'>): WebhookSubscription {
  return {
    id: row.id,
    url: row.url,
    events: parseJsonText(row.events),
    description: row.description,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toDelivery(row: Row<'webhook_deliveries'>): WebhookDelivery {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: Math.min(row.attempts, mostAttemptsShown),
    lastAttemptAt: row.last_attempt_at,
    lastResponseStatus: row.last_response_status,
    lastError: row.last_error,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
    createdAt: row.created_at,
  };
}
