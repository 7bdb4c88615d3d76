/**
 * Lockout: five wrong passwords lock the account for the tenant's window (2 s here) — even the right
 * password is refused meanwhile, with the same answer an unknown login gets after five tries — then
 * the right password works again. An admin sees the state and can unlock. Every refusal is audited
 * with its reason and never the password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import type { EmittedEvent } from '../../events/event-bus.ts';
import { createTestBrowser, PASSWORD, seedUser } from './test-support.ts';

const alertOf = (body: string) => /role="alert"[^>]*>([^<]*)</.exec(body)?.[1];

describe('lockout after failed sign-ins', () => {
  let t: AdminTestApp;
  let userId: string;
  const events: EmittedEvent[] = [];
  beforeAll(async () => {
    t = await createAdminTestApp();
    ({ userId } = await seedUser(t.services, 'lock', 'bob'));
    t.runtime.bus.subscribe((e) => events.push(e));
    const r = await t.call('PATCH', '/api/v1/tenants/lock/sign-in-settings', {
      body: { lockout: { maxFailures: 5, durationSeconds: 2 } },
    });
    expect(r.statusCode).toBe(200);
  });
  afterAll(async () => t?.close());

  it('locks after five failures, refuses the right password while locked, then lets it in', async () => {
    const b = createTestBrowser(t.app);
    for (let i = 1; i <= 4; i++) {
      const r = await b.submit('/t/lock/sign-in', { login: 'bob', password: `wrong password ${i}!` });
      expect(r.status).toBe(401);
    }
    const fifth = await b.submit('/t/lock/sign-in', { login: 'bob', password: 'wrong password 5!' });
    expect(fifth.status).toBe(423);
    expect(alertOf(fifth.body)).toMatch(/^Too many failed attempts/);
    const state = await t.call('GET', `/api/v1/tenants/lock/users/${userId}/sign-in-state`);
    expect(state.json()).toMatchObject({ locked: true, mustChangePassword: false });

    const whileLocked = await b.submit('/t/lock/sign-in', { login: 'bob', password: PASSWORD });
    expect(whileLocked.status).toBe(423);
    expect(b.cookies.has('gk_session_lock')).toBe(false);

    // an unknown login locks the same way and reads the same
    for (let i = 1; i <= 4; i++)
      await b.submit('/t/lock/sign-in', { login: 'ghost', password: `wrong password ${i}!` });
    const ghost = await b.submit('/t/lock/sign-in', { login: 'ghost', password: 'wrong password 5!' });
    expect(ghost.status).toBe(423);
    expect(alertOf(ghost.body)).toBe(alertOf(fifth.body));

    await new Promise((r) => setTimeout(r, 2100));
    const after = await b.submit('/t/lock/sign-in', { login: 'bob', password: PASSWORD });
    expect(after.status).toBe(303);
    expect(b.cookies.has('gk_session_lock')).toBe(true);

    const failed = events.filter((e) => e.type === 'sign_in.failed' && e.target === `user:${userId}`);
    expect(failed.map((e) => e.data?.reason)).toEqual([
      'wrong_password',
      'wrong_password',
      'wrong_password',
      'wrong_password',
      'wrong_password_locked',
      'locked',
    ]);
    expect(events.filter((e) => e.type === 'account.locked' && e.target === `user:${userId}`)).toHaveLength(
      1,
    );
    expect(events.some((e) => e.type === 'sign_in.succeeded' && e.target === `user:${userId}`)).toBe(true);
    expect(JSON.stringify(events)).not.toContain('wrong password');
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it('lets an admin unlock a locked account', async () => {
    const b = createTestBrowser(t.app);
    for (let i = 1; i <= 5; i++)
      await b.submit('/t/lock/sign-in', { login: 'bob', password: `another wrong ${i}!` });
    expect((await t.call('GET', `/api/v1/tenants/lock/users/${userId}/sign-in-state`)).json().locked).toBe(
      true,
    );
    const unlocked = await t.call('POST', `/api/v1/tenants/lock/users/${userId}/unlock`);
    expect(unlocked.statusCode).toBe(200);
    expect(unlocked.json()).toMatchObject({ locked: false, failedAttempts: 0, lockedUntil: null });
    expect((await b.submit('/t/lock/sign-in', { login: 'bob', password: PASSWORD })).status).toBe(303);
    expect(events.some((e) => e.type === 'account.unlocked' && e.target === `user:${userId}`)).toBe(true);
  });

  it('answers unknown users and unknown tenants with 404 on the admin API', async () => {
    expect((await t.call('POST', '/api/v1/tenants/lock/users/not-a-user/unlock')).statusCode).toBe(404);
    expect((await t.call('GET', '/api/v1/tenants/nope/users/x/sign-in-state')).statusCode).toBe(404);
  });
});
