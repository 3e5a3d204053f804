import { createHash } from 'node:crypto';
import type { Context, TypedResponse } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { PrecompressedBody } from './content-coding.ts';

/** A strong entity tag for a JSON body: a hash of the bytes sent, `json`. */
export function etagOf(json: string): string {
  return `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
}

const entityTag = /(?:W\/)?("[^"]*")/g;

/**
 * Whether an `If-None-Match` header matches the current `etag`, so a GET answers 304 (RFC 9110 §13.1.2):
 * `*` matches any current representation; otherwise any tag in the list matches by the weak comparison,
 * which ignores a `W/` prefix on either side.
 */
export function ifNoneMatchMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaqueTag = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const [, tag] of ifNoneMatch.matchAll(entityTag)) if (tag === opaqueTag) return true;
  return false;
}

/** A response body, serialised (and possibly compressed) once, together with its strong `ETag`. */
export interface Representation<T> {
  body: T;
  /** `body` as JSON: the bytes sent, so that a cached body is not serialised again for every request. */
  json: string;
  etag: string;
  /**
   * Its compressed forms when they were made ahead of time (the menu); empty forms when not (an order, read
   * too rarely to be worth it), which still tell the compression middleware what a `304` stands for.
   */
  precompressed: PrecompressedBody;
}

/** `body` serialised now, tagged, and left for the compression middleware to compress per request. */
export function representationOf<T>(body: T): Representation<T> {
  const json = JSON.stringify(body);
  const etag = etagOf(json);
  return { body, json, etag, precompressed: { etag, byteLength: Buffer.byteLength(json), encoded: {} } };
}

/**
 * Answers a conditional GET with a representation: `304` when `If-None-Match` holds its `ETag`, else the body as it
 * was serialised. Either way its compressed forms (or its length) go to the compression middleware, which then
 * gives the `304` the `Vary` and `ETag` its `200` would have had. The body is `JSON.stringify` of a `T`, which is
 * what the typed response says.
 */
export function sendRepresentation<T>(c: Context<AppEnv>, { json, etag, precompressed }: Representation<T>, ifNoneMatch: string | undefined) {
  c.set('precompressedBody', precompressed);
  if (ifNoneMatchMatches(ifNoneMatch, etag)) return c.body(null, 304, { ETag: etag });
  return c.body(json, 200, { 'Content-Type': 'application/json', ETag: etag }) as unknown as Response & TypedResponse<T, 200, 'json'>;
}
