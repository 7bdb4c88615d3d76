/** Runtime settings through the admin API: listed with sources, changed without restart, validated, audited. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';

describe('settings API', () => {
  let t: AdminTestApp;
  beforeAll(async () => {
    t = await createAdminTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists settings with sources and masks secrets', async () => {
    const r = await t.call('GET', '/api/v1/settings');
    expect(r.statusCode).toBe(200);
    const items = r.json().items as { key: string; value: string; source: string }[];
    const keys = items.find((i) => i.key === 'masterKeys')!;
    expect(keys.value).toBe('********');
    expect(keys.source).toBe('env');
    expect(r.body).not.toContain(t.runtime.loaded.config.masterKeys);
  });

  it('changes a runtime setting without restart', async () => {
    const r = await t.call('PATCH', '/api/v1/settings', {
      body: { auditRetentionDays: 365, logLevel: 'warn' },
    });
    expect(r.statusCode).toBe(200);
    expect(t.runtime.settings.get('auditRetentionDays')).toBe(365);
    expect(t.runtime.logger.level).toBe('warn');
    const item = (r.json().items as { key: string; source: string }[]).find(
      (i) => i.key === 'auditRetentionDays',
    );
    expect(item?.source).toBe('database');
    await t.runtime.audit.flush();
    const rows = await t.runtime.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'settings.changed')
      .execute();
    expect(rows.at(-1)?.actor).toMatch(/^credential:/);
  });

  it.each([
    [{ port: 1 }],
    [{ auditRetentionDays: 0 }],
    [{ auditRetentionDays: 'Infinity' }],
    [{ logLevel: 'loud' }],
    [{}],
  ])('refuses %o with 400 and changes nothing', async (body) => {
    const before = t.runtime.settings.get('auditRetentionDays');
    const r = await t.call('PATCH', '/api/v1/settings', { body });
    expect(r.statusCode).toBe(400);
    expect(t.runtime.settings.get('auditRetentionDays')).toBe(before);
  });

  it('needs an all-tenant credential with the settings ability', async () => {
    await t.tenant('st');
    const scoped = await t.token('st', ['*']);
    expect((await t.call('GET', '/api/v1/settings', { token: scoped })).statusCode).toBe(403);
    const reader = await t.token(null, ['settings:read']);
    expect((await t.call('GET', '/api/v1/settings', { token: reader })).statusCode).toBe(200);
    expect(
      (await t.call('PATCH', '/api/v1/settings', { token: reader, body: { logLevel: 'info' } })).statusCode,
    ).toBe(403);
  });
});
