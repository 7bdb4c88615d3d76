/**
 * The organizations admin API end to end on each dialect, through HTTP with real tokens:
 * organizations and org units (create, get, list with cursors and filters, rename, delete with
 * cascade, tree, move — cycles refused as 409 org_unit_cycle), memberships with named roles, and a
 * user's organizations. For every endpoint: success with status, shape and headers; 400 for schema
 * violations; 404 for unknown and malformed ids; 409 for a sibling name differing only in case; 412
 * for a stale ETag; an audit entry for every admin write. (401/403 are in admin-api.matrix.test.ts.)
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

interface Org {
  id: string;
  parentId: string | null;
  kind: string;
  name: string;
  version: number;
}
interface Tree extends Org {
  children: Tree[];
}

const TENANT = 'orgs';
const BASE = `/api/v1/tenants/${TENANT}`;

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`organizations API [${dialect}]`, () => {
    let t: AdminTestApp;
    const { api, writes } = createTenantApi(() => t, BASE);

    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant(TENANT);
    });
    afterAll(async () => {
      await t?.close();
    });

    async function org(name: string, parentId?: string): Promise<Org> {
      const r = await api('POST', '/organizations', { body: { name, ...(parentId ? { parentId } : {}) } });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as unknown as Org;
    }
    async function user(username: string): Promise<string> {
      const r = await api('POST', '/users', { body: { username } });
      expect(r.statusCode, r.body).toBe(201);
      return (r.json() as unknown as { id: string }).id;
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
    const member = (orgId: string, userId: string, roles: unknown) =>
      api('PUT', `/organizations/${orgId}/members/${userId}`, { body: { roles } });

    it('POST /organizations creates organizations and units (201, Location, ETag); siblings clash by case', async () => {
      const r = await api('POST', '/organizations', { body: { name: 'Acme' } });
      expect(r.statusCode).toBe(201);
      const acme = r.json() as unknown as Org;
      expect(r.headers.location).toBe(`${BASE}/organizations/${acme.id}`);
      expect(r.headers.etag).toBe('"1"');
      expect(acme).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        parentId: null,
        kind: 'organization',
        name: 'Acme',
        createdAt: expect.stringMatching(ISO_TIME),
        updatedAt: expect.stringMatching(ISO_TIME),
        version: 1,
      });
      const sales = await org('Sales', acme.id);
      expect(sales).toMatchObject({ parentId: acme.id, kind: 'unit', name: 'Sales' });
      expect(problemCode(await api('POST', '/organizations', { body: { name: 'ACME' } }), 409)).toBe(
        'conflict',
      );
      const dup = await api('POST', '/organizations', { body: { name: 'sales', parentId: acme.id } });
      expect(problemCode(dup, 409)).toBe('conflict');
      expect((await org('Sales', sales.id)).kind).toBe('unit'); // same name, other parent: fine
      for (const parentId of BAD_IDS) {
        expect(problemCode(await api('POST', '/organizations', { body: { name: 'X', parentId } }), 404)).toBe(
          'not_found',
        );
      }
    });

    it.each([
      ['an unknown property', { name: 'o1', kind: 'unit' }],
      ['a missing name', {}],
      ['an overlong name', { name: 'o'.repeat(201) }],
      ['a name of the wrong type', { name: ['a', 'b'] }],
      ['a name with surrounding spaces', { name: ' Padded' }],
      ['a NUL byte', { name: 'a\u0000b' }],
      ['an empty parentId', { name: 'o2', parentId: '' }],
    ])('POST /organizations refuses %s with 400', async (_what, body) => {
      expect(BAD_INPUT).toContain(problemCode(await api('POST', '/organizations', { body }), 400));
    });

    it('GET /organizations/:id answers 200 with an ETag, and 404 for unknown and malformed ids', async () => {
      const o = await org('Globex');
      const r = await api('GET', `/organizations/${o.id}`);
      expect(r.statusCode).toBe(200);
      expect(r.headers.etag).toBe('"1"');
      expect(r.json()).toEqual(o);
      for (const id of BAD_IDS)
        expect(problemCode(await api('GET', `/organizations/${id}`), 404)).toBe('not_found');
      expect(problemCode(await api('GET', '/organizations/a%00b'), 400)).toBe('invalid_characters');
    });

    it('PATCH /organizations/:id renames with If-Match (412 when stale, 409 for a sibling name)', async () => {
      const parent = await org('Initech');
      const a = await org('Alpha', parent.id);
      await org('Beta', parent.id);
      const ok = await api('PATCH', `/organizations/${a.id}`, {
        body: { name: 'Alpha One' },
        ifMatch: '"1"',
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers.etag).toBe('"2"');
      expect(ok.json()).toMatchObject({ name: 'Alpha One', version: 2 });
      const stale = await api('PATCH', `/organizations/${a.id}`, { body: { name: 'Lost' }, ifMatch: '"1"' });
      expect(problemCode(stale, 412)).toBe('precondition_failed');
      expect((await api('GET', `/organizations/${a.id}`)).json()).toMatchObject({ name: 'Alpha One' });
      expect(problemCode(await api('PATCH', `/organizations/${a.id}`, { body: { name: 'BETA' } }), 409)).toBe(
        'conflict',
      );
      for (const body of [
        {},
        { name: 'x', parentId: parent.id },
        { name: 'n'.repeat(201) },
        { name: '\u0000' },
      ]) {
        expect(BAD_INPUT).toContain(problemCode(await api('PATCH', `/organizations/${a.id}`, { body }), 400));
      }
      for (const id of BAD_IDS) {
        expect(problemCode(await api('PATCH', `/organizations/${id}`, { body: { name: 'x' } }), 404)).toBe(
          'not_found',
        );
      }
    });

    it('GET /organizations/:id/tree nests every descendant by name', async () => {
      const root = await org('Umbrella');
      const b = await org('B-Unit', root.id);
      const a = await org('A-Unit', root.id);
      const deep = await org('Deep', a.id);
      const r = await api('GET', `/organizations/${root.id}/tree`);
      expect(r.statusCode).toBe(200);
      const tree = r.json() as unknown as Tree;
      expect(tree).toMatchObject({ id: root.id, kind: 'organization', version: 1 });
      expect(tree.children.map((c) => [c.id, c.children.map((x) => x.id)])).toEqual([
        [a.id, [deep.id]],
        [b.id, []],
      ]);
      expect(tree.children[0]!.children[0]).toMatchObject({ name: 'Deep', kind: 'unit', children: [] });
      expect(
        ((await api('GET', `/organizations/${deep.id}/tree`)).json() as unknown as Tree).children,
      ).toEqual([]);
      for (const id of BAD_IDS)
        expect(problemCode(await api('GET', `/organizations/${id}/tree`), 404)).toBe('not_found');
    });

    it('POST /organizations/:id/move moves units with If-Match; cycles are 409 org_unit_cycle', async () => {
      const [left, right] = [await org('Left'), await org('Right')];
      const unit = await org('Mover', left.id);
      const child = await org('Mover-Child', unit.id);
      const moved = await api('POST', `/organizations/${unit.id}/move`, {
        body: { parentId: right.id },
        ifMatch: '"1"',
      });
      expect(moved.statusCode).toBe(200);
      expect(moved.headers.etag).toBe('"2"');
      expect(moved.json()).toMatchObject({ id: unit.id, parentId: right.id, kind: 'unit', version: 2 });
      const stale = await api('POST', `/organizations/${unit.id}/move`, {
        body: { parentId: left.id },
        ifMatch: '"1"',
      });
      expect(problemCode(stale, 412)).toBe('precondition_failed');
      const tree = (await api('GET', `/organizations/${right.id}/tree`)).json() as unknown as Tree;
      expect(tree.children[0]!.children[0]!.id).toBe(child.id);
      for (const parentId of [unit.id, child.id]) {
        const cycle = await api('POST', `/organizations/${unit.id}/move`, { body: { parentId } });
        expect(problemCode(cycle, 409)).toBe('org_unit_cycle');
      }
      const top = await api('POST', `/organizations/${left.id}/move`, { body: { parentId: right.id } });
      expect(problemCode(top, 400)).toBe('validation_failed');
      for (const parentId of BAD_IDS) {
        expect(
          problemCode(await api('POST', `/organizations/${unit.id}/move`, { body: { parentId } }), 404),
        ).toBe('not_found');
      }
      for (const id of BAD_IDS) {
        expect(
          problemCode(await api('POST', `/organizations/${id}/move`, { body: { parentId: left.id } }), 404),
        ).toBe('not_found');
      }
      for (const body of [
        {},
        { parentId: left.id, name: 'x' },
        { parentId: { id: left.id } },
        { parentId: 'a\u0000' },
      ]) {
        expect(BAD_INPUT).toContain(
          problemCode(await api('POST', `/organizations/${unit.id}/move`, { body }), 400),
        );
      }
      expect((await api('GET', `/organizations/${unit.id}`)).json()).toMatchObject({
        parentId: right.id,
        version: 2,
      });
    });

    it('GET /organizations paginates with cursors, filters by parent and kind, sorts', async () => {
      const holding = await org('Holding');
      const made = ['Div-3', 'div-1', 'DIV-5', 'div-0', 'div-4', 'Div-2'];
      for (const n of made) await org(n, holding.id);
      const sorted = [...made].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
      const q = `parentId=${holding.id}`;
      expect(names(await collect<Org>(`/organizations?limit=4&${q}`))).toEqual(sorted);
      expect(names(await collect<Org>(`/organizations?limit=2&${q}&sort=-name`))).toEqual(
        [...sorted].reverse(),
      );
      const byAge = await collect<Org>(`/organizations?limit=5&${q}&sort=createdAt`);
      expect(names(byAge).sort()).toEqual([...made].sort());
      const tops = await collect<Org>('/organizations?limit=3&parentId=root');
      expect(tops.every((o) => o.kind === 'organization' && o.parentId === null)).toBe(true);
      expect(names(tops)).toContain('Holding');
      const units = await collect<Org>('/organizations?limit=50&kind=unit');
      expect(units.every((o) => o.kind === 'unit')).toBe(true);
      expect(new Set(units.map((o) => o.id)).size).toBe(units.length);
      const first = (await api('GET', `/organizations?limit=1&${q}`)).json() as unknown as {
        nextCursor: string;
      };
      expect(
        problemCode(await api('GET', `/organizations?sort=createdAt&cursor=${first.nextCursor}`), 400),
      ).toBe('invalid_cursor');
    });

    it.each([
      'limit=Infinity',
      'limit=0',
      'limit=201',
      'parentId=top',
      'kind=division',
      'sort=id',
      'x=1',
      'parentId=%00',
    ])('GET /organizations?%s answers 400', async (query) => {
      expect(BAD_INPUT).toContain(problemCode(await api('GET', `/organizations?${query}`), 400));
    });

    it('members: PUT adds (201) and replaces roles (200), GET lists with cursors, DELETE removes (204, 404)', async () => {
      const o = await org('Members Inc');
      const uma = await user('uma');
      const added = await member(o.id, uma, ['Viewer', 'member']);
      expect(added.statusCode).toBe(201);
      expect(added.json()).toEqual({ userId: uma, roles: ['member', 'viewer'] });
      const replaced = await member(o.id, uma, ['admin']);
      expect(replaced.statusCode).toBe(200);
      expect(replaced.json()).toEqual({ userId: uma, roles: ['admin'] });
      const ids = [uma];
      for (let i = 0; i < 4; i++) {
        ids.push(await user(`member-${i}`));
        expect((await member(o.id, ids[ids.length - 1]!, ['member'])).statusCode).toBe(201);
      }
      const listed = await collect<{ userId: string; roles: string[] }>(
        `/organizations/${o.id}/members?limit=2`,
      );
      expect(listed.map((m) => m.userId)).toEqual([...ids].sort());
      expect(listed.find((m) => m.userId === uma)!.roles).toEqual(['admin']);
      const unknownRole = await member(o.id, uma, ['admin', 'wizard']);
      expect(problemCode(unknownRole, 400)).toBe('validation_failed');
      expect(unknownRole.body).toContain('wizard');
      for (const roles of [
        [],
        Array.from({ length: 21 }, () => 'member'),
        'member-as-object',
        [{ name: 'x' }],
        ['a\u0000'],
      ]) {
        const body = roles === 'member-as-object' ? { roles: { name: 'member' } } : { roles };
        const r = await api('PUT', `/organizations/${o.id}/members/${uma}`, { body });
        expect(BAD_INPUT).toContain(problemCode(r, 400));
      }
      expect(BAD_INPUT).toContain(
        problemCode(
          await api('PUT', `/organizations/${o.id}/members/${uma}`, {
            body: { roles: ['member'], since: 1 },
          }),
          400,
        ),
      );
      for (const [oid, uid] of [
        [GHOST_ID, uma],
        ['not-a-uuid', uma],
        [o.id, GHOST_ID],
        [o.id, 'not-a-uuid'],
      ]) {
        expect(problemCode(await member(oid!, uid!, ['member']), 404)).toBe('not_found');
        expect(problemCode(await api('DELETE', `/organizations/${oid}/members/${uid}`), 404)).toBe(
          'not_found',
        );
      }
      for (const q of ['limit=Infinity', 'sort=name', 'x=1', 'cursor=%00']) {
        expect(BAD_INPUT).toContain(
          problemCode(await api('GET', `/organizations/${o.id}/members?${q}`), 400),
        );
      }
      for (const id of BAD_IDS)
        expect(problemCode(await api('GET', `/organizations/${id}/members`), 404)).toBe('not_found');
      const removed = await api('DELETE', `/organizations/${o.id}/members/${uma}`);
      expect(removed.statusCode).toBe(204);
      expect(removed.body).toBe('');
      expect(problemCode(await api('DELETE', `/organizations/${o.id}/members/${uma}`), 404)).toBe(
        'not_found',
      );
    });

    it("GET /users/:id/organizations lists a user's organizations and units with their roles", async () => {
      const top = await org('Multi');
      const unit = await org('Multi-Unit', top.id);
      const vic = await user('vic');
      await member(top.id, vic, ['viewer']);
      await member(unit.id, vic, ['writer', 'auditor']);
      const r = await api('GET', `/users/${vic}/organizations`);
      expect(r.statusCode).toBe(200);
      const got = (r.json() as unknown as { items: { orgId: string }[] }).items;
      // ordered by organization name (ids made in the same millisecond are not ordered)
      expect(got).toEqual([
        { orgId: top.id, orgName: 'Multi', kind: 'organization', roles: ['viewer'] },
        { orgId: unit.id, orgName: 'Multi-Unit', kind: 'unit', roles: ['auditor', 'writer'] },
      ]);
      for (const id of BAD_IDS)
        expect(problemCode(await api('GET', `/users/${id}/organizations`), 404)).toBe('not_found');
      expect(problemCode(await api('GET', '/users/a%00b/organizations'), 400)).toBe('invalid_characters');
    });

    it('DELETE /organizations/:id honours If-Match (412), cascades to units and memberships, then 404', async () => {
      const top = await org('Doomed');
      const unit = await org('Doomed-Unit', top.id);
      const wes = await user('wes');
      await member(unit.id, wes, ['member']);
      expect(problemCode(await api('DELETE', `/organizations/${top.id}`, { ifMatch: '"3"' }), 412)).toBe(
        'precondition_failed',
      );
      const r = await api('DELETE', `/organizations/${top.id}`, { ifMatch: '"1"' });
      expect(r.statusCode).toBe(204);
      expect(r.body).toBe('');
      for (const id of [top.id, unit.id])
        expect(problemCode(await api('GET', `/organizations/${id}`), 404)).toBe('not_found');
      expect((await api('GET', `/users/${wes}/organizations`)).json()).toEqual({ items: [] });
      for (const id of [top.id, ...BAD_IDS]) {
        expect(problemCode(await api('DELETE', `/organizations/${id}`), 404)).toBe('not_found');
      }
    });

    it('every successful write left an audit entry naming the credential', async () => {
      await expectWritesAudited(t, TENANT, writes, 40, [
        'org.created',
        'org.updated',
        'org.moved',
        'org.deleted',
        'org.member_added',
        'org.member_removed',
      ]);
    });
  });
}
