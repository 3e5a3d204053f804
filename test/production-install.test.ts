import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.ts';
import { scratchParent } from './support/postgres.ts';
import { startServerProcess, stopServerProcess, type ServerProcess } from './support/server-process.ts';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('..', import.meta.url));
const packageJson = JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  workspaces: string[];
};

/**
 * The README's production path, as a container build runs it: the build stage compiles the server
 * (`npm run build:server`, with the development tools); the runtime stage has only the manifests and the compiled
 * server, installs without development packages and starts with one command, `node` itself (so that SIGTERM reaches
 * the server: npm does not pass it on).
 */
describe('the production install', () => {
  let directory: string;
  let installed: { stdout: string; stderr: string };
  beforeAll(async () => {
    directory = await mkdtemp(join(scratchParent(), 'pizza-place-production-'));
    await run('npm', ['run', '-s', 'build:server'], { cwd: repository });
    await cp(join(repository, 'package.json'), join(directory, 'package.json'));
    await cp(join(repository, 'package-lock.json'), join(directory, 'package-lock.json'));
    for (const workspace of await readdir(join(repository, 'packages'))) {
      await mkdir(join(directory, 'packages', workspace), { recursive: true });
      await cp(join(repository, 'packages', workspace, 'package.json'), join(directory, 'packages', workspace, 'package.json'));
    }
    for (const built of ['dist', 'openapi']) await cp(join(repository, 'packages/server', built), join(directory, 'packages/server', built), { recursive: true });
    installed = await run('npm', ['ci', '--omit=dev', '--workspace=@pizza-place/server', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: directory,
      maxBuffer: 10 * 1024 * 1024,
    });
  }, 900_000);
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('installs the server\'s packages and none of the development tools', () => {
    for (const tool of ['tsx', 'typescript', 'vitest', 'esbuild', '@scalar/api-reference']) expect(existsSync(join(directory, 'node_modules', tool)), tool).toBe(false);
    for (const needed of ['hono', 'kysely', 'better-sqlite3', 'pg', 'pino', 'zod']) expect(existsSync(join(directory, 'node_modules', needed)), needed).toBe(true);
    expect(installed.stderr).not.toMatch(/npm error/);
  });

  it('starts with `node packages/server/dist/server/index.js` and answers /health/ready, the menu and /docs', { timeout: 120_000 }, async () => {
    const port = await freePort();
    let started: ServerProcess | undefined;
    try {
      started = startServerProcess(
        {
          NODE_ENV: 'production',
          JWT_SECRET: 'a-production-secret-for-this-test-only-0123456789',
          STAFF_PASSWORD: 'a long staff password for this test',
          HOST: '127.0.0.1',
          PORT: String(port),
          SQLITE_PATH: join(directory, 'data', 'pizza-place.db'),
        },
        { command: ['node', 'packages/server/dist/server/index.js'], cwd: directory },
      );
      const deadline = Date.now() + 60_000;
      let ready: Response | undefined;
      while (Date.now() < deadline && ready?.status !== 200) {
        if (started.child.exitCode !== null) throw new Error(`the server exited:\n${started.output()}`);
        ready = await fetch(`${started.url}/health/ready`).catch(() => undefined);
        if (ready?.status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(ready?.status, started.output()).toBe(200);
      expect(await ready!.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
      expect((await fetch(`${started.url}/menu/items`)).status).toBe(200);
      expect((await fetch(`${started.url}/docs`)).status).toBe(200);
      expect((await fetch(`${started.url}/docs/scalar.js`)).status).toBe(200);
      expect(started.output()).toMatch(/^\{"level":30,/m);
      expect(await stopServerProcess(started)).toBe(0);
      expect(started.output()).toContain('"msg":"stopped"');
    } finally {
      if (started?.child.exitCode === null) started.child.kill('SIGKILL');
    }
  });

  it('keeps the published SDK\'s dependencies to zod alone', () => {
    expect(packageJson.dependencies).toEqual({ zod: expect.any(String) });
  });

  it('names the same versions in the server package as the repository develops with', () => {
    const server = JSON.parse(readFileSync(join(repository, 'packages/server/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const [name, range] of Object.entries(server.dependencies)) {
      expect(range, name).toBe(packageJson.devDependencies[name] ?? packageJson.dependencies[name]);
    }
  });
});
