/**
 * Nobody can flood the audit log without a credential: every failed authentication — no
 * Authorization header, an empty one, Basic, an over-long bearer, a wrong token — is counted by the
 * per-address limiter before it is audited, the address gets 429 once blocked, and denials are
 * aggregated: one audit event per address and reason per window, carrying how many requests it
 * stands for. An infrastructure failure while verifying a token is not a failed authentication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../test/admin.ts';
import { dialectAvailable } from '../../test/databases.ts';

const SHAPES: [string, Record<string, string>][] = [
  ['no Authorization', {}],
  ['an empty Authorization', { authorization: '' }],
  ['Basic', { authorization: 'Basic dXNlcjpwYXNz' }],
  ['an over-long bearer', { authorization: `Bearer ${'x'.repeat(600)}` }],
  ['a wrong bearer', { authorization: 'Bearer gk_adm_wrongwrongwrong' }],
];

async function deniedRows(t: AdminTestApp, ip: string) {
  await t.app.flushDeniedRequests();
  await t.runtime.audit.flush();
  const rows = await t.runtime.database.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', 'admin.access_denied')
    .execute();
  return rows
    .map((r) => ({ ...r, data: JSON.parse(r.data) as { code: string; ip: string; count: number } }))
    .filter((r) => r.data.ip === ip);
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`failed-authentication flood [${dialect}]`, () => {
    let t: AdminTestApp;
    beforeAll(async () => {
      t = await createAdminTestApp({ dialect, redis: dialect === 'postgres' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it.each(SHAPES)('counts %s as a failed authentication: 429 after the limit', async (_what, headers) => {
      const ip = `10.20.${SHAPES.findIndex(([, h]) => h === headers)}.1`;
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) {
        const r = await t.app.inject({ url: '/api/v1/tenants', headers, remoteAddress: ip });
        statuses.push(r.statusCode);
        if (r.statusCode === 429) {
          expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
          expect(r.json<{ code: string }>().code).toBe('rate_limited');
        }
      }
      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
      expect(statuses.slice(20)).toEqual(Array(5).fill(429));
    });

    it('writes one audit event per address and reason per window, with the count', async () => {
      const ip = '10.30.0.1';
      for (let i = 0; i < 40; i++) {
        await t.app.inject({ url: '/api/v1/tenants', remoteAddress: ip });
      }
      const rows = await deniedRows(t, ip);
      const byCode = Object.fromEntries(rows.map((r) => [r.data.code, r.data.count]));
      expect(rows).toHaveLength(2);
      expect(byCode).toEqual({ unauthenticated: 20, rate_limited: 20 });
      expect(rows.every((r) => r.actor === `ip:${ip}`)).toBe(true);
    });

    it('a burst of 500 anonymous requests adds at most a couple of audit events', async () => {
      const ip = '10.40.0.1';
      await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          t.app.inject({
            url: '/api/v1/tenants',
            headers: i % 2 ? { authorization: 'Basic x' } : {},
            remoteAddress: ip,
          }),
        ),
      );
      const rows = await deniedRows(t, ip);
      expect(rows.length).toBeLessThanOrEqual(3);
      expect(rows.reduce((n, r) => n + r.data.count, 0)).toBe(500);
    });

    it('a valid credential still works from another address', async () => {
      expect((await t.call('GET', '/api/v1/tenants')).statusCode).toBe(200);
    });
  });
}

describe('a failure to check a credential is not a failed authentication', () => {
  it('never counts an infrastructure error against the address', async () => {
    const { default: Fastify } = await import('fastify');
    const { registerAdminGuard } = await import('./admin-guard.ts');
    const { registerProblemHandlers } = await import('./problem.ts');
    const app = Fastify({ logger: false });
    registerProblemHandlers(app);
    const consumed: string[] = [];
    await app.register(async (admin) => {
      registerAdminGuard(admin, {
        authenticate: async () => {
          throw new Error('connection terminated');
        },
        resolveTenant: async () => ({ id: 't', slug: 't', status: 'active' }),
        authFailures: {
          consume: async (key) => {
            consumed.push(key);
            return { allowed: false, retryAfterMs: 1000 };
          },
        },
      });
      admin.get('/x', { config: { ability: 'x:read' } }, async () => 'ok');
    });
    const r = await app.inject({ url: '/x', headers: { authorization: 'Bearer gk_adm_x' } });
    expect(r.statusCode).toBeGreaterThanOrEqual(500);
    expect(consumed).toEqual([]);
    await app.close();
  });
});
