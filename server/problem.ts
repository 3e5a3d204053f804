import type { Context, Env, ValidationTargets } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { toJSONSchema, type z } from 'zod';
import { zProblem, zValidationError, zValidationProblem } from '../generated/zod.gen.ts';
import { validationErrorsOf, type ValidationError } from '../sdk/validation-errors.ts';
import { problemTypes, problemTypeUri, type ProblemType, type ProblemTypeUri } from './problem-types.ts';

/** An RFC 9457 problem detail, the body of every error response. */
export interface Problem<Status extends number = number, Type extends string = string> {
  type: Type;
  title: string;
  status: Status;
  detail?: string;
  instance?: string;
}

export type { ValidationError } from '../sdk/validation-errors.ts';

/** A problem with a request, listing each thing wrong with it. */
export interface ValidationProblem<Status extends number = number, Type extends string = string> extends Problem<Status, Type> {
  errors: Array<ValidationError>;
}

export const problemMediaType = 'application/problem+json';


/** The contract's limits on the members that can echo what a client sent. */
const longestDetail = zProblem.shape.detail.unwrap().maxLength ?? Infinity;
const longestInstance = zProblem.shape.instance.unwrap().maxLength ?? Infinity;
const controlCharacters = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g;
const longestPointer = zValidationError.shape.pointer.maxLength ?? Infinity;
const longestErrorDetail = zValidationError.shape.detail.maxLength ?? Infinity;
const mostErrors = toJSONSchema(zValidationProblem.def.right.shape.errors).maxItems ?? Infinity;
const anyControlCharacter = /[\x00-\x1F\x7F]/g;

/**
 * Builds a problem body of a type from the catalogue (`server/problem-types.ts`), which gives its status and
 * title; `type` becomes its URI (`'not-found'` is `https://pizza-place.example/problems/not-found`).
 *
 * What a client sent can reach `detail` and `instance` (a path, an id, a query), so both are kept within the
 * contract's limits here, once for every problem: a `detail` too long is cut short with an ellipsis and loses
 * control characters; an `instance` too long loses its query, and is left out when the path alone is too long;
 * `errors` keeps the first of them the contract allows, each pointer and detail cut to its limit the same way.
 */
export function problem<Type extends ProblemType, Members extends object = object>(
  fields: { type: Type; detail?: string | undefined; instance?: string | undefined } & Members,
): Problem<(typeof problemTypes)[Type]['status'], ProblemTypeUri<Type>> & Omit<Members, 'type' | 'detail' | 'instance'> {
  const { type, detail, instance: given, ...members } = fields;
  const { status, title } = problemTypes[type];
  const body: Problem<(typeof problemTypes)[Type]['status'], ProblemTypeUri<Type>> = { type: problemTypeUri(type), title, status };
  if (detail !== undefined) body.detail = bounded(detail, longestDetail, controlCharacters);
  if ('errors' in members && Array.isArray(members.errors)) members.errors = boundedErrors(members.errors as ValidationError[]);
  const instance = given === undefined ? undefined : asUriReference(given);
  const path = instance?.split('?')[0];
  if (instance !== undefined && instance.length <= longestInstance) body.instance = instance;
  else if (path !== undefined && path.length <= longestInstance) body.instance = path;
  return { ...body, ...members };
}

function asUriReference(text: string): string {
  return text.replace(/%(?![0-9a-f]{2})|[^a-z0-9\-._~!$&'()*+,;=:@/?%]/giu, (character) => {
    try {
      return encodeURIComponent(character);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate: U+FFFD
    }
  });
}

function bounded(text: string, longest: number, forbidden: RegExp): string {
  const clean = text.replace(forbidden, '\uFFFD');
  return clean.length <= longest ? clean : `${clean.slice(0, longest - 1)}…`;
}

function boundedErrors(errors: ValidationError[]): ValidationError[] {
  return errors.slice(0, mostErrors).map(({ pointer, detail }) => ({
    pointer: pointer.length <= longestPointer ? pointer : pointer.slice(0, longestPointer),
    detail: bounded(detail, longestErrorDetail, anyControlCharacter),
  }));
}

/** The `instance` of a problem about the request `c` answers: its path and query, as the client sent them. */
export function instanceOf(c: Context): string {
  const url = c.req.url;
  return url.slice(url.indexOf('/', url.indexOf('//') + 2));
}

/** 404 for something that does not exist, or that the caller may not see: `what` names it (`order ord_…`). */
export function notFoundProblem(what: string, instance: string) {
  return problem({ type: 'not-found', detail: `There is no ${what}.`, instance });
}

/** 422 for a body that reads as the schema says but breaks a rule beyond it; `errors` point at each cause. */
export function invalidBodyProblem(errors: ValidationError[], instance: string) {
  return problem({ type: 'validation-failed', detail: problemCount(errors), instance, errors });
}

function problemCount(errors: readonly unknown[]): string {
  return `The request has ${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}.`;
}

/**
 * Answers with `body` as `application/problem+json` under its own status. The response is typed
 * like `c.json(body, status)`, so a handler's return still has to match a status its route declares.
 */
export function respondWithProblem<E extends Env, Body extends Problem<ContentfulStatusCode>>(
  c: Context<E>,
  body: Body,
) {
  return c.json<Body, Body['status']>(body, body.status, { 'Content-Type': problemMediaType });
}

/** Where each validation target lives in a request, as the first segment of an error's pointer. */
const pointerRoots: Record<keyof ValidationTargets, string> = {
  cookie: 'cookie',
  form: 'body',
  header: 'header',
  json: 'body',
  param: 'path',
  query: 'query',
};

/**
 * The problem for a request that fails its route's schema: 422 `validation-failed` for a body,
 * 400 `invalid-parameter` for a path, query, header or cookie parameter.
 */
export function validationProblem(
  target: keyof ValidationTargets,
  error: z.ZodError,
  instance?: string,
) {
  const root = pointerRoots[target];
  const errors = validationErrorsOf(error.issues, root);
  const detail = problemCount(errors);
  const type = root === 'body' ? ('validation-failed' as const) : ('invalid-parameter' as const);
  return problem({ type, detail, errors, instance });
}

/**
 * zod-openapi `defaultHook`: answers a request that fails validation with a
 * {@link validationProblem} instead of zod's own error body.
 *
 * @example
 * const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
 */
export function validationHook<E extends Env>(
  result: { target: keyof ValidationTargets } & ({ success: true } | { success: false; error: z.ZodError }),
  c: Context<E>,
): Response | undefined {
  if (result.success) return undefined;
  const url = new URL(c.req.url);
  return respondWithProblem(c, validationProblem(result.target, result.error, url.pathname + url.search));
}
