import type { Kysely } from 'kysely';
import type { AuthenticatedUser } from '../app-env.ts';
import type { Database, Role } from '../db/tables.ts';

/** What decides whether an account's access tokens still work. */
export interface AccountStanding {
  role: Role;
  tokenVersion: number;
  disabled: boolean;
}

/** Reads an account's standing; `undefined` when there is no such account. */
export type StandingReader = (userId: string) => Promise<AccountStanding | undefined>;

export interface AccountAccess {
  /**
   * Whether the token's holder may still act: the account exists, is not disabled, still has the role the token
   * names, and the token carries the account's current version. At most `maxAgeMs` old.
   */
  allows(user: AuthenticatedUser): boolean | Promise<boolean>;
  /** Drops what this instance remembers about the account, after this instance changed it. */
  forget(userId: string): void;
}

/** The standing of an account, read from the database. */
export function standingFromDatabase(db: Kysely<Database>): StandingReader {
  return async (userId) => {
    const row = await db.selectFrom('users').select(['role', 'token_version', 'disabled_at']).where('id', '=', userId).executeTakeFirst();
    return row && { role: row.role, tokenVersion: row.token_version, disabled: row.disabled_at !== null };
  };
}

/**
 * Access tokens stay stateless JWTs that any instance verifies alone; this adds the one thing a signature cannot
 * tell, whether the account still stands as it did when the token was issued. Each instance remembers each
 * account's standing for `maxAgeMs` (a map lookup per request; one indexed read per account and interval),
 * so an account that is disabled, loses a role or changes its password loses access on every instance within
 * that time. Concurrent requests of one account share one read. At most `capacity` accounts are remembered.
 */
export function accountAccess(read: StandingReader, options: { maxAgeMs: number; capacity?: number }): AccountAccess {
  const { maxAgeMs, capacity = 50_000 } = options;
  const known = new Map<string, { readAt: number; pending: Promise<AccountStanding | undefined>; settled?: { standing: AccountStanding | undefined } }>();

  const permits = (user: AuthenticatedUser, standing: AccountStanding | undefined) =>
    standing !== undefined && !standing.disabled && standing.role === user.role && standing.tokenVersion === user.tokenVersion;

  return {
    allows(user) {
      const now = Date.now();
      let entry = known.get(user.id);
      if (!entry || now - entry.readAt >= maxAgeMs) {
        if (!entry && known.size >= capacity) known.delete(known.keys().next().value!);
        const pending = read(user.id);
        const fresh: NonNullable<typeof entry> = { readAt: now, pending };
        known.set(user.id, fresh);
        pending.then(
          (standing) => (fresh.settled = { standing }),
          // A failed read is not remembered: the next request reads again.
          () => known.get(user.id) === fresh && known.delete(user.id),
        );
        entry = fresh;
      }
      // The common case answers without waiting: the standing was read before, within maxAgeMs.
      if (entry.settled) return permits(user, entry.settled.standing);
      return entry.pending.then((standing) => permits(user, standing));
    },
    forget(userId) {
      known.delete(userId);
    },
  };
}
