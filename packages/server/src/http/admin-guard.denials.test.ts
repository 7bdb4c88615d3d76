/**
 * Refused admin requests are audited (without the presented secret), and an address that keeps
 * presenting invalid credentials is rate limited before any lookup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../test/admin.ts';

describe('admin guard denials', () => {
  let t: AdminTestApp;
  beforeAll(async () => {
    t = await createAdminTestApp();
    await t.tenant('den-a');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('audits a refused request with its reason, never the secret', async () => {
    const bogus = 'gk_adm_000000000000000000000000000000000000000000000000';
    await t.app.inject({
      url: '/api/v1/tenants',
      headers: { authorization: `Bearer ${bogus}` },
      remoteAddress: '10.9.9.1',
    });
    const reader = await t.token('den-a', ['users:read']);
    expect((await t.call('GET', '/api/v1/tenants/den-a/groups', { token: reader })).statusCode).toBe(403);
    await t.app.flushDeniedRequests(); // denials are aggregated per window
    await t.runtime.audit.flush();
    const rows = await t.runtime.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'admin.access_denied')
      .execute();
    const codes = rows.map((r) => JSON.parse(r.data).code as string);
    expect(codes).toEqual(expect.arrayContaining(['invalid_token', 'forbidden']));
    const forbidden = rows.find((r) => JSON.parse(r.data).code === 'forbidden')!;
    expect(forbidden.actor).toMatch(/^credential:/);
    expect(forbidden.tenant).toBe('den-a');
    expect(forbidden.result).toBe('denied');
    expect(JSON.stringify(rows)).not.toContain(bogus);
  });

  it('answers 429 after repeated invalid credentials from one address, and not for others', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const r = await t.app.inject({
        url: '/api/v1/tenants',
        headers: { authorization: 'Bearer gk_adm_wrongwrongwrong' },
        remoteAddress: '10.9.9.2',
      });
      statuses.push(r.statusCode);
      if (r.statusCode === 429) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    // a valid credential from another address is unaffected
    expect((await t.call('GET', '/api/v1/tenants')).statusCode).toBe(200);
  });
});
