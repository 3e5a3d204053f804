import http from 'node:http';
import https from 'node:https';
import { hostOf, publicOnlyLookup, staticUrlRefusal } from './url-guard.ts';

/** What one POST to a subscriber came to. `error` is short and safe to store: never the whole answer. */
export type SendOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

export interface SendRequest {
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string;
  /** The whole attempt (connecting, sending, the answer) ends as failed after this long. */
  timeoutMs: number;
  /** When false, only `https` to public addresses: checked again here, and the connection pinned to the checked address. */
  allowPrivateUrls: boolean;
  /** Aborts the attempt (the server shutting down). */
  signal?: AbortSignal;
}

/** The longest `error` kept, as the contract's `WebhookDelivery.lastError` allows. */
const longestError = 300;
/** How much of a failed answer is read for its excerpt; the rest is never downloaded. */
const excerptBytes = 4096;

const userAgent = 'PizzaPlace-Webhooks/1.0 (Standard Webhooks)';

class AttemptTimeout extends Error {
  override readonly name = 'AttemptTimeout';
}

/** Text fit to store and show: no control characters, whitespace collapsed, at most {@link longestError} characters. */
export function excerpt(text: string): string {
  const clean = text.replace(/[\x00-\x1F\x7F\s]+/g, ' ').trim();
  return clean.length <= longestError ? clean : `${clean.slice(0, longestError - 1)}…`;
}

function describeFailure(error: unknown, url: URL, timeoutMs: number): string {
  if (error instanceof AttemptTimeout) return `no answer within ${timeoutMs} ms`;
  const { code, message, name } = error as NodeJS.ErrnoException;
  const host = hostOf(url);
  switch (code) {
    case 'ERR_WEBHOOK_NON_PUBLIC_ADDRESS':
      return excerpt(`not connected: ${message}`);
    case 'ABORT_ERR':
      return 'the attempt was cut short by the server shutting down';
    case 'ECONNREFUSED':
      return `connection refused by ${host}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
    case 'ECONNRESET':
      return `${host} closed the connection before answering`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `could not resolve ${host} (${code})`;
    default:
      return excerpt(`${code ?? name}: ${message}`);
  }
}

/**
 * POSTs `body` to `url` once, outside any database transaction, and reports how it went: a `2XX` answer is
 * success, anything else (another status, no answer in time, no connection) a failure with a short reason.
 * Redirects are not followed. Unless private URLs are allowed, the URL is checked again (scheme, literal
 * address) and the host resolved through {@link publicOnlyLookup}, so the socket only ever connects to a
 * public address, whatever DNS answered when the subscription was saved. Never rejects.
 */
export function sendWebhook(request: SendRequest): Promise<SendOutcome> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.resolve({ ok: false, status: null, error: 'not sent: the URL is not an absolute URL' });
  }
  const refusal = staticUrlRefusal(url, request.allowPrivateUrls);
  if (refusal !== undefined) return Promise.resolve({ ok: false, status: null, error: excerpt(`not sent: ${refusal}`) });

  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const client = url.protocol === 'https:' ? https : http;
    const outgoing = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(request.body)),
          'user-agent': userAgent,
        },
        ...(!request.allowPrivateUrls && { lookup: publicOnlyLookup() }),
        ...(request.signal && { signal: request.signal }),
      },
      (answer) => {
        const status = answer.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          answer.destroy();
          settle({ ok: true, status });
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        const finish = () => {
          const text = Buffer.concat(chunks).subarray(0, excerptBytes).toString('utf8');
          const shown = excerpt(text);
          const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
          settle({
            ok: false,
            status: status >= 100 && status <= 599 ? status : null,
            error: shown === '' ? `answered ${status} with an empty body${redirect}` : excerpt(`${shown}${redirect}`),
          });
          answer.destroy();
        };
        answer.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          received += chunk.length;
          if (received >= excerptBytes) finish();
        });
        answer.on('end', finish);
        answer.on('error', finish);
        answer.on('close', finish);
      },
    );
    const timer = setTimeout(() => outgoing.destroy(new AttemptTimeout()), request.timeoutMs);
    outgoing.on('error', (error) => settle({ ok: false, status: null, error: describeFailure(error, url, request.timeoutMs) }));
    outgoing.end(request.body);
  });
}
