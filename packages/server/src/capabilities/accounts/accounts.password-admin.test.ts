/**
 * Passwords set outside the hosted pages keep the tenant's history and expiry: the admin API's
 * `PUT …/users/{id}/password` refuses the current password and the last `historyCount` (400
 * `password_rejected`, nothing changed), records what it sets, and starts the expiry clock; so does a
 * user created with a password (the admin API and `gatekeeper users create` share the service). An
 * expired password set anew by an administrator no longer sends the user to change it, and a
 * required change stays required.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestBrowser, PASSWORD, seedUser } from './test-support.ts';

const DAY = 86_400_000;

for (const dialect of ['sqlite', 'postgres'] as const)
  describe.skipIf(!dialectAvailable(dialect))(`passwords set by administrators [${dialect}]`, () => {
    let t: AdminTestApp;
    let tenantId: string;
    let userId: string;
    const setPassword = (id: string, password: string) =>
      t.call('PUT', `/api/v1/tenants/hist/users/${id}/password`, { body: { password } });
    const stateOf = async (id: string) =>
      (await t.call('GET', `/api/v1/tenants/hist/users/${id}/sign-in-state`)).json();
    /** Moves the expiry clock back, as if the password had been set `days` ago. */
    const age = (id: string, days: number) =>
      t.runtime.database.db
        .updateTable('account_states')
        .set({ password_changed_at: Date.now() - days * DAY })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', id)
        .execute();
    const signIn = (login: string, password: string) =>
      createTestBrowser(t.app).submit('/t/hist/sign-in', { login, password });

    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      ({ tenantId, userId } = await seedUser(t.services, 'hist', 'gus'));
      await t.call('PATCH', '/api/v1/tenants/hist/sign-in-settings', {
        body: { password: { historyCount: 3, expiryDays: 30 } },
      });
    });
    afterAll(async () => t?.close());

    it('refuses the current password and the history, and records what it sets', async () => {
      const same = await setPassword(userId, PASSWORD);
      expect(same.statusCode).toBe(400);
      expect(same.json()).toMatchObject({ code: 'password_rejected' });
      expect(same.json().detail).toMatch(/differ from the current/);

      for (const p of ['first admin password 1', 'second admin password 2'])
        expect((await setPassword(userId, p)).statusCode).toBe(204);
      const reused = await setPassword(userId, 'first admin password 1');
      expect(reused.statusCode).toBe(400);
      expect(reused.json().detail).toMatch(/last 3/);
      // the refusal changed nothing: the current password still signs in
      expect((await signIn('gus', 'second admin password 2')).location).toBe('/t/hist/account');

      // the hosted change page sees the administrator's passwords in the history too
      const b = createTestBrowser(t.app);
      await b.submit('/t/hist/sign-in', { login: 'gus', password: 'second admin password 2' });
      const r = await b.submit('/t/hist/change-password', {
        current: 'second admin password 2',
        new: 'first admin password 1',
        confirm: 'first admin password 1',
      });
      expect(r.status).toBe(400);
      expect(r.body).toMatch(/last 3/);
    });

    it('starts the expiry clock: an expired password set anew signs in again', async () => {
      expect(Date.parse((await stateOf(userId)).passwordChangedAt)).toBeGreaterThan(Date.now() - 60_000);
      await age(userId, 31);
      expect((await signIn('gus', 'second admin password 2')).location).toBe('/t/hist/change-password');
      expect((await setPassword(userId, 'third admin password 3')).statusCode).toBe(204);
      expect((await signIn('gus', 'third admin password 3')).location).toBe('/t/hist/account');
    });

    it('keeps a required change required', async () => {
      await t.call('POST', `/api/v1/tenants/hist/users/${userId}/require-password-change`, {
        body: { required: true },
      });
      expect((await setPassword(userId, 'temporary from the desk 4')).statusCode).toBe(204);
      expect((await stateOf(userId)).mustChangePassword).toBe(true);
      expect((await signIn('gus', 'temporary from the desk 4')).location).toBe('/t/hist/change-password');
    });

    it("applies the tenant's policy to passwords an administrator sets, writing nothing when refused", async () => {
      await t.call('PATCH', '/api/v1/tenants/hist/sign-in-settings', {
        body: { password: { minLength: 16, requireDigit: true } },
      });
      try {
        const short = await setPassword(userId, 'short but ok 123');
        expect(short.statusCode, short.body).toBe(204);
        const tooShort = await setPassword(userId, 'only fifteen 12');
        expect(tooShort.statusCode).toBe(400);
        expect(tooShort.json()).toMatchObject({ code: 'password_rejected' });
        expect(tooShort.json().detail).toMatch(/16/);
        expect((await setPassword(userId, 'no digits in this one at all')).json().detail).toMatch(/digit/);
        expect((await setPassword(userId, 'gus likes long passwords 42')).json().detail).toMatch(/username/);
        expect((await setPassword(userId, 'passwordpassword1')).json().code).toBe('password_rejected');
        // a new user's first password too, checked against the names it is created with
        const named = await t.call('POST', '/api/v1/tenants/hist/users', {
          body: { username: 'ivy', email: 'ivy.smith@example.com', password: 'ivy keeps a long secret 2024' },
        });
        expect(named.statusCode).toBe(400);
        expect(named.json()).toMatchObject({ code: 'password_rejected' });
        expect((await t.call('GET', '/api/v1/tenants/hist/users?q=ivy')).json().items).toEqual([]);
        // the refusals changed nothing: the last accepted password still signs in (into the change
        // the administrator required above)
        expect((await signIn('gus', 'short but ok 123')).location).toBe('/t/hist/change-password');
      } finally {
        await t.call('PATCH', '/api/v1/tenants/hist/sign-in-settings', {
          body: { password: { minLength: 12, requireDigit: false } },
        });
      }
    });

    it('records the first password of a new user the same way', async () => {
      const created = await t.call('POST', '/api/v1/tenants/hist/users', {
        body: { username: 'hal', password: 'initial secret from the desk' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json().id as string;
      expect((await stateOf(id)).passwordChangedAt).not.toBeNull();
      const again = await setPassword(id, 'initial secret from the desk');
      expect(again.statusCode).toBe(400);
      await age(id, 31);
      expect((await signIn('hal', 'initial secret from the desk')).location).toBe('/t/hist/change-password');
      // a user without a password starts no clock
      const bare = await t.call('POST', '/api/v1/tenants/hist/users', { body: { username: 'ida' } });
      expect((await stateOf(bare.json().id)).passwordChangedAt).toBeNull();
      expect(
        (await setPassword('01890a5d-ac96-774b-bcce-b302099a8057', 'whatever password 12')).statusCode,
      ).toBe(404);
    });
  });
