/**
 * `npm run bench`: loads the real server over loopback with `wrk` (Debian's, one thread, in its own process)
 * and compares it with a bare `node:http` server answering the same menu bytes, in the same run. Runs on an
 * empty database, then on one holding BENCH_ORDERS orders. Prints requests/s, p50/p99 latency, the server's
 * CPU time per request and resident memory, each figure's ratio to bare `node:http`, and whether each target
 * of issue #13 is met. A full run writes its table to `bench/RESULTS.md`.
 *
 * Each server runs in its own process, and so does the load generator (on a 2-core machine a load generator
 * inside this process would measure itself). Each scenario is first run unmeasured for BENCH_WARMUP_SECONDS (2).
 * Settings: BENCH_SECONDS (10 per scenario), BENCH_CONNECTIONS (50), BENCH_ORDERS (1000000).
 * BENCH_SMOKE=1 is the test suite's quick check that the benchmark runs: 1 s per scenario, 1,000 orders,
 * SQLite only, nothing written.
 *
 * Where PostgreSQL is installed (Debian's `postgresql`) and BENCH_DATABASES is not `sqlite` (a quicker run for
 * trying a change, which writes no results), the same scenarios run again against a throwaway cluster, followed by bursts of BENCH_BURST (200) concurrent orders for one pizza on one and on two
 * instances, with a read of an order timed while each burst runs.
 *
 * Where h2load is installed (Debian's `nghttp2-client`), `GET /menu/items` is loaded by h2load, in its own
 * process, over plain HTTP/1.1, HTTP/1.1 over TLS and HTTP/2 over TLS, so the cost of TLS and h2 is known.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../server/config.ts';
import { createDatabase } from '../server/db/database.ts';
import { sql } from 'kysely';
import { migrateToLatest } from '../server/db/migrator.ts';
import { seedDatabase, seededIds } from '../server/db/seed.ts';
import { freePort } from '../test/support/free-port.ts';
import { createScratchDatabase, findPostgresBinDir, startPostgresCluster } from '../test/support/postgres.ts';

const smoke = process.env.BENCH_SMOKE === '1';
const seconds = Number(process.env.BENCH_SECONDS ?? (smoke ? 1 : 10));
const warmUpSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? (smoke ? 0 : 2));
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const bulkOrders = Number(process.env.BENCH_ORDERS ?? (smoke ? 1_000 : 1_000_000));
const burstSize = Number(process.env.BENCH_BURST ?? 200);
const root = fileURLToPath(new URL('..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'pizza-bench-'));
const sqlitePath = join(workDir, 'bench.db');
const customer = { email: 'bench@example.com', password: 'bench password 123', name: 'Bench Customer' };

const sqliteEnv = {
  ...process.env,
  NODE_ENV: 'production',
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
  STAFF_PASSWORD: 'bench staff password',
  SQLITE_PATH: sqlitePath,
  HOST: '127.0.0.1',
  RATE_LIMIT_PER_MINUTE: '1000000',
  TOKEN_TTL_SECONDS: '3600',
  DATABASE_URL: '',
};

interface Figures {
  label: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  rssMb: number;
  /** Server CPU time (user + system) per answered request: unlike req/s, barely moved by other load on the machine. */
  cpuPerRequestUs: number;
}

type ServerEnv = typeof sqliteEnv;

async function main() {
  if (!installed('wrk')) throw new Error('wrk is not installed: apt-get install wrk (the load generator runs in its own process)');
  const rows: Array<{ database: string; figures: Figures[] }> = [];
  await prepareDatabase(sqliteEnv);
  for (const database of ['SQLite, empty', `SQLite, ${bulkOrders.toLocaleString('en')} orders`]) {
    if (database !== 'SQLite, empty') await insertOrders(sqliteEnv, bulkOrders);
    rows.push({ database, figures: await measure(sqliteEnv) });
  }
  if (smoke) {
    printTable(rows);
    rmSync(workDir, { recursive: true, force: true });
    return;
  }
  const transport = await measureTransport();
  const bursts: BurstFigures[] = [];
  if (process.env.BENCH_DATABASES === 'sqlite') {
    console.log('BENCH_DATABASES=sqlite: the PostgreSQL rows are left out.');
  } else if (findPostgresBinDir()) {
    const cluster = await startPostgresCluster();
    try {
      const scratch = await createScratchDatabase(cluster.url);
      const postgresEnv = { ...sqliteEnv, DATABASE_URL: scratch.url };
      await prepareDatabase(postgresEnv);
      rows.push({ database: 'PostgreSQL, empty', figures: await measure(postgresEnv) });
      await insertOrders(postgresEnv, bulkOrders);
      rows.push({ database: `PostgreSQL, ${bulkOrders.toLocaleString('en')} orders`, figures: await measure(postgresEnv) });
      for (const instances of [1, 2]) bursts.push(await burst(postgresEnv, instances));
    } finally {
      await cluster.stop();
    }
  } else {
    console.log('PostgreSQL is not installed (apt-get install postgresql): its rows are left out.');
  }
  const table = printTable(rows);
  const transportTable = printTransport(transport);
  const burstTable = printBursts(bursts);
  // Only a full run is the record: a SQLite-only run is for trying a change.
  if (process.env.BENCH_DATABASES !== 'sqlite') writeResults([table, transportTable, burstTable].filter(Boolean).join('\n'));
  rmSync(workDir, { recursive: true, force: true });
}

/** The last full run's tables, with the machine they ran on, for `bench/RESULTS.md`. */
function writeResults(tables: string) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${availableParallelism()} cores (${cpu}), Node ${process.versions.node},`,
    `${connections} connections, ${seconds} s per scenario after ${warmUpSeconds} s of warm-up, \`wrk -t1\` in its own process on the same cores.`,
    'Ratios are to bare `node:http` answering the same menu bytes in the same run.',
    '',
  ];
  writeFileSync(join(root, 'bench', 'RESULTS.md'), `${header.join('\n')}\n\`\`\`\n${tables.trim()}\n\`\`\`\n`);
  console.log('\nWritten to bench/RESULTS.md.');
}

async function prepareDatabase(env: ServerEnv) {
  const config = loadConfig(env);
  const { db, close } = createDatabase(config);
  await migrateToLatest(db);
  await seedDatabase(db, config);
  // Enough stock that a run of POST /orders never runs out.
  await db.updateTable('ingredients').set({ stock_level: 1_000_000_000 }).execute();
  await close();
}

/**
 * Adds `count` delivered orders of other customers, as a busy restaurant's history: each with one line and the
 * status events of its life, made by the database itself in a handful of statements (a million in well under a minute).
 */
async function insertOrders(env: ServerEnv, count: number) {
  // Each statement inserts a million rows: more than the server's statement timeout allows a request.
  const config = loadConfig({ ...env, DATABASE_STATEMENT_TIMEOUT_MS: '600000' });
  const { db, dialect, close } = createDatabase(config);
  const started = performance.now();
  const customerIds = Array.from({ length: 200 }, (_, i) => `usr_history${String(i).padStart(4, '0')}`);
  await db
    .insertInto('users')
    .values(customerIds.map((id, i) => ({ id, email: `history${i}@example.com`, name: `History ${i}`, password_hash: 'x', role: 'customer' as const })))
    .execute();
  // n = 0 … count-1, as the database counts: a recursive CTE on SQLite, generate_series on PostgreSQL.
  const numbers =
    dialect === 'sqlite'
      ? `with recursive n(i) as (select 0 union all select i + 1 from n where i < ${count - 1}) select i from n`
      : `select i from generate_series(0, ${count - 1}) as n(i)`;
  const id = (prefix: string) => (dialect === 'sqlite' ? `'${prefix}' || printf('%012d', i)` : `'${prefix}' || lpad(i::text, 12, '0')`);
  const at = (minutes: string) =>
    dialect === 'sqlite'
      ? `strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || (i + ${minutes}) || ' minutes')`
      : `to_char(timestamp '2026-01-01' + (i + ${minutes}) * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const customers = `(${customerIds.map((customer) => `'${customer}'`).join(', ')})`;
  const customer = dialect === 'sqlite' ? `json_extract('${JSON.stringify(customerIds)}', '$[' || (i % 200) || ']')` : `(array${customers.replace('(', '[').replace(/\)$/, ']')})[i % 200 + 1]`;
  const statements = [
    `insert into orders (id, customer_id, status, fulfilment_type, address, notes, subtotal_cents, delivery_fee_cents, tax_cents, total_cents, currency, cancel_reason, created_at, updated_at)
       select ${id('ord_h')}, ${customer}, 'delivered', 'pickup', null, null, 1199, 0, 96, 1295, 'USD', null, ${at('0')}, ${at('30')} from (${numbers}) as numbers`,
    `insert into order_lines (order_id, position, item_id, item_name, size, quantity, toppings, unit_price_cents, line_total_cents)
       select ${id('ord_h')}, 0, '${seededIds.items.margherita}', 'Margherita', 'medium', 1, '[]', 1199, 1199 from (${numbers}) as numbers`,
    `insert into order_events (id, order_id, previous_status, status, changed_by, occurred_at)
       select ${id('evt_p')}, ${id('ord_h')}, null, 'awaiting_payment', null, ${at('0')} from (${numbers}) as numbers`,
    `insert into order_events (id, order_id, previous_status, status, changed_by, occurred_at)
       select ${id('evt_d')}, ${id('ord_h')}, 'out_for_delivery', 'delivered', null, ${at('30')} from (${numbers}) as numbers`,
  ];
  await db.transaction().execute(async (trx) => {
    // The rows are made consistent by construction: PostgreSQL need not check each line's and event's foreign key
    // with a trigger (three million checks, most of the time). The throwaway cluster's user is a superuser.
    if (dialect === 'postgres') await sql`set local session_replication_role = replica`.execute(trx);
    for (const statement of statements) await sql.raw(statement).execute(trx);
  });
  if (dialect === 'postgres') await sql`analyze`.execute(db);
  // Made in one transaction, the history sits in a write-ahead log of hundreds of thousands of pages, whose index
  // every read would search (a third more CPU per order read); a restaurant's database grown over months has
  // long been checkpointed (every 10,000 pages).
  else await sql`pragma wal_checkpoint(truncate)`.execute(db);
  await close();
  console.log(`Inserted ${count.toLocaleString('en')} orders in ${((performance.now() - started) / 1000).toFixed(1)} s (${dialect}).`);
}

async function startServer(env: ServerEnv, scheme: 'http' | 'https' = 'http'): Promise<{ server: ChildProcess; base: string }> {
  const port = await freePort();
  const server = await startProcess([process.execPath, '--import', 'tsx', 'server/index.ts'], { ...env, PORT: String(port) });
  const base = `${scheme}://127.0.0.1:${port}`;
  // A self-signed certificate: the probe only waits for the port to answer.
  await waitFor(`${base}/health/ready`, scheme === 'https');
  return { server, base };
}

async function measure(env: ServerEnv): Promise<Figures[]> {
  const { server, base } = await startServer(env);
  try {
    const token = await customerToken(base);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const orderBody = JSON.stringify({
      lines: [{ itemId: seededIds.items.cola, size: 'regular', quantity: 1, toppings: [] }],
      fulfilment: { type: 'pickup' },
    });
    const placed = await fetch(`${base}/orders`, { method: 'POST', headers: { ...auth, 'idempotency-key': `bench-${Date.now()}` }, body: orderBody });
    if (placed.status !== 201) throw new Error(`could not place the order to read: ${placed.status} ${await placed.text()}`);
    const orderId = ((await placed.json()) as { id: string }).id;

    const menuBytes = Buffer.from(await (await fetch(`${base}/menu/items`)).arrayBuffer());
    const bare = await startBareServer(menuBytes);
    const fastify = await startBareServer(menuBytes, 'fastify');
    try {
      const figures = [await load('bare node:http, same menu bytes', `${bare.url}/`, {}, bare.child)];
      figures.push(await load('bare Fastify, same menu bytes', `${fastify.url}/`, {}, fastify.child));
      figures.push(await load('GET /menu/items', `${base}/menu/items`, {}, server));
      figures.push(await load('GET /orders/{id} (authenticated)', `${base}/orders/${orderId}`, { headers: auth }, server));
      figures.push(await load('POST /orders (authenticated, unique keys)', `${base}/orders`, { method: 'POST', headers: auth, body: orderBody, uniqueKeys: true }, server));
      return figures;
    } finally {
      await Promise.all([stop(bare.child), stop(fastify.child)]);
    }
  } finally {
    await stop(server);
  }
}

interface Request {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Sends a new `Idempotency-Key` with every request. */
  uniqueKeys?: boolean;
}

let scripts = 0;

/** A wrk script sending `request`; a Lua long string holds each value, so no escaping is needed. */
function wrkScript({ method = 'GET', headers = {}, body, uniqueKeys = false }: Request): string {
  const long = (value: string) => `[==[${value}]==]`;
  const lines = [`wrk.method = ${long(method)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`wrk.headers[ ${long(name)} ] = ${long(value)}`);
  if (body !== undefined) lines.push(`wrk.body = ${long(body)}`);
  if (uniqueKeys) {
    lines.push(
      `local prefix = ${long(`bench-${process.pid}-${Date.now()}-${scripts}`)}`,
      'local counter = 0',
      'request = function()',
      '  counter = counter + 1',
      '  wrk.headers["Idempotency-Key"] = prefix .. "-" .. counter',
      '  return wrk.format()',
      'end',
    );
  }
  if (process.env.BENCH_DEBUG === '1') {
    // Shows the first answers that are not 2xx (parsing every answer slows wrk down, so only when asked).
    lines.push('local shown = 0', 'response = function(status, headers, body)', '  if status >= 300 and shown < 3 then shown = shown + 1; print(status, body) end', 'end');
  }
  const file = join(workDir, `request-${scripts++}.lua`);
  writeFileSync(file, lines.join('\n'));
  return file;
}

/** A duration as wrk prints it (`630.00us`, `2.10ms`, `1.02s`), in milliseconds. */
function milliseconds(text: string): number {
  const [, value, unit] = /^([\d.]+)(us|ms|s|m)$/.exec(text) ?? [];
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit as 'us' | 'ms' | 's' | 'm'];
  return Number(value) * (factor ?? NaN);
}

async function wrk(url: string, script: string, duration: number) {
  const args = ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '-s', script, url];
  const { stdout } = await promisify(execFile)('wrk', args, { maxBuffer: 16 * 1024 * 1024 });
  if (process.env.BENCH_DEBUG === '1') console.log(stdout);
  const read = (pattern: RegExp) => pattern.exec(stdout)?.[1];
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)?.slice(1).map(Number) ?? [0];
  return {
    requestsPerSecond: Number(read(/Requests\/sec:\s+([\d.]+)/)),
    total: Number(read(/(\d+) requests in/)),
    p50: milliseconds(read(/^\s+50%\s+(\S+)$/m) ?? 'NaN'),
    p99: milliseconds(read(/^\s+99%\s+(\S+)$/m) ?? 'NaN'),
    errors: socketErrors.reduce((sum, n) => sum + n, 0),
    non2xx: Number(read(/Non-2xx or 3xx responses: (\d+)/) ?? 0),
  };
}

async function load(label: string, url: string, request: Request, target: ChildProcess): Promise<Figures> {
  const script = wrkScript(request);
  // Unmeasured first, so the figures are of code the JIT has optimised rather than of its warm-up.
  if (warmUpSeconds > 0) await wrk(url, script, warmUpSeconds);
  const cpuBefore = cpuMilliseconds(target);
  const result = await wrk(url, script, seconds);
  return {
    label,
    requestsPerSecond: result.requestsPerSecond,
    p50: result.p50,
    p99: result.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    rssMb: residentMegabytes(target),
    cpuPerRequestUs: ((cpuMilliseconds(target) - cpuBefore) * 1000) / Math.max(1, result.total),
  };
}

/** User plus system CPU time the process has used, in milliseconds (`/proc/<pid>/stat`, clock ticks of 10 ms). */
function cpuMilliseconds(child: ChildProcess): number {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat; the split above starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function residentMegabytes(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function customerToken(base: string): Promise<string> {
  await fetch(`${base}/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(customer) });
  const response = await fetch(`${base}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: customer.email, password: customer.password }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** A server answering every GET with `body` and nothing else: `node:http` itself, or one Fastify route (its defaults: no logger). */
async function startBareServer(body: Buffer, framework: 'node:http' | 'fastify' = 'node:http'): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const file = join(workDir, 'menu.json');
  writeFileSync(file, body);
  const source =
    framework === 'fastify'
      ? `
    const body = require('node:fs').readFileSync(${JSON.stringify(file)});
    const app = require('fastify')();
    app.get('/', (request, reply) => reply.type('application/json').send(body));
    app.listen({ port: ${port}, host: '127.0.0.1' });`
      : `
    const body = require('node:fs').readFileSync(${JSON.stringify(file)});
    require('node:http').createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    }).listen(${port}, '127.0.0.1');`;
  const child = await startProcess([process.execPath, '-e', source], process.env);
  await waitFor(`http://127.0.0.1:${port}/`);
  return { url: `http://127.0.0.1:${port}`, child };
}

async function startProcess([command, ...args]: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(command!, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  child.once('exit', (code) => {
    if (code !== null && code !== 0) console.error(`${args.join(' ').slice(0, 60)} exited with ${code}`);
  });
  return child;
}

async function waitFor(url: string, anyCertificate = false) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = anyCertificate
      ? await promisify(execFile)('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', url]).then(({ stdout }) => stdout === '200', () => false)
      : await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

interface Target {
  scenario: number;
  ratio: number;
  cpuUs: number;
  p99Ms?: number;
}

/** Issue #13's targets per scenario (its index in `measure`'s figures): ratio to bare node:http, CPU per request, p99. */
const sqliteTargets: Target[] = [
  { scenario: 2, ratio: 0.6, cpuUs: 30 },
  { scenario: 3, ratio: 0.35, cpuUs: 45 },
  { scenario: 4, ratio: 0.12, cpuUs: 150, p99Ms: 20 },
];

function verdict(f: Figures, bare: number, target: Target | undefined, postgres: boolean, sqliteFigure: Figures | undefined, emptyFigure: Figures | undefined): string {
  if (!target) return '';
  const misses: string[] = [];
  if (postgres) {
    if (target.p99Ms === undefined && sqliteFigure && f.requestsPerSecond < 0.5 * sqliteFigure.requestsPerSecond) misses.push('< 0.5× SQLite');
    if (target.p99Ms !== undefined && f.p99 > 30) misses.push('p99 > 30 ms');
  } else {
    if (f.requestsPerSecond / bare < target.ratio) misses.push(`< ${target.ratio}×`);
    if (f.cpuPerRequestUs > target.cpuUs) misses.push(`> ${target.cpuUs} µs`);
    if (target.p99Ms !== undefined && f.p99 > target.p99Ms) misses.push(`p99 > ${target.p99Ms} ms`);
  }
  if (emptyFigure && f.requestsPerSecond < 0.9 * emptyFigure.requestsPerSecond) misses.push('> 10 % below empty');
  return misses.length === 0 ? 'met' : `missed: ${misses.join(', ')}`;
}

function printTable(rows: Array<{ database: string; figures: Figures[] }>): string {
  const header = ['database', 'scenario', 'req/s', 'ratio', 'p50 ms', 'p99 ms', 'CPU µs/req', 'RSS MB', 'errors', 'non-2xx', 'target'];
  const lines = [header];
  const empties = new Map(rows.filter((row) => row.database.endsWith('empty')).map((row) => [row.database.split(',')[0]!, row.figures]));
  const sqliteEmpty = empties.get('SQLite');
  for (const { database, figures } of rows) {
    const bare = figures[0]!.requestsPerSecond;
    const kind = database.split(',')[0]!;
    const empty = database.endsWith('empty') ? undefined : empties.get(kind);
    for (const [index, f] of figures.entries()) {
      const versusEmpty = empty ? ` (${percent(f.requestsPerSecond / empty[index]!.requestsPerSecond)} of empty)` : '';
      const target = sqliteTargets.find((t) => t.scenario === index);
      lines.push([
        database,
        f.label,
        f.requestsPerSecond.toFixed(0) + versusEmpty,
        `${(f.requestsPerSecond / bare).toFixed(2)}×`,
        f.p50.toFixed(2),
        f.p99.toFixed(2),
        f.cpuPerRequestUs.toFixed(0),
        f.rssMb.toFixed(0),
        String(f.errors),
        String(f.non2xx),
        verdict(f, bare, target, kind === 'PostgreSQL', sqliteEmpty?.[index], empty?.[index]),
      ]);
    }
  }
  const table = printAligned(`${connections} connections, ${seconds} s per scenario, NODE_ENV=production, wrk -t1 in its own process`, lines);
  const notes = [
    '',
    'Targets (issue #13), ratios to bare node:http in the same run: GET /menu/items ≥ 0.6× and ≤ 30 µs CPU; GET /orders/{id} ≥ 0.35× and ≤ 45 µs;',
    'POST /orders ≥ 0.12× with p99 ≤ 20 ms and ≤ 150 µs; each within 10 % of its empty-database figure with the stored orders;',
    'PostgreSQL: reads ≥ 0.5× their SQLite figure, POST /orders p99 ≤ 30 ms.',
  ].join('\n');
  console.log(notes);
  return table + notes;
}

function printAligned(title: string, lines: string[][]): string {
  const widths = lines[0]!.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  const text = [`\n${title}\n`, ...lines.map((line) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd())].join('\n');
  console.log(text);
  return text;
}

interface TransportFigures {
  label: string;
  requestsPerSecond: number;
  meanMs: number;
  succeeded: number;
  total: number;
}

function installed(command: string): boolean {
  try {
    execFileSync('which', [command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `GET /menu/items` loaded by h2load over plain HTTP/1.1, HTTP/1.1 over TLS and HTTP/2 over TLS (10 streams a connection). */
async function measureTransport(): Promise<TransportFigures[]> {
  if (!installed('h2load')) {
    console.log('h2load is not installed (apt-get install nghttp2-client): the HTTPS rows are left out.');
    return [];
  }
  const certFile = join(workDir, 'cert.pem');
  const keyFile = join(workDir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  const plain = await startServer(sqliteEnv);
  const secure = await startServer({ ...sqliteEnv, TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile } as ServerEnv, 'https');
  try {
    const scenarios: Array<[string, string, string[]]> = [
      ['HTTP/1.1', `${plain.base}/menu/items`, ['--h1']],
      ['HTTP/1.1 over TLS', `${secure.base}/menu/items`, ['--h1']],
      ['HTTP/2 over TLS, 10 streams a connection', `${secure.base}/menu/items`, ['-m', '10']],
    ];
    const figures: TransportFigures[] = [];
    for (const [label, url, flags] of scenarios) figures.push(await h2load(label, url, flags));
    return figures;
  } finally {
    await Promise.all([stop(plain.server), stop(secure.server)]);
  }
}

async function h2load(label: string, url: string, flags: string[]): Promise<TransportFigures> {
  const args = ['-c', String(connections), '-t', '1', '-D', String(seconds), `--warm-up-time=${Math.max(1, warmUpSeconds)}`, ...flags, url];
  const { stdout } = await promisify(execFile)('h2load', args, { maxBuffer: 16 * 1024 * 1024 });
  const requestsPerSecond = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(stdout)?.[1] ?? NaN);
  const [, total, , , succeeded] = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded/.exec(stdout)?.map(Number) ?? [];
  const mean = /time for request:\s+\S+\s+\S+\s+(\S+)/.exec(stdout)?.[1] ?? 'NaN';
  const meanMs = mean.endsWith('ms') ? Number(mean.slice(0, -2)) : mean.endsWith('us') ? Number(mean.slice(0, -2)) / 1000 : Number(mean.replace(/s$/, '')) * 1000;
  return { label, requestsPerSecond, meanMs, succeeded: succeeded ?? NaN, total: total ?? NaN };
}

function printTransport(figures: TransportFigures[]): string {
  if (figures.length === 0) return '';
  const plain = figures[0]!.requestsPerSecond;
  const lines = [['transport', 'req/s', 'ratio to HTTP/1.1', 'mean ms', 'succeeded']];
  for (const f of figures) lines.push([f.label, f.requestsPerSecond.toFixed(0), `${(f.requestsPerSecond / plain).toFixed(2)}×`, f.meanMs.toFixed(2), `${f.succeeded} of ${f.total}`]);
  return printAligned(`GET /menu/items loaded by h2load (${connections} connections, ${seconds} s), SQLite, NODE_ENV=production`, lines);
}

interface BurstFigures {
  instances: number;
  answers: Record<number, number>;
  slowestMs: number;
  wallMs: number;
  readDuringBurstMs: number;
}

/**
 * `burstSize` orders for the same pizza sent at once, spread over `instances` servers on one PostgreSQL database,
 * each with its own Idempotency-Key, and one `GET /orders/{id}` sent just after them: the figures of issue #15.
 */
async function burst(env: ServerEnv, instances: number): Promise<BurstFigures> {
  const servers = await Promise.all(Array.from({ length: instances }, () => startServer(env)));
  try {
    const token = await customerToken(servers[0]!.base);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const body = JSON.stringify({ lines: [{ itemId: seededIds.items.margherita, size: 'medium', quantity: 1 }], fulfilment: { type: 'pickup' } });
    const post = (base: string, key: string) => fetch(`${base}/orders`, { method: 'POST', headers: { ...auth, 'idempotency-key': key }, body });
    const placed = await post(servers[0]!.base, `bench-burst-read-${instances}`);
    const orderId = ((await placed.json()) as { id: string }).id;
    // One burst unmeasured first, as every other scenario is warmed up: the figures are then of code the JIT has
    // optimised, as in a server that has been taking orders, not of its first minutes.
    await Promise.all(Array.from({ length: burstSize }, (_, i) => post(servers[i % instances]!.base, `bench-burst-warm-${instances}-${i}`).then((r) => r.arrayBuffer())));

    const started = performance.now();
    const answers = Promise.all(
      Array.from({ length: burstSize }, async (_, i) => {
        const sent = performance.now();
        const response = await post(servers[i % instances]!.base, `bench-burst-${instances}-${i}`);
        await response.arrayBuffer();
        return { status: response.status, ms: performance.now() - sent };
      }),
    );
    const readSent = performance.now();
    const read = await fetch(`${servers[0]!.base}/orders/${orderId}`, { headers: auth });
    await read.arrayBuffer();
    const readDuringBurstMs = performance.now() - readSent;
    const results = await answers;
    const counts: Record<number, number> = {};
    for (const { status } of results) counts[status] = (counts[status] ?? 0) + 1;
    return { instances, answers: counts, slowestMs: Math.max(...results.map((r) => r.ms)), wallMs: performance.now() - started, readDuringBurstMs };
  } finally {
    await Promise.all(servers.map(({ server }) => stop(server)));
  }
}

function printBursts(bursts: BurstFigures[]): string {
  if (bursts.length === 0) return '';
  const lines = [['instances', 'answers', 'slowest answer ms', 'whole burst ms', 'GET /orders/{id} during burst ms']];
  for (const b of bursts) {
    lines.push([String(b.instances), JSON.stringify(b.answers), b.slowestMs.toFixed(0), b.wallMs.toFixed(0), b.readDuringBurstMs.toFixed(0)]);
  }
  const note = "\nTarget: every answer 201, the slowest under 1,000 ms (the load generator shares this machine's cores).";
  const table = printAligned(`PostgreSQL: ${burstSize} concurrent POST /orders for one pizza, NODE_ENV=production`, lines);
  console.log(note);
  return table + note;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(0)} %`;
}

await main();
