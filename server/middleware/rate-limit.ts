import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { operationOf, type OperationId } from '../http/operations.ts';
import { setResponseHeader } from '../http/response-headers.ts';
import { problem, respondWithProblem } from '../problem.ts';

export interface RateLimitPolicy {
  /** The policy's name in the `RateLimit-Policy` and `RateLimit` headers. */
  name: string;
  /** Requests allowed per window. */
  limit: number;
  /** @default 60 */
  windowSeconds?: number;
}

export interface RateLimitOptions {
  /** The policy for every operation whose contract declares a 429 response. */
  policy: RateLimitPolicy;
  /** Stricter policies for particular operations, counted separately. */
  operationPolicies?: Partial<Record<OperationId, RateLimitPolicy>>;
  /** Tells clients apart. @default the connection's remote address */
  clientKey?: (c: Context<AppEnv>) => string;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

interface Window {
  startedAt: number;
  count: number;
}

/** The peer's address from the Node.js server; requests made in-process (`app.request`) share one key. */
function remoteAddress(c: Context<AppEnv>): string {
  const bindings = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return bindings?.incoming?.socket?.remoteAddress ?? 'in-process';
}

/**
 * Fixed-window rate limiting per client and policy, with the IETF `RateLimit-Policy` / `RateLimit`
 * headers on every limited response and `429 rate-limited` plus `Retry-After` once a quota is used up.
 * Only operations whose contract declares a 429 are limited (the health checks are not).
 *
 * The windows live in this process's memory: several instances behind a load balancer each keep
 * their own, so a client's real quota is the limit times the number of instances.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const { policy: defaultPolicy, operationPolicies = {}, clientKey = remoteAddress, now = Date.now } = options;
  const windows = new Map<string, Window>();
  let nextSweep = 0;

  function sweep(at: number, longestWindowMs: number) {
    if (at < nextSweep) return;
    for (const [key, window] of windows) if (window.startedAt + longestWindowMs <= at) windows.delete(key);
    nextSweep = at + longestWindowMs;
  }

  const longestWindowMs =
    Math.max(...[defaultPolicy, ...Object.values(operationPolicies)].map((policy) => policy?.windowSeconds ?? 60)) * 1000;

  return async function rateLimitMiddleware(c, next) {
    const operation = operationOf(c);
    if (!operation || !(429 in operation.route.responses)) return next();
    const policy = operationPolicies[operation.id] ?? defaultPolicy;
    const windowMs = (policy.windowSeconds ?? 60) * 1000;
    const at = now();
    sweep(at, longestWindowMs);
    const key = `${policy.name}\u0000${clientKey(c)}`;
    let window = windows.get(key);
    if (!window || window.startedAt + windowMs <= at) {
      window = { startedAt: at, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    const resetSeconds = Math.max(1, Math.ceil((window.startedAt + windowMs - at) / 1000));
    const remaining = Math.max(0, policy.limit - window.count);
    const headers = {
      'RateLimit-Policy': `"${policy.name}";q=${policy.limit};w=${windowMs / 1000}`,
      RateLimit: `"${policy.name}";r=${remaining};t=${resetSeconds}`,
    };
    if (window.count > policy.limit) {
      c.header('Retry-After', String(resetSeconds));
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
      return respondWithProblem(
        c,
        problem({
          type: 'rate-limited',
          title: 'Too many requests',
          status: 429,
          detail: `The quota of ${policy.limit} requests per ${windowMs / 1000} seconds is used up; try again in ${resetSeconds} seconds.`,
          instance: c.req.path,
        }),
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) setResponseHeader(c, name, value);
  };
}
