import type { Problem, ValidationError } from '../generated/types.gen.ts';

/**
 * What went wrong, one word:
 * - `problem`: the server answered with a non-2xx status (its Problem body is on the error);
 * - `network`: no answer at all (DNS, refused connection, reset, CORS);
 * - `timeout`: the call's `timeout` ran out, retries included;
 * - `aborted`: the caller's `AbortSignal` fired;
 * - `invalid-request`: validation is on and the request breaks the contract (nothing was sent);
 * - `invalid-response`: a 2xx answer is not JSON, or validation is on and it breaks the contract;
 * - `invalid-config`: the client cannot send the call as configured (a `baseUrl` that is not an http(s) URL);
 * - `token-failed`: the client's token function threw or rejected (its error is the `cause`).
 */
export type PizzaPlaceErrorKind =
  | 'problem' | 'network' | 'timeout' | 'aborted' | 'invalid-request' | 'invalid-response' | 'invalid-config' | 'token-failed';

/** One thing a validator found wrong: where (`path` into `{ body, path, query, headers }` or the response body) and what. */
export interface ContractIssue {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
  readonly code?: string;
}

/**
 * The base of every error the SDK returns or throws. It carries the operation (`'POST /orders'`) but
 * never the request's headers, so an access token cannot leak through an error, its message or a log
 * line that serialises it.
 *
 * @example
 * ```ts
 * const { error } = await getOrder({ client, path: { orderId } });
 * if (error instanceof PizzaPlaceError) console.warn(error.kind, error.operation, error.message);
 * ```
 */
export abstract class PizzaPlaceError extends Error {
  override readonly name: string = 'PizzaPlaceError';
  /** The operation as `'<METHOD> <path template>'`, e.g. `'POST /orders/{orderId}/payments'`. */
  declare readonly operation: string;
  /** The server's `X-Request-Id` of the answer, to quote to support or find in the server's logs; `undefined` without an answer. */
  declare readonly requestId: string | undefined;
  /** The answer, when there was one (not enumerable, so it stays out of serialised errors). */
  declare readonly response: Response | undefined;

  constructor(
    operation: string,
    readonly kind: PizzaPlaceErrorKind,
    message: string,
    options?: ErrorOptions & { response?: Response | undefined },
  ) {
    super(`${operation}: ${message}`, options);
    this.operation = operation;
    this.requestId = options?.response?.headers.get('X-Request-Id') ?? undefined;
    Object.defineProperty(this, 'response', { value: options?.response });
  }
}

/**
 * A non-2xx answer (other than `304 Not Modified`, which is a result). `status` discriminates; `problem`
 * is the body the contract declares for that status (`OutOfStockProblem` for 409 on `placeOrder`,
 * `ValidationProblem` for 400/422 …), and its common fields are copied onto the error, `type` typed as
 * the problem types the contract lists for that status. A status the contract does not declare (a
 * proxy's 502) arrives the same way, typed as such, with a Problem made from the status line.
 *
 * @example
 * ```ts
 * const { error } = await placeOrder({ client, body });
 * if (isProblem(error, 409)) showOutOfStock(error.problem.shortages);
 * else if (isProblem(error, 422) && error.type === 'https://pizza-place.example/problems/item-unavailable') showUnavailable();
 * else if (isProblem(error, 429)) retryIn(error.retryAfter);
 * ```
 */
export class ProblemError<Status extends number = number, Body extends Problem = Problem> extends PizzaPlaceError {
  declare readonly kind: 'problem';
  override readonly name = 'ProblemError';
  declare readonly status: Status;
  /** A URI naming the problem type, one of those the contract lists for this status, e.g. `https://pizza-place.example/problems/out-of-stock`. */
  declare readonly type: Body['type'];
  declare readonly title: string;
  declare readonly detail: string | undefined;
  /** The `{ pointer, detail }` list of a validation problem (400/422), else `undefined`. */
  declare readonly errors: ReadonlyArray<ValidationError> | undefined;
  /** The Problem body as the server sent it. */
  declare readonly problem: Body;
  /** How long the server asks to wait before trying again (`Retry-After`, on a 429 or 503), in milliseconds; else `undefined`. */
  declare readonly retryAfter: number | undefined;
  /** The answer itself (not enumerable, so it stays out of serialised errors). */
  declare readonly response: Response;

  constructor(operation: string, problem: Body, response: Response) {
    super(operation, 'problem', `${problem.status} ${problem.title}${problem.detail ? ` — ${problem.detail}` : ''}`, { response });
    this.status = problem.status as Status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = 'errors' in problem ? (problem.errors as ReadonlyArray<ValidationError>) : undefined;
    this.problem = problem;
    this.retryAfter = retryAfter(response.headers.get('Retry-After'));
  }
}

/**
 * No usable answer: `network` (the request never got one), `timeout` (the call's deadline passed,
 * retries included) or `aborted` (the caller's signal fired). `cause` holds the underlying error.
 *
 * @example
 * ```ts
 * const { error } = await listMenuItems({ client, timeout: 2_000 });
 * if (error?.kind === 'timeout' || error?.kind === 'network') showOfflineBanner();
 * ```
 */
export class TransportError extends PizzaPlaceError {
  override readonly name = 'TransportError';
  declare readonly kind: 'network' | 'timeout' | 'aborted';
}

/**
 * Validation is on and something breaks the contract: the request (`invalid-request`, nothing was
 * sent) or a 2xx answer (`invalid-response`, e.g. a server newer or older than this SDK). `issues`
 * says where.
 *
 * @example
 * ```ts
 * const { error } = await getOrder({ client, path: { orderId } });
 * if (error?.kind === 'invalid-response') reportContractDrift(error.issues);
 * ```
 */
export class ContractError extends PizzaPlaceError {
  override readonly name = 'ContractError';
  declare readonly kind: 'invalid-request' | 'invalid-response';

  /** Where and what, one entry per thing found; only `path`, `message` and `code` are kept (a validator's issue can echo input, a password). */
  declare readonly issues: ReadonlyArray<ContractIssue>;

  constructor(operation: string, kind: ContractError['kind'], issues: ReadonlyArray<ContractIssue>, response?: Response) {
    const where = issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    super(operation, kind, `${kind === 'invalid-request' ? 'request' : 'response'} breaks the contract (${where})`, { response });
    this.issues = issues.map(({ path, message, code }) => ({ path, message, ...(code !== undefined && { code }) }));
  }
}

/**
 * The call could not be made as the client is set up, so nothing was sent: `invalid-config` (a
 * `baseUrl` that is not an absolute http(s) URL where there is no page to resolve it against) or
 * `token-failed` (the token function threw or rejected; its error is the `cause`).
 *
 * @example
 * ```ts
 * const { error } = await getMe({ client });
 * if (error?.kind === 'token-failed') redirectToSignIn();
 * ```
 */
export class ClientError extends PizzaPlaceError {
  override readonly name = 'ClientError';
  declare readonly kind: 'invalid-config' | 'token-failed';
}

/** The error statuses of HTTP (RFC 9110 and registered extensions, and the 52x a CDN answers with) a server or a proxy can send. */
export type HttpErrorStatus =
  | 400 | 401 | 402 | 403 | 404 | 405 | 406 | 407 | 408 | 409 | 410 | 411 | 412 | 413 | 414 | 415 | 416 | 417 | 418
  | 421 | 422 | 423 | 424 | 425 | 426 | 428 | 429 | 431 | 451
  | 500 | 501 | 502 | 503 | 504 | 505 | 506 | 507 | 508 | 510 | 511 | 520 | 521 | 522 | 523 | 524 | 525 | 526 | 530;

/**
 * Any error an operation can give: a {@link ProblemError} per status its contract declares (`Errors`,
 * e.g. `PlaceOrderErrors`) with that status's body, one for every status it does not declare (a
 * proxy's 502) with a plain `Problem`, and the SDK's own errors.
 */
export type OperationError<Errors> =
  | { [Status in keyof Errors & number]: ProblemError<Status, Errors[Status] extends Problem ? Errors[Status] : Problem> }[keyof Errors & number]
  | ProblemError<Exclude<HttpErrorStatus, keyof Errors>, Problem>
  | TransportError
  | ContractError
  | ClientError;

/** `Error` narrowed to the problems of `Status`: the declared one, else the undeclared one with that status. */
export type ProblemOf<Error, Status extends number> = [Extract<Error, ProblemError<any, any>>] extends [never]
  ? ProblemError<Status>
  : Error extends ProblemError<infer Declared, infer Body>
    ? Status extends Declared
      ? ProblemError<Status, Body>
      : never
    : never;

/** The SDK's error of `Kind`. */
export type PizzaPlaceErrorOf<Kind extends PizzaPlaceErrorKind> = Kind extends 'problem'
  ? ProblemError
  : Kind extends TransportError['kind']
    ? TransportError & { readonly kind: Kind }
    : Kind extends ContractError['kind']
      ? ContractError & { readonly kind: Kind }
      : ClientError & { readonly kind: Kind };

/**
 * Whether `error` is a {@link ProblemError}, optionally with the given status; narrows either way, to
 * the body the operation declares for that status (or a plain `Problem` for a status it does not declare).
 *
 * @example
 * ```ts
 * const { error } = await placeOrder({ client, body });
 * if (isProblem(error, 409)) showOutOfStock(error.problem.shortages);
 * else if (isProblem(error, 502)) showMaintenancePage();
 * else if (isProblem(error)) showError(error.title);
 * ```
 */
export function isProblem<Error, Status extends number = number>(
  error: Error,
  status?: Status,
): error is Error & (number extends Status ? ProblemError<any, any> : ProblemOf<Error, Status>) {
  return error instanceof ProblemError && (status === undefined || error.status === status);
}

/**
 * Whether `error` came from the SDK, optionally of the given kind; narrows either way.
 *
 * @example
 * ```ts
 * try {
 *   await getOrder({ client, path: { orderId }, throwOnError: true });
 * } catch (error) {
 *   if (isPizzaPlaceError(error, 'timeout')) retryLater();
 *   else throw error;
 * }
 * ```
 */
export function isPizzaPlaceError<Kind extends PizzaPlaceErrorKind = PizzaPlaceErrorKind>(
  error: unknown,
  kind?: Kind,
): error is PizzaPlaceErrorOf<Kind> {
  return error instanceof PizzaPlaceError && (kind === undefined || error.kind === kind);
}

/** `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); `undefined` if absent or unreadable. */
export function retryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
