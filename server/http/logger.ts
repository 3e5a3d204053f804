import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.ts';

/**
 * Paths censored wherever they appear in a log line. Request logs hold only method, path and status,
 * so this is the second line of defence against a careless `logger.info({ body })`.
 */
const redactedPaths = [
  'password',
  'accessToken',
  'token',
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.accessToken',
  '*.token',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers.cookie',
];

/** Lines are written once this many bytes are waiting, or after {@link LOG_FLUSH_INTERVAL_MS}, whichever comes first. */
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_INTERVAL_MS = 200;

/**
 * The server's JSON logger: one object per line, secrets censored. By default lines go to stdout through a
 * buffer written asynchronously (a write system call per 4 KiB rather than per request; a line waits at most
 * 200 ms). Call {@link flushLogger} before the process ends; pino also writes what is left synchronously on
 * `process.exit` and on a crash.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    base: undefined,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(
    options,
    destination ?? pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS }),
  );
}

/** Waits until every line logged so far has been written. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}
