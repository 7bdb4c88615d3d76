/**
 * One identity, one spelling: usernames, group and role names and email addresses are compared in
 * one normalised form everywhere (NFC; for usernames the PRECIS UsernameCaseMapped profile of
 * RFC 8265 — width mapping, case mapping, NFC, no control or invisible characters), a username whose
 * confusable skeleton (Unicode TS #39) equals an existing one in the tenant is refused while the
 * runtime setting `usernameConfusablesRefused` is on (default), and email domains are compared in
 * their IDNA ASCII form, so the Unicode and the punycode spelling of one address are one user. Through
 * the HTTP surface, on both dialects; plus the backfill of the skeleton column for existing users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { createTestDatabase, dialectAvailable } from '../../../test/databases.ts';
import { migrations } from '../../storage/migrations/index.ts';
import { migrate } from '../../storage/migrator.ts';

interface Problem {
  code: string;
  detail?: string;
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`Unicode identities [${dialect}]`, () => {
    let t: AdminTestApp;
    const base = '/api/v1/tenants/uni';
    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant('uni');
      await t.tenant('uni-other');
      const r = await t.call('POST', `${base}/users`, {
        body: { username: 'admin', email: 'a@example.com' },
      });
      expect(r.statusCode, r.body).toBe(201);
    });
    afterAll(async () => {
      await t?.close();
    });

    const createUser = (body: Record<string, unknown>, tenant = base) =>
      t.call('POST', `${tenant}/users`, { body });

    it.each([
      ['Cyrillic а', '\u0430dmin'],
      ['dotless ı', 'adm\u0131n'],
      ['Greek ο in place of o', 'r\u03bfot-admin'],
    ])('refuses a username confusable with an existing one (%s)', async (_what, username) => {
      if (username.startsWith('r')) {
        expect((await createUser({ username: 'root-admin' })).statusCode).toBe(201);
      }
      const r = await createUser({ username });
      expect(r.statusCode, r.body).toBe(409);
      expect(r.json<Problem>().code).toBe('username_confusable');
    });

    it.each([
      ['upper case', 'ADMIN'],
      ['full-width letters', '\uff41\uff44\uff4d\uff49\uff4e'],
    ])('treats %s as the same username (409 conflict)', async (_what, username) => {
      const r = await createUser({ username });
      expect(r.statusCode, r.body).toBe(409);
      expect(r.json<Problem>().code).toBe('conflict');
    });

    it('stores a username in NFC with full-width letters mapped, and finds it by either spelling', async () => {
      const r = await createUser({ username: 'Jose\u0301-\uff11' });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json<{ username: string }>().username).toBe('Jos\u00e9-1');
      const again = await createUser({ username: 'JOS\u00c9-1' });
      expect(again.statusCode).toBe(409);
    });

    it('refuses control, format and invisible characters in a username', async () => {
      for (const username of ['adm\u200bin', 'admin\u202e', 'ad\u00admin', 'a\u0007b']) {
        const r = await createUser({ username });
        expect(r.statusCode, `${JSON.stringify(username)} ${r.body}`).toBe(400);
      }
    });

    it('refuses a confusable rename too, but lets a user keep its own name', async () => {
      const u = (await createUser({ username: 'renamer' })).json<{ id: string }>();
      const bad = await t.call('PATCH', `${base}/users/${u.id}`, { body: { username: '\u0430dmin' } });
      expect(bad.statusCode, bad.body).toBe(409);
      expect(bad.json<Problem>().code).toBe('username_confusable');
      const same = await t.call('PATCH', `${base}/users/${u.id}`, { body: { username: 'RENAMER' } });
      expect(same.statusCode, same.body).toBe(200);
    });

    it('of look-alikes created at the same moment, exactly one is created', async () => {
      for (let round = 0; round < 5; round++) {
        const latin = `payee-${round}`;
        const cyrillic = `\u0440ayee-${round}`; // Cyrillic р
        const answers = await Promise.all([
          createUser({ username: latin }),
          createUser({ username: cyrillic }),
        ]);
        const codes = answers.map((r) => r.statusCode).sort();
        expect(codes, answers.map((r) => r.body).join(' ')).toEqual([201, 409]);
        expect(answers.find((r) => r.statusCode === 409)!.json<Problem>().code).toBe('username_confusable');
      }
    });

    it('checks confusables per tenant', async () => {
      expect((await createUser({ username: '\u0430dmin' }, '/api/v1/tenants/uni-other')).statusCode).toBe(
        201,
      );
    });

    it('allows confusable usernames while usernameConfusablesRefused is off', async () => {
      const off = await t.call('PATCH', '/api/v1/settings', { body: { usernameConfusablesRefused: false } });
      expect(off.statusCode, off.body).toBe(200);
      try {
        const r = await createUser({ username: 'adm\u0131n' });
        expect(r.statusCode, r.body).toBe(201);
      } finally {
        await t.call('PATCH', '/api/v1/settings', { body: { usernameConfusablesRefused: true } });
      }
    });

    it('treats the IDN and the punycode form of an email domain as one address', async () => {
      const first = await createUser({ username: 'idn1', email: 'Zoe@B\u00fccher.example' });
      expect(first.statusCode, first.body).toBe(201);
      const second = await createUser({ username: 'idn2', email: 'zoe@xn--bcher-kva.example' });
      expect(second.statusCode, second.body).toBe(409);
      const tenant = await t.services.tenants.resolve('uni');
      const found = await t.services.users.findByLogin(tenant.id, 'ZOE@XN--BCHER-KVA.EXAMPLE');
      expect(found?.username).toBe('idn1');
    });

    it('refuses an email whose domain is not a valid IDNA name', async () => {
      const r = await createUser({ username: 'idn3', email: 'x@exa_mple..com' });
      expect(r.statusCode, r.body).toBe(400);
    });

    it('normalises group and role names to NFC, so both spellings are one name', async () => {
      const g = await t.call('POST', `${base}/groups`, { body: { name: 'Cafe\u0301' } });
      expect(g.statusCode, g.body).toBe(201);
      expect(g.json<{ name: string }>().name).toBe('Caf\u00e9');
      expect((await t.call('POST', `${base}/groups`, { body: { name: 'CAF\u00c9' } })).statusCode).toBe(409);
      const r = await t.call('POST', `${base}/roles`, { body: { name: 'R\u00e9viseur' } });
      expect(r.statusCode, r.body).toBe(201);
      const again = await t.call('POST', `${base}/roles`, { body: { name: 're\u0301viseur' } });
      expect(again.statusCode, again.body).toBe(409);
    });
  });

  describe.runIf(dialectAvailable(dialect))(`skeleton backfill [${dialect}]`, () => {
    it('fills the skeleton of users that existed before the migration', async () => {
      const db = await createTestDatabase(dialect, { migrate: false });
      try {
        const before = migrations.filter((m) => m.id < '0007');
        await migrate(db.database, before);
        const now = Date.now();
        await db.database.db
          .insertInto('tenants')
          .values({
            id: 't1',
            slug: 't1',
            display_name: 't',
            status: 'active',
            created_at: now,
            updated_at: now,
            version: 1,
          })
          .execute();
        const user = (id: string, username: string, email: string | null) => ({
          id,
          tenant_id: 't1',
          username,
          username_lower: username.toLowerCase(),
          email,
          email_lower: email?.toLowerCase() ?? null,
          email_verified: 0,
          name: null,
          given_name: null,
          family_name: null,
          locale: null,
          picture: null,
          status: 'active' as const,
          password_hash: null,
          created_at: now,
          updated_at: now,
          last_sign_in_at: null,
          version: 1,
        });
        await db.database.db
          .insertInto('users')
          .values([user('u1', 'Admin', 'a@B\u00fccher.example'), user('u2', '\u0430dmin', null)] as never)
          .execute();
        await migrate(db.database, migrations);
        const rows = await db.database.db
          .selectFrom('users')
          .select(['id', 'username_skeleton', 'email_lower'])
          .orderBy('id')
          .execute();
        expect(rows[0]!.username_skeleton).not.toBeNull();
        expect(rows[0]!.username_skeleton).toBe(rows[1]!.username_skeleton);
        expect(rows[0]!.email_lower).toBe('a@xn--bcher-kva.example');
      } finally {
        await db.cleanup();
      }
    });
  });
}
