import type { Handlers } from '../../generated/hono.gen.ts';
import type { AppDependencies, AppEnv } from '../app-env.ts';
import { problem, respondWithProblem, type ValidationError } from '../problem.ts';
import { ifNoneMatchMatches } from './etag.ts';
import { createMenuItem, menuSnapshot, retireMenuItem, updateMenuItem } from './menu-service.ts';

type MenuHandlers = Pick<
  Handlers<AppEnv>,
  'listMenuItems' | 'getMenuItem' | 'createMenuItem' | 'updateMenuItem' | 'retireMenuItem' | 'listToppings'
>;

function itemNotFound(itemId: string, instance: string) {
  return problem({ type: 'not-found', title: 'Not found', status: 404, detail: `There is no menu item ${itemId}.`, instance });
}

function invalidMenuItem(errors: ValidationError[], instance: string) {
  return problem({
    type: 'validation-failed',
    title: 'Your request is not valid',
    status: 422,
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
      const { body, etag } = (await menuSnapshot(db, currency)).lists.get(category ?? 'all')!;
      if (ifNoneMatchMatches(c.req.valid('header')['if-none-match'], etag)) return c.body(null, 304, { ETag: etag });
      return c.json(body, 200, { ETag: etag });
    },

    getMenuItem: async (c) => {
      const { itemId } = c.req.valid('param');
      const representation = (await menuSnapshot(db, currency)).items.get(itemId);
      if (!representation) return respondWithProblem(c, itemNotFound(itemId, c.req.path));
      const { body, etag } = representation;
      if (ifNoneMatchMatches(c.req.valid('header')['if-none-match'], etag)) return c.body(null, 304, { ETag: etag });
      return c.json(body, 200, { ETag: etag });
    },

    listToppings: async (c) => {
      const { body, etag } = (await menuSnapshot(db, currency)).toppings;
      if (ifNoneMatchMatches(c.req.valid('header')['if-none-match'], etag)) return c.body(null, 304, { ETag: etag });
      return c.json(body, 200, { ETag: etag });
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
