import type { Handlers } from '../../generated/hono.gen.ts';
import { currentUser, type AppDependencies, type AppEnv } from '../app-env.ts';
import { idempotencyKeyReusedProblem, orderNotFoundProblem, replayedHeader } from '../orders/order-handlers.ts';
import { instanceOf, notFoundProblem, problem, respondWithProblem } from '../problem.ts';
import type { PaymentProvider } from './payment-provider.ts';
import { listOrderPayments, payOrder, refundPayment } from './payment-service.ts';

type PaymentHandlers = Pick<Handlers<AppEnv>, 'payOrder' | 'listOrderPayments' | 'refundPayment'>;

const declineDetails = {
  'card-declined': 'The card was declined. Nothing was charged; try another card.',
  'insufficient-funds': 'The card has insufficient funds. Nothing was charged; try another card.',
} as const;

/** The 503 for a provider that could not be reached or did not answer in time. */
export function providerUnavailableProblem(instance: string) {
  return problem({
    type: 'payment-provider-unavailable',
    detail: 'The card processor did not answer in time. Nothing was charged twice; send the same request again with the same Idempotency-Key.',
    instance,
  });
}

/** The Payments operations; cards are charged and refunded through `provider`. */
export function createPaymentHandlers({ db, changes }: AppDependencies, provider: PaymentProvider): PaymentHandlers {
  function reportChange(orderId: string) {
    changes.orderChanged(orderId);
    changes.eventsRecorded();
  }

  return {
    payOrder: async (c) => {
      const { orderId } = c.req.valid('param');
      const instance = instanceOf(c);
      const result = await payOrder(db, provider, currentUser(c), orderId, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      if (result.ok) {
        if ('actionRequired' in result) return c.json(result.actionRequired, 202);
        if (!result.replayed) reportChange(orderId);
        return c.json(result.payment, 201, result.replayed ? replayedHeader : {});
      }
      switch (result.reason) {
        case 'idempotency-key-reused':
          return respondWithProblem(c, idempotencyKeyReusedProblem(instance));
        case 'order-not-found':
          return respondWithProblem(c, orderNotFoundProblem(orderId, instance));
        case 'order-already-paid':
          return respondWithProblem(c, problem({ type: 'order-already-paid', detail: `Order ${orderId} has already been paid.`, instance }));
        case 'order-cancelled':
          return respondWithProblem(c, problem({ type: 'order-cancelled', detail: `Order ${orderId} has been cancelled and cannot be paid.`, instance }));
        case 'payment-in-progress':
          return respondWithProblem(
            c,
            problem({ type: 'payment-in-progress', detail: `Another payment for order ${orderId} is under way; wait for it, or retry it with its Idempotency-Key.`, instance }),
          );
        case 'provider-unavailable':
          c.header('Retry-After', '1');
          return respondWithProblem(c, providerUnavailableProblem(instance));
        case 'declined':
          if (result.decline !== 'unknown-payment-method') return respondWithProblem(c, problem({ type: 'payment-declined', detail: declineDetails[result.decline], instance }));
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

    refundPayment: async (c) => {
      const { orderId, paymentId } = c.req.valid('param');
      const instance = instanceOf(c);
      const result = await refundPayment(db, provider, currentUser(c), { orderId, paymentId }, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      if (result.ok) {
        if (!result.replayed) reportChange(orderId);
        return c.json(result.payment, 201, result.replayed ? replayedHeader : {});
      }
      switch (result.reason) {
        case 'idempotency-key-reused':
          return respondWithProblem(c, idempotencyKeyReusedProblem(instance));
        case 'not-found':
          return respondWithProblem(c, notFoundProblem(`payment ${paymentId} on order ${orderId}`, instance));
        case 'provider-unavailable':
          c.header('Retry-After', '1');
          return respondWithProblem(c, providerUnavailableProblem(instance));
        case 'nothing-to-refund':
          return respondWithProblem(
            c,
            problem({
              type: 'validation-failed',
              detail: 'A refund gives back at least one cent.',
              instance,
              errors: [{ pointer: '/body/amount/amount', detail: 'Must be at least 1.' }],
            }),
          );
        case 'wrong-currency':
          return respondWithProblem(
            c,
            problem({
              type: 'validation-failed',
              detail: `The payment was made in ${result.currency}.`,
              instance,
              errors: [{ pointer: '/body/amount/currency', detail: `Must be ${result.currency}, the payment's currency.` }],
            }),
          );
        case 'too-large':
          return respondWithProblem(
            c,
            problem({
              type: 'refund-too-large',
              detail: `Only ${(result.leftCents / 100).toFixed(2)} ${result.currency} of payment ${paymentId} is left to refund.`,
              instance,
              errors: [{ pointer: '/body/amount/amount', detail: `Must be at most ${result.leftCents}.` }],
            }),
          );
      }
    },

    listOrderPayments: async (c) => {
      const { orderId } = c.req.valid('param');
      const payments = await listOrderPayments(db, currentUser(c), orderId);
      if (!payments) return respondWithProblem(c, orderNotFoundProblem(orderId, instanceOf(c)));
      return c.json({ data: payments }, 200);
    },
  };
}
