/**
 * `npm run bench`: loads the real server over loopback with autocannon and compares it with a bare
 * `node:http` server answering the same menu bytes. Runs on an empty database, then on one holding
 * 100,000 orders. Prints requests/s, p50/p99 latency, the server's CPU time per request and resident
 * memory, and each figure's ratio to bare `node:http`.
 *
 * Each server runs in its own process; the load generator runs in this one. Each scenario is first run
 * unmeasured for BENCH_WARMUP_SECONDS (2). Settings: BENCH_SECONDS (10 per scenario), BENCH_CONNECTIONS (50),
 * BENCH_ORDERS (100000).
 *
 * Where PostgreSQL is installed (Debian's `postgresql`), the same scenarios run again against a throwaway
 * cluster, followed by bursts of BENCH_BURST (200) concurrent orders for one pizza on one and on two
 * instances, with a read of an order timed while each burst runs.
 *
 * Where h2load is installed (Debian's `nghttp2-client`), `GET /menu/items` is loaded by h2load, in its own
 * process, over plain HTTP/1.1, HTTP/1.1 over TLS and HTTP/2 over TLS, so the cost of TLS and h2 is known.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadConfig } from '../server/config.ts';
import { createDatabase } from '../server/db/database.ts';
import { newId } from '../server/db/ids.ts';
import { migrateToLatest } from '../server/db/migrator.ts';
import { seedDatabase, seededIds } from '../server/db/seed.ts';
import { freePort } from '../test/support/free-port.ts';
import { createScratchDatabase, findPostgresBinDir, startPostgresCluster } from '../test/support/postgres.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmUpSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const bulkOrders = Number(process.env.BENCH_ORDERS ?? 100_000);
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
  const rows: Array<{ database: string; figures: Figures[] }> = [];
  await prepareDatabase(sqliteEnv);
  for (const database of ['SQLite, empty', `SQLite, ${bulkOrders.toLocaleString('en')} orders`]) {
    if (database !== 'SQLite, empty') await insertOrders(sqliteEnv, bulkOrders);
    rows.push({ database, figures: await measure(sqliteEnv) });
  }
  const transport = await measureTransport();
  const bursts: BurstFigures[] = [];
  if (findPostgresBinDir()) {
    const cluster = await startPostgresCluster();
    try {
      const scratch = await createScratchDatabase(cluster.url);
      const postgresEnv = { ...sqliteEnv, DATABASE_URL: scratch.url };
      await prepareDatabase(postgresEnv);
      rows.push({ database: 'PostgreSQL, empty', figures: await measure(postgresEnv) });
      for (const instances of [1, 2]) bursts.push(await burst(postgresEnv, instances));
    } finally {
      await cluster.stop();
    }
  } else {
    console.log('PostgreSQL is not installed (apt-get install postgresql): its rows are left out.');
  }
  printTable(rows);
  printTransport(transport);
  printBursts(bursts);
  rmSync(workDir, { recursive: true, force: true });
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

/** Adds `count` delivered orders of other customers, as a busy restaurant's history. */
async function insertOrders(env: ServerEnv, count: number) {
  const config = loadConfig(env);
  const { db, close } = createDatabase(config);
  const customerIds = Array.from({ length: 200 }, () => newId('usr'));
  await db
    .insertInto('users')
    .values(customerIds.map((id, i) => ({ id, email: `history${i}@example.com`, name: `History ${i}`, password_hash: 'x', role: 'customer' as const })))
    .execute();
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const batch = 500;
  for (let offset = 0; offset < count; offset += batch) {
    await db.transaction().execute(async (trx) => {
      const orders = [];
      const lines = [];
      for (let i = offset; i < Math.min(count, offset + batch); i++) {
        const id = newId('ord');
        const at = new Date(start + i * 60_000).toISOString();
        orders.push({
          id,
          customer_id: customerIds[i % customerIds.length]!,
          status: 'delivered' as const,
          fulfilment_type: 'pickup' as const,
          address: null,
          notes: null,
          subtotal_cents: 1199,
          delivery_fee_cents: 0,
          tax_cents: 96,
          total_cents: 1295,
          currency: 'USD',
          cancel_reason: null,
          created_at: at,
          updated_at: at,
        });
        lines.push({
          order_id: id,
          position: 0,
          item_id: seededIds.items.margherita,
          item_name: 'Margherita',
          size: 'medium' as const,
          quantity: 1,
          toppings: '[]',
          unit_price_cents: 1199,
          line_total_cents: 1199,
        });
      }
      await trx.insertInto('orders').values(orders).execute();
      await trx.insertInto('order_lines').values(lines).execute();
    });
  }
  await close();
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
    try {
      const figures = [await load('bare node:http, same menu bytes', `${bare.url}/`, {}, bare.child)];
      figures.push(await load('GET /menu/items', `${base}/menu/items`, {}, server));
      figures.push(await load('GET /orders/{id} (authenticated)', `${base}/orders/${orderId}`, { headers: auth }, server));
      let sequence = 0;
      figures.push(
        await load('POST /orders (authenticated)', `${base}/orders`, {
          method: 'POST',
          headers: auth,
          body: orderBody,
          setupRequest: (request: autocannon.Request) => ({ ...request, headers: { ...request.headers, 'idempotency-key': `bench-${process.pid}-${Date.now()}-${sequence++}` } }),
        }, server),
      );
      return figures;
    } finally {
      await stop(bare.child);
    }
  } finally {
    await stop(server);
  }
}

async function load(label: string, url: string, options: Partial<autocannon.Options> & { setupRequest?: (r: autocannon.Request) => autocannon.Request }, target: ChildProcess): Promise<Figures> {
  const { setupRequest, ...rest } = options;
  const run = (duration: number) =>
    autocannon({ url, connections, duration, ...rest, ...(setupRequest && { requests: [{ setupRequest }] }) });
  // Unmeasured first, so the figures are of code the JIT has optimised rather than of its warm-up.
  if (warmUpSeconds > 0) await run(warmUpSeconds);
  const cpuBefore = cpuMilliseconds(target);
  const result = await run(seconds);
  return {
    label,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    rssMb: residentMegabytes(target),
    cpuPerRequestUs: ((cpuMilliseconds(target) - cpuBefore) * 1000) / Math.max(1, result.requests.total),
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

async function startBareServer(body: Buffer): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const file = join(workDir, 'menu.json');
  writeFileSync(file, body);
  const source = `
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

function printTable(rows: Array<{ database: string; figures: Figures[] }>) {
  const header = ['database', 'scenario', 'req/s', 'ratio', 'p50 ms', 'p99 ms', 'CPU µs/req', 'RSS MB', 'errors', 'non-2xx'];
  const lines = [header];
  const sqliteEmpty = rows[0]!.figures;
  for (const { database, figures } of rows) {
    const bare = figures[0]!.requestsPerSecond;
    for (const [index, f] of figures.entries()) {
      const versusEmpty = database.startsWith('SQLite, ') && database !== 'SQLite, empty' ? ` (${percent(f.requestsPerSecond / sqliteEmpty[index]!.requestsPerSecond)} of empty)` : '';
      lines.push([
        database,
        f.label,
        f.requestsPerSecond.toFixed(0) + versusEmpty,
        `${(f.requestsPerSecond / bare).toFixed(2)}×`,
        String(f.p50),
        String(f.p99),
        f.cpuPerRequestUs.toFixed(0),
        f.rssMb.toFixed(0),
        String(f.errors),
        String(f.non2xx),
      ]);
    }
  }
  printAligned(`${connections} connections, ${seconds} s per scenario, NODE_ENV=production`, lines);
  console.log('\nTargets: GET /menu/items ≥ 0.6×; GET /orders/{id} ≥ 0.35×; POST /orders ≥ 0.1× with p99 ≤ 25 ms; 100k-order figures within 10 % of empty.');
  console.log(`At ${connections} closed-loop connections p99 ≥ mean latency = ${connections} / req/s, so p99 ≤ 25 ms needs ≥ ${connections / 0.025} req/s.`);
}

function printAligned(title: string, lines: string[][]) {
  const widths = lines[0]!.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  console.log(`\n${title}\n`);
  for (const line of lines) console.log(line.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
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

function printTransport(figures: TransportFigures[]) {
  if (figures.length === 0) return;
  const plain = figures[0]!.requestsPerSecond;
  const lines = [['transport', 'req/s', 'ratio to HTTP/1.1', 'mean ms', 'succeeded']];
  for (const f of figures) lines.push([f.label, f.requestsPerSecond.toFixed(0), `${(f.requestsPerSecond / plain).toFixed(2)}×`, f.meanMs.toFixed(2), `${f.succeeded} of ${f.total}`]);
  printAligned(`GET /menu/items loaded by h2load (${connections} connections, ${seconds} s), SQLite, NODE_ENV=production`, lines);
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

function printBursts(bursts: BurstFigures[]) {
  if (bursts.length === 0) return;
  const lines = [['instances', 'answers', 'slowest answer ms', 'whole burst ms', 'GET /orders/{id} during burst ms']];
  for (const b of bursts) {
    lines.push([String(b.instances), JSON.stringify(b.answers), b.slowestMs.toFixed(0), b.wallMs.toFixed(0), b.readDuringBurstMs.toFixed(0)]);
  }
  printAligned(`PostgreSQL: ${burstSize} concurrent POST /orders for one pizza, NODE_ENV=production`, lines);
  console.log('\nTarget: every answer 201, the slowest under 1,000 ms (the load generator shares this machine\'s cores).');
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(0)} %`;
}

await main();
