import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../server/http/logger.ts';

export interface MemoryLogger {
  /** The server's logger, at debug level, writing into memory. */
  logger: Logger;
  /** Every line written so far, parsed. */
  lines(): Array<Record<string, unknown>>;
}

/** A logger like the server's whose lines a test can read back (to check what is, and is not, logged). */
export function memoryLogger(): MemoryLogger {
  const lines: Array<string> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return {
    logger: createLogger({ logLevel: 'debug' }, destination),
    lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
