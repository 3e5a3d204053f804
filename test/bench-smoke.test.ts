import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

/**
 * `npm run bench` still runs: its quick mode (`BENCH_SMOKE=1`: 1 s per scenario, 1,000 stored orders, SQLite only)
 * loads every scenario with wrk and prints a row for each, with no failed request. Timings are not checked here:
 * they belong to the benchmark, not to a test on a shared machine.
 */
it('runs the benchmark in its quick mode and prints every scenario with no failed request', { timeout: 240_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/server.ts'], {
    env: { ...process.env, BENCH_SMOKE: '1' },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 230_000,
  });
  const rows = stdout.split('\n').filter((line) => /^SQLite, /.test(line));
  expect(rows.map((row) => row.split(/\s{2,}/).slice(0, 2).join(' | '))).toEqual([
    'SQLite, empty | bare node:http, same menu bytes',
    'SQLite, empty | bare Fastify, same menu bytes',
    'SQLite, empty | GET /menu/items',
    'SQLite, empty | GET /orders/{id} (authenticated)',
    'SQLite, empty | POST /orders (authenticated, unique keys)',
    'SQLite, 1,000 orders | bare node:http, same menu bytes',
    'SQLite, 1,000 orders | bare Fastify, same menu bytes',
    'SQLite, 1,000 orders | GET /menu/items',
    'SQLite, 1,000 orders | GET /orders/{id} (authenticated)',
    'SQLite, 1,000 orders | POST /orders (authenticated, unique keys)',
  ]);
  for (const row of rows) {
    const cells = row.split(/\s{2,}/);
    // req/s, then errors and non-2xx: every request answered, and answered 2xx.
    expect(Number.parseFloat(cells[2]!)).toBeGreaterThan(0);
    expect(cells.slice(8, 10)).toEqual(['0', '0']);
    if (!cells[1]!.startsWith('bare')) expect(cells[10]).toMatch(/^(met|missed: .+)$/);
  }
});
