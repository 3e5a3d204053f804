import { defineConfig, type UserConfig } from '@hey-api/openapi-ts';

import { defineConfig as hono } from './codegen/hono/index.ts';
import { headersAwareRequestValidator } from './codegen/zod-request-validator.ts';

/** Generation settings shared by `npm run generate` and the codegen tests, which use their own specs. */
export function generationConfig(input: string, output: string): UserConfig {
  return {
    input,
    logs: { file: false },
    output: { path: output },
    plugins: [
      '@hey-api/client-fetch',
      '@hey-api/typescript',
      { name: '@hey-api/sdk', validator: { request: 'zod', response: 'zod' } },
      {
        name: 'zod',
        compatibilityVersion: 4,
        '~resolvers': { validator: { request: headersAwareRequestValidator } },
      },
      hono(),
    ],
  };
}

// `./` keeps hey-api from reading `openapi/pizza-place.yaml` as an "organization/project" registry shorthand.
export default defineConfig(generationConfig('./openapi/pizza-place.yaml', 'generated'));
