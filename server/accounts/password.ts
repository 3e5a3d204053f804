import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 64;
const SALT_LENGTH = 16;
/**
 * N = 2^17, r = 8, p = 1: OWASP's minimum for scrypt (Password Storage Cheat Sheet), about 128 MiB and half a
 * second per hash. Hashes made with less are upgraded the next time their password is verified (`needsRehash`).
 */
export const passwordHashParameters = { N: 131_072, r: 8, p: 1 } as const;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const maxmem = 256 * (options.N ?? 0) * (options.r ?? 0);
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Hashes a password with scrypt and a random salt.
 * @returns `scrypt$N$r$p$salt$key` (base64url), so the cost can be raised later without breaking old hashes.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, passwordHashParameters);
  const { N, r, p } = passwordHashParameters;
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether a hash from {@link hashPassword} was made with less than today's cost, so it should be made again. */
export function needsRehash(hash: string): boolean {
  const [, N, r, p] = hash.split('$');
  const { N: wantN, r: wantR, p: wantP } = passwordHashParameters;
  return Number(N) < wantN || Number(r) < wantR || Number(p) < wantP;
}

/** Whether `password` matches a hash from {@link hashPassword}; a malformed hash never matches. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [scheme, N, r, p, salt, key, ...rest] = hash.split('$');
  if (scheme !== 'scrypt' || rest.length > 0 || !salt || !key) return false;
  const cost = { N: Number(N), r: Number(r), p: Number(p) };
  const plausible = Number.isInteger(cost.N) && cost.N <= 1_048_576 && cost.r >= 1 && cost.r <= 32 && cost.p >= 1 && cost.p <= 16;
  if (!plausible) return false;
  const expected = Buffer.from(key, 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = await derive(password, Buffer.from(salt, 'base64url'), cost).catch(() => undefined);
  return actual !== undefined && timingSafeEqual(actual, expected);
}
