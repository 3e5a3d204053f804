import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from './support/free-port.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const packageJson = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
const mockPackageJson = JSON.parse(await readFile(path.join(root, 'packages/mock/package.json'), 'utf8')) as { version: string };
const lockfile = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
const prismVersion = lockfile.packages['node_modules/@stoplight/prism-cli']!.version;

describe('the contract and the mock, versioned with the package', () => {
  it('declares the package version as the contract version, and the mock package has the same', async () => {
    const contract = parse(await readFile(path.join(root, 'openapi/pizza-place.yaml'), 'utf8')) as { info: { version: string } };
    expect(contract.info.version).toBe(packageJson.version);
    expect(mockPackageJson.version).toBe(packageJson.version);
  });
});

/** `npm pack` of a package (the root or a workspace) into `destination`; the tarball's path and its files. */
async function pack(destination: string, workspace?: string): Promise<{ tarball: string; files: string[] }> {
  const { stdout } = await run('npm', ['pack', '--pack-destination', destination, '--json', ...(workspace ? ['-w', workspace] : [])], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const [{ filename, files }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string; files: Array<{ path: string }> }];
  return { tarball: path.join(destination, path.basename(filename)), files: files.map((file) => file.path) };
}

interface Command {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function start(project: string, args: string[]): Command {
  const child = spawn('npx', ['--no-install', 'pizza-place-mock', ...args], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

async function stop(command: Command): Promise<void> {
  if (command.child.exitCode === null) process.kill(-command.child.pid!, 'SIGTERM');
  await command.exited;
}

async function waitForAnswer(url: string, command: Command): Promise<Response> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (command.child.exitCode !== null) throw new Error(`pizza-place-mock exited early:\n${command.output()}`);
    const response = await fetch(url).catch(() => undefined);
    if (response) return response;
    await sleep(200);
  }
  throw new Error(`${url} did not answer within 60 s:\n${command.output()}`);
}

describe('pizza-place-mock in a frontend project that installed the package', () => {
  let project: string;
  let api: { tarball: string; files: string[] };
  let mock: { tarball: string; files: string[] };

  beforeAll(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'pizza-place-frontend-'));
    api = await pack(project);
    mock = await pack(project, '@pizza-place/mock');
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'frontend', private: true, type: 'module' }));
    await run('npm', ['install', api.tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project });
  }, 300_000);
  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('ships the contract as written and as one JSON document, both reachable through exports', async () => {
    expect(api.files).toEqual(expect.arrayContaining(['openapi/pizza-place.yaml', 'dist/openapi.json', 'bin/pizza-place-mock.js']));
    const resolve = (specifier: string) => run(process.execPath, ['--input-type=module', '-e', `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`], { cwd: project });
    const yamlUrl = (await resolve('@pizza-place/api/openapi.yaml')).stdout.trim();
    const jsonUrl = (await resolve('@pizza-place/api/openapi.json')).stdout.trim();
    const yaml = parse(await readFile(new URL(yamlUrl), 'utf8')) as unknown;
    const json = JSON.parse(await readFile(new URL(jsonUrl), 'utf8')) as { info: { version: string } };
    expect(json).toEqual(yaml);
    expect(json.info.version).toBe(packageJson.version);
    const refs = JSON.stringify(json).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => !ref.startsWith('"$ref":"#'))).toEqual([]);
  });

  it('says exactly what to install when Prism or the stateful server is missing', async () => {
    const withoutPrism = start(project, ['--port', String(await freePort())]);
    expect(await withoutPrism.exited).toBe(1);
    expect(withoutPrism.output()).toContain('npm install --save-dev @stoplight/prism-cli');

    const withoutServer = start(project, ['--stateful']);
    expect(await withoutServer.exited).toBe(1);
    expect(withoutServer.output()).toContain(`npm install --save-dev @pizza-place/mock@${packageJson.version}`);

    const badPort = start(project, ['--port', '70000']);
    expect(await badPort.exited).toBe(2);
    expect(badPort.output()).toContain('--port must be a whole number from 1 to 65535');
  });

  describe('with Prism and @pizza-place/mock installed', () => {
    beforeAll(async () => {
      await run('npm', ['install', '--save-dev', `@stoplight/prism-cli@${prismVersion}`, mock.tarball, '--no-audit', '--no-fund', '--prefer-offline'], {
        cwd: project,
        maxBuffer: 16 * 1024 * 1024,
      });
    }, 420_000);

    it('serves the menu of its own version from the contract with one command', async () => {
      const port = await freePort();
      const command = start(project, ['--port', String(port)]);
      try {
        const response = await waitForAnswer(`http://127.0.0.1:${port}/menu/items`, command);
        expect(response.status).toBe(200);
        const menu = (await response.json()) as { data: Array<{ id: string }> };
        expect(menu.data.length).toBeGreaterThan(0);
        expect(command.output()).toContain(`Pizza Place API ${packageJson.version}`);
      } finally {
        await stop(command);
      }
    });

    it('runs --stateful as the real server: an order placed is fetched, paid and cancelled', async () => {
      const port = await freePort();
      const command = start(project, ['--stateful', '--port', String(port)]);
      const base = `http://127.0.0.1:${port}`;
      try {
        expect((await waitForAnswer(`${base}/health/ready`, command)).status).toBe(200);
        // The server answers before the test customer is registered and printed.
        while (!/customer: \S+ \/ \S+/.test(command.output()) && command.child.exitCode === null) await sleep(50);
        const [, email, password] = /customer: (\S+) \/ (\S+)/.exec(command.output())!;
        const json = { 'content-type': 'application/json' };
        const signIn = await fetch(`${base}/auth/token`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
        expect(signIn.status).toBe(200);
        const auth = { ...json, authorization: `Bearer ${((await signIn.json()) as { accessToken: string }).accessToken}` };
        const order = { lines: [{ itemId: 'itm_margherita01', size: 'medium', quantity: 1 }], fulfilment: { type: 'pickup' } };

        const placed = await fetch(`${base}/orders`, { method: 'POST', headers: { ...auth, 'idempotency-key': 'frontend-order-0001' }, body: JSON.stringify(order) });
        expect(placed.status).toBe(201);
        const { id } = (await placed.json()) as { id: string };
        const fetched = await fetch(`${base}/orders/${id}`, { headers: auth });
        expect(fetched.status).toBe(200);
        expect(await fetched.json()).toMatchObject({ id, status: 'awaiting_payment' });
        const paid = await fetch(`${base}/orders/${id}/payments`, { method: 'POST', headers: { ...auth, 'idempotency-key': 'frontend-pay-0001' }, body: JSON.stringify({ paymentMethodToken: 'tok_visa' }) });
        expect(paid.status).toBe(201);
        const cancelled = await fetch(`${base}/orders/${id}/cancel`, { method: 'POST', headers: auth, body: JSON.stringify({ reason: 'Changed my mind.' }) });
        expect(cancelled.status).toBe(200);
        expect(await cancelled.json()).toMatchObject({ id, status: 'cancelled' });
      } finally {
        await stop(command);
      }
    });
  });
});
