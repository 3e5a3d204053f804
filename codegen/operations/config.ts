import { definePluginConfig } from '@hey-api/openapi-ts';

import { handler } from './plugin.ts';
import type { OperationsPlugin } from './types.ts';

export const defaultConfig: OperationsPlugin['Config'] = {
  config: {
    includeInEntry: false,
    runtime: '../sdk/operations.ts',
  },
  dependencies: ['@hey-api/typescript'],
  handler,
  name: 'operations',
};

/**
 * Type helper for the `operations` plugin, returns {@link Plugin.Config} object
 *
 * @example
 * ```ts
 * plugins: ['@hey-api/typescript', operations({ runtime: '../sdk/operations.ts' })]
 * ```
 */
export const defineConfig = definePluginConfig(defaultConfig);
