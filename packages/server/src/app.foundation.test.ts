/**
 * The assembled app on each dialect: health and readiness, metrics, OpenAPI, request ids, problem
 * documents, the audit queue flushing on close, runtime settings reaching the logger without restart,
 * and no secrets in logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../test/runtime.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`assembled app [${dialect}]`, () => {
    let t: TestRuntime;
    beforeAll(async () => {
      t = await createTestRuntime({ dialect, redis: dialect === 'postgres' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers /healthz and /readyz with every check', async () => {
      expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
      const ready = await t.app.inject('/readyz');
      expect(ready.statusCode).toBe(200);
      const names = (ready.json() as { checks: { name: string }[] }).checks.map((c) => c.name);
      expect(names).toContain('database');
      expect(names).toContain('migrations');
      if (dialect === 'postgres' && process.env.GATEKEEPER_TEST_REDIS_URL) expect(names).toContain('redis');
    });

    it('serves Prometheus metrics with request histograms by route and status', async () => {
      await t.app.inject('/healthz');
      const r = await t.app.inject('/metrics');
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain('gatekeeper_http_request_duration_seconds_bucket{');
      expect(r.body).toMatch(/route="\/healthz",status_code="200"/);
      // a well-formed histogram: one TYPE line, cumulative buckets ending at +Inf = _count, and a _sum
      expect(r.body).toContain('# TYPE gatekeeper_http_request_duration_seconds histogram');
      const series = (suffix: string) =>
        [
          ...r.body.matchAll(
            new RegExp(`^gatekeeper_http_request_duration_seconds_${suffix}\\{([^}]*)\\} (\\S+)$`, 'gm'),
          ),
        ]
          .filter((m) => m[1]!.includes('route="/healthz"') && m[1]!.includes('method="GET"'))
          .map((m) => [m[1]!, Number(m[2])] as const);
      const buckets = series('bucket');
      expect(buckets.length).toBe(13);
      expect(buckets.at(-1)![0]).toContain('le="+Inf"');
      for (let i = 1; i < buckets.length; i++)
        expect(buckets[i]![1]).toBeGreaterThanOrEqual(buckets[i - 1]![1]);
      expect(series('count')[0]![1]).toBe(buckets.at(-1)![1]);
      expect(series('count')[0]![1]).toBeGreaterThanOrEqual(1);
      expect(series('sum')[0]![1]).toBeGreaterThan(0);
      expect(r.body).toContain('gatekeeper_audit_queue_depth');
      expect(r.body).toContain('gatekeeper_db_pool_connections');
      expect(r.body).toContain('gatekeeper_process_resident_memory_bytes');
    });

    it('publishes OpenAPI 3.1 and a browsable reference', async () => {
      const spec = (await t.app.inject('/openapi.json')).json() as {
        openapi: string;
        paths: Record<string, unknown>;
      };
      expect(spec.openapi).toBe('3.1.0');
      expect(spec.paths['/readyz']).toBeDefined();
      const docs = await t.app.inject('/docs/');
      expect(docs.statusCode).toBe(200);
      expect(docs.headers['content-type']).toMatch(/text\/html/);
    });

    it('echoes a well-formed request id and replaces a malformed one', async () => {
      const kept = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
      expect(kept.headers['x-request-id']).toBe('abc-123');
      const replaced = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id\u00e9' } });
      expect(replaced.headers['x-request-id']).not.toBe('bad id\u00e9');
    });

    it('answers unknown routes with a problem document', async () => {
      const r = await t.app.inject('/no/such/route');
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ code: 'route_not_found', status: 404 });
    });

    it('applies a runtime setting without restart and audits the change', async () => {
      await t.runtime.settings.set({ logLevel: 'debug' }, 'test');
      expect(t.runtime.logger.level).toBe('debug');
      await t.runtime.settings.set({ logLevel: 'info' }, 'test');
      await t.runtime.audit.flush();
      const rows = await t.runtime.database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'settings.changed')
        .execute();
      expect(rows.length).toBeGreaterThanOrEqual(2);
    });

    it('keeps secrets out of the logs', async () => {
      await t.app.inject({
        url: '/healthz?token=supersecretvalue',
        headers: { authorization: 'Bearer gk_adm_secretsecret' },
      });
      const text = t.logs.join('');
      expect(text).not.toContain('supersecretvalue');
      expect(text).not.toContain('gk_adm_secretsecret');
      expect(text).not.toContain(t.runtime.loaded.config.masterKeys);
    });
  });
}

describe('runtime settings across instances', () => {
  it.runIf(dialectAvailable('postgres') && Boolean(process.env.GATEKEEPER_TEST_REDIS_URL))(
    'a change on one instance reaches another within a second',
    async () => {
      const a = await createTestRuntime({ dialect: 'postgres', redis: true });
      try {
        // a second instance on the same database and Redis prefix
        const { loadConfig } = await import('./config/load.ts');
        const { createRuntime } = await import('./runtime.ts');
        const { createLogger } = await import('./logger.ts');
        const env = {
          GATEKEEPER_DATABASE_URL: a.db.url,
          GATEKEEPER_MASTER_KEYS: a.runtime.loaded.config.masterKeys,
          GATEKEEPER_REDIS_URL: a.runtime.loaded.config.redisUrl,
          GATEKEEPER_REDIS_PREFIX: a.runtime.loaded.config.redisPrefix,
        };
        const b = await createRuntime(loadConfig({ env }), { logger: createLogger('silent') });
        try {
          await a.runtime.settings.set({ auditRetentionDays: '30' }, 'test');
          const deadline = Date.now() + 1000;
          while (b.settings.get('auditRetentionDays') !== 30 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 20));
          }
          expect(b.settings.get('auditRetentionDays')).toBe(30);
        } finally {
          await b.close();
        }
      } finally {
        await a.close();
      }
    },
  );
});
