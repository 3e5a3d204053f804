import type { Handlers } from '../../generated/hono.gen.ts';
import type { AppDependencies, AppEnv } from '../app-env.ts';
import { problem, respondWithProblem } from '../problem.ts';

type InventoryHandlers = Pick<Handlers<AppEnv>, 'listIngredients' | 'recordStockAdjustment' | 'listStockAdjustments'>;

const notYet = problem({ type: 'not-implemented', title: 'Not implemented yet', status: 500 });

export function createInventoryHandlers(_deps: AppDependencies): InventoryHandlers {
  return {
    listIngredients: (c) => respondWithProblem(c, notYet),
    recordStockAdjustment: (c) => respondWithProblem(c, notYet),
    listStockAdjustments: (c) => respondWithProblem(c, notYet),
  };
}
