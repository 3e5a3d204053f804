import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { seededIds } from '../server/db/seed.ts';
import { useTestDatabase } from './support/database.ts';
import { freePort } from './support/free-port.ts';
import { nginxUnavailableReason, startNginx, type Nginx } from './support/nginx.ts';
import { postgresUnavailableReason } from './support/postgres.ts';
import { databaseEnv, startServerProcess, stopServerProcess, waitUntilLive, type ServerProcess } from './support/server-process.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** A request through the load balancer from `from`, one of this machine's loopback addresses, as if from another client. */
function send(base: string, from: string, method: string, path: string, options: { json?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    const outgoing = request(
      `${base}${path}`,
      { method, localAddress: from, headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...options.headers } },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The request log lines a server process wrote (JSON). */
function requestLines(server: ServerProcess): Array<{ path: string; status: number; client: string; requestId: string; method: string }> {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"durationMs"'))
    .map((line) => JSON.parse(line) as { path: string; status: number; client: string; requestId: string; method: string });
}

const nginxUnavailable = nginxUnavailableReason();
const customer = { email: 'behind-nginx@example.com', password: 'customer behind nginx', name: 'Behind Nginx' };
const neighbour = { email: 'neighbour@example.com', password: 'the neighbour password', name: 'Neighbour' };
const order = { lines: [{ itemId: seededIds.items.margherita, size: 'medium', quantity: 1 }], fulfilment: { type: 'pickup' } };

const unavailable = nginxUnavailable ?? postgresUnavailableReason();

describe('behind nginx', () => {
  const database = useTestDatabase('postgres');

  (unavailable ? it.skip : it)(
    `takes a journey through nginx to two instances on one PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    { timeout: 120_000 },
    async () => {
      const { config } = database();
      const env = {
        ...databaseEnv(config),
        LOG_LEVEL: 'info',
        TRUST_PROXY: '127.0.0.1',
        SIGN_IN_ACCOUNT_FAILURES: '4',
        SIGN_IN_CLIENT_FAILURES: '6',
        TOKEN_RATE_LIMIT_PER_MINUTE: '1000',
      };
      const servers: ServerProcess[] = [];
      let nginx: Nginx | undefined;
      try {
        for (let index = 0; index < 2; index++) servers.push(startServerProcess({ ...env, PORT: String(await freePort()) }));
        await Promise.all(servers.map((server) => waitUntilLive(server)));
        nginx = await startNginx(servers.map((server) => server.url));
        const base = nginx.url;
        // Which instance answered a request: the one that logged its id (log lines are written within 200 ms).
        const instanceOf = async (requestId: string) => {
          for (let attempt = 0; attempt < 50; attempt++) {
            const index = servers.findIndex((server) => requestLines(server).some((line) => line.requestId === requestId));
            if (index >= 0) return index;
            await sleep(50);
          }
          return -1;
        };

        // A customer at 127.0.0.3 registers, signs in and orders; the retry with the same key reaches the other instance.
        expect((await send(base, '127.0.0.3', 'POST', '/accounts', { json: customer })).status).toBe(201);
        const signedIn = await send(base, '127.0.0.3', 'POST', '/auth/token', { json: { email: customer.email, password: customer.password } });
        expect(signedIn.status).toBe(200);
        const auth = { authorization: `Bearer ${signedIn.body.accessToken as string}` };
        const placed = await send(base, '127.0.0.3', 'POST', '/orders', { json: order, headers: { ...auth, 'idempotency-key': 'nginx-journey-0001', 'x-request-id': 'journey-order-first' } });
        expect(placed.status).toBe(201);
        const retried = await send(base, '127.0.0.3', 'POST', '/orders', { json: order, headers: { ...auth, 'idempotency-key': 'nginx-journey-0001', 'x-request-id': 'journey-order-retry' } });
        expect(retried.status).toBe(201);
        expect(retried.headers['idempotent-replayed']).toBe('true');
        expect(retried.body.id).toBe(placed.body.id);
        const [first, retry] = [await instanceOf('journey-order-first'), await instanceOf('journey-order-retry')];
        expect([first, retry].sort()).toEqual([0, 1]);
        const fetched = await send(base, '127.0.0.3', 'GET', `/orders/${placed.body.id as string}`, { headers: auth });
        expect(fetched.status).toBe(200);
        expect(fetched.headers['cache-control']).toBe('no-store');

        // An attacker at 127.0.0.2 guesses the customer's password; the failures land on both instances and count together.
        const guesses = [];
        for (let attempt = 0; attempt < 5; attempt++) {
          guesses.push(await send(base, '127.0.0.2', 'POST', '/auth/token', { json: { email: customer.email, password: `guess ${attempt}` }, headers: { 'x-request-id': `journey-guess-${attempt}` } }));
        }
        expect(guesses.map((guess) => guess.status)).toEqual([401, 401, 401, 401, 429]);
        expect(Number(guesses[4]!.headers['retry-after'])).toBeGreaterThan(0);
        expect(new Set(await Promise.all(guesses.slice(0, 4).map((_, attempt) => instanceOf(`journey-guess-${attempt}`))))).toEqual(new Set([0, 1]));
        // The account stays locked on either instance, for the right password too.
        for (let attempt = 0; attempt < 2; attempt++) {
          expect((await send(base, '127.0.0.3', 'POST', '/auth/token', { json: { email: customer.email, password: customer.password } })).status).toBe(429);
        }

        // Another attacker at 127.0.0.4 sprays guesses over many emails, claiming to be someone else in X-Forwarded-For:
        // it is locked out by its real address, while a neighbour at 127.0.0.5 behind the same nginx still signs in.
        expect((await send(base, '127.0.0.5', 'POST', '/accounts', { json: neighbour })).status).toBe(201);
        const spray = [];
        for (let attempt = 0; attempt < 7; attempt++) {
          spray.push((await send(base, '127.0.0.4', 'POST', '/auth/token', { json: { email: `target-${attempt}@example.com`, password: 'guess' }, headers: { 'x-forwarded-for': `198.51.100.${attempt}` } })).status);
        }
        expect(spray).toEqual([401, 401, 401, 401, 401, 401, 429]);
        expect((await send(base, '127.0.0.5', 'POST', '/auth/token', { json: { email: neighbour.email, password: neighbour.password } })).status).toBe(200);

        // Both instances logged each request with the client's own address, never nginx's or a forged one.
        await sleep(500);
        const proxied = servers.flatMap((server) => requestLines(server).filter((line) => line.path === '/auth/token' || line.path.startsWith('/orders') || line.path === '/accounts'));
        expect(new Set(proxied.map((line) => line.client))).toEqual(new Set(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']));
        expect(servers.every((server) => requestLines(server).some((line) => line.client === '127.0.0.4'))).toBe(true);
        console.log(`nginx journey: ${proxied.length} proxied requests logged across 2 instances, clients ${[...new Set(proxied.map((line) => line.client))].sort().join(', ')}`);
      } finally {
        await nginx?.stop();
        await Promise.all(servers.map(stopServerProcess));
      }
    },
  );
});

