/**
 * Pagination over a real server: `paginate()` and the `list` helpers follow `nextCursor` page by page
 * (one request per page, fetched only when iteration reaches it) until it is null; `listPage` hands
 * out one page and its cursor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Group } from './admin-types.ts';
import { countingFetch, type LiveServer, startLiveServer } from './test-support.ts';

const TENANT = 'paging';
const NAMES = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'];

let server: LiveServer;

beforeAll(async () => {
  server = await startLiveServer();
  await server.admin.tenants.create({ slug: TENANT, displayName: 'Paging' });
  for (const name of NAMES) {
    await server.admin.users.create(TENANT, { username: name });
    await server.admin.groups.create(TENANT, { name: `group-${name}` });
  }
  await server.t.runtime.audit.flush();
});
afterAll(() => server?.close());

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('paginate', () => {
  it('walks 7 users in pages of 3: three requests, every user once, in order', async () => {
    const counter = countingFetch();
    const admin = server.client({ fetch: counter.fetch });
    const users = await collect(admin.users.list(TENANT, { limit: 3 }));
    expect(users.map((u) => u.username)).toEqual(NAMES);
    expect(counter.calls).toHaveLength(3);
    expect(counter.calls[0]).toMatch(/\/api\/v1\/tenants\/paging\/users\?limit=3$/);
    expect(counter.calls[1]).toMatch(/limit=3&cursor=/);
  });

  it('follows the sort it was given across pages', async () => {
    const groups = await collect(
      server.admin.paginate<Group>(`/api/v1/tenants/${TENANT}/groups`, { limit: 3, sort: '-name' }),
    );
    expect(groups.map((g) => g.name)).toEqual(NAMES.map((n) => `group-${n}`).reverse());
  });

  it('fetches a page only when iteration reaches it', async () => {
    const counter = countingFetch();
    const admin = server.client({ fetch: counter.fetch });
    const seen: string[] = [];
    for await (const user of admin.users.list(TENANT, { limit: 3 })) {
      seen.push(user.username);
      if (seen.length === 4) break;
    }
    expect(seen).toEqual(NAMES.slice(0, 4));
    expect(counter.calls).toHaveLength(2);
  });

  it('hands out single pages with a cursor to continue from', async () => {
    const first = await server.admin.users.listPage(TENANT, { limit: 3, sort: '-username' });
    expect(first.items.map((u) => u.username)).toEqual(['u7', 'u6', 'u5']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const rest = await collect(
      server.admin.users.list(TENANT, { limit: 3, sort: '-username', cursor: first.nextCursor! }),
    );
    expect(rest.map((u) => u.username)).toEqual(['u4', 'u3', 'u2', 'u1']);
    const last = await server.admin.users.listPage(TENANT, { limit: 10 });
    expect(last.nextCursor).toBeNull();
  });

  it('pages through the audit log newest first by sequence number', async () => {
    const counter = countingFetch();
    const admin = server.client({ fetch: counter.fetch });
    const entries: AuditEntry[] = await collect(admin.audit.list({ tenant: TENANT, limit: 3 }));
    // 7 users + 7 groups created in this tenant
    expect(entries.length).toBeGreaterThanOrEqual(14);
    expect(counter.calls).toHaveLength(Math.ceil(entries.length / 3));
    const seqs = entries.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  });
});
