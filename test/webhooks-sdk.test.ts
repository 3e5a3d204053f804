import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError, type WebhookEvent } from '../sdk/index.ts';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
const event = {
  id: 'evt_Qm5Vx2Hb8Tn3',
  type: 'order.status_changed',
  occurredAt: '2025-06-14T18:12:00Z',
  data: { orderId: 'ord_7Hk2QpX9mRt4', previousStatus: 'confirmed', status: 'preparing' },
} satisfies WebhookEvent;
const body = JSON.stringify(event);

/** Headers as the `standardwebhooks` package signs them (the server signs with it too). */
function signed(payload: string, { id = event.id, at = new Date(), secrets = [secret] }: { id?: string; at?: Date; secrets?: string[] } = {}) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((key) => new Webhook(key).sign(id, at, payload)).join(' '),
  };
}

describe('verifyWebhook', () => {
  it('accepts a delivery signed by the standardwebhooks package and answers the typed event', async () => {
    const result = await verifyWebhook(secret, signed(body), body);
    expect(result).toEqual({ data: event, error: undefined });
    if (result.data?.type === 'order.status_changed') expect(result.data.data.status).toBe('preparing');
  });

  it('takes the body as a string, Uint8Array or ArrayBuffer, and headers as Headers or a record in any case', async () => {
    const headers = signed(body);
    const bytes = new TextEncoder().encode(body);
    const shouting = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    for (const [given, raw] of [
      [new Headers(headers), body],
      [shouting, bytes],
      [headers, bytes.buffer],
      [{ ...headers, 'webhook-signature': [headers['webhook-signature']] }, Buffer.from(body)],
    ] as const) {
      expect((await verifyWebhook(secret, given, raw)).error).toBeUndefined();
    }
  });

  it('accepts a delivery when any of its signatures matches, as during a secret rotation', async () => {
    const both = signed(body, { secrets: [otherSecret, secret] });
    expect((await verifyWebhook(secret, both, body)).error).toBeUndefined();
    expect((await verifyWebhook(otherSecret, both, body)).error).toBeUndefined();
    const withUnknownVersion = { ...signed(body), 'webhook-signature': `v1a,c29tZXRoaW5n ${signed(body)['webhook-signature']}` };
    expect((await verifyWebhook(secret, withUnknownVersion, body)).error).toBeUndefined();
  });

  it('accepts the secret with or without its whsec_ prefix, and throws for something that is not a secret', async () => {
    expect((await verifyWebhook(secret.slice('whsec_'.length), signed(body), body)).error).toBeUndefined();
    await expect(verifyWebhook('whsec_', signed(body), body)).rejects.toThrow(TypeError);
    await expect(verifyWebhook('not base64!', signed(body), body)).rejects.toThrow(TypeError);
  });

  it.each<[string, () => [string, Record<string, string>, string]]>([
    ['a tampered body', () => [secret, signed(body), body.replace('preparing', 'delivered')]],
    ['a wrong secret', () => [otherSecret, signed(body), body]],
    ['a signature made for another webhook-id', () => [secret, { ...signed(body, { id: 'evt_Other0000001' }), 'webhook-id': event.id }, body]],
    ['a changed timestamp', () => [secret, { ...signed(body), 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 1) }, body]],
    ['a signature that is not base64', () => [secret, { ...signed(body), 'webhook-signature': 'v1,!!!' }, body]],
    ['no v1 signature', () => [secret, { ...signed(body), 'webhook-signature': `v2,${signed(body)['webhook-signature'].slice(3)}` }, body]],
    ['a timestamp that is not a number', () => [secret, { ...signed(body), 'webhook-timestamp': '2025-06-14T18:12:00Z' }, body]],
  ])('refuses %s as invalid-signature', async (_, make) => {
    const [key, headers, raw] = make();
    const { data, error } = await verifyWebhook(key, headers, raw);
    expect(data).toBeUndefined();
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error?.kind).toBe('invalid-signature');
  });

  it('refuses a delivery signed more than 5 minutes ago or ahead, and takes another tolerance', async () => {
    const old = signed(body, { at: new Date(Date.now() - 301_000) });
    expect((await verifyWebhook(secret, old, body)).error).toMatchObject({ kind: 'timestamp-too-old' });
    expect((await verifyWebhook(secret, signed(body, { at: new Date(Date.now() + 301_000) }), body)).error).toMatchObject({ kind: 'timestamp-in-future' });
    expect((await verifyWebhook(secret, signed(body, { at: new Date(Date.now() - 290_000) }), body)).error).toBeUndefined();
    expect((await verifyWebhook(secret, old, body, { toleranceSeconds: 600 })).error).toBeUndefined();
    expect((await verifyWebhook(secret, signed(body, { at: new Date(Date.now() - 61_000) }), body, { toleranceSeconds: 60 })).error?.kind).toBe('timestamp-too-old');
  });

  it('refuses a delivery missing a header, naming it', async () => {
    const { 'webhook-signature': _, ...unsigned } = signed(body);
    const { error } = await verifyWebhook(secret, unsigned, body);
    expect(error).toMatchObject({ kind: 'missing-header', message: 'The delivery has no webhook-signature header.' });
    expect((await verifyWebhook(secret, {}, body)).error?.message).toBe('The delivery has no webhook-id, webhook-timestamp, webhook-signature header.');
  });

  it.each([
    ['not JSON', 'not json'],
    ['not an object', '[1, 2]'],
    ['an unknown event type', JSON.stringify({ ...event, type: 'order.eaten' })],
    ['an id other than the webhook-id', JSON.stringify({ ...event, id: 'evt_Other0000001' })],
    ['no data', JSON.stringify({ ...event, data: null })],
  ])('refuses a correctly signed body that is %s as invalid-payload', async (_, payload) => {
    const { error } = await verifyWebhook(secret, signed(payload), payload);
    expect(error?.kind).toBe('invalid-payload');
  });
});
