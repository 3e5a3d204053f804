#!/usr/bin/env node
/**
 * `npx pizza-place-mock`: a mock of the Pizza Place API of exactly the installed version, for frontend teams.
 *
 *   pizza-place-mock [--port 4010] [--host 127.0.0.1]   answers from the contract's examples (Prism)
 *   pizza-place-mock --dynamic                          answers with data generated from the schemas (Prism)
 *   pizza-place-mock --stateful                         the real server on an in-memory database (@pizza-place/mock)
 *
 * Prism and the stateful server are optional peers, so the SDK itself installs nothing but zod; when one is
 * missing this command says what to install.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const usage = `Usage: pizza-place-mock [--port <n>] [--host <address>] [--dynamic | --stateful]

  --port <n>        port to listen on (default 4010)
  --host <address>  address to listen on (default 127.0.0.1)
  --dynamic         answer with data generated from the schemas instead of the contract's examples
  --stateful        run the real server on an in-memory database: what you create stays (needs @pizza-place/mock)
  --help            show this text`;

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
const contract = join(packageRoot, 'openapi', 'pizza-place.yaml');

/** Ends the process with a message a person can act on. */
function fail(message, code = 1) {
  console.error(`pizza-place-mock: ${message}`);
  process.exit(code);
}

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      dynamic: { type: 'boolean', default: false },
      stateful: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  fail(`${error.message}\n\n${usage}`, 2);
}
if (options.help) {
  console.log(usage);
  process.exit(0);
}
if (!/^[1-9][0-9]{0,4}$/.test(options.port) || Number(options.port) > 65535) fail(`--port must be a whole number from 1 to 65535 (got ${JSON.stringify(options.port)})`, 2);
if (options.dynamic && options.stateful) fail('--dynamic and --stateful exclude each other: the stateful mock answers with real data', 2);

if (options.stateful) await runStateful();
else await runPrism();

async function runStateful() {
  let mock;
  try {
    mock = await import('@pizza-place/mock');
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('@pizza-place/mock')) throw error;
    fail(`the stateful mock runs the real server, which comes in its own package so that the SDK stays small. Install it with:\n\n  npm install --save-dev @pizza-place/mock@${version}\n`);
  }
  if (mock.version !== version) console.warn(`pizza-place-mock: @pizza-place/mock ${mock.version} serves a different contract than @pizza-place/api ${version}; install @pizza-place/mock@${version}`);
  const running = await mock.startStatefulMock({ port: Number(options.port), host: options.host });
  console.log(`Pizza Place API ${version}, stateful mock (in-memory, seeded menu) at ${running.url}
  customer: ${running.customer.email} / ${running.customer.password}
  staff:    ${running.staff.email} / ${running.staff.password}
  reference: ${running.url}/docs
Everything you create is kept until this process stops.`);
  const stop = () => running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function runPrism() {
  let prismBin;
  try {
    const require = createRequire(import.meta.url);
    const manifestPath = require.resolve('@stoplight/prism-cli/package.json');
    prismBin = join(dirname(manifestPath), JSON.parse(readFileSync(manifestPath, 'utf8')).bin.prism);
  } catch {
    fail(`the mock runs Stoplight Prism, which is not installed. Install it with:\n\n  npm install --save-dev @stoplight/prism-cli@^5.14\n\nor run the real server instead: pizza-place-mock --stateful`);
  }
  // Prism listens on a loopback port of its own, behind the front that checks requests as the server does.
  const prismPort = await freePort();
  const args = [prismBin, 'mock', '--host', '127.0.0.1', '--port', String(prismPort), ...(options.dynamic ? ['--dynamic'] : []), contract];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => child.kill(signal));
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
  // Prism's log goes to the terminal with PIZZA_PLACE_MOCK_VERBOSE=1; it is read until Prism says it listens.
  await new Promise((resolve) => {
    let log = '';
    child.stdout.on('data', (chunk) => {
      if (process.env.PIZZA_PLACE_MOCK_VERBOSE) process.stdout.write(chunk);
      if (log === null) return;
      log += chunk;
      if (/Prism is listening/.test(log)) {
        log = null;
        resolve();
      }
    });
  });
  const { startValidatingFront } = await import('./validating-front.js');
  await startValidatingFront({ contract: await readContract(), upstream: `http://127.0.0.1:${prismPort}`, host: options.host, port: Number(options.port) });
  console.log(`Pizza Place API ${version}, mock from the contract (${options.dynamic ? 'data generated from the schemas' : 'the examples'}) at http://${options.host}:${options.port}`);
}

/** The contract as an object: the bundled JSON in the package, the YAML itself in the repository. */
async function readContract() {
  const bundled = join(packageRoot, 'dist', 'openapi.json');
  if (!existsSync(join(packageRoot, 'sdk')) && existsSync(bundled)) return JSON.parse(readFileSync(bundled, 'utf8'));
  const { parse } = await import('yaml');
  return parse(readFileSync(contract, 'utf8'));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
