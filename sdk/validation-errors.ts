/**
 * What a zod validation error says, as the list of `{ pointer, detail }` the Pizza Place server answers in a
 * validation problem (`errors`): a JSON Pointer to each offending value and a sentence telling what to send
 * instead. The server, the mock and an app showing form errors all describe a broken request the same way.
 *
 * @example
 * ```ts
 * import { placeOrderValidators, validationErrorsOf } from '@pizza-place/api/validation';
 *
 * try {
 *   await placeOrderValidators.request!({ body: form, headers: new Headers() });
 * } catch (error) {
 *   for (const { pointer, detail } of validationErrorsOf(error.issues)) showFieldError(pointer, detail);
 * }
 * ```
 * @module
 */
import type { z } from 'zod/mini';

/** One thing wrong with a request, located by a JSON Pointer such as `/body/lines/0/quantity`. */
export interface ValidationError {
  pointer: string;
  detail: string;
}

type Issue = z.core.$ZodIssue;
type IssueInvalidValue = z.core.$ZodIssueInvalidValue;

/**
 * The `{ pointer, detail }` of each issue, pointers starting at `root` (`body`, `query`, `path`, `header`):
 * a missing property points at its object, an unknown one at itself, a value matching no member of a union at
 * the member the client meant. Give the validated `input` where zod's messages do not say that a value was
 * missing (`zod/mini` without a locale), so that a missing property is still told apart from a wrong one.
 */
export function validationErrorsOf(issues: readonly Issue[], root = 'body', input?: unknown): ValidationError[] {
  return issues.flatMap(closestIssues).flatMap((issue) => validationErrors(root, issue, input));
}

/**
 * zod reports a value matching no member of a union (a `oneOf`, an enum of numbers) as one issue
 * holding every member's issues. A client is better served by the member it meant: the one whose
 * constants (such as a `type` discriminator) matched, or else the list of constants it could use.
 */
function closestIssues(issue: Issue): Array<Issue> {
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
  const [first] = constantIssues as [IssueInvalidValue];
  const values = constantIssues.flatMap((constantIssue) =>
    constantIssue.code === 'invalid_value' && constantIssue.path.join('/') === first.path.join('/')
      ? constantIssue.values
      : [],
  );
  return [{ ...first, values: [...new Set(values)] }];
}

function validationErrors(root: string, issue: Issue, input: unknown): ValidationError[] {
  const path = issue.path.map(String);
  if (isMissing(issue, input)) {
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
function isMissing(issue: Issue, input: unknown): boolean {
  if (issue.code !== 'invalid_type' || issue.path.length === 0) return false;
  if (issue.message.endsWith('received undefined')) return true;
  return input !== undefined && issue.path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key], input) === undefined;
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
function describe(issue: Issue): string {
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
