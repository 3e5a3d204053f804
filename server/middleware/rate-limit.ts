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
  /** Tells clients apart. @default `c.var.clientAddress` (see the `clientAddress` middleware) */
  clientKey?: (c: Context<AppEnv>) => string;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Fixed-window rate limiting per client and policy, with the IETF `RateLimit-Policy` / `RateLimit`
 * headers on every limited response and `429 rate-limited` plus `Retry-After` once a quota is used up.
 * Only operations whose contract declares a 429 are limited (the health checks are not).
 *
 * The windows live in this process's memory: several instances behind a load balancer each keep
 * their own, so a client's real quota is the limit times the number of instances. (Sign-in failures, which
 * matter more, are counted in the database: see `sign-in-throttle.ts`.)
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const { policy: defaultPolicy, operationPolicies = {}, clientKey = (c) => c.get('clientAddress'), now = Date.now } = options;
  // Policies with the same name count together, so each name has one map of windows per client.
  const windowsByPolicyName = new Map<string, Map<string, Window>>();
  const prepare = (policy: RateLimitPolicy) => {
    const windowSeconds = policy.windowSeconds ?? 60;
    let windows = windowsByPolicyName.get(policy.name);
    if (!windows) windowsByPolicyName.set(policy.name, (windows = new Map()));
    return { ...policy, windowSeconds, windowMs: windowSeconds * 1000, windows, policyHeader: `"${policy.name}";q=${policy.limit};w=${windowSeconds}` };
  };
  const preparedDefault = prepare(defaultPolicy);
  const preparedByOperation = new Map(
    Object.entries(operationPolicies).flatMap(([id, policy]) => (policy ? [[id, prepare(policy)] as const] : [])),
  );
  const longestWindowMs = Math.max(preparedDefault.windowMs, ...[...preparedByOperation.values()].map((policy) => policy.windowMs));
  let nextSweep = 0;

  function sweep(at: number) {
    if (at < nextSweep) return;
    for (const windows of windowsByPolicyName.values()) {
      for (const [key, window] of windows) if (window.startedAt + longestWindowMs <= at) windows.delete(key);
    }
    nextSweep = at + longestWindowMs;
  }

  return async function rateLimitMiddleware(c, next) {
    const operation = operationOf(c);
    if (!operation || !(429 in operation.route.responses)) return next();
    const policy = preparedByOperation.get(operation.id) ?? preparedDefault;
    const { windowMs, windows } = policy;
    const at = now();
    sweep(at);
    const client = clientKey(c);
    let window = windows.get(client);
    if (!window || window.startedAt + windowMs <= at) {
      window = { startedAt: at, count: 0 };
      windows.set(client, window);
    }
    window.count += 1;
    const resetSeconds = Math.max(1, Math.ceil((window.startedAt + windowMs - at) / 1000));
    const remaining = Math.max(0, policy.limit - window.count);
    const quotaHeader = `"${policy.name}";r=${remaining};t=${resetSeconds}`;
    if (window.count > policy.limit) {
      c.header('Retry-After', String(resetSeconds));
      c.header('RateLimit-Policy', policy.policyHeader);
      c.header('RateLimit', quotaHeader);
      return respondWithProblem(
        c,
        problem({
          type: 'rate-limited',
          detail: `The quota of ${policy.limit} requests per ${policy.windowSeconds} seconds is used up; try again in ${resetSeconds} seconds.`,
          instance: c.req.path,
        }),
      );
    }
    await next();
    setResponseHeader(c, 'RateLimit-Policy', policy.policyHeader);
    setResponseHeader(c, 'RateLimit', quotaHeader);
  };
}
