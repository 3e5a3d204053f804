import { $, type Plugins } from '@hey-api/openapi-ts';

import { contractSchemaAt } from './contract-schema.ts';

type ArrayResolver = NonNullable<Plugins.Zod.Resolvers['array']>;

const message = 'Must not list the same item twice.';

/**
 * The zod plugin's array schema, with `uniqueItems: true` enforced.
 *
 * hey-api 0.95's parser drops `uniqueItems` before any plugin sees the schema, so `"dietary": ["vegan",
 * "vegan"]` passed validation and was stored, then served against a contract that forbids it. This
 * resolver looks the keyword up in the contract at the array's own path and adds a refinement:
 * `z.array(zDietaryTag).max(4).refine((items) => …, '…')`, or in `zod/mini`
 * `z.array(zDietaryTag).check(z.maxLength(4), z.refine((items) => …, '…'))`. Items are compared by their
 * JSON text, which is JSON Schema's equality for scalars and arrays; two objects with the same members in a
 * different order would count as different. Other arrays keep the plugin's own output.
 *
 * @example
 * ```ts
 * plugins: [{ name: 'zod', '~resolvers': { array: arrayKeywords } }]
 * ```
 */
export const arrayKeywords: ArrayResolver = (ctx) => {
  if (contractSchemaAt(ctx)?.uniqueItems !== true) return undefined;
  const z = $(ctx.symbols.z);
  const distinct = $.func()
    .param('items')
    .do(
      $.return(
        $.binary(
          $.new('Set', $('items').attr('map').call($.func().param('item').do($.return($('JSON').attr('stringify').call($('item')))))).attr('size'),
          '===',
          $('items').attr('length'),
        ),
      ),
    );
  ctx.chain.current = ctx.nodes.base(ctx);
  if (ctx.plugin.config.compatibilityVersion === 'mini') {
    const checks = [ctx.nodes.minLength(ctx), ctx.nodes.maxLength(ctx)].filter((check) => check !== undefined);
    return ctx.chain.current.attr('check').call(...checks, z.attr('refine').call(distinct, $.literal(message)));
  }
  for (const node of [ctx.nodes.minLength, ctx.nodes.maxLength]) ctx.chain.current = node(ctx) ?? ctx.chain.current;
  return ctx.chain.current.attr('refine').call(distinct, $.literal(message));
};
