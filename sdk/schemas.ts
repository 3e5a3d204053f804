/**
 * The contract's schemas as (full) zod v4 schemas, for validating data of your own (forms, caches,
 * webhooks). A separate entry, so that the main one loads no zod at all, not even its types. Only
 * what you import is bundled; the client's own validation uses `zod/mini` instead
 * (`@pizza-place/api/validation`).
 *
 * @example
 * ```ts
 * import { zPlaceOrderRequest } from '@pizza-place/api/schemas';
 *
 * const parsed = zPlaceOrderRequest.safeParse(formValues);
 * if (!parsed.success) showErrors(parsed.error.issues);
 * ```
 * @module
 */
export * from '../generated/zod.gen.ts';
// Request schemas with a writeOnly `password`: the request variant is the one that keeps it.
export { zRegisterCustomerRequestWritable as zRegisterCustomerRequest, zTokenRequestWritable as zTokenRequest } from '../generated/zod.gen.ts';
