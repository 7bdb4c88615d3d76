/**
 * The users admin API end to end on each dialect, through HTTP with real tokens: every endpoint's
 * success (status, body shape, ETag / Location / 204), 400 for schema violations, 404 for unknown and
 * malformed ids, 409 for usernames and emails differing only in case, 412 for a stale If-Match,
 * cursor pagination without duplicates or gaps, a password that never appears in any response or
 * audit entry, and an audit entry for every admin write. (401/403 are in admin-api.matrix.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import {
  BAD_IDS,
  BAD_INPUT,
  createTenantApi,
  expectWritesAudited,
  ISO_TIME,
  problemCode,
  type Reply,
} from '../../../test/tenant-api.ts';

interface User {
  id: string;
  username: string;
  status: string;
  version: number;
}

const TENANT = 'people';
const BASE = `/api/v1/tenants/${TENANT}`;
const PASSWORD = 'Secret-Horse-Battery-42';
const SUBJECT = 'uid=gina/ou=ops, dc=example?#%';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`users API [${dialect}]`, () => {
    let t: AdminTestApp;
    /** Request ids of the successful writes: each must leave an audit entry. */
    const { api, writes } = createTenantApi(
      () => t,
      BASE,
      // no response ever carries the password or anything hash-like
      (r) => {
        expect(r.body).not.toContain(PASSWORD);
        expect(r.body).not.toMatch(/argon2|password_?hash/i);
      },
    );

    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant(TENANT);
    });
    afterAll(async () => {
      await t?.close();
    });

    /** A 400 from schema validation, or from the NUL-byte guard in front of it. */
    const refused = (r: Reply) => expect(BAD_INPUT).toContain(problemCode(r, 400));
    async function create(username: string, extra: object = {}): Promise<User> {
      const r = await api('POST', '/users', { body: { username, ...extra } });
      expect(r.statusCode, r.body).toBe(201);
      return r.json();
    }
    const tenantId = async () => (await t.services.tenants.resolve(TENANT)).id;
    /** Every user of a paginated list, following cursors. */
    async function collect(query: string): Promise<(User & { createdAt: string })[]> {
      const seen: (User & { createdAt: string })[] = [];
      let cursor: string | null = null;
      do {
        const r = await api('GET', `/users?${query}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.statusCode, r.body).toBe(200);
        const page = r.json() as { items: (User & { createdAt: string })[]; nextCursor: string | null };
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    }

    it('POST /users creates a user (201, Location, ETag) and never returns the password', async () => {
      const r = await api('POST', '/users', {
        body: {
          username: 'Alice',
          email: 'Alice@Example.com',
          name: 'Alice Liddell',
          givenName: 'Alice',
          familyName: 'Liddell',
          locale: 'en-GB',
          picture: 'https://example.com/a.png',
          password: PASSWORD,
        },
      });
      expect(r.statusCode).toBe(201);
      const user = r.json();
      expect(r.headers.location).toBe(`${BASE}/users/${user.id}`);
      expect(r.headers.etag).toBe('"1"');
      expect(user).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        username: 'Alice',
        email: 'Alice@Example.com',
        emailVerified: false,
        name: 'Alice Liddell',
        givenName: 'Alice',
        familyName: 'Liddell',
        locale: 'en-GB',
        picture: 'https://example.com/a.png',
        status: 'active',
        createdAt: expect.stringMatching(ISO_TIME),
        updatedAt: expect.stringMatching(ISO_TIME),
        lastSignInAt: null,
        version: 1,
      });
      expect(await t.services.users.verifyPassword(await tenantId(), 'alice', PASSWORD)).toMatchObject({
        id: user.id,
      });
    });

    it.each([
      ['an unknown property', { username: 'x1', admin: true }],
      ['a missing username', { email: 'x@example.com' }],
      ['an overlong username', { username: 'u'.repeat(129) }],
      ['a username with a space', { username: 'two words' }],
      ['a username of the wrong type', { username: { first: 'x' } }],
      ['a NUL byte', { username: 'nul\u0000byte' }],
      ['an invalid email', { username: 'x2', email: 'not-an-email' }],
      ['an overlong name', { username: 'x3', name: 'n'.repeat(257) }],
      ['a non-boolean emailVerified', { username: 'x4', emailVerified: 'maybe' }],
      ['an http picture', { username: 'x5', picture: 'http://example.com/p.png' }],
      ['an invalid locale', { username: 'x6', locale: 'english!' }],
      ['an unknown status', { username: 'x7', status: 'deleted' }],
      ['a short password', { username: 'x8', password: 'short' }],
      ['an overlong password', { username: 'x9', password: 'p'.repeat(1025) }],
    ])('POST /users refuses %s with 400', async (_what, body) => {
      refused(await api('POST', '/users', { body }));
    });

    it('POST /users answers 409 for a username or email differing only in case', async () => {
      expect(problemCode(await api('POST', '/users', { body: { username: 'ALICE' } }), 409)).toBe('conflict');
      expect(
        problemCode(
          await api('POST', '/users', { body: { username: 'alice2', email: 'alice@EXAMPLE.COM' } }),
          409,
        ),
      ).toBe('conflict');
    });

    it('GET /users/:id answers 200 with an ETag, and 404 for unknown and malformed ids', async () => {
      const u = await create('bob', { email: 'bob@example.com' });
      const r = await api('GET', `/users/${u.id}`);
      expect(r.statusCode).toBe(200);
      expect(r.headers.etag).toBe('"1"');
      expect(r.json()).toMatchObject({ id: u.id, username: 'bob', email: 'bob@example.com' });
      expect(r.json()).not.toHaveProperty('password');
      for (const id of BAD_IDS) expect(problemCode(await api('GET', `/users/${id}`), 404)).toBe('not_found');
    });

    it('PATCH /users/:id honours If-Match (200 + new ETag, 412 when stale) and refuses case-duplicates', async () => {
      const u = await create('carol');
      const ok = await api('PATCH', `/users/${u.id}`, { body: { name: 'Carol' }, ifMatch: '"1"' });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers.etag).toBe('"2"');
      expect(ok.json()).toMatchObject({ name: 'Carol', version: 2 });
      const stale = await api('PATCH', `/users/${u.id}`, { body: { name: 'Lost' }, ifMatch: '"1"' });
      expect(problemCode(stale, 412)).toBe('precondition_failed');
      expect(
        problemCode(await api('PATCH', `/users/${u.id}`, { body: { name: 'x' }, ifMatch: 'W/"2"' }), 412),
      ).toBe('precondition_failed');
      expect((await api('GET', `/users/${u.id}`)).json().name).toBe('Carol');
      const any = await api('PATCH', `/users/${u.id}`, {
        body: { email: 'carol@example.com' },
        ifMatch: '*',
      });
      expect(any.headers.etag).toBe('"3"');
      const cleared = await api('PATCH', `/users/${u.id}`, { body: { name: null, locale: 'de' } });
      expect(cleared.json()).toMatchObject({ name: null, locale: 'de', version: 4 });
      expect(problemCode(await api('PATCH', `/users/${u.id}`, { body: { username: 'BOB' } }), 409)).toBe(
        'conflict',
      );
      expect(
        problemCode(await api('PATCH', `/users/${u.id}`, { body: { email: 'BOB@example.COM' } }), 409),
      ).toBe('conflict');
      for (const body of [
        { nick: 'x' },
        { name: 'n'.repeat(257) },
        { emailVerified: 'x' },
        { name: 'a\u0000b' },
      ]) {
        refused(await api('PATCH', `/users/${u.id}`, { body }));
      }
      for (const id of BAD_IDS)
        expect(problemCode(await api('PATCH', `/users/${id}`, { body: { name: 'x' } }), 404)).toBe(
          'not_found',
        );
    });

    it('POST /users/:id/disable and /enable change the status, with ETag and If-Match', async () => {
      const u = await create('dave');
      const off = await api('POST', `/users/${u.id}/disable`, { ifMatch: '"1"' });
      expect(off.statusCode).toBe(200);
      expect(off.headers.etag).toBe('"2"');
      expect(off.json()).toMatchObject({ status: 'disabled', version: 2 });
      expect(problemCode(await api('POST', `/users/${u.id}/enable`, { ifMatch: '"1"' }), 412)).toBe(
        'precondition_failed',
      );
      const on = await api('POST', `/users/${u.id}/enable`, { ifMatch: '"2"' });
      expect(on.json()).toMatchObject({ status: 'active', version: 3 });
      for (const action of ['disable', 'enable']) {
        for (const id of BAD_IDS)
          expect(problemCode(await api('POST', `/users/${id}/${action}`), 404)).toBe('not_found');
        expect(problemCode(await api('POST', `/users/a%00b/${action}`), 400)).toBe('invalid_characters');
      }
    });

    it('DELETE /users/:id honours If-Match (412), answers 204, then 404', async () => {
      const u = await create('erin');
      expect(problemCode(await api('DELETE', `/users/${u.id}`, { ifMatch: '"7"' }), 412)).toBe(
        'precondition_failed',
      );
      const r = await api('DELETE', `/users/${u.id}`, { ifMatch: '"1"' });
      expect(r.statusCode).toBe(204);
      expect(r.body).toBe('');
      expect(problemCode(await api('GET', `/users/${u.id}`), 404)).toBe('not_found');
      for (const id of [u.id, ...BAD_IDS])
        expect(problemCode(await api('DELETE', `/users/${id}`), 404)).toBe('not_found');
    });

    it('PUT /users/:id/password answers 204, sets a usable password, and refuses bad input', async () => {
      const u = await create('frank');
      const r = await api('PUT', `/users/${u.id}/password`, { body: { password: PASSWORD } });
      expect(r.statusCode).toBe(204);
      expect(r.body).toBe('');
      expect(await t.services.users.verifyPassword(await tenantId(), 'FRANK', PASSWORD)).toMatchObject({
        id: u.id,
      });
      for (const body of [
        { password: 'short' },
        { password: 'p'.repeat(1025) },
        { password: { value: PASSWORD } },
        { password: PASSWORD, hint: 'x' },
        { password: 'nul\u0000-password' },
        {},
      ]) {
        refused(await api('PUT', `/users/${u.id}/password`, { body }));
      }
      for (const id of BAD_IDS) {
        expect(
          problemCode(await api('PUT', `/users/${id}/password`, { body: { password: PASSWORD } }), 404),
        ).toBe('not_found');
      }
      // the one successful change bumped the version; the refused ones changed nothing
      expect((await api('GET', `/users/${u.id}`)).json().version).toBe(2);
    });

    it('identities: link (201, Location), list, 409 when linked elsewhere, unlink (204, then 404)', async () => {
      const u = await create('gina');
      const other = await create('hank');
      const r = await api('POST', `/users/${u.id}/identities`, {
        body: { provider: 'ldap', subject: SUBJECT, data: { dept: 'ops', site: 'berlin' } },
      });
      expect(r.statusCode).toBe(201);
      expect(r.headers.location).toBe(`${BASE}/users/${u.id}/identities/ldap/${encodeURIComponent(SUBJECT)}`);
      expect(r.json()).toEqual({
        provider: 'ldap',
        subject: SUBJECT,
        data: { dept: 'ops', site: 'berlin' },
        createdAt: expect.stringMatching(ISO_TIME),
      });
      const list = await api('GET', `/users/${u.id}/identities`);
      expect(list.statusCode).toBe(200);
      expect(list.json().items.map((i: { subject: string }) => i.subject)).toEqual([SUBJECT]);
      const dup = { body: { provider: 'ldap', subject: SUBJECT } };
      expect(problemCode(await api('POST', `/users/${other.id}/identities`, dup), 409)).toBe('conflict');
      for (const body of [
        { provider: 'ldap', subject: 'x', extra: 1 },
        { provider: 'p'.repeat(65), subject: 'x' },
        { provider: 'bad provider', subject: 'x' },
        { provider: 'ldap', subject: 'x', data: { deep: { no: 1 } } },
        { provider: 'ldap', subject: 'a\u0000b' },
        { provider: 'ldap' },
      ]) {
        refused(await api('POST', `/users/${u.id}/identities`, { body }));
      }
      for (const id of BAD_IDS) {
        expect(problemCode(await api('GET', `/users/${id}/identities`), 404)).toBe('not_found');
        expect(
          problemCode(
            await api('POST', `/users/${id}/identities`, { body: { provider: 'x', subject: 'y' } }),
            404,
          ),
        ).toBe('not_found');
        expect(problemCode(await api('DELETE', `/users/${id}/identities/ldap/x`), 404)).toBe('not_found');
      }
      const path = String(r.headers.location).slice(BASE.length); // the Location works as given
      expect((await api('DELETE', path)).statusCode).toBe(204);
      expect(problemCode(await api('DELETE', path), 404)).toBe('not_found');
      expect(problemCode(await api('DELETE', `/users/${u.id}/identities/bad%20provider/x`), 400)).toBe(
        'validation_failed',
      );
      expect((await api('GET', `/users/${u.id}/identities`)).json()).toEqual({ items: [] });
    });

    // Known bug: Ajv's type coercion turns non-string values of identity `data` into strings, because
    // the value schema is a union whose first branch is a string. Flip to `it` once fixed.
    it('identities keep boolean, integer and null data values', async () => {
      const u = await create('typed-data');
      const r = await api('POST', `/users/${u.id}/identities`, {
        body: { provider: 'scim', subject: 'typed', data: { active: true, n: 3, gone: null } },
      });
      expect(r.json().data).toEqual({ active: true, n: 3, gone: null });
    });

    it('properties: set (200), replace, list per app, delete (204, then 404), and refuse bad input', async () => {
      const u = await create('ivy');
      const r = await api('PUT', `/users/${u.id}/properties/crm/tier`, { body: { value: 'gold' } });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({
        app: 'crm',
        key: 'tier',
        value: 'gold',
        updatedAt: expect.stringMatching(ISO_TIME),
      });
      expect(
        (await api('PUT', `/users/${u.id}/properties/crm/tier`, { body: { value: 'platinum' } })).json()
          .value,
      ).toBe('platinum');
      await api('PUT', `/users/${u.id}/properties/wiki/theme`, { body: { value: '' } });
      const all = (await api('GET', `/users/${u.id}/properties`)).json();
      expect(all.items.map((p: { app: string; value: string }) => `${p.app}=${p.value}`)).toEqual([
        'crm=platinum',
        'wiki=',
      ]);
      const crm = (await api('GET', `/users/${u.id}/properties?app=crm`)).json();
      expect(crm.items).toHaveLength(1);
      for (const [url, body] of [
        [`/users/${u.id}/properties/crm/tier`, { value: 'v'.repeat(4097) }],
        [`/users/${u.id}/properties/crm/tier`, { value: 'x', extra: 1 }],
        [`/users/${u.id}/properties/crm/tier`, { value: { nested: true } }],
        [`/users/${u.id}/properties/crm/tier`, { value: 'a\u0000b' }],
        [`/users/${u.id}/properties/crm/bad%20key`, { value: 'x' }],
      ] as const) {
        refused(await api('PUT', url, { body }));
      }
      for (const q of ['app=bad%20app', 'app=a%00b', 'other=1', `app=${'a'.repeat(65)}`]) {
        refused(await api('GET', `/users/${u.id}/properties?${q}`));
      }
      for (const id of BAD_IDS) {
        expect(problemCode(await api('GET', `/users/${id}/properties`), 404)).toBe('not_found');
        expect(
          problemCode(await api('PUT', `/users/${id}/properties/crm/tier`, { body: { value: 'x' } }), 404),
        ).toBe('not_found');
        expect(problemCode(await api('DELETE', `/users/${id}/properties/crm/tier`), 404)).toBe('not_found');
      }
      expect((await api('DELETE', `/users/${u.id}/properties/crm/tier`)).statusCode).toBe(204);
      expect(problemCode(await api('DELETE', `/users/${u.id}/properties/crm/tier`), 404)).toBe('not_found');
    });

    it('GET /users paginates with cursors (no duplicates, no gaps), sorts and filters', async () => {
      const names = Array.from({ length: 7 }, (_, i) => `page-${i}`);
      for (const n of names) await create(n, { email: `${n}@example.com`, emailVerified: n === 'page-3' });
      const usernames = async (q: string) => (await collect(q)).map((u) => u.username);
      expect(await usernames('limit=3&q=page-')).toEqual(names);
      expect(await usernames('limit=2&q=PAGE-&sort=-username')).toEqual([...names].reverse());
      // creation times tie within a millisecond (then the id decides): check order and completeness
      const byAge = await collect('limit=2&q=page-&sort=createdAt');
      expect(byAge.map((u) => u.username).sort()).toEqual(names);
      expect(byAge.map((u) => u.createdAt)).toEqual(byAge.map((u) => u.createdAt).sort());
      expect(await usernames('q=page-&emailVerified=true')).toEqual(['page-3']);
      const p6 = (await api('GET', '/users?q=page-6')).json().items[0] as User;
      await api('POST', `/users/${p6.id}/disable`);
      expect(await usernames('q=page-&status=disabled')).toEqual(['page-6']);
      const first = (await api('GET', '/users?limit=1&q=page-')).json();
      expect(problemCode(await api('GET', `/users?sort=email&cursor=${first.nextCursor}`), 400)).toBe(
        'invalid_cursor',
      );
      expect(problemCode(await api('GET', '/users?cursor=garbage'), 400)).toBe('invalid_cursor');
      // keyset pagination over a nullable sort key (users without email) neither skips nor repeats
      await create('no-email-1');
      await create('no-email-2');
      for (const sort of ['email', '-email']) {
        const whole = (await api('GET', `/users?limit=200&sort=${sort}`)).json().items as User[];
        expect((await collect(`limit=2&sort=${sort}`)).map((u) => u.id)).toEqual(whole.map((u) => u.id));
      }
    });

    it.each([
      'limit=Infinity',
      'limit=0',
      'limit=201',
      'limit=ten',
      'sort=password',
      'status=deleted',
      'emailVerified=maybe',
      'unknown=1',
      `q=${'q'.repeat(255)}`,
      'q=a%00b',
    ])('GET /users?%s answers 400', async (query) => {
      refused(await api('GET', `/users?${query}`));
    });

    it('every successful write left an audit entry, and no entry holds the password', async () => {
      const rows = await expectWritesAudited(t, TENANT, writes, 20);
      for (const row of rows) {
        expect(row.data).not.toContain(PASSWORD);
        expect(row.data).not.toMatch(/argon2/i);
      }
      const set = rows.filter((r) => r.action === 'user.password_set');
      expect(set.map((r) => JSON.parse(r.data))).toEqual([{ fields: ['password'] }]);
      const alice = rows.find((r) => r.action === 'user.created' && r.data.includes('"Alice"'));
      expect(JSON.parse(alice!.data).fields).toContain('password'); // the field's name, never its value
    });
  });
}
