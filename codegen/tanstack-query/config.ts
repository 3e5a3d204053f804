import { definePluginConfig } from '@hey-api/openapi-ts';

import { handler } from './plugin.ts';
import type { TanStackQueryPlugin } from './types.ts';

export const defaultConfig: TanStackQueryPlugin['Config'] = {
  config: {
    cursorParameter: 'cursor',
    includeInEntry: false,
    infiniteQueryOptionsSuffix: 'InfiniteOptions',
    mutationSuffix: 'Mutation',
    queryKeySuffix: 'QueryKey',
    queryOptionsSuffix: 'Options',
    runtime: '../sdk/tanstack-query.ts',
  },
  dependencies: ['@hey-api/typescript', 'operations'],
  handler,
  name: 'tanstack-query',
};

/**
 * Type helper for the `tanstack-query` plugin, returns {@link Plugin.Config} object
 *
 * @example
 * ```ts
 * plugins: ['@hey-api/typescript', operations(), tanstackQuery()]
 * ```
 */
export const defineConfig = definePluginConfig(defaultConfig);
