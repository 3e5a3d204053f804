import type { Handlers } from '../../generated/hono.gen.ts';
import { currentUser, type AppDependencies, type AppEnv } from '../app-env.ts';
import { decodeCursor, invalidCursorProblem } from '../pagination.ts';
import { instanceOf, notFoundProblem, problem, respondWithProblem } from '../problem.ts';
import { createIngredient, listIngredients, listStockAdjustments, recordStockAdjustment, updateIngredient } from './inventory-service.ts';

type InventoryHandlers = Pick<
  Handlers<AppEnv>,
  'listIngredients' | 'createIngredient' | 'updateIngredient' | 'recordStockAdjustment' | 'listStockAdjustments'
>;

export function createInventoryHandlers({ db, changes }: AppDependencies): InventoryHandlers {
  const nameTaken = (name: string, instance: string) => problem({ type: 'name-taken', detail: `There is already an ingredient called ${name}.`, instance });

  return {
    listIngredients: async (c) => {
      const { lowStock, cursor, limit } = c.req.valid('query');
      const after = decodeCursor(cursor);
      if (after === 'malformed') return respondWithProblem(c, invalidCursorProblem(instanceOf(c)));
      return c.json(await listIngredients(db, { lowStock, after, limit }), 200);
    },

    createIngredient: async (c) => {
      const result = await createIngredient(db, c.req.valid('json'));
      if (!result.ok) return respondWithProblem(c, nameTaken(result.name, instanceOf(c)));
      return c.json(result.ingredient, 201, { Location: `/inventory/ingredients/${result.ingredient.id}` });
    },

    updateIngredient: async (c) => {
      const { ingredientId } = c.req.valid('param');
      const result = await updateIngredient(db, ingredientId, c.req.valid('json'));
      if (result.ok) return c.json(result.ingredient, 200);
      if (result.reason === 'name-taken') return respondWithProblem(c, nameTaken(result.name, instanceOf(c)));
      return respondWithProblem(c, notFoundProblem(`ingredient ${ingredientId}`, instanceOf(c)));
    },

    recordStockAdjustment: async (c) => {
      const input = c.req.valid('json');
      const result = await recordStockAdjustment(db, input, currentUser(c).id);
      if (result.ok) {
        changes.eventsRecorded();
        return c.json(result.adjustment, 201);
      }
      const instance = instanceOf(c);
      switch (result.reason) {
        case 'zero-delta':
        case 'unknown-ingredient': {
          const error =
            result.reason === 'zero-delta'
              ? { pointer: '/body/delta', detail: 'Must not be 0; a positive delta adds stock, a negative one takes it away.' }
              : { pointer: '/body/ingredientId', detail: `There is no ingredient ${input.ingredientId}.` };
          return respondWithProblem(c, problem({ type: 'validation-failed', detail: error.detail, instance, errors: [error] }));
        }
        case 'below-zero':
        case 'above-maximum': {
          const { name, unit, stockLevel } = result.ingredient;
          const change = input.delta < 0 ? `Taking ${-input.delta} ${unit}` : `Adding ${input.delta} ${unit}`;
          return respondWithProblem(
            c,
            problem({
              type: 'insufficient-stock',
              detail: `${change} of ${name} would leave ${stockLevel + input.delta} ${unit} in stock; there is ${stockLevel} ${unit} now.`,
              instance,
            }),
          );
        }
      }
    },

    listStockAdjustments: async (c) => {
      const { ingredientId, cursor, limit } = c.req.valid('query');
      const after = decodeCursor(cursor);
      if (after === 'malformed') return respondWithProblem(c, invalidCursorProblem(instanceOf(c)));
      return c.json(await listStockAdjustments(db, { ingredientId, after, limit }), 200);
    },
  };
}
