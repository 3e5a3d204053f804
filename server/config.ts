import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/** A setting that cannot be used; the message names every offending variable and what is wrong. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}

/** The JWT signing secret used outside production when `JWT_SECRET` is not set. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-never-use-in-production';
/** The staff password used outside production when `STAFF_PASSWORD` is not set. */
export const DEVELOPMENT_STAFF_PASSWORD = 'development-only-staff-password';

const environments = ['development', 'test', 'production'] as const;
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

interface Setting {
  readonly description: string;
  /** The value used when the variable is unset or empty, as it would be written in the environment. */
  readonly fallback?: string;
  /** How the README shows the default when `fallback` alone does not tell it. */
  readonly defaultNote?: string;
  /** How a bad value is echoed in the error message; secrets must not be. */
  readonly redact?: (value: string) => string;
  readonly schema: z.ZodType<unknown, string>;
}

function integer(min: number, max: number) {
  const rule = `must be an integer between ${min} and ${max}`;
  return z
    .string()
    .regex(/^-?\d+$/, rule)
    .transform(Number)
    .pipe(z.number().int().min(min, rule).max(max, rule));
}

/** A comma-separated list of durations, e.g. `5000,30000`; a bad entry is reported as an integer out of range. */
function millisecondsList(max: number) {
  return z
    .string()
    .transform((value) => value.split(',').map((entry) => entry.trim()))
    .pipe(z.array(integer(0, max)));
}

function text(rule = 'must not be blank') {
  return z.string().trim().min(1, rule);
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, `must be one of ${values.join(', ')}`);
}

const lengthOnly = (value: string) => `${value.length} characters`;

const originsRule = 'must be a comma-separated list of origins such as https://pizza.example';
const origin = z.string().refine((value) => {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}, originsRule);

/** Who may tell the server the client's address: the nearest `hops` proxies, or those whose address is on the list. */
export type TrustProxy = { kind: 'hops'; hops: number } | { kind: 'addresses'; ranges: ReadonlyArray<string>; list: BlockList };

const trustProxyRule = 'must be a hop count (1 to 10) or a comma-separated list of IP addresses and CIDR ranges such as 10.0.0.0/8';

/** `10.0.0.0/8` or `::1` as a subnet; undefined when it is neither. */
function subnetOf(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return undefined;
  const longest = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? longest : Number(prefixText);
  return prefix <= longest ? { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' } : undefined;
}

const trustProxySchema = z.string().transform((value, context): TrustProxy => {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    if (hops >= 1 && hops <= 10) return { kind: 'hops', hops };
  } else {
    const ranges = trimmed.split(',').map((entry) => entry.trim()).filter(Boolean);
    const subnets = ranges.map(subnetOf);
    if (ranges.length > 0 && subnets.every((subnet) => subnet !== undefined)) {
      const list = new BlockList();
      for (const subnet of subnets) list.addSubnet(subnet!.address, subnet!.prefix, subnet!.family);
      return { kind: 'addresses', ranges, list };
    }
  }
  context.addIssue({ code: 'custom', message: trustProxyRule });
  return z.NEVER;
});

/** Whether `host` names only this machine: `localhost` or an address in 127.0.0.0/8 or `::1`. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const address = host.replace(/^\[|\]$/g, '');
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1' || /^::ffff:127\./i.test(address);
}

const settings = {
  NODE_ENV: {
    description: 'Runtime environment; `production` requires real secrets and turns response validation off by default.',
    fallback: 'development',
    schema: oneOf(environments),
  },
  PORT: {
    description: 'TCP port the HTTP server listens on.',
    fallback: '8080',
    schema: integer(1, 65535),
  },
  HOST: {
    description:
      'Interface the HTTP server binds to. Outside production it must be a loopback address unless `JWT_SECRET` and `STAFF_PASSWORD` are set, since their development values are public.',
    defaultNote: '`127.0.0.1` (`0.0.0.0` when NODE_ENV=production)',
    schema: text(),
  },
  DATABASE_URL: {
    description: 'PostgreSQL connection string. When unset the server uses SQLite at `SQLITE_PATH`.',
    defaultNote: '(unset: SQLite)',
    redact: (url) => JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@')),
    schema: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'),
  },
  DATABASE_POOL_SIZE: {
    description:
      'PostgreSQL connections each server instance opens at most. A quarter of them (at least one) is kept for reads, so a burst of orders cannot starve them; keep instances × pool size below the server\'s `max_connections`.',
    fallback: '10',
    schema: integer(2, 500),
  },
  DATABASE_LOCK_TIMEOUT_MS: {
    description: 'How long a statement waits for a row lock (PostgreSQL `lock_timeout`) or the write lock (SQLite `busy_timeout`) before the request answers 503.',
    fallback: '2000',
    schema: integer(100, 60_000),
  },
  DATABASE_STATEMENT_TIMEOUT_MS: {
    description:
      'How long a PostgreSQL statement may run, an idle transaction stay open, or a request wait for a connection before it answers 503.',
    fallback: '5000',
    schema: integer(100, 600_000),
  },
  SQLITE_PATH: {
    description: 'SQLite database file used when `DATABASE_URL` is unset; its directory is created. `:memory:` keeps it in memory.',
    fallback: './data/pizza-place.db',
    schema: text(),
  },
  SQLITE_SYNCHRONOUS: {
    description:
      'When SQLite syncs to disk. `FULL`: at every commit, so an acknowledged order or payment survives a power cut; transactions that arrive together commit together, one sync for the group. `NORMAL`: only at checkpoints, so a process crash loses nothing but a power cut may lose the last commits.',
    fallback: 'FULL',
    schema: oneOf(['FULL', 'NORMAL']),
  },
  JWT_SECRET: {
    description: 'Secret that signs access tokens (HS256), at least 32 characters.',
    defaultNote: '(development-only value; required in production)',
    redact: lengthOnly,
    schema: z.string().min(32, 'must be at least 32 characters long'),
  },
  JWT_ISSUER: {
    description: 'The `iss` claim of issued access tokens.',
    fallback: 'pizza-place',
    schema: text(),
  },
  JWT_AUDIENCE: {
    description: 'The `aud` claim of issued access tokens.',
    fallback: 'pizza-place-api',
    schema: text(),
  },
  TOKEN_TTL_SECONDS: {
    description: 'Lifetime of an access token in seconds.',
    fallback: '900',
    schema: integer(60, 86_400),
  },
  REFRESH_TOKEN_TTL_DAYS: {
    description: 'Lifetime of a refresh token in days: a session ends when it goes this long without a refresh.',
    fallback: '30',
    schema: integer(1, 365),
  },
  ACCOUNT_CHECK_INTERVAL_MS: {
    description:
      'How long each instance trusts what it last read of an account (disabled, role, token version) before reading it again, in milliseconds: an account that is disabled, loses a role or changes its password loses access within this time.',
    fallback: '5000',
    schema: integer(0, 300_000),
  },
  STAFF_EMAIL: {
    description: 'Email of the staff account that start-up creates or updates.',
    fallback: 'staff@pizza-place.test',
    schema: z.email('must be an email address').transform((email) => email.toLowerCase()),
  },
  STAFF_PASSWORD: {
    description: 'Password of that staff account, at least 12 characters.',
    defaultNote: '(development-only value; required in production)',
    redact: lengthOnly,
    schema: z.string().min(12, 'must be at least 12 characters long').max(128, 'must be at most 128 characters long'),
  },
  CORS_ORIGINS: {
    description: 'Comma-separated origins allowed to call the API from a browser.',
    fallback: 'http://localhost:5173',
    schema: z
      .string()
      .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
      .pipe(z.array(origin).min(1, originsRule)),
  },
  TLS_CERT_FILE: {
    description: 'PEM certificate file; set together with `TLS_KEY_FILE` to serve HTTPS.',
    defaultNote: '(unset: plain HTTP)',
    schema: text(),
  },
  TLS_KEY_FILE: {
    description: 'PEM private key file for `TLS_CERT_FILE`. With both set the server speaks HTTP/2 (ALPN `h2`) and HTTP/1.1 over TLS 1.2+ and reloads both files on `SIGHUP`.',
    defaultNote: '(unset: plain HTTP)',
    schema: text(),
  },
  TLS_CA_FILE: {
    description: 'PEM file of the intermediate certificates to send with `TLS_CERT_FILE` (the chain), when they are not in it.',
    defaultNote: '(unset: no chain)',
    schema: text(),
  },
  TRUST_PROXY: {
    description:
      'Which proxies in front of the server to believe about the client\'s address: a hop count (`1`: the one proxy that connects) or a comma-separated list of proxy addresses and CIDR ranges (`10.0.0.0/8, 127.0.0.1`). The client is then read from `TRUST_PROXY_HEADER`; unset, that header is ignored and the client is the connection\'s peer.',
    defaultNote: '(unset: trust no proxy)',
    schema: trustProxySchema,
  },
  TRUST_PROXY_HEADER: {
    description: 'The header the trusted proxies append the client\'s address to: `x-forwarded-for` or `forwarded` (RFC 7239). Only this one is read.',
    fallback: 'x-forwarded-for',
    schema: oneOf(['x-forwarded-for', 'forwarded']),
  },
  LOG_FORMAT: {
    description: 'How log lines are written: `json` (one object per line) or `pretty` (for people at a terminal).',
    defaultNote: '`pretty` (`json` unless NODE_ENV=development)',
    schema: oneOf(['json', 'pretty']),
  },
  LOG_LEVEL: {
    description: 'Minimum level of log lines written (pino levels).',
    fallback: 'info',
    schema: oneOf(logLevels),
  },
  BODY_LIMIT_BYTES: {
    description: 'Largest request body accepted, in bytes.',
    fallback: '65536',
    schema: integer(1024, 10_485_760),
  },
  RATE_LIMIT_PER_MINUTE: {
    description: 'Requests per minute a client may make.',
    fallback: '600',
    schema: integer(1, 1_000_000),
  },
  TOKEN_RATE_LIMIT_PER_MINUTE: {
    description: 'Token requests (`POST /auth/token`) per minute a client may make.',
    fallback: '10',
    schema: integer(1, 1_000_000),
  },
  SIGN_IN_ACCOUNT_FAILURES: {
    description:
      'Failed sign-ins for one email (whether or not it has an account) after which it is locked for `SIGN_IN_LOCKOUT_SECONDS`; counted in the database, so across instances.',
    fallback: '10',
    schema: integer(1, 1_000_000),
  },
  SIGN_IN_CLIENT_FAILURES: {
    description: 'Failed sign-ins from one client address (see `TRUST_PROXY`) after which it may not sign in for `SIGN_IN_LOCKOUT_SECONDS`; counted in the database.',
    fallback: '50',
    schema: integer(1, 1_000_000),
  },
  SIGN_IN_LOCKOUT_SECONDS: {
    description: 'The window in which failed sign-ins are counted, and how long a lockout lasts (answered 429 with `Retry-After`).',
    fallback: '900',
    schema: integer(1, 86_400),
  },
  PAYMENT_PROVIDER: {
    description: 'The card processor: `test-mode` moves no money and knows the contract\'s test tokens. A real one plugs in as a `PaymentProvider` given to `createApp` (see the README).',
    fallback: 'test-mode',
    schema: oneOf(['test-mode'] as const),
  },
  PAYMENT_PROVIDER_TIMEOUT_MS: {
    description:
      'How long a call to the card processor may take before the request answers 503 (the charge or refund is then finished by a retry with the same Idempotency-Key, or at the next start-up), in milliseconds.',
    fallback: '10000',
    schema: integer(100, 120_000),
  },
  RESPONSE_VALIDATION: {
    description: 'Check every response against the contract (a contract breach answers 500).',
    defaultNote: '`true` (`false` when NODE_ENV=production)',
    schema: z.stringbool({ error: 'must be true or false' }),
  },
  DELIVERY_FEE_CENTS: {
    description: 'Delivery fee in minor units of `CURRENCY`.',
    fallback: '399',
    schema: integer(0, 100_000),
  },
  TAX_RATE_PERCENT: {
    description: 'Tax rate applied to subtotal plus delivery fee, in percent (decimals allowed).',
    fallback: '8',
    schema: z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a number between 0 and 100')
      .transform(Number)
      .pipe(z.number().max(100, 'must be a number between 0 and 100')),
  },
  CURRENCY: {
    description: 'ISO 4217 currency of every price.',
    fallback: 'USD',
    schema: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  },
  SHUTDOWN_TIMEOUT_MS: {
    description: 'How long a graceful shutdown waits for requests in flight, in milliseconds.',
    fallback: '10000',
    schema: integer(0, 600_000),
  },
  ORDER_STREAM_RETRY_MS: {
    description: 'What an order event stream (`GET /orders/{orderId}/events`) asks clients to wait before reconnecting after a dropped connection (its `retry:` line), in milliseconds.',
    fallback: '3000',
    schema: integer(100, 600_000),
  },
  ORDER_STREAM_HEARTBEAT_MS: {
    description: 'How often an order event stream sends a comment line while nothing happens, so that proxies and load balancers keep it open, in milliseconds.',
    fallback: '15000',
    schema: integer(10, 300_000),
  },
  ORDER_STREAM_POLL_INTERVAL_MS: {
    description:
      'How often each instance asks the database whether an order its streams follow changed through another instance, in milliseconds (only while a stream is open; changes made through the same instance arrive at once).',
    fallback: '500',
    schema: integer(20, 60_000),
  },
  ORDER_STREAM_MAX: {
    description: 'Order event streams one instance keeps open at most; one more is answered 503 with `Retry-After`.',
    fallback: '2000',
    schema: integer(1, 1_000_000),
  },
  ORDER_STREAM_MAX_AGE_MS: {
    description:
      'How long one order event stream stays open at most, in milliseconds; it then ends with a comment and the client reconnects with `Last-Event-ID` (and a token that is still valid).',
    fallback: '900000',
    schema: integer(1_000, 86_400_000),
  },
  WEBHOOK_ALLOW_PRIVATE_URLS: {
    description:
      'Lets webhook subscriptions use plain `http` and URLs that resolve to loopback, private or link-local addresses, for development and tests. When false, only `https` URLs resolving to public addresses are accepted and connected to. Turning it on in production logs a warning: it lets staff make the server send requests into its own network.',
    defaultNote: '`true` (`false` when NODE_ENV=production)',
    schema: z.stringbool({ error: 'must be true or false' }),
  },
  WEBHOOK_TIMEOUT_MS: {
    description: 'How long a webhook delivery attempt may take (connecting, sending, the answer) before it counts as failed and is retried.',
    fallback: '10000',
    schema: integer(100, 120_000),
  },
  WEBHOOK_RETRY_DELAYS_MS: {
    description:
      'Pauses before each retry of a failed webhook delivery, in milliseconds, comma-separated; the last one repeats. Each varies by ±20 % (jitter); retries stop 24 hours after the first attempt.',
    fallback: '5000,30000,120000,600000,1800000,3600000,7200000,14400000,28800000',
    schema: millisecondsList(86_400_000),
  },
  WEBHOOK_POLL_INTERVAL_MS: {
    description: 'How often the webhook delivery worker looks for due deliveries and for events recorded by other instances; events of its own instance wake it at once.',
    fallback: '1000',
    schema: integer(20, 60_000),
  },
  WEBHOOK_CONCURRENCY: {
    description: 'Webhook deliveries each instance sends at the same time, at most.',
    fallback: '8',
    schema: integer(1, 100),
  },
  WEBHOOK_RETENTION_DAYS: {
    description: 'How long finished webhook deliveries and their events are kept (to list and redeliver them) before they are deleted.',
    fallback: '30',
    schema: integer(1, 3650),
  },
} satisfies Record<string, Setting>;

export type ConfigVariable = keyof typeof settings;

/** Every environment variable the server reads, for the README's table. */
export const configVariables: ReadonlyArray<{ name: ConfigVariable; default: string; description: string }> =
  Object.entries(settings).map(([name, setting]: [string, Setting]) => ({
    name: name as ConfigVariable,
    default: setting.defaultNote ?? `\`${setting.fallback}\``,
    description: setting.description,
  }));

type Parsed<K extends ConfigVariable> = z.output<(typeof settings)[K]['schema']>;
type Raw = { [K in ConfigVariable]: (typeof settings)[K] extends { fallback: string } ? Parsed<K> : Parsed<K> | undefined };

const emptyIsUnset = (value: unknown) => (value === '' ? undefined : value);

const rawSchema = z
  .object(
    Object.fromEntries(
      Object.entries(settings).map(([name, setting]: [string, Setting]) => [
        name,
        z.preprocess(
          emptyIsUnset,
          setting.fallback === undefined ? setting.schema.optional() : setting.schema.prefault(setting.fallback),
        ),
      ]),
    ),
  )
  .superRefine((value, context) => {
    const raw = value as Raw;
    if ((raw.TLS_CERT_FILE === undefined) !== (raw.TLS_KEY_FILE === undefined)) {
      const [missing, present] =
        raw.TLS_CERT_FILE === undefined ? ['TLS_CERT_FILE', 'TLS_KEY_FILE'] : ['TLS_KEY_FILE', 'TLS_CERT_FILE'];
      context.addIssue({ code: 'custom', path: [missing], message: `is required when ${present} is set` });
    }
    if (raw.TLS_CA_FILE !== undefined && raw.TLS_CERT_FILE === undefined) {
      context.addIssue({ code: 'custom', path: ['TLS_CA_FILE'], message: 'is only used with TLS_CERT_FILE and TLS_KEY_FILE' });
    }
    const publicSecrets = publicSecretsIn({ JWT_SECRET: raw.JWT_SECRET, STAFF_PASSWORD: raw.STAFF_PASSWORD });
    if (raw.NODE_ENV === 'production') {
      for (const name of publicSecrets) {
        const message = raw[name] === undefined ? 'is required when NODE_ENV=production' : 'must not be the public development value';
        context.addIssue({ code: 'custom', path: [name], message });
      }
    } else if (raw.HOST !== undefined && !isLoopbackHost(raw.HOST) && publicSecrets.length > 0) {
      context.addIssue({ code: 'custom', path: ['HOST'], message: exposedMessage(publicSecrets) });
    }
  });

type SecretVariable = 'JWT_SECRET' | 'STAFF_PASSWORD';

/** The secrets that are unset or set to their development value, which anyone can read in this file. */
function publicSecretsIn(values: Record<SecretVariable, string | undefined>): SecretVariable[] {
  const developmentValues: Record<SecretVariable, string> = { JWT_SECRET: DEVELOPMENT_JWT_SECRET, STAFF_PASSWORD: DEVELOPMENT_STAFF_PASSWORD };
  return (['JWT_SECRET', 'STAFF_PASSWORD'] as const).filter((name) => values[name] === undefined || values[name] === developmentValues[name]);
}

function exposedMessage(names: SecretVariable[]): string {
  const listed = names.join(' and ');
  return `is not a loopback address, and the public development ${listed} would let anyone on the network sign tokens or in as staff: set ${listed}, or listen on 127.0.0.1`;
}

/**
 * Refuses a configuration that listens beyond loopback with a public development secret. `loadConfig` already
 * refuses one read from the environment; `startServer` asks again for configurations built in code.
 * @throws {ConfigError}
 */
export function assertSafeExposure(config: Pick<Config, 'host' | 'jwt' | 'staff'>): void {
  const publicSecrets = publicSecretsIn({ JWT_SECRET: config.jwt.secret, STAFF_PASSWORD: config.staff.password });
  if (!isLoopbackHost(config.host) && publicSecrets.length > 0) throw new ConfigError([`HOST ${exposedMessage(publicSecrets)} (got ${JSON.stringify(config.host)})`]);
}

function toConfig(raw: Raw) {
  const production = raw.NODE_ENV === 'production';
  return {
    environment: raw.NODE_ENV,
    port: raw.PORT,
    host: raw.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    database:
      raw.DATABASE_URL === undefined
        ? ({ kind: 'sqlite', path: raw.SQLITE_PATH, synchronous: raw.SQLITE_SYNCHRONOUS, lockTimeoutMs: raw.DATABASE_LOCK_TIMEOUT_MS } as const)
        : ({
            kind: 'postgres',
            url: raw.DATABASE_URL,
            poolSize: raw.DATABASE_POOL_SIZE,
            lockTimeoutMs: raw.DATABASE_LOCK_TIMEOUT_MS,
            statementTimeoutMs: raw.DATABASE_STATEMENT_TIMEOUT_MS,
          } as const),
    jwt: {
      secret: raw.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
      issuer: raw.JWT_ISSUER,
      audience: raw.JWT_AUDIENCE,
      ttlSeconds: raw.TOKEN_TTL_SECONDS,
    },
    payments: { provider: raw.PAYMENT_PROVIDER, timeoutMs: raw.PAYMENT_PROVIDER_TIMEOUT_MS },
    sessions: { refreshTtlSeconds: raw.REFRESH_TOKEN_TTL_DAYS * 86_400, accountCheckIntervalMs: raw.ACCOUNT_CHECK_INTERVAL_MS },
    staff: { email: raw.STAFF_EMAIL, password: raw.STAFF_PASSWORD ?? DEVELOPMENT_STAFF_PASSWORD },
    corsOrigins: raw.CORS_ORIGINS,
    tls:
      raw.TLS_CERT_FILE && raw.TLS_KEY_FILE
        ? { certFile: raw.TLS_CERT_FILE, keyFile: raw.TLS_KEY_FILE, ...(raw.TLS_CA_FILE !== undefined && { caFile: raw.TLS_CA_FILE as string }) }
        : null,
    trustProxy: raw.TRUST_PROXY ? { ...raw.TRUST_PROXY, header: raw.TRUST_PROXY_HEADER } : null,
    logLevel: raw.LOG_LEVEL,
    logFormat: raw.LOG_FORMAT ?? (raw.NODE_ENV === 'development' ? 'pretty' : 'json'),
    bodyLimitBytes: raw.BODY_LIMIT_BYTES,
    rateLimit: { perMinute: raw.RATE_LIMIT_PER_MINUTE, tokenPerMinute: raw.TOKEN_RATE_LIMIT_PER_MINUTE },
    signIn: {
      accountFailures: raw.SIGN_IN_ACCOUNT_FAILURES,
      clientFailures: raw.SIGN_IN_CLIENT_FAILURES,
      lockoutSeconds: raw.SIGN_IN_LOCKOUT_SECONDS,
    },
    responseValidation: raw.RESPONSE_VALIDATION ?? !production,
    pricing: { deliveryFeeCents: raw.DELIVERY_FEE_CENTS, taxRatePercent: raw.TAX_RATE_PERCENT, currency: raw.CURRENCY },
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    orderTracking: {
      retryMs: raw.ORDER_STREAM_RETRY_MS,
      heartbeatMs: raw.ORDER_STREAM_HEARTBEAT_MS,
      pollIntervalMs: raw.ORDER_STREAM_POLL_INTERVAL_MS,
      maxStreams: raw.ORDER_STREAM_MAX,
      maxStreamMs: raw.ORDER_STREAM_MAX_AGE_MS,
    },
    webhooks: {
      allowPrivateUrls: raw.WEBHOOK_ALLOW_PRIVATE_URLS ?? !production,
      timeoutMs: raw.WEBHOOK_TIMEOUT_MS,
      retryDelaysMs: raw.WEBHOOK_RETRY_DELAYS_MS,
      pollIntervalMs: raw.WEBHOOK_POLL_INTERVAL_MS,
      concurrency: raw.WEBHOOK_CONCURRENCY,
      retentionDays: raw.WEBHOOK_RETENTION_DAYS,
    },
  };
}

export type Config = ReturnType<typeof toConfig>;
export type DatabaseConfig = Config['database'];

function describeProblem(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = String(issue.path[0]) as ConfigVariable;
  const value = env[name];
  const setting: Setting = settings[name];
  const got = value === undefined || value === '' ? '' : ` (got ${(setting.redact ?? JSON.stringify)(value)})`;
  return `${name} ${issue.message}${got}`;
}

/**
 * Reads the configuration from environment variables, once, at start-up.
 * @throws {ConfigError} naming every variable that is malformed or missing.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = rawSchema.safeParse(env);
  if (!result.success) {
    const firstIssuePerVariable = new Map<PropertyKey, z.core.$ZodIssue>();
    for (const issue of result.error.issues) {
      if (!firstIssuePerVariable.has(issue.path[0]!)) firstIssuePerVariable.set(issue.path[0]!, issue);
    }
    throw new ConfigError([...firstIssuePerVariable.values()].map((issue) => describeProblem(issue, env)));
  }
  return toConfig(result.data as Raw);
}
