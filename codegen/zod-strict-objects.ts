import type { Plugins } from '@hey-api/openapi-ts';

type ObjectResolver = NonNullable<Plugins.Zod.Resolvers['object']>;

/**
 * The zod plugin's object schema, made strict where the contract says `additionalProperties: false`.
 *
 * hey-api 0.95's zod plugin emits `z.object(shape)` for such schemas, and `z.object` silently strips
 * unknown keys: a client that sends `"total": 1` with an order gets a 201 priced by the server instead of
 * the 422 the contract promises, and the server never learns that a client is sending fields it ignores.
 * `z.strictObject(shape)` refuses them with an `unrecognized_keys` issue, which the server reports as a
 * validation problem pointing at the object. Other objects keep the plugin's own output.
 *
 * @example
 * ```ts
 * plugins: [{ name: 'zod', '~resolvers': { object: strictObjects } }]
 * ```
 */
export const strictObjects: ObjectResolver = (ctx) => {
  const additional = ctx.schema.additionalProperties;
  const closed = additional === false || additional?.type === 'never';
  if (!closed) return undefined;
  return ctx.$(ctx.symbols.z).attr('strictObject').call(ctx.nodes.shape(ctx));
};
