import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from './support/database.ts';
import { freePort } from './support/free-port.ts';
import { deliveryOrder } from './support/orders.ts';
import { databaseEnv, startServerProcess, stopServerProcess } from './support/server-process.ts';
import { startTestServer } from './support/server.ts';
import { SseReader } from './support/sse.ts';

const run = promisify(execFile);

/** A self-signed certificate for 127.0.0.1 with the given serial; the paths of its files. */
async function certificate(directory: string, name: string, serial: string): Promise<{ certFile: string; keyFile: string; ca: string }> {
  const certFile = join(directory, `${name}.pem`);
  const keyFile = join(directory, `${name}.key`);
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-set_serial', serial, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile,
  ]);
  return { certFile, keyFile, ca: await readFile(certFile, 'utf8') };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request on an HTTP/2 session; `hold` keeps the request body open until it resolves. */
function request(session: ClientHttp2Session, headers: Record<string, string>, body?: string, hold?: Promise<void>): { stream: ClientHttp2Stream; answer: Promise<Answer> } {
  const stream = session.request(headers);
  const answer = new Promise<Answer>((resolve, reject) => {
    let responseHeaders: Answer['headers'] = {};
    const chunks: Buffer[] = [];
    stream.on('response', (received) => (responseHeaders = received));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status: Number(responseHeaders[':status']), headers: responseHeaders, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
  });
  if (body === undefined) stream.end();
  else if (hold) {
    stream.write(body.slice(0, 1));
    void hold.then(() => stream.end(body.slice(1)));
  } else stream.end(body);
  return { stream, answer };
}

function connectH2(url: string, ca: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(url, { ca });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** The serial of the certificate a new TLS connection to `port` is served. */
function servedSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['h2'] }, () => {
      resolve(new X509Certificate(socket.getPeerX509Certificate()!.raw).serialNumber);
      socket.end();
    });
    socket.once('error', reject);
  });
}

describe('the server over TLS', () => {
  const database = useTestDatabase('sqlite');
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'pizza-place-h2-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('speaks HTTP/2 to a client that offers h2: menu, a large body, request id, rate limits and body limit all hold', async () => {
    const { certFile, keyFile, ca } = await certificate(directory, 'server', '0x01');
    const server = await startTestServer(database().config, { tls: { certFile, keyFile }, bodyLimitBytes: 2048 });
    const session = await connectH2(server.url, ca);
    try {
      expect(session.alpnProtocol).toBe('h2');
      const menu = await request(session, { ':path': '/menu/items', 'accept-encoding': 'identity' }).answer;
      expect(menu.status).toBe(200);
      expect(JSON.parse(menu.body.toString('utf8')).data.length).toBeGreaterThan(0);
      expect(menu.headers['x-request-id']).toMatch(/^\S{8,}$/);
      expect(menu.headers['ratelimit-policy']).toMatch(/q=\d+/);

      const contract = await request(session, { ':path': '/openapi.json', 'accept-encoding': 'identity' }).answer;
      expect(contract.status).toBe(200);
      expect(contract.body.byteLength).toBeGreaterThan(100_000);
      expect(JSON.parse(contract.body.toString('utf8')).openapi).toBe('3.1.0');

      const large = JSON.stringify({ email: 'big@example.com', password: 'p'.repeat(10_000), name: 'Big' });
      const tooLarge = await request(session, { ':method': 'POST', ':path': '/accounts', 'content-type': 'application/json' }, large).answer;
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.headers['content-type']).toBe('application/problem+json');
    } finally {
      session.close();
      await server.close();
    }
  });

  it('answers curl --http2 over h2 and an HTTP/1.1-only client over HTTP/1.1', async () => {
    const { certFile, keyFile } = await certificate(directory, 'server', '0x02');
    const server = await startTestServer(database().config, { tls: { certFile, keyFile } });
    try {
      const curl = (flag: string) => run('curl', [flag, '--cacert', certFile, '-s', '-o', '/dev/null', '-w', '%{http_code} %{http_version}', `${server.url}/health/live`]);
      expect((await curl('--http2')).stdout).toBe('200 2');
      expect((await curl('--http1.1')).stdout).toBe('200 1.1');
    } finally {
      await server.close();
    }
  });

  it('refuses TLS 1.1 and legacy ciphers', async () => {
    const { certFile, keyFile } = await certificate(directory, 'server', '0x03');
    const server = await startTestServer(database().config, { tls: { certFile, keyFile } });
    try {
      const attempt = (options: Record<string, string>) =>
        new Promise<string>((resolve) => {
          const socket = tlsConnect({ host: '127.0.0.1', port: Number(new URL(server.url).port), rejectUnauthorized: false, ...options }, () => {
            resolve(`${socket.getProtocol()} ${socket.getCipher().name}`);
            socket.end();
          });
          socket.once('error', (error) => resolve(`refused: ${error.message}`));
        });
      expect(await attempt({})).toMatch(/^TLSv1\.3 /);
      expect(await attempt({ maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).toMatch(/^refused/);
      expect(await attempt({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA' })).toMatch(/^refused/);
      expect(await attempt({ maxVersion: 'TLSv1.2' })).toMatch(/^TLSv1\.2 ECDHE-ECDSA-AES(128|256)-GCM/);
    } finally {
      await server.close();
    }
  });

  it("streams an order's events over h2 as staff advance it, and ends the stream at delivery", async () => {
    const { certFile, keyFile, ca } = await certificate(directory, 'server', '0x05');
    const { config } = database();
    const server = await startTestServer(config, { tls: { certFile, keyFile } });
    const session = await connectH2(server.url, ca);
    try {
      const call = async (method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) => {
        const answer = await request(
          session,
          { ':method': method, ':path': path, 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }), ...headers },
          body === undefined ? undefined : JSON.stringify(body),
        ).answer;
        expect(answer.status, `${method} ${path}: ${answer.body.toString('utf8')}`).toBeLessThan(300);
        return JSON.parse(answer.body.toString('utf8') || 'null');
      };
      const customer = { email: 'h2-tracking@example.com', password: 'correct horse battery', name: 'Tracked Over H2' };
      await call('POST', '/accounts', undefined, customer);
      const customerToken = (await call('POST', '/auth/token', undefined, { email: customer.email, password: customer.password })).accessToken;
      const staffToken = (await call('POST', '/auth/token', undefined, { email: config.staff.email, password: config.staff.password })).accessToken;
      const order = await call('POST', '/orders', customerToken, deliveryOrder, { 'idempotency-key': 'h2-tracking-order-1' });
      await call('POST', `/orders/${order.id}/payments`, customerToken, { paymentMethodToken: 'tok_visa' }, { 'idempotency-key': 'h2-tracking-payment-1' });

      const stream = session.request({ ':path': `/orders/${order.id}/events`, authorization: `Bearer ${customerToken}`, accept: 'text/event-stream', 'accept-encoding': 'gzip, br' });
      const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve) => stream.once('response', resolve));
      expect(headers[':status']).toBe(200);
      expect(headers['content-type']).toBe('text/event-stream');
      expect(headers['content-encoding']).toBeUndefined();
      const events = new SseReader(stream);
      const statusOf = async () => JSON.parse((await events.nextEvent(2_000))!.data!).status;
      expect(await statusOf()).toBe('confirmed');
      for (const status of ['preparing', 'baking', 'ready', 'out_for_delivery', 'delivered']) {
        // Over the same connection as the stream: h2 multiplexes, the open stream blocks nothing.
        await call('POST', `/orders/${order.id}/status`, staffToken, { status });
        expect(await statusOf()).toBe(status);
      }
      expect(await events.next()).toBeUndefined();
    } finally {
      session.close();
      await server.close();
    }
  });

  it('finishes a stream in flight on shutdown and tells the HTTP/2 client to go away', async () => {
    const { certFile, keyFile, ca } = await certificate(directory, 'server', '0x04');
    const server = await startTestServer(database().config, { tls: { certFile, keyFile } });
    const session = await connectH2(server.url, ca);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    const body = JSON.stringify({ email: 'inflight@example.com', password: 'correct horse battery', name: 'In Flight' });
    const inFlight = request(session, { ':method': 'POST', ':path': '/accounts', 'content-type': 'application/json' }, body, held);
    await sleep(100);
    const closed = server.close();
    await goaway;
    release();
    expect((await inFlight.answer).status).toBe(201);
    await closed;
    session.destroy();
  });
});

describe('certificates renewed on disk', () => {
  const database = useTestDatabase('sqlite');

  it('are served after SIGHUP without dropping a request in flight; a broken one keeps the last good one', { timeout: 60_000 }, async () => {
    const directory = await mkdtemp(join(tmpdir(), 'pizza-place-sighup-'));
    const first = await certificate(directory, 'first', '0x0a');
    const renewed = await certificate(directory, 'renewed', '0x0b');
    const live = { certFile: join(directory, 'live.pem'), keyFile: join(directory, 'live.key') };
    await writeFile(live.certFile, await readFile(first.certFile));
    await writeFile(live.keyFile, await readFile(first.keyFile));
    const port = await freePort();
    const started = startServerProcess({ ...databaseEnv(database().config), PORT: String(port), TLS_CERT_FILE: live.certFile, TLS_KEY_FILE: live.keyFile, LOG_LEVEL: 'info' });
    try {
      await waitUntilLiveOverTls(started, port, first.ca);
      expect(await servedSerial(port)).toBe('0A');

      const session = await connectH2(`https://127.0.0.1:${port}`, first.ca);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const body = JSON.stringify({ email: 'renewal@example.com', password: 'correct horse battery', name: 'Renewal' });
      const inFlight = request(session, { ':method': 'POST', ':path': '/accounts', 'content-type': 'application/json' }, body, held);
      await sleep(100);

      await writeFile(live.certFile, await readFile(renewed.certFile));
      await writeFile(live.keyFile, await readFile(renewed.keyFile));
      started.child.kill('SIGHUP');
      await waitFor(() => started.output().includes('TLS certificate reloaded'));
      expect(await servedSerial(port)).toBe('0B');
      release();
      expect((await inFlight.answer).status).toBe(201);
      session.close();

      await writeFile(live.certFile, 'not a certificate');
      started.child.kill('SIGHUP');
      await waitFor(() => started.output().includes('TLS certificate not reloaded'));
      expect(await servedSerial(port)).toBe('0B');
    } finally {
      await stopServerProcess(started);
      await rm(directory, { recursive: true, force: true });
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(50);
  }
}

async function waitUntilLiveOverTls(started: ReturnType<typeof startServerProcess>, port: number, ca: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`the server exited early:\n${started.output()}`);
    const session = await connectH2(`https://127.0.0.1:${port}`, ca).catch(() => undefined);
    if (session) {
      const live = await request(session, { ':path': '/health/live' }).answer.catch(() => undefined);
      session.close();
      if (live?.status === 200) return;
    }
    await sleep(100);
  }
  throw new Error(`the server did not start in time:\n${started.output()}`);
}

