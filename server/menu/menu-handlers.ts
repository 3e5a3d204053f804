import type { Context, TypedResponse } from 'hono';
import type { Handlers } from '../../generated/hono.gen.ts';
import type { AppDependencies, AppEnv } from '../app-env.ts';
import { problem, respondWithProblem, type ValidationError } from '../problem.ts';
import { ifNoneMatchMatches } from './etag.ts';
import { createMenuItem, menuSnapshot, retireMenuItem, updateMenuItem, type Representation } from './menu-service.ts';

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

/**
 * Answers with a cached representation: `304` when `If-None-Match` holds its `ETag`, else the body as it was
 * serialised, so `c.json` does not stringify the menu on every request. Either way its compressed forms are
 * offered to the compression middleware, which then compresses nothing. The body is `JSON.stringify` of a
 * `T`, which is what the typed response says.
 */
function sendRepresentation<T>(c: Context<AppEnv>, { json, etag, precompressed }: Representation<T>, ifNoneMatch: string | undefined) {
  c.set('precompressedBody', precompressed);
  if (ifNoneMatchMatches(ifNoneMatch, etag)) return c.body(null, 304, { ETag: etag });
  return c.body(json, 200, { 'Content-Type': 'application/json', ETag: etag }) as unknown as Response & TypedResponse<T, 200, 'json'>;
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
