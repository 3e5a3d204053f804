import type { Context, Env, ValidationTargets } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { zProblem } from '../generated/zod.gen.ts';

/** An RFC 9457 problem detail, the body of every error response. */
export interface Problem<Status extends number = number> {
  type: string;
  title: string;
  status: Status;
  detail?: string;
  instance?: string;
}

/** One thing wrong with a request, located by a JSON Pointer such as `/body/lines/0/quantity`. */
export interface ValidationError {
  pointer: string;
  detail: string;
}

/** A problem with a request, listing each thing wrong with it. */
export interface ValidationProblem<Status extends number = number> extends Problem<Status> {
  errors: Array<ValidationError>;
}

export const problemMediaType = 'application/problem+json';

const problemTypeBase = 'https://pizza-place.example/problems/';

/** The contract's limits on the members that can echo what a client sent. */
const longestDetail = zProblem.shape.detail.unwrap().maxLength ?? Infinity;
const longestInstance = zProblem.shape.instance.unwrap().maxLength ?? Infinity;
const controlCharacters = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g;

/**
 * Builds a problem body. `type` is a slug under the project's problem namespace
 * (`'not-found'` becomes `https://pizza-place.example/problems/not-found`).
 *
 * What a client sent can reach `detail` and `instance` (a path, an id, a query), so both are kept within the
 * contract's limits here, once for every problem: a `detail` too long is cut short with an ellipsis and loses
 * control characters; an `instance` too long loses its query, and is left out when the path alone is too long.
 */
export function problem<Status extends number, Members extends object = object>(
  fields: { type: string; title: string; status: Status; detail?: string; instance?: string } & Members,
): Problem<Status> & Members {
  const { detail, instance: given, ...rest } = fields;
  const bounded = { ...rest } as typeof fields;
  if (detail !== undefined) bounded.detail = boundedDetail(detail);
  const instance = given === undefined ? undefined : asUriReference(given);
  const path = instance?.split('?')[0];
  if (instance !== undefined && instance.length <= longestInstance) bounded.instance = instance;
  else if (path !== undefined && path.length <= longestInstance) bounded.instance = path;
  return { ...bounded, type: new URL(fields.type, problemTypeBase).href };
}

/**
 * The text as a URI reference (the contract's format for `instance`): characters a URI may not hold as they
 * are, such as `{`, `|` or a space (which URL parsing leaves in a path), percent-encoded.
 */
function asUriReference(text: string): string {
  return text.replace(/%(?![0-9a-f]{2})|[^a-z0-9\-._~!$&'()*+,;=:@/?%]/giu, (character) => {
    try {
      return encodeURIComponent(character);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate: U+FFFD
    }
  });
}

function boundedDetail(detail: string): string {
  const clean = detail.replace(controlCharacters, '\uFFFD');
  return clean.length <= longestDetail ? clean : `${clean.slice(0, longestDetail - 1)}…`;
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
): ValidationProblem<400 | 422> {
  const root = pointerRoots[target];
  const errors = error.issues.flatMap(closestIssues).flatMap((issue) => validationErrors(root, issue));
  const detail = `The request has ${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}.`;
  const fields =
    root === 'body'
      ? { type: 'validation-failed', title: 'Your request is not valid', status: 422 as const }
      : { type: 'invalid-parameter', title: 'Invalid request parameter', status: 400 as const };
  return problem({ ...fields, detail, errors, ...(instance && { instance }) });
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

/**
 * zod reports a value matching no member of a union (a `oneOf`, an enum of numbers) as one issue
 * holding every member's issues. A client is better served by the member it meant: the one whose
 * constants (such as a `type` discriminator) matched, or else the list of constants it could use.
 */
function closestIssues(issue: z.core.$ZodIssue): Array<z.core.$ZodIssue> {
  if (issue.code !== 'invalid_union' || !issue.errors.length) return [issue];
  const members = issue.errors.map((memberIssues) =>
    memberIssues.flatMap(closestIssues).map((memberIssue) => ({
      ...memberIssue,
      path: [...issue.path, ...memberIssue.path],
    })),
  );
  const matching = members.filter((memberIssues) => !memberIssues.some(({ code }) => code === 'invalid_value'));
  if (matching.length) {
    return matching.reduce((fewest, memberIssues) => (memberIssues.length < fewest.length ? memberIssues : fewest));
  }
  const constantIssues = members.map((memberIssues) => memberIssues.find(({ code }) => code === 'invalid_value')!);
  const [first] = constantIssues as [z.core.$ZodIssueInvalidValue];
  const values = constantIssues.flatMap((constantIssue) =>
    constantIssue.code === 'invalid_value' && constantIssue.path.join('/') === first.path.join('/')
      ? constantIssue.values
      : [],
  );
  return [{ ...first, values: [...new Set(values)] }];
}

function validationErrors(root: string, issue: z.core.$ZodIssue): ValidationError[] {
  const path = issue.path.map(String);
  if (isMissing(issue)) {
    const property = path.pop();
    return [{ pointer: toPointer(root, path), detail: `Must have the property ${property}.` }];
  }
  if (issue.code === 'unrecognized_keys') {
    // Pointing at each unknown property tells the client exactly what to remove.
    return issue.keys.map((key) => ({ pointer: toPointer(root, [...path, key]), detail: `Is not a property of this request (${key}); remove it.` }));
  }
  return [{ pointer: toPointer(root, path), detail: describe(issue) }];
}

function toPointer(root: string, path: Array<string>): string {
  return ['', root, ...path.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1'))].join('/');
}

/** zod reports a missing property as an `invalid_type` whose input was `undefined`. */
function isMissing(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && issue.path.length > 0 && issue.message.endsWith('received undefined');
}

const formatNames: Record<string, string> = {
  date: 'an RFC 3339 date (2025-06-14)',
  datetime: 'an RFC 3339 date-time (2025-06-14T18:05:00Z)',
  email: 'an email address',
  uri: 'a URI',
  url: 'a URL',
  uuid: 'a UUID',
};

/** A short sentence telling the client what to send instead. */
function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `Must be ${issue.expected === 'array' || issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}.`;
    case 'too_big':
      return `Must ${bound(issue.origin, issue.inclusive ? 'at most' : 'less than', issue.maximum)}.`;
    case 'too_small':
      return `Must ${bound(issue.origin, issue.inclusive ? 'at least' : 'more than', issue.minimum)}.`;
    case 'invalid_value':
      return `Must be one of: ${issue.values.map((value) => JSON.stringify(value)).join(', ')}.`;
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue
        ? `Must match the pattern ${issue.pattern}.`
        : `Must be ${formatNames[issue.format] ?? `a valid ${issue.format}`}.`;
    case 'invalid_union': {
      // A discriminated union reports the discriminator values it knows, untyped in zod's issue.
      const options: unknown = (issue as { options?: unknown }).options;
      return Array.isArray(options)
        ? `Must be one of: ${options.map((option) => JSON.stringify(option)).join(', ')}.`
        : 'Does not match any of the allowed shapes.';
    }
    case 'not_multiple_of':
      return `Must be a multiple of ${issue.divisor}.`;
    default:
      return issue.message;
  }
}

function bound(origin: string, relation: string, limit: number | bigint): string {
  switch (origin) {
    case 'string':
      return `be ${relation} ${limit} characters long`;
    case 'array':
    case 'set':
      return `have ${relation} ${limit} items`;
    default:
      return `be ${relation} ${limit}`;
  }
}
