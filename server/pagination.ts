/**
 * Keyset pagination shared by every paginated list: newest first over `(created_at, id)`, with an opaque
 * base64url cursor naming the last row of the previous page. A cursor only says where to continue, so a
 * row inserted meanwhile never shifts a page and no row is seen twice.
 *
 * @example
 * const after = decodeCursor(query.cursor);            // undefined for the first page
 * if (after === 'malformed') return respondWithProblem(c, invalidCursorProblem(instance));
 * const rows = await db.selectFrom('orders').selectAll()
 *   .$if(after !== undefined, (qb) => qb.where(olderThan(after!)))
 *   .orderBy('created_at', 'desc').orderBy('id', 'desc')
 *   .limit(limit + 1).execute();                          // one extra row tells whether a next page exists
 * return pageOf(rows.map(toOrder), limit);
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Timestamp } from './db/dialect.ts';
import { problem } from './problem.ts';

/** Where a page ends: the creation time and id of its last row. */
export interface PagePosition {
  createdAt: Timestamp;
  id: string;
}

/** The contract's page envelope. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const idPattern = /^[a-z]{3}_[A-Za-z0-9]{8,40}$/;

/** The cursor for the page after the one ending at `position`. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

/**
 * Reads a cursor made by {@link encodeCursor}: `undefined` when there is none (the first page), `'malformed'`
 * when it is not one this server made (answer {@link invalidCursorProblem}, never a 500).
 */
export function decodeCursor(cursor: string | undefined): PagePosition | 'malformed' | undefined {
  if (cursor === undefined) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      typeof decoded[0] === 'string' &&
      typeof decoded[1] === 'string' &&
      timestampPattern.test(decoded[0]) &&
      idPattern.test(decoded[1])
    ) {
      return { createdAt: decoded[0], id: decoded[1] };
    }
  } catch {
    // Not base64url-encoded JSON: malformed like any other foreign string.
  }
  return 'malformed';
}

/** The 400 problem for a cursor {@link decodeCursor} calls malformed, pointing at `/query/cursor`. */
export function invalidCursorProblem(instance?: string) {
  return problem({
    type: 'invalid-parameter',
    detail: 'The request has 1 problem.',
    errors: [{ pointer: '/query/cursor', detail: 'Must be the nextCursor of a previous page, unchanged.' }],
    instance,
  });
}

/**
 * A `where` condition keeping the rows after `position` in newest-first order, i.e.
 * `(created_at, id) < (position.createdAt, position.id)`. Row values compare the same way on SQLite and
 * PostgreSQL, and both can answer it from an index on `(created_at, id)`.
 */
export function olderThan(position: PagePosition, columns: { createdAt: string; id: string } = { createdAt: 'created_at', id: 'id' }): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.ref(columns.createdAt)}, ${sql.ref(columns.id)}) < (${position.createdAt}, ${position.id})`;
}

/**
 * The page for rows fetched newest first with `limit + 1` as the query's limit: the first `limit` rows,
 * and a cursor after the last of them when the extra row shows there is more.
 */
export function pageOf<T extends PagePosition>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { data: rows, nextCursor: null };
  const data = rows.slice(0, limit);
  return { data, nextCursor: encodeCursor(data[data.length - 1]!) };
}
