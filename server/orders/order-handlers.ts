import type { Context } from 'hono';
import type { Handlers } from '../../generated/hono.gen.ts';
import { currentUser, type AppDependencies, type AppEnv } from '../app-env.ts';
import { representationOf, sendRepresentation } from '../http/etag.ts';
import { invalidCursorProblem } from '../pagination.ts';
import type { PaymentProvider } from '../payments/payment-provider.ts';
import { instanceOf, notFoundProblem, problem, respondWithProblem } from '../problem.ts';
import {
  advanceOrderStatus,
  cancelOrder,
  getOrder,
  listOrders,
  placeOrder,
  quoteOrder,
  type OrderChangeResult,
  type PlaceOrderFailure,
} from './order-service.ts';

type OrderHandlers = Pick<Handlers<AppEnv>, 'placeOrder' | 'quoteOrder' | 'listOrders' | 'getOrder' | 'cancelOrder' | 'advanceOrderStatus'>;

export function orderNotFoundProblem(orderId: string, instance: string) {
  return notFoundProblem(`order ${orderId}`, instance);
}

/** An amount in minor units as a person reads it: `21,600,000.00 USD`. */
function formatCents(cents: number, currency: string): string {
  return `${(cents / 100).toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
}

/** Where an order is read, for the `Location` of the order just placed. */
function orderLocation(orderId: string): string {
  return `/orders/${orderId}`;
}

export const replayedHeader = { 'Idempotent-Replayed': 'true' } as const;

export function idempotencyKeyReusedProblem(instance: string) {
  return problem({
    type: 'idempotency-key-reused',
    detail: 'This Idempotency-Key was already used with a different request.',
    instance,
    errors: [{ pointer: '/header/idempotency-key', detail: 'Already used with a different request; use a new key for a new request.' }],
  });
}

/** The Orders operations. */
export function createOrderHandlers({ db, config, changes }: AppDependencies, paymentProvider: PaymentProvider): OrderHandlers {
  /** Tells this instance's order streams and webhook worker about a committed change to the order. */
  function reportChange(orderId: string) {
    changes.orderChanged(orderId);
    changes.eventsRecorded();
  }

  /** Answers a failed status change: 404 when the caller may not see the order, 409 when it cannot move. */
  function respondWithChangeProblem(c: Context<AppEnv>, result: Exclude<OrderChangeResult, { ok: true }>, orderId: string, target: string) {
    const instance = instanceOf(c);
    if (result.reason === 'not-found') return respondWithProblem(c, orderNotFoundProblem(orderId, instance));
    return respondWithProblem(c, problem({ type: 'invalid-transition', detail: `Order ${orderId} is ${result.status} and cannot move to ${target}.`, instance }));
  }

  /** The 422 for an order that cannot be priced: lines that cannot be made, or a total too large. */
  function unpriceableProblem(result: Extract<PlaceOrderFailure, { reason: 'unorderable' | 'too-large' }>, instance: string) {
    if (result.reason === 'unorderable') {
      return problem({
        type: 'item-unavailable',
        detail: `The order has ${result.errors.length === 1 ? 'a line' : 'lines'} that cannot be made.`,
        instance,
        errors: result.errors,
      });
    }
    return problem({
      type: 'order-too-large',
      detail: `The order would come to ${formatCents(result.totalCents, config.pricing.currency)}, more than the largest order total of ${formatCents(result.largestTotalCents, config.pricing.currency)}; split it into smaller orders.`,
      instance,
      errors: [{ pointer: '/body/lines', detail: 'Order fewer items, or split them over several orders.' }],
    });
  }

  return {
    quoteOrder: async (c) => {
      const result = await quoteOrder(db, config.pricing, c.req.valid('json'));
      if (!result.ok) return respondWithProblem(c, unpriceableProblem(result, instanceOf(c)));
      return c.json(result.quote, 200);
    },

    placeOrder: async (c) => {
      const instance = instanceOf(c);
      const result = await placeOrder(db, config.pricing, currentUser(c), c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      if (result.ok) {
        if (!result.replayed) reportChange(result.response.body.id);
        return c.json(result.response.body, 201, { Location: orderLocation(result.response.body.id), ...(result.replayed && replayedHeader) });
      }
      switch (result.reason) {
        case 'idempotency-key-reused':
          return respondWithProblem(c, idempotencyKeyReusedProblem(instance));
        case 'unorderable':
        case 'too-large':
          return respondWithProblem(c, unpriceableProblem(result, instance));
        case 'out-of-stock':
          return respondWithProblem(
            c,
            problem({
              type: 'out-of-stock',
              detail: `There is not enough ${result.shortages.map((shortage) => shortage.ingredientName).join(', ')} to make this order.`,
              instance,
              shortages: result.shortages,
            }),
          );
      }
    },

    listOrders: async (c) => {
      const page = await listOrders(db, currentUser(c), c.req.valid('query'));
      if (page === 'malformed-cursor') return respondWithProblem(c, invalidCursorProblem(instanceOf(c)));
      return c.json(page, 200);
    },

    getOrder: async (c) => {
      const { orderId } = c.req.valid('param');
      const order = await getOrder(db, currentUser(c), orderId);
      if (!order) return respondWithProblem(c, orderNotFoundProblem(orderId, instanceOf(c)));
      return sendRepresentation(c, representationOf(order), c.req.valid('header')['if-none-match']);
    },

    cancelOrder: async (c) => {
      const { orderId } = c.req.valid('param');
      const result = await cancelOrder(db, paymentProvider, currentUser(c), orderId, c.req.valid('json')?.reason);
      if (result.ok) {
        reportChange(orderId);
        return c.json(result.order, 200);
      }
      if (result.reason === 'payment-in-progress') {
        return respondWithProblem(
          c,
          problem({ type: 'payment-in-progress', detail: `A payment for order ${orderId} is under way; cancel it once it is done.`, instance: instanceOf(c) }),
        );
      }
      return respondWithChangeProblem(c, result, orderId, 'cancelled');
    },

    advanceOrderStatus: async (c) => {
      const { orderId } = c.req.valid('param');
      const { status } = c.req.valid('json');
      const result = await advanceOrderStatus(db, currentUser(c), orderId, status);
      if (result.ok) {
        reportChange(orderId);
        return c.json(result.order, 200);
      }
      return respondWithChangeProblem(c, result, orderId, status);
    },
  };
}
