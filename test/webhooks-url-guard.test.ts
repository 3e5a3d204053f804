import type { LookupAddress, LookupAllOptions } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { attemptRecord, retryDelayMs, retryWindowMs } from '../server/webhooks/delivery-worker.ts';
import { nonPublicKind, publicOnlyLookup, webhookUrlRefusal } from '../server/webhooks/url-guard.ts';

/** A resolver that answers from a table, as `dns.lookup` with `all: true` would. */
function resolver(table: Record<string, string[]>) {
  return (hostname: string, _options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
}

function lookUp(lookup: ReturnType<typeof publicOnlyLookup>, hostname: string, all: boolean) {
  return new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
    lookup(hostname, { all }, (error, address, family) => resolve({ error, address, family })),
  );
}

describe('which addresses are public', () => {
  it.each([
    ['8.8.8.8'], ['93.184.215.14'], ['172.32.0.1'], ['100.128.0.1'], ['2606:4700:4700::1111'], ['2a00:1450:4001:81c::200e'],
  ])('%s is public', (address) => {
    expect(nonPublicKind(address)).toBeUndefined();
  });

  it.each([
    ['0.0.0.0', 'unspecified'], ['10.0.0.1', 'private'], ['100.64.0.1', 'carrier-grade NAT'], ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'], ['172.16.5.4', 'private'], ['192.0.2.10', 'documentation'], ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'], ['198.51.100.7', 'documentation'], ['203.0.113.9', 'documentation'], ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'], ['::', 'unspecified'], ['::1', 'loopback'], ['::ffff:10.0.0.1', 'IPv4-mapped'],
    ['::ffff:8.8.8.8', 'IPv4-mapped'], ['64:ff9b::a00:1', 'NAT64'], ['2001:db8::1', 'documentation'], ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'], ['fe80::1', 'link-local'], ['ff02::1', 'multicast'], ['not-an-address', 'not an IP address'],
  ])('%s is not public (%s)', (address, kind) => {
    expect(nonPublicKind(address)).toContain(kind);
  });
});

describe('the subscriber URL check', () => {
  const resolve = resolver({ 'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'], 'mixed.example.com': ['93.184.215.14', '10.0.0.7'] });

  it('accepts an https URL whose host resolves to public addresses only', async () => {
    expect(await webhookUrlRefusal('https://hooks.example.com/orders', false, resolve)).toBeUndefined();
  });

  it('refuses a host with any private address among its answers, and one that does not resolve', async () => {
    expect(await webhookUrlRefusal('https://mixed.example.com/orders', false, resolve)).toBe(
      'mixed.example.com resolves to 10.0.0.7, a private address; webhooks are only sent to public internet addresses. Use a publicly reachable https URL.',
    );
    expect(await webhookUrlRefusal('https://nowhere.example.com/', false, resolve)).toBe('nowhere.example.com does not resolve to any address; use a host name in public DNS.');
  });

  it('allows http and private addresses without resolving when private URLs are allowed, but never another scheme', async () => {
    const unused = () => {
      throw new Error('resolved a host it did not need to');
    };
    expect(await webhookUrlRefusal('http://localhost:3000/hooks', true, unused)).toBeUndefined();
    expect(await webhookUrlRefusal('http://10.0.0.7/hooks', true, unused)).toBeUndefined();
    expect(await webhookUrlRefusal('ftp://hooks.example.com/', true, unused)).toBe('Must be an http or https URL.');
    expect(await webhookUrlRefusal('ftp://hooks.example.com/', false, unused)).toBe('Must be an https URL.');
  });
});

describe('the lookup a delivery connects through', () => {
  const lookup = publicOnlyLookup(resolver({ 'hooks.example.com': ['93.184.215.14', '93.184.215.15'], 'rebound.example.com': ['127.0.0.1'] }));

  it('hands the socket the address that passed, for one address or all', async () => {
    expect(await lookUp(lookup, 'hooks.example.com', false)).toEqual({ error: null, address: '93.184.215.14', family: 4 });
    expect(await lookUp(lookup, 'hooks.example.com', true)).toMatchObject({
      error: null,
      address: [
        { address: '93.184.215.14', family: 4 },
        { address: '93.184.215.15', family: 4 },
      ],
    });
  });

  it('fails the connection when the host now resolves to a private address', async () => {
    const { error } = await lookUp(lookup, 'rebound.example.com', false);
    expect(error).toMatchObject({ code: 'ERR_WEBHOOK_NON_PUBLIC_ADDRESS', message: expect.stringContaining('rebound.example.com resolves to 127.0.0.1, a loopback address') });
  });
});

describe('the retry schedule', () => {
  const schedule = loadConfig({}).webhooks.retryDelaysMs;

  it('is 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, then 8 h, each ±20 %', () => {
    const middle = Array.from({ length: 11 }, (_, i) => retryDelayMs(i + 1, schedule, () => 0.5));
    expect(middle).toEqual([5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 28_800_000, 28_800_000]);
    expect(retryDelayMs(1, schedule, () => 0)).toBe(4_000);
    expect(retryDelayMs(1, schedule, () => 1)).toBe(6_000);
  });

  it('keeps retrying for 24 hours after the round began, then fails the delivery', () => {
    const failure = { ok: false as const, status: 500, error: 'oops' };
    const roundStartedAt = '2026-12-01T00:00:00.000Z';
    let now = Date.parse(roundStartedAt);
    const attempts = [];
    for (let roundAttempts = 1; ; roundAttempts++) {
      attempts.push(now);
      const record = attemptRecord({ roundAttempts, roundStartedAt }, failure, new Date(now), schedule);
      if (record.status !== 'pending') {
        expect(record).toEqual({ status: 'failed', responseStatus: 500, error: 'oops' });
        break;
      }
      now = Date.parse(record.nextAttemptAt);
    }
    expect(attempts.length).toBeGreaterThanOrEqual(9);
    expect(attempts.at(-1)! - attempts[0]!).toBeLessThanOrEqual(retryWindowMs);
    expect(attemptRecord({ roundAttempts: 1, roundStartedAt }, { ok: true, status: 204 }, new Date(), schedule)).toEqual({ status: 'succeeded', responseStatus: 204 });
  });
});
