/**
 * Every difference between SQLite and PostgreSQL lives here; repositories, services and migrations
 * ask this module instead of checking the dialect themselves.
 *
 * Storage choices that make the two behave alike:
 * - timestamps are text, RFC 3339 in UTC with milliseconds (`2026-11-26T09:00:00.000Z`), so they sort
 *   the same as text and as time, read back identically from both drivers, and need no parsing;
 * - JSON is text (`JsonText<T>`), booleans are not stored (flags are nullable timestamps such as `retired_at`);
 * - money and quantities are `integer`; PostgreSQL `bigint` results (`count(*)`) are read as numbers like SQLite's.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type SqliteDialectConfig,
  type Kysely,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqliteDatabase,
} from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import type { Database } from './tables.ts';

export type DialectName = 'sqlite' | 'postgres';

/** RFC 3339 text in UTC with milliseconds, as every timestamp column holds it. */
export type Timestamp = string;

declare const jsonOf: unique symbol;
/** JSON kept as text; the type parameter says what it decodes to. */
export type JsonText<T> = string & { readonly [jsonOf]?: T };

export function toJsonText<T>(value: T): JsonText<T> {
  return JSON.stringify(value) as JsonText<T>;
}

export function parseJsonText<T>(text: JsonText<T>): T {
  return JSON.parse(text) as T;
}

export function toTimestamp(date: Date): Timestamp {
  return date.toISOString();
}

const INT8_OID = 20;

/** The Kysely dialect for a configured database; SQLite's file and directory are created when missing. */
export function createDialect(config: DatabaseConfig): { name: DialectName; dialect: Dialect } {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: config.url,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its connection must not crash the process; the next query reports the problem.
    pool.on('error', () => {});
    return { name: 'postgres', dialect: new PostgresDialect({ pool }) };
  }
  if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
  const database = new SQLite(config.path);
  database.pragma('journal_mode = WAL');
  // WAL with NORMAL syncs at checkpoints, not at every commit: a crash of the process loses nothing, a power
  // loss or OS crash may lose the last transactions (never corrupts). FULL would add an fsync to every order.
  database.pragma('synchronous = NORMAL');
  // A checkpoint copies every page changed since the last one back into the database file and syncs it; an
  // order dirties the same few index pages as the one before, so checkpointing every 10,000 pages (a WAL of up
  // to 40 MB) instead of SQLite's 1,000 writes each hot page once where it wrote it ten times.
  database.pragma('wal_autocheckpoint = 10000');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return { name: 'sqlite', dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }) };
}

/**
 * SQLite transactions that take the write lock when they begin (`begin immediate`). A deferred `begin`
 * reads first and asks for the lock at its first write; when another process (a second server on the same
 * file) has committed in between, that upgrade fails at once with SQLITE_BUSY, which `busy_timeout` does not
 * retry, and the request would end in a 500. Taken at `begin`, the lock is waited for like any other.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** How many prepared statements a SQLite database keeps; the app's queries come in far fewer shapes. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query it runs anew, and preparing costs as much as running a small query. The SQL
 * of a query shape is the same each time (values are bound parameters), so each text is prepared once and
 * the statement reused, least recently used dropped first. Reuse is safe because Kysely runs a SQLite
 * database's queries one at a time over its single connection.
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(text) {
      let statement = statements.get(text);
      if (statement) statements.delete(text);
      else {
        statement = database.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

/** Which dialect a `Kysely` instance or transaction talks to. */
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * The database's current time as a timestamp, for column defaults and for `updated_at` in updates, so
 * every stored time comes from one clock.
 */
export function currentTimestamp(db: Kysely<any>): RawBuilder<Timestamp> {
  return dialectOf(db) === 'postgres'
    ? sql<Timestamp>`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql<Timestamp>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
}

/**
 * Locks the selected rows until the transaction ends, so a read-then-write cannot interleave with another.
 * Use as `.$call(lockForUpdate(trx))`. SQLite has no row locks and needs none: Kysely runs all of a SQLite
 * database's queries over one connection, so one transaction finishes before the next starts.
 */
export function lockForUpdate(db: Kysely<any>) {
  const postgres = dialectOf(db) === 'postgres';
  return <QB extends SelectQueryBuilder<any, any, any>>(query: QB): QB => (postgres ? (query.forUpdate() as QB) : query);
}

/**
 * Whether the database runs one write transaction at a time, so that nothing another request does can come
 * between a transaction's reads and its commit: SQLite (one connection per process, and the database's write
 * lock across processes). PostgreSQL runs them side by side and needs locks or early inserts to serialise.
 */
export function serialisesWriteTransactions(db: Kysely<any>): boolean {
  return dialectOf(db) === 'sqlite';
}

/**
 * Takes `amount` from an ingredient's stock only if at least that much is there, in one statement, so two
 * orders racing for the last dough ball cannot both get it.
 * @returns the stock level left, or `undefined` when there was not enough (or no such ingredient).
 */
export async function decrementStock(db: Kysely<Database>, ingredientId: string, amount: number): Promise<number | undefined> {
  const row = await db
    .updateTable('ingredients')
    .set((eb) => ({ stock_level: eb('stock_level', '-', amount) }))
    .where('id', '=', ingredientId)
    .where('stock_level', '>=', amount)
    .returning('stock_level')
    .executeTakeFirst();
  return row?.stock_level;
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

/** Whether a query failed on a UNIQUE or PRIMARY KEY constraint. */
export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Whether a query failed on a CHECK constraint (for example stock going below zero). */
export function isCheckViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23514' || code === 'SQLITE_CONSTRAINT_CHECK';
}
