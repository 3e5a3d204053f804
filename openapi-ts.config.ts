import { defineConfig, type UserConfig } from '@hey-api/openapi-ts';

import { defineConfig as hono } from './codegen/hono/index.ts';
import { defineConfig as msw } from './codegen/msw/index.ts';
import { defineConfig as operations } from './codegen/operations/index.ts';
import { defineConfig as tanstackQuery } from './codegen/tanstack-query/index.ts';
import { defineConfig as validators } from './codegen/validators/index.ts';
import { pureSchemaDeclarations } from './codegen/zod-pure-annotations.ts';
import { headersAwareRequestValidator } from './codegen/zod-request-validator.ts';
import { arrayKeywords } from './codegen/zod-array-keywords.ts';
import { objectKeywords } from './codegen/zod-object-keywords.ts';
import { stringKeywords } from './codegen/zod-string-keywords.ts';

/**
 * Every JSON Schema keyword the contract uses is enforced: the resolvers add what the zod plugin drops
 * (`additionalProperties: false` in union branches, `uniqueItems`, `minProperties`, `format: uri-reference`),
 * and date-times take any RFC 3339 offset, not only `Z`. `test/validator-differential.test.ts` holds both
 * outputs to Ajv's verdicts.
 */
const keywordResolvers = { object: objectKeywords, array: arrayKeywords, string: stringKeywords } as const;
const dates = { offset: true } as const;
const zodOptions = { '~resolvers': keywordResolvers, '~hooks': pureSchemaDeclarations, dates } as const;
const zodMiniOptions = {
  '~resolvers': { ...keywordResolvers, validator: { request: headersAwareRequestValidator } },
  dates,
  '~hooks': pureSchemaDeclarations,
} as const;

/**
 * Generation settings shared by `npm run generate` and the codegen tests, which use their own specs.
 * Two outputs from one spec, run in parallel (so the outer one must not clean the inner one):
 *
 * - `output/`: the contract's types (once, for the server and the SDK), full zod v4 schemas
 *   (zod-openapi needs them, and the SDK's `schemas` entry), the Hono routes, and the SDK's operation
 *   functions (our `operations` plugin: each made by `sdk/operations.ts` from its route, no validators,
 *   so an app that does not opt into validation bundles no zod at all), and for each operation its
 *   TanStack Query helpers (`tanstack-query` plugin) and MSW handler and fixtures (`msw` plugin);
 * - `output/sdk-validation/`: `zod/mini` schemas and one table of per-operation validators, what
 *   the SDK's `validation` entry hands to a client that opts in (`zod/mini` is ~⅓ of full zod).
 *
 * Both zod outputs mark their schema declarations `/* @__PURE__ *\/` (`codegen/zod-pure-annotations.ts`),
 * so a bundle keeps only the schemas it uses.
 */
export function generationConfig(input: string, output: string): UserConfig[] {
  const common = { input, logs: { file: false } } as const;
  return [
    {
      ...common,
      output: { path: output, clean: false },
      plugins: [
        '@hey-api/typescript',
        { name: 'zod', compatibilityVersion: 4, ...zodOptions },
        hono(),
        operations({ '~hooks': pureSchemaDeclarations }),
        tanstackQuery({ '~hooks': pureSchemaDeclarations }),
        msw({ '~hooks': pureSchemaDeclarations }),
      ],
    },
    {
      ...common,
      output: { path: `${output}/sdk-validation` },
      plugins: [{ name: 'zod', compatibilityVersion: 'mini', ...zodMiniOptions }, validators()],
    },
  ];
}

// `./` keeps hey-api from reading `openapi/pizza-place.yaml` as an "organization/project" registry shorthand.
export default defineConfig(generationConfig('./openapi/pizza-place.yaml', 'generated'));
