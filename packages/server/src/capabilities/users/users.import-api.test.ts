/**
 * The bulk import over the admin API (`POST /tenants/{tenant}/users/import`) on each dialect: a CSV
 * or NDJSON upload gives the same per-line report as the CLI (every bad line by its own number,
 * totals that add up), `dryRun` writes nothing, `createGroups` creates the groups rows name; every
 * created user is audited under the request, plus one `users.imported` summary; an upload larger
 * than `bodyLimitBytes` is accepted (the route has its own `importBodyLimitBytes`), and one larger
 * than that is refused with 413 whether it declares its length or not; other media types get 415
 * and a token without `users:write` 403.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import { problemCode } from '../../../test/tenant-api.ts';

const TENANT = 'loaded';
const URL_ = `/api/v1/tenants/${TENANT}/users/import`;

interface Report {
  dryRun: boolean;
  format: string;
  imported: number;
  total: number;
  failedCount: number;
  failed: { line: number; reason: string }[];
  groupsCreated: string[];
}

const MIXED = [
  'username,email,fullname,groups', // 1
  'ada,ada@example.com,Ada L,Engineering;Staff', // 2
  'bea,bea@example.com', // 3 short row
  'cyd,cyd@example.com,"Cyd', // 4 quote never closed
  'dee,,Dee,staff', // 5
  'ADA,,Ada again,', // 6 duplicate
].join('\n');

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`users import API [${dialect}]`, () => {
    let t: AdminTestApp;

    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant(TENANT);
      await t.services.groups.create(
        (await t.services.tenants.resolve(TENANT)).id,
        { name: 'Staff', description: null },
        { actor: 'test' },
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    function upload(body: string | Readable, contentType: string, query = '', token?: string) {
      return t.app.inject({
        method: 'POST',
        url: `${URL_}${query}`,
        headers: { authorization: `Bearer ${token ?? t.rootToken}`, 'content-type': contentType },
        payload: body,
      });
    }

    async function usernames(): Promise<string[]> {
      const tenantId = (await t.services.tenants.resolve(TENANT)).id;
      const page = await t.services.users.list(tenantId, {
        limit: 1000,
        sort: 'username',
        descending: false,
        after: undefined,
      });
      return page.items.map((u) => u.username);
    }

    it('dry run: the per-line report, nothing written', async () => {
      const r = await upload(MIXED, 'text/csv; charset=utf-8', '?dryRun=true');
      expect(r.statusCode, r.body).toBe(200);
      // without createGroups, Engineering is unknown: that row fails, and "ADA" is then no duplicate
      expect(r.json<Report>()).toEqual({
        dryRun: true,
        format: 'csv',
        imported: 2,
        total: 5,
        failedCount: 3,
        failed: [
          { line: 2, reason: 'unknown group "Engineering" (create it first, or import with create-groups)' },
          { line: 3, reason: 'expected 4 fields, found 2' },
          { line: 4, reason: 'malformed CSV: a quote opened here is never closed on this line' },
        ],
        groupsCreated: [],
      });
      expect(await usernames()).toEqual([]);
    });

    it('imports CSV, creating missing groups; each user audited under the request, plus a summary', async () => {
      const r = await upload(MIXED, 'text/csv', '?createGroups=true');
      expect(r.statusCode, r.body).toBe(200);
      const report = r.json<Report>();
      expect(report).toEqual({
        dryRun: false,
        format: 'csv',
        imported: 2,
        total: 5,
        failedCount: 3,
        failed: [
          { line: 3, reason: 'expected 4 fields, found 2' },
          { line: 4, reason: 'malformed CSV: a quote opened here is never closed on this line' },
          { line: 6, reason: 'duplicate username in file (first on line 2)' },
        ],
        groupsCreated: ['Engineering'],
      });
      expect(await usernames()).toEqual(['ada', 'dee']);
      const tenantId = (await t.services.tenants.resolve(TENANT)).id;
      const staff = await t.services.groups.getByName(tenantId, 'staff');
      const members = await t.services.groups.listMembers(tenantId, staff.id, {
        limit: 10,
        sort: 'name',
        descending: false,
        after: undefined,
      });
      expect(members.items.map((m) => m.name)).toEqual(['ada', 'dee']);

      await t.runtime.audit.flush();
      const requestId = String(r.headers['x-request-id']);
      const rows = await t.runtime.database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('request_id', '=', requestId)
        .execute();
      const actions = rows.map((row) => row.action);
      expect(actions.filter((a) => a === 'user.created')).toHaveLength(2);
      expect(actions.filter((a) => a === 'users.imported')).toHaveLength(1);
      expect(actions).toContain('group.created');
      for (const row of rows) expect(row.actor).toMatch(/^credential:/);
      const summary = rows.find((row) => row.action === 'users.imported')!;
      expect(summary.result).toBe('failure');
      expect(JSON.parse(summary.data)).toMatchObject({ imported: 2, failed: 3, total: 5, format: 'csv' });
    });

    it('imports NDJSON with the same report', async () => {
      const text = [
        '{"username":"eli","email":"eli@example.com","name":"Eli","groups":["Staff"]}',
        '{"username":"fay"',
        '{"username":"gus","fullname":"Gus"}',
      ].join('\n');
      const r = await upload(text, 'application/x-ndjson');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json<Report>()).toMatchObject({
        format: 'ndjson',
        imported: 2,
        total: 3,
        failed: [{ line: 2, reason: 'malformed JSON' }],
      });
      expect(await usernames()).toEqual(['ada', 'dee', 'eli', 'gus']);
    });

    it('accepts an upload larger than bodyLimitBytes, streamed', async () => {
      const rows = ['username,email,fullname'];
      for (let i = 0; i < 6000; i++) rows.push(`bulk${i},bulk${i}@example.com,${'N'.repeat(190)} ${i}`);
      const body = `${rows.join('\n')}\n`;
      expect(body.length).toBeGreaterThan(t.runtime.settings.get('bodyLimitBytes'));
      const r = await upload(Readable.from([body.slice(0, 300_000), body.slice(300_000)]), 'text/csv');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json<Report>()).toMatchObject({ imported: 6000, total: 6000, failedCount: 0 });
    });

    it('refuses an upload over importBodyLimitBytes with 413, declared or streamed', async () => {
      await t.runtime.settings.set({ importBodyLimitBytes: 2048 }, 'test');
      try {
        const rows = ['username,email,fullname'];
        for (let i = 0; i < 200; i++) rows.push(`over${i},,Over ${i}`);
        const body = rows.join('\n');
        const declared = await upload(body, 'text/csv');
        expect(problemCode(declared, 413)).toBe('payload_too_large');
        expect(declared.json<{ detail: string }>().detail).toMatch(/importBodyLimitBytes allows 2048/);
        expect((await usernames()).some((u) => u.startsWith('over'))).toBe(false);
        const streamed = await upload(Readable.from([body.slice(0, 1000), body.slice(1000)]), 'text/csv');
        expect(problemCode(streamed, 413)).toBe('payload_too_large');
      } finally {
        await t.runtime.settings.unset('importBodyLimitBytes', 'test');
      }
    });

    it('refuses other media types (415) and tokens without users:write (403)', async () => {
      const json = await t.call('POST', URL_, { body: { username: 'x' } });
      expect(problemCode(json, 415)).toBe('unsupported_media_type');
      const reader = await t.token(TENANT, ['users:read']);
      expect(problemCode(await upload('username,email,fullname\n', 'text/csv', '', reader), 403)).toBe(
        'forbidden',
      );
    });
  });
}
