import { expect, it } from 'vitest';
import { createTestApp, useTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';

const limits = { SIGN_IN_ACCOUNT_FAILURES: '3', SIGN_IN_CLIENT_FAILURES: '6', SIGN_IN_LOCKOUT_SECONDS: '600', TOKEN_RATE_LIMIT_PER_MINUTE: '1000' };
const victim = { email: 'victim@example.com', password: 'the victim password', name: 'Victim' };

function signIn(app: TestApp, email: string, password: string, client = '198.51.100.1') {
  return app.app.request(
    '/auth/token',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) },
    { incoming: { socket: { remoteAddress: client } } },
  );
}

async function statusesOf(responses: Array<Response | Promise<Response>>) {
  return Promise.all(responses.map(async (response) => (await response).status));
}

describeEachDatabase('sign-in throttling', (kind) => {
  const testApp = useTestApp(kind, { env: limits });

  it('locks an account after 3 failures with 429 and Retry-After, even for the right password, and from any client', async () => {
    const app = testApp();
    await app.tokenFor(victim);
    const failures = [];
    for (let attempt = 0; attempt < 3; attempt++) failures.push((await signIn(app, victim.email, 'wrong guess', `198.51.100.${attempt + 10}`)).status);
    expect(failures).toEqual([401, 401, 401]);

    const locked = await signIn(app, victim.email, victim.password, '203.0.113.77');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(590);
    expect(await locked.json()).toMatchObject({ type: 'https://pizza-place.example/problems/rate-limited', status: 429 });
  });

  it('answers an email without an account exactly like one with an account, so lockouts tell nothing', async () => {
    const app = testApp();
    await app.tokenFor(victim);
    const answers = async (email: string) => {
      const seen = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const response = await signIn(app, email, 'wrong guess', `192.0.2.${attempt + (email === victim.email ? 10 : 20)}`);
        const body = (await response.json()) as Record<string, unknown>;
        seen.push({ status: response.status, type: body.type, title: body.title, detail: body.detail, retryAfter: response.headers.get('retry-after') !== null });
      }
      return seen;
    };
    expect(await answers('nobody@example.com')).toEqual(await answers(victim.email));
  });

  it('locks a client after 6 failures over any emails, while other clients still sign in', async () => {
    const app = testApp();
    await app.tokenFor(victim);
    const guesses = await statusesOf(Array.from({ length: 6 }, (_, index) => signIn(app, `guess-${index}@example.com`, 'wrong guess', '198.51.100.66')));
    expect(guesses).toEqual(Array(6).fill(401));
    expect((await signIn(app, victim.email, victim.password, '198.51.100.66')).status).toBe(429);
    expect((await signIn(app, victim.email, victim.password, '198.51.100.67')).status).toBe(200);
  });

  it('admits no more guesses than the limit from a burst of 40 in parallel', async () => {
    const app = testApp();
    await app.tokenFor(victim);
    const statuses = await statusesOf(Array.from({ length: 40 }, (_, index) => signIn(app, victim.email, `guess ${index}`, `203.0.113.${index + 1}`)));
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(37);
  });

  it('does not count a successful sign-in, and a success clears the account count', async () => {
    const app = testApp();
    await app.tokenFor(victim);
    // 2 failures then a success, twice: were the account's count not cleared, the third failure would lock it;
    // were successes counted for the client, its limit of 6 would be reached before the last two failures.
    for (let round = 0; round < 2; round++) {
      expect((await signIn(app, victim.email, 'wrong guess')).status).toBe(401);
      expect((await signIn(app, victim.email, 'wrong guess')).status).toBe(401);
      expect((await signIn(app, victim.email, victim.password)).status).toBe(200);
    }
    expect((await signIn(app, 'someone-else@example.com', 'wrong guess')).status).toBe(401);
    expect((await signIn(app, 'someone-else@example.com', 'wrong guess')).status).toBe(401);
    // 6 failures from the client in all: now it is locked.
    expect((await signIn(app, victim.email, victim.password)).status).toBe(429);
  });

  it('does not count a request whose password was never checked', async () => {
    const app = testApp();
    await app.tokenFor(victim);
    for (let attempt = 0; attempt < 5; attempt++) expect((await signIn(app, victim.email, '')).status).toBe(422);
    expect((await signIn(app, victim.email, victim.password)).status).toBe(200);
  });

  it('holds across instances: the count lives in the database both share', async () => {
    const first = testApp();
    const second = createTestApp(first);
    await first.tokenFor(victim);
    expect((await signIn(first, victim.email, 'wrong guess')).status).toBe(401);
    expect((await signIn(second, victim.email, 'wrong guess')).status).toBe(401);
    expect((await signIn(first, victim.email, 'wrong guess')).status).toBe(401);
    expect((await signIn(second, victim.email, victim.password)).status).toBe(429);
  });
});
