import { brotliCompress, constants, deflate, gzip, type CompressCallback } from 'node:zlib';
import { parseAccept } from 'hono/utils/accept';

/** The content codings the server sends, in its order of preference when a client likes several equally. */
const contentCodings = ['br', 'gzip', 'deflate'] as const;
export type ContentCoding = (typeof contentCodings)[number];

/** Bodies smaller than this are sent as they are: compressing them saves a few bytes for the cost of a call. */
export const compressionThresholdBytes = 1024;

/**
 * The coding to send a body in for a request's `Accept-Encoding`, or undefined for the body as it is
 * (RFC 9110 §12.5.3): the coding with the highest q-value wins, a tie goes to br, then gzip, then deflate;
 * `*` stands for the codings not listed, `q=0` refuses one, and `identity` wins when the client ranks it
 * above every coding. No header at all means identity, as clients that decode nothing send none.
 */
export function negotiateContentCoding(acceptEncoding: string | undefined): ContentCoding | undefined {
  if (!acceptEncoding) return undefined;
  const accepts = parseAccept(acceptEncoding);
  const qualityOf = (coding: string) => accepts.find((accept) => accept.type.toLowerCase() === coding)?.q;
  const wildcard = qualityOf('*');
  let best: { coding: ContentCoding; q: number } | undefined;
  for (const coding of contentCodings) {
    const q = qualityOf(coding) ?? wildcard ?? 0;
    if (q > 0 && (!best || q > best.q)) best = { coding, q };
  }
  if (!best) return undefined;
  const identity = qualityOf('identity') ?? wildcard ?? 0;
  return identity > best.q ? undefined : best.coding;
}

type Effort = 'per-request' | 'ahead-of-time';

const zlibLevel = (effort: Effort) => (effort === 'ahead-of-time' ? constants.Z_BEST_COMPRESSION : constants.Z_DEFAULT_COMPRESSION);

/**
 * Per request, brotli at quality 4 costs about what gzip's default level does and still compresses better;
 * quality 11 takes some hundred times longer, which only a body compressed once and sent many times repays.
 */
const compressors: Record<ContentCoding, (body: Uint8Array, effort: Effort, callback: CompressCallback) => void> = {
  br: (body, effort, callback) =>
    brotliCompress(
      body,
      {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: effort === 'ahead-of-time' ? constants.BROTLI_MAX_QUALITY : 4,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
        },
      },
      callback,
    ),
  gzip: (body, effort, callback) => gzip(body, { level: zlibLevel(effort) }, callback),
  deflate: (body, effort, callback) => deflate(body, { level: zlibLevel(effort) }, callback),
};

/** `body` in `coding`, compressed on libuv's thread pool so that the event loop carries on meanwhile. */
export function compress(coding: ContentCoding, body: Uint8Array, effort: Effort): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    // Copied out of zlib's buffer, which may be a slice of a larger one that a kept body would hold on to.
    compressors[coding](body, effort, (error, result) => (error ? reject(error) : resolve(new Uint8Array(result))));
  });
}

/** A body sent many times with its compressed forms made once; see {@link precompress}. */
export interface PrecompressedBody {
  /** The strong `ETag` of the body as it is, which ties these forms to the response that carries that tag. */
  etag: string;
  /** The length of the body as it is. */
  byteLength: number;
  /** Empty when the body is under {@link compressionThresholdBytes}. */
  encoded: Partial<Record<ContentCoding, Uint8Array<ArrayBuffer>>>;
}

/**
 * `json` compressed once with brotli and gzip at their best. `reusable` holds bodies compressed before,
 * by `ETag`: a body that has not changed is not compressed again.
 */
export async function precompress(json: string, etag: string, reusable?: ReadonlyMap<string, PrecompressedBody>): Promise<PrecompressedBody> {
  const reused = reusable?.get(etag);
  if (reused) return reused;
  const body = new TextEncoder().encode(json);
  if (body.byteLength < compressionThresholdBytes) return { etag, byteLength: body.byteLength, encoded: {} };
  const [br, gzipped] = await Promise.all([compress('br', body, 'ahead-of-time'), compress('gzip', body, 'ahead-of-time')]);
  return { etag, byteLength: body.byteLength, encoded: { br, gzip: gzipped } };
}
