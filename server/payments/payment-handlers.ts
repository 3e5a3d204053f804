import type { Handlers } from '../../generated/hono.gen.ts';
import { currentUser, type AppDependencies, type AppEnv } from '../app-env.ts';
import { idempotencyKeyReusedProblem, orderNotFoundProblem, replayedHeader } from '../orders/order-handlers.ts';
import { problem, respondWithProblem } from '../problem.ts';
import { createTestModePaymentProvider, type PaymentProvider } from './payment-provider.ts';
import { listOrderPayments, payOrder } from './payment-service.ts';

type PaymentHandlers = Pick<Handlers<AppEnv>, 'payOrder' | 'listOrderPayments'>;

const declineDetails = {
  'card-declined': 'The card was declined. Nothing was charged; try another card.',
  'insufficient-funds': 'The card has insufficient funds. Nothing was charged; try another card.',
} as const;

/** The Payments operations; cards are charged through `provider` (by default the test-mode fake). */
export function createPaymentHandlers({ db, changes }: AppDependencies, provider: PaymentProvider = createTestModePaymentProvider()): PaymentHandlers {
  return {
    payOrder: async (c) => {
      const { orderId } = c.req.valid('param');
      const instance = new URL(c.req.url).pathname;
      const result = await payOrder(db, provider, currentUser(c), orderId, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      if (result.ok) {
        if (!result.replayed) {
          changes.orderChanged(orderId);
          changes.eventsRecorded();
        }
        return c.json(result.response.body, 201, result.replayed ? replayedHeader : {});
      }
      switch (result.reason) {
        case 'idempotency-key-reused':
          return respondWithProblem(c, idempotencyKeyReusedProblem(instance));
        case 'order-not-found':
          return respondWithProblem(c, orderNotFoundProblem(orderId, instance));
        case 'order-already-paid':
          return respondWithProblem(
            c,
            problem({ type: 'order-already-paid', detail: `Order ${orderId} has already been paid.`, instance }),
          );
        case 'order-cancelled':
          return respondWithProblem(
            c,
            problem({ type: 'order-cancelled', detail: `Order ${orderId} has been cancelled and cannot be paid.`, instance }),
          );
        case 'declined':
          return respondWithProblem(
            c,
            problem({ type: 'payment-declined', detail: declineDetails[result.decline], instance }),
          );
        case 'unknown-token':
          return respondWithProblem(
            c,
            problem({
              type: 'unknown-payment-method',
              detail: 'The payment method token is not one the card processor issued.',
              instance,
              errors: [{ pointer: '/body/paymentMethodToken', detail: 'Must be a token from the card form (in test mode tok_visa or tok_mastercard).' }],
            }),
          );
      }
    },

    listOrderPayments: async (c) => {
      const { orderId } = c.req.valid('param');
      const payments = await listOrderPayments(db, currentUser(c), orderId);
      if (!payments) return respondWithProblem(c, orderNotFoundProblem(orderId, new URL(c.req.url).pathname));
      return c.json({ data: payments }, 200);
    },
  };
}
