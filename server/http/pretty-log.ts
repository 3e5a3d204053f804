import type { DestinationStream } from 'pino';

const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const levelColours: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };

/** `key=value` for a member of a log line; text as it is when it has no spaces, anything else as JSON. */
function field(key: string, value: unknown): string {
  const text = typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return `${key}=${text}`;
}

/**
 * One JSON log line as a person reads it at a terminal: time, level, message, then the other members as
 * `key=value`; a request line reads `GET /menu/items 200 3.1ms`, and an error's stack follows on its own lines.
 */
export function formatLogLine(json: string, colour = false): string {
  let line: Record<string, unknown>;
  try {
    line = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const { time, level, msg, err, method, path, status, durationMs, ...rest } = line;
  const name = (levelNames[level as number] ?? String(level)).padEnd(5);
  const parts = [typeof time === 'string' ? time.slice(11, 23) : '', colour ? `\x1b[${levelColours[level as number] ?? '0'}m${name}\x1b[0m` : name];
  if (typeof msg === 'string') parts.push(msg);
  if (method !== undefined) parts.push(`${String(method)} ${String(path)} ${String(status)} ${String(durationMs)}ms`);
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) parts.push(field(key, value));
  const stack = typeof err === 'object' && err !== null ? (err as { stack?: unknown }).stack : undefined;
  return `${parts.join(' ')}\n${typeof stack === 'string' ? `${stack.replace(/^/gm, '    ')}\n` : ''}`;
}

/** A pino destination writing {@link formatLogLine} lines to `out` (stdout by default), in colour on a terminal. */
export function prettyDestination(out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): DestinationStream {
  const colour = out.isTTY === true;
  return { write: (json: string) => void out.write(formatLogLine(json, colour)) };
}
