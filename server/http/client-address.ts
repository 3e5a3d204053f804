import { isIP } from 'node:net';
import type { Config } from '../config.ts';

export type TrustProxyConfig = NonNullable<Config['trustProxy']>;

/** What a request made in process (`app.request`, no socket) is known by. */
export const IN_PROCESS_CLIENT = 'in-process';

/** `::ffff:192.0.2.1` (an IPv4 peer of a dual-stack socket) as `192.0.2.1`; other addresses as they are. */
function plainAddress(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/**
 * One node of a forwarding chain as an IP address, without brackets or port (`[2001:db8::1]:4711`,
 * `192.0.2.60:8080`); undefined for anything else (`unknown`, an obfuscated `_hidden`, garbage).
 */
function addressOfNode(node: string): string | undefined {
  let value = node.trim();
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^[\d.]+:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  return isIP(value) === 0 ? undefined : plainAddress(value.toLowerCase());
}

/** The client addresses a header lists, nearest proxy's entry last, as `X-Forwarded-For` and RFC 7239's `for=` order them. */
function forwardingChain(header: TrustProxyConfig['header'], value: string): Array<string | undefined> {
  if (header === 'x-forwarded-for') return value.split(',').map(addressOfNode);
  return value.split(',').map((element) => {
    const pair = element
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.slice(0, 4).toLowerCase() === 'for=');
    return pair === undefined ? undefined : addressOfNode(pair.slice(4));
  });
}

/**
 * Who sent a request: the connection's peer, unless `trust` says the peer is a proxy to believe; then the
 * address the trusted proxies recorded in `trust.header`, read from the right (the nearest proxy's entry) and
 * never further left than trust reaches, so a client cannot choose its own address by sending the header itself:
 * - `hops: n` believes the nearest n proxies (the peer and the n - 1 entries before it);
 * - `addresses` believes every proxy on the list, from the peer leftwards, up to the first address not on it.
 * An entry that is not an address ends the walk at the last good one. Without `trust` the header is ignored.
 */
export function clientAddressOf(peer: string | undefined, headerValue: string | undefined, trust: TrustProxyConfig | null): string {
  if (peer === undefined) return IN_PROCESS_CLIENT;
  const peerAddress = plainAddress(peer);
  if (!trust || headerValue === undefined) return peerAddress;
  // Only the nearest entries can be believed, and they are at the end: a huge header is cut from the left.
  const chain = [...forwardingChain(trust.header, headerValue.slice(-4096)), peerAddress];
  let index = chain.length - 1;
  const believed = (position: number) => {
    const address = chain[position]!;
    if (trust.kind === 'hops') return chain.length - 1 - position < trust.hops;
    return trust.list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  };
  while (index > 0 && believed(index) && chain[index - 1] !== undefined) index -= 1;
  return chain[index]!;
}
