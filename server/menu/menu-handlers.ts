import type { Handlers } from '../../generated/hono.gen.ts';
import type { AppDependencies, AppEnv } from '../app-env.ts';
import { sendRepresentation } from '../http/etag.ts';
import { problem, respondWithProblem, type ValidationError } from '../problem.ts';
import { createMenuItem, menuSnapshot, retireMenuItem, updateMenuItem } from './menu-service.ts';

type MenuHandlers = Pick<
  Handlers<AppEnv>,
  'listMenuItems' | 'getMenuItem' | 'createMenuItem' | 'updateMenuItem' | 'retireMenuItem' | 'listToppings'
>;

function itemNotFound(itemId: string, instance: string) {
  return problem({ type: 'not-found', detail: `There is no menu item ${itemId}.`, instance });
}

function invalidMenuItem(errors: ValidationError[], instance: string) {
  return problem({
    type: 'validation-failed',
    detail: `The request has ${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}.`,
    instance,
    errors,
  });
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
      if (!representation) return respondWithProblem(c, itemNotFound(itemId, c.req.path));
      return sendRepresentation(c, representation, c.req.valid('header')['if-none-match']);
    },

    listToppings: async (c) => {
      const representation = (await menuSnapshot(db, currency)).toppings;
      return sendRepresentation(c, representation, c.req.valid('header')['if-none-match']);
    },

    createMenuItem: async (c) => {
      const result = await createMenuItem(db, c.req.valid('json'), currency);
      if (!result.ok) return respondWithProblem(c, invalidMenuItem(result.errors, c.req.path));
      return c.json(result.item, 201, { Location: `/menu/items/${result.item.id}` });
    },

    updateMenuItem: async (c) => {
      const { itemId } = c.req.valid('param');
      const result = await updateMenuItem(db, itemId, c.req.valid('json'), currency);
      if (result.ok) return c.json(result.item, 200);
      if (result.reason === 'not-found') return respondWithProblem(c, itemNotFound(itemId, c.req.path));
      return respondWithProblem(c, invalidMenuItem(result.errors, c.req.path));
    },

    retireMenuItem: async (c) => {
      const { itemId } = c.req.valid('param');
      const result = await retireMenuItem(db, itemId);
      if (!result.ok) return respondWithProblem(c, itemNotFound(itemId, c.req.path));
      return c.body(null, 204);
    },
  };
}
