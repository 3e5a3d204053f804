import type { Handlers } from '../../generated/hono.gen.ts';
import type { AppDependencies, AppEnv } from '../app-env.ts';

type OrderHandlers = Pick<Handlers<AppEnv>, 'placeOrder' | 'listOrders' | 'getOrder' | 'cancelOrder' | 'advanceOrderStatus'>;

const notYet = (): never => {
  throw new Error('orders: not implemented yet');
};

/** The Orders operations. */
export function createOrderHandlers(_deps: AppDependencies): OrderHandlers {
  return { placeOrder: notYet, listOrders: notYet, getOrder: notYet, cancelOrder: notYet, advanceOrderStatus: notYet };
}
