/** Applies pending migrations to the configured database and exits: `npx tsx server/db/migrate.ts`. */
import { ConfigError, loadConfig } from '../config.ts';
import { createDatabase } from './database.ts';
import { migrateToLatest } from './migrator.ts';

async function main(): Promise<void> {
  const { db, dialect, close } = createDatabase(loadConfig());
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? `Applied to ${dialect}: ${applied.join(', ')}` : `The ${dialect} database is up to date`);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
});
