/**
 * Strings a store cannot hold, or that break later code, are refused with 400 `invalid_characters`
 * before any lookup or write, wherever they appear: a NUL byte or a lone surrogate in a path
 * segment (the admin guard resolves `{tenant}` on `onRequest`, before schema validation runs), in
 * the query string, in a JSON body, as invalid UTF-8 bytes, or in a header the app reads. And no
 * work that can throw runs after a commit: an identity whose subject once made the `Location`
 * header throw after the row was stored now never reaches the store, and every write answers
 * exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../test/admin.ts';
import { dialectAvailable } from '../../test/databases.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`invalid characters at the edge [${dialect}]`, () => {
    let t: AdminTestApp;
    let userId: string;
    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant('chars');
      const r = await t.call('POST', '/api/v1/tenants/chars/users', { body: { username: 'plain' } });
      userId = r.json<{ id: string }>().id;
    });
    afterAll(async () => {
      await t?.close();
    });

    const invalid = (r: { statusCode: number; body: string; json(): unknown }) => {
      expect(r.statusCode, r.body).toBe(400);
      expect((r.json() as { code: string }).code).toBe('invalid_characters');
    };

    it.each([
      ['a NUL byte', '%00'],
      ['a NUL byte inside a slug', 'ch%00ars'],
      ['a lone surrogate (CESU-8 bytes)', '%ED%A0%80'],
      ['invalid UTF-8', '%FF%FE'],
    ])('refuses %s in the {tenant} path segment before any lookup', async (_what, segment) => {
      for (const path of [`/api/v1/tenants/${segment}`, `/api/v1/tenants/${segment}/users`]) {
        invalid(await t.call('GET', path));
        invalid(await t.call('POST', path, { body: { username: 'x' } }));
      }
    });

    it('refuses a malformed slug in the path with a 400 (never a lookup, never a 500)', async () => {
      const r = await t.call('GET', `/api/v1/tenants/${'x'.repeat(300)}/users`);
      expect(r.statusCode, r.body).toBe(400);
      const upper = await t.call('GET', '/api/v1/tenants/UPPER/users');
      expect(upper.statusCode, upper.body).toBe(400);
      expect(upper.json<{ code: string }>().code).toBe('validation_failed');
    });

    it.each([
      ['a NUL byte', '%00'],
      ['a lone surrogate', '%ED%A0%80'],
      ['invalid UTF-8', '%C3%28'],
    ])('refuses %s in the query string and in other path parameters', async (_w, bad) => {
      invalid(await t.call('GET', `/api/v1/tenants/chars/users?q=a${bad}`));
      invalid(await t.call('GET', `/api/v1/tenants/chars/users/${userId}/properties?app=x${bad}`));
      invalid(await t.call('DELETE', `/api/v1/tenants/chars/users/${userId}/properties/app/k${bad}`));
    });

    it('refuses a lone surrogate anywhere in a JSON body, before anything is written', async () => {
      for (const body of [
        '{"username":"ab\\ud800"}',
        '{"username":"ok","name":"\\udc00x"}',
        '{"username":"ok2","\\ud800":"x"}',
      ]) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/v1/tenants/chars/users',
          headers: { authorization: `Bearer ${t.rootToken}`, 'content-type': 'application/json' },
          payload: body,
        });
        invalid(r);
      }
      const list = await t.call('GET', '/api/v1/tenants/chars/users');
      expect(list.json<{ items: { username: string }[] }>().items.map((u) => u.username)).toEqual(['plain']);
    });

    it('refuses invalid UTF-8 bytes in a JSON body instead of storing U+FFFD', async () => {
      const payload = Buffer.concat([
        Buffer.from('{"username":"bytes'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]);
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tenants/chars/users',
        headers: { authorization: `Bearer ${t.rootToken}`, 'content-type': 'application/json' },
        payload,
      });
      invalid(r);
    });

    it('an identity subject with a lone surrogate is refused before the commit (no 500, no half-write)', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/tenants/chars/users/${userId}/identities`,
        headers: { authorization: `Bearer ${t.rootToken}`, 'content-type': 'application/json' },
        payload: '{"provider":"ldap","subject":"x\\ud800"}',
      });
      invalid(r);
      const list = await t.call('GET', `/api/v1/tenants/chars/users/${userId}/identities`);
      expect(list.json<{ items: unknown[] }>().items).toEqual([]);
    });

    it('an identity subject of any storable text gets a Location header that reads it back', async () => {
      const subject = 'CN=Zoë Ünïcode/ou=a?b#c 😀';
      const r = await t.call('POST', `/api/v1/tenants/chars/users/${userId}/identities`, {
        body: { provider: 'ldap', subject },
      });
      expect(r.statusCode, r.body).toBe(201);
      const location = String(r.headers.location);
      const back = await t.call('DELETE', location);
      expect(back.statusCode, back.body).toBe(204);
    });

    it('refuses non-ASCII in the If-Match header the app reads', async () => {
      const r = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/tenants/chars/users/${userId}`,
        headers: { authorization: `Bearer ${t.rootToken}`, 'if-match': '"1\u00ff"' },
        payload: { name: 'x' },
      });
      expect(r.statusCode, r.body).toBe(400);
    });
  });
}
