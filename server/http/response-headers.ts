import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/**
 * Sets a header on the response to `c`'s request, whatever that response turns out to be; call it once the
 * handler has answered (after `await next()`). Served by Node.js, the header goes straight onto Node's
 * response, which merges it with the web Response's own headers when writing them: a web `Headers` costs
 * about a microsecond per `set`, and a request collects some twenty fixed headers. Only for headers the
 * web Response does not carry itself (where both have one, the Response's wins). In process
 * (`app.request`) there is no Node response, and the header is set on `c.res`.
 */
export function setResponseHeader(c: Context, name: string, value: string): void {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (outgoing) outgoing.setHeader(name, value);
  else c.res.headers.set(name, value);
}
