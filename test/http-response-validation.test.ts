import { OpenAPIHono } from '@hono/zod-openapi';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { checkLivenessRoute } from '../generated/hono.gen.ts';
import type { AppEnv } from '../server/app-env.ts';
import { responseValidation } from '../server/middleware/response-validation.ts';

/** An app with the contract's liveness route answered by `handler`, which may break the contract. */
function appAnswering(handler: (c: { json: (body: unknown, status: number) => Response; body: (body: null, status: number) => Response }) => Response, enabled = true) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(async (c, next) => {
    c.set('logger', pino({ level: 'silent' }));
    await next();
  });
  app.use(responseValidation({ enabled }));
  app.openapi(checkLivenessRoute, handler as never);
  return app;
}

async function expectContractViolation(response: Response) {
  expect(response.status).toBe(500);
  expect(response.headers.get('Content-Type')).toBe('application/problem+json');
  expect(await response.json()).toMatchObject({ type: 'https://pizza-place.example/problems/response-contract-violation', status: 500 });
}

describe('response validation', () => {
  it('lets a response that keeps to the contract through', async () => {
    const response = await appAnswering((c) => c.json({ status: 'ok' }, 200)).request('/health/live');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('turns a body that breaks the declared schema into 500 response-contract-violation', async () => {
    await expectContractViolation(await appAnswering((c) => c.json({ status: 'fine' }, 200)).request('/health/live'));
  });

  it('turns a status the operation does not declare into 500 response-contract-violation', async () => {
    await expectContractViolation(await appAnswering((c) => c.json({ status: 'ok' }, 201)).request('/health/live'));
  });

  it('turns a media type the status does not declare into 500 response-contract-violation', async () => {
    await expectContractViolation(await appAnswering((c) => c.body(null, 200)).request('/health/live'));
  });

  it('checks nothing when turned off, as in production', async () => {
    const response = await appAnswering((c) => c.json({ status: 'fine' }, 200), false).request('/health/live');
    expect(response.status).toBe(200);
  });
});
