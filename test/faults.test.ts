import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededIds } from '../server/db/seed.ts';
import { describeEachDatabase, useTestDatabase } from './support/database.ts';
import { freePort } from './support/free-port.ts';
import { createScratchDatabase, postgresUnavailableReason, startPostgresCluster, type PostgresCluster } from './support/postgres.ts';
import { databaseEnv, startServerProcess, stopServerProcess, waitUntilLive, type ServerProcess } from './support/server-process.ts';

const json = { 'content-type': 'application/json' };
const colaOrder = JSON.stringify({ lines: [{ itemId: seededIds.items.cola, size: 'regular', quantity: 1 }], fulfilment: { type: 'pickup' } });

async function customerToken(url: string, email: string): Promise<string> {
  const account = { email, password: 'a customer password', name: 'Fault Tolerant' };
  const registered = await fetch(`${url}/accounts`, { method: 'POST', headers: json, body: JSON.stringify(account) });
  expect(registered.status).toBe(201);
  const signedIn = await fetch(`${url}/auth/token`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: account.password }) });
  expect(signedIn.status).toBe(200);
  return ((await signedIn.json()) as { accessToken: string }).accessToken;
}

type Answer = { status: number; id?: string } | { status: 'no answer' };

async function placeOrder(url: string, token: string, key: string): Promise<Answer> {
  try {
    const response = await fetch(`${url}/orders`, { method: 'POST', headers: { ...json, authorization: `Bearer ${token}`, 'idempotency-key': key }, body: colaOrder });
    const body = (await response.json()) as { id?: string };
    return response.status === 201 ? { status: 201, id: body.id! } : { status: response.status };
  } catch {
    return { status: 'no answer' };
  }
}

describeEachDatabase('the server killed with 200 orders in flight', (kind) => {
  const database = useTestDatabase(kind);

  it('keeps every order it answered 201, once, and the stock adds up after clients retry with their keys', { timeout: 180_000 }, async () => {
    const { db, config } = database();
    const env = { ...databaseEnv(config), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000' };
    let server: ServerProcess = startServerProcess({ ...env, PORT: String(await freePort()) });
    try {
      await waitUntilLive(server);
      const token = await customerToken(server.url, `sigkill-${kind}@example.com`);
      const before = await db.selectFrom('ingredients').select('stock_level').where('id', '=', seededIds.ingredients.colaCans).executeTakeFirstOrThrow();
      const keys = Array.from({ length: 200 }, (_, index) => `sigkill-${kind}-${String(index).padStart(4, '0')}`);

      // Killed once some answers are out and others are still being worked on.
      let answered = 0;
      const firstAnswers = keys.map((key) => placeOrder(server.url, token, key).then((answer) => ((answered += 1), answer)));
      while (answered < 30) await sleep(5);
      server.child.kill('SIGKILL');
      const first = await Promise.all(firstAnswers);
      await server.exited;
      const acknowledged = new Map(first.flatMap((answer, index) => ('id' in answer && answer.id ? [[keys[index]!, answer.id] as const] : [])));
      const lost = first.filter((answer) => answer.status === 'no answer').length;
      expect(first.every((answer) => answer.status === 201 || answer.status === 409 || answer.status === 'no answer'), JSON.stringify(first)).toBe(true);
      expect(lost, 'requests still in flight when the server was killed').toBeGreaterThan(0);

      server = startServerProcess({ ...env, PORT: String(await freePort()) });
      await waitUntilLive(server);
      const final = new Map<string, Answer>();
      for (const key of keys) {
        let answer: Answer = { status: 'no answer' };
        for (let attempt = 0; attempt < 20 && !(answer.status === 201 || answer.status === 409); attempt++) {
          answer = await placeOrder(server.url, token, key);
          if (answer.status === 503) await sleep(100);
        }
        final.set(key, answer);
      }
      expect([...final.values()].every((answer) => answer.status === 201 || answer.status === 409), JSON.stringify([...final])).toBe(true);
      for (const [key, id] of acknowledged) expect((final.get(key) as { id?: string }).id, `${key} was answered 201 before the kill`).toBe(id);

      const placed = [...final.values()].flatMap((answer) => ('id' in answer && answer.id ? [answer.id] : []));
      const stored = await db.selectFrom('orders').select('id').execute();
      expect(new Set(placed).size).toBe(placed.length);
      expect(stored.map((row) => row.id).sort()).toEqual([...placed].sort());
      const after = await db.selectFrom('ingredients').select('stock_level').where('id', '=', seededIds.ingredients.colaCans).executeTakeFirstOrThrow();
      expect(Number(after.stock_level)).toBe(Number(before.stock_level) - placed.length);
      expect(Number(after.stock_level)).toBeGreaterThanOrEqual(0);
      console.log(`[${kind}] SIGKILL with orders in flight: ${acknowledged.size} answered 201 before the kill, ${lost} got no answer; after retries ${placed.length} placed, ${final.size - placed.length} out of stock, stock ${before.stock_level} → ${after.stock_level}`);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });
});

const postgresUnavailable = postgresUnavailableReason();

(postgresUnavailable ? describe.skip : describe)(`PostgreSQL stopped under load and started again${postgresUnavailable ? ` (skipped: ${postgresUnavailable})` : ''}`, () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('answers 503 problems (never 500) and /health/ready 503 while it is down, stays up, and recovers without a restart', { timeout: 180_000 }, async () => {
    const scratch = await createScratchDatabase(cluster.url);
    const server = startServerProcess({ DATABASE_URL: scratch.url, PORT: String(await freePort()), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000' });
    try {
      await waitUntilLive(server);
      const token = await customerToken(server.url, 'outage@example.com');
      const auth = { authorization: `Bearer ${token}` };
      const statuses = new Map<string, number>();
      const problems: string[] = [];
      let stop = false;
      let sequence = 0;
      const count = (name: string, status: number) => statuses.set(`${name} ${status}`, (statuses.get(`${name} ${status}`) ?? 0) + 1);
      const worker = async () => {
        while (!stop) {
          const key = `outage-${(sequence += 1)}`;
          const requests: Array<[string, () => Promise<Response>]> = [
            ['POST /orders', () => fetch(`${server.url}/orders`, { method: 'POST', headers: { ...json, ...auth, 'idempotency-key': key }, body: colaOrder })],
            ['GET /orders', () => fetch(`${server.url}/orders`, { headers: auth })],
            ['GET /me', () => fetch(`${server.url}/me`, { headers: auth })],
            ['GET /menu/items', () => fetch(`${server.url}/menu/items`)],
            ['POST /auth/token', () => fetch(`${server.url}/auth/token`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'outage@example.com', password: 'wrong password' }) })],
          ];
          for (const [name, send] of requests) {
            const response = await send().catch(() => undefined);
            if (!response) {
              count(name, 0);
              continue;
            }
            count(name, response.status);
            const body = await response.text();
            if (response.status >= 500 && (response.status !== 503 || response.headers.get('content-type') !== 'application/problem+json' || !response.headers.get('retry-after'))) {
              problems.push(`${name} ${response.status} ${body.slice(0, 200)}`);
            }
          }
        }
      };
      const workers = Array.from({ length: 8 }, worker);
      await sleep(1_000);

      await cluster.pause();
      let down: Response | undefined;
      for (let attempt = 0; attempt < 50 && down?.status !== 503; attempt++) {
        down = await fetch(`${server.url}/health/ready`).catch((error: unknown) => {
          throw new Error(`the server stopped answering:\n${server.output().slice(-5_000)}`, { cause: error });
        });
        if (down.status !== 503) await sleep(100);
      }
      expect(down?.status).toBe(503);
      expect(down?.headers.get('content-type')).toBe('application/problem+json');
      await sleep(3_000);
      expect(server.child.exitCode, server.output()).toBeNull();
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);

      await cluster.resume();
      const restartedAt = Date.now();
      let ready: Response | undefined;
      while (Date.now() - restartedAt < 30_000 && ready?.status !== 200) {
        ready = await fetch(`${server.url}/health/ready`);
        if (ready.status !== 200) await sleep(100);
      }
      expect(ready?.status).toBe(200);
      const recoveredInMs = Date.now() - restartedAt;
      await sleep(1_000);
      stop = true;
      await Promise.all(workers);

      const afterwards = await fetch(`${server.url}/orders`, { method: 'POST', headers: { ...json, ...auth, 'idempotency-key': 'outage-after' }, body: colaOrder });
      expect(afterwards.status).toBe(201);
      console.log(`PostgreSQL outage: ready again ${recoveredInMs} ms after PostgreSQL was; answers ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
      expect(problems).toEqual([]);
      expect([...statuses.keys()].some((key) => key.endsWith(' 503'))).toBe(true);
      expect(server.child.exitCode).toBeNull();
    } finally {
      await stopServerProcess(server);
      await scratch.drop().catch(() => {});
    }
  });
});
