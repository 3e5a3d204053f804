/**
 * The Pizza Place API client: a typed function for every operation of the contract, the contract's
 * types, and {@link createPizzaPlaceClient}, whose client gives every call typed
 * errors, retries, a timeout, idempotency keys and (opt-in) validation. {@link paginate} walks lists;
 * {@link watchOrder} follows an order live.
 *
 * The operations and types are generated from `openapi/pizza-place.yaml`; this file only chooses what
 * is public. It runs in browsers and in Node 20 (it needs nothing but `fetch`). Side-effect free:
 * a bundle keeps only what it imports.
 *
 * @example
 * ```ts
 * import { createPizzaPlaceClient, isProblem, listMenuItems } from '@pizza-place/api';
 *
 * const client = createPizzaPlaceClient({ baseUrl: 'http://127.0.0.1:4010' });
 * const { data, error } = await listMenuItems({ client });
 * if (error) console.error(isProblem(error) ? error.title : error.kind);
 * else for (const item of data.data) console.log(item.name, item.sizes[0]?.price.amount);
 * ```
 * @module
 */
export {
  createPizzaPlaceClient,
  type CallPolicy, type OperationValidators, type PizzaPlaceClient, type PizzaPlaceClientOptions, type TokenProvider,
} from './client.ts';
export type { RetryPolicy } from './retry.ts';
export {
  ClientError, ContractError, isPizzaPlaceError, isProblem, PizzaPlaceError, ProblemError, TransportError,
  type ContractIssue, type HttpErrorStatus, type OperationError, type PizzaPlaceErrorKind, type PizzaPlaceErrorOf, type ProblemOf,
} from './errors.ts';
export { paginate, pages, type Page, type PaginatedOperation } from './pagination.ts';
export { createSession, webStorageTokens, type Session, type SessionOptions, type SessionTokens, type TokenStore } from './session.ts';
export { watchOrder, type TrackedOrderEvent, type WatchOrderOptions } from './watch-order.ts';
export type { CallOptions, DataShape, Failure, NotModified, Operation, OptionsOf, Result, Route, Success } from './operations.ts';
export {
  verifyWebhook, WebhookVerificationError,
  type VerifyWebhookOptions, type VerifyWebhookResult, type WebhookEvent, type WebhookHeaders, type WebhookVerificationErrorKind,
} from './webhooks.ts';

/**
 * One function per operation, named by its `operationId`, documented from the contract. Each takes
 * `{ client, path, query, headers, body }` as the operation declares them, plus `signal`, `throwOnError`
 * and the call policy (`retries`, `timeout`, …).
 */
export * from '../generated/operations.gen.ts';

/**
 * The contract's types: its schemas (`MenuItem`, `Order`, …), the `…Writable` variants a client writes
 * (server-owned `readOnly` fields left out, `writeOnly` ones such as passwords in), and per operation its
 * options (`…Data`), its success bodies (`…Responses`, `…Response`) and its error bodies (`…Errors`, `…Error`).
 */
export type * from '../generated/types.gen.ts';
