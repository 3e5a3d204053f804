import { describe, expect, it } from 'vitest';
import { useTestApp } from './support/app.ts';

describe('rate limits', () => {
  const testApp = useTestApp('sqlite', { env: { RATE_LIMIT_PER_MINUTE: '3', TOKEN_RATE_LIMIT_PER_MINUTE: '2' } });

  it('tells the quota on every limited response and answers 429 with Retry-After once it is used up', async () => {
    const { request } = testApp();
    const answers = [];
    for (let attempt = 0; attempt < 4; attempt += 1) answers.push(await request('/menu/toppings'));
    expect(answers.slice(0, 3).map((response) => response.status)).toEqual([200, 200, 200]);
    expect(answers[0]!.headers.get('RateLimit-Policy')).toBe('"default";q=3;w=60');
    expect(answers.slice(0, 3).map((response) => response.headers.get('RateLimit')?.match(/r=(\d+)/)?.[1])).toEqual(['2', '1', '0']);
    const refused = answers[3]!;
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('Content-Type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({ type: 'https://pizza-place.example/problems/rate-limited', status: 429 });
  });

  it('limits POST /auth/token more strictly, on its own quota', async () => {
    const { request } = testApp();
    const credentials = { email: 'nobody@example.com', password: 'not a real password' };
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await request('/auth/token', { method: 'POST', json: credentials });
      statuses.push(response.status);
      if (attempt === 0) expect(response.headers.get('RateLimit-Policy')).toBe('"token";q=2;w=60');
      if (response.status === 429) expect(response.headers.get('Retry-After')).toMatch(/^\d+$/);
    }
    expect(statuses).toEqual([401, 401, 429]);
    expect((await request('/menu/toppings')).status).toBe(200);
  });

  it('does not limit the health checks', async () => {
    const { request } = testApp();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await request('/health/live');
      expect(response.status).toBe(200);
      expect(response.headers.get('RateLimit')).toBeNull();
    }
  });
});
