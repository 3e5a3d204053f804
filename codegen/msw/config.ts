import { definePluginConfig } from '@hey-api/openapi-ts';

import { handler } from './plugin.ts';
import type { MswPlugin } from './types.ts';

export const defaultConfig: MswPlugin['Config'] = {
  config: {
    fixtureSuffix: 'Fixture',
    handlerSuffix: 'Handler',
    handlersName: 'handlers',
    includeInEntry: false,
    runtime: '../sdk/msw-handlers.ts',
  },
  dependencies: ['@hey-api/typescript', 'operations'],
  handler,
  name: 'msw',
};

/**
 * Type helper for the `msw` plugin, returns {@link Plugin.Config} object
 *
 * @example
 * ```ts
 * plugins: ['@hey-api/typescript', operations(), msw()]
 * ```
 */
export const defineConfig = definePluginConfig(defaultConfig);
