import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';

/** Runs the cheapest query there is; rejects when the database cannot answer. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
