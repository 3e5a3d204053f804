import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { operationOf } from '../http/operations.ts';

export interface PrivateAnswersOptions {
  /** @default 'no-store' */
  cacheControl?: string;
}

/**
 * `Cache-Control: no-store` on every answer that is somebody's own: any operation the contract secures (the
 * caller's account, orders, payments, webhook subscriptions, an order's event stream) and any public operation
 * that is not a read (signing in, registering), errors included, so that no browser or shared cache keeps a token,
 * an order or an account. Public reads (the menu, health) keep whatever caching their handler chose.
 */
export function privateAnswers(options: PrivateAnswersOptions = {}): MiddlewareHandler<AppEnv> {
  const { cacheControl = 'no-store' } = options;
  return async function privateAnswersMiddleware(c, next) {
    await next();
    const operation = operationOf(c);
    if (!operation) return;
    if (operation.access.kind === 'public' && (operation.method === 'GET' || operation.method === 'HEAD')) return;
    c.res.headers.set('Cache-Control', cacheControl);
  };
}
