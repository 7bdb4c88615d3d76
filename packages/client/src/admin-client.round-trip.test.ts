/**
 * The typed helpers against a real server over HTTP: create, read, update (with If-Match), list and
 * delete tenants and users; groups and membership; a minted token used by a second client; the audit
 * log of what was just done.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminClient } from './admin-client.ts';
import type { AuditEntry, Tenant } from './admin-types.ts';
import { isGatekeeperApiError } from './problem-error.ts';
import { type LiveServer, startLiveServer } from './test-support.ts';

let server: LiveServer;
let admin: AdminClient;

beforeAll(async () => {
  server = await startLiveServer();
  admin = server.admin;
});
afterAll(() => server?.close());

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('tenants', () => {
  it('creates, reads, updates with If-Match, lists and deletes a tenant', async () => {
    const created = await admin.tenants.create({ slug: 'round-trip', displayName: 'Round trip' });
    expect(created).toMatchObject({ slug: 'round-trip', displayName: 'Round trip', status: 'active' });
    expect(created.version).toBe(1);
    expect(created.issuer).toMatch(/\/t\/round-trip$/);

    const read = await admin.request<Tenant>('GET', '/api/v1/tenants/round-trip');
    expect(read.status).toBe(200);
    expect(read.etag).toBe('"1"');
    expect(read.data).toEqual(created);
    expect(await admin.tenants.get('round-trip')).toEqual(created);

    const updated = await admin.tenants.update(
      'round-trip',
      { displayName: 'Renamed', domains: ['round-trip.example.com'] },
      { ifMatch: read.etag! },
    );
    expect(updated).toMatchObject({
      displayName: 'Renamed',
      domains: ['round-trip.example.com'],
      version: 2,
    });

    const listed = await collect(admin.tenants.list({ q: 'round' }));
    expect(listed.map((t) => t.slug)).toEqual(['round-trip']);
    const page = await admin.tenants.listPage({ limit: 200 });
    expect(page.items.map((t) => t.slug)).toContain('round-trip');

    await admin.tenants.delete('round-trip', { ifMatch: updated.version });
    const gone = await rejection(admin.tenants.get('round-trip'));
    expect(isGatekeeperApiError(gone, 'not_found')).toBe(true);
  });
});

describe('users and groups', () => {
  beforeAll(async () => {
    await admin.tenants.create({ slug: 'people', displayName: 'People' });
  });

  it('creates, reads, updates, lists and deletes a user', async () => {
    const user = await admin.users.create('people', {
      username: 'ada',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      password: 'correct horse battery staple',
    });
    expect(user).toMatchObject({ username: 'ada', email: 'ada@example.com', status: 'active', version: 1 });
    expect(user).not.toHaveProperty('password');
    expect(await admin.users.get('people', user.id)).toEqual(user);
    expect(await admin.users.getByUsername('people', 'ADA')).toEqual(user);
    expect(await admin.users.getByEmail('people', 'Ada@Example.com')).toEqual(user);
    expect(
      isGatekeeperApiError(await rejection(admin.users.getByUsername('people', 'ad')), 'not_found'),
    ).toBe(true);

    const updated = await admin.users.update(
      'people',
      user.id,
      { name: null, locale: 'en-GB' },
      { ifMatch: user.version },
    );
    expect(updated).toMatchObject({ name: null, locale: 'en-GB', version: 2 });

    const found = await collect(admin.users.list('people', { q: 'ADA' }));
    expect(found.map((u) => u.id)).toEqual([user.id]);

    await admin.users.delete('people', user.id, { ifMatch: '"2"' });
    const gone = await rejection(admin.users.get('people', user.id));
    expect(isGatekeeperApiError(gone, 'not_found')).toBe(true);
  });

  it('creates a group and adds a user to it', async () => {
    const user = await admin.users.create('people', { username: 'grace' });
    const group = await admin.groups.create('people', { name: 'engineers', description: 'Builders' });
    expect(group).toMatchObject({ name: 'engineers', description: 'Builders', version: 1 });

    await admin.groups.addUser('people', group.id, user.id);
    await admin.groups.addUser('people', group.id, user.id); // idempotent

    const members = await collect(
      admin.paginate<{ type: string; id: string }>(`/api/v1/tenants/people/groups/${group.id}/members`),
    );
    expect(members).toEqual([expect.objectContaining({ type: 'user', id: user.id, name: 'grace' })]);
    expect((await collect(admin.groups.list('people'))).map((g) => g.name)).toEqual(['engineers']);
  });

  it('mints a tenant token whose client can do what its abilities allow, and nothing more', async () => {
    const minted = await admin.tokens.create('people', { name: 'reader', abilities: ['users:read'] });
    expect(minted.secret).toMatch(/^gk_adm_/);
    expect(minted.credential).toMatchObject({ tenant: 'people', name: 'reader', abilities: ['users:read'] });
    expect(minted.secret.startsWith(minted.credential.prefix)).toBe(true);

    const reader = server.client({ token: minted.secret });
    expect((await collect(reader.users.list('people'))).map((u) => u.username)).toContain('grace');
    const refused = await rejection(reader.users.create('people', { username: 'mallory' }));
    expect(refused).toMatchObject({ status: 403, code: 'forbidden' });
    const elsewhere = await rejection(reader.tenants.list()[Symbol.asyncIterator]().next());
    expect(elsewhere).toMatchObject({ status: 403, code: 'forbidden' });

    const root = await admin.tokens.create(null, {
      name: 'ops',
      abilities: ['tenants:read'],
      expiresInDays: 1,
    });
    expect(root.credential).toMatchObject({ tenant: null, abilities: ['tenants:read'] });
    expect(root.credential.expiresAt).not.toBeNull();
  });

  it('reads the audit log of what it did, newest first, filtered by tenant and action', async () => {
    await server.t.runtime.audit.flush();
    const entries: AuditEntry[] = await collect(admin.audit.list({ tenant: 'people', action: 'user.' }));
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.created', 'user.updated', 'user.deleted']));
    expect(entries.every((e) => e.tenant === 'people' && e.action.startsWith('user.'))).toBe(true);
    const seqs = entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const since = new Date(Date.now() - 60_000);
    const tenantEvents = await collect(admin.audit.list({ action: 'tenant.', from: since }));
    expect(tenantEvents.map((e) => e.action)).toEqual(
      expect.arrayContaining(['tenant.created', 'tenant.updated', 'tenant.deleted']),
    );
  });
});
