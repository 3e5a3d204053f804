import { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { createDialect, type DialectName } from './dialect.ts';
import { groupCommits, limitConcurrentTransactions } from './transaction.ts';
import type { Database } from './tables.ts';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Closes every connection; the handle is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * Opens the configured database: PostgreSQL when `DATABASE_URL` is set, SQLite (WAL mode, foreign keys on)
 * otherwise. Does not migrate; call `migrateToLatest(db)` for that.
 */
export function createDatabase(config: Pick<Config, 'database'>): DatabaseHandle {
  const { name, dialect } = createDialect(config.database);
  const db = new Kysely<Database>({ dialect });
  if (config.database.kind === 'postgres') {
    const { poolSize, statementTimeoutMs } = config.database;
    limitConcurrentTransactions(db, poolSize - Math.max(1, Math.floor(poolSize / 4)), statementTimeoutMs);
  } else {
    groupCommits(db);
  }
  return { db, dialect: name, close: () => db.destroy() };
}
