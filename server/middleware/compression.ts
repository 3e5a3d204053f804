import type { MiddlewareHandler } from 'hono';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress';
import type { AppEnv } from '../app-env.ts';
import { compress, compressionThresholdBytes, negotiateContentCoding } from '../http/content-coding.ts';

export interface CompressionOptions {
  /** Responses smaller than this are sent as they are. @default 1024 */
  thresholdBytes?: number;
}

const noTransform = /(?:^|,)\s*?no-transform\s*?(?:,|$)/i;

/** A compressed body differs byte for byte from the one a strong tag names; the weak tag still matches `If-None-Match`. */
function weakened(etag: string): string {
  return etag.startsWith('W/') ? etag : `W/${etag}`;
}

/**
 * br, gzip or deflate, as the client's `Accept-Encoding` ranks them (see `negotiateContentCoding`), for
 * responses of at least `thresholdBytes`; such responses say `Vary: Accept-Encoding` and a compressed one
 * carries the weak form of its `ETag`. A handler that sends the same body often offers its compressed forms
 * made ahead of time as `precompressedBody`, and one of them is sent as it is; a `304` standing in for that
 * body gets the `Vary` and `ETag` its `200` would have had. Other bodies are small JSON documents held in
 * memory, so the body is read whole and compressed with zlib (off the main thread), and the response keeps a
 * byte body with a `Content-Length`, which `@hono/node-server` writes in one go. Headers are set on
 * `c.res.headers`, never through `c.header` after the handler, which would make Hono copy the response. A
 * client that accepts no encoding costs a header lookup.
 */
export function compression(options: CompressionOptions = {}): MiddlewareHandler<AppEnv> {
  const { thresholdBytes = compressionThresholdBytes } = options;
  return async function compressionMiddleware(c, next) {
    await next();
    const response = c.res;
    const { headers } = response;
    const offered = c.get('precompressedBody');
    const precompressed = offered !== undefined && offered.etag === headers.get('ETag') ? offered : undefined;
    if (response.status === 304) {
      if (precompressed && precompressed.byteLength >= thresholdBytes) {
        headers.append('Vary', 'Accept-Encoding');
        if (negotiateContentCoding(c.req.header('Accept-Encoding'))) headers.set('ETag', weakened(precompressed.etag));
      }
      return;
    }
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
    const knownLength = precompressed?.byteLength ?? (declaredLength === null ? undefined : Number(declaredLength));
    if (knownLength !== undefined && knownLength < thresholdBytes) return;
    const coding = negotiateContentCoding(c.req.header('Accept-Encoding'));
    if (coding === undefined) {
      headers.append('Vary', 'Accept-Encoding');
      return;
    }
    let sent = precompressed?.encoded[coding];
    let compressed = sent !== undefined;
    if (sent === undefined) {
      if (response.body === null) {
        // Reading the body may have replaced the headers object behind `response.headers`.
        response.headers.append('Vary', 'Accept-Encoding');
        return;
      }
      const body = new Uint8Array(await response.arrayBuffer());
      compressed = body.byteLength >= thresholdBytes;
      sent = compressed ? await compress(coding, body, 'per-request') : body;
    }
    const replacement = new Response(sent, response);
    replacement.headers.set('Content-Length', String(sent.byteLength));
    if (compressed) {
      replacement.headers.append('Vary', 'Accept-Encoding');
      replacement.headers.set('Content-Encoding', coding);
      const etag = replacement.headers.get('ETag');
      if (etag) replacement.headers.set('ETag', weakened(etag));
    }
    // Cleared first so that Hono takes the replacement as it is instead of copying the old headers onto it.
    c.res = undefined;
    c.res = replacement;
  };
}
