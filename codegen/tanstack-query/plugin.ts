import { $ } from '@hey-api/openapi-ts';

import { operationSymbol } from '../operations/index.ts';
import type { TanStackQueryPlugin } from './types.ts';

/**
 * Emits TanStack Query v5 helpers for every operation the `operations` plugin made a function for,
 * named as hey-api's TanStack Query plugins name them: for a `GET`, `<operationId>QueryKey` and
 * `<operationId>Options` (and `<operationId>InfiniteOptions` when it takes a cursor); for any other
 * method, `<operationId>Mutation`. Each is one call of a typed factory of the SDK, so the helpers
 * carry the operation's types and hold no logic of their own.
 */
export const handler: TanStackQueryPlugin['Handler'] = ({ plugin }) => {
  const factory = (name: string) => plugin.symbol(name, { external: plugin.config.runtime });
  const factories = {
    queryKey: factory('queryKeyOf'),
    queryOptions: factory('queryOptionsOf'),
    infiniteQueryOptions: factory('infiniteQueryOptionsOf'),
    mutation: factory('mutationOf'),
  };

  plugin.forEach(
    'operation',
    ({ operation }) => {
      const operationFunction = plugin.querySymbol(operationSymbol(operation.id));
      if (!operationFunction) return;
      const route = `\`${operation.method.toUpperCase()} ${operation.path}\``;
      const helper = (suffix: string, make: keyof typeof factories, doc: string[]) =>
        plugin.node(
          $.const(plugin.symbol(`${operation.id}${suffix}`))
            .export()
            .doc(doc)
            .assign($(factories[make]).call($(operationFunction))),
        );

      if (operation.method !== 'get') {
        helper(plugin.config.mutationSuffix, 'mutation', [
          `TanStack Query mutation options of \`${operation.id}\` (${route}): \`useMutation(${operation.id}${plugin.config.mutationSuffix}({ client }))\`,`,
          'then `mutate({ path, body, … })`. On success it invalidates the queries under the same first path segment.',
          ...(operation.summary ? ['', operation.summary] : []),
        ]);
        return;
      }
      helper(plugin.config.queryKeySuffix, 'queryKey', [
        `The TanStack Query key of \`${operation.id}\` (${route}) for these options; without a \`query\` it matches every call of it.`,
      ]);
      helper(plugin.config.queryOptionsSuffix, 'queryOptions', [
        `TanStack Query options of \`${operation.id}\` (${route}): \`useQuery(${operation.id}${plugin.config.queryOptionsSuffix}({ client, … }))\`.`,
        ...(operation.summary ? ['', operation.summary] : []),
      ]);
      const cursor = operation.parameters?.query?.[plugin.config.cursorParameter.toLowerCase()] ?? operation.parameters?.query?.[plugin.config.cursorParameter];
      if (cursor) {
        helper(plugin.config.infiniteQueryOptionsSuffix, 'infiniteQueryOptions', [
          `TanStack Query infinite options of \`${operation.id}\` (${route}), one page per \`nextCursor\`: \`useInfiniteQuery(${operation.id}${plugin.config.infiniteQueryOptionsSuffix}({ client, … }))\`.`,
        ]);
      }
    },
    { order: 'declarations' },
  );
};
