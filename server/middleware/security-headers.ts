import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { setResponseHeader } from '../http/response-headers.ts';

export interface SecurityHeadersOptions {
  /** Headers to send besides, or instead of, the defaults (Hono's `secureHeaders` defaults). */
  headers?: Readonly<Record<string, string>>;
}

const defaultHeaders: Readonly<Record<string, string>> = {
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

/**
 * The same security headers on every response, as Hono's `secureHeaders()` sends them by default; the list
 * is fixed once, where `secureHeaders` works it out and sets it on a web `Headers` per request.
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler<AppEnv> {
  const headers = Object.entries({ ...defaultHeaders, ...options.headers });
  return async function securityHeadersMiddleware(c, next) {
    await next();
    for (const [name, value] of headers) setResponseHeader(c, name, value);
  };
}
