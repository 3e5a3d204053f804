import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { createDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrator.ts';
import { seedDatabase } from './db/seed.ts';
import { createLogger, flushLogger } from './http/logger.ts';

export interface RunningServer {
  /** Where the server answers, e.g. `http://localhost:8080`. */
  url: string;
  logger: Logger;
  /**
   * Stops accepting connections, lets requests in flight finish (at most `config.shutdownTimeoutMs`,
   * then the remaining connections are cut), then closes the database and writes out the buffered log lines.
   * Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  /** @default a JSON logger on stdout at `config.logLevel` */
  logger?: Logger;
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
  const app = createApp({ config, db: database.db, dialect: database.dialect, logger });
  const tls = config.tls && { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) };
  const { server, address } = await listen({
    fetch: app.fetch,
    hostname: config.host,
    port: config.port,
    ...(tls && { createServer: createHttpsServer, serverOptions: tls }),
  }).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });

  const host = ['0.0.0.0', '::'].includes(config.host) ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        const drain = setInterval(() => server.closeIdleConnections(), DRAIN_POLL_MS);
        const deadline = setTimeout(() => {
          logger.warn('shutdown timeout reached; closing the connections still open');
          server.closeAllConnections();
        }, config.shutdownTimeoutMs);
        server.close(() => {
          clearInterval(drain);
          clearTimeout(deadline);
          resolve();
        });
      });
      await database.close();
      await flushLogger(logger);
    })();
    return closing;
  }

  return { url, logger, close };
}
