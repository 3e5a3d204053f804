import type { TestProject } from 'vitest/node';
import { postgresUnavailableReason, startPostgresCluster } from './postgres.ts';

/** Starts one PostgreSQL cluster for the whole run; every test database is a fresh database inside it. */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (postgresUnavailableReason()) {
    project.provide('postgresClusterUrl', null);
    return undefined;
  }
  const cluster = await startPostgresCluster();
  project.provide('postgresClusterUrl', cluster.url);
  return cluster.stop;
}
