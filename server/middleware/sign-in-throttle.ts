import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import { signInThrottle as createThrottle, type SignInOutcome, type SignInThrottleConfig } from '../accounts/sign-in-throttle.ts';
import type { AppEnv } from '../app-env.ts';
import type { Database } from '../db/tables.ts';
import { operationOf, type OperationId } from '../http/operations.ts';
import { problem, respondWithProblem } from '../problem.ts';

export interface SignInThrottleOptions {
  db: Kysely<Database>;
  limits: SignInThrottleConfig;
  /** The operation that checks a password. @default 'issueToken' */
  operation?: OperationId;
}

/** What the sign-in's answer says about the password: 200 it was right, 401 it was not, anything else it was never checked. */
function outcomeOf(status: number): SignInOutcome {
  return status === 200 ? 'succeeded' : status === 401 ? 'failed' : 'not-checked';
}

/**
 * Sign-in throttling (`server/accounts/sign-in-throttle.ts`) around the operation that checks passwords: a locked
 * email or client gets `429 rate-limited` with `Retry-After` before the handler runs, and the handler's answer
 * settles the attempt. The email comes from the JSON body, which `requestBody` has already parsed.
 */
export function signInThrottle(options: SignInThrottleOptions): MiddlewareHandler<AppEnv> {
  const { db, limits, operation: throttledOperation = 'issueToken' } = options;
  const throttle = createThrottle(db, limits);
  return async function signInThrottleMiddleware(c, next) {
    if (operationOf(c)?.id !== throttledOperation) return next();
    const body: unknown = await c.req.json().catch(() => undefined);
    const email = typeof body === 'object' && body !== null ? (body as { email?: unknown }).email : undefined;
    if (typeof email !== 'string') return next();
    const admission = await throttle.admit({ email: email.slice(0, 320), client: c.get('clientAddress') });
    if (!admission.admitted) {
      c.header('Retry-After', String(admission.retryAfterSeconds));
      return respondWithProblem(
        c,
        problem({
          type: 'rate-limited',
          detail: `Too many failed sign-ins for this email or from this address; try again in ${admission.retryAfterSeconds} seconds.`,
          instance: c.req.path,
        }),
      );
    }
    await next();
    await admission.settle(outcomeOf(c.res.status));
  };
}
