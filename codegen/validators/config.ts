import { definePluginConfig } from '@hey-api/openapi-ts';

import { handler } from './plugin.ts';
import type { ValidatorsPlugin } from './types.ts';

export const defaultConfig: ValidatorsPlugin['Config'] = {
  config: {
    includeInEntry: false,
    listName: 'validators',
    nameSuffix: 'Validators',
  },
  dependencies: ['zod'],
  handler,
  name: 'validators',
};

/**
 * Type helper for the `validators` plugin, returns {@link Plugin.Config} object
 *
 * @example
 * ```ts
 * plugins: [{ name: 'zod', compatibilityVersion: 'mini' }, validators()]
 * ```
 */
export const defineConfig = definePluginConfig(defaultConfig);
