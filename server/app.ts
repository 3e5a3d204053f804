import { OpenAPIHono } from '@hono/zod-openapi';
import { registerHandlers } from '../generated/hono.gen.ts';
import { createAccountHandlers } from './accounts/account-handlers.ts';
import type { AppDependencies, AppEnv } from './app-env.ts';
import { accountAccess, standingFromDatabase } from './auth/account-access.ts';
import { createHealthHandlers } from './health/health-handlers.ts';
import { apiReference } from './http/api-reference.ts';
import { notFound, onError } from './http/errors.ts';
import { loadOpenApiDocument } from './http/openapi-document.ts';
import { createInventoryHandlers } from './inventory/inventory-handlers.ts';
import { createMenuHandlers } from './menu/menu-handlers.ts';
import { authenticate } from './middleware/authenticate.ts';
import { compression } from './middleware/compression.ts';
import { edge } from './middleware/edge.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { bodyLimit, requestBody } from './middleware/request-body.ts';
import { responseValidation } from './middleware/response-validation.ts';
import { signInThrottle } from './middleware/sign-in-throttle.ts';
import { createOrderHandlers } from './orders/order-handlers.ts';
import { createOrderTrackingHandlers } from './orders/order-tracking-handlers.ts';
import { createPaymentHandlers } from './payments/payment-handlers.ts';
import { paymentProviderFor } from './payments/payment-provider.ts';
import { validationHook } from './problem.ts';
import { createWebhookHandlers } from './webhooks/webhook-handlers.ts';

/** Response headers a browser script may read. */
const exposedHeaders = ['X-Request-Id', 'ETag', 'Location', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'Deprecation', 'Sunset'];

/**
 * The Pizza Place API: every operation of the contract behind the server's middleware, plus
 * `/openapi.json` and the `/docs` reference page. What tests import; `index.ts` serves it.
 */
export function createApp(deps: AppDependencies): OpenAPIHono<AppEnv> {
  const { config, logger } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const access = accountAccess(standingFromDatabase(deps.db), { maxAgeMs: config.sessions.accountCheckIntervalMs });
  const paymentProvider = deps.paymentProvider ?? paymentProviderFor(config.payments);

  app.use(
    edge({
      logger,
      trustProxy: config.trustProxy,
      cors: {
        origins: config.corsOrigins,
        allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match', 'Last-Event-ID', 'X-Request-Id'],
        exposeHeaders: exposedHeaders,
        maxAgeSeconds: 600,
      },
    }),
  );
  app.use(bodyLimit({ maxBytes: config.bodyLimitBytes }));
  app.use(requestBody());
  app.use(compression());
  app.use(
    rateLimit({
      policy: { name: 'default', limit: config.rateLimit.perMinute },
      operationPolicies: Object.fromEntries(
        (['issueToken', 'refreshToken', 'changePassword'] as const).map((id) => [id, { name: 'token', limit: config.rateLimit.tokenPerMinute }]),
      ),
    }),
  );
  app.use(authenticate({ jwt: config.jwt, access }));
  app.use(responseValidation({ enabled: config.responseValidation }));
  app.use(signInThrottle({ db: deps.db, limits: config.signIn }));

  registerHandlers(app, {
    ...createHealthHandlers(deps),
    ...createAccountHandlers(deps, access),
    ...createMenuHandlers(deps),
    ...createInventoryHandlers(deps),
    ...createOrderHandlers(deps, paymentProvider),
    ...createOrderTrackingHandlers(deps),
    ...createPaymentHandlers(deps, paymentProvider),
    ...createWebhookHandlers(deps),
  });

  const openApiDocument = loadOpenApiDocument();
  app.get('/openapi.json', (c) =>
    c.body(openApiDocument, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' }),
  );
  const docs = apiReference({ specUrl: '/openapi.json', scriptUrl: '/docs/scalar.js', pageTitle: 'Pizza Place API' });
  app.get('/docs', docs.pageHandler);
  app.get('/docs/scalar.js', docs.scriptHandler);

  app.notFound(notFound);
  app.onError(onError);
  return app;
}
