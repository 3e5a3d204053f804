import { definePluginConfig } from '@hey-api/openapi-ts';

import { handler } from './plugin.ts';
import type { HonoPlugin } from './types.ts';

export const defaultConfig: HonoPlugin['Config'] = {
  config: {
    coerceParameters: true,
    handlersTypeName: 'Handlers',
    includeInEntry: false,
    registerFunctionName: 'registerHandlers',
    routeNameSuffix: 'Route',
    routesName: 'routes',
  },
  dependencies: ['@hey-api/typescript', 'zod'],
  handler,
  name: 'hono',
};

/**
 * Type helper for the `hono` plugin, returns {@link Plugin.Config} object
 */
export const defineConfig = definePluginConfig(defaultConfig);
