/**
 * Sessions across instances, on both dialects (PostgreSQL with Redis as the shared state): a session
 * started on one instance authenticates on the other; revoked on one (by the user, an admin or a
 * tenant-wide revoke), it is refused on the other within a second — even after the other served it
 * from its cache. Lockout counts and CSRF nonces are shared too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { openSecondInstance, type SecondInstance, within } from '../../../test/second-instance.ts';
import { createTestBrowser, csrfOf, PASSWORD, seedUser } from './test-support.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`sessions across instances [${dialect}]`, () => {
    const redis = dialect === 'postgres' && Boolean(process.env.GATEKEEPER_TEST_REDIS_URL);
    let a: TestRuntime;
    let b: SecondInstance;
    let tenantId: string;
    let userId: string;

    beforeAll(async () => {
      a = await createTestRuntime({ dialect, redis });
      b = await openSecondInstance(a);
      ({ tenantId, userId } = await seedUser(a.services, 'multi', 'gina'));
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    const signInOnA = async () => {
      const browser = createTestBrowser(a.app);
      expect((await browser.submit('/t/multi/sign-in', { login: 'gina', password: PASSWORD })).status).toBe(
        303,
      );
      return browser;
    };
    const accountOnB = async (cookie: string) =>
      (
        await b.app.inject({
          method: 'GET',
          url: '/t/multi/account',
          headers: { cookie, accept: 'text/html' },
        })
      ).statusCode;

    it('refuses on B within a second a session revoked on A', async () => {
      const browser = await signInOnA();
      const cookie = browser.cookieHeader();
      expect(await accountOnB(cookie)).toBe(200); // B has it cached now
      const session = await a.services.accounts.sessions.authenticate(tenantId, cookie);
      await a.services.accounts.sessions.revoke(tenantId, session?.id as string, { actor: 'test' });
      const ms = await within(1000, async () => (await accountOnB(cookie)) === 303);
      expect(ms).toBeGreaterThanOrEqual(0);
    });

    it('refuses on B a session signed out or revoked with all of a user’s or the tenant’s on A', async () => {
      const one = await signInOnA();
      const two = await signInOnA();
      const three = await signInOnA();
      for (const x of [one, two, three]) expect(await accountOnB(x.cookieHeader())).toBe(200);
      // sign-out on A through the page
      const page = await one.get('/t/multi/account');
      const signedOut = one.cookieHeader();
      await one.post('/t/multi/sign-out', { csrf: csrfOf(page.body, '/t/multi/sign-out') });
      expect(await within(1000, async () => (await accountOnB(signedOut)) === 303)).toBeGreaterThanOrEqual(0);
      await a.services.accounts.sessions.revokeUser(tenantId, userId, { actor: 'test' });
      for (const x of [two, three])
        expect(
          await within(1000, async () => (await accountOnB(x.cookieHeader())) === 303),
        ).toBeGreaterThanOrEqual(0);
      const four = await signInOnA();
      expect(await accountOnB(four.cookieHeader())).toBe(200);
      await a.services.accounts.sessions.revokeTenant(tenantId, { actor: 'test' });
      expect(
        await within(1000, async () => (await accountOnB(four.cookieHeader())) === 303),
      ).toBeGreaterThanOrEqual(0);
    });

    // without Redis each instance has its own shared state (embedded mode runs one instance)
    it.runIf(redis)('shares CSRF nonces: a form posted on A cannot be replayed on B', async () => {
      const browser = createTestBrowser(a.app);
      const page = await browser.get('/t/multi/sign-in');
      const csrf = csrfOf(page.body);
      const form = { csrf, login: 'gina', password: PASSWORD };
      expect((await browser.post('/t/multi/sign-in', form)).status).toBe(303);
      const onB = createTestBrowser(b.app);
      onB.cookies.set('gk_csrf', browser.cookies.get('gk_csrf') as string);
      expect((await onB.post('/t/multi/sign-in', form)).status).toBe(403);
    });
  });
}
