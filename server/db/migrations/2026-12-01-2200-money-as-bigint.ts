import { PostgresAdapter, sql, type Kysely } from 'kysely';

// A landed migration never changes, so it imports nothing that may.
const dialectOf = (db: Kysely<any>) => (db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite');

// A landed migration never changes: the columns below are spelled out here rather than derived.

/** Every column that holds an amount of money, by table. */
const moneyColumns = {
  menu_item_sizes: ['price_cents'],
  toppings: ['price_cents'],
  orders: ['subtotal_cents', 'delivery_fee_cents', 'tax_cents', 'total_cents'],
  order_lines: ['unit_price_cents', 'line_total_cents'],
  payments: ['amount_cents'],
  refunds: ['amount_cents'],
};

/**
 * Money in PostgreSQL's 64-bit `bigint`, so that no amount, sum or product of amounts the contract allows
 * can overflow a column (a 32-bit `integer` ends at 21,474,836.47). SQLite's integers are 64-bit already.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') return;
  for (const [table, columns] of Object.entries(moneyColumns)) {
    const changes = columns.map((column) => sql`alter column ${sql.ref(column)} type bigint`);
    await sql`alter table ${sql.table(table)} ${sql.join(changes)}`.execute(db);
  }
}
