import { spawn, type ChildProcess } from 'node:child_process';

/**
 * `npm run storefront:mock`: the Prism mock (`npm run mock`) and, once it listens, the storefront
 * (`npm run storefront`) pointed at it. Ctrl-C, or either of them ending, stops both.
 */
const mockUrl = `http://127.0.0.1:${process.env.MOCK_PORT || '4010'}`;
const children: ChildProcess[] = [];

function runScript(script: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  // In a process group of its own, so that stopping it also stops what npm started (Prism, Vite).
  const child = spawn('npm', ['run', '--silent', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  child.stdout?.pipe(process.stdout);
  child.once('exit', (code) => stopAll(code ?? 1));
  children.push(child);
  return child;
}

let stopping = false;
function stopAll(exitCode: number): void {
  if (stopping) return;
  stopping = true;
  process.exitCode = exitCode;
  for (const child of children) signalGroup(child, 'SIGTERM');
  setTimeout(() => children.forEach((child) => signalGroup(child, 'SIGKILL')), 5_000).unref();
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group has already gone.
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => stopAll(0));

const mock = runScript('mock');
mock.stdout?.on('data', function startStorefrontOnceListening(chunk: Buffer) {
  if (!chunk.toString().includes('Prism is listening')) return;
  mock.stdout?.off('data', startStorefrontOnceListening);
  runScript('storefront', { VITE_API_BASE_URL: mockUrl });
});
