/**
 * `@pizza-place/mock`: the real Pizza Place server as a stateful mock for frontend teams. Unlike a mock
 * answering from the contract's examples, what a client changes stays changed: a placed order can be fetched,
 * paid and cancelled, stock goes down, the staff can move an order along the kitchen. It runs on an in-memory
 * SQLite database with the seeded menu, and registers a test customer to sign in as.
 *
 * The `pizza-place-mock --stateful` command of `@pizza-place/api` starts it; this package exists so that the
 * SDK does not depend on the server's packages (Hono, a native SQLite build).
 *
 * @example
 * ```ts
 * import { startStatefulMock } from '@pizza-place/mock';
 *
 * const mock = await startStatefulMock({ port: 4010 });
 * console.log(mock.url, mock.customer.email, mock.customer.password);
 * await mock.close();
 * ```
 * @module
 */
import { loadConfig } from '../../../server/config.ts';
import { startServer } from '../../../server/start.ts';
import packageJson from '../package.json' with { type: 'json' };

/** The version of this package, which is the version of the contract it serves. */
export const version: string = packageJson.version;

export interface StatefulMockOptions {
  /** @default 4010 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Browser origins allowed to call the mock (CORS).
   * @default the usual development servers: Vite, Next.js, Angular and Create React App on localhost
   */
  corsOrigins?: string[];
}

/** Someone to sign in as (`POST /auth/token`). */
export interface Credentials {
  email: string;
  password: string;
}

export interface StatefulMock {
  /** Where the mock answers, e.g. `http://127.0.0.1:4010`. */
  url: string;
  /** A customer registered at start-up. */
  customer: Credentials;
  /** The staff account, for the kitchen and stock operations. */
  staff: Credentials;
  /** Stops the server; the data is gone with it. */
  close(): Promise<void>;
}

const defaultCorsOrigins = ['http://localhost:5173', 'http://localhost:3000', 'http://localhost:4200', 'http://127.0.0.1:5173', 'http://127.0.0.1:3000'];
const customer: Credentials & { name: string } = { email: 'customer@pizza-place.test', password: 'pizza-place-customer', name: 'Test Customer' };

/** Starts the real server on a fresh in-memory database with the seeded menu, and registers the test customer. */
export async function startStatefulMock(options: StatefulMockOptions = {}): Promise<StatefulMock> {
  const config = loadConfig({
    NODE_ENV: 'development',
    SQLITE_PATH: ':memory:',
    HOST: options.host ?? '127.0.0.1',
    PORT: String(options.port ?? 4010),
    CORS_ORIGINS: (options.corsOrigins ?? defaultCorsOrigins).join(','),
    LOG_LEVEL: 'warn',
  });
  const server = await startServer(config);
  try {
    const registered = await fetch(`${server.url}/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(customer),
    });
    if (registered.status !== 201) throw new Error(`registering the test customer answered ${registered.status}: ${await registered.text()}`);
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    url: server.url,
    customer: { email: customer.email, password: customer.password },
    staff: { email: config.staff.email, password: config.staff.password },
    close: () => server.close(),
  };
}
