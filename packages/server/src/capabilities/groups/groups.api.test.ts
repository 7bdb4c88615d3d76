/**
 * The groups admin API end to end on each dialect, through HTTP with real tokens: groups (create,
 * get, list with cursors, update and delete with If-Match), their members — users and nested groups,
 * with cycles refused as 409 group_cycle — and a user's groups (direct and transitive). For every
 * endpoint: success with status, shape and headers; 400 for schema violations; 404 for unknown and
 * malformed ids; 409 for a name differing only in case; 412 for a stale ETag; and an audit entry for
 * every admin write. (401/403 are in admin-api.matrix.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import {
  BAD_IDS,
  BAD_INPUT,
  createTenantApi,
  expectWritesAudited,
  GHOST_ID,
  ISO_TIME,
  problemCode,
} from '../../../test/tenant-api.ts';

interface Named {
  id: string;
  name: string;
  version: number;
}

const TENANT = 'teams';
const BASE = `/api/v1/tenants/${TENANT}`;

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`groups API [${dialect}]`, () => {
    let t: AdminTestApp;
    const { api, writes } = createTenantApi(() => t, BASE);

    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant(TENANT);
    });
    afterAll(async () => {
      await t?.close();
    });

    async function group(name: string): Promise<Named> {
      const r = await api('POST', '/groups', { body: { name } });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as unknown as Named;
    }
    async function user(username: string): Promise<Named> {
      const r = await api('POST', '/users', { body: { username } });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as unknown as Named;
    }
    async function collect<T>(path: string): Promise<T[]> {
      const seen: T[] = [];
      let cursor: string | null = null;
      do {
        const r = await api('GET', `${path}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.statusCode, r.body).toBe(200);
        const page = r.json() as unknown as { items: T[]; nextCursor: string | null };
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    }
    const names = (items: { name: string }[]) => items.map((x) => x.name);

    it('POST /groups creates a group (201, Location, ETag); a name differing in case is 409', async () => {
      const r = await api('POST', '/groups', { body: { name: 'Engineering', description: 'Builds things' } });
      expect(r.statusCode).toBe(201);
      const g = r.json() as unknown as Named;
      expect(r.headers.location).toBe(`${BASE}/groups/${g.id}`);
      expect(r.headers.etag).toBe('"1"');
      expect(g).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Engineering',
        description: 'Builds things',
        createdAt: expect.stringMatching(ISO_TIME),
        updatedAt: expect.stringMatching(ISO_TIME),
        version: 1,
      });
      expect(problemCode(await api('POST', '/groups', { body: { name: 'ENGINEERING' } }), 409)).toBe(
        'conflict',
      );
    });

    it.each([
      ['an unknown property', { name: 'g1', owner: 'x' }],
      ['a missing name', { description: 'x' }],
      ['an overlong name', { name: 'g'.repeat(129) }],
      ['a name of the wrong type', { name: { text: 'x' } }],
      ['a name with surrounding spaces', { name: ' padded ' }],
      ['a NUL byte', { name: 'a\u0000b' }],
      ['an overlong description', { name: 'g2', description: 'd'.repeat(1025) }],
    ])('POST /groups refuses %s with 400', async (_what, body) => {
      expect(BAD_INPUT).toContain(problemCode(await api('POST', '/groups', { body }), 400));
    });

    it('GET /groups/:id answers 200 with an ETag, and 404 for unknown and malformed ids', async () => {
      const g = await group('Readers');
      const r = await api('GET', `/groups/${g.id}`);
      expect(r.statusCode).toBe(200);
      expect(r.headers.etag).toBe('"1"');
      expect(r.json()).toMatchObject({ id: g.id, name: 'Readers', description: null });
      for (const id of BAD_IDS) expect(problemCode(await api('GET', `/groups/${id}`), 404)).toBe('not_found');
      expect(problemCode(await api('GET', '/groups/a%00b'), 400)).toBe('invalid_characters');
    });

    it('PATCH /groups/:id honours If-Match (200 + new ETag; 412 when stale) and refuses duplicates', async () => {
      const g = await group('Sales');
      const ok = await api('PATCH', `/groups/${g.id}`, { body: { description: 'Sells' }, ifMatch: '"1"' });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers.etag).toBe('"2"');
      expect(ok.json()).toMatchObject({ name: 'Sales', description: 'Sells', version: 2 });
      expect(
        problemCode(await api('PATCH', `/groups/${g.id}`, { body: { name: 'Lost' }, ifMatch: '"1"' }), 412),
      ).toBe('precondition_failed');
      expect((await api('GET', `/groups/${g.id}`)).json()).toMatchObject({ name: 'Sales', version: 2 });
      const renamed = await api('PATCH', `/groups/${g.id}`, {
        body: { name: 'Sales EU', description: null },
      });
      expect(renamed.json()).toMatchObject({ name: 'Sales EU', description: null, version: 3 });
      expect(problemCode(await api('PATCH', `/groups/${g.id}`, { body: { name: 'readers' } }), 409)).toBe(
        'conflict',
      );
      for (const body of [
        { colour: 'x' },
        { name: 'n'.repeat(129) },
        { name: ['a', 'b'] },
        { name: '' },
        { name: 'a\u0000' },
      ]) {
        expect(BAD_INPUT).toContain(problemCode(await api('PATCH', `/groups/${g.id}`, { body }), 400));
      }
      for (const id of BAD_IDS) {
        expect(problemCode(await api('PATCH', `/groups/${id}`, { body: { description: 'x' } }), 404)).toBe(
          'not_found',
        );
      }
    });

    it('DELETE /groups/:id honours If-Match (412), answers 204, then 404', async () => {
      const g = await group('Temporary');
      expect(problemCode(await api('DELETE', `/groups/${g.id}`, { ifMatch: '"9"' }), 412)).toBe(
        'precondition_failed',
      );
      const r = await api('DELETE', `/groups/${g.id}`, { ifMatch: '"1"' });
      expect(r.statusCode).toBe(204);
      expect(r.body).toBe('');
      for (const id of [g.id, ...BAD_IDS])
        expect(problemCode(await api('DELETE', `/groups/${id}`), 404)).toBe('not_found');
    });

    it('GET /groups paginates with cursors (no duplicates, no gaps), sorts and filters by prefix', async () => {
      const made = ['Team-3', 'team-1', 'TEAM-5', 'team-0', 'team-4', 'Team-2', 'team-6'];
      for (const n of made) await group(n);
      const sorted = [...made].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
      expect(names(await collect<Named>('/groups?limit=3&q=team-'))).toEqual(sorted);
      expect(names(await collect<Named>('/groups?limit=2&q=TEAM-&sort=-name'))).toEqual(
        [...sorted].reverse(),
      );
      const byAge = names(await collect<Named>('/groups?limit=4&q=team-&sort=createdAt'));
      expect([...byAge].sort()).toEqual([...made].sort());
      const first = (await api('GET', '/groups?limit=1&q=team-')).json() as unknown as { nextCursor: string };
      expect(problemCode(await api('GET', `/groups?sort=createdAt&cursor=${first.nextCursor}`), 400)).toBe(
        'invalid_cursor',
      );
    });

    it.each([
      'limit=Infinity',
      'limit=0',
      'limit=201',
      'sort=id',
      'unknown=1',
      `q=${'q'.repeat(129)}`,
      'q=%00',
    ])('GET /groups?%s answers 400', async (query) => {
      expect([...BAD_INPUT, 'invalid_cursor']).toContain(
        problemCode(await api('GET', `/groups?${query}`), 400),
      );
    });

    it('members/users: PUT adds (204, idempotent), GET lists, DELETE removes (204, then 404)', async () => {
      const g = await group('Support');
      const ann = await user('ann');
      const r = await api('PUT', `/groups/${g.id}/members/users/${ann.id}`);
      expect(r.statusCode).toBe(204);
      expect(r.body).toBe('');
      expect((await api('PUT', `/groups/${g.id}/members/users/${ann.id}`, { noop: true })).statusCode).toBe(
        204,
      );
      const list = await api('GET', `/groups/${g.id}/members`);
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({
        items: [{ type: 'user', id: ann.id, name: 'ann', addedAt: expect.stringMatching(ISO_TIME) }],
        nextCursor: null,
      });
      for (const [gid, uid] of [
        [GHOST_ID, ann.id],
        ['not-a-uuid', ann.id],
        [g.id, GHOST_ID],
        [g.id, 'not-a-uuid'],
      ]) {
        expect(problemCode(await api('PUT', `/groups/${gid}/members/users/${uid}`), 404)).toBe('not_found');
        expect(problemCode(await api('DELETE', `/groups/${gid}/members/users/${uid}`), 404)).toBe(
          'not_found',
        );
      }
      expect(problemCode(await api('PUT', `/groups/${g.id}/members/users/a%00b`), 400)).toBe(
        'invalid_characters',
      );
      expect(problemCode(await api('PUT', `/groups/${g.id}/members/users/${'x'.repeat(65)}`), 400)).toBe(
        'validation_failed',
      );
      expect((await api('DELETE', `/groups/${g.id}/members/users/${ann.id}`)).statusCode).toBe(204);
      expect(problemCode(await api('DELETE', `/groups/${g.id}/members/users/${ann.id}`), 404)).toBe(
        'not_found',
      );
      expect((await api('GET', `/groups/${g.id}/members`)).json()).toEqual({ items: [], nextCursor: null });
    });

    it('members/groups: nests (204), refuses cycles with 409 group_cycle, un-nests (204, then 404)', async () => {
      const [a, b, c] = [await group('Cycle-A'), await group('Cycle-B'), await group('Cycle-C')];
      expect((await api('PUT', `/groups/${a.id}/members/groups/${b.id}`)).statusCode).toBe(204);
      expect((await api('PUT', `/groups/${b.id}/members/groups/${c.id}`)).statusCode).toBe(204);
      expect((await api('PUT', `/groups/${b.id}/members/groups/${c.id}`, { noop: true })).statusCode).toBe(
        204,
      );
      for (const [parent, child] of [
        [c, a],
        [b, a],
        [a, a],
      ]) {
        expect(problemCode(await api('PUT', `/groups/${parent!.id}/members/groups/${child!.id}`), 409)).toBe(
          'group_cycle',
        );
      }
      const members = (await api('GET', `/groups/${a.id}/members?type=group`)).json() as unknown as {
        items: { type: string; id: string }[];
      };
      expect(members.items).toEqual([expect.objectContaining({ type: 'group', id: b.id, name: 'Cycle-B' })]);
      for (const id of BAD_IDS) {
        expect(problemCode(await api('PUT', `/groups/${a.id}/members/groups/${id}`), 404)).toBe('not_found');
        expect(problemCode(await api('PUT', `/groups/${id}/members/groups/${a.id}`), 404)).toBe('not_found');
      }
      expect(problemCode(await api('PUT', `/groups/${a.id}/members/groups/a%00b`), 400)).toBe(
        'invalid_characters',
      );
      expect((await api('DELETE', `/groups/${b.id}/members/groups/${c.id}`)).statusCode).toBe(204);
      expect(problemCode(await api('DELETE', `/groups/${b.id}/members/groups/${c.id}`), 404)).toBe(
        'not_found',
      );
      expect(problemCode(await api('DELETE', `/groups/${b.id}/members/groups/not-a-uuid`), 404)).toBe(
        'not_found',
      );
      // with the link gone, the former cycle is allowed
      expect((await api('PUT', `/groups/${c.id}/members/groups/${a.id}`)).statusCode).toBe(204);
    });

    it('GET /groups/:id/members paginates users and groups with cursors, filters by type', async () => {
      const g = await group('Big');
      const usernames = Array.from({ length: 5 }, (_, i) => `member-${i}`);
      for (const n of usernames) await api('PUT', `/groups/${g.id}/members/users/${(await user(n)).id}`);
      await api('PUT', `/groups/${g.id}/members/groups/${(await group('Nested-In-Big')).id}`);
      const all = await collect<{ type: string; name: string }>(`/groups/${g.id}/members?limit=2&sort=name`);
      expect(names(all)).toEqual([...usernames, 'Nested-In-Big']);
      const users = await collect<{ type: string; name: string }>(
        `/groups/${g.id}/members?limit=2&type=user`,
      );
      expect(names(users).sort()).toEqual(usernames);
      for (const q of ['limit=Infinity', 'type=robot', 'sort=-id', 'extra=1', 'cursor=%00']) {
        expect(BAD_INPUT).toContain(problemCode(await api('GET', `/groups/${g.id}/members?${q}`), 400));
      }
      for (const id of BAD_IDS)
        expect(problemCode(await api('GET', `/groups/${id}/members`), 404)).toBe('not_found');
    });

    it('GET /users/:id/groups lists direct groups, and nested ones with transitive=true', async () => {
      const [outer, inner] = [await group('Outer'), await group('Inner')];
      const zed = await user('zed');
      await api('PUT', `/groups/${outer.id}/members/groups/${inner.id}`);
      await api('PUT', `/groups/${inner.id}/members/users/${zed.id}`);
      const direct = (await api('GET', `/users/${zed.id}/groups`)).json() as unknown as { items: object[] };
      expect(direct.items).toEqual([
        {
          id: inner.id,
          name: 'Inner',
          description: null,
          createdAt: expect.stringMatching(ISO_TIME),
          updatedAt: expect.stringMatching(ISO_TIME),
          version: 1,
          direct: true,
        },
      ]);
      const all = (await api('GET', `/users/${zed.id}/groups?transitive=true`)).json() as unknown as {
        items: { name: string; direct: boolean }[];
      };
      expect(all.items.map((x) => [x.name, x.direct]).sort()).toEqual([
        ['Inner', true],
        ['Outer', false],
      ]);
      // un-nesting takes effect at once
      await api('DELETE', `/groups/${outer.id}/members/groups/${inner.id}`);
      const after = (await api('GET', `/users/${zed.id}/groups?transitive=true`)).json() as unknown as {
        items: Named[];
      };
      expect(names(after.items)).toEqual(['Inner']);
      for (const q of ['transitive=maybe', 'limit=1']) {
        expect(problemCode(await api('GET', `/users/${zed.id}/groups?${q}`), 400)).toBe('validation_failed');
      }
      for (const id of BAD_IDS)
        expect(problemCode(await api('GET', `/users/${id}/groups`), 404)).toBe('not_found');
    });

    it('deleting a group removes its memberships', async () => {
      const g = await group('Doomed');
      const kid = await group('Doomed-Child');
      const yan = await user('yan');
      await api('PUT', `/groups/${g.id}/members/users/${yan.id}`);
      await api('PUT', `/groups/${g.id}/members/groups/${kid.id}`);
      expect((await api('DELETE', `/groups/${g.id}`)).statusCode).toBe(204);
      expect((await api('GET', `/users/${yan.id}/groups`)).json()).toEqual({ items: [] });
      expect((await api('GET', `/groups/${kid.id}`)).statusCode).toBe(200);
    });

    it('every successful write left an audit entry naming the credential', async () => {
      await expectWritesAudited(t, TENANT, writes, 30, [
        'group.created',
        'group.updated',
        'group.deleted',
        'group.member_added',
        'group.member_removed',
      ]);
    });
  });
}
