import type { Handlers } from '../../generated/hono.gen.ts';
import { currentUser, type AppDependencies, type AppEnv } from '../app-env.ts';
import { problem, respondWithProblem } from '../problem.ts';
import { getAccount, issueToken, registerCustomer } from './account-service.ts';

export function createAccountHandlers(deps: AppDependencies): Pick<Handlers<AppEnv>, 'registerCustomer' | 'issueToken' | 'getMe'> {
  const { db, config } = deps;
  return {
    registerCustomer: async (c) => {
      const result = await registerCustomer(db, c.req.valid('json'));
      if (!result.ok) {
        return respondWithProblem(
          c,
          problem({
            type: 'email-taken',
            detail: `There is already an account for ${result.email}.`,
            instance: c.req.path,
          }),
        );
      }
      return c.json(result.account, 201, { Location: '/me' });
    },
    issueToken: async (c) => {
      const result = await issueToken(db, config.jwt, c.req.valid('json'));
      if (!result.ok) {
        c.header('WWW-Authenticate', 'Bearer realm="pizza-place"');
        return respondWithProblem(
          c,
          problem({
            type: 'invalid-credentials',
            detail: 'The email or password is wrong.',
            instance: c.req.path,
          }),
        );
      }
      return c.json(result.token, 200, { 'Cache-Control': 'no-store' });
    },
    getMe: async (c) => {
      const account = await getAccount(db, currentUser(c).id);
      if (!account) {
        c.header('WWW-Authenticate', 'Bearer realm="pizza-place", error="invalid_token"');
        return respondWithProblem(
          c,
          problem({ type: 'unauthorized', detail: 'The account of this access token no longer exists.', instance: c.req.path }),
        );
      }
      return c.json(account, 200);
    },
  };
}
