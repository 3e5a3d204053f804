import { describe, expect, it } from 'vitest';
import { assertSafeExposure, ConfigError, configVariables, DEVELOPMENT_JWT_SECRET, DEVELOPMENT_STAFF_PASSWORD, loadConfig } from '../server/config.ts';

const productionSecrets = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a-production-secret-that-is-long-enough',
  STAFF_PASSWORD: 'a-real-staff-password',
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      environment: 'development',
      port: 8080,
      host: '127.0.0.1',
      database: { kind: 'sqlite', path: './data/pizza-place.db', synchronous: 'FULL', lockTimeoutMs: 2000 },
      jwt: { secret: DEVELOPMENT_JWT_SECRET, issuer: 'pizza-place', audience: 'pizza-place-api', ttlSeconds: 900 },
      sessions: { refreshTtlSeconds: 30 * 86_400, accountCheckIntervalMs: 5000 },
      payments: { provider: 'test-mode', timeoutMs: 10_000 },
      staff: { email: 'staff@pizza-place.test', password: DEVELOPMENT_STAFF_PASSWORD },
      corsOrigins: ['http://localhost:5173'],
      tls: null,
      trustProxy: null,
      logLevel: 'info',
      logFormat: 'pretty',
      bodyLimitBytes: 65_536,
      rateLimit: { perMinute: 600, tokenPerMinute: 10 },
      signIn: { accountFailures: 10, clientFailures: 50, lockoutSeconds: 900 },
      responseValidation: true,
      pricing: { deliveryFeeCents: 399, taxRatePercent: 8, currency: 'USD' },
      shutdownTimeoutMs: 10_000,
      orderTracking: { retryMs: 3000, heartbeatMs: 15_000, pollIntervalMs: 500, maxStreams: 2000, maxStreamMs: 900_000 },
      webhooks: {
        allowPrivateUrls: true,
        timeoutMs: 10_000,
        retryDelaysMs: [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000],
        pollIntervalMs: 1000,
        concurrency: 8,
        retentionDays: 30,
      },
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', CORS_ORIGINS: '' })).toMatchObject({ port: 8080, corsOrigins: ['http://localhost:5173'] });
  });

  it('reads every setting from its variable', () => {
    const config = loadConfig({
      PORT: '3000',
      DATABASE_URL: 'postgresql://pizza:secret@db.internal:5432/pizza',
      DATABASE_POOL_SIZE: '20',
      DATABASE_LOCK_TIMEOUT_MS: '500',
      DATABASE_STATEMENT_TIMEOUT_MS: '3000',
      CORS_ORIGINS: 'https://pizza.example, http://localhost:5173',
      TLS_CERT_FILE: '/etc/tls/cert.pem',
      TLS_KEY_FILE: '/etc/tls/key.pem',
      STAFF_EMAIL: 'Manager@Pizza.Example',
      RESPONSE_VALIDATION: 'false',
      TAX_RATE_PERCENT: '8.875',
    });
    expect(config).toMatchObject({
      port: 3000,
      database: { kind: 'postgres', url: 'postgresql://pizza:secret@db.internal:5432/pizza', poolSize: 20, lockTimeoutMs: 500, statementTimeoutMs: 3000 },
      corsOrigins: ['https://pizza.example', 'http://localhost:5173'],
      tls: { certFile: '/etc/tls/cert.pem', keyFile: '/etc/tls/key.pem' },
      staff: { email: 'manager@pizza.example' },
      responseValidation: false,
      pricing: { taxRatePercent: 8.875 },
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be an integer between 1 and 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT must be an integer between 1 and 65535 (got "70000")'],
    [{ DATABASE_POOL_SIZE: '1' }, 'DATABASE_POOL_SIZE must be an integer between 2 and 500 (got "1")'],
    [{ DATABASE_URL: 'mysql://root:hunter2@db/pizza' }, 'DATABASE_URL must start with postgres:// or postgresql:// (got "mysql://***@db/pizza")'],
    [{ CORS_ORIGINS: 'pizza.example' }, 'CORS_ORIGINS must be a comma-separated list of origins'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ RESPONSE_VALIDATION: 'maybe' }, 'RESPONSE_VALIDATION must be true or false (got "maybe")'],
    [{ CURRENCY: 'usd' }, 'CURRENCY must be an ISO 4217 code such as USD (got "usd")'],
    [{ TLS_CERT_FILE: '/etc/tls/cert.pem' }, 'TLS_KEY_FILE is required when TLS_CERT_FILE is set'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY must be a hop count (1 to 10) or a comma-separated list of IP addresses and CIDR ranges'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY must be a hop count'],
    [{ TRUST_PROXY: '0' }, 'TRUST_PROXY must be a hop count'],
    [{ TRUST_PROXY_HEADER: 'x-real-ip' }, 'TRUST_PROXY_HEADER must be one of x-forwarded-for, forwarded'],
    [{ WEBHOOK_RETRY_DELAYS_MS: '5s,30s' }, 'WEBHOOK_RETRY_DELAYS_MS must be an integer between 0 and 86400000 (got "5s,30s")'],
    [{ WEBHOOK_RETRY_DELAYS_MS: '5000,,30000' }, 'WEBHOOK_RETRY_DELAYS_MS must be an integer between 0 and 86400000'],
    [{ WEBHOOK_ALLOW_PRIVATE_URLS: 'sometimes' }, 'WEBHOOK_ALLOW_PRIVATE_URLS must be true or false (got "sometimes")'],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(configError(env).message).toContain(message);
  });

  it('names every bad variable at once and never echoes a secret', () => {
    const error = configError({ PORT: '0', JWT_SECRET: 'hunter2-too-short' });
    expect(error.problems).toEqual([
      'PORT must be an integer between 1 and 65535 (got "0")',
      'JWT_SECRET must be at least 32 characters long (got 17 characters)',
    ]);
    expect(error.message).not.toContain('hunter2');
  });

  it('requires JWT_SECRET and STAFF_PASSWORD in production', () => {
    expect(configError({ NODE_ENV: 'production' }).problems).toEqual([
      'JWT_SECRET is required when NODE_ENV=production',
      'STAFF_PASSWORD is required when NODE_ENV=production',
    ]);
  });

  it('allows private webhook URLs by default outside production only, and reads the retry schedule as a list', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).webhooks.allowPrivateUrls).toBe(true);
    expect(loadConfig(productionSecrets).webhooks.allowPrivateUrls).toBe(false);
    expect(loadConfig({ ...productionSecrets, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }).webhooks.allowPrivateUrls).toBe(true);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }).webhooks.allowPrivateUrls).toBe(false);
    expect(loadConfig({ WEBHOOK_RETRY_DELAYS_MS: ' 100, 250 ,1000' }).webhooks.retryDelaysMs).toEqual([100, 250, 1000]);
  });

  it('listens on loopback by default outside production, on every interface in production', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).host).toBe('127.0.0.1');
    expect(loadConfig(productionSecrets).host).toBe('0.0.0.0');
  });

  it('refuses to listen beyond loopback while a development secret, public in this repository, is in use', () => {
    for (const HOST of ['0.0.0.0', '::', '192.0.2.10', 'pizza.example']) {
      expect(configError({ HOST }).problems).toEqual([
        'HOST is not a loopback address, and the public development JWT_SECRET and STAFF_PASSWORD would let anyone on the network sign tokens or in as staff: set JWT_SECRET and STAFF_PASSWORD, or listen on 127.0.0.1 (got ' + JSON.stringify(HOST) + ')',
      ]);
    }
    expect(configError({ HOST: '0.0.0.0', JWT_SECRET: 'x'.repeat(32) }).message).toContain('the public development STAFF_PASSWORD would let');
    for (const HOST of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) expect(loadConfig({ HOST }).host).toBe(HOST);
    expect(loadConfig({ HOST: '0.0.0.0', JWT_SECRET: 'x'.repeat(32), STAFF_PASSWORD: 'a long staff password' }).host).toBe('0.0.0.0');
  });

  it('refuses the development secrets in production even when set explicitly', () => {
    expect(configError({ NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET, STAFF_PASSWORD: DEVELOPMENT_STAFF_PASSWORD }).problems).toEqual([
      'JWT_SECRET must not be the public development value (got 51 characters)',
      'STAFF_PASSWORD must not be the public development value (got 31 characters)',
    ]);
  });

  it('refuses a configuration built in code that exposes the development secrets (what startServer checks)', () => {
    const config = loadConfig({});
    expect(() => assertSafeExposure(config)).not.toThrow();
    expect(() => assertSafeExposure({ ...config, host: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => assertSafeExposure({ ...loadConfig(productionSecrets), host: '0.0.0.0' })).not.toThrow();
  });

  it('reads TRUST_PROXY as a hop count or a list of addresses and ranges', () => {
    expect(loadConfig({}).trustProxy).toBeNull();
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toEqual({ kind: 'hops', hops: 2, header: 'x-forwarded-for' });
    const listed = loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1, fd00::/8', TRUST_PROXY_HEADER: 'forwarded' }).trustProxy;
    expect(listed).toMatchObject({ kind: 'addresses', ranges: ['10.0.0.0/8', '127.0.0.1', 'fd00::/8'], header: 'forwarded' });
    if (listed?.kind !== 'addresses') throw new Error('expected a list');
    expect(listed.list.check('10.1.2.3', 'ipv4')).toBe(true);
    expect(listed.list.check('11.1.2.3', 'ipv4')).toBe(false);
    expect(listed.list.check('fd00::1', 'ipv6')).toBe(true);
  });

  it('writes human-readable logs in development and JSON elsewhere, unless told', () => {
    expect(loadConfig({}).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(loadConfig(productionSecrets).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });

  it('turns response validation off by default in production only', () => {
    expect(loadConfig(productionSecrets).responseValidation).toBe(false);
    expect(loadConfig({ ...productionSecrets, RESPONSE_VALIDATION: 'true' }).responseValidation).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).responseValidation).toBe(true);
  });

  it('documents every variable it reads', () => {
    const names = configVariables.map((variable) => variable.name);
    expect(names).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'JWT_SECRET', 'SHUTDOWN_TIMEOUT_MS']));
    for (const variable of configVariables) {
      expect(variable.description, variable.name).not.toBe('');
      expect(variable.default, variable.name).not.toContain('undefined');
    }
  });
});
