import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { setResponseHeader } from '../http/response-headers.ts';

export interface CorsOptions {
  /** Origins whose scripts may call the API, e.g. `https://shop.example`. */
  origins: ReadonlyArray<string>;
  /** @default ['GET', 'POST', 'PATCH', 'DELETE'] */
  allowMethods?: ReadonlyArray<string>;
  /** Request headers a script may send. @default [] */
  allowHeaders?: ReadonlyArray<string>;
  /** Response headers a script may read. @default [] */
  exposeHeaders?: ReadonlyArray<string>;
  /** How long a browser may keep a preflight's answer. @default 600 */
  maxAgeSeconds?: number;
}

/**
 * CORS for the origins on the list: every `OPTIONS` request is answered as a preflight (204), and other
 * responses name the caller's origin in `Access-Control-Allow-Origin` when it is on the list. Responses
 * always say `Vary: Origin`, since what they allow depends on it.
 *
 * Written for the hot path rather than taken from `hono/cors`, which touches `c.res` before the handler runs
 * and sets a header through `c.header` after it; both make Hono copy the response, and with
 * `@hono/node-server` that turns its lightweight response into a full web Response on every request.
 */
export function cors(options: CorsOptions): MiddlewareHandler<AppEnv> {
  const { allowMethods = ['GET', 'POST', 'PATCH', 'DELETE'], allowHeaders = [], exposeHeaders = [], maxAgeSeconds = 600 } = options;
  const origins = new Set(options.origins);
  const exposed = exposeHeaders.join(',');
  const preflightHeaders: Record<string, string> = {
    'Access-Control-Allow-Methods': allowMethods.join(','),
    ...(allowHeaders.length > 0 && { 'Access-Control-Allow-Headers': allowHeaders.join(',') }),
    'Access-Control-Expose-Headers': exposed,
    'Access-Control-Max-Age': String(maxAgeSeconds),
    Vary: 'Origin, Access-Control-Request-Headers',
  };

  return async function corsMiddleware(c, next) {
    const origin = c.req.header('Origin');
    const allowedOrigin = origin !== undefined && origins.has(origin) ? origin : undefined;
    if (c.req.method === 'OPTIONS') {
      return c.body(null, 204, allowedOrigin === undefined ? preflightHeaders : { ...preflightHeaders, 'Access-Control-Allow-Origin': allowedOrigin });
    }
    await next();
    if (allowedOrigin !== undefined) setResponseHeader(c, 'Access-Control-Allow-Origin', allowedOrigin);
    setResponseHeader(c, 'Access-Control-Expose-Headers', exposed);
    // On the response itself: compression appends to Vary too.
    c.res.headers.append('Vary', 'Origin');
  };
}
