import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { DialectName } from './db/dialect.ts';
import type { ChangeFeed } from './events/change-feed.ts';
import type { Database } from './db/tables.ts';
import type { PrecompressedBody } from './http/content-coding.ts';
import type { PaymentProvider } from './payments/payment-provider.ts';
import type { OrderTracking } from './orders/order-tracking.ts';

/** The caller, as proven by a verified bearer token. */
export interface AuthenticatedUser {
  id: string;
  role: 'customer' | 'staff';
  /** The account's token version when the token was issued; a token of an older version no longer works. */
  tokenVersion: number;
  /** The session (refresh token family) the token was issued to; absent for a token issued outside one. */
  sessionId?: string | undefined;
}

/** Typed context variables set by the server's middleware. */
export interface AppVariables {
  /** A unique id for this request, echoed in `X-Request-Id` and written to every log line. */
  requestId: string;
  /** Who sent the request: the connection's peer, or the client trusted proxies report (`TRUST_PROXY`). */
  clientAddress: string;
  /** The request's child logger (carries the request id). */
  logger: Logger;
  /** The authenticated caller; set by the auth middleware on every operation whose contract requires a token. */
  user: AuthenticatedUser | undefined;
  /** The response body's compressed forms, offered by a handler that made them ahead of time; compression sends one. */
  precompressedBody: PrecompressedBody | undefined;
}

export type AppEnv = { Variables: AppVariables };

export type AppContext = Context<AppEnv>;

/** What the resources need from the outside world; `createApp` receives it once. */
export interface AppDependencies {
  config: Config;
  db: Kysely<Database>;
  dialect: DialectName;
  logger: Logger;
  /** The card processor; the one the configuration names (by default the test-mode provider) when left out. */
  paymentProvider?: PaymentProvider | undefined;
  /** Notices of this instance's committed changes: handlers report them, order streams and the webhook worker listen. */
  changes: ChangeFeed;
  /** This instance's open order event streams (`watchOrder`); shutdown ends them before it drains connections. */
  orderTracking: OrderTracking;
}

/**
 * The caller of an operation the contract secures. The auth middleware has already answered 401/403
 * for such operations, so a missing user here is a server bug, not a client error.
 */
export function currentUser(c: AppContext): AuthenticatedUser {
  const user = c.get('user');
  if (!user) throw new Error(`no authenticated user on secured route ${c.req.method} ${c.req.path}`);
  return user;
}
