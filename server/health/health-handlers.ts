import type { Handlers } from '../../generated/hono.gen.ts';
import type { AppDependencies, AppEnv } from '../app-env.ts';
import { problem, respondWithProblem } from '../problem.ts';
import { pingDatabase } from './health-repository.ts';

/** Seconds a load balancer should wait before asking again when the database is down. */
const RETRY_AFTER_SECONDS = 5;

export function createHealthHandlers(deps: AppDependencies): Pick<Handlers<AppEnv>, 'checkLiveness' | 'checkReadiness'> {
  const { db } = deps;
  return {
    checkLiveness: (c) => c.json({ status: 'ok' as const }, 200),
    checkReadiness: async (c) => {
      try {
        await pingDatabase(db);
      } catch (error) {
        c.get('logger').warn({ err: error }, 'readiness check: the database does not answer');
        c.header('Retry-After', String(RETRY_AFTER_SECONDS));
        return respondWithProblem(
          c,
          problem({
            type: 'service-unavailable',
            detail: 'The database is not reachable.',
            instance: c.req.path,
          }),
        );
      }
      return c.json({ status: 'ready' as const, checks: { database: 'ok' as const } }, 200);
    },
  };
}
