/**
 * Sign-in rate limits through the shared state: attempts per address per tenant, then 429 with a
 * page message before any password is hashed (no failure is counted); another address is not
 * affected. Signing in again in a browser that had a session replaces that session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { createTestBrowser, PASSWORD, seedUser } from './test-support.ts';

describe('sign-in rate limits', () => {
  let t: TestRuntime;
  let tenantId: string;
  let userId: string;
  beforeAll(async () => {
    t = await createTestRuntime({ env: { GATEKEEPER_SIGN_IN_RATE_LIMIT_PER_IP: '3' } });
    ({ tenantId, userId } = await seedUser(t.services, 'rl', 'kim'));
  });
  afterAll(async () => t?.close());

  it('refuses the fourth attempt from one address, not from another', async () => {
    const b = createTestBrowser(t.app, { ip: '10.9.9.9' });
    for (let i = 0; i < 3; i++)
      expect(
        (await b.submit('/t/rl/sign-in', { login: 'kim', password: `wrong ${i} password` })).status,
      ).toBe(401);
    const limited = await b.submit('/t/rl/sign-in', { login: 'kim', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.body).toContain('Too many sign-in attempts from here');
    expect((await t.services.accounts.lockout.state(tenantId, userId)).failedAttempts).toBe(3);
    const other = createTestBrowser(t.app, { ip: '10.8.8.8' });
    expect((await other.submit('/t/rl/sign-in', { login: 'kim', password: PASSWORD })).status).toBe(303);
  });

  it('replaces the session of a browser that signs in again', async () => {
    const b = createTestBrowser(t.app, { ip: '10.7.7.7' });
    await b.submit('/t/rl/sign-in', { login: 'kim', password: PASSWORD });
    const first = b.cookieHeader();
    const again = await b.submit(
      '/t/rl/sign-in?prompt=login',
      { login: 'kim', password: PASSWORD },
      { action: '/t/rl/sign-in' },
    );
    expect(again.status).toBe(303);
    expect(await t.services.accounts.sessions.authenticate(tenantId, first)).toBeNull();
    expect(await t.services.accounts.sessions.authenticate(tenantId, b.cookieHeader())).not.toBeNull();
  });
});
