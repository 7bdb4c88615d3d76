/**
 * The roles admin API end to end on each dialect, through HTTP with real tokens: roles (built-in and
 * custom; create, get, list with cursors, update and delete with If-Match; built-ins answer 409
 * role_in_use), a user's and a group's roles, and a user's effective access — which follows nested
 * groups and changes the moment a membership, mapping or role changes. For every endpoint: success
 * with status, shape and headers; 400 for schema violations; 404 for unknown and malformed ids; 409
 * for a name differing only in case; 412 for a stale ETag; an audit entry for every admin write.
 * (401/403 are in admin-api.matrix.test.ts.)
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

interface Role {
  id: string;
  name: string;
  permissions: string[];
  builtin: boolean;
  version: number;
}

const TENANT = 'perms';
const BASE = `/api/v1/tenants/${TENANT}`;
const BUILTINS = ['admin', 'auditor', 'member', 'owner', 'viewer', 'writer'];

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`roles API [${dialect}]`, () => {
    let t: AdminTestApp;
    const { api, writes } = createTenantApi(() => t, BASE);

    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant(TENANT);
    });
    afterAll(async () => {
      await t?.close();
    });

    async function create(path: string, body: object): Promise<{ id: string }> {
      const r = await api('POST', path, { body });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as unknown as { id: string };
    }
    const role = (name: string, permissions: string[] = []) =>
      create('/roles', { name, permissions }) as Promise<Role>;
    const builtin = async (name: string) =>
      ((await api('GET', `/roles?q=${name}&builtin=true`)).json() as unknown as { items: Role[] }).items[0]!;
    const items = async (path: string) => {
      const r = await api('GET', path);
      expect(r.statusCode, r.body).toBe(200);
      return (r.json() as unknown as { items: Role[] }).items;
    };
    const access = async (userId: string) => (await api('GET', `/users/${userId}/access`)).json();

    it('GET /roles lists the built-in roles of a new tenant, filters and paginates with cursors', async () => {
      for (const n of ['Zeta', 'alpha', 'Mid']) await role(n);
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const r = await api('GET', `/roles?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.statusCode).toBe(200);
        const page = r.json() as unknown as { items: Role[]; nextCursor: string | null };
        all.push(...page.items.map((x) => x.name));
        cursor = page.nextCursor;
      } while (cursor);
      expect(all).toEqual([
        'admin',
        'alpha',
        'auditor',
        'member',
        'Mid',
        'owner',
        'viewer',
        'writer',
        'Zeta',
      ]);
      expect((await items('/roles?builtin=true')).map((x) => x.name)).toEqual(BUILTINS);
      expect((await items('/roles?builtin=false&sort=-name')).map((x) => x.name)).toEqual([
        'Zeta',
        'Mid',
        'alpha',
      ]);
      expect((await items('/roles?q=A')).map((x) => x.name)).toEqual(['admin', 'alpha', 'auditor']);
      expect(await builtin('owner')).toMatchObject({ builtin: true, permissions: ['*'], version: 1 });
    });

    it.each([
      'limit=Infinity',
      'limit=0',
      'limit=201',
      'builtin=maybe',
      'sort=permissions',
      'x=1',
      'q=%00',
      'cursor=bad',
    ])('GET /roles?%s answers 400', async (query) => {
      expect([...BAD_INPUT, 'invalid_cursor']).toContain(
        problemCode(await api('GET', `/roles?${query}`), 400),
      );
    });

    it('POST /roles creates a custom role (201, Location, ETag) with sorted, deduplicated permissions', async () => {
      const r = await api('POST', '/roles', {
        body: {
          name: 'Support',
          description: 'Helps',
          permissions: ['users:read', 'audit:read', 'users:read'],
        },
      });
      expect(r.statusCode).toBe(201);
      const made = r.json() as unknown as Role;
      expect(r.headers.location).toBe(`${BASE}/roles/${made.id}`);
      expect(r.headers.etag).toBe('"1"');
      expect(made).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Support',
        description: 'Helps',
        permissions: ['audit:read', 'users:read'],
        builtin: false,
        createdAt: expect.stringMatching(ISO_TIME),
        updatedAt: expect.stringMatching(ISO_TIME),
        version: 1,
      });
      for (const name of ['SUPPORT', 'Owner']) {
        expect(problemCode(await api('POST', '/roles', { body: { name } }), 409)).toBe('conflict');
      }
    });

    it.each([
      ['an unknown property', { name: 'r1', builtin: true }],
      ['a missing name', { permissions: [] }],
      ['an overlong name', { name: 'r'.repeat(65) }],
      ['a name with surrounding spaces', { name: ' r ' }],
      ['a malformed permission', { name: 'r2', permissions: ['Users:Read'] }],
      ['permissions of the wrong type', { name: 'r3', permissions: { users: 'read' } }],
      [
        'too many permissions',
        { name: 'r4', permissions: Array.from({ length: 201 }, (_, i) => `p${i}:read`) },
      ],
      ['an overlong description', { name: 'r5', description: 'd'.repeat(1025) }],
      ['a NUL byte', { name: 'r6', description: 'a\u0000b' }],
    ])('POST /roles refuses %s with 400', async (_what, body) => {
      expect(BAD_INPUT).toContain(problemCode(await api('POST', '/roles', { body }), 400));
    });

    it('GET /roles/:id answers 200 with an ETag, and 404 for unknown and malformed ids', async () => {
      const viewer = await builtin('viewer');
      const r = await api('GET', `/roles/${viewer.id}`);
      expect(r.statusCode).toBe(200);
      expect(r.headers.etag).toBe('"1"');
      expect(r.json()).toMatchObject({ name: 'viewer', builtin: true });
      for (const id of BAD_IDS) expect(problemCode(await api('GET', `/roles/${id}`), 404)).toBe('not_found');
      expect(problemCode(await api('GET', `/roles/${'x'.repeat(65)}`), 400)).toBe('validation_failed');
    });

    it('PATCH /roles/:id honours If-Match (412), refuses duplicates (409) and built-ins (409 role_in_use)', async () => {
      const r = await role('Editor', ['users:read']);
      const ok = await api('PATCH', `/roles/${r.id}`, {
        body: { permissions: ['users:write'] },
        ifMatch: '"1"',
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers.etag).toBe('"2"');
      expect(ok.json()).toMatchObject({ name: 'Editor', permissions: ['users:write'], version: 2 });
      const stale = await api('PATCH', `/roles/${r.id}`, { body: { permissions: ['*'] }, ifMatch: '"1"' });
      expect(problemCode(stale, 412)).toBe('precondition_failed');
      expect((await api('GET', `/roles/${r.id}`)).json()).toMatchObject({ permissions: ['users:write'] });
      expect(problemCode(await api('PATCH', `/roles/${r.id}`, { body: { name: 'SUPPORT' } }), 409)).toBe(
        'conflict',
      );
      const owner = await builtin('owner');
      for (const ifMatch of [undefined, '"1"']) {
        const refused = await api('PATCH', `/roles/${owner.id}`, { body: { description: 'mine' }, ifMatch });
        expect(problemCode(refused, 409)).toBe('role_in_use');
      }
      for (const body of [
        { builtin: false },
        { name: '' },
        { permissions: ['nope'] },
        { description: 'a\u0000' },
      ]) {
        expect(BAD_INPUT).toContain(problemCode(await api('PATCH', `/roles/${r.id}`, { body }), 400));
      }
      for (const id of BAD_IDS) {
        expect(problemCode(await api('PATCH', `/roles/${id}`, { body: { description: 'x' } }), 404)).toBe(
          'not_found',
        );
      }
    });

    it('DELETE /roles/:id: built-ins are 409 role_in_use; stale If-Match 412; then 204 and 404', async () => {
      const owner = await builtin('owner');
      expect(problemCode(await api('DELETE', `/roles/${owner.id}`), 409)).toBe('role_in_use');
      const r = await role('Ephemeral');
      expect(problemCode(await api('DELETE', `/roles/${r.id}`, { ifMatch: '"5"' }), 412)).toBe(
        'precondition_failed',
      );
      const gone = await api('DELETE', `/roles/${r.id}`, { ifMatch: '"1"' });
      expect(gone.statusCode).toBe(204);
      expect(gone.body).toBe('');
      for (const id of [r.id, ...BAD_IDS])
        expect(problemCode(await api('DELETE', `/roles/${id}`), 404)).toBe('not_found');
      expect((await items('/roles?builtin=true')).map((x) => x.name)).toEqual(BUILTINS);
    });

    it("a user's roles: PUT gives (204, idempotent), GET lists, DELETE takes (204, then 404)", async () => {
      const u = await create('/users', { username: 'rita' });
      const viewer = await builtin('viewer');
      const r = await api('PUT', `/users/${u.id}/roles/${viewer.id}`);
      expect(r.statusCode).toBe(204);
      expect(r.body).toBe('');
      expect((await api('PUT', `/users/${u.id}/roles/${viewer.id}`, { noop: true })).statusCode).toBe(204);
      expect(await items(`/users/${u.id}/roles`)).toEqual([
        expect.objectContaining({ id: viewer.id, name: 'viewer' }),
      ]);
      for (const [uid, rid] of [
        [GHOST_ID, viewer.id],
        ['not-a-uuid', viewer.id],
        [u.id, GHOST_ID],
        [u.id, 'not-a-uuid'],
      ]) {
        expect(problemCode(await api('PUT', `/users/${uid}/roles/${rid}`), 404)).toBe('not_found');
        expect(problemCode(await api('DELETE', `/users/${uid}/roles/${rid}`), 404)).toBe('not_found');
      }
      for (const id of BAD_IDS)
        expect(problemCode(await api('GET', `/users/${id}/roles`), 404)).toBe('not_found');
      expect(problemCode(await api('PUT', `/users/${u.id}/roles/a%00b`), 400)).toBe('invalid_characters');
      expect(problemCode(await api('GET', `/users/${'u'.repeat(65)}/roles`), 400)).toBe('validation_failed');
      expect((await api('DELETE', `/users/${u.id}/roles/${viewer.id}`)).statusCode).toBe(204);
      expect(problemCode(await api('DELETE', `/users/${u.id}/roles/${viewer.id}`), 404)).toBe('not_found');
      expect(await items(`/users/${u.id}/roles`)).toEqual([]);
    });

    it("a group's roles: PUT maps (204, idempotent), GET lists, DELETE unmaps (204, then 404)", async () => {
      const g = await create('/groups', { name: 'Auditors' });
      const auditor = await builtin('auditor');
      expect((await api('PUT', `/groups/${g.id}/roles/${auditor.id}`)).statusCode).toBe(204);
      expect((await api('PUT', `/groups/${g.id}/roles/${auditor.id}`, { noop: true })).statusCode).toBe(204);
      expect(await items(`/groups/${g.id}/roles`)).toEqual([
        expect.objectContaining({ id: auditor.id, name: 'auditor', permissions: ['audit:read'] }),
      ]);
      for (const [gid, rid] of [
        [GHOST_ID, auditor.id],
        ['not-a-uuid', auditor.id],
        [g.id, GHOST_ID],
        [g.id, 'not-a-uuid'],
      ]) {
        expect(problemCode(await api('PUT', `/groups/${gid}/roles/${rid}`), 404)).toBe('not_found');
        expect(problemCode(await api('DELETE', `/groups/${gid}/roles/${rid}`), 404)).toBe('not_found');
      }
      for (const id of BAD_IDS)
        expect(problemCode(await api('GET', `/groups/${id}/roles`), 404)).toBe('not_found');
      expect(problemCode(await api('PUT', `/groups/${g.id}/roles/${'r'.repeat(65)}`), 400)).toBe(
        'validation_failed',
      );
      expect(problemCode(await api('DELETE', `/groups/a%00b/roles/${auditor.id}`), 400)).toBe(
        'invalid_characters',
      );
      expect((await api('DELETE', `/groups/${g.id}/roles/${auditor.id}`)).statusCode).toBe(204);
      expect(problemCode(await api('DELETE', `/groups/${g.id}/roles/${auditor.id}`), 404)).toBe('not_found');
    });

    it('GET /users/:id/access follows nested groups and changes at once on every change', async () => {
      const u = await create('/users', { username: 'nora' });
      const [inner, outer] = [
        await create('/groups', { name: 'Inner' }),
        await create('/groups', { name: 'Outer' }),
      ];
      const deployer = await role('Deployer', ['deploy:run', 'users:read']);
      await api('PUT', `/users/${u.id}/roles/${(await builtin('auditor')).id}`);
      await api('PUT', `/groups/${inner.id}/members/users/${u.id}`);
      await api('PUT', `/groups/${outer.id}/members/groups/${inner.id}`);
      await api('PUT', `/groups/${outer.id}/roles/${deployer.id}`);
      const full = {
        roles: ['Deployer', 'auditor'],
        permissions: ['audit:read', 'deploy:run', 'users:read'],
      };
      const direct = { roles: ['auditor'], permissions: ['audit:read'] };
      const r = await api('GET', `/users/${u.id}/access`);
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual(full);
      // each change below follows a read that may have cached the previous answer
      await api('DELETE', `/groups/${outer.id}/members/groups/${inner.id}`);
      expect(await access(u.id)).toEqual(direct);
      await api('PUT', `/groups/${outer.id}/members/groups/${inner.id}`);
      expect(await access(u.id)).toEqual(full);
      await api('DELETE', `/groups/${inner.id}/members/users/${u.id}`);
      expect(await access(u.id)).toEqual(direct);
      await api('PUT', `/groups/${inner.id}/members/users/${u.id}`);
      expect(await access(u.id)).toEqual(full);
      await api('PATCH', `/roles/${deployer.id}`, { body: { permissions: ['deploy:*'] } });
      expect(await access(u.id)).toEqual({ roles: full.roles, permissions: ['audit:read', 'deploy:*'] });
      await api('DELETE', `/groups/${outer.id}/roles/${deployer.id}`);
      expect(await access(u.id)).toEqual(direct);
      await api('PUT', `/users/${u.id}/roles/${deployer.id}`);
      await api('DELETE', `/roles/${deployer.id}`);
      expect(await access(u.id)).toEqual(direct);
      await api('DELETE', `/groups/${inner.id}`);
      expect(await access(u.id)).toEqual(direct);
      for (const id of BAD_IDS)
        expect(problemCode(await api('GET', `/users/${id}/access`), 404)).toBe('not_found');
      expect(problemCode(await api('GET', '/users/a%00b/access'), 400)).toBe('invalid_characters');
    });

    it('every successful write left an audit entry naming the credential', async () => {
      await expectWritesAudited(t, TENANT, writes, 25, [
        'role.created',
        'role.updated',
        'role.deleted',
        'user.role_added',
        'group.role_removed',
      ]);
    });
  });
}
