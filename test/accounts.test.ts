import { expect, it } from 'vitest';
import { useTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';

describeEachDatabase('accounts', (kind) => {
  const testApp = useTestApp(kind);

  it('registers a customer and answers 201 with the account and its Location', async () => {
    const { request } = testApp();
    const response = await request('/accounts', {
      method: 'POST',
      json: { email: 'Ada@Example.com', password: 'correct horse battery staple', name: 'Ada Lovelace' },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('Location')).toBe('/me');
    const account = await response.json();
    expect(account).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace', role: 'customer' });
    expect(account).not.toHaveProperty('password');
  });

  it('refuses a second account for the same email in another letter case with 409', async () => {
    const { request } = testApp();
    const body = { email: 'grace@example.com', password: 'correct horse battery staple', name: 'Grace Hopper' };
    expect((await request('/accounts', { method: 'POST', json: body })).status).toBe(201);
    const response = await request('/accounts', { method: 'POST', json: { ...body, email: 'GRACE@example.com' } });
    expect(response.status).toBe(409);
    expect(response.headers.get('Content-Type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ type: 'https://pizza-place.example/problems/email-taken', status: 409 });
  });

  it('signs a registered customer in and tells who they are on /me', async () => {
    const { request } = testApp();
    const credentials = { email: 'linus@example.com', password: 'correct horse battery staple' };
    await request('/accounts', { method: 'POST', json: { ...credentials, name: 'Linus' } });
    const tokenResponse = await request('/auth/token', { method: 'POST', json: { ...credentials, email: 'LINUS@example.com' } });
    expect(tokenResponse.status).toBe(200);
    expect(tokenResponse.headers.get('Cache-Control')).toBe('no-store');
    const token = await tokenResponse.json();
    expect(token).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const me = await request('/me', { token: token.accessToken });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: 'linus@example.com', name: 'Linus', role: 'customer' });
  });

  it('signs the seeded staff account in with the configured credentials', async () => {
    const { request, tokenFor } = testApp();
    const me = await request('/me', { token: await tokenFor('staff') });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: 'usr_staffAccount01', role: 'staff' });
  });

  it('answers a wrong password and an unknown email alike with 401', async () => {
    const { request } = testApp();
    const credentials = { email: 'ken@example.com', password: 'correct horse battery staple' };
    await request('/accounts', { method: 'POST', json: { ...credentials, name: 'Ken' } });
    const wrongPassword = await request('/auth/token', { method: 'POST', json: { ...credentials, password: 'not the password' } });
    const unknownEmail = await request('/auth/token', { method: 'POST', json: { ...credentials, email: 'nobody@example.com' } });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    const [wrongPasswordBody, unknownEmailBody] = [await wrongPassword.json(), await unknownEmail.json()];
    expect(wrongPasswordBody).toEqual({ ...unknownEmailBody, instance: wrongPasswordBody.instance });
    expect(wrongPasswordBody).toMatchObject({ type: 'https://pizza-place.example/problems/invalid-credentials', detail: 'The email or password is wrong.' });
  });

  it('answers a registration that breaks the schema with 422 and a pointer per problem', async () => {
    const { request } = testApp();
    const response = await request('/accounts', { method: 'POST', json: { email: 'not-an-email', password: 'short' } });
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/body', '/body/email', '/body/password']);
  });
});

