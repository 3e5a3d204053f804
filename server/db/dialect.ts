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
      max: config.poolSize,
      // Nothing waits for tens of seconds: not for a connection, a row lock, a statement, nor an idle transaction.
      connectionTimeoutMillis: config.statementTimeoutMs,
      lock_timeout: config.lockTimeoutMs,
      statement_timeout: config.statementTimeoutMs,
      idle_in_transaction_session_timeout: config.statementTimeoutMs,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its connection must not crash the process; the next query reports the problem.
    pool.on('error', () => {});
    return { name: 'postgres', dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) };
  }
  if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
  const database = new SQLite(config.path);
  database.pragma('journal_mode = WAL');
  // WAL with FULL syncs the log at every commit (the default: an acknowledged payment survives a power cut; group
  // commit makes one sync serve every transaction that queued meanwhile); NORMAL syncs at checkpoints only, so a
  // process crash loses nothing, a power loss or OS crash may lose the last transactions (never corrupts).
  database.pragma(`synchronous = ${config.synchronous}`);
  // Statement journals (each statement's and each savepoint's undo inside a transaction) in memory, not in temp
  // files: with group commit's savepoints they wrote ~90 KiB per order to disk, three times the commit itself.
  database.pragma('temp_store = MEMORY');
  // A checkpoint copies every page changed since the last one back into the database file and syncs it; an
  // order dirties the same few index pages as the one before, so checkpointing every 10,000 pages (a WAL of up
  // to 40 MB) instead of SQLite's 1,000 writes each hot page once where it wrote it ten times.
  database.pragma('wal_autocheckpoint = 10000');
  database.pragma(`busy_timeout = ${config.lockTimeoutMs}`);
  database.pragma('foreign_keys = ON');
  return { name: 'sqlite', dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }) };
}

/** Statements PostgreSQL can prepare: queries and data changes (not `begin`, `commit` or DDL). */
const preparable = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * Runs each query as a named prepared statement, prepared once per connection. node-postgres otherwise sends
 * every query unnamed, and PostgreSQL parses and plans it again each time: a third of its work on an order.
 * The name is derived from the text, so a query shape is prepared once on each connection whatever its values.
 */
function withPreparedStatements(pool: pg.Pool): Pick<pg.Pool, 'connect' | 'end'> {
  const clients = new WeakMap<pg.PoolClient, pg.PoolClient>();
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (name === undefined) {
      name = `q${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  const prepared = (client: pg.PoolClient): pg.PoolClient =>
    Object.assign(Object.create(client) as pg.PoolClient, {
      query: (text: unknown, values?: unknown[]) =>
        typeof text === 'string' && preparable.test(text)
          ? client.query({ name: nameOf(text), text, values })
          : (client.query as (text: unknown, values?: unknown[]) => unknown)(text, values),
      release: (error?: Error | boolean) => client.release(error),
    });
  return {
    connect: (async () => {
      const client = await pool.connect();
      let wrapper = clients.get(client);
      if (!wrapper) {
        clients.set(client, (wrapper = prepared(client)));
        // A connection lost while checked out (the server restarting, a network cut) is reported on the client as well
        // as to the query in progress; unheard, that event would end the process. The query's caller handles it.
        client.on('error', () => {});
      }
      return wrapper;
    }) as pg.Pool['connect'],
    end: () => pool.end(),
  };
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

/**
 * Runs writes that do not depend on each other's results as one statement on PostgreSQL (each after the first
 * as a data-modifying `WITH`), saving a round trip apiece, and one after another on SQLite, where a statement
 * costs no round trip. Foreign keys between them hold: PostgreSQL checks them at the end of the statement.
 * @returns the rows the first returns.
 */
export async function executeTogether<R>(db: Kysely<any>, first: CompiledQuery<R>, ...rest: CompiledQuery[]): Promise<R[]> {
  if (dialectOf(db) === 'sqlite') {
    const { rows } = await db.executeQuery(first);
    for (const query of rest) await db.executeQuery(query);
    return rows;
  }
  const { rows } = await db.executeQuery<R>(together([first, ...rest], 'select * from q0'));
  return rows;
}

/** Like `executeTogether`, for writes none of which returns rows. */
export async function writeTogether(db: Kysely<any>, ...queries: CompiledQuery[]): Promise<void> {
  if (dialectOf(db) === 'sqlite' || queries.length < 2) {
    for (const query of queries) await db.executeQuery(query);
    return;
  }
  // Each data-modifying `WITH` runs to completion whether or not the main query reads it.
  await db.executeQuery(together(queries, 'select 1'));
}

function together(queries: CompiledQuery[], main: string): CompiledQuery {
  const parameters: unknown[] = [];
  const parts = queries.map((query, index) => {
    const offset = parameters.length;
    parameters.push(...query.parameters);
    return `q${index} as (${query.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  return CompiledQuery.raw(`with ${parts.join(', ')} ${main}`, parameters);
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
 * Claims the selected rows for this transaction, passing over rows another transaction holds, so several
 * workers (one per instance) take disjoint batches of a queue instead of queueing behind each other. Use as
 * `.$call(claimForUpdate(trx))`. PostgreSQL: `FOR UPDATE SKIP LOCKED`. SQLite needs nothing: its write
 * transactions run one at a time, across processes too (`begin immediate`), so each sees the last one's claims.
 */
export function claimForUpdate(db: Kysely<any>) {
  const postgres = dialectOf(db) === 'postgres';
  return <QB extends SelectQueryBuilder<any, any, any>>(query: QB): QB => (postgres ? (query.forUpdate().skipLocked() as QB) : query);
}

/**
 * Whether the database runs one write transaction at a time, so that nothing another request does can come
 * between a transaction's reads and its commit: SQLite (one connection per process, and the database's write
 * lock across processes). PostgreSQL runs them side by side and needs locks or early inserts to serialise.
 */
export function serialisesWriteTransactions(db: Kysely<any>): boolean {
  return dialectOf(db) === 'sqlite';
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

/** Whether a query failed on a UNIQUE or PRIMARY KEY constraint. */
export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Whether PostgreSQL aborted a transaction only because of what ran beside it (serialization failure,
 * deadlock), so that running it again can succeed.
 */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = errorCode(error);
  return code === '40001' || code === '40P01';
}

/**
 * Whether a query failed because the database is too busy right now, not because of the request: retries of a
 * transaction spent, a lock or statement timeout (PostgreSQL `55P03`, `57014`; SQLite's busy timeout), or no
 * connection free in time. Such a failure is answered `503` with `Retry-After`.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (isRetryableTransactionError(error)) return true;
  const code = errorCode(error);
  if (code === '55P03' || code === '57014' || code === 'SQLITE_BUSY') return true;
  if (error instanceof Error && error.name === 'TransactionQueueTimeout') return true;
  // node-postgres's pool says so only in its message.
  return error instanceof Error && error.message === 'timeout exceeded when trying to connect';
}

/** Socket errors of a database that cannot be reached, and PostgreSQL's connection-exception and shutdown codes. */
const unreachableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03']);

/**
 * Whether a query failed because the database cannot be reached or is shutting down (PostgreSQL stopped or
 * restarting, the network cut), not because of the request: answered `503`; the pool opens new connections once it
 * answers again, without a restart.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  const code = errorCode(error);
  if (typeof code === 'string' && (unreachableCodes.has(code) || code.startsWith('08'))) return true;
  // node-postgres says so only in its messages.
  return error instanceof Error && /^Connection terminated|not queryable|^connection timeout|Connection terminated due to connection timeout/.test(error.message);
}

