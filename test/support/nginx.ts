import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.ts';
import { scratchParent } from './postgres.ts';

export const nginxPath = '/usr/sbin/nginx';
/** The uid and gid of Debian's `nobody`, which nginx runs as when the tests run as root. */
const NOBODY = 65534;

/** Why the nginx tests cannot run here, if they cannot; in CI (which installs Debian's nginx) that is an error. */
export function nginxUnavailableReason(): string | undefined {
  if (existsSync(nginxPath)) return undefined;
  const reason = `nginx is not installed at ${nginxPath} (apt-get install nginx)`;
  if (process.env.CI === 'true') throw new Error(`${reason}: CI must run the load-balancer tests`);
  return reason;
}

export interface Nginx {
  /** Where nginx listens, e.g. `http://127.0.0.1:38127`. */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's nginx as a load balancer in front of `upstreams` (round robin), configured as the README shows:
 * it appends the client's address to X-Forwarded-For. It runs from a temporary directory with its own configuration,
 * on a free port, as an unprivileged user (`nobody` when this process is root), in the foreground.
 */
export async function startNginx(upstreams: string[]): Promise<Nginx> {
  const directory = await mkdtemp(join(scratchParent(), 'pizza-place-nginx-'));
  const port = await freePort();
  const configFile = join(directory, 'nginx.conf');
  const servers = upstreams.map((upstream) => `    server ${new URL(upstream).host};`).join('\n');
  await writeFile(
    configFile,
    `worker_processes 1;
daemon off;
pid ${directory}/nginx.pid;
error_log stderr warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${directory}/client-body;
  proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
  upstream pizza_place {
${servers}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://pizza_place;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
    }
  }
}
`,
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    await chown(directory, NOBODY, NOBODY);
    await chmod(directory, 0o755);
  }
  // Spawned as `nobody` directly (not through runuser), so that the signals below reach nginx itself.
  const child: ChildProcess = spawn(nginxPath, ['-p', directory, '-c', configFile, '-e', 'stderr'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asRoot && { uid: NOBODY, gid: NOBODY }),
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
    await Promise.race([exited, sleep(5_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break;
    const answered = await fetch(`${url}/health/live`).then((response) => response.status, () => 0);
    if (answered === 200) return { url, output: () => output, stop };
    await sleep(100);
  }
  await stop();
  throw new Error(`nginx did not start:\n${output}`);
}
