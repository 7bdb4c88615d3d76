/**
 * Password changes: an admin requires a change at the next sign-in — the password is verified, the
 * browser gets no session but the change-password page; weak, name-containing and reused passwords
 * are refused on the page and change nothing; a good one signs the browser in. From the account page
 * the current password is asked, and the user's other sessions end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import type { EmittedEvent } from '../../events/event-bus.ts';
import { createTestBrowser, PASSWORD, seedUser } from './test-support.ts';

const alertOf = (body: string) => /role="alert"[^>]*>([^<]*)</.exec(body)?.[1];

describe('password changes', () => {
  let t: AdminTestApp;
  let tenantId: string;
  let userId: string;
  const events: EmittedEvent[] = [];
  beforeAll(async () => {
    t = await createAdminTestApp();
    ({ tenantId, userId } = await seedUser(t.services, 'pw', 'erin', { email: 'erin.smith@example.com' }));
    t.runtime.bus.subscribe((e) => events.push(e));
  });
  afterAll(async () => t?.close());

  it('forces a change at the next sign-in', async () => {
    const r = await t.call('POST', `/api/v1/tenants/pw/users/${userId}/require-password-change`, {
      body: { required: true },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().mustChangePassword).toBe(true);

    const b = createTestBrowser(t.app);
    const signIn = await b.submit('/t/pw/sign-in', { login: 'erin', password: PASSWORD });
    expect(signIn.status).toBe(303);
    expect(signIn.location).toBe('/t/pw/change-password');
    expect(b.cookies.has('gk_session_pw')).toBe(false);
    expect(b.cookies.has('gk_pending_pw')).toBe(true);
    // the account page is still out of reach
    expect((await b.get('/t/pw/account')).status).toBe(303);

    const page = await b.get('/t/pw/change-password');
    expect(page.body).toContain('Your administrator asks you to choose a new password');
    expect(page.body).not.toContain('name="current"');

    const refusals: [string, RegExp][] = [
      ['short one', /at least 12 characters/],
      ['password1234', /too common/],
      ['erin.smith rocks 2026', /username or email/],
      [PASSWORD, /differ from the current/],
    ];
    for (const [candidate, message] of refusals) {
      const r = await b.submit('/t/pw/change-password', { new: candidate, confirm: candidate });
      expect(r.status, candidate).toBe(400);
      expect(alertOf(r.body), candidate).toMatch(message);
    }
    const mismatch = await b.submit('/t/pw/change-password', {
      new: 'lantern orchard pebble 77',
      confirm: 'something else entirely',
    });
    expect(alertOf(mismatch.body)).toBe('The two new passwords are not the same.');
    // nothing was applied: the old password still verifies
    expect(await t.services.users.isCurrentPassword(tenantId, userId, PASSWORD)).toBe(true);

    const done = await b.submit('/t/pw/change-password', {
      new: 'lantern orchard pebble 77',
      confirm: 'lantern orchard pebble 77',
    });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/t/pw/account');
    expect(b.cookies.has('gk_session_pw')).toBe(true);
    expect((await b.get('/t/pw/account')).status).toBe(200);
    const state = await t.call('GET', `/api/v1/tenants/pw/users/${userId}/sign-in-state`);
    expect(state.json()).toMatchObject({ mustChangePassword: false });
    expect(state.json().passwordChangedAt).not.toBeNull();
    expect(events.some((e) => e.type === 'password.changed' && e.data?.reason === 'forced')).toBe(true);
  });

  it('changes from the account page: asks the current password, refuses reuse, ends other sessions', async () => {
    const other = createTestBrowser(t.app);
    await other.submit('/t/pw/sign-in', { login: 'erin', password: 'lantern orchard pebble 77' });
    const b = createTestBrowser(t.app);
    await b.submit('/t/pw/sign-in', { login: 'erin', password: 'lantern orchard pebble 77' });

    const wrong = await b.submit('/t/pw/change-password', {
      current: 'not my password',
      new: 'copper kettle meadow 19',
      confirm: 'copper kettle meadow 19',
    });
    expect(wrong.status).toBe(400);
    expect(alertOf(wrong.body)).toBe('The current password is not correct.');

    const ok = await b.submit('/t/pw/change-password', {
      current: 'lantern orchard pebble 77',
      new: 'copper kettle meadow 19',
      confirm: 'copper kettle meadow 19',
    });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/t/pw/account?notice=password_changed');
    expect(await t.services.accounts.sessions.authenticate(tenantId, other.cookieHeader())).toBeNull();
    expect(await t.services.accounts.sessions.authenticate(tenantId, b.cookieHeader())).not.toBeNull();

    // the previous password is in the history
    const back = await b.submit('/t/pw/change-password', {
      current: 'copper kettle meadow 19',
      new: 'lantern orchard pebble 77',
      confirm: 'lantern orchard pebble 77',
    });
    expect(back.status).toBe(400);
    expect(alertOf(back.body)).toMatch(/not used before/);
    expect(await t.services.users.isCurrentPassword(tenantId, userId, 'copper kettle meadow 19')).toBe(true);
  });
});
