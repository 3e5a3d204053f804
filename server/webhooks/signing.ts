import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new signing secret in the Standard Webhooks format: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The Standard Webhooks headers of one attempt: `webhook-id` (the event's id, the same on every attempt),
 * `webhook-timestamp` (now, in seconds) and `webhook-signature`, one `v1,<signature>` per secret, space-separated,
 * so a receiver still holding a rotated-out secret verifies the delivery during the grace period.
 */
export function signatureHeaders(
  secrets: readonly string[],
  eventId: string,
  body: string,
  at: Date = new Date(),
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(eventId, at, body)).join(' '),
  };
}
