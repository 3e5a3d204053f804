import type { TypedResponse } from 'hono';
import type { Handlers } from '../../generated/hono.gen.ts';
import { currentUser, type AppDependencies, type AppEnv } from '../app-env.ts';
import { instanceOf, problem, respondWithProblem } from '../problem.ts';
import { orderNotFoundProblem } from './order-handlers.ts';

type OrderTrackingHandlers = Pick<Handlers<AppEnv>, 'watchOrder'>;

/** How long a client refused for want of room should wait before trying again, in seconds. */
const RETRY_WHEN_FULL_SECONDS = 5;

/** `GET /orders/{orderId}/events`: the order's status as Server-Sent Events (see `order-tracking.ts`). */
export function createOrderTrackingHandlers({ orderTracking }: AppDependencies): OrderTrackingHandlers {
  return {
    watchOrder: async (c) => {
      const { orderId } = c.req.valid('param');
      const opened = await orderTracking.open(currentUser(c), orderId, c.req.valid('header')['last-event-id'], c.get('logger'));
      if (!opened.ok) {
        const instance = instanceOf(c);
        if (opened.reason === 'not-found') return respondWithProblem(c, orderNotFoundProblem(orderId, instance));
        // Resumed after the final status: no stream, and a 204, on which EventSource stops reconnecting.
        if (opened.reason === 'finished') return c.body(null, 204, { 'Cache-Control': 'no-store' });
        c.header('Retry-After', String(RETRY_WHEN_FULL_SECONDS));
        const detail =
          opened.reason === 'shutting-down'
            ? 'This server is shutting down; reconnect to follow the order.'
            : 'This server is following as many orders as it can; try again shortly, or poll GET /orders/{orderId} with If-None-Match.';
        return respondWithProblem(c, problem({ type: 'service-unavailable', detail, instance }));
      }
      // `X-Accel-Buffering: no` keeps nginx from holding events back; the compression middleware leaves
      // `text/event-stream` alone, so each event leaves as soon as it is written.
      return c.body(opened.body, 200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        'X-Accel-Buffering': 'no',
      }) as unknown as Response & TypedResponse<string, 200, 'text'>;
    },
  };
}
