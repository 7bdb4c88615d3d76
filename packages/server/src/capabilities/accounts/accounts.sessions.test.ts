/**
 * Sessions: the tenant's concurrent-session limit evicts the oldest session; a user lists their
 * browsers on the account page and signs another one out; admins list and revoke one session, all
 * of a user's, or the whole tenant's through the admin API; sessions are stored as digests only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { createTestBrowser, csrfOf, PASSWORD, seedUser, type TestBrowser } from './test-support.ts';

describe('sessions', () => {
  let t: AdminTestApp;
  let tenantId: string;
  let userId: string;
  const signIn = async (agent: string) => {
    const b = createTestBrowser(t.app, { userAgent: agent });
    const r = await b.submit('/t/sess/sign-in', { login: 'carol', password: PASSWORD });
    expect(r.status).toBe(303);
    return b;
  };
  const live = (b: TestBrowser) => t.services.accounts.sessions.authenticate(tenantId, b.cookieHeader());

  beforeAll(async () => {
    t = await createAdminTestApp();
    ({ tenantId, userId } = await seedUser(t.services, 'sess', 'carol'));
    await seedUser(t.services, 'sess', 'dave');
    const r = await t.call('PATCH', '/api/v1/tenants/sess/sign-in-settings', {
      body: { sessions: { maxPerUser: 3 } },
    });
    expect(r.statusCode).toBe(200);
  });
  afterAll(async () => t?.close());

  it('evicts the oldest session beyond the limit', async () => {
    const first = await signIn('Mozilla/5.0 (Windows NT 10.0) Firefox/130.0');
    const second = await signIn('Mozilla/5.0 (Macintosh; Mac OS X 14_0) Safari/605.1');
    const third = await signIn('Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36');
    expect(await live(first)).not.toBeNull();
    const fourth = await signIn('Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile Safari/537.36');
    expect(await live(first)).toBeNull();
    for (const b of [second, third, fourth]) expect(await live(b)).not.toBeNull();
    const listed = await t.call('GET', `/api/v1/tenants/sess/sessions?userId=${userId}`);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toHaveLength(3);
    // the database holds digests, never the cookie values
    const rows = await t.runtime.database.db.selectFrom('sessions').select(['digest', 'id']).execute();
    const cookies = [second, third, fourth].map((b) => b.cookies.get('gk_session_sess'));
    for (const r of rows) expect(cookies).not.toContain(r.digest);
  });

  it('lists the browsers on the account page and signs another one out', async () => {
    await t.services.accounts.sessions.revokeUser(tenantId, userId, { actor: 'test' });
    const phone = await signIn('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1');
    const laptop = await signIn('Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36');
    const page = await laptop.get('/t/sess/account');
    expect(page.body).toContain('Safari on iOS');
    expect(page.body).toContain('Chrome on Linux');
    const phoneSession = await live(phone);
    const revoked = await laptop.post('/t/sess/account/sessions/revoke', {
      csrf: csrfOf(page.body, '/t/sess/account/sessions/revoke'),
      session: phoneSession?.id as string,
    });
    expect(revoked.status).toBe(303);
    expect(revoked.location).toBe('/t/sess/account?notice=session_revoked');
    expect(await live(phone)).toBeNull();
    expect(await live(laptop)).not.toBeNull();
    expect((await laptop.get(revoked.location as string)).body).toContain('That browser is signed out.');
  });

  it('does not let a user revoke another user’s session', async () => {
    const dave = createTestBrowser(t.app);
    await dave.submit('/t/sess/sign-in', { login: 'dave', password: PASSWORD });
    const carol = await signIn('Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36');
    const page = await carol.get('/t/sess/account');
    const daveSession = await live(dave);
    const r = await carol.post('/t/sess/account/sessions/revoke', {
      csrf: csrfOf(page.body, '/t/sess/account/sessions/revoke'),
      session: daveSession?.id as string,
    });
    expect(r.location).toBe('/t/sess/account?notice=session_unknown');
    expect(await live(dave)).not.toBeNull();
  });

  it('lets admins revoke one session, a user’s, and the tenant’s', async () => {
    const a = await signIn('agent a');
    const b = await signIn('agent b');
    const sa = await live(a);
    expect((await t.call('DELETE', `/api/v1/tenants/sess/sessions/${sa?.id}`)).statusCode).toBe(204);
    expect(await live(a)).toBeNull();
    expect((await t.call('DELETE', `/api/v1/tenants/sess/sessions/${sa?.id}`)).statusCode).toBe(404);
    const one = await t.call('GET', `/api/v1/tenants/sess/sessions/${(await live(b))?.id}`);
    expect(one.json()).toMatchObject({ userId, amr: ['pwd'], userAgent: 'agent b' });
    const user = await t.call('POST', `/api/v1/tenants/sess/users/${userId}/sessions/revoke`);
    expect(user.json().revoked).toBeGreaterThanOrEqual(1);
    expect(await live(b)).toBeNull();
    await signIn('agent c');
    const all = await t.call('POST', '/api/v1/tenants/sess/sessions/revoke-all');
    expect(all.json().revoked).toBeGreaterThanOrEqual(2);
    expect((await t.call('GET', '/api/v1/tenants/sess/sessions')).json().items).toEqual([]);
  });

  it('refuses a session of one tenant on another', async () => {
    await seedUser(t.services, 'other', 'carol');
    const b = await signIn('agent x');
    const other = await t.services.tenants.resolve('other');
    const cookie = `gk_session_other=${b.cookies.get('gk_session_sess')}`;
    expect(await t.services.accounts.sessions.authenticate(other.id, cookie)).toBeNull();
  });
});
