import { randomUUID } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { beforeEach } from 'vitest';
import type { AppDependencies, AppEnv } from '../../server/app-env.ts';
import { createApp } from '../../server/app.ts';
import { ChangeFeed } from '../../server/events/change-feed.ts';
import { OrderTracking } from '../../server/orders/order-tracking.ts';
import { memoryLogger } from './memory-logger.ts';
import { useTestDatabase, type DatabaseKind, type TestDatabase, type TestDatabaseOptions } from './database.ts';

/** Who a test acts as: the seeded staff account, a fresh customer, or a customer with these details. */
export type Caller = 'staff' | 'customer' | { email: string; password: string; name?: string };

export interface TestRequestInit extends RequestInit {
  /** Sent as the JSON body, with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
}

export interface TestApp {
  app: OpenAPIHono<AppEnv>;
  db: TestDatabase['db'];
  dialect: TestDatabase['dialect'];
  config: TestDatabase['config'];
  /** Answers a request in-process (no network), e.g. `request('/orders', { method: 'POST', json, token })`. */
  request(path: string, init?: TestRequestInit): Promise<Response>;
  /**
   * An access token got through the API itself: `'customer'` registers a new customer (POST /accounts),
   * `{ email, password }` registers that customer unless the email is taken, then signs in (POST /auth/token).
   */
  tokenFor(caller: Caller): Promise<string>;
  /** Every log line the app wrote so far, parsed. */
  logs(): Array<Record<string, unknown>>;
  /** The app's in-process change notices (what handlers report after a commit). */
  changes: ChangeFeed;
  /** The app's open order event streams. */
  orderTracking: OrderTracking;
}

export interface TestAppOptions extends TestDatabaseOptions {}

/** Builds the app over `database` (a test database, or any handle with its configuration), its logs kept in memory. */
export function createTestApp(database: Pick<TestDatabase, 'db' | 'dialect' | 'config'>, dependencies: Pick<AppDependencies, 'paymentProvider'> = {}): TestApp {
  const { logger, lines } = memoryLogger();
  const { db, dialect, config } = database;
  const changes = new ChangeFeed();
  const orderTracking = new OrderTracking(db, changes, config.orderTracking, logger);
  const app = createApp({ config, db, dialect, logger, changes, orderTracking, ...dependencies });

  const request: TestApp['request'] = (path, init = {}) => {
    const { json, token, headers: initHeaders, ...rest } = init;
    const headers = new Headers(initHeaders);
    if (json !== undefined) headers.set('Content-Type', 'application/json');
    if (token !== undefined) headers.set('Authorization', `Bearer ${token}`);
    return Promise.resolve(app.request(path, { ...rest, headers, ...(json !== undefined && { body: JSON.stringify(json) }) }));
  };

  async function signIn(email: string, password: string): Promise<string> {
    const response = await request('/auth/token', { method: 'POST', json: { email, password } });
    if (response.status !== 200) throw new Error(`signing in as ${email} answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { accessToken: string };
    return body.accessToken;
  }

  async function tokenFor(caller: Caller): Promise<string> {
    if (caller === 'staff') return signIn(config.staff.email, config.staff.password);
    const customer =
      caller === 'customer'
        ? { email: `customer-${randomUUID()}@example.com`, password: 'correct horse battery staple', name: 'Test Customer' }
        : { name: 'Test Customer', ...caller };
    const registered = await request('/accounts', { method: 'POST', json: customer });
    if (registered.status !== 201 && registered.status !== 409) {
      throw new Error(`registering ${customer.email} answered ${registered.status}: ${await registered.text()}`);
    }
    return signIn(customer.email, customer.password);
  }

  return { app, db, dialect, config, request, tokenFor, logs: lines, changes, orderTracking };
}

/**
 * Gives every test in the enclosing `describe` the app over its own fresh database (see
 * `useTestDatabase`). Responses are checked against the contract, so a breach fails the test with a 500.
 * @example
 * describeEachDatabase('orders', (kind) => {
 *   const testApp = useTestApp(kind);
 *   it('places an order', async () => {
 *     const { request, tokenFor } = testApp();
 *     const response = await request('/orders', { method: 'POST', token: await tokenFor('customer'), json: {...} });
 *   });
 * });
 */
export function useTestApp(kind: DatabaseKind, options: TestAppOptions = {}): () => TestApp {
  const database = useTestDatabase(kind, options);
  let current: TestApp | undefined;
  beforeEach(() => {
    current = createTestApp(database());
    return () => {
      current = undefined;
    };
  });
  return () => {
    if (!current) throw new Error('useTestApp(): the app exists only while a test runs');
    return current;
  };
}
