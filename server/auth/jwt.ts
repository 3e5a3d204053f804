import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthenticatedUser } from '../app-env.ts';
import type { Config } from '../config.ts';

/** Access tokens are HS256 JWTs; no other algorithm is ever accepted, `none` least of all. */
const ALGORITHM = 'HS256';
const HEADER = encodeJson({ alg: ALGORITHM, typ: 'JWT' });
/** Seconds of clock difference tolerated between issuing and verifying instances. */
const CLOCK_TOLERANCE_SECONDS = 30;

export type JwtConfig = Config['jwt'];

export interface AccessToken {
  token: string;
  /** Seconds until the token expires. */
  expiresIn: number;
}

export type TokenVerification =
  | { ok: true; user: AuthenticatedUser; /** Seconds since the epoch when the token stops being valid. */ expiresAt: number }
  | { ok: false; reason: 'expired' | 'invalid' };

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signature(secret: string, signingInput: string): Buffer {
  return createHmac('sha256', secret).update(signingInput).digest();
}

/** Signs an access token for `user` that lives `config.ttlSeconds`; its version defaults to an account's first, 0. */
export function signAccessToken(
  user: Pick<AuthenticatedUser, 'id' | 'role'> & Partial<AuthenticatedUser>,
  config: JwtConfig,
  now = new Date(),
): AccessToken {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const payload = encodeJson({
    sub: user.id,
    role: user.role,
    ver: user.tokenVersion ?? 0,
    ...(user.sessionId !== undefined && { sid: user.sessionId }),
    iss: config.issuer,
    aud: config.audience,
    iat: issuedAt,
    nbf: issuedAt,
    exp: issuedAt + config.ttlSeconds,
  });
  const signingInput = `${HEADER}.${payload}`;
  return { token: `${signingInput}.${signature(config.secret, signingInput).toString('base64url')}`, expiresIn: config.ttlSeconds };
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const base64url = /^[A-Za-z0-9_-]+$/;
const isRole = (value: unknown): value is AuthenticatedUser['role'] => value === 'customer' || value === 'staff';
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/**
 * Checks a token's algorithm (HS256 only), signature, issuer, audience and lifetime. The signature is
 * checked before any claim is trusted.
 */
export function verifyAccessToken(token: string, config: JwtConfig, now = new Date()): TokenVerification {
  const invalid = { ok: false, reason: 'invalid' } as const;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => base64url.test(part))) return invalid;
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeJson(encodedHeader);
  if (header?.alg !== ALGORITHM || ('typ' in header && header.typ !== 'JWT') || 'crit' in header) return invalid;
  const expected = signature(config.secret, `${encodedHeader}.${encodedPayload}`);
  const actual = Buffer.from(encodedSignature, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return invalid;
  const claims = decodeJson(encodedPayload);
  if (!claims || typeof claims.sub !== 'string' || !isRole(claims.role)) return invalid;
  if ((claims.ver !== undefined && !isTime(claims.ver)) || (claims.sid !== undefined && typeof claims.sid !== 'string')) return invalid;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== config.issuer || !audiences.includes(config.audience)) return invalid;
  if (!isTime(claims.exp) || !isTime(claims.iat) || (claims.nbf !== undefined && !isTime(claims.nbf))) return invalid;
  const seconds = Math.floor(now.getTime() / 1000);
  if (claims.iat > seconds + CLOCK_TOLERANCE_SECONDS) return invalid;
  if (isTime(claims.nbf) && claims.nbf > seconds + CLOCK_TOLERANCE_SECONDS) return invalid;
  if (claims.exp <= seconds) return { ok: false, reason: 'expired' };
  return { ok: true, user: { id: claims.sub, role: claims.role, tokenVersion: isTime(claims.ver) ? claims.ver : 0, sessionId: claims.sid as string | undefined }, expiresAt: claims.exp };
}

/**
 * {@link verifyAccessToken} that remembers each token it found valid until the token expires, so a client
 * sending the same token with every request costs a map lookup instead of an HMAC and two JSON parses.
 * Sound because a token cannot change: the same string verifies the same way until its `exp` (its `iat` and
 * `nbf` only get further into the past). At most `capacity` tokens are kept, least recently used dropped first.
 */
export function cachingTokenVerifier(config: JwtConfig, capacity = 10_000): (token: string, now?: Date) => TokenVerification {
  const verified = new Map<string, Extract<TokenVerification, { ok: true }>>();
  return (token, now = new Date()) => {
    const known = verified.get(token);
    if (known) {
      verified.delete(token);
      if (known.expiresAt <= Math.floor(now.getTime() / 1000)) return { ok: false, reason: 'expired' };
      verified.set(token, known);
      return known;
    }
    const verification = verifyAccessToken(token, config, now);
    if (verification.ok) {
      if (verified.size >= capacity) verified.delete(verified.keys().next().value!);
      verified.set(token, verification);
    }
    return verification;
  };
}
