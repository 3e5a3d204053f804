import { expect, it } from 'vitest';
import { describeEachDatabase, useTestDatabase } from './support/database.ts';
import { freePort } from './support/free-port.ts';
import { databaseEnv, startServerProcess, stopServerProcess, waitUntilLive, type ServerProcess } from './support/server-process.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const json = { 'content-type': 'application/json' };
const customer = { email: 'two-instances@example.com', password: 'two instances password', name: 'Grace Hopper' };
const order = { lines: [{ itemId: 'itm_colaCan01', size: 'regular', quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' } };

describeEachDatabase('two server instances on one database', (kind) => {
  const database = useTestDatabase(kind);

  it('serve any request from either instance: no session, no instance-local state that matters', async () => {
    const { config } = database();
    const servers: TestServer[] = [];
    try {
      servers.push(await startTestServer(config), await startTestServer(config));
      const [a, b] = servers as [TestServer, TestServer];

      expect((await fetch(`${a.url}/accounts`, { method: 'POST', headers: json, body: JSON.stringify(customer) })).status).toBe(201);
      const signIn = await fetch(`${b.url}/auth/token`, { method: 'POST', headers: json, body: JSON.stringify({ email: customer.email, password: customer.password }) });
      expect(signIn.status).toBe(200);
      const auth = { ...json, authorization: `Bearer ${((await signIn.json()) as { accessToken: string }).accessToken}` };

      const placed = await fetch(`${a.url}/orders`, { method: 'POST', headers: { ...auth, 'idempotency-key': 'scale-out-0001' }, body: JSON.stringify(order) });
      expect(placed.status).toBe(201);
      const { id } = (await placed.json()) as { id: string };

      const read = await fetch(`${b.url}/orders/${id}`, { headers: auth });
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ id, status: 'awaiting_payment' });

      const replayed = await fetch(`${b.url}/orders`, { method: 'POST', headers: { ...auth, 'idempotency-key': 'scale-out-0001' }, body: JSON.stringify(order) });
      expect(replayed.status).toBe(201);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(((await replayed.json()) as { id: string }).id).toBe(id);

      const paid = await fetch(`${b.url}/orders/${id}/payments`, { method: 'POST', headers: { ...auth, 'idempotency-key': 'scale-out-pay1' }, body: JSON.stringify({ paymentMethodToken: 'tok_visa' }) });
      expect(paid.status).toBe(201);
      const payAgain = await fetch(`${a.url}/orders/${id}/payments`, { method: 'POST', headers: { ...auth, 'idempotency-key': 'scale-out-pay2' }, body: JSON.stringify({ paymentMethodToken: 'tok_visa' }) });
      expect(payAgain.status).toBe(409);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });
});

describeEachDatabase('two server processes taking orders at once', (kind) => {
  const database = useTestDatabase(kind);

  it('place every order, whichever process takes it, and never answer 5xx', { timeout: 90_000 }, async () => {
    const { config } = database();
    const processes: ServerProcess[] = [];
    try {
      for (let i = 0; i < 2; i++) processes.push(startServerProcess({ ...databaseEnv(config), PORT: String(await freePort()), LOG_LEVEL: 'warn' }));
      await Promise.all(processes.map((started) => waitUntilLive(started)));
      const [a, b] = processes as [ServerProcess, ServerProcess];
      await fetch(`${a.url}/accounts`, { method: 'POST', headers: json, body: JSON.stringify(customer) });
      const signIn = await fetch(`${b.url}/auth/token`, { method: 'POST', headers: json, body: JSON.stringify({ email: customer.email, password: customer.password }) });
      const auth = { ...json, authorization: `Bearer ${((await signIn.json()) as { accessToken: string }).accessToken}` };

      const statuses = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          fetch(`${(i % 2 ? a : b).url}/orders`, { method: 'POST', headers: { ...auth, 'idempotency-key': `concurrent-${String(i).padStart(4, '0')}` }, body: JSON.stringify(order) }).then((r) => r.status),
        ),
      );
      expect(statuses).toEqual(Array(100).fill(201));
    } finally {
      await Promise.all(processes.map(stopServerProcess));
    }
  });
});
