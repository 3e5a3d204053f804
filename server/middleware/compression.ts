import type { MiddlewareHandler } from 'hono';
import { compress } from 'hono/compress';
import type { AppEnv } from '../app-env.ts';

export interface CompressionOptions {
  /** Responses smaller than this are sent as they are. @default 1024 */
  thresholdBytes?: number;
}

/**
 * gzip (or deflate) for responses of at least `thresholdBytes` when the client accepts it. Hono's
 * `compress` judges size by `Content-Length`, which an in-memory response does not carry yet, so the
 * length is measured first; the API's bodies are small JSON documents, held in memory anyway.
 */
export function compression(options: CompressionOptions = {}): MiddlewareHandler<AppEnv> {
  const { thresholdBytes = 1024 } = options;
  const compressLarge = compress({ threshold: thresholdBytes });
  return async function compressionMiddleware(c, next) {
    return compressLarge(c, async () => {
      await next();
      if (c.req.header('Accept-Encoding') === undefined || c.res.body === null || c.res.headers.has('Content-Length')) return;
      const body = await c.res.arrayBuffer();
      const measured = new Response(body, c.res);
      measured.headers.set('Content-Length', String(body.byteLength));
      c.res = undefined;
      c.res = measured;
    });
  };
}
