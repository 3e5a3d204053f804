import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../app-env.ts';
import { operationOf } from '../http/operations.ts';
import { problem, problemMediaType } from '../problem.ts';

export interface ResponseValidationOptions {
  /** @default true */
  enabled?: boolean;
}

interface DeclaredResponse {
  content?: Record<string, { schema?: z.ZodType }>;
}

/** What is wrong with a response of an operation, or undefined when it keeps to the contract. */
async function findViolation(response: Response, declared: DeclaredResponse | undefined): Promise<string | undefined> {
  if (!declared) return `status ${response.status} is not declared`;
  const mediaType = response.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase();
  const content = declared.content ?? {};
  if (Object.keys(content).length === 0) {
    return mediaType === undefined || response.body === null ? undefined : `status ${response.status} declares no body but one was sent`;
  }
  const schema = mediaType === undefined ? undefined : content[mediaType]?.schema;
  if (!schema) return `status ${response.status} does not declare the media type ${mediaType ?? '(none)'}`;
  // An event stream ends when the order does, minutes later: reading it here would hold back every event.
  if (mediaType === 'text/event-stream') return undefined;
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return 'the body is not JSON';
  }
  const result = schema.safeParse(body);
  if (result.success) return undefined;
  return result.error.issues.map((issue) => `/${issue.path.join('/')}: ${issue.message}`).join('; ');
}

/**
 * Development and test guard: checks every answer of a contract operation against the status,
 * media type and schema the contract declares. A breach is logged and turned into
 * `500 response-contract-violation`, so a test that provokes it fails loudly.
 */
export function responseValidation(options: ResponseValidationOptions = {}): MiddlewareHandler<AppEnv> {
  const { enabled = true } = options;
  return async function responseValidationMiddleware(c, next) {
    await next();
    if (!enabled) return;
    const operation = operationOf(c);
    if (!operation) return;
    const declared = operation.route.responses[c.res.status] as DeclaredResponse | undefined;
    const violation = await findViolation(c.res, declared);
    if (violation === undefined) return;
    c.get('logger').error({ operationId: operation.id, status: c.res.status, violation }, 'response breaks the contract');
    const body = problem({
      type: 'response-contract-violation',
      detail: `The ${c.res.status} response of ${operation.id} does not match the contract: ${violation}`.slice(0, 2000),
      instance: c.req.path,
    });
    c.res = undefined;
    c.res = new Response(JSON.stringify(body), { status: 500, headers: { 'Content-Type': problemMediaType } });
  };
}
