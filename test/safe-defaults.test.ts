import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLogLine } from '../server/http/pretty-log.ts';
import { freePort } from './support/free-port.ts';
import { scratchParent } from './support/postgres.ts';
import { startServerProcess, stopServerProcess, waitUntilLive } from './support/server-process.ts';

describe('npm start with no configuration', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(scratchParent(), 'pizza-place-defaults-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('listens on loopback only and writes logs for people, not JSON', { timeout: 60_000 }, async () => {
    const port = await freePort();
    // HOST empty is HOST unset: the development default.
    const started = startServerProcess({ NODE_ENV: 'development', HOST: '', PORT: String(port), SQLITE_PATH: join(directory, 'dev.db') });
    try {
      await waitUntilLive(started);
      await fetch(`${started.url}/menu/items`);
      await stopServerProcess(started);
      const output = started.output();
      expect(output).toContain(`INFO  Pizza Place API at http://127.0.0.1:${port} (API reference: http://127.0.0.1:${port}/docs)`);
      expect(output).toMatch(/INFO {2}request GET \/menu\/items 200 [\d.]+ms requestId=req_\w+ client=127\.0\.0\.1\n/);
      expect(output).not.toContain('{"level"');
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    }
  });

  it('refuses to listen on every interface with the public development secrets', async () => {
    const started = startServerProcess({ NODE_ENV: 'development', HOST: '0.0.0.0', PORT: String(await freePort()), SQLITE_PATH: join(directory, 'dev.db') });
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain(
      'HOST is not a loopback address, and the public development JWT_SECRET and STAFF_PASSWORD would let anyone on the network sign tokens or in as staff',
    );
  });
});

describe('the human-readable log format', () => {
  it('puts time, level, message and request first, the rest as key=value, and a stack on its own lines', () => {
    const request = JSON.stringify({ level: 30, time: '2026-12-01T10:11:12.345Z', msg: 'request', method: 'GET', path: '/orders', status: 401, durationMs: 1.5, client: '10.0.0.7', requestId: 'req_1' });
    expect(formatLogLine(request)).toBe('10:11:12.345 INFO  request GET /orders 401 1.5ms client=10.0.0.7 requestId=req_1\n');
    const failure = JSON.stringify({ level: 50, time: '2026-12-01T10:11:12.345Z', msg: 'unexpected error', err: { message: 'boom', stack: 'Error: boom\n    at x' }, detail: 'two words' });
    expect(formatLogLine(failure)).toBe('10:11:12.345 ERROR unexpected error detail="two words"\n    Error: boom\n        at x\n');
  });
});
