/**
 * Opt-in validation for the Pizza Place SDK: `zod/mini` schemas of every operation's request and
 * answers, as one table to hand to `createPizzaPlaceClient`. A separate entry so that an app that
 * does not import it bundles no zod (`zod/mini` and the schemas weigh ~3× the rest of the SDK).
 *
 * With it, a request that breaks the contract fails with `kind: 'invalid-request'` before anything is
 * sent, and a 2xx answer that breaks it with `kind: 'invalid-response'` (both carry `issues`).
 *
 * @example
 * ```ts
 * import { createPizzaPlaceClient } from '@pizza-place/api';
 * import { validators } from '@pizza-place/api/validation';
 *
 * const client = createPizzaPlaceClient({ baseUrl: 'http://127.0.0.1:4010', validation: validators });
 * ```
 * @module
 */
export { validators } from '../generated/sdk-validation/validators.gen.ts';
