/**
 * Rate limits at the gateway: a burst and a quota per caller, on a route or on every route; the
 * RateLimit-* headers; exhaustion answers 429 with Retry-After (403 + X-Authz-Status: 429 to nginx,
 * which would turn a 429 into a 500) and the window's end resets it; callers are counted apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { askNginx, ctx, gatewayTenant } from './test-support.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`/authz rate limits [${dialect}]`, () => {
    let t: TestRuntime;
    let g: Awaited<ReturnType<typeof gatewayTenant>>;

    beforeAll(async () => {
      t = await createTestRuntime({ dialect, redis: dialect === 'postgres' });
      g = await gatewayTenant(t.services, 'acme');
      const api = await g.route('api.example.com', '/api/*', { GET: ['api_key'] });
      await g.grantClient(api.id, ['GET']);
      await g.route('api.example.com', '/open/*', { GET: ['public'] });
      await t.services.gateway.config.setLimit(
        g.tenantId,
        {
          subjectType: 'token',
          subject: g.serviceTokenId,
          routeId: api.id,
          burst: 3,
          burstWindowSeconds: 1,
          quota: 5,
          quotaWindowSeconds: 86_400,
        },
        ctx,
      );
      await t.services.gateway.config.setLimit(
        g.tenantId,
        { subjectType: 'any', burst: 2, burstWindowSeconds: 1 },
        ctx,
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    const envoy = (path: string, headers: Record<string, string> = {}) =>
      t.app.inject({ url: `/t/acme/authz${path}`, headers: { host: 'api.example.com', ...headers } });

    it('spends a burst, answers 429 with Retry-After, and resets when the window ends; the quota keeps counting', async () => {
      const auth = { authorization: `Bearer ${g.serviceToken}` };
      const first = await envoy('/api/a', auth);
      expect(first.statusCode).toBe(200);
      expect(first.headers['ratelimit-limit']).toBe('2');
      expect(first.headers['ratelimit-remaining']).toBe('1');
      expect(first.headers['ratelimit-policy']).toContain('5;w=86400');
      expect((await envoy('/api/a', auth)).statusCode).toBe(200);
      const limited = await envoy('/api/a', auth);
      expect([limited.statusCode, limited.headers['x-authz-reason']]).toEqual([429, 'rate_limited']);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // nginx cannot pass a 429 from auth_request: it gets a 403 that says so
      const viaNginx = await askNginx(t.app, 'acme', { uri: '/api/a', headers: auth });
      expect([viaNginx.statusCode, viaNginx.headers['x-authz-status']]).toEqual([403, '429']);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await envoy('/api/a', auth)).statusCode).toBe(200);
      // 5 per day (refused attempts count too): the quota is used up although the burst window is fresh
      const quota = await envoy('/api/a', auth);
      expect([quota.statusCode, quota.headers['x-authz-reason']]).toEqual([429, 'rate_limited']);
      expect(Number(quota.headers['retry-after'])).toBeGreaterThan(80_000);
    });

    it('counts anonymous callers per client address', async () => {
      const from = (ip: string) => envoy('/open/x', { 'x-forwarded-for': ip });
      expect((await from('198.51.100.1')).statusCode).toBe(200);
      expect((await from('198.51.100.1')).statusCode).toBe(200);
      expect((await from('198.51.100.1')).statusCode).toBe(429);
      expect((await from('198.51.100.2')).statusCode).toBe(200);
    });
  });
}
