import type { Config } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/start.ts';
import { freePort } from './free-port.ts';
import { memoryLogger } from './memory-logger.ts';

export interface TestServer extends RunningServer {
  /** Every log line the server wrote so far, parsed. */
  logs(): Array<Record<string, unknown>>;
}

/**
 * Starts the real server (database migrated and seeded, listening on 127.0.0.1 and a free port) for
 * tests where the network matters: TLS, compression on the wire, shutdown. `close()` it after the test.
 * @example
 * const { config } = database();
 * const server = await startTestServer(config, { tls: { certFile, keyFile } });
 * try { await fetch(`${server.url}/health/live`) } finally { await server.close() }
 */
export async function startTestServer(config: Config, overrides: Partial<Config> = {}): Promise<TestServer> {
  const { logger, lines } = memoryLogger();
  const server = await startServer({ ...config, host: '127.0.0.1', port: await freePort(), ...overrides }, { logger });
  return { ...server, logs: lines };
}
