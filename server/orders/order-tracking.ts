import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { OrderStatus, OrderTrackingEvent } from '../../generated/types.gen.ts';
import type { AuthenticatedUser } from '../app-env.ts';
import type { Database } from '../db/tables.ts';
import type { ChangeFeed } from '../events/change-feed.ts';
import { findOrderEvents, findOrderStatuses, type OrderEventRow } from './order-event-repository.ts';
import { findOrder } from './order-repository.ts';
import { visibilityFor } from './order-service.ts';

export interface OrderTrackingSettings {
  /** What each stream's `retry:` line asks clients to wait before reconnecting, in milliseconds. */
  retryMs: number;
  /** How often a comment line is sent on an idle stream, so that proxies keep it open. */
  heartbeatMs: number;
  /** How often the database is asked whether a watched order changed through another instance. */
  pollIntervalMs: number;
  /** Streams this instance keeps open at most; one more is refused with 503. */
  maxStreams: number;
  /** How long one stream lives at most; the client then reconnects with `Last-Event-ID`. */
  maxStreamMs: number;
}

/** Statuses after which an order never changes again: its stream ends once it has sent one. */
export const finalStatuses: ReadonlySet<OrderStatus> = new Set(['delivered', 'collected', 'cancelled']);

/** Orders looked up per polling query. */
const POLL_BATCH_SIZE = 500;

export type OpenStreamResult =
  | { ok: true; body: ReadableStream<Uint8Array> }
  | { ok: false; reason: 'not-found' }
  /** `Last-Event-ID` named the order's final status: there is nothing left to send. */
  | { ok: false; reason: 'finished' }
  | { ok: false; reason: 'at-capacity' | 'shutting-down' };

/** Why a stream ended; `not-started` when reading the order's events failed before it was answered. */
type EndReason = 'final-status' | 'client-gone' | 'lifetime' | 'shutdown' | 'not-started' | 'already-final';

const encoder = new TextEncoder();

/** One Server-Sent Event of the contract's `watchOrder` stream. */
function statusEvent(event: OrderEventRow): string {
  const data: OrderTrackingEvent = {
    orderId: event.order_id,
    status: event.status,
    previousStatus: event.previous_status,
    occurredAt: event.occurred_at,
  };
  return `id: ${event.id}\nevent: status\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * An order's events from its first status to its current one. Statuses never repeat within an order, so each
 * event's `previous_status` names the one before it; timestamps could tie within a millisecond, the chain cannot.
 */
function inChainOrder(events: readonly OrderEventRow[]): OrderEventRow[] {
  const statuses = new Set(events.map((event) => event.status));
  const byPrevious = new Map(events.map((event) => [event.previous_status, event]));
  const chain: OrderEventRow[] = [];
  let next = events.find((event) => event.previous_status === null || !statuses.has(event.previous_status));
  while (next && chain.length < events.length) {
    chain.push(next);
    next = byPrevious.get(next.status);
  }
  return chain;
}

/**
 * The events a stream still owes, given the id of the last one it sent (or the client's `Last-Event-ID`):
 * those after it; with no id, or an id that is not one of this order's, the current status alone.
 */
function eventsAfter(chain: readonly OrderEventRow[], lastEventId: string | undefined): OrderEventRow[] {
  const index = lastEventId === undefined ? -1 : chain.findIndex((event) => event.id === lastEventId);
  return index === -1 ? chain.slice(-1) : chain.slice(index + 1);
}

/**
 * The open `watchOrder` streams of this instance. Changes committed through this instance arrive at once through
 * the {@link ChangeFeed}; changes committed through another instance are found by polling.
 *
 * Why polling rather than PostgreSQL `LISTEN/NOTIFY`, measured with two server processes on one PostgreSQL 15
 * (staff advancing orders through one, a customer's stream open on the other, 60 changes spread over the
 * interval): polling every 500 ms brought a change to the stream 224 ms after its commit on average, 486 ms at
 * worst (every 1,000 ms: 413 ms, 1,027 ms at worst), well inside the 2 s promised; a committed NOTIFY reached a
 * listening connection in 0.2 ms on average, 5 ms at worst. NOTIFY would be faster, but it needs a connection
 * per instance held outside the pool for `LISTEN` (which a transaction-pooling PgBouncer does not allow), a
 * trigger or a NOTIFY in every write path, and a re-read after each reconnect of that connection to catch what it
 * missed. Polling needs none of it, works the same on SQLite (several processes on one file), and costs one
 * primary-key query per interval and per 500 watched orders, only while a stream is open: a poll of 2,000 watched
 * orders (the default cap) among 20,000 took 30 ms on PostgreSQL and 13 ms on SQLite (medians, on 2 busy cores).
 */
export class OrderTracking {
  readonly #streams = new Set<OrderStream>();
  /** Streams being opened (their order being checked), counted against the cap. */
  #opening = 0;
  #closing = false;
  #poll: NodeJS.Timeout | undefined;

  constructor(
    readonly db: Kysely<Database>,
    readonly changes: ChangeFeed,
    readonly settings: OrderTrackingSettings,
    readonly logger: Logger,
  ) {}

  /** How many streams are open now. */
  get openStreams(): number {
    return this.#streams.size;
  }

  /**
   * Opens a stream of the order's status for `user`, if they may see the order (customers their own, staff any):
   * first its current status (or, after `lastEventId`, every status it has entered since), then each change.
   */
  async open(user: AuthenticatedUser, orderId: string, lastEventId: string | undefined, logger: Logger): Promise<OpenStreamResult> {
    if (this.#closing) return { ok: false, reason: 'shutting-down' };
    if (this.#streams.size + this.#opening >= this.settings.maxStreams) return { ok: false, reason: 'at-capacity' };
    this.#opening++;
    try {
      const order = await findOrder(this.db, orderId, visibilityFor(user));
      if (!order) return { ok: false, reason: 'not-found' };
      const stream = new OrderStream(this, orderId, logger);
      // Listening before reading: a change committed in between wakes the stream, which then skips what it sent.
      stream.listen();
      try {
        const chain = inChainOrder(await findOrderEvents(this.db, orderId));
        const resumed = chain.find((event) => event.id === lastEventId);
        if (resumed && finalStatuses.has(resumed.status)) {
          stream.end('already-final');
          return { ok: false, reason: 'finished' };
        }
        if (this.#closing) {
          stream.end('shutdown');
          return { ok: false, reason: 'shutting-down' };
        }
        this.#streams.add(stream);
        stream.start(chain.find((event) => event.id === lastEventId), eventsAfter(chain, lastEventId));
      } catch (error) {
        stream.end('not-started');
        throw error;
      }
      this.#schedulePoll();
      return { ok: true, body: stream.body };
    } finally {
      this.#opening--;
    }
  }

  /** Ends every open stream with a comment saying why (clients reconnect elsewhere) and refuses new ones. */
  close(): void {
    this.#closing = true;
    clearTimeout(this.#poll);
    this.#poll = undefined;
    for (const stream of [...this.#streams]) stream.end('shutdown');
  }

  /** @internal */
  forget(stream: OrderStream): void {
    this.#streams.delete(stream);
  }

  #schedulePoll(): void {
    if (this.#poll || this.#closing || this.#streams.size === 0) return;
    this.#poll = setTimeout(() => {
      void this.#pollOnce().finally(() => {
        this.#poll = undefined;
        this.#schedulePoll();
      });
    }, this.settings.pollIntervalMs);
    this.#poll.unref();
  }

  /** Wakes every stream whose order's status in the database is not the last one it sent. */
  async #pollOnce(): Promise<void> {
    const byOrder = new Map<string, OrderStream[]>();
    for (const stream of this.#streams) byOrder.set(stream.orderId, [...(byOrder.get(stream.orderId) ?? []), stream]);
    const orderIds = [...byOrder.keys()];
    for (let start = 0; start < orderIds.length; start += POLL_BATCH_SIZE) {
      let statuses: Map<string, OrderStatus>;
      try {
        statuses = await findOrderStatuses(this.db, orderIds.slice(start, start + POLL_BATCH_SIZE));
      } catch (error) {
        this.logger.warn({ err: error }, 'order streams: could not poll for changes; trying again at the next interval');
        continue;
      }
      for (const [orderId, status] of statuses) {
        for (const stream of byOrder.get(orderId) ?? []) if (stream.lastStatus !== status) stream.wake();
      }
    }
  }
}

/** One client's stream of one order. */
class OrderStream {
  readonly body: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #last: OrderEventRow | undefined;
  #ended = false;
  #eventsSent = 0;
  readonly #openedAt = performance.now();
  readonly #timers: NodeJS.Timeout[] = [];
  #unsubscribe: (() => void) | undefined;
  /** The refresh in progress, if any; wakes while one waits to start are folded into it. */
  #refresh: Promise<void> = Promise.resolve();
  #refreshQueued = false;

  constructor(
    readonly tracking: OrderTracking,
    readonly orderId: string,
    readonly logger: Logger,
  ) {
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      cancel: () => this.end('client-gone'),
    });
  }

  get lastStatus(): OrderStatus | undefined {
    return this.#last?.status;
  }

  listen(): void {
    this.#unsubscribe = this.tracking.changes.onOrderChanged(this.orderId, () => this.wake());
  }

  /**
   * Sends the `retry:` line and the first events, then keeps the stream alive until it ends. `resumed` is the event
   * the client last received (its `Last-Event-ID`), when it is one of this order's.
   */
  start(resumed: OrderEventRow | undefined, first: OrderEventRow[]): void {
    const { retryMs, heartbeatMs, maxStreamMs } = this.tracking.settings;
    this.#last = resumed;
    this.#write(`retry: ${retryMs}\n\n`);
    this.#send(first);
    if (this.#ended) return;
    this.#timers.push(
      setInterval(() => this.#write(': keep-alive\n\n'), heartbeatMs).unref(),
      setTimeout(() => this.end('lifetime'), maxStreamMs).unref(),
    );
  }

  /** Reads the order's events again and sends those not sent yet; calls made while a read waits share it. */
  wake(): void {
    if (this.#ended || this.#refreshQueued) return;
    this.#refreshQueued = true;
    this.#refresh = this.#refresh.then(async () => {
      this.#refreshQueued = false;
      if (this.#ended) return;
      try {
        const chain = inChainOrder(await findOrderEvents(this.tracking.db, this.orderId));
        if (!this.#ended) this.#send(eventsAfter(chain, this.#last?.id));
      } catch (error) {
        // The next poll finds the order still ahead of this stream and wakes it again.
        this.logger.warn({ err: error, orderId: this.orderId }, 'order stream: could not read the order events');
      }
    });
  }

  end(reason: EndReason): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#unsubscribe?.();
    this.tracking.forget(this);
    if (reason === 'shutdown') this.#close(': the server is shutting down; reconnect with Last-Event-ID to go on\n\n');
    else if (reason === 'lifetime') this.#close(': this stream has lived its longest; reconnect with Last-Event-ID to go on\n\n');
    else if (reason === 'final-status') this.#close();
    this.logger.info(
      { orderId: this.orderId, reason, eventsSent: this.#eventsSent, durationMs: Math.round(performance.now() - this.#openedAt) },
      'order stream ended',
    );
  }

  #send(events: readonly OrderEventRow[]): void {
    for (const event of events) {
      this.#write(statusEvent(event));
      this.#last = event;
      this.#eventsSent++;
    }
    if (this.#last && finalStatuses.has(this.#last.status)) this.end('final-status');
  }

  #write(text: string): void {
    if (!this.#ended) this.#controller.enqueue(encoder.encode(text));
  }

  #close(comment?: string): void {
    if (comment) this.#controller.enqueue(encoder.encode(comment));
    this.#controller.close();
  }
}
