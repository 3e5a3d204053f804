import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from '../app-env.ts';

export interface RequestLoggerOptions {
  logger: Logger;
  /** Milliseconds since some fixed point. @default performance.now */
  now?: () => number;
}

/**
 * Gives each request a child logger carrying its id (`c.var.logger`) and writes one line when it is
 * answered: method, path (never the query, which may carry secrets), status, duration, client address
 * (`c.var.clientAddress`), request id.
 * Headers and bodies are never logged.
 */
export function requestLogger(options: RequestLoggerOptions): MiddlewareHandler<AppEnv> {
  const { logger, now = () => performance.now() } = options;
  return async function requestLoggerMiddleware(c, next) {
    const started = now();
    const requestLog = logger.child({ requestId: c.get('requestId') });
    c.set('logger', requestLog);
    await next();
    const status = c.res.status;
    const line = { method: c.req.method, path: c.req.path, status, durationMs: Math.round((now() - started) * 10) / 10, client: c.get('clientAddress') };
    if (status >= 500) requestLog.error(line, 'request failed');
    else requestLog.info(line, 'request');
  };
}
