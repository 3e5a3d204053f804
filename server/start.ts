import type { Server as HttpServer } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2Session } from 'node:http2';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import { assertSafeExposure, type Config } from './config.ts';
import { createDatabase } from './db/database.ts';
import { ChangeFeed } from './events/change-feed.ts';
import { migrateToLatest } from './db/migrator.ts';
import { seedDatabase } from './db/seed.ts';
import { paymentProviderFor, type PaymentProvider } from './payments/payment-provider.ts';
import { recoverPayments } from './payments/payment-service.ts';
import { createLogger, flushLogger } from './http/logger.ts';
import { createWebhookWorker } from './webhooks/delivery-worker.ts';
import { OrderTracking } from './orders/order-tracking.ts';

export interface RunningServer {
  /** Where the server answers, e.g. `http://localhost:8080`. */
  url: string;
  logger: Logger;
  /**
   * Stops accepting connections, lets requests in flight finish (at most `config.shutdownTimeoutMs`,
   * then the remaining connections are cut), then closes the database and writes out the buffered log lines.
   * Over HTTP/2 each connection gets a GOAWAY and its open streams finish. Calling it again returns the same promise.
   */
  close(): Promise<void>;
  /**
   * Reads the certificate, key and CA files again and serves the new certificate to new connections; connections
   * already open keep theirs. A certificate that cannot be used keeps the old one, and says why in the log.
   * `index.ts` calls it on `SIGHUP`. Without TLS it does nothing.
   * @returns whether the new certificate is now served.
   */
  reloadTls(): boolean;
}

/**
 * TLS 1.2 at least (1.3 preferred: the client's highest wins), and for TLS 1.2 only forward-secret AEAD suites
 * (ECDHE with AES-GCM or ChaCha20-Poly1305): no CBC, RSA key exchange, SHA-1 MACs or other legacy ciphers.
 */
const tlsPolicy = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: true,
} as const;

/** The certificate, key and chain as `tls` takes them, read from the configured files now. */
function readTlsFiles(tls: NonNullable<Config['tls']>): SecureContextOptions {
  return {
    ...tlsPolicy,
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.caFile && { ca: readFileSync(tls.caFile) }),
  };
}

function serialOf(cert: SecureContextOptions['cert']): string {
  return new X509Certificate(cert as Buffer).serialNumber;
}

export interface StartOptions {
  /** @default a JSON logger on stdout at `config.logLevel` */
  logger?: Logger;
  /** The card processor. @default the one `config.payments` names */
  paymentProvider?: PaymentProvider;
}

/** How often idle keep-alive connections are closed while draining, so clients move on promptly. */
const DRAIN_POLL_MS = 50;

function listen(options: Parameters<typeof serve>[0]): Promise<{ server: HttpServer; address: AddressInfo }> {
  return new Promise((resolve, reject) => {
    const server = serve(options, (address) => resolve({ server: server as HttpServer, address })) as HttpServer;
    server.once('error', reject);
  });
}

/**
 * Opens, migrates and seeds the configured database, then serves the app on `config.host:config.port`
 * (HTTPS when `config.tls` is set). What `index.ts` runs, and what tests start when they need a network.
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  assertSafeExposure(config);
  const logger = options.logger ?? createLogger(config);
  const database = createDatabase(config);
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    await seedDatabase(database.db, config);
  } catch (error) {
    await database.close();
    throw error;
  }
  const changes = new ChangeFeed();
  const orderTracking = new OrderTracking(database.db, changes, config.orderTracking, logger);
  const paymentProvider = options.paymentProvider ?? paymentProviderFor(config.payments);
  const app = createApp({ config, db: database.db, dialect: database.dialect, logger, changes, orderTracking, paymentProvider });
  // Charges and refunds that a previous process left unrecorded (it stopped between asking the provider and
  // recording the answer): asked about again under their idempotency keys, in the background.
  recoverPayments(database.db, paymentProvider, 2 * config.payments.timeoutMs).then(
    (recovered) => (recovered.attempts > 0 || recovered.refunds > 0) && logger.info(recovered, 'unfinished payments recovered'),
    (error: unknown) => logger.error({ err: error }, 'recovering unfinished payments failed'),
  );
  // With TLS: HTTP/2 (ALPN `h2`), falling back to HTTP/1.1 for clients that do not offer it.
  const tls = config.tls && readTlsFiles(config.tls);
  const { server, address } = await listen({
    fetch: app.fetch,
    hostname: config.host,
    port: config.port,
    ...(tls && { createServer: createSecureServer, serverOptions: { ...tls, allowHTTP1: true } }),
  }).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const webhooks = createWebhookWorker({ db: database.db, config, logger, changes });
  webhooks.start();
  const sessions = new Set<Http2Session>();
  const sockets = new Set<Socket>();
  if (tls) {
    const secure = server as unknown as Http2SecureServer;
    secure.on('session', (session: Http2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
    secure.on('secureConnection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  }

  const host = ['0.0.0.0', '::'].includes(config.host) ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${host}:${address.port}`;

  /** Over HTTP/1.1 idle keep-alive connections are closed; over HTTP/2 every session gets a GOAWAY. */
  function closeIdle() {
    if (!tls) (server as HttpServer).closeIdleConnections();
    for (const session of sessions) if (!session.closed) session.close();
  }

  function closeAll() {
    if (!tls) (server as HttpServer).closeAllConnections();
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
  }

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      // Open event streams would otherwise hold their connections until the deadline: end them, each with a comment.
      orderTracking.close();
      await webhooks.stop();
      await new Promise<void>((resolve) => {
        const drain = setInterval(closeIdle, DRAIN_POLL_MS);
        const deadline = setTimeout(() => {
          logger.warn('shutdown timeout reached; closing the connections still open');
          closeAll();
        }, config.shutdownTimeoutMs);
        server.close(() => {
          clearInterval(drain);
          clearTimeout(deadline);
          resolve();
        });
        closeIdle();
      });
      await database.close();
      await flushLogger(logger);
    })();
    return closing;
  }

  function reloadTls(): boolean {
    if (!config.tls) return false;
    try {
      const options = readTlsFiles(config.tls);
      createSecureContext(options); // throws on a certificate or key that cannot be used, before anything changes
      (server as unknown as Http2SecureServer).setSecureContext(options);
      logger.info({ serial: serialOf(options.cert) }, 'TLS certificate reloaded');
      return true;
    } catch (error) {
      logger.error({ err: error }, 'TLS certificate not reloaded: the files cannot be used; still serving the previous certificate');
      return false;
    }
  }

  return { url, logger, close, reloadTls };
}
