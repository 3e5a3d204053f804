import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';

export const specPath = fileURLToPath(new URL('../../openapi/pizza-place.yaml', import.meta.url));
const prismBin = fileURLToPath(new URL('../../node_modules/@stoplight/prism-cli/dist/index.js', import.meta.url));

export interface PrismOptions {
  /** `mock` serves the spec's examples; `proxy` validates traffic to `upstream` against the spec. */
  mode?: 'mock' | 'proxy';
  /** Where `proxy` forwards requests. */
  upstream?: string;
  /** Extra CLI flags, e.g. `['--dynamic']` or `['--errors']`. */
  flags?: string[];
}

export interface RunningPrism {
  url: string;
  /** Everything Prism printed so far (its log names every contract violation). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the Prism CLI on the contract on a free port and resolves once it listens.
 * The caller must `stop()` it (in `afterAll`), which it does even when tests fail.
 */
export async function startPrism(options: PrismOptions = {}): Promise<RunningPrism> {
  const mode = options.mode ?? 'mock';
  const port = await freePort();
  const args = [prismBin, mode, '--host', '127.0.0.1', '--port', String(port), specPath];
  if (mode === 'proxy') {
    if (!options.upstream) throw new Error('startPrism: proxy mode needs an upstream URL');
    args.push(options.upstream);
  }
  args.push(...(options.flags ?? []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await waitUntilListening(child, () => log, /Prism is listening/);
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => log,
    stop: () => stopProcess(child),
  };
}

/**
 * Starts the mock the way a frontend team does, `pizza-place-mock` (Prism behind the front that checks requests
 * as the server does), on a free port; `flags` such as `['--dynamic']`. The caller must `stop()` it.
 */
export async function startMock(flags: string[] = []): Promise<RunningPrism> {
  const port = await freePort();
  const bin = fileURLToPath(new URL('../../bin/pizza-place-mock.js', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', bin, '--port', String(port), ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await waitUntilListening(child, () => log, /mock from the contract/);
  return { url: `http://127.0.0.1:${port}`, output: () => log, stop: () => stopProcess(child) };
}

function waitUntilListening(child: ChildProcess, log: () => string, listening: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Prism did not start within 30 s:\n${log()}`)), 30_000);
    const onData = () => {
      if (listening.test(log())) done();
    };
    const onExit = (code: number | null) => fail(new Error(`Prism exited with ${code} before listening:\n${log()}`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    function done() {
      cleanup();
      resolve();
    }
    function fail(error: Error) {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    }
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    }
  });
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
