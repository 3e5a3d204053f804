import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../server/config.ts';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

/** The environment variables that point a server process at the test database of `config`. */
export function databaseEnv(config: Config): Record<string, string> {
  return config.database.kind === 'postgres' ? { DATABASE_URL: config.database.url } : { SQLITE_PATH: config.database.path };
}

export interface ServerProcessOptions {
  /** @default node with tsx running `server/index.ts`, the way `npm start` does */
  command?: [string, ...string[]];
  /** @default this process's working directory (the repository) */
  cwd?: string;
}

/** Runs the server as its own process, the way `npm start` does unless told otherwise; `env.PORT` says where. */
export function startServerProcess(env: Record<string, string>, options: ServerProcessOptions = {}): ServerProcess {
  const [program, ...args] = options.command ?? [process.execPath, '--import', 'tsx', 'server/index.ts'];
  const child = spawn(program, args, {
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    env: { PATH: process.env.PATH, NODE_ENV: 'test', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${env.PORT}`, output: () => output, exited };
}

export async function waitUntilLive(started: ServerProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`the server exited early:\n${started.output()}`);
    const live = await fetch(`${started.url}/health/live`).catch(() => undefined);
    if (live?.status === 200) return;
    await sleep(100);
  }
  throw new Error(`the server did not start in time:\n${started.output()}`);
}

/** SIGTERM, and the exit code once it has stopped. */
export async function stopServerProcess(started: ServerProcess): Promise<number | null> {
  if (started.child.exitCode === null) started.child.kill('SIGTERM');
  return started.exited;
}
