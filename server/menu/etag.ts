import { createHash } from 'node:crypto';

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
