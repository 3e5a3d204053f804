/**
 * Every problem type the server answers with: its status, its title (the same type always has the same title),
 * and the response of the contract that declares it. Handlers and middleware name a type; `problem()` fills in
 * the rest, and a test holds the contract's declared types and its examples to this table.
 */
export const problemTypes = {
  'invalid-parameter': { status: 400, title: 'Invalid request parameter', response: 'BadRequest' },
  'malformed-request': { status: 400, title: 'The request body is not valid JSON', response: 'BadRequest' },
  unauthorized: { status: 401, title: 'Unauthorized', response: 'Unauthorized' },
  'invalid-credentials': { status: 401, title: 'Wrong email or password', response: 'Unauthorized' },
  'invalid-refresh-token': { status: 401, title: 'Refresh token not valid', response: 'Unauthorized' },
  'payment-declined': { status: 402, title: 'Payment declined', response: 'PaymentRequired' },
  forbidden: { status: 403, title: 'Forbidden', response: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found', response: 'NotFound' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', response: undefined },
  'email-taken': { status: 409, title: 'Email already registered', response: 'Conflict' },
  'invalid-transition': { status: 409, title: 'Status change not allowed', response: 'Conflict' },
  'order-already-paid': { status: 409, title: 'Order already paid', response: 'Conflict' },
  'order-cancelled': { status: 409, title: 'Order cancelled', response: 'Conflict' },
  'insufficient-stock': { status: 409, title: 'Stock level out of range', response: 'Conflict' },
  'payment-in-progress': { status: 409, title: 'Payment in progress', response: 'Conflict' },
  'name-taken': { status: 409, title: 'Name already in use', response: 'Conflict' },
  'out-of-stock': { status: 409, title: 'Out of stock', response: 'OutOfStock' },
  'content-too-large': { status: 413, title: 'Request body too large', response: 'ContentTooLarge' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', response: 'UnsupportedMediaType' },
  'validation-failed': { status: 422, title: 'Your request is not valid', response: 'UnprocessableContent' },
  'item-unavailable': { status: 422, title: 'Item cannot be ordered', response: 'UnprocessableContent' },
  'order-too-large': { status: 422, title: 'Order too large', response: 'UnprocessableContent' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency key reused', response: 'UnprocessableContent' },
  'unknown-payment-method': { status: 422, title: 'Unknown payment method', response: 'UnprocessableContent' },
  'wrong-password': { status: 422, title: 'Current password is wrong', response: 'UnprocessableContent' },
  'refund-too-large': { status: 422, title: 'Refund larger than what is left', response: 'UnprocessableContent' },
  'rate-limited': { status: 429, title: 'Too many requests', response: 'TooManyRequests' },
  'internal-error': { status: 500, title: 'Internal server error', response: 'InternalError' },
  'response-contract-violation': { status: 500, title: 'The server broke its own contract', response: 'InternalError' },
  'service-unavailable': { status: 503, title: 'Service unavailable', response: 'ServiceUnavailable' },
  'payment-provider-unavailable': { status: 503, title: 'Card processor unavailable', response: 'ServiceUnavailable' },
} as const;

export type ProblemType = keyof typeof problemTypes;

/** Where problem types live: `not-found` is `https://pizza-place.example/problems/not-found`. */
export const problemTypeBase = 'https://pizza-place.example/problems/';

/** The URI a problem type is known by, as its literal type. */
export type ProblemTypeUri<Type extends ProblemType = ProblemType> = `${typeof problemTypeBase}${Type}`;

export function problemTypeUri<Type extends ProblemType>(type: Type): ProblemTypeUri<Type> {
  return `${problemTypeBase}${type}`;
}
