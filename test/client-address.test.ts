import { describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { clientAddressOf } from '../server/http/client-address.ts';
import { useTestApp } from './support/app.ts';

const trust = (TRUST_PROXY: string, TRUST_PROXY_HEADER = 'x-forwarded-for') => loadConfig({ TRUST_PROXY, TRUST_PROXY_HEADER }).trustProxy;

describe('the client address', () => {
  it('is the connection peer, whatever X-Forwarded-For or Forwarded say, when no proxy is trusted', () => {
    expect(clientAddressOf('192.0.2.7', '203.0.113.9', null)).toBe('192.0.2.7');
    expect(clientAddressOf('::ffff:192.0.2.7', undefined, null)).toBe('192.0.2.7');
    expect(clientAddressOf(undefined, '203.0.113.9', trust('1'))).toBe('in-process');
  });

  it('with a hop count, is the entry the nearest trusted proxy appended, not one the client wrote itself', () => {
    // The client sent X-Forwarded-For: 1.1.1.1 itself; nginx appended its peer, 203.0.113.9.
    expect(clientAddressOf('10.0.0.2', '1.1.1.1, 203.0.113.9', trust('1'))).toBe('203.0.113.9');
    expect(clientAddressOf('10.0.0.2', '1.1.1.1, 203.0.113.9, 10.0.0.1', trust('2'))).toBe('203.0.113.9');
    expect(clientAddressOf('10.0.0.2', '203.0.113.9', trust('3'))).toBe('203.0.113.9');
    expect(clientAddressOf('10.0.0.2', undefined, trust('1'))).toBe('10.0.0.2');
  });

  it('with a list, walks left past trusted proxies only, and only when the peer is one of them', () => {
    const proxies = trust('10.0.0.0/8, 127.0.0.1');
    expect(clientAddressOf('10.0.0.2', '1.1.1.1, 203.0.113.9, 10.0.0.1', proxies)).toBe('203.0.113.9');
    expect(clientAddressOf('::ffff:127.0.0.1', '198.51.100.4', proxies)).toBe('198.51.100.4');
    // Not from a trusted proxy: the header is anybody's word.
    expect(clientAddressOf('198.51.100.99', '203.0.113.9', proxies)).toBe('198.51.100.99');
    // Everything trusted: the leftmost entry.
    expect(clientAddressOf('10.0.0.2', '10.0.0.3', proxies)).toBe('10.0.0.3');
  });

  it('stops at an entry that is not an address, at the last good one', () => {
    expect(clientAddressOf('10.0.0.2', 'not-an-ip, 10.0.0.1', trust('10.0.0.0/8'))).toBe('10.0.0.1');
    expect(clientAddressOf('10.0.0.2', 'garbage', trust('1'))).toBe('10.0.0.2');
    expect(clientAddressOf('10.0.0.2', `${'9'.repeat(10_000)}, 203.0.113.9`, trust('1'))).toBe('203.0.113.9');
  });

  it('reads RFC 7239 Forwarded (quoted, bracketed, with ports) only when that is the configured header', () => {
    const forwarded = trust('1', 'forwarded');
    expect(clientAddressOf('10.0.0.2', 'for=192.0.2.43, for="[2001:db8:cafe::17]:4711";proto=https', forwarded)).toBe('2001:db8:cafe::17');
    expect(clientAddressOf('10.0.0.2', 'for=192.0.2.43:8080;by=10.0.0.2', forwarded)).toBe('192.0.2.43');
    expect(clientAddressOf('10.0.0.2', 'for=unknown', forwarded)).toBe('10.0.0.2');
    expect(clientAddressOf('10.0.0.2', '1.2.3.4', trust('1'))).toBe('1.2.3.4');
  });
});

/** A request as the Node.js server hands it to the app: from `peer`. */
function fromPeer(peer: string) {
  return { incoming: { socket: { remoteAddress: peer } } };
}

describe('TRUST_PROXY in the app', () => {
  for (const [name, env, expected] of [
    ['ignores X-Forwarded-For without TRUST_PROXY', {}, '10.1.1.1'],
    ['believes X-Forwarded-For from a trusted proxy', { TRUST_PROXY: '10.0.0.0/8' }, '203.0.113.50'],
  ] as const) {
    describe(name, () => {
      const testApp = useTestApp('sqlite', { env: { ...env, RATE_LIMIT_PER_MINUTE: '2' } });

      it(`keys the rate limit and the log line on ${expected}`, async () => {
        const { app, logs } = testApp();
        const send = (forwardedFor: string) =>
          app.request('/menu/items', { headers: { 'X-Forwarded-For': forwardedFor } }, fromPeer('10.1.1.1'));
        // Two clients behind one proxy: with the header believed, each has its own quota of 2.
        const statuses = [];
        for (const client of ['203.0.113.50', '203.0.113.50', '203.0.113.51']) statuses.push((await send(client)).status);
        expect(statuses).toEqual(expected === '10.1.1.1' ? [200, 200, 429] : [200, 200, 200]);
        expect(logs().filter((line) => line.msg === 'request')[0]).toMatchObject({ client: expected });
      });
    });
  }
});
