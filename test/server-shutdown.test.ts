import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { describeEachDatabase, useTestDatabase } from './support/database.ts';
import { freePort } from './support/free-port.ts';
import { databaseEnv, startServerProcess as startProcess, waitUntilLive } from './support/server-process.ts';

it('refuses to start on a bad setting, printing what is wrong and no stack trace', async () => {
  const started = startProcess({ PORT: 'eighty' });
  expect(await started.exited).toBe(1);
  expect(started.output()).toContain('PORT must be an integer between 1 and 65535 (got "eighty")');
  expect(started.output()).not.toMatch(/\n\s+at /);
});

describeEachDatabase('graceful shutdown', (kind) => {
  const database = useTestDatabase(kind);

  it('finishes every request in flight on SIGTERM, keeps what it acknowledged, and exits 0', { timeout: 90_000 }, async () => {
    const { db, config } = database();
    const started = startProcess({ ...databaseEnv(config), PORT: String(await freePort()), LOG_LEVEL: 'info' });
    try {
      await waitUntilLive(started);
      expect(started.output()).toContain(`"docs":"${started.url}/docs"`);

      // Registering hashes a password (tens of milliseconds), so these are still running when the signal comes.
      const emails = Array.from({ length: 24 }, (_, index) => `shutdown-${index}@example.com`);
      const answers = emails.map((email) =>
        fetch(`${started.url}/accounts`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email, password: 'correct horse battery staple', name: 'In Flight' }),
        }).then(
          async (response) => ({ email, status: response.status, body: await response.text(), answeredAt: performance.now() }),
          // Connections still waiting to be accepted when the server stops listening are reset: never acknowledged.
          () => ({ email, status: 0, body: '', answeredAt: performance.now() }),
        ),
      );
      await sleep(150);
      started.child.kill('SIGTERM');
      const signalledAt = performance.now();
      const settled = await Promise.all(answers);
      expect(await started.exited).toBe(0);

      const acknowledged = settled.filter((answer) => answer.status === 201).map((answer) => answer.email);
      expect(settled.every((answer) => answer.status === 201 || answer.status === 0), JSON.stringify(settled)).toBe(true);
      const finishedAfterSignal = settled.filter((answer) => answer.status === 201 && answer.answeredAt > signalledAt);
      expect(finishedAfterSignal.length, 'requests in flight when the signal came were finished').toBeGreaterThan(0);
      const stored = await db.selectFrom('users').select('email').where('email', 'in', emails).execute();
      expect(stored.map((row) => row.email).sort()).toEqual(expect.arrayContaining(acknowledged.sort()));
      expect(started.output()).toContain('"msg":"stopped"');
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    }
  });
});
