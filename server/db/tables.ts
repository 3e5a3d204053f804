import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { JsonText, Timestamp } from './dialect.ts';

export type Role = 'customer' | 'staff';
export type MenuCategory = 'pizza' | 'side' | 'drink' | 'dessert';
export type Size = 'small' | 'medium' | 'large' | 'regular';
export type Dietary = 'vegetarian' | 'vegan' | 'gluten_free' | 'spicy';
export type IngredientUnit = 'g' | 'ml' | 'piece';
export type StockAdjustmentReason = 'restock' | 'waste' | 'correction';
export type OrderStatus =
  | 'awaiting_payment'
  | 'confirmed'
  | 'preparing'
  | 'baking'
  | 'ready'
  | 'out_for_delivery'
  | 'delivered'
  | 'collected'
  | 'cancelled';
export type FulfilmentType = 'delivery' | 'pickup';
export type PaymentStatus = 'succeeded' | 'refunded';
export type IdempotencyStatus = 'in_progress' | 'done';

/** A delivery address as `orders.address` keeps it. */
export interface StoredAddress {
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  instructions: string | null;
}

/** A topping as it was priced when the order was placed, kept in `order_lines.toppings`. */
export interface StoredLineTopping {
  id: string;
  name: string;
  priceCents: number;
}

export interface UsersTable {
  id: string;
  /** Always lowercase (a CHECK enforces it), so lookups compare exactly. */
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  /** Carried by access tokens as `ver`; raised when the account's tokens must stop working (a password change). */
  token_version: Generated<number>;
  /** Set when the account may no longer sign in or use its tokens. */
  disabled_at: Generated<Timestamp | null>;
  created_at: Generated<Timestamp>;
}

/** A refresh token, by its SHA-256 only; the tokens descended from one sign-in share a family (a session). */
export interface RefreshTokensTable {
  id: string;
  family_id: string;
  user_id: string;
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  token_hash: string;
  expires_at: Timestamp;
  /** Set when the token was exchanged; a token is exchanged at most once. */
  used_at: Timestamp | null;
  /** Set when its session ended (signed out, reuse detected, password changed). */
  revoked_at: Timestamp | null;
  created_at: Generated<Timestamp>;
}

export interface MenuItemsTable {
  id: string;
  name: string;
  description: string;
  category: MenuCategory;
  dietary: Generated<JsonText<Dietary[]>>;
  /** Set when the item leaves the menu; orders keep pointing at it. */
  retired_at: Timestamp | null;
  /** 1: ordering it takes its recipe from stock (a size without a recipe cannot be ordered); 0: nobody counts it. */
  stock_tracked: Generated<number>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface MenuItemSizesTable {
  item_id: string;
  size: Size;
  price_cents: number;
}

export interface ToppingsTable {
  id: string;
  name: string;
  price_cents: number;
  dietary: Generated<JsonText<Dietary[]>>;
  created_at: Generated<Timestamp>;
}

export interface IngredientsTable {
  id: string;
  name: string;
  unit: IngredientUnit;
  /** Never below zero (a CHECK enforces it). */
  stock_level: number;
  low_stock_threshold: number;
  created_at: Generated<Timestamp>;
}

/** Exactly what an order took from stock, per ingredient; cancelling the order gives back this, whatever the menu says by then. */
export interface OrderStockTakesTable {
  order_id: string;
  ingredient_id: string;
  quantity: number;
}

/** How much of an ingredient one unit of an item in one size uses. */
export interface RecipesTable {
  item_id: string;
  size: Size;
  ingredient_id: string;
  quantity: number;
}

/** How much of an ingredient a topping adds to one unit of an order line. */
export interface ToppingIngredientsTable {
  topping_id: string;
  ingredient_id: string;
  quantity: number;
}

export interface StockAdjustmentsTable {
  id: string;
  ingredient_id: string;
  delta: number;
  reason: StockAdjustmentReason;
  note: string | null;
  stock_level_after: number;
  created_by: string;
  created_at: Generated<Timestamp>;
}

export interface OrdersTable {
  id: string;
  customer_id: string;
  status: OrderStatus;
  fulfilment_type: FulfilmentType;
  /** Set exactly when `fulfilment_type` is `delivery` (a CHECK enforces it). */
  address: JsonText<StoredAddress> | null;
  notes: string | null;
  subtotal_cents: number;
  delivery_fee_cents: number;
  tax_cents: number;
  /** Always subtotal + delivery fee + tax (a CHECK enforces it). */
  total_cents: number;
  currency: string;
  cancel_reason: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

/** A line as it was priced when the order was placed; later menu changes do not touch it. */
export interface OrderLinesTable {
  order_id: string;
  /** 0-based position of the line in the request. */
  position: number;
  item_id: string;
  item_name: string;
  size: Size;
  quantity: number;
  toppings: JsonText<StoredLineTopping[]>;
  /** Size price plus toppings, for one unit. */
  unit_price_cents: number;
  line_total_cents: number;
}

/** Every status an order has entered, in order; also the source of `order.status_changed` webhook events. */
export interface OrderEventsTable {
  id: string;
  order_id: string;
  previous_status: OrderStatus | null;
  status: OrderStatus;
  /** The user who caused the change; null when the system did. */
  changed_by: string | null;
  occurred_at: Generated<Timestamp>;
}

/** A successful payment; an order has at most one (a unique index enforces it). Declines are not stored. */
export interface PaymentsTable {
  id: string;
  order_id: string;
  amount_cents: number;
  currency: string;
  /** `refunded` once refunds add up to the whole amount. */
  status: PaymentStatus;
  card_brand: string;
  card_last4: string;
  /** The provider's id of the charge, which refunds name. */
  provider_charge_id: string | null;
  created_at: Generated<Timestamp>;
}

export type PaymentAttemptStatus = 'pending' | 'requires_action' | 'succeeded';

/**
 * A payment under way, recorded before the card is charged; its id is the provider's idempotency key, so a retry
 * (same user, same Idempotency-Key) or the start-up recovery asks the provider about the same charge. A declined
 * attempt is deleted, which frees its key.
 */
export interface PaymentAttemptsTable {
  id: string;
  order_id: string;
  user_id: string;
  idempotency_key: string;
  request_hash: string;
  amount_cents: number;
  currency: string;
  status: PaymentAttemptStatus;
  provider_charge_id: string | null;
  next_action_url: string | null;
  payment_id: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export type RefundStatus = 'pending' | 'succeeded';

/** Money given back on a payment, recorded `pending` before the provider is asked (its id is the provider's idempotency key). */
export interface RefundsTable {
  id: string;
  payment_id: string;
  amount_cents: number;
  reason: string | null;
  status: RefundStatus;
  provider_refund_id: string | null;
  /** The staff account that asked for a partial refund, with its Idempotency-Key; null for a cancellation's refund. */
  requested_by: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: Generated<Timestamp>;
}

/** A request made with an `Idempotency-Key`, scoped to the user and the operation. */
export interface IdempotencyKeysTable {
  user_id: string;
  operation: string;
  key: string;
  /** Hash of the request body, to tell a replay from a different request reusing the key. */
  request_hash: string;
  status: IdempotencyStatus;
  response_status: number | null;
  response_body: string | null;
  response_headers: JsonText<Record<string, string>> | null;
  created_at: Generated<Timestamp>;
  expires_at: Timestamp;
}

export type WebhookEventType = 'order.placed' | 'order.status_changed' | 'payment.succeeded' | 'payment.refunded' | 'stock.low';
export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** An endpoint that receives webhook events. */
export interface WebhookSubscriptionsTable {
  id: string;
  url: string;
  events: JsonText<WebhookEventType[]>;
  description: string | null;
  /** 1 or 0 (a CHECK enforces it). */
  enabled: Generated<number>;
  /** `whsec_…`: HMAC keys must be kept as they are to sign, so this is the secret itself. */
  secret: string;
  /** The secret before the last rotation, which still signs deliveries until `previous_secret_expires_at`. */
  previous_secret: string | null;
  previous_secret_expires_at: Timestamp | null;
  created_by: string;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

/**
 * The transactional outbox: one row per event, written in the same transaction as the change that causes it.
 * The delivery worker fans each out to the subscriptions that want it (`dispatched_at` then set).
 */
export interface WebhookEventsTable {
  id: string;
  type: WebhookEventType;
  /** The event exactly as delivered: `{ id, type, occurredAt, data }` as JSON. */
  payload: string;
  occurred_at: Timestamp;
  dispatched_at: Timestamp | null;
}

/** One event on its way to one subscription. */
export interface WebhookDeliveriesTable {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: WebhookEventType;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  /** Attempts of the current round only; the retry schedule's next pause is picked by it. */
  round_attempts: Generated<number>;
  /** When the current round of retries began (creation, or the last redelivery); retries stop 24 hours after it. */
  round_started_at: Generated<Timestamp>;
  /** When the worker may (re)try it; while an attempt is in flight, the end of that attempt's lease. */
  next_attempt_at: Timestamp | null;
  last_attempt_at: Timestamp | null;
  last_response_status: number | null;
  /** A short excerpt only, never the subscriber's whole answer. */
  last_error: string | null;
  created_at: Generated<Timestamp>;
}

/** Failed sign-ins of one account or one client within the current window (see `server/accounts/sign-in-throttle.ts`). */
export interface SignInFailuresTable {
  /** `account:` or `client:` and the SHA-256 of the email or address: neither is stored. */
  key: string;
  failures: number;
  window_started_at: Timestamp;
  /** Until when sign-ins for this key are refused; null while under the limit. */
  locked_until: Timestamp | null;
}

export interface Database {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  menu_items: MenuItemsTable;
  menu_item_sizes: MenuItemSizesTable;
  toppings: ToppingsTable;
  ingredients: IngredientsTable;
  recipes: RecipesTable;
  topping_ingredients: ToppingIngredientsTable;
  stock_adjustments: StockAdjustmentsTable;
  orders: OrdersTable;
  order_lines: OrderLinesTable;
  order_stock_takes: OrderStockTakesTable;
  order_events: OrderEventsTable;
  payments: PaymentsTable;
  payment_attempts: PaymentAttemptsTable;
  refunds: RefundsTable;
  idempotency_keys: IdempotencyKeysTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  sign_in_failures: SignInFailuresTable;
}

export type TableName = keyof Database;
/** A row as a select returns it. */
export type Row<T extends TableName> = Selectable<Database[T]>;
/** A row as an insert takes it. */
export type NewRow<T extends TableName> = Insertable<Database[T]>;
/** The columns an update may set. */
export type RowUpdate<T extends TableName> = Updateable<Database[T]>;
