import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { AccountAccess } from '../auth/account-access.ts';
import { cachingTokenVerifier, type JwtConfig } from '../auth/jwt.ts';
import { operationOf } from '../http/operations.ts';
import { problem, respondWithProblem } from '../problem.ts';

export interface AuthenticateOptions {
  jwt: JwtConfig;
  /** Whether a verified token's account still stands as when it was issued (not disabled, same role and version). */
  access: AccountAccess;
  /** The `realm` in `WWW-Authenticate`. @default 'pizza-place' */
  realm?: string;
}

const bearer = /^Bearer[ ]+([^ ]+)[ ]*$/i;

/**
 * Enforces each operation's contract `security` before its handler runs: a public operation passes,
 * a secured one needs a valid bearer token (else 401 with `WWW-Authenticate`), and one that names
 * roles needs the caller to have one of them (else 403). Sets `c.var.user`. The token is never echoed.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler<AppEnv> {
  const { jwt, access, realm = 'pizza-place' } = options;
  const verifyAccessToken = cachingTokenVerifier(jwt);

  function unauthorized(c: Context<AppEnv>, detail: string, error?: 'invalid_token' | 'invalid_request') {
    c.header('WWW-Authenticate', `Bearer realm="${realm}"${error ? `, error="${error}"` : ''}`);
    return respondWithProblem(c, problem({ type: 'unauthorized', detail, instance: c.req.path }));
  }

  return async function authenticateMiddleware(c, next) {
    c.set('user', undefined);
    const operation = operationOf(c);
    if (!operation || operation.access.kind === 'public') return next();
    const authorization = c.req.header('Authorization');
    if (authorization === undefined) return unauthorized(c, 'Sign in and send the access token as Authorization: Bearer <token>.');
    const token = bearer.exec(authorization)?.[1];
    if (token === undefined) return unauthorized(c, 'The Authorization header must be Bearer <token>.', 'invalid_request');
    const verification = verifyAccessToken(token);
    if (!verification.ok) {
      return unauthorized(
        c,
        verification.reason === 'expired' ? 'The access token has expired; sign in again.' : 'The access token is not valid; sign in again.',
        'invalid_token',
      );
    }
    if (!(await access.allows(verification.user))) {
      return unauthorized(c, 'The access token no longer works: the account was disabled or changed; sign in again.', 'invalid_token');
    }
    const { roles } = operation.access;
    if (roles.length > 0 && !roles.includes(verification.user.role)) {
      return respondWithProblem(
        c,
        problem({ type: 'forbidden', detail: `Only ${roles.join(' or ')} can do this.`, instance: c.req.path }),
      );
    }
    c.set('user', verification.user);
    return next();
  };
}
