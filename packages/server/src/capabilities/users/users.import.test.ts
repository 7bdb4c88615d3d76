/**
 * CSV import: every good row is imported, every bad row reported with its line and reason (missing
 * username, invalid email, too long, duplicate in the file, already exists, wrong field count,
 * unknown group), `dryRun` writes nothing, a bad header fails the whole file, and 5,000 rows import
 * in batches quickly.
 */
import { Readable } from 'node:stream';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { AppError } from '../../errors/app-error.ts';
import { importUsers } from './import.ts';
import { createTenant, ctx, type UsersFixture, usersFixture } from './test-support.ts';

const csv = (text: string) => Readable.from([Buffer.from(text)]);

describeEachDialect('users CSV import', (get) => {
  let f: UsersFixture;

  beforeAll(() => {
    f = usersFixture(get());
  });

  const MIXED = [
    '\ufeffUsername,Email,FullName', // 1 (BOM, any case)
    'alice,alice@example.com,Alice A', // 2 ok
    ',nobody@example.com,No Name', // 3 missing username
    'bob,not-an-email,Bob', // 4 invalid email
    'ALICE,other@example.com,Alice again', // 5 duplicate username in file
    'carol,Alice@Example.com,Carol', // 6 duplicate email in file
    'existing,,Already There', // 7 already exists
    `${'x'.repeat(129)},,Too Long`, // 8 too long
    'dave,dave@example.com,"Dave, ""the"" Dev"', // 9 ok, quoted
    '', // 10 empty line: skipped
    'erin,erin@example.com,Erin,extra', // 11 too many fields
    'frank,"frank@example.com","Frank', // 12 a quote not closed on its line (fields never span lines)
    'Franklin"', // 13 one field
    'with space,,Spacey', // 14 whitespace in username
    'grace,,', // 15 ok, no email, no name
    '   ', // 16 blank: skipped
    'heidi,heidi@example.com,"Heidi ""H""', // 17 quote never closed
    'ivan,,Ivan', // 18 ok: the open quote above does not swallow it
  ].join('\r\n');

  it('imports the good rows and reports each bad row with its line and reason', async () => {
    const tenantId = (await createTenant(get())).id;
    await f.users.create(tenantId, { username: 'Existing' }, ctx);
    const progress: number[] = [];
    const result = await importUsers(f.users, tenantId, csv(MIXED), {
      ctx,
      onProgress: (d) => progress.push(d),
    });
    expect(result.imported).toBe(4);
    expect(result.total).toBe(15); // 18 lines: a header and two blank ones
    expect(result.total).toBe(result.imported + result.failed.length);
    expect(result.failed.map((x) => x.line)).toEqual([3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 17]);
    const reason = (line: number) => result.failed.find((x) => x.line === line)?.reason;
    expect(reason(3)).toBe('missing username');
    expect(reason(4)).toMatch(/email: must be an email address/);
    expect(reason(5)).toBe('duplicate username in file (first on line 2)');
    expect(reason(6)).toBe('duplicate email in file (first on line 2)');
    expect(reason(7)).toBe('username already exists');
    expect(reason(8)).toMatch(/must be at most 128 characters/);
    expect(reason(11)).toBe('expected 3 fields, found 4');
    expect(reason(12)).toMatch(/^malformed CSV: a quote opened here is never closed/);
    expect(reason(13)).toBe('expected 3 fields, found 1');
    expect(reason(14)).toMatch(/spaces/);
    expect(reason(17)).toMatch(/malformed CSV: a quote opened here is never closed/);
    expect((await f.users.findByLogin(tenantId, 'dave'))?.name).toBe('Dave, "the" Dev');
    expect((await f.users.findByLogin(tenantId, 'grace'))?.email).toBeNull();
    expect(await f.users.count(tenantId)).toBe(5);
    expect(progress.at(-1)).toBe(17); // every line after the header
    expect(f.events.filter((e) => e.type === 'user.created' && e.data?.username === 'dave')).toHaveLength(1);
  });

  it('changes nothing with dryRun, yet reports the same rows', async () => {
    const tenantId = (await createTenant(get())).id;
    await f.users.create(tenantId, { username: 'existing' }, ctx);
    const before = f.events.length;
    const dry = await importUsers(f.users, tenantId, csv(MIXED), { ctx, dryRun: true });
    expect(await f.users.count(tenantId)).toBe(1);
    expect(f.events.length).toBe(before);
    const real = await importUsers(f.users, tenantId, csv(MIXED), { ctx });
    expect(dry).toEqual(real);
  });

  it('reports rows that already exist by email, and rows sharing a batch with a duplicate', async () => {
    const tenantId = (await createTenant(get())).id;
    await f.users.create(tenantId, { username: 'someone', email: 'taken@example.com' }, ctx);
    const result = await importUsers(
      f.users,
      tenantId,
      csv('username,email,fullname\nnew,TAKEN@example.com,\nok,,\n'),
      {
        ctx,
        batchSize: 1,
      },
    );
    expect(result).toEqual({
      imported: 1,
      total: 2,
      failed: [{ line: 2, reason: 'email already exists' }],
      groupsCreated: [],
    });
  });

  it('refuses a file without the documented header, naming the problem', async () => {
    const tenantId = (await createTenant(get())).id;
    for (const [text, message] of [
      ['', /header row is required/],
      ['username,email\nalice,a@example.com\n', /missing column\(s\) fullname/],
      ['username,email,fullname,phone\n', /unknown column "phone"/],
      ['username,email,fullname,email\n', /appears twice/],
    ] as const) {
      const err = await importUsers(f.users, tenantId, csv(text), { ctx }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toMatch(message);
    }
    expect(await f.users.count(tenantId)).toBe(0);
  });

  it('accepts columns in any order', async () => {
    const tenantId = (await createTenant(get())).id;
    const result = await importUsers(
      f.users,
      tenantId,
      csv('fullname,username,email\nZoe Z,zoe,zoe@example.com\n'),
      { ctx },
    );
    expect(result.imported).toBe(1);
    expect(await f.users.findByLogin(tenantId, 'zoe@example.com')).toMatchObject({
      username: 'zoe',
      name: 'Zoe Z',
    });
  });

  it('adds users to groups through the callbacks; without them, a groups cell is a row error', async () => {
    const tenantId = (await createTenant(get())).id;
    const text = 'username,email,fullname,groups\nann,,,Admins; Staff\nben,,,Nope\ncat,,,\n';
    const without = await importUsers(f.users, tenantId, csv(text), { ctx, dryRun: true });
    expect(without.failed).toEqual([
      { line: 2, reason: 'groups column not supported here' },
      { line: 3, reason: 'groups column not supported here' },
    ]);
    const groups = new Map([
      ['admins', 'g-admins'],
      ['staff', 'g-staff'],
    ]);
    const added: string[] = [];
    const result = await importUsers(f.users, tenantId, csv(text), {
      ctx,
      resolveGroup: async (_t, name) => groups.get(name.toLowerCase()) ?? null,
      addToGroup: async (_t, groupId, userId) => {
        added.push(`${groupId}:${userId}`);
      },
    });
    expect(result.failed).toEqual([
      { line: 3, reason: 'unknown group "Nope" (create it first, or import with create-groups)' },
    ]);
    expect(result.imported).toBe(2);
    const ann = await f.users.findByLogin(tenantId, 'ann');
    expect(added).toEqual([`g-admins:${ann?.id}`, `g-staff:${ann?.id}`]);
  });

  it('reports a short row and an unclosed quote each on its own line; the lines after still import', async () => {
    const tenantId = (await createTenant(get())).id;
    const text = [
      'username,email,fullname', // 1
      'amy,amy@example.com,Amy', // 2
      'bert,bert@example.com', // 3 short row
      'cleo,cleo@example.com,"Cleo', // 4 quote never closed
      'dan,dan@example.com,Dan', // 5
      'eve,,"Eve, ""E"""', // 6
    ].join('\n');
    const result = await importUsers(f.users, tenantId, csv(text), { ctx });
    expect(result).toEqual({
      imported: 3,
      total: 5,
      failed: [
        { line: 3, reason: 'expected 3 fields, found 2' },
        { line: 4, reason: 'malformed CSV: a quote opened here is never closed on this line' },
      ],
      groupsCreated: [],
    });
    expect((await f.users.findByLogin(tenantId, 'eve'))?.name).toBe('Eve, "E"');
    expect(await f.users.findByLogin(tenantId, 'dan')).not.toBeNull();
  });

  it('imports NDJSON with the same per-line report', async () => {
    const tenantId = (await createTenant(get())).id;
    const text = [
      '{"username":"nia","email":"nia@example.com","name":"Nia N"}', // 1
      '{"username":"oto","fullname":"Oto","id":"ignored","status":"active"}', // 2 read-only fields ignored
      '', // 3 blank
      '{"username":"pia",', // 4 malformed
      '["not","an","object"]', // 5
      '{"username":"quin","phone":"1"}', // 6 unknown field
      '{"username":"nia"}', // 7 duplicate
    ].join('\r\n');
    const result = await importUsers(f.users, tenantId, csv(text), { ctx, format: 'ndjson' });
    expect(result.failed).toEqual([
      { line: 4, reason: 'malformed JSON' },
      { line: 5, reason: 'expected a JSON object' },
      { line: 6, reason: 'unknown field "phone"' },
      { line: 7, reason: 'duplicate username in file (first on line 1)' },
    ]);
    expect(result).toMatchObject({ imported: 2, total: 6 });
    expect(await f.users.findByLogin(tenantId, 'nia@example.com')).toMatchObject({ name: 'Nia N' });
  });

  it('creates missing groups through createGroup, once per name (a dry run only names them)', async () => {
    const tenantId = (await createTenant(get())).id;
    const text = 'username,email,fullname,groups\nrae,,,Ops;Staff\nsam,,,ops\n';
    const existing = new Map([['staff', 'g-staff']]);
    const created: string[] = [];
    const added: string[] = [];
    const options = {
      ctx,
      resolveGroup: async (_t: string, name: string) => existing.get(name.toLowerCase()) ?? null,
      addToGroup: async (_t: string, groupId: string, userId: string) => {
        added.push(`${groupId}:${userId}`);
      },
      createGroup: async (_t: string, name: string) => {
        created.push(name);
        return `g-${name.toLowerCase()}`;
      },
    };
    const dry = await importUsers(f.users, tenantId, csv(text), { ...options, dryRun: true });
    expect(dry).toMatchObject({ imported: 2, failed: [], groupsCreated: ['Ops'] });
    expect(created).toEqual([]);
    const real = await importUsers(f.users, tenantId, csv(text), options);
    expect(real).toMatchObject({ imported: 2, failed: [], groupsCreated: ['Ops'] });
    expect(created).toEqual(['Ops']);
    const sam = await f.users.findByLogin(tenantId, 'sam');
    expect(added.filter((a) => a.startsWith('g-ops:'))).toHaveLength(2);
    expect(added).toContain(`g-ops:${sam?.id}`);
  });

  it('reads an export header: the read-only columns are ignored', async () => {
    const tenantId = (await createTenant(get())).id;
    const text =
      'username,email,fullname,groups,id,status,emailVerified,createdAt,lastSignInAt\n' +
      'tia,tia@example.com,Tia,,01900000-0000-7000-8000-000000000000,disabled,true,2026-01-01T00:00:00.000Z,\n';
    const result = await importUsers(f.users, tenantId, csv(text), { ctx });
    expect(result).toMatchObject({ imported: 1, failed: [] });
  });

  it('imports 5,000 rows in batches, quickly', async () => {
    const tenantId = (await createTenant(get())).id;
    const lines = ['username,email,fullname'];
    for (let i = 0; i < 5000; i++) lines.push(`user${i},user${i}@example.com,User ${i}`);
    lines.push('user42,,Duplicate');
    const started = performance.now();
    const progress: number[] = [];
    const result = await importUsers(f.users, tenantId, csv(`${lines.join('\n')}\n`), {
      ctx,
      onProgress: (done) => progress.push(done),
    });
    const ms = performance.now() - started;
    expect(result.imported).toBe(5000);
    expect(result.failed).toEqual([{ line: 5002, reason: 'duplicate username in file (first on line 44)' }]);
    expect(await f.users.count(tenantId)).toBe(5000);
    expect(progress.length).toBeGreaterThanOrEqual(10);
    expect(ms).toBeLessThan(15_000);
  });
});
