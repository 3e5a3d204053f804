import { retryAfter, TransportError } from './errors.ts';

/** How one call retries and how long it may take; every field has a client-wide default. */
export interface RetryPolicy {
  /**
   * How many times to resend after a network error, `429 Too Many Requests` or `503 Service
   * Unavailable`. Only requests that are safe to repeat are resent: `GET`, `HEAD`, `OPTIONS`, and any
   * request carrying an `Idempotency-Key` (the SDK adds one to `placeOrder` and `payOrder`).
   *
   * @default 2
   * @example
   * ```ts
   * await listMenuItems({ client, retries: 0 }); // fail fast, e.g. in a health probe
   * ```
   */
  retries?: number | undefined;
  /**
   * The first backoff in milliseconds; attempt n waits between half and all of
   * `retryDelay * 2 ** n` (capped at `maxRetryDelay`), unless the answer says `Retry-After`.
   *
   * @default 300
   * @example
   * ```ts
   * createPizzaPlaceClient({ baseUrl, retryDelay: 1_000 });
   * ```
   */
  retryDelay?: number | undefined;
  /**
   * The longest wait between two attempts, in milliseconds. A `Retry-After` longer than this is not
   * waited for: the 429/503 is returned as it is.
   *
   * @default 10_000
   * @example
   * ```ts
   * createPizzaPlaceClient({ baseUrl, maxRetryDelay: 30_000 });
   * ```
   */
  maxRetryDelay?: number | undefined;
  /**
   * How long the whole call may take in milliseconds, retries and waits included; past it the call
   * fails with a `timeout` error. `0` means no limit.
   *
   * @default 30_000
   * @example
   * ```ts
   * const { error } = await getOrder({ client, path: { orderId }, timeout: 5_000 });
   * if (error?.kind === 'timeout') showSlowNetworkHint();
   * ```
   */
  timeout?: number | undefined;
}

/** A {@link RetryPolicy} with every field set. */
export type CallPolicyValues = { [Field in keyof RetryPolicy]-?: number };

export const defaultRetryPolicy: CallPolicyValues = { retries: 2, retryDelay: 300, maxRetryDelay: 10_000, timeout: 30_000 };


/** One call's signals: the caller's, and the deadline the call's `timeout` sets (if any). */
export interface CallSignals {
  caller: AbortSignal | undefined;
  deadline: AbortSignal | undefined;
}

export function deadlineSignal(timeout: number): AbortSignal | undefined {
  return timeout > 0 && Number.isFinite(timeout) ? AbortSignal.timeout(timeout) : undefined;
}

/**
 * What a failure becomes once the caller's signal or the deadline has fired, whatever error the
 * fetch or body read threw: an `aborted` or `timeout` {@link TransportError}; otherwise `undefined`.
 */
export function abortFailure(operation: string, signals: CallSignals, timeout: number): TransportError | undefined {
  if (signals.caller?.aborted) return new TransportError(operation, 'aborted', 'aborted by the caller', { cause: signals.caller.reason });
  if (signals.deadline?.aborted) return new TransportError(operation, 'timeout', `no answer within ${timeout} ms`);
  return undefined;
}

/**
 * Sends `request` with `fetch`, resending it under `policy` (see {@link RetryPolicy}). Each attempt
 * is a clone of the same request, so its headers, `Idempotency-Key` included, are identical.
 * Throws a {@link TransportError}; returns the last answer otherwise, whatever its status.
 */
export async function fetchWithRetries(
  request: Request,
  fetch: (request: Request, init?: RequestInit) => Promise<Response>,
  operation: string,
  policy: CallPolicyValues,
  signals: CallSignals,
): Promise<Response> {
  const signal = signals.deadline && signals.caller ? AbortSignal.any([signals.caller, signals.deadline]) : (signals.deadline ?? signals.caller);
  const retries = /^(GET|HEAD|OPTIONS)$/.test(request.method) || request.headers.has('Idempotency-Key') ? policy.retries : 0;
  const fail = (error: unknown) =>
    abortFailure(operation, signals, policy.timeout) ??
    new TransportError(operation, 'network', `no answer from ${new URL(request.url).origin}`, { cause: error });

  for (let attempt = 0; ; attempt++) {
    const last = attempt >= retries;
    let response: Response;
    try {
      // The signal goes to fetch itself: a Request made with a signal follows it only weakly in Node 20's
      // undici, and once collected it no longer aborts, so a timeout would never fire.
      // A custom fetch that resolves to something else than a Response fails where the client reads it, as a network error.
      response = await fetch(last ? request : request.clone(), signal ? { signal } : undefined);
    } catch (error) {
      if (last || abortFailure(operation, signals, policy.timeout)) throw fail(error);
      await pause(backoff(attempt, policy), signal).catch(() => Promise.reject(fail(error)));
      continue;
    }
    if (last || (response.status !== 429 && response.status !== 503)) return response;
    const wait = retryAfter(response.headers.get('Retry-After')) ?? backoff(attempt, policy);
    if (wait > policy.maxRetryDelay) return response;
    // Not awaited: a mocked body (MSW in Node) may never settle its cancel, and the wait must not hang on it.
    response.body?.cancel().catch(() => undefined);
    await pause(wait, signal).catch((error: unknown) => Promise.reject(fail(error)));
  }
}

/** Exponential backoff with "equal jitter": between half and all of `retryDelay * 2 ** attempt`, capped. */
function backoff(attempt: number, { retryDelay, maxRetryDelay }: CallPolicyValues): number {
  const ceiling = Math.min(maxRetryDelay, retryDelay * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Waits `ms` milliseconds; rejects with the signal's reason as soon as it aborts. */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const stop = () => (clearTimeout(timer), reject(signal!.reason));
    const timer = setTimeout(() => (signal?.removeEventListener('abort', stop), resolve()), ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}
