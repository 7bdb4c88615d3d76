/**
 * Exact lookups of a user by username and by email over the admin API, on each dialect: case is
 * ignored as the uniqueness rule ignores it, nothing else is (no prefix match, no username for an
 * email or the other way round), names with URL-special characters work when encoded, another
 * tenant's user is not found, and the answer carries the ETag a later If-Match needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import { problemCode } from '../../../test/tenant-api.ts';

const BASE = '/api/v1/tenants/lookup/users';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`users lookup by username and email [${dialect}]`, () => {
    let t: AdminTestApp;
    let alice: { id: string; version: number };

    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant('lookup');
      await t.tenant('elsewhere');
      const created = await t.call('POST', `${BASE}`, {
        body: { username: 'Alice', email: 'Alice@Example.com' },
      });
      expect(created.statusCode, created.body).toBe(201);
      alice = created.json();
      await t.call('POST', `${BASE}`, { body: { username: 'ops/bot?#1' } });
      await t.call('POST', '/api/v1/tenants/elsewhere/users', { body: { username: 'carol' } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('finds a user by username or email in any case, with its ETag', async () => {
      for (const path of ['by-username/alice', 'by-username/ALICE', 'by-email/alice%40example.COM']) {
        const r = await t.call('GET', `${BASE}/${path}`);
        expect(r.statusCode, `${path}: ${r.body}`).toBe(200);
        expect(r.json()).toMatchObject({ id: alice.id, username: 'Alice', email: 'Alice@Example.com' });
        expect(r.headers.etag).toBe(`"${alice.version}"`);
      }
      const special = await t.call('GET', `${BASE}/by-username/${encodeURIComponent('OPS/bot?#1')}`);
      expect(special.statusCode, special.body).toBe(200);
      expect(special.json()).toMatchObject({ username: 'ops/bot?#1' });
    });

    it('matches exactly: no prefix, no username as email, no other tenant', async () => {
      for (const path of [
        'by-username/ali',
        'by-username/alice%40example.com',
        'by-email/Alice',
        'by-email/alice%40example',
        'by-username/carol',
      ]) {
        expect(problemCode(await t.call('GET', `${BASE}/${path}`), 404), path).toBe('not_found');
      }
      const carol = await t.call('GET', '/api/v1/tenants/elsewhere/users/by-username/CAROL');
      expect(carol.statusCode).toBe(200);
    });

    it('needs users:read, and a tenant-scoped token sees only its tenant', async () => {
      const reader = await t.token('lookup', ['users:read']);
      expect((await t.call('GET', `${BASE}/by-username/alice`, { token: reader })).statusCode).toBe(200);
      const other = await t.token('elsewhere', ['users:read']);
      expect((await t.call('GET', `${BASE}/by-username/alice`, { token: other })).statusCode).toBe(403);
      const none = await t.token('lookup', ['groups:read']);
      expect(
        problemCode(await t.call('GET', `${BASE}/by-email/alice%40example.com`, { token: none }), 403),
      ).toBe('forbidden');
    });
  });
}
