import { getOrder } from '../generated/operations.gen.ts';
import type { OrderStatus, OrderTrackingEvent, WatchOrderData, WatchOrderErrors } from '../generated/types.gen.ts';
import type { PizzaPlaceClient } from './client.ts';
import { ContractError, PizzaPlaceError, ProblemError, TransportError, type OperationError } from './errors.ts';
import { operation } from './operations.ts';
import { pause } from './retry.ts';

/** One status of the order: the contract's `OrderTrackingEvent` and the `id` of its event (what `Last-Event-ID` resumes after). */
export interface TrackedOrderEvent extends OrderTrackingEvent {
  /** The event's id, e.g. `evt_Qm5Vx2Hb8Tn3`; pass it as `lastEventId` to resume after it. */
  id: string;
}

export interface WatchOrderOptions {
  /**
   * The client from `createPizzaPlaceClient`: its `baseUrl`, token, `fetch`, headers and credentials are used for
   * every connection (the token function is asked again on each reconnect).
   * @example
   * ```ts
   * watchOrder({ client, path: { orderId } });
   * ```
   */
  client: PizzaPlaceClient;
  /**
   * The order to follow.
   * @example
   * ```ts
   * watchOrder({ client, path: { orderId: 'ord_7Hk2QpX9mRt4' } });
   * ```
   */
  path: WatchOrderData['path'];
  /**
   * Stops following: the iteration then ends quietly, whether it is connected, reading or waiting to reconnect.
   * @default undefined
   * @example
   * ```ts
   * const controller = new AbortController();
   * for await (const event of watchOrder({ client, path, signal: controller.signal })) render(event);
   * ```
   */
  signal?: AbortSignal | undefined;
  /**
   * The `id` of the last event already received (kept across page loads, say): the first connection then
   * sends it as `Last-Event-ID` and gets every change after it, instead of the current status.
   * @default undefined (start from the order's current status)
   * @example
   * ```ts
   * watchOrder({ client, path, lastEventId: sessionStorage.getItem('lastEventId') ?? undefined });
   * ```
   */
  lastEventId?: string | undefined;
  /**
   * How many times in a row a connection may fail (no answer, a dropped stream, `429`, `503` or another `5xx`)
   * before the iteration gives up with the last error. Each attempt waits the stream's `retry:` time, doubled
   * after each failure up to 30 s (with jitter), or `Retry-After` when the answer has one.
   * @default Infinity (like a browser's EventSource, keep trying until aborted)
   * @example
   * ```ts
   * watchOrder({ client, path, retries: 5 });
   * ```
   */
  retries?: number | undefined;
}

/** What the stream asks before its `retry:` line arrives (the contract's example uses this too). */
const DEFAULT_RETRY_MS = 3_000;
const MAX_RECONNECT_DELAY_MS = 30_000;
/** Statuses after which an order never changes again; the server ends the stream after one. */
const finalStatuses: ReadonlySet<OrderStatus> = new Set(['delivered', 'collected', 'cancelled']);

const operationName = 'GET /orders/{orderId}/events';
const openStream = /* @__PURE__ */ operation<WatchOrderData, { 200: ReadableStream<Uint8Array> | null }, WatchOrderErrors>(
  'watchOrder',
  'GET',
  '/orders/{orderId}/events',
  true,
);

/**
 * Follows an order live (`GET /orders/{orderId}/events`, Server-Sent Events): an async iterator of its statuses,
 * first the current one, then each change as it happens. It ends by itself once the order reaches a final status
 * (`delivered`, `collected`, `cancelled`) and the server ends the stream. A dropped connection is reopened with
 * `Last-Event-ID`, so no change is missed or repeated; a stream the server ends early (shutdown, its longest life)
 * is reopened the same way. `signal` stops it quietly. A refusal throws out of the loop as the SDK's typed error:
 * a `ProblemError` for `404` (not your order), `401` (token) or `400`, a `TransportError` once `retries` run out.
 *
 * @example
 * ```ts
 * import { createPizzaPlaceClient, isProblem, watchOrder } from '@pizza-place/api';
 *
 * const client = createPizzaPlaceClient({ baseUrl: 'http://localhost:8080', token: () => session.accessToken });
 * const controller = new AbortController();
 * try {
 *   for await (const event of watchOrder({ client, path: { orderId }, signal: controller.signal })) {
 *     showStatus(event.status); // confirmed, preparing, baking, ready, out_for_delivery, delivered
 *   }
 * } catch (error) {
 *   if (isProblem(error, 404)) showNotFound();
 *   else throw error;
 * }
 * ```
 */
export async function* watchOrder(options: WatchOrderOptions): AsyncGenerator<TrackedOrderEvent, void, undefined> {
  const { client, path, signal, retries = Infinity } = options;
  let lastEventId = options.lastEventId;
  let retryMs = DEFAULT_RETRY_MS;
  let failures = 0;

  /**
   * Waits before the next attempt: at least `Retry-After`, else the stream's `retry:` time doubled for each failure
   * in a row, up to 30 s, plus up to half again, so that clients cut off together do not all come back at once.
   * @returns false when the caller aborted meanwhile.
   */
  const waited = (retryAfter?: number) => {
    const base = Math.min(MAX_RECONNECT_DELAY_MS, retryMs * 2 ** Math.max(0, failures - 1));
    const ms = Math.min(MAX_RECONNECT_DELAY_MS, Math.max(retryAfter ?? 0, base + (Math.random() * base) / 2));
    return pause(ms, signal).then(
      () => true,
      () => false,
    );
  };

  while (!signal?.aborted) {
    const opened = (await openStream({
      client,
      path,
      headers: { Accept: 'text/event-stream', 'Last-Event-ID': lastEventId },
      signal,
      retries: 0,
      timeout: 0,
      stream: true,
    } as Parameters<typeof openStream>[0])) as { data: ReadableStream<Uint8Array> | null | undefined; error: OperationError<WatchOrderErrors> | undefined; response: Response | undefined };
    if (signal?.aborted) return;
    if (opened.error) {
      failures++;
      if (!reconnectable(opened.error) || failures > retries) throw opened.error;
      if (!(await waited(opened.error instanceof ProblemError ? opened.error.retryAfter : undefined))) return;
      continue;
    }

    // 204: Last-Event-ID was the order's final status, and nothing more will come.
    if (opened.response?.status === 204) return;
    let received = 0;
    let dropped: unknown;
    try {
      for await (const message of serverSentEvents(opened.data)) {
        if (message.retry !== undefined) retryMs = message.retry;
        if (message.event !== 'status') continue;
        const event = { ...trackingEventOf(message.data, opened.response), id: message.id ?? '' };
        lastEventId = message.id;
        failures = 0;
        received++;
        yield event;
        if (finalStatuses.has(event.status)) return;
      }
    } catch (error) {
      if (error instanceof ContractError) throw error;
      dropped = error;
    }
    if (signal?.aborted) return;
    if (dropped !== undefined) {
      failures++;
      if (failures > retries) throw new TransportError(operationName, 'network', 'the event stream was cut off', { cause: dropped });
      if (!(await waited())) return;
      continue;
    }
    // The server ended the stream without a final status: it is shutting down or the stream lived its longest. One
    // that brought nothing may be the end of an order already final before we resumed; then there is nothing to wait for.
    if (received === 0) {
      const current = await getOrder({ client, path, signal, retries: 0 });
      if (signal?.aborted) return;
      if (isProblemWithStatus(current.error, 401, 403, 404)) throw current.error;
      if (current.data && finalStatuses.has(current.data.status)) return;
    }
    if (!(await waited())) return;
  }
}

function isProblemWithStatus(error: unknown, ...statuses: number[]): error is ProblemError {
  return error instanceof ProblemError && statuses.includes(error.status);
}

/** Failures worth another attempt: no answer at all, or a server (or proxy) that is busy or failing for now. */
function reconnectable(error: PizzaPlaceError): boolean {
  if (error instanceof TransportError) return error.kind === 'network';
  return error instanceof ProblemError && (error.status === 429 || error.status >= 500);
}

function trackingEventOf(data: string, response: Response | undefined): OrderTrackingEvent {
  try {
    return JSON.parse(data) as OrderTrackingEvent;
  } catch {
    throw new ContractError(operationName, 'invalid-response', [{ path: [], message: 'an event’s data is not JSON' }], response);
  }
}

interface ServerSentEvent {
  /** The last event id the stream set, as an event carries it (`undefined` before any `id:`). */
  id: string | undefined;
  /** The event type; `message` when the event names none. */
  event: string;
  data: string;
  /** A `retry:` time the block carried, in milliseconds. */
  retry: number | undefined;
}

/**
 * The events of a `text/event-stream` body as they arrive, read as the HTML standard's event stream interpretation
 * reads them: lines end in CRLF, LF or CR; a blank line dispatches the event; `:` starts a comment; an event cut off
 * by the end of the stream is dropped. A block holding only `retry:` is passed on too (with empty `data`).
 */
async function* serverSentEvents(body: ReadableStream<Uint8Array> | null | undefined): AsyncGenerator<ServerSentEvent> {
  if (!body) return;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  let retry: number | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      // A CR at the very end may be the first half of a CRLF: keep it until the next chunk says.
      for (let match = /\r\n|\r(?!$)|\n/.exec(buffer); match; match = /\r\n|\r(?!$)|\n/.exec(buffer)) {
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        if (line === '') {
          if (data.length > 0 || retry !== undefined) yield { id, event: event || 'message', data: data.join('\n'), retry };
          event = '';
          data = [];
          retry = undefined;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'event') event = value;
        else if (field === 'id' && !value.includes('\0')) id = value;
        else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
