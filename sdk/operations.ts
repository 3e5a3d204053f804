import type { TDataShape } from '../generated/sdk/client/index.ts';
import * as generated from '../generated/sdk/sdk.gen.ts';
import type {
  ListMenuItemsData, ListMenuItemsErrors, ListMenuItemsResponses,
  CreateMenuItemData, CreateMenuItemErrors, CreateMenuItemResponses,
  RetireMenuItemData, RetireMenuItemErrors, RetireMenuItemResponses,
  GetMenuItemData, GetMenuItemErrors, GetMenuItemResponses,
  UpdateMenuItemData, UpdateMenuItemErrors, UpdateMenuItemResponses,
  ListToppingsData, ListToppingsErrors, ListToppingsResponses,
  RegisterCustomerData, RegisterCustomerErrors, RegisterCustomerResponses,
  IssueTokenData, IssueTokenErrors, IssueTokenResponses,
  GetMeData, GetMeErrors, GetMeResponses,
  ListOrdersData, ListOrdersErrors, ListOrdersResponses,
  PlaceOrderData, PlaceOrderErrors, PlaceOrderResponses,
  GetOrderData, GetOrderErrors, GetOrderResponses,
  CancelOrderData, CancelOrderErrors, CancelOrderResponses,
  AdvanceOrderStatusData, AdvanceOrderStatusErrors, AdvanceOrderStatusResponses,
  ListOrderPaymentsData, ListOrderPaymentsErrors, ListOrderPaymentsResponses,
  PayOrderData, PayOrderErrors, PayOrderResponses,
  ListIngredientsData, ListIngredientsErrors, ListIngredientsResponses,
  ListStockAdjustmentsData, ListStockAdjustmentsErrors, ListStockAdjustmentsResponses,
  RecordStockAdjustmentData, RecordStockAdjustmentErrors, RecordStockAdjustmentResponses,
  CheckLivenessData, CheckLivenessErrors, CheckLivenessResponses,
  CheckReadinessData, CheckReadinessErrors, CheckReadinessResponses,
} from '../generated/sdk/types.gen.ts';
import type { CallPolicy, PizzaPlaceClient } from './client.ts';
import type { OperationError } from './errors.ts';

/**
 * What every operation function takes: `client` (required: calls go through its retries, errors and
 * validation), the operation's `path`, `query`, `headers` and `body`, an optional `signal`,
 * `throwOnError`, and any {@link CallPolicy} field to override the client's for this one call.
 *
 * @example
 * ```ts
 * const options: CallOptions<GetOrderData> = { client, path: { orderId }, timeout: 5_000, signal: controller.signal };
 * ```
 */
export type CallOptions<Data extends TDataShape, ThrowOnError extends boolean = false> = Omit<
  generated.Options<Data, ThrowOnError>,
  'client' | 'fetch' | 'meta' | 'requestValidator' | 'responseStyle' | 'responseValidator' | 'throwOnError'
> &
  CallPolicy & {
    /**
     * The client from `createPizzaPlaceClient`.
     * @example
     * ```ts
     * await listMenuItems({ client });
     * ```
     */
    client: PizzaPlaceClient;
    /**
     * Reject with the {@link PizzaPlaceError} instead of resolving to `{ error }`; the promise then
     * resolves to the success only.
     * @default false
     * @example
     * ```ts
     * const { data: order } = await getOrder({ client, path: { orderId }, throwOnError: true });
     * ```
     */
    throwOnError?: ThrowOnError;
  };

/** A 2xx answer: `data` is the body the contract declares for it. */
export interface Success<Responses> {
  data: Responses[keyof Responses];
  error: undefined;
  request: Request;
  response: Response;
}

/** A failed call: `error` says why; `request` and `response` are there when one was built or received. */
export interface Failure<Errors> {
  data: undefined;
  error: OperationError<Errors>;
  request: Request | undefined;
  response: Response | undefined;
}

/** What an operation resolves to without `throwOnError`: check `error` (or `data`) to narrow. */
export type Result<Responses, Errors> = Success<Responses> | Failure<Errors>;

/**
 * An operation function. It resolves to `{ data, error, request, response }` and does not reject for
 * an HTTP, network, timeout, abort or contract failure; with `throwOnError: true` it resolves to the
 * success and rejects with the {@link PizzaPlaceError} instead.
 *
 * @example
 * ```ts
 * const { data, error } = await getOrder({ client, path: { orderId: 'ord_7Hq2mX9kLp4Rt8Vw' } });
 * if (error) return showError(error.message);
 * console.log(data.status);
 * ```
 */
export type Operation<Data extends TDataShape, Responses, Errors> = <ThrowOnError extends boolean = false>(
  options: CallOptions<IdempotencyKeyOptional<Data>, ThrowOnError>,
) => Promise<ThrowOnError extends true ? Success<Responses> : Result<Responses, Errors>>;

/** The client fills in a missing `Idempotency-Key` (see `idempotentOperations`), so callers may leave it out. */
export type IdempotencyKeyOptional<Data extends TDataShape> = Data extends { headers: { 'Idempotency-Key': string } }
  ? Omit<Data, 'headers'> & { headers?: Omit<Data['headers'], 'Idempotency-Key'> & { 'Idempotency-Key'?: string } }
  : Data;

// The generated functions, typed with what the SDK's client makes of a call (see `createPizzaPlaceClient`).
// Plain aliases, so a bundler drops every operation an app does not call.
export const listMenuItems = generated.listMenuItems as unknown as Operation<ListMenuItemsData, ListMenuItemsResponses, ListMenuItemsErrors>;
export const createMenuItem = generated.createMenuItem as unknown as Operation<CreateMenuItemData, CreateMenuItemResponses, CreateMenuItemErrors>;
export const retireMenuItem = generated.retireMenuItem as unknown as Operation<RetireMenuItemData, RetireMenuItemResponses, RetireMenuItemErrors>;
export const getMenuItem = generated.getMenuItem as unknown as Operation<GetMenuItemData, GetMenuItemResponses, GetMenuItemErrors>;
export const updateMenuItem = generated.updateMenuItem as unknown as Operation<UpdateMenuItemData, UpdateMenuItemResponses, UpdateMenuItemErrors>;
export const listToppings = generated.listToppings as unknown as Operation<ListToppingsData, ListToppingsResponses, ListToppingsErrors>;
export const registerCustomer = generated.registerCustomer as unknown as Operation<RegisterCustomerData, RegisterCustomerResponses, RegisterCustomerErrors>;
export const issueToken = generated.issueToken as unknown as Operation<IssueTokenData, IssueTokenResponses, IssueTokenErrors>;
export const getMe = generated.getMe as unknown as Operation<GetMeData, GetMeResponses, GetMeErrors>;
export const listOrders = generated.listOrders as unknown as Operation<ListOrdersData, ListOrdersResponses, ListOrdersErrors>;
export const placeOrder = generated.placeOrder as unknown as Operation<PlaceOrderData, PlaceOrderResponses, PlaceOrderErrors>;
export const getOrder = generated.getOrder as unknown as Operation<GetOrderData, GetOrderResponses, GetOrderErrors>;
export const cancelOrder = generated.cancelOrder as unknown as Operation<CancelOrderData, CancelOrderResponses, CancelOrderErrors>;
export const advanceOrderStatus = generated.advanceOrderStatus as unknown as Operation<AdvanceOrderStatusData, AdvanceOrderStatusResponses, AdvanceOrderStatusErrors>;
export const listOrderPayments = generated.listOrderPayments as unknown as Operation<ListOrderPaymentsData, ListOrderPaymentsResponses, ListOrderPaymentsErrors>;
export const payOrder = generated.payOrder as unknown as Operation<PayOrderData, PayOrderResponses, PayOrderErrors>;
export const listIngredients = generated.listIngredients as unknown as Operation<ListIngredientsData, ListIngredientsResponses, ListIngredientsErrors>;
export const listStockAdjustments = generated.listStockAdjustments as unknown as Operation<ListStockAdjustmentsData, ListStockAdjustmentsResponses, ListStockAdjustmentsErrors>;
export const recordStockAdjustment = generated.recordStockAdjustment as unknown as Operation<RecordStockAdjustmentData, RecordStockAdjustmentResponses, RecordStockAdjustmentErrors>;
export const checkLiveness = generated.checkLiveness as unknown as Operation<CheckLivenessData, CheckLivenessResponses, CheckLivenessErrors>;
export const checkReadiness = generated.checkReadiness as unknown as Operation<CheckReadinessData, CheckReadinessResponses, CheckReadinessErrors>;
