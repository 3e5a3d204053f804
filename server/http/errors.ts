import type { ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../app-env.ts';
import { problem, respondWithProblem } from '../problem.ts';
import type { ProblemType } from '../problem-types.ts';
import { isDatabaseUnreachable, isTransientDatabaseError } from '../db/dialect.ts';
import { methodsForPath } from './operations.ts';

/** How long a client is asked to wait when the database was too busy: transactions queue for milliseconds. */
const BUSY_RETRY_AFTER_SECONDS = 1;
/** How long a client is asked to wait when the database could not be reached: a restart takes seconds. */
const UNREACHABLE_RETRY_AFTER_SECONDS = 5;

/** `404 not-found` for a path the contract does not have, `405 method-not-allowed` with `Allow` for a method it lacks. */
export const notFound: NotFoundHandler<AppEnv> = (c) => {
  const allowed = methodsForPath(c.req.path);
  if (allowed.length > 0) {
    c.header('Allow', allowed.join(', '));
    return respondWithProblem(
      c,
      problem({
        type: 'method-not-allowed',
        detail: `${c.req.path} does not support ${c.req.method.slice(0, 20)}; use ${allowed.join(', ')}.`,
        instance: c.req.path,
      }),
    );
  }
  return respondWithProblem(
    c,
    problem({ type: 'not-found', detail: `There is nothing at ${c.req.path}.`, instance: c.req.path }),
  );
};

/** The problem type of an `HTTPException` a library throws, by its status; any other status reads as a bad request. */
const typeOfStatus: Partial<Record<number, ProblemType>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  413: 'content-too-large',
  415: 'unsupported-media-type',
};

/**
 * An `HTTPException` keeps its status as a problem; anything else is a bug: logged with its stack under
 * the request id, and answered `500 internal-error` without any detail of the failure.
 */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof HTTPException && error.status < 500) {
    const type = typeOfStatus[error.status] ?? 'malformed-request';
    return respondWithProblem(c, problem({ type, detail: error.message || undefined, instance: c.req.path }));
  }
  const requestId = c.get('requestId');
  if (isTransientDatabaseError(error)) {
    c.get('logger').warn({ err: error }, 'database busy');
    c.header('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
    return respondWithProblem(
      c,
      problem({
        type: 'service-unavailable',
        detail: `The database is too busy to take this request now; try again in ${BUSY_RETRY_AFTER_SECONDS} second(s). Nothing was changed.`,
        instance: c.req.path,
      }),
    );
  }
  if (isDatabaseUnreachable(error)) {
    c.get('logger').warn({ err: error }, 'database unreachable');
    c.header('Retry-After', String(UNREACHABLE_RETRY_AFTER_SECONDS));
    return respondWithProblem(
      c,
      problem({
        type: 'service-unavailable',
        detail: `The database cannot be reached now; try again in ${UNREACHABLE_RETRY_AFTER_SECONDS} seconds. A request with an Idempotency-Key can be sent again as it was.`,
        instance: c.req.path,
      }),
    );
  }
  c.get('logger').error({ err: error }, 'unexpected error');
  return respondWithProblem(
    c,
    problem({
      type: 'internal-error',
      detail: `Something went wrong on our side. Quote request id ${requestId} when reporting it.`,
      instance: c.req.path,
    }),
  );
};
