import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { setResponseHeader } from '../http/response-headers.ts';

export interface RequestIdOptions {
  /** @default 'X-Request-Id' */
  headerName?: string;
  /** Makes the id when the request brings no acceptable one. @default `req_` + a random UUID without dashes */
  generate?: () => string;
  /** Which incoming ids to keep; anything else is replaced. @default the contract's pattern, `^[A-Za-z0-9._-]{8,128}$` */
  accept?: RegExp;
}

/** Gives every request an id (the caller's, when it is sane), sets `c.var.requestId` and echoes it in the response. */
export function requestId(options: RequestIdOptions = {}): MiddlewareHandler<AppEnv> {
  const {
    headerName = 'X-Request-Id',
    generate = () => `req_${randomUUID().replaceAll('-', '')}`,
    accept = /^[A-Za-z0-9._-]{8,128}$/,
  } = options;
  return async function requestIdMiddleware(c, next) {
    const incoming = c.req.header(headerName);
    const id = incoming !== undefined && accept.test(incoming) ? incoming : generate();
    c.set('requestId', id);
    await next();
    setResponseHeader(c, headerName, id);
  };
}
