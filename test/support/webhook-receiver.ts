import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request the receiver got, as it arrived. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
  /** When it arrived (`Date.now()`). */
  at: number;
}

/** How the receiver answers its `index`-th request (0-based): a status and body, or `'hang'` to never answer. */
export type Reply = { status: number; body?: string } | 'hang';

export interface WebhookReceiver {
  /** Where it listens, e.g. `http://127.0.0.1:43123/hooks`. */
  url: string;
  /** Every request so far, in order of arrival. */
  received: ReceivedWebhook[];
  /** Waits until `count` requests arrived, or fails after `timeoutMs` saying what did arrive. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/**
 * A real HTTP endpoint for webhook tests, on 127.0.0.1 and `port` (a free one by default); answers 204 unless
 * `reply` says otherwise.
 * @example
 * const receiver = await startWebhookReceiver((index) => (index < 2 ? { status: 500 } : { status: 200 }));
 */
export async function startWebhookReceiver(
  reply: (index: number, request: ReceivedWebhook) => Reply = () => ({ status: 204 }),
  port = 0,
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const webhook = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), path: request.url ?? '', at: Date.now() };
      const answer = reply(received.length, webhook);
      received.push(webhook);
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} webhook requests within ${timeoutMs} ms, got ${received.length}: ${JSON.stringify(received.map((r) => r.body.slice(0, 80)))}`);
        }
        await sleep(20);
      }
      return received.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
