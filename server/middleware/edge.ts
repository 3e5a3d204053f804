import type { HttpBindings } from '@hono/node-server';
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from '../app-env.ts';
import { clientAddressOf, type TrustProxyConfig } from '../http/client-address.ts';
import { operationOf } from '../http/operations.ts';

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

export interface EdgeOptions {
  logger: Logger;
  cors: CorsOptions;
  /** The proxies whose forwarding header is believed. @default null: none, the header is ignored */
  trustProxy?: TrustProxyConfig | null;
  /** Headers to send besides, or instead of, the default security headers. */
  securityHeaders?: Readonly<Record<string, string>>;
  /** Makes a request id when the request brings no acceptable one. @default `req_` + a random UUID without dashes */
  generateRequestId?: () => string;
  /** Milliseconds since some fixed point, for the logged duration. @default performance.now */
  now?: () => number;
}

/** The same security headers on every response, as Hono's `secureHeaders()` sends them by default. */
const defaultSecurityHeaders: Readonly<Record<string, string>> = {
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=15552000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'SAMEORIGIN',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};

/** Incoming request ids kept as they are: the contract's pattern. Anything else is replaced. */
const acceptableRequestId = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Everything every request gets, in one pass around the rest of the app (measured: one middleware instead of six
 * saves their closures, awaits and repeated header lookups on every request):
 *
 * - a request id (the caller's `X-Request-Id` when it is sane, else a new one) in `c.var.requestId` and echoed;
 * - who sent it (`c.var.clientAddress`): the connection's peer, or behind trusted proxies the client they report;
 * - a child logger carrying the id (`c.var.logger`), and one line when it is answered: method, path (never the
 *   query, which may carry secrets), status, duration, client address. Headers and bodies are never logged;
 * - CORS for the origins on the list: every `OPTIONS` request is answered as a preflight (204), and other
 *   responses name the caller's origin in `Access-Control-Allow-Origin` when it is on the list, and always say
 *   `Vary: Origin`, since what they allow depends on it;
 * - the security headers, and `Cache-Control: no-store` on every answer that is somebody's own: any operation the
 *   contract secures and any public operation that is not a read (signing in, registering), errors included, so
 *   that no browser or shared cache keeps a token, an order or an account. Public reads keep their handler's caching.
 *
 * The fixed headers (security, `Access-Control-Expose-Headers`) are one list made once per process and written
 * straight to Node's response, never through `c.header` or `c.res` before the handler runs: with
 * `@hono/node-server` either makes Hono copy its lightweight response into a full web Response.
 */
export function edge(options: EdgeOptions): MiddlewareHandler<AppEnv> {
  const { logger, trustProxy = null, generateRequestId = () => `req_${randomUUID().replaceAll('-', '')}`, now = () => performance.now() } = options;
  const { allowMethods = ['GET', 'POST', 'PATCH', 'DELETE'], allowHeaders = [], exposeHeaders = [], maxAgeSeconds = 600 } = options.cors;
  const origins = new Set(options.cors.origins);
  const forwardedHeader = trustProxy?.header;
  const fixedHeaders: ReadonlyArray<readonly [string, string]> = Object.entries({
    ...defaultSecurityHeaders,
    ...options.securityHeaders,
    'Access-Control-Expose-Headers': exposeHeaders.join(','),
  });
  const preflightHeaders: Record<string, string> = {
    'Access-Control-Allow-Methods': allowMethods.join(','),
    ...(allowHeaders.length > 0 && { 'Access-Control-Allow-Headers': allowHeaders.join(',') }),
    'Access-Control-Max-Age': String(maxAgeSeconds),
    Vary: 'Origin, Access-Control-Request-Headers',
  };

  return async function edgeMiddleware(c, next) {
    const started = now();
    const incoming = c.req.header('X-Request-Id');
    const requestId = incoming !== undefined && acceptableRequestId.test(incoming) ? incoming : generateRequestId();
    const node = (c.env as Partial<HttpBindings> | undefined)?.incoming;
    const client = clientAddressOf(node?.socket?.remoteAddress, forwardedHeader === undefined ? undefined : c.req.header(forwardedHeader), trustProxy);
    const requestLog = logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('clientAddress', client);
    c.set('logger', requestLog);
    const origin = c.req.header('Origin');
    const allowedOrigin = origin !== undefined && origins.has(origin) ? origin : undefined;

    if (c.req.method === 'OPTIONS') {
      c.res = c.body(null, 204, allowedOrigin === undefined ? preflightHeaders : { ...preflightHeaders, 'Access-Control-Allow-Origin': allowedOrigin });
    } else {
      await next();
      // On the response itself: compression appends to Vary too.
      c.res.headers.append('Vary', 'Origin');
      const operation = operationOf(c);
      if (operation && (operation.access.kind !== 'public' || (operation.method !== 'GET' && operation.method !== 'HEAD'))) {
        c.res.headers.set('Cache-Control', 'no-store');
      }
    }

    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    const set = outgoing ? (name: string, value: string) => outgoing.setHeader(name, value) : (name: string, value: string) => c.res.headers.set(name, value);
    for (const [name, value] of fixedHeaders) set(name, value);
    if (allowedOrigin !== undefined) set('Access-Control-Allow-Origin', allowedOrigin);
    set('X-Request-Id', requestId);

    const status = c.res.status;
    const line = { method: c.req.method, path: c.req.path, status, durationMs: Math.round((now() - started) * 10) / 10, client };
    if (status >= 500) requestLog.error(line, 'request failed');
    else requestLog.info(line, 'request');
  };
}
