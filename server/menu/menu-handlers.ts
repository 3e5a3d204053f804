import type { Handlers } from '../../generated/hono.gen.ts';
import type { AppDependencies, AppEnv } from '../app-env.ts';
import { sendRepresentation } from '../http/etag.ts';
import { instanceOf, invalidBodyProblem, notFoundProblem, respondWithProblem, type ValidationError } from '../problem.ts';
import { createMenuItem, menuSnapshot, retireMenuItem, updateMenuItem } from './menu-service.ts';

type MenuHandlers = Pick<
  Handlers<AppEnv>,
  'listMenuItems' | 'getMenuItem' | 'createMenuItem' | 'updateMenuItem' | 'retireMenuItem' | 'listToppings'
>;

function itemNotFound(itemId: string, instance: string) {
  return notFoundProblem(`menu item ${itemId}`, instance);
}

function invalidMenuItem(errors: ValidationError[], instance: string) {
  return invalidBodyProblem(errors, instance);
}

export function createMenuHandlers({ db, config }: AppDependencies): MenuHandlers {
  const { currency } = config.pricing;

  return {
    listMenuItems: async (c) => {
      const { category } = c.req.valid('query');
      const representation = (await menuSnapshot(db, currency)).lists.get(category ?? 'all')!;
      return sendRepresentation(c, representation, c.req.valid('header')['if-none-match']);
    },

    getMenuItem: async (c) => {
      const { itemId } = c.req.valid('param');
      const representation = (await menuSnapshot(db, currency)).items.get(itemId);
      if (!representation) return respondWithProblem(c, itemNotFound(itemId, instanceOf(c)));
      return sendRepresentation(c, representation, c.req.valid('header')['if-none-match']);
    },

    listToppings: async (c) => {
      const representation = (await menuSnapshot(db, currency)).toppings;
      return sendRepresentation(c, representation, c.req.valid('header')['if-none-match']);
    },

    createMenuItem: async (c) => {
      const result = await createMenuItem(db, c.req.valid('json'), currency);
      if (!result.ok) return respondWithProblem(c, invalidMenuItem(result.errors, instanceOf(c)));
      return c.json(result.item, 201, { Location: `/menu/items/${result.item.id}` });
    },

    updateMenuItem: async (c) => {
      const { itemId } = c.req.valid('param');
      const result = await updateMenuItem(db, itemId, c.req.valid('json'), currency);
      if (result.ok) return c.json(result.item, 200);
      if (result.reason === 'not-found') return respondWithProblem(c, itemNotFound(itemId, instanceOf(c)));
      return respondWithProblem(c, invalidMenuItem(result.errors, instanceOf(c)));
    },

    retireMenuItem: async (c) => {
      const { itemId } = c.req.valid('param');
      const result = await retireMenuItem(db, itemId);
      if (!result.ok) return respondWithProblem(c, itemNotFound(itemId, instanceOf(c)));
      return c.body(null, 204);
    },
  };
}
