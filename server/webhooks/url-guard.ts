/**
 * Keeps webhooks from becoming a way into the server's own network (SSRF): unless private URLs are allowed
 * (`WEBHOOK_ALLOW_PRIVATE_URLS`, for development and tests), a subscriber URL must be `https` and its host
 * must resolve to public unicast addresses only. It is checked when a subscription is saved, and again at every
 * delivery, where the connection goes to exactly the address that passed (see {@link publicOnlyLookup}), so a
 * DNS answer that changes in between (rebinding) cannot reach a private address.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Address ranges that are not public unicast, each with what a person reading a refusal would call it. */
const nonPublicRanges: ReadonlyArray<readonly [network: string, prefix: number, family: 'ipv4' | 'ipv6', kind: string]> = [
  ['0.0.0.0', 8, 'ipv4', 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT (shared) address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (cloud metadata lives there)'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'an IETF protocol assignment address'],
  ['192.0.2.0', 24, 'ipv4', 'a documentation address'],
  ['192.88.99.0', 24, 'ipv4', 'a 6to4 relay address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['198.51.100.0', 24, 'ipv4', 'a documentation address'],
  ['203.0.113.0', 24, 'ipv4', 'a documentation address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['::ffff:0:0', 96, 'ipv6', 'an IPv4-mapped address'],
  ['64:ff9b::', 96, 'ipv6', 'a NAT64 address'],
  ['64:ff9b:1::', 48, 'ipv6', 'a NAT64 address'],
  ['100::', 64, 'ipv6', 'a discard-only address'],
  ['2001::', 23, 'ipv6', 'an IETF protocol assignment address'],
  ['2001:db8::', 32, 'ipv6', 'a documentation address'],
  ['2002::', 16, 'ipv6', 'a 6to4 address'],
  ['3fff::', 20, 'ipv6', 'a documentation address'],
  ['fc00::', 7, 'ipv6', 'a unique local (private) address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['fec0::', 10, 'ipv6', 'a site-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
];

const blockLists = nonPublicRanges.map(([network, prefix, family, kind]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, kind };
});

/** IPv6 global unicast is 2000::/3; nothing outside it is reachable on the public internet. */
const globalUnicast = new BlockList();
globalUnicast.addSubnet('2000::', 3, 'ipv6');

/**
 * What kind of non-public address `address` is (`'a private address'`, …), or undefined for a public unicast
 * address. Anything that is not a plain IP address counts as not public.
 */
export function nonPublicKind(address: string): string | undefined {
  const version = isIP(address);
  if (version === 0) return 'not an IP address';
  const family = version === 4 ? 'ipv4' : 'ipv6';
  // Node's BlockList also matches IPv4-mapped IPv6 addresses against IPv4 ranges, so each range is asked on its own family.
  for (const { list, family: rangeFamily, kind } of blockLists) {
    if (rangeFamily === family && list.check(address, family)) return kind;
  }
  if (family === 'ipv6' && !globalUnicast.check(address, 'ipv6')) return 'not a global unicast address';
  return undefined;
}

/** A connection refused because its host resolved to an address that is not public. */
export class NonPublicAddressError extends Error {
  override readonly name = 'NonPublicAddressError';
  readonly code = 'ERR_WEBHOOK_NON_PUBLIC_ADDRESS';

  constructor(host: string, address: string, kind: string) {
    super(
      host === address
        ? `${address} is ${kind}; webhooks are only sent to public internet addresses`
        : `${host} resolves to ${address}, ${kind}; webhooks are only sent to public internet addresses`,
    );
  }
}

type ResolveAll = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A `lookup` for `http.request`/`https.request` that resolves the host and refuses it unless every address it
 * resolves to is public; the socket then connects to the address that passed, never to a second answer.
 * `resolve` is the system resolver (`dns.lookup`) unless a test gives another.
 */
export function publicOnlyLookup(resolve: ResolveAll = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family, hints: options.hints, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const kind = nonPublicKind(address);
        if (kind !== undefined) return callback(new NonPublicAddressError(hostname, address, kind), '', 0);
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The host of a URL as an address or name: IPv6 literals lose their brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Why `url` cannot be a webhook's destination without resolving it (its scheme, credentials, or a literal
 * address that is not public), or undefined. The delivery worker asks it before every attempt.
 */
export function staticUrlRefusal(url: URL, allowPrivateUrls: boolean): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return allowPrivateUrls ? 'Must be an http or https URL.' : 'Must be an https URL.';
  if (url.protocol === 'http:' && !allowPrivateUrls) return 'Must be an https URL: events are only sent over an encrypted connection.';
  if (url.username !== '' || url.password !== '') {
    return 'Must not contain a user name or password: every staff member can read the URL, and deliveries are authenticated by their signature.';
  }
  const host = hostOf(url);
  if (!allowPrivateUrls && isIP(host) !== 0) {
    const kind = nonPublicKind(host);
    if (kind !== undefined) return `${new NonPublicAddressError(host, host, kind).message}. Use a publicly reachable https URL.`;
  }
  return undefined;
}

/**
 * Why `text` cannot be a webhook's destination, as a sentence for the person who sent it, or undefined when
 * it can. Unless private URLs are allowed, a host name is resolved and every address must be public.
 */
export async function webhookUrlRefusal(text: string, allowPrivateUrls: boolean, resolve: ResolveAll = dnsLookup): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Must be an absolute https URL.';
  }
  const refusal = staticUrlRefusal(url, allowPrivateUrls);
  if (refusal !== undefined || allowPrivateUrls || isIP(hostOf(url)) !== 0) return refusal;
  const host = hostOf(url);
  const addresses = await new Promise<LookupAddress[] | NodeJS.ErrnoException>((settle) =>
    resolve(host, { all: true }, (error, found) => settle(error ?? found)),
  );
  if (!Array.isArray(addresses) || addresses.length === 0) {
    return !Array.isArray(addresses) && addresses.code !== 'ENOTFOUND' && addresses.code !== 'ENODATA'
      ? `${host} could not be resolved right now (${addresses.code ?? addresses.message}); try again later.`
      : `${host} does not resolve to any address; use a host name in public DNS.`;
  }
  for (const { address } of addresses) {
    const kind = nonPublicKind(address);
    if (kind !== undefined) return `${new NonPublicAddressError(host, address, kind).message}. Use a publicly reachable https URL.`;
  }
  return undefined;
}
