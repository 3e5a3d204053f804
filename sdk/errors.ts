import type { Problem, ValidationError } from '../generated/sdk/types.gen.ts';

/**
 * What went wrong, one word:
 * - `problem`: the server answered with a non-2xx status (its Problem body is on the error);
 * - `network`: no answer at all (DNS, refused connection, reset, CORS);
 * - `timeout`: the call's `timeout` ran out, retries included;
 * - `aborted`: the caller's `AbortSignal` fired;
 * - `invalid-request`: validation is on and the request breaks the contract (nothing was sent);
 * - `invalid-response`: validation is on and a 2xx answer breaks the contract.
 */
export type PizzaPlaceErrorKind = 'problem' | 'network' | 'timeout' | 'aborted' | 'invalid-request' | 'invalid-response';

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
  abstract readonly kind: PizzaPlaceErrorKind;
  override readonly name: string = 'PizzaPlaceError';
  /** The operation as `'<METHOD> <path template>'`, e.g. `'POST /orders/{orderId}/payments'`. */
  readonly operation: string;

  protected constructor(operation: string, message: string, options?: ErrorOptions) {
    super(`${operation}: ${message}`, options);
    this.operation = operation;
  }
}

/**
 * A non-2xx answer. `status` discriminates; `problem` is the body the contract declares for that
 * status (`OutOfStockProblem` for 409 on `placeOrder`, `ValidationProblem` for 400/422 …), and its
 * common fields are copied onto the error. A status the contract does not declare (a proxy's 502)
 * arrives the same way with a Problem made from the status line, so give a `switch (error.status)` a
 * `default`.
 *
 * @example
 * ```ts
 * const { error } = await placeOrder({ client, body });
 * if (error?.kind === 'problem' && error.status === 409) showOutOfStock(error.problem.shortages);
 * ```
 */
export class ProblemError<Status extends number = number, Body extends Problem = Problem> extends PizzaPlaceError {
  readonly kind = 'problem' as const;
  override readonly name = 'ProblemError';
  readonly status: Status;
  /** A URI naming the problem type, e.g. `https://pizza.example/problems/out-of-stock`. */
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** The `{ pointer, detail }` list of a validation problem (400/422), else `undefined`. */
  readonly errors: ReadonlyArray<ValidationError> | undefined;
  /** The Problem body as the server sent it. */
  readonly problem: Body;
  /** The answer itself (not enumerable, so it stays out of serialised errors). */
  declare readonly response: Response;

  constructor(operation: string, problem: Body, response: Response) {
    super(operation, `${problem.status} ${problem.title}${problem.detail ? ` — ${problem.detail}` : ''}`);
    this.status = problem.status as Status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = 'errors' in problem ? (problem.errors as ReadonlyArray<ValidationError>) : undefined;
    this.problem = problem;
    Object.defineProperty(this, 'response', { value: response });
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

  constructor(
    operation: string,
    readonly kind: 'network' | 'timeout' | 'aborted',
    message: string,
    options?: ErrorOptions,
  ) {
    super(operation, message, options);
  }
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
  declare readonly response: Response | undefined;

  constructor(
    operation: string,
    readonly kind: 'invalid-request' | 'invalid-response',
    readonly issues: ReadonlyArray<ContractIssue>,
    response?: Response,
  ) {
    const where = issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    super(operation, `${kind === 'invalid-request' ? 'request' : 'response'} breaks the contract (${where})`);
    Object.defineProperty(this, 'response', { value: response });
  }
}

/** Any error an operation can give, with the Problem bodies an operation declares in `Errors` (e.g. `PlaceOrderErrors`). */
export type OperationError<Errors> =
  | { [Status in keyof Errors & number]: Errors[Status] extends Problem ? ProblemError<Status, Errors[Status]> : never }[keyof Errors & number]
  | TransportError
  | ContractError;

/**
 * Whether `error` is a {@link ProblemError}, optionally with the given status; narrows either way.
 *
 * @example
 * ```ts
 * const { error } = await placeOrder({ client, body });
 * if (isProblem(error, 409)) showOutOfStock(error.detail);
 * else if (isProblem(error)) showError(error.title);
 * ```
 */
export function isProblem<Status extends number = number>(error: unknown, status?: Status): error is ProblemError<Status> {
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
): error is Extract<ProblemError | TransportError | ContractError, { kind: Kind }> {
  return error instanceof PizzaPlaceError && (kind === undefined || error.kind === kind);
}
