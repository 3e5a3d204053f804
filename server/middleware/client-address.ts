import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { clientAddressOf, type TrustProxyConfig } from '../http/client-address.ts';

export interface ClientAddressOptions {
  /** The proxies whose forwarding header is believed. @default null: none, the header is ignored */
  trustProxy?: TrustProxyConfig | null;
}

/**
 * Sets `c.var.clientAddress`, who sent the request, for rate limits, sign-in throttling and logs: the
 * connection's peer, or behind trusted proxies the client they report (see `clientAddressOf`).
 */
export function clientAddress(options: ClientAddressOptions = {}): MiddlewareHandler<AppEnv> {
  const { trustProxy = null } = options;
  const headerName = trustProxy?.header;
  return async function clientAddressMiddleware(c, next) {
    const peer = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket?.remoteAddress;
    c.set('clientAddress', clientAddressOf(peer, headerName === undefined ? undefined : c.req.header(headerName), trustProxy));
    return next();
  };
}
