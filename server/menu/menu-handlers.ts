import type { Handlers } from '../../generated/hono.gen.ts';
import type { AppDependencies, AppEnv } from '../app-env.ts';
import { problem, respondWithProblem } from '../problem.ts';

type MenuHandlers = Pick<
  Handlers<AppEnv>,
  'listMenuItems' | 'getMenuItem' | 'createMenuItem' | 'updateMenuItem' | 'retireMenuItem' | 'listToppings'
>;

const notYet = problem({ type: 'not-implemented', title: 'Not implemented yet', status: 500 });

export function createMenuHandlers(_deps: AppDependencies): MenuHandlers {
  return {
    listMenuItems: (c) => respondWithProblem(c, notYet),
    getMenuItem: (c) => respondWithProblem(c, notYet),
    createMenuItem: (c) => respondWithProblem(c, notYet),
    updateMenuItem: (c) => respondWithProblem(c, notYet),
    retireMenuItem: (c) => respondWithProblem(c, notYet),
    listToppings: (c) => respondWithProblem(c, notYet),
  };
}
