import type { HttpBindings } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env.ts';
import { operationOf } from '../http/operations.ts';
import { problem, respondWithProblem } from '../problem.ts';

export interface BodyLimitOptions {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
}

/**
 * Answers `413 content-too-large` for a body over `maxBytes`, whether or not it declares its length. The rest of
 * the body is left unread, so over HTTP/1.1 the answer says `Connection: close` and the connection ends with it:
 * a client sending on it would otherwise find it dropped (a chunked body) or wait while a large one drains.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler<AppEnv> {
  const { maxBytes } = options;
  const tooLarge = (c: Context<AppEnv>) => {
    const declared = Number(c.req.header('Content-Length'));
    const size = Number.isInteger(declared) && declared > maxBytes ? `is ${declared} bytes` : `is larger than ${maxBytes} bytes`;
    // HTTP/2 has no Connection header (Node refuses one): there the stream alone is reset.
    if ((c.env as Partial<HttpBindings> | undefined)?.incoming?.httpVersionMajor !== 2) c.header('Connection', 'close');
    return respondWithProblem(
      c,
      problem({
        type: 'content-too-large',
        detail: `The request body ${size}; at most ${maxBytes} are accepted.`,
        instance: c.req.path,
      }),
    );
  };
  const countingLimit = honoBodyLimit({ maxSize: maxBytes, onError: tooLarge });
  // Asking for `c.req.raw.body` makes @hono/node-server build a full web Request (with an AbortController
  // and a stream over the socket), which costs more than the rest of a small request. A GET or HEAD has no
  // body, and a declared length can be checked from the header alone; only a chunked body is counted as it streams.
  return async function bodyLimitMiddleware(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const declared = c.req.header('Content-Length');
    if (declared !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      return Number.parseInt(declared, 10) > maxBytes ? tooLarge(c) : next();
    }
    return countingLimit(c, next);
  };
}

function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** Where a `JSON.parse` error says the input broke; the message itself may quote the input, so it is not echoed. */
function describeJsonError(error: unknown): string {
  const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
  return position === undefined ? 'The request body is not valid JSON.' : `The request body is not valid JSON (at position ${position}).`;
}

/**
 * For operations that take a body: `415 unsupported-media-type` when the body's Content-Type is not one
 * the contract declares for the operation, and `400 malformed-request` when a JSON body does not parse.
 * The parsed body is cached by Hono, so the route's validator does not read it again.
 */
export function requestBody(): MiddlewareHandler<AppEnv> {
  return async function requestBodyMiddleware(c, next) {
    const operation = operationOf(c);
    if (!operation || operation.requestMediaTypes.length === 0) return next();
    const contentType = c.req.header('Content-Type');
    if (contentType === undefined && (c.req.raw.body === null || (await c.req.text()).length === 0)) return next();
    const mediaType = contentType === undefined ? undefined : mediaTypeOf(contentType);
    if (mediaType === undefined || !operation.requestMediaTypes.includes(mediaType)) {
      const accepted = operation.requestMediaTypes.join(' or ');
      return respondWithProblem(
        c,
        problem({
          type: 'unsupported-media-type',
          detail: mediaType
            ? `Send the body as ${accepted}, not ${mediaType.slice(0, 100)}.`
            : `Send the body as ${accepted} and say so in Content-Type.`,
          instance: c.req.path,
        }),
      );
    }
    if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
      try {
        await c.req.json();
      } catch (error) {
        const detail = describeJsonError(error);
        return respondWithProblem(
          c,
          problem({
            type: 'malformed-request',
            detail,
            instance: c.req.path,
            errors: [{ pointer: '/body', detail }],
          }),
        );
      }
    }
    return next();
  };
}
