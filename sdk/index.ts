/**
 * The Pizza Place API client: a typed function for every operation of the contract, the contract's
 * types and zod schemas, and {@link createPizzaPlaceClient}, whose client gives every call typed
 * errors, retries, a timeout, idempotency keys and (opt-in) validation. {@link paginate} walks lists.
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
  createPizzaPlaceClient, idempotentOperations,
  type CallPolicy, type OperationValidators, type PizzaPlaceClient, type PizzaPlaceClientOptions, type TokenProvider,
} from './client.ts';
export type { RetryPolicy } from './retry.ts';
export {
  ContractError, isPizzaPlaceError, isProblem, PizzaPlaceError, ProblemError, TransportError,
  type ContractIssue, type OperationError, type PizzaPlaceErrorKind,
} from './errors.ts';
export { paginate, pages, type Page, type PaginatedOperation } from './pagination.ts';
export type { CallOptions, Failure, Operation, Result, Success } from './operations.ts';
export {
  verifyWebhook, WebhookVerificationError,
  type VerifyWebhookOptions, type VerifyWebhookResult, type WebhookEvent, type WebhookHeaders, type WebhookVerificationErrorKind,
} from './webhooks.ts';

/** One function per operation, named by its `operationId`. Each takes `{ client, path, query, headers, body }`. */
export {
  listMenuItems, createMenuItem, retireMenuItem, getMenuItem,
  updateMenuItem, listToppings, registerCustomer, issueToken,
  getMe, listOrders, placeOrder, getOrder,
  cancelOrder, advanceOrderStatus, listOrderPayments, payOrder,
  listIngredients, listStockAdjustments, recordStockAdjustment, checkLiveness,
  checkReadiness,
} from './operations.ts';

/** The contract's schemas as TypeScript types. */
export type {
  Money, MenuCategory, ItemSize, DietaryTag, DietaryTags,
  MenuItemSize, MenuItemSizes, MenuItem, MenuItemInput, MenuItemPatch,
  MenuItemList, Topping, ToppingList, Account, RegisterCustomerRequest,
  TokenRequest, TokenResponse, OrderStatus, OrderLineInput, OrderLine,
  Address, DeliveryFulfilment, PickupFulfilment, Fulfilment, PlaceOrderRequest,
  Order, OrderPage, CancelOrderRequest, AdvanceOrderStatusRequest, PayOrderRequest,
  Card, Refund, Payment, PaymentList, Ingredient,
  IngredientList, StockAdjustmentReason, StockAdjustmentInput, StockAdjustment, StockAdjustmentPage,
  Health, Readiness, Problem, ValidationError, ValidationProblem,
  Shortage, OutOfStockProblem, OrderStatusChange, OrderStatusChangedEvent, OrderStatusChangedWebhookPayload,
  OrderPlacedEvent, PaymentSucceededEvent, PaymentRefundedEvent, StockLowEvent, WebhookEventType,
} from '../generated/sdk/types.gen.ts';

/** The same types as written by a client: server-owned (`readOnly`) fields left out, `writeOnly` ones (passwords) in. */
export type {
  DietaryTagsWritable, MenuItemWritable, MenuItemListWritable, ToppingWritable,
  ToppingListWritable, AccountWritable, RegisterCustomerRequestWritable, TokenRequestWritable,
  OrderLineWritable, OrderWritable, OrderPageWritable, RefundWritable,
  PaymentWritable, PaymentListWritable, IngredientWritable, IngredientListWritable,
  StockAdjustmentWritable, StockAdjustmentPageWritable,
} from '../generated/sdk/types.gen.ts';

/** Per operation: its options (`…Data`), its success body (`…Response`) and its error bodies (`…Error`). */
export type {
  ListMenuItemsData, ListMenuItemsResponse, ListMenuItemsError,
  CreateMenuItemData, CreateMenuItemResponse, CreateMenuItemError,
  RetireMenuItemData, RetireMenuItemResponse, RetireMenuItemError,
  GetMenuItemData, GetMenuItemResponse, GetMenuItemError,
  UpdateMenuItemData, UpdateMenuItemResponse, UpdateMenuItemError,
  ListToppingsData, ListToppingsResponse, ListToppingsError,
  RegisterCustomerData, RegisterCustomerResponse, RegisterCustomerError,
  IssueTokenData, IssueTokenResponse, IssueTokenError,
  GetMeData, GetMeResponse, GetMeError,
  ListOrdersData, ListOrdersResponse, ListOrdersError,
  PlaceOrderData, PlaceOrderResponse, PlaceOrderError,
  GetOrderData, GetOrderResponse, GetOrderError,
  CancelOrderData, CancelOrderResponse, CancelOrderError,
  AdvanceOrderStatusData, AdvanceOrderStatusResponse, AdvanceOrderStatusError,
  ListOrderPaymentsData, ListOrderPaymentsResponse, ListOrderPaymentsError,
  PayOrderData, PayOrderResponse, PayOrderError,
  ListIngredientsData, ListIngredientsResponse, ListIngredientsError,
  ListStockAdjustmentsData, ListStockAdjustmentsResponse, ListStockAdjustmentsError,
  RecordStockAdjustmentData, RecordStockAdjustmentResponse, RecordStockAdjustmentError,
  CheckLivenessData, CheckLivenessResponse, CheckLivenessError,
  CheckReadinessData, CheckReadinessResponse, CheckReadinessError,
} from '../generated/sdk/types.gen.ts';

/**
 * The contract's schemas as (full) zod v4 schemas, for validating data of your own (forms, caches,
 * webhooks). Only what you import is bundled; the client's own validation uses `zod/mini` instead
 * (`@pizza-place/api/validation`).
 */
export {
  zMoney, zMenuCategory, zItemSize, zDietaryTag, zDietaryTags,
  zMenuItemSize, zMenuItemSizes, zMenuItem, zMenuItemInput, zMenuItemPatch,
  zMenuItemList, zTopping, zToppingList, zAccount,
  // Request-only schemas whose `password` is writeOnly: the request variant is the one that keeps it.
  zRegisterCustomerRequestWritable as zRegisterCustomerRequest, zTokenRequestWritable as zTokenRequest, zTokenResponse, zOrderStatus, zOrderLineInput, zOrderLine,
  zAddress, zDeliveryFulfilment, zPickupFulfilment, zFulfilment, zPlaceOrderRequest,
  zOrder, zOrderPage, zCancelOrderRequest, zAdvanceOrderStatusRequest, zPayOrderRequest,
  zCard, zRefund, zPayment, zPaymentList, zIngredient,
  zIngredientList, zStockAdjustmentReason, zStockAdjustmentInput, zStockAdjustment, zStockAdjustmentPage,
  zHealth, zReadiness, zProblem, zValidationError, zValidationProblem,
  zShortage, zOutOfStockProblem, zOrderStatusChange, zOrderStatusChangedEvent,
} from '../generated/zod.gen.ts';
