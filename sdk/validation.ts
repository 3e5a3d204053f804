/**
 * Opt-in validation for the Pizza Place SDK: the `zod/mini` request and response validators of every
 * operation, to hand to `createPizzaPlaceClient({ validation })`. A separate entry so that an app that
 * does not import it bundles no zod; `validators` holds every operation's, `placeOrderValidators` and
 * its siblings one operation's each, so an app can bundle only the schemas of the operations it calls.
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
export * from '../generated/sdk-validation/validators.gen.ts';

export { validationErrorsOf } from './validation-errors.ts';
