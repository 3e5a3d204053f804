import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, inject } from 'vitest';
import { loadConfig, type Config } from '../../server/config.ts';
import { createDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import type { DialectName } from '../../server/db/dialect.ts';
import { migrateToLatest } from '../../server/db/migrator.ts';
import { seedDatabase } from '../../server/db/seed.ts';
import { createScratchDatabase, postgresUnavailableReason, scratchParent, startPostgresCluster, type PostgresCluster } from './postgres.ts';

export type DatabaseKind = DialectName;
export const databaseKinds: readonly DatabaseKind[] = ['sqlite', 'postgres'];

export interface TestDatabase extends DatabaseHandle {
  /** The configuration (NODE_ENV=test plus any `env` given) pointing at this database, e.g. to build the app on. */
  config: Config;
  /** Closes the connections and deletes the database. */
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** `seeded` (default): migrated and seeded; `migrated`: schema only; `empty`: nothing at all. */
  state?: 'seeded' | 'migrated' | 'empty';
  /** Extra environment variables for `config`; STAFF_EMAIL / STAFF_PASSWORD also change the seeded staff account. */
  env?: Record<string, string>;
}

interface Storage {
  /** The environment variables that point the server at the storage. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

let ownCluster: Promise<PostgresCluster> | undefined;

/** The run's shared cluster when `global-setup.ts` started one; otherwise one started for this test file. */
function clusterUrl(): Promise<string> {
  const shared = inject('postgresClusterUrl');
  if (shared) return Promise.resolve(shared);
  ownCluster ??= startPostgresCluster();
  return ownCluster.then((cluster) => cluster.url);
}

async function newStorage(kind: DatabaseKind, template?: Storage): Promise<Storage> {
  if (kind === 'postgres') {
    const templateName = template && new URL(template.env.DATABASE_URL!).pathname.slice(1);
    const scratch = await createScratchDatabase(await clusterUrl(), templateName);
    return { env: { DATABASE_URL: scratch.url }, remove: scratch.drop };
  }
  const directory = await mkdtemp(join(scratchParent(), 'pizza-place-sqlite-'));
  const path = join(directory, 'test.db');
  if (template) await copyFile(template.env.SQLITE_PATH!, path);
  return { env: { SQLITE_PATH: path }, remove: () => rm(directory, { recursive: true, force: true }) };
}

const testEnv = { NODE_ENV: 'test' };

/**
 * Migrating and seeding (with its password hash) costs far more than copying, so each kind and state is
 * built once per test file and every test database starts as a copy of it.
 */
const templates = new Map<string, Promise<Storage>>();

function template(kind: DatabaseKind, state: 'seeded' | 'migrated'): Promise<Storage> {
  const key = `${kind}:${state}`;
  let storage = templates.get(key);
  if (!storage) {
    storage = (async () => {
      const created = await newStorage(kind);
      const config = loadConfig({ ...testEnv, ...created.env });
      const { db, close } = createDatabase(config);
      try {
        await migrateToLatest(db);
        if (state === 'seeded') await seedDatabase(db, config);
      } finally {
        await close();
      }
      return created;
    })();
    templates.set(key, storage);
  }
  return storage;
}

/** Deletes the templates and stops a cluster started for this file; the helpers below call it after all tests. */
export async function releaseTestDatabases(): Promise<void> {
  const created = [...templates.values()];
  templates.clear();
  await Promise.all(created.map(async (storage) => (await storage).remove()));
  const cluster = ownCluster;
  ownCluster = undefined;
  await (await cluster)?.stop();
}

/** Opens a fresh database that only the caller uses, seeded unless `options.state` says otherwise. */
export async function openTestDatabase(kind: DatabaseKind, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const { state = 'seeded', env = {} } = options;
  const storage = await newStorage(kind, state === 'empty' ? undefined : await template(kind, state));
  const config = loadConfig({ ...testEnv, ...env, ...storage.env });
  const handle = createDatabase(config);
  if (state === 'seeded' && ('STAFF_EMAIL' in env || 'STAFF_PASSWORD' in env)) await seedDatabase(handle.db, config);
  return {
    ...handle,
    config,
    close: async () => {
      await handle.close();
      await storage.remove();
    },
  };
}

/**
 * Gives every test in the enclosing `describe` its own fresh database, closed after the test.
 * @example
 * describeEachDatabase('stock adjustments', (kind) => {
 *   const database = useTestDatabase(kind);
 *   it('records a restock', async () => {
 *     const { db } = database();
 *     // ...
 *   });
 * });
 */
export function useTestDatabase(kind: DatabaseKind, options: TestDatabaseOptions = {}): () => TestDatabase {
  let current: TestDatabase | undefined;
  beforeEach(async () => {
    current = await openTestDatabase(kind, options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  afterAll(releaseTestDatabases);
  return () => {
    if (!current) throw new Error('useTestDatabase(): the database exists only while a test runs');
    return current;
  };
}

/**
 * `describe` once per database kind, named `name [sqlite]` and `name [postgres]`. Without PostgreSQL
 * binaries the PostgreSQL block is skipped and its name says why (in CI that is an error instead).
 */
export function describeEachDatabase(name: string, body: (kind: DatabaseKind) => void): void {
  for (const kind of databaseKinds) {
    const unavailable = kind === 'postgres' ? postgresUnavailableReason() : undefined;
    if (unavailable) describe.skip(`${name} [${kind}] (skipped: ${unavailable})`, () => body(kind));
    else describe(`${name} [${kind}]`, () => body(kind));
  }
}
