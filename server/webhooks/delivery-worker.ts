import type { AppDependencies } from '../app-env.ts';
import { parseJsonText, toTimestamp } from '../db/dialect.ts';
import { newId } from '../db/ids.ts';
import { inTransaction } from '../db/transaction.ts';
import {
  claimDueDeliveries,
  claimUndispatchedEvents,
  deleteFinishedBefore,
  hasWork,
  insertDeliveries,
  markEventsDispatched,
  recordAttempt,
  selectEnabledSubscriptions,
  type AttemptRecord,
  type ClaimedDelivery,
} from './webhook-repository.ts';
import { sendWebhook, type SendOutcome } from './webhook-sender.ts';
import { signatureHeaders } from './signing.ts';

/** Retries of a delivery stop this long after its round began (its creation, or its last redelivery). */
export const retryWindowMs = 24 * 60 * 60 * 1000;
/** Each pause of the schedule is varied by up to this fraction either way, so receivers that failed together are not retried together. */
const jitter = 0.2;
/** An attempt's claim lasts its timeout and this much more; a worker that dies mid-attempt leaves it to expire, and the delivery is tried again. */
const leaseMarginMs = 5_000;
/** Outbox events fanned out per transaction. */
const fanOutBatch = 100;
const cleanUpEveryMs = 60 * 60 * 1000;

/**
 * The pause before the next attempt after the `roundAttempts`-th failed one of a round: the schedule's entry
 * for it (the last one repeats), varied by ±20 %.
 */
export function retryDelayMs(roundAttempts: number, schedule: readonly number[], random: () => number = Math.random): number {
  const base = schedule[Math.min(Math.max(roundAttempts, 1), schedule.length) - 1]!;
  return Math.round(base * (1 - jitter + 2 * jitter * random()));
}

/** What to record for an attempt that ended at `now`: success, the next try, or the end of the round. */
export function attemptRecord(
  claim: Pick<ClaimedDelivery, 'roundAttempts' | 'roundStartedAt'>,
  outcome: SendOutcome,
  now: Date,
  schedule: readonly number[],
): AttemptRecord {
  if (outcome.ok) return { status: 'succeeded', responseStatus: outcome.status };
  const next = now.getTime() + retryDelayMs(claim.roundAttempts, schedule);
  if (next > Date.parse(claim.roundStartedAt) + retryWindowMs) return { status: 'failed', responseStatus: outcome.status, error: outcome.error };
  return { status: 'pending', responseStatus: outcome.status, error: outcome.error, nextAttemptAt: toTimestamp(new Date(next)) };
}

export interface WebhookWorker {
  /** Starts working: at once, every `WEBHOOK_POLL_INTERVAL_MS`, and whenever this instance records events. */
  start(): void;
  /**
   * Stops claiming work and waits for the attempts in flight; after `SHUTDOWN_TIMEOUT_MS` they are cut short
   * and recorded as failed, to be retried. Calling it again returns the same promise.
   */
  stop(): Promise<void>;
}

/**
 * The webhook delivery worker of one instance. Each pass:
 * 1. fans out outbox events: claims undispatched ones (PostgreSQL `FOR UPDATE SKIP LOCKED`), adds one delivery
 *    per enabled subscription that wants the type, and marks them dispatched, in one transaction;
 * 2. claims due deliveries in a short transaction that counts the attempt and leases them, then POSTs each
 *    outside any transaction, at most `WEBHOOK_CONCURRENCY` at a time, and records the outcome;
 * 3. now and then deletes what is older than `WEBHOOK_RETENTION_DAYS`.
 * Failures are logged and the work is picked up again at the next pass: nothing here throws or rejects.
 */
export function createWebhookWorker({ db, config, logger, changes }: Pick<AppDependencies, 'db' | 'config' | 'logger' | 'changes'>): WebhookWorker {
  const settings = config.webhooks;
  const log = logger.child({ component: 'webhooks' });
  const leaseMs = settings.timeoutMs + leaseMarginMs;
  const inFlight = new Set<Promise<void>>();
  const shutdown = new AbortController();
  let stopping: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;
  let pass: Promise<void> | undefined;
  let passAgain = false;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  let nextCleanUpAt = 0;

  /** Runs a pass in `delayMs`, unless one is due sooner already. */
  function wakeIn(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (stopping || at >= timerAt) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      timerAt = Infinity;
      wake();
    }, delayMs);
    timer.unref();
  }

  /** Runs a pass now, or right after the one running. */
  function wake(): void {
    if (stopping) return;
    if (pass) {
      passAgain = true;
      return;
    }
    pass = runPass().finally(() => {
      pass = undefined;
      if (passAgain) {
        passAgain = false;
        wake();
      } else wakeIn(settings.pollIntervalMs);
    });
  }

  async function runPass(): Promise<void> {
    try {
      const work = await hasWork(db, toTimestamp(new Date()));
      if (work.events) {
        let fannedOut: number;
        do fannedOut = await fanOut();
        while (fannedOut === fanOutBatch);
      }
      if (work.events || work.deliveries) await claimAndSend();
      if (Date.now() >= nextCleanUpAt) {
        nextCleanUpAt = Date.now() + cleanUpEveryMs;
        await cleanUp();
      }
    } catch (error) {
      log.error({ err: error }, 'webhook worker pass failed; trying again at the next one');
    }
  }

  /** @returns how many events it fanned out. */
  function fanOut(): Promise<number> {
    return inTransaction(db, async (trx) => {
      const events = await claimUndispatchedEvents(trx, fanOutBatch);
      if (events.length === 0) return 0;
      const subscriptions = (await selectEnabledSubscriptions(trx)).map((row) => ({ id: row.id, events: new Set(parseJsonText(row.events)) }));
      const now = toTimestamp(new Date());
      await insertDeliveries(
        trx,
        events.flatMap((event) =>
          subscriptions
            .filter((subscription) => subscription.events.has(event.type))
            .map((subscription) => ({
              id: newId('dlv'),
              subscription_id: subscription.id,
              event_id: event.id,
              event_type: event.type,
              round_started_at: now,
              next_attempt_at: now,
            })),
        ),
      );
      await markEventsDispatched(
        trx,
        events.map((event) => event.id),
        now,
      );
      return events.length;
    });
  }

  async function claimAndSend(): Promise<void> {
    const free = settings.concurrency - inFlight.size;
    if (free <= 0) return;
    const now = Date.now();
    const claimed = await inTransaction(db, (trx) =>
      claimDueDeliveries(trx, { now: toTimestamp(new Date(now)), leaseUntil: toTimestamp(new Date(now + leaseMs)), limit: free }),
    );
    for (const claim of claimed) {
      const attempt: Promise<void> = deliver(claim).finally(() => {
        inFlight.delete(attempt);
        wake();
      });
      inFlight.add(attempt);
    }
  }

  async function deliver(claim: ClaimedDelivery): Promise<void> {
    const context = { deliveryId: claim.id, eventId: claim.eventId, eventType: claim.eventType, subscriptionId: claim.subscriptionId, attempt: claim.attempts };
    try {
      const at = new Date();
      const secrets = [claim.secret];
      if (claim.previousSecret !== null && claim.previousSecretExpiresAt !== null && claim.previousSecretExpiresAt > toTimestamp(at)) {
        secrets.push(claim.previousSecret);
      }
      const outcome = await sendWebhook({
        url: claim.url,
        body: claim.payload,
        headers: signatureHeaders(secrets, claim.eventId, claim.payload, at),
        timeoutMs: settings.timeoutMs,
        allowPrivateUrls: settings.allowPrivateUrls,
        signal: shutdown.signal,
      });
      const record = attemptRecord(claim, outcome, new Date(), settings.retryDelaysMs);
      await recordAttempt(db, claim, record);
      if (record.status === 'succeeded') log.info({ ...context, responseStatus: record.responseStatus }, 'webhook delivered');
      else if (record.status === 'failed') {
        log.error({ ...context, responseStatus: record.responseStatus, error: record.error }, 'webhook delivery failed for good: retries ran out');
      } else {
        log.warn({ ...context, responseStatus: record.responseStatus, error: record.error, nextAttemptAt: record.nextAttemptAt }, 'webhook delivery attempt failed; retrying');
        wakeIn(Math.max(0, Date.parse(record.nextAttemptAt) - Date.now()));
      }
    } catch (error) {
      log.error({ ...context, err: error }, 'webhook delivery attempt could not be recorded; it is tried again when its lease ends');
    }
  }

  async function cleanUp(): Promise<void> {
    const cutoff = toTimestamp(new Date(Date.now() - settings.retentionDays * 24 * 60 * 60 * 1000));
    const deleted = await deleteFinishedBefore(db, cutoff);
    if (deleted.deliveries > 0 || deleted.events > 0) log.info({ ...deleted, cutoff }, 'old webhook deliveries and events deleted');
  }

  return {
    start() {
      if (stopping || unsubscribe) return;
      if (config.environment === 'production' && settings.allowPrivateUrls) {
        log.warn('WEBHOOK_ALLOW_PRIVATE_URLS is on in production: webhooks may be sent over plain http and into private networks');
      }
      unsubscribe = changes.onEventsRecorded(wake);
      wake();
    },
    stop() {
      stopping ??= (async () => {
        unsubscribe?.();
        clearTimeout(timer);
        const cutShort = setTimeout(() => shutdown.abort(), config.shutdownTimeoutMs);
        await pass;
        await Promise.allSettled([...inFlight]);
        clearTimeout(cutShort);
      })();
      return stopping;
    },
  };
}
