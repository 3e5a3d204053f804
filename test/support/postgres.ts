import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the cluster `global-setup.ts` started for the whole run; null when PostgreSQL is unavailable. */
    postgresClusterUrl: string | null;
  }
}

const run = promisify(execFile);
const POSTGRES_ROOT = '/usr/lib/postgresql';

export interface PostgresCluster {
  /** Superuser URL of the cluster's `postgres` database. */
  url: string;
  /** Stops the server and deletes its files. */
  stop(): Promise<void>;
  /** Shuts the server down (fast: sessions are ended) and keeps its files, as an outage would. */
  pause(): Promise<void>;
  /** Starts the server again on the same port after `pause`. */
  resume(): Promise<void>;
}

/** The bin directory of the newest PostgreSQL installed the Debian way, if any. */
export function findPostgresBinDir(): string | undefined {
  if (!existsSync(POSTGRES_ROOT)) return undefined;
  return readdirSync(POSTGRES_ROOT)
    .filter((version) => /^\d+$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(POSTGRES_ROOT, version, 'bin'))
    .find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
}

/**
 * Why PostgreSQL tests cannot run on this machine, or undefined when they can.
 * @throws in CI (`CI=true`), where skipping them would hide a broken set-up.
 */
export function postgresUnavailableReason(): string | undefined {
  if (findPostgresBinDir()) return undefined;
  const reason = `PostgreSQL is not installed (no initdb/pg_ctl under ${POSTGRES_ROOT}/*/bin; apt-get install postgresql)`;
  if (process.env.CI === 'true') throw new Error(`${reason}: CI must run the PostgreSQL tests`);
  return reason;
}

/** Memory-backed /dev/shm when there is one: creating a database there is about ten times faster than on disk. */
export function scratchParent(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

/**
 * Starts a throwaway PostgreSQL cluster in a fresh temporary directory, listening on 127.0.0.1 on a free
 * port with trust authentication and fsync off. As root, the server runs as the `postgres` OS user,
 * since PostgreSQL refuses to run as root.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBinDir();
  if (!bin) throw new Error(postgresUnavailableReason());
  const root = await mkdtemp(join(scratchParent(), 'pizza-place-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = await postgresUser();
    await chown(root, uid, gid);
  }
  const pgRun = (program: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args]) : run(join(bin, program), args);
  const data = join(root, 'data');
  const log = join(root, 'server.log');
  const stop = async () => {
    await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    await rm(root, { recursive: true, force: true });
  };

  try {
    await pgRun('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const options = [
        `-p ${port}`,
        `-k ${root}`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=300',
      ].join(' ');
      const start = () => pgRun('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', options, 'start']);
      try {
        await start();
        return {
          url: `postgres://postgres@127.0.0.1:${port}/postgres`,
          stop,
          pause: async () => void (await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])),
          resume: async () => void (await start()),
        };
      } catch (error) {
        // Another process may have taken the port between the probe and the start.
        if (attempt === 3) throw error;
      }
    }
  } catch (error) {
    const serverLog = (await readdir(root)).includes('server.log') ? await readFile(log, 'utf8') : '';
    await stop();
    throw new Error(`Could not start a PostgreSQL cluster\n${serverLog}`, { cause: error });
  }
}

async function runAdminStatement(clusterUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: clusterUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  url: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

const OBJECT_IN_USE = '55006';

/** Creates a database with a unique name in the cluster, optionally as a copy of `template`. */
export async function createScratchDatabase(clusterUrl: string, template?: string): Promise<ScratchDatabase> {
  const name = `test_${randomUUID().replaceAll('-', '')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await runAdminStatement(clusterUrl, `create database "${name}"${template ? ` template "${template}"` : ''}`);
      break;
    } catch (error) {
      // A template's last connection may still be shutting down just after its pool closed.
      if ((error as { code?: string }).code !== OBJECT_IN_USE || attempt === 50) throw error;
      await setTimeout(100);
    }
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => runAdminStatement(clusterUrl, `drop database if exists "${name}" with (force)`),
  };
}
