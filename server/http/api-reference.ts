import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context, Handler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { compress, type PrecompressedBody } from './content-coding.ts';
import { ifNoneMatchMatches } from './etag.ts';

/** The file of `@scalar/api-reference` that renders a reference by itself in a browser (no CDN, no build). */
export const scalarStandaloneFile = 'scalar-standalone.js';

/**
 * Where the Scalar bundle is: next to this module once compiled (the builds copy it there, so a production
 * install needs no Scalar package), else in `node_modules`, whose package exports do not list it.
 */
export function scalarStandalonePath(): string {
  const copied = fileURLToPath(new URL(`./${scalarStandaloneFile}`, import.meta.url));
  if (existsSync(copied)) return copied;
  return fileURLToPath(new URL('./browser/standalone.js', import.meta.resolve('@scalar/api-reference')));
}

export interface ApiReferenceOptions {
  /** Where the page loads the contract from. */
  specUrl: string;
  /** Where the page loads the Scalar bundle from; `scriptHandler` answers it. */
  scriptUrl: string;
  pageTitle: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * The `/docs` page and the Scalar script it loads, both from this server. The page's Content-Security-Policy
 * allows scripts from this origin only (the bundle: no inline script, no `eval`), connections to this origin only
 * (the contract) and nothing else from anywhere else. Styles may be inline: the bundle's Vue components inject
 * `<style>` elements and style attributes of their own, and CSS cannot run code. Scalar's web fonts are turned
 * off (the system fonts are used), so an offline machine shows the same page.
 */
export function apiReference(options: ApiReferenceOptions): { pageHandler: Handler<AppEnv>; scriptHandler: Handler<AppEnv> } {
  const configuration = JSON.stringify({ withDefaultFonts: false, hideClientButton: true, telemetry: false });
  const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(options.pageTitle)}</title>
  </head>
  <body>
    <script id="api-reference" type="application/json" data-url="${escapeHtml(options.specUrl)}" data-configuration="${escapeHtml(configuration)}"></script>
    <script src="${escapeHtml(options.scriptUrl)}"></script>
  </body>
</html>
`;
  const policy = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

  let script: { bytes: Uint8Array<ArrayBuffer>; etag: string; precompressed: Promise<PrecompressedBody> } | undefined;
  const loadScript = () => {
    if (!script) {
      const bytes = new Uint8Array(readFileSync(scalarStandalonePath()));
      const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
      // Compressed once, on the thread pool, the first time the page is opened: some 4.7 MB become about 1.3 MB.
      const precompressed = Promise.all([compress('br', bytes, 'per-request'), compress('gzip', bytes, 'ahead-of-time')]).then(
        ([br, gzip]) => ({ etag, byteLength: bytes.byteLength, encoded: { br, gzip } }),
      );
      script = { bytes, etag, precompressed };
    }
    return script;
  };

  return {
    pageHandler: (c: Context<AppEnv>) => c.html(page, 200, { 'Content-Security-Policy': policy, 'Cache-Control': 'no-cache' }),
    scriptHandler: async (c: Context<AppEnv>) => {
      const { bytes, etag, precompressed } = loadScript();
      c.set('precompressedBody', await precompressed);
      const headers = { ETag: etag, 'Cache-Control': 'public, max-age=86400' };
      if (ifNoneMatchMatches(c.req.header('If-None-Match'), etag)) return c.body(null, 304, headers);
      return c.body(bytes, 200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' });
    },
  };
}
