// Compiled by test/codegen-types.test.ts (and `npm run typecheck`). Each `@ts-expect-error`
// marks a handler the generated `Handlers` type must refuse; the test also checks that every one
// of them is an error once its marker is removed.
import type { Handlers } from '../../generated/hono.gen.ts';
import { problem, respondWithProblem } from '../../server/problem.ts';

const account = {
  id: 'usr_Ada0Lovelace',
  email: 'ada@example.com',
  name: 'Ada',
  role: 'customer' as const,
  createdAt: '2025-06-14T18:05:00Z',
};

export const getMe: Handlers['getMe'] = (c) => c.json(account, 200);

export const getMeAsync: Handlers['getMe'] = async (c) =>
  c.req.header('authorization')
    ? c.json(account, 200)
    : respondWithProblem(c, problem({ type: 'unauthorized', title: 'Unauthorized', status: 401 }));

export const retireMenuItem: Handlers['retireMenuItem'] = async (c) => {
  const { itemId } = c.req.valid('param');
  if (itemId.length > 100) {
    return respondWithProblem(c, problem({ type: 'not-found', title: 'Not found', status: 404 }));
  }
  return c.body(null, 204);
};

export const checkLiveness: Handlers['checkLiveness'] = (c) => c.json({ status: 'ok' as const }, 200);

// @ts-expect-error 201 is not a status getMe declares
export const getMeWithUndeclaredStatus: Handlers['getMe'] = (c) => c.json(account, 201);

// @ts-expect-error role must be customer or staff
export const getMeWithWrongBody: Handlers['getMe'] = (c) => c.json({ ...account, role: 'admin' }, 200);

// @ts-expect-error retireMenuItem answers 204 without content, not 200
export const retireMenuItemWithBody: Handlers['retireMenuItem'] = (c) => c.json({}, 200);

// @ts-expect-error checkLiveness declares no 204
export const checkLivenessWithoutContent: Handlers['checkLiveness'] = (c) => c.body(null, 204);

// @ts-expect-error every operation needs a handler
export const handlersMissingOperations: Handlers = { getMe, retireMenuItem, checkLiveness };
