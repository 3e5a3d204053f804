import type { RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import { routes } from '../../generated/hono.gen.ts';

export type OperationId = keyof typeof routes;

/** Who may call an operation, as its contract `security` says. */
export type Access = { kind: 'public' } | { kind: 'authenticated'; roles: ReadonlyArray<string> };

/** One operation of the contract, with what the middleware needs to know about it. */
export interface Operation {
  id: OperationId;
  /** Upper-case HTTP method. */
  method: string;
  /** The contract's path template, e.g. `/orders/{orderId}`. */
  path: string;
  route: RouteConfig;
  access: Access;
  /** Media types the request body may have; empty when the operation takes no body. */
  requestMediaTypes: ReadonlyArray<string>;
}

function accessOf(route: RouteConfig): Access {
  // An operation without its own `security` falls back to the contract's global bearerAuth.
  const requirements = route.security ?? [{ bearerAuth: [] }];
  if (requirements.length === 0 || requirements.some((requirement) => Object.keys(requirement).length === 0)) {
    return { kind: 'public' };
  }
  return { kind: 'authenticated', roles: requirements.flatMap((requirement) => requirement.bearerAuth ?? []) };
}

function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

const operations: ReadonlyArray<Operation & { pattern: RegExp }> = Object.entries(routes).map(([id, route]: [string, RouteConfig]) => ({
  id: id as OperationId,
  method: route.method.toUpperCase(),
  path: route.path,
  route,
  access: accessOf(route),
  requestMediaTypes: Object.keys(route.request?.body?.content ?? {}),
  pattern: patternOf(route.path),
}));

/**
 * Where a request keeps its operation once looked up (`null`: none). A property on the request rather than a
 * WeakMap entry: several middleware ask per request, and WeakMap entries cost the garbage collector extra work.
 */
const operationOfRequest = Symbol('operation');

/** Each operation under the route Hono registered it as: `GET /orders/:orderId`. */
const operationsByRoute = new Map(operations.map((operation) => [`${operation.method} ${operation.path.replace(/\{(\w+)\}/g, ':$1')}`, operation]));

/**
 * The operation of the route Hono matched for the request of `c` (the last route matched that is not middleware for
 * every method), looked up once however many middleware ask. Hono's own match, not a second one: what the
 * middleware treats as the operation (authentication above all) is always the handler that will answer.
 */
export function operationOf(c: Context): Operation | undefined {
  const request = c.req.raw as Request & { [operationOfRequest]?: Operation | null };
  let operation = request[operationOfRequest];
  if (operation === undefined) request[operationOfRequest] = operation = matchedOperation(c) ?? null;
  return operation ?? undefined;
}

function matchedOperation(c: Context): Operation | undefined {
  const routes = matchedRoutes(c);
  for (let index = routes.length - 1; index >= 0; index--) {
    const { method, path } = routes[index]!;
    if (method === 'ALL') continue;
    const operation = operationsByRoute.get(`${method} ${path}`);
    if (operation) return operation;
  }
  return undefined;
}

/** The methods the contract offers on a path; empty when the path is unknown. */
export function methodsForPath(path: string): Array<string> {
  return [...new Set(operations.filter((operation) => operation.pattern.test(path)).map((operation) => operation.method))];
}
