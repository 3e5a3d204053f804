import type {
  OrderPlacedEvent,
  OrderStatusChangedEvent,
  PaymentRefundedEvent,
  PaymentSucceededEvent,
  StockLowEvent,
} from '../generated/types.gen.ts';

/**
 * An event the Pizza Place sends to a webhook subscription; `type` tells which.
 *
 * @example
 * ```ts
 * function handle(event: WebhookEvent) {
 *   if (event.type === 'order.status_changed') console.log(event.data.orderId, event.data.status);
 * }
 * ```
 */
export type WebhookEvent = OrderPlacedEvent | OrderStatusChangedEvent | PaymentSucceededEvent | PaymentRefundedEvent | StockLowEvent;

/**
 * Why a delivery was refused:
 * - `missing-header`: `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent;
 * - `invalid-signature`: no signature matches the secret (a forged or altered delivery, or the wrong secret);
 * - `timestamp-too-old` / `timestamp-in-future`: signed more than the tolerance (5 minutes) away from now, a
 *   replay or a clock far off;
 * - `invalid-payload`: correctly signed, but the body is not a Pizza Place event.
 */
export type WebhookVerificationErrorKind = 'missing-header' | 'invalid-signature' | 'timestamp-too-old' | 'timestamp-in-future' | 'invalid-payload';

/**
 * A delivery {@link verifyWebhook} refused. Answer it with a `4XX` and do not act on it.
 *
 * @example
 * ```ts
 * const { error } = await verifyWebhook(secret, request.headers, await request.text());
 * if (error) return new Response(error.kind, { status: 400 });
 * ```
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';

  constructor(
    readonly kind: WebhookVerificationErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Request headers as a `Headers` object (fetch, Hono, Next.js) or a plain record (Node's `req.headers`, Express); names in any case. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookOptions {
  /**
   * How far from now, in seconds, a delivery's `webhook-timestamp` may be, either way.
   * @default 300
   * @example
   * ```ts
   * await verifyWebhook(secret, headers, body, { toleranceSeconds: 60 });
   * ```
   */
  toleranceSeconds?: number;
}

/** What {@link verifyWebhook} resolves to: the event, or why the delivery was refused. */
export type VerifyWebhookResult = { data: WebhookEvent; error: undefined } | { data: undefined; error: WebhookVerificationError };

const eventTypes: Readonly<Record<WebhookEvent['type'], true>> = {
  'order.placed': true,
  'order.status_changed': true,
  'payment.succeeded': true,
  'payment.refunded': true,
  'stock.low': true,
};

const encoder = /* @__PURE__ */ new TextEncoder();

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() === name) return typeof value === 'string' ? value : value?.join(' ');
  }
  return undefined;
}

function bytesOf(body: string | Uint8Array | ArrayBuffer): Uint8Array {
  if (typeof body === 'string') return encoder.encode(body);
  return body instanceof Uint8Array ? body : new Uint8Array(body);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (character) => character.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Compares in time that depends on the length only, never on where the first difference is. */
function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function isEvent(value: unknown, id: string): value is WebhookEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  return (
    event.id === id &&
    typeof event.type === 'string' &&
    Object.hasOwn(eventTypes, event.type) &&
    typeof event.occurredAt === 'string' &&
    typeof event.data === 'object' &&
    event.data !== null
  );
}

function refuse(kind: WebhookVerificationErrorKind, message: string): VerifyWebhookResult {
  return { data: undefined, error: new WebhookVerificationError(kind, message) };
}

/**
 * Checks that a webhook delivery comes from the Pizza Place and is recent, as the Standard Webhooks
 * specification says: the HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` with the subscription's
 * secret must match one of the `v1,` signatures of `webhook-signature` (there are two while a rotated secret is
 * in its grace period), and the timestamp must be within 5 minutes of now. Pass the body exactly as received,
 * before any JSON parsing. Uses WebCrypto, so it runs in browsers, Node 20+, Deno, Bun and edge runtimes.
 *
 * The same event can arrive more than once (deliveries are retried until a `2XX` answer): use `data.id`
 * (also `webhook-id`) to ignore one already handled.
 *
 * @param secret the subscription's `whsec_…` secret, from `createWebhookSubscription` or `rotateWebhookSecret`.
 * @throws {TypeError} when `secret` is not a `whsec_` secret (a set-up mistake, not a bad delivery).
 * @example
 * ```ts
 * import { verifyWebhook } from '@pizza-place/api';
 *
 * export async function POST(request: Request) {
 *   const { data: event, error } = await verifyWebhook(process.env.PIZZA_WEBHOOK_SECRET!, request.headers, await request.text());
 *   if (error) return new Response(error.message, { status: 400 });
 *   if (event.type === 'order.status_changed') await notify(event.data.orderId, event.data.status);
 *   return new Response(null, { status: 204 });
 * }
 * ```
 */
export async function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  rawBody: string | Uint8Array | ArrayBuffer,
  options: VerifyWebhookOptions = {},
): Promise<VerifyWebhookResult> {
  const key = fromBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  if (!key || key.length === 0) throw new TypeError('verifyWebhook: the secret must be the whsec_… secret the subscription was created with');

  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  const missing = Object.entries({ 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures })
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length > 0) return refuse('missing-header', `The delivery has no ${missing.join(', ')} header.`);
  if (!/^\d{1,12}$/.test(timestamp!)) return refuse('invalid-signature', 'The webhook-timestamp header is not a number of seconds.');

  const body = bytesOf(rawBody);
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  const hmacKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const expected = new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, signed));
  const matches = signatures!
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => fromBase64(entry.slice('v1,'.length)))
    .some((signature) => signature !== undefined && equalInConstantTime(signature, expected));
  if (!matches) return refuse('invalid-signature', 'No signature of the delivery matches the secret.');

  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const ageSeconds = Math.floor(Date.now() / 1000) - Number(timestamp);
  if (ageSeconds > toleranceSeconds) return refuse('timestamp-too-old', `The delivery was signed ${ageSeconds} seconds ago, more than ${toleranceSeconds}.`);
  if (-ageSeconds > toleranceSeconds) return refuse('timestamp-in-future', `The delivery is signed ${-ageSeconds} seconds in the future, more than ${toleranceSeconds}.`);

  let event: unknown;
  try {
    event = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return refuse('invalid-payload', 'The body is not JSON.');
  }
  if (!isEvent(event, id!)) return refuse('invalid-payload', 'The body is not a Pizza Place event with the webhook-id as its id.');
  return { data: event, error: undefined };
}
