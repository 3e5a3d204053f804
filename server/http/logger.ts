import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.ts';
import { prettyDestination } from './pretty-log.ts';

/**
 * Members censored wherever they appear in a log line, to four levels deep, whatever their case. Request logs
 * hold only method, path and status, so this is the second line of defence against a careless
 * `logger.info({ body })`. Checked by a walk over the logged object rather than pino's `redact` paths: with
 * wildcards those cost about 10 µs per line, as much as the rest of logging together.
 */
const secretKeys = new Set(['password', 'accesstoken', 'token', 'authorization', 'cookie']);
const CENSOR = '[redacted]';
const CENSOR_DEPTH = 4;

/** A copy of `value` with the same prototype and own properties (an Error keeps its message and stack). */
function shallowCopy(value: object): Record<string, unknown> {
  if (Array.isArray(value)) return [...value] as unknown as Record<string, unknown>;
  return Object.defineProperties(Object.create(Object.getPrototypeOf(value) as object | null), Object.getOwnPropertyDescriptors(value));
}

/** `value` with every secret member censored; copied only along the paths where something was. */
function censorSecrets<T>(value: T, depth = 0): T {
  if (depth >= CENSOR_DEPTH || typeof value !== 'object' || value === null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    const censored = secretKeys.has(key.toLowerCase()) ? CENSOR : censorSecrets(member, depth + 1);
    if (censored !== member) {
      copy ??= shallowCopy(value);
      copy[key] = censored;
    }
  }
  return (copy ?? value) as T;
}

let stampedSecond = Number.NaN;
let secondPrefix = '';

/**
 * pino's `isoTime`, same text: building a `Date` and its ISO string costs about a microsecond per line, so the
 * text up to the second is made once a second and only the milliseconds are added per line.
 */
function isoTimestamp(): string {
  const now = Date.now();
  const milliseconds = now % 1000;
  const second = now - milliseconds;
  if (second !== stampedSecond) {
    stampedSecond = second;
    secondPrefix = `,"time":"${new Date(second).toISOString().slice(0, 20)}`;
  }
  return `${secondPrefix}${milliseconds < 10 ? '00' : milliseconds < 100 ? '0' : ''}${milliseconds}Z"`;
}

/** Lines are written once this many bytes are waiting, or after {@link LOG_FLUSH_INTERVAL_MS}, whichever comes first. */
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_INTERVAL_MS = 200;

/**
 * The server's logger: one JSON object per line (or, with `logFormat: 'pretty'`, a line for people to read, written
 * at once), secrets censored. By default JSON lines go to stdout through a
 * buffer written asynchronously (a write system call per 4 KiB rather than per request; a line waits at most
 * 200 ms). Call {@link flushLogger} before the process ends; pino also writes what is left synchronously on
 * `process.exit` and on a crash.
 */
export function createLogger(config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'logFormat'>>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    base: undefined,
    formatters: { log: censorSecrets<Record<string, unknown>> },
    timestamp: isoTimestamp,
  };
  const logger = pino(
    options,
    destination ??
      (config.logFormat === 'pretty'
        ? prettyDestination()
        : pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS })),
  );
  // pino's bindings formatter sees only the root's bindings, not a child's; children inherit this `child`, so theirs are censored too.
  const { child } = logger;
  logger.child = function censoringChild(this: Logger, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions) {
    return Reflect.apply(child, this, [censorSecrets(bindings), childOptions]) as Logger;
  } as unknown as Logger['child'];
  return logger;
}

/** Waits until every line logged so far has been written. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}
