import type { Handlers } from '../../generated/hono.gen.ts';
import type { AppDependencies, AppEnv } from '../app-env.ts';

type PaymentHandlers = Pick<Handlers<AppEnv>, 'payOrder' | 'listOrderPayments'>;

const notYet = (): never => {
  throw new Error('payments: not implemented yet');
};

/** The Payments operations. */
export function createPaymentHandlers(_deps: AppDependencies): PaymentHandlers {
  return { payOrder: notYet, listOrderPayments: notYet };
}
