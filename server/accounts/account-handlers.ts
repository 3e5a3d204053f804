import type { Handlers } from '../../generated/hono.gen.ts';
import { currentUser, type AppDependencies, type AppEnv } from '../app-env.ts';
import type { AccountAccess } from '../auth/account-access.ts';
import { instanceOf, problem, respondWithProblem } from '../problem.ts';
import { changePassword, getAccount, issueToken, registerCustomer } from './account-service.ts';
import { refreshSession, revokeSession } from './session-service.ts';

type AccountHandlers = Pick<Handlers<AppEnv>, 'registerCustomer' | 'issueToken' | 'refreshToken' | 'revokeToken' | 'getMe' | 'changePassword'>;

const noStore = { 'Cache-Control': 'no-store' } as const;

/** The Accounts operations; `access` is told about accounts this instance changed, so it does not wait to notice. */
export function createAccountHandlers(deps: AppDependencies, access: AccountAccess): AccountHandlers {
  const { db, config } = deps;
  return {
    registerCustomer: async (c) => {
      const result = await registerCustomer(db, c.req.valid('json'));
      if (!result.ok) {
        return respondWithProblem(c, problem({ type: 'email-taken', detail: `There is already an account for ${result.email}.`, instance: instanceOf(c) }));
      }
      return c.json(result.account, 201, { Location: '/me' });
    },

    issueToken: async (c) => {
      const result = await issueToken(db, config, c.req.valid('json'));
      if (!result.ok) {
        c.header('WWW-Authenticate', 'Bearer realm="pizza-place"');
        return respondWithProblem(c, problem({ type: 'invalid-credentials', detail: 'The email or password is wrong.', instance: instanceOf(c) }));
      }
      return c.json(result.token, 200, noStore);
    },

    refreshToken: async (c) => {
      const result = await refreshSession(db, config, c.req.valid('json').refreshToken);
      if (!result.ok) {
        c.header('WWW-Authenticate', 'Bearer realm="pizza-place", error="invalid_token"');
        return respondWithProblem(
          c,
          problem({ type: 'invalid-refresh-token', detail: 'The refresh token is not valid (unknown, expired, used or revoked); sign in again.', instance: instanceOf(c) }),
        );
      }
      return c.json(result.token, 200, noStore);
    },

    revokeToken: async (c) => {
      await revokeSession(db, c.req.valid('json').refreshToken);
      return c.body(null, 204);
    },

    getMe: async (c) => {
      const account = await getAccount(db, currentUser(c).id);
      if (!account) {
        c.header('WWW-Authenticate', 'Bearer realm="pizza-place", error="invalid_token"');
        return respondWithProblem(c, problem({ type: 'unauthorized', detail: 'The account of this access token no longer exists.', instance: instanceOf(c) }));
      }
      return c.json(account, 200);
    },

    changePassword: async (c) => {
      const user = currentUser(c);
      const result = await changePassword(db, config, user, c.req.valid('json'));
      if (result.ok) {
        access.forget(user.id);
        return c.json(result.token, 200, noStore);
      }
      if (result.reason === 'account-gone') {
        c.header('WWW-Authenticate', 'Bearer realm="pizza-place", error="invalid_token"');
        return respondWithProblem(c, problem({ type: 'unauthorized', detail: 'The account of this access token no longer exists.', instance: instanceOf(c) }));
      }
      return respondWithProblem(
        c,
        problem({
          type: 'wrong-password',
          detail: 'The current password is wrong.',
          instance: instanceOf(c),
          errors: [{ pointer: '/body/currentPassword', detail: "Is not the account's password." }],
        }),
      );
    },
  };
}
