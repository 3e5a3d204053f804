import { promisify } from 'node:util';
import { deflate, gzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress';
import { parseAccept } from 'hono/utils/accept';
import type { AppEnv } from '../app-env.ts';

export interface CompressionOptions {
  /** Responses smaller than this are sent as they are. @default 1024 */
  thresholdBytes?: number;
}

const encoders = { gzip: promisify(gzip), deflate: promisify(deflate) } as const;
type Encoding = keyof typeof encoders;

/** The encoding the client prefers among ours (gzip first on a tie), as Hono's `compress` chooses it. */
function selectEncoding(acceptEncoding: string): Encoding | undefined {
  const accepts = parseAccept(acceptEncoding);
  const wildcard = accepts.find((accept) => accept.type === '*')?.q;
  let best: { encoding: Encoding; q: number } | undefined;
  for (const encoding of ['gzip', 'deflate'] as const) {
    const q = accepts.find((accept) => accept.type.toLowerCase() === encoding)?.q ?? wildcard ?? 0;
    if (q === 1) return encoding;
    if (q > 0 && (!best || q > best.q)) best = { encoding, q };
  }
  return best?.encoding;
}

const noTransform = /(?:^|,)\s*?no-transform\s*?(?:,|$)/i;

/**
 * gzip (or deflate) for responses of at least `thresholdBytes` when the client accepts it; compressible
 * responses say `Vary: Accept-Encoding`. The API's bodies are small JSON documents held in memory, so the body
 * is read whole and compressed with zlib (off the main thread), and the response keeps a byte body with a
 * `Content-Length`, which `@hono/node-server` writes in one go. Headers are set on `c.res.headers`, never
 * through `c.header` after the handler, which would make Hono copy the response. A client that accepts no
 * encoding costs a header lookup.
 */
export function compression(options: CompressionOptions = {}): MiddlewareHandler<AppEnv> {
  const { thresholdBytes = 1024 } = options;
  return async function compressionMiddleware(c, next) {
    await next();
    const response = c.res;
    const { headers } = response;
    const contentType = headers.get('Content-Type');
    if (
      c.req.method === 'HEAD' ||
      response.status === 206 ||
      contentType === null ||
      !COMPRESSIBLE_CONTENT_TYPE_REGEX.test(contentType) ||
      headers.has('Content-Encoding') ||
      headers.has('Transfer-Encoding') ||
      noTransform.test(headers.get('Cache-Control') ?? '')
    ) {
      return;
    }
    const declaredLength = headers.get('Content-Length');
    if (declaredLength !== null && Number(declaredLength) < thresholdBytes) return;
    const acceptEncoding = c.req.header('Accept-Encoding');
    const encoding = acceptEncoding === undefined ? undefined : selectEncoding(acceptEncoding);
    if (encoding === undefined) {
      headers.append('Vary', 'Accept-Encoding');
      return;
    }
    if (response.body === null) {
      // Reading the body may have replaced the headers object behind `response.headers`.
      response.headers.append('Vary', 'Accept-Encoding');
      return;
    }
    const body = new Uint8Array(await response.arrayBuffer());
    const compressed = body.byteLength < thresholdBytes ? undefined : new Uint8Array(await encoders[encoding](body));
    const replacement = new Response(compressed ?? body, response);
    replacement.headers.set('Content-Length', String((compressed ?? body).byteLength));
    if (compressed) {
      replacement.headers.append('Vary', 'Accept-Encoding');
      replacement.headers.set('Content-Encoding', encoding);
      const etag = replacement.headers.get('ETag');
      if (etag && !etag.startsWith('W/')) replacement.headers.set('ETag', `W/${etag}`);
    }
    // Cleared first so that Hono takes the replacement as it is instead of copying the old headers onto it.
    c.res = undefined;
    c.res = replacement;
  };
}
