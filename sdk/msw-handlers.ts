import { http, HttpResponse, type HttpHandler, type HttpResponseResolver } from 'msw';

import type { Problem } from '../generated/types.gen.ts';

import type { Operation } from './operations.ts';

// The factories `generated/msw.gen.ts` calls for every operation: MSW 2 request handlers that answer
// with the contract's examples, and fixtures made from those examples.

type AnyOperation = Operation<any, any, any>;
type TypesOf<Op extends AnyOperation> = NonNullable<Op['~types']>;

/** An operation's path parameters as MSW hands them to a resolver (`params.orderId`). */
export type PathParamsOf<Op extends AnyOperation> = { [Name in keyof NonNullable<TypesOf<Op>['data']['path']>]: string };
/** An operation's request body, as a resolver reads it with `await request.json()`. */
export type RequestBodyOf<Op extends AnyOperation> = [NonNullable<TypesOf<Op>['data']['body']>] extends [never] ? never : NonNullable<TypesOf<Op>['data']['body']>;
/** Any body an operation may answer with: its success bodies, the Problem bodies it declares, and a plain Problem (any other status). */
export type ResponseBodyOf<Op extends AnyOperation> =
  | Exclude<TypesOf<Op>['responses'][keyof TypesOf<Op>['responses']], void>
  | TypesOf<Op>['errors'][keyof TypesOf<Op>['errors']]
  | Problem
  | null;

/** A resolver of one operation, typed by its contract: its path parameters, its request body and the bodies it may answer with. */
export type ResolverOf<Op extends AnyOperation> = HttpResponseResolver<PathParamsOf<Op>, RequestBodyOf<Op>, ResponseBodyOf<Op>>;

/** The answer a handler gives when its test gives no resolver: a documented status, and a body made fresh for each request. */
export interface DefaultAnswer {
  status: number;
  body?: () => unknown;
}

/**
 * Makes `<operationId>Handler(resolver?)`: an MSW handler of the operation's method and path (on any
 * origin and base path), answering with `resolver` when given, else with the contract's example.
 */
export function handlerOf<Op extends AnyOperation>(operation: Op, answer: DefaultAnswer) {
  const path = `*${operation.route.url.replace(/\{(\w+)\}/g, ':$1')}`;
  const method = operation.route.method.toLowerCase() as Lowercase<Op['route']['method']>;
  const example = () => (answer.body ? HttpResponse.json(answer.body() as never, { status: answer.status }) : new HttpResponse(null, { status: answer.status }));
  return (resolver?: ResolverOf<Op>): HttpHandler => http[method](path, resolver ?? example);
}

/**
 * Makes `<schema>Fixture(overrides?)`: a fresh copy of the contract's example with `overrides` on top,
 * for a test's own data (`orderFixture({ status: 'ready' })`).
 */
export function fixtureOf<T>(example: T) {
  return (overrides?: Partial<T>): T => ({ ...structuredClone(example), ...overrides });
}
