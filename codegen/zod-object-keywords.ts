import { $, type IR, type Plugins } from '@hey-api/openapi-ts';

import { contractSchemaAt } from './contract-schema.ts';

type ObjectResolver = NonNullable<Plugins.Zod.Resolvers['object']>;

/**
 * The zod plugin's object schema, made strict where the contract says `additionalProperties: false`.
 *
 * hey-api 0.95's zod plugin emits `z.object(shape)` for such schemas, and `z.object` silently strips
 * unknown keys: a client that sends `"total": 1` with an order gets a 201 priced by the server instead of
 * the 422 the contract promises, and the server never learns that a client is sending fields it ignores.
 * `z.strictObject(shape)` refuses them with an `unrecognized_keys` issue, which the server reports as a
 * validation problem pointing at the object.
 *
 * The plugin also wraps each branch of a `oneOf` with a `discriminator` as
 * `z.object({ type: z.literal('pickup') }).and(zPickupFulfilment)`. zod v4 reports an unknown key of an
 * intersection only when every side leaves it unrecognised, and a plain `z.object` never reports one, so
 * that wrapper would let `{"type":"pickup","role":"staff"}` through a strict branch. The wrapper is made
 * strict too: unknown keys are then refused exactly when the branch itself refuses them.
 *
 * `minProperties` and `maxProperties`, which the parser drops, are looked up in the contract and checked by a
 * refinement (`MenuItemPatch` must change something: `{}` is refused). Other objects keep the plugin's output.
 *
 * @example
 * ```ts
 * plugins: [{ name: 'zod', '~resolvers': { object: objectKeywords } }]
 * ```
 */
export const objectKeywords: ObjectResolver = (ctx) => {
  const additional = ctx.schema.additionalProperties;
  const closed = additional === false || additional?.type === 'never';
  const counts = propertyCounts(ctx);
  if (!closed && !isDiscriminatorWrapper(ctx.schema) && counts.length === 0) return undefined;
  let object = closed || isDiscriminatorWrapper(ctx.schema) ? $(ctx.symbols.z).attr('strictObject').call(ctx.nodes.shape(ctx)) : ctx.nodes.base(ctx);
  const z = $(ctx.symbols.z);
  const refinements = counts.map(({ holds, message }) => ({ holds: $.func().param('value').do($.return(holds($('Object').attr('keys').call($('value')).attr('length')))), message }));
  if (ctx.plugin.config.compatibilityVersion === 'mini') {
    return refinements.length ? object.attr('check').call(...refinements.map((r) => z.attr('refine').call(r.holds, $.literal(r.message)))) : object;
  }
  for (const r of refinements) object = object.attr('refine').call(r.holds, $.literal(r.message));
  return object;
};

type Count = ReturnType<ReturnType<typeof $>["attr"]>;

/** The contract's `minProperties` / `maxProperties` of this object, as checks of its number of properties. */
function propertyCounts(ctx: Parameters<ObjectResolver>[0]): Array<{ holds: (count: Count) => ReturnType<typeof $.binary>; message: string }> {
  const schema = contractSchemaAt(ctx);
  const counts = [];
  if (typeof schema?.minProperties === 'number') {
    const min = schema.minProperties;
    counts.push({ holds: (count: Count) => $.binary(count, '>=', $.literal(min)), message: `Must have at least ${min} ${min === 1 ? 'property' : 'properties'}.` });
  }
  if (typeof schema?.maxProperties === 'number') {
    const max = schema.maxProperties;
    counts.push({ holds: (count: Count) => $.binary(count, '<=', $.literal(max)), message: `Must have at most ${max} ${max === 1 ? 'property' : 'properties'}.` });
  }
  return counts;
}

/**
 * The object hey-api's parser puts beside each `$ref` branch of a discriminated `oneOf`: exactly
 * `{ type: 'object', properties: { <discriminator>: <its values> }, required: [<discriminator>] }`,
 * with nothing else (a schema written in the contract has at least a description).
 */
function isDiscriminatorWrapper(schema: IR.SchemaObject): boolean {
  const keys = Object.keys(schema).sort().join(',');
  const properties = Object.entries(schema.properties ?? {});
  if (keys !== 'properties,required,type' || properties.length !== 1) return false;
  const [name, property] = properties[0]!;
  const values = property.logicalOperator === 'or' ? (property.items ?? []) : [property];
  return schema.required?.length === 1 && schema.required[0] === name && values.every((value) => value.const !== undefined);
}
