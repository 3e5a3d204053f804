import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { Config } from '../server/config.ts';
import { describeEachDatabase, useTestDatabase } from './support/database.ts';
import { freePort } from './support/free-port.ts';

interface Started {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

function databaseEnv(config: Config): Record<string, string> {
  return config.database.kind === 'postgres' ? { DATABASE_URL: config.database.url } : { SQLITE_PATH: config.database.path };
}

/** Runs `server/index.ts` as its own process, the way `npm start` does. */
function startProcess(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${env.PORT}`, output: () => output, exited };
}

async function waitUntilLive(started: Started, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`the server exited early:\n${started.output()}`);
    const live = await fetch(`${started.url}/health/live`).catch(() => undefined);
    if (live?.status === 200) return;
    await sleep(100);
  }
  throw new Error(`the server did not start in time:\n${started.output()}`);
}

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
