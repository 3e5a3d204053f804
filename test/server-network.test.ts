import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer } from './support/server.ts';
import { useTestDatabase } from './support/database.ts';

const run = promisify(execFile);

/** GET over HTTPS trusting `ca`, with the raw (undecoded) body. */
function getOverTls(url: string, ca: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const request = httpsRequest(url, { ca, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the real server', () => {
  const database = useTestDatabase('sqlite');
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'pizza-place-tls-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('serves HTTPS with the configured certificate and key', async () => {
    const certFile = join(directory, 'cert.pem');
    const keyFile = join(directory, 'key.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile,
    ]);
    const server = await startTestServer(database().config, { tls: { certFile, keyFile } });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = await readFile(certFile, 'utf8');
      const response = await getOverTls(`${server.url}/health/live`, ca);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body.toString('utf8'))).toEqual({ status: 'ok' });
      await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it('sends gzip on the wire when the client accepts it', async () => {
    const server = await startTestServer(database().config);
    try {
      const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        httpRequest(`${server.url}/menu/items`, { headers: { 'Accept-Encoding': 'gzip' } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
      expect(raw.encoding).toBe('gzip');
      expect(JSON.parse(gunzipSync(raw.body).toString('utf8')).data.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('sends the security, request-id, CORS and rate-limit headers on the wire, on answers and on errors', async () => {
    const origin = 'http://localhost:5173';
    const server = await startTestServer(database().config, { corsOrigins: [origin] });
    try {
      for (const [path, status] of [['/menu/items', 200], ['/orders', 401], ['/no-such-path', 404]] as const) {
        const response = await fetch(`${server.url}${path}`, { headers: { origin } });
        expect(response.status, path).toBe(status);
        expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(response.headers.get('strict-transport-security'), path).toMatch(/^max-age=/);
        expect(response.headers.get('x-request-id'), path).toMatch(/^\S{8,}$/);
        expect(response.headers.get('access-control-allow-origin'), path).toBe(origin);
        expect(response.headers.get('access-control-expose-headers'), path).toContain('X-Request-Id');
      }
      const limited = await fetch(`${server.url}/menu/items`);
      expect(limited.headers.get('ratelimit-policy')).toMatch(/q=\d+/);
      const elsewhere = await fetch(`${server.url}/menu/items`, { headers: { origin: 'https://evil.example' } });
      expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await server.close();
    }
  });
});
