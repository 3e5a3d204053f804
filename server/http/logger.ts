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

/** The server's JSON logger: one object per line, secrets censored. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    base: undefined,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
