import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { toTimestamp } from '../db/dialect.ts';
import type { Database } from '../db/tables.ts';
import { clearFailures, deleteSpentFailures, findLockedUntil, recordFailure, uncountFailure } from './sign-in-failure-repository.ts';

export type SignInThrottleConfig = Config['signIn'];

/** Who is signing in: the email as typed and the client's address (`c.var.clientAddress`). */
export interface SignInAttempt {
  email: string;
  client: string;
}

/** How an attempt ended: the password was right, wrong (or the email unknown), or never checked (a bad request). */
export type SignInOutcome = 'succeeded' | 'failed' | 'not-checked';

export type Admission =
  | { admitted: false; retryAfterSeconds: number }
  | { admitted: true; settle(outcome: SignInOutcome): Promise<void> };

/** How often, at most, an instance deletes rows that no longer count. */
const PURGE_INTERVAL_MS = 60_000;

function keyOf(kind: 'account' | 'client', value: string): string {
  return `${kind}:${createHash('sha256').update(value).digest('hex')}`;
}

/**
 * Limits password guessing whichever instance answers: failed sign-ins are counted in the database per email
 * and per client address, and once either reaches its limit within `lockoutSeconds`, sign-ins for that email or
 * from that client are refused for `lockoutSeconds`, before any password is checked. An email without an account
 * is counted and locked exactly like one with an account, so the answer never tells whether an account exists.
 *
 * An attempt is counted as a failure when it is admitted, before the password is checked, so that a burst of
 * parallel guesses cannot all get in before the first of them has failed; `settle` then takes the count back
 * for an attempt that was not a failure. A success clears its email's count and does not count for its client
 * (an office behind one address signs in many times).
 *
 * @example
 * const admission = await throttle.admit({ email, client: c.get('clientAddress') });
 * if (!admission.admitted) return tooManyAttempts(admission.retryAfterSeconds);
 * const ok = await checkPassword();
 * await admission.settle(ok ? 'succeeded' : 'failed');
 */
export function signInThrottle(db: Kysely<Database>, config: SignInThrottleConfig, now: () => number = Date.now) {
  const { accountFailures, clientFailures, lockoutSeconds } = config;
  const windowMs = lockoutSeconds * 1000;
  let nextPurge = 0;

  return {
    async admit(who: SignInAttempt): Promise<Admission> {
      const at = now();
      const timestamp = toTimestamp(new Date(at));
      const accountKey = keyOf('account', who.email.trim().toLowerCase());
      const clientKey = keyOf('client', who.client);
      const lockedUntil = await findLockedUntil(db, [accountKey, clientKey], timestamp);
      if (lockedUntil !== undefined) {
        return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((Date.parse(lockedUntil) - at) / 1000)) };
      }
      const window = { now: timestamp, windowStartedBefore: toTimestamp(new Date(at - windowMs)), lockedUntil: toTimestamp(new Date(at + windowMs)) };
      const accountCount = await recordFailure(db, accountKey, { ...window, limit: accountFailures });
      const clientCount = await recordFailure(db, clientKey, { ...window, limit: clientFailures });
      if (at >= nextPurge) {
        nextPurge = at + PURGE_INTERVAL_MS;
        await deleteSpentFailures(db, window);
      }
      if (accountCount > accountFailures || clientCount > clientFailures) return { admitted: false, retryAfterSeconds: lockoutSeconds };
      return {
        admitted: true,
        async settle(outcome) {
          if (outcome === 'failed') return;
          if (outcome === 'succeeded') await clearFailures(db, accountKey);
          else await uncountFailure(db, accountKey, accountFailures);
          await uncountFailure(db, clientKey, clientFailures);
        },
      };
    },
  };
}

export type SignInThrottle = ReturnType<typeof signInThrottle>;
