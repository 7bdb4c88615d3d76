/**
 * Issue 7, Redis: two instances on one PostgreSQL database and a private Redis that is paused
 * (SIGSTOP: connections stay open, nothing answers) and then stopped. While it is out:
 * - a revoke or a suspend on instance A is saved, audited once and answered 2xx at once (the
 *   publish is fire-and-forget), and instance B honours it within a second (change-feed poll);
 *   a retry is idempotent and audited once;
 * - an invalid token gets 401 (rate limits count in process), never a 500, and no quicker than that;
 * - both instances stay ready (Redis is reported degraded by /healthz?full, not required by /readyz);
 * and once Redis is back, pub/sub carries invalidations again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/crypto/fernet.ts';
import { createTestDatabase, dialectAvailable, type TestDatabase } from '../databases.ts';
import { type Instance, type PrivateRedis, startInstance, startPrivateRedis, within } from '../faults.ts';
import { freshRedisPrefix } from '../serve-process.ts';

const ctx = { actor: 'test' };

describe.skipIf(!dialectAvailable('postgres'))('a Redis outage under two instances', () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let a: Instance;
  let b: Instance;
  let root: string;
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    db = await createTestDatabase('postgres', { migrate: false });
    redis = await startPrivateRedis();
    const env = {
      GATEKEEPER_DATABASE_URL: db.url,
      GATEKEEPER_MASTER_KEYS: generateFernetKey(),
      GATEKEEPER_REDIS_URL: redis.url,
      GATEKEEPER_REDIS_PREFIX: freshRedisPrefix(),
    };
    a = await startInstance(env);
    b = await startInstance(env);
    root = (
      await a.services.credentials.issue(
        { kind: 'adm', tenantId: null, ownerType: 'system', name: 'root', abilities: ['*'] },
        ctx,
      )
    ).secret;
  });
  afterAll(async () => {
    console.info(`redis outage figures: ${JSON.stringify(figures)}`);
    await a?.close();
    await b?.close();
    await redis?.stop();
    await db?.cleanup();
  });

  const call = (
    on: Instance,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    token = root,
    body?: object,
  ) =>
    on.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body ? { payload: body } : {}),
    });

  async function newToken(tenant: string | null): Promise<{ id: string; secret: string }> {
    const url = tenant ? `/api/v1/tenants/${tenant}/tokens` : '/api/v1/tokens';
    const r = await call(a, 'POST', url, root, { name: 't', abilities: ['*'] });
    expect(r.statusCode).toBe(201);
    const { secret, credential } = r.json() as { secret: string; credential: { id: string } };
    return { id: credential.id, secret };
  }

  async function auditCount(action: string, target: string): Promise<number> {
    await a.runtime.audit.flush();
    const r = await db.database.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', action)
      .where('target', '=', target)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Revoke and suspend on A while Redis is out; B follows within a second; retries audited once. */
  async function changesDuringOutage(label: string): Promise<void> {
    const token = await newToken(null);
    const slug = `t-${label}`;
    expect((await call(a, 'POST', '/api/v1/tenants', root, { slug, displayName: slug })).statusCode).toBe(
      201,
    );
    const tenantToken = await newToken(slug);
    // both cached on B before the outage
    expect((await call(b, 'GET', '/api/v1/tenants', token.secret)).statusCode).toBe(200);
    expect((await call(b, 'GET', `/api/v1/tenants/${slug}/users`, tenantToken.secret)).statusCode).toBe(200);

    if (label === 'paused') redis.pause();
    else await redis.stop();

    let started = performance.now();
    const revoked = await call(a, 'DELETE', `/api/v1/tokens/${token.id}`);
    const revokeMs = performance.now() - started;
    expect(revoked.statusCode).toBe(204);
    expect(revokeMs).toBeLessThan(1500); // no wait on the publish (the command timeout is 2 s)
    const revokeSeenMs = await within(
      1000,
      async () => (await call(b, 'GET', '/api/v1/tenants', token.secret)).statusCode === 401,
    );
    expect(revokeSeenMs).toBeGreaterThanOrEqual(0);
    expect((await call(a, 'DELETE', `/api/v1/tokens/${token.id}`)).statusCode).toBe(204); // retried
    expect(await auditCount('credential.revoked', `credential:${token.id}`)).toBe(1);

    started = performance.now();
    const suspended = await call(a, 'PATCH', `/api/v1/tenants/${slug}`, root, { status: 'suspended' });
    const suspendMs = performance.now() - started;
    expect(suspended.statusCode).toBe(200);
    expect(suspendMs).toBeLessThan(1500);
    const suspendSeenMs = await within(
      1000,
      async () =>
        (await call(b, 'GET', `/api/v1/tenants/${slug}/users`, tenantToken.secret)).statusCode === 403,
    );
    expect(suspendSeenMs).toBeGreaterThanOrEqual(0);
    expect(
      (await call(a, 'PATCH', `/api/v1/tenants/${slug}`, root, { status: 'suspended' })).statusCode,
    ).toBe(200);
    expect(await auditCount('tenant.suspended', `tenant:${slug}`)).toBe(1);
    expect(await auditCount('tenant.updated', `tenant:${slug}`)).toBe(0);

    // invalid tokens: 401 (the failure counter falls back to this process), quickly, never a 500
    let worstInvalidMs = 0;
    for (let i = 0; i < 5; i++) {
      started = performance.now();
      const r = await call(b, 'GET', '/api/v1/tenants', `gk_adm_invalid${i}`);
      worstInvalidMs = Math.max(worstInvalidMs, performance.now() - started);
      expect(r.statusCode).toBe(401);
    }
    expect(worstInvalidMs).toBeLessThan(1500); // the limiter waits 250 ms for Redis, not 2 s
    // the API rides out the outage: still ready, reported degraded
    await Promise.all(
      [a, b].map(async (on) => {
        const [ready, full] = await Promise.all([on.app.inject('/readyz'), on.app.inject('/healthz?full')]);
        expect(ready.statusCode).toBe(200);
        const report = full.json() as { status: string; checks: { name: string; ok: boolean }[] };
        expect(report.status).toBe('degraded');
        expect(report.checks.find((c) => c.name === 'redis')?.ok).toBe(false);
      }),
    );
    expect((await call(b, 'GET', '/api/v1/tenants')).statusCode).toBe(200);
    figures[label] = {
      revokeMs: Math.round(revokeMs),
      suspendMs: Math.round(suspendMs),
      revokeSeenOnOtherMs: revokeSeenMs,
      suspendSeenOnOtherMs: suspendSeenMs,
      worstInvalidTokenMs: Math.round(worstInvalidMs),
    };

    if (label === 'paused') redis.resume();
    else await redis.start();
  }

  it('paused: changes are saved, audited once and reach the other instance within a second', async () => {
    await changesDuringOutage('paused');
  });

  it('stopped: the same, and once Redis is back pub/sub carries invalidations again', async () => {
    await changesDuringOutage('stopped');
    const back = await within(
      10_000,
      async () => {
        try {
          await a.runtime.state.ping();
          await b.runtime.state.ping();
          return true;
        } catch {
          return false;
        }
      },
      100,
    );
    expect(back).toBeGreaterThanOrEqual(0);
    figures.redisBackAfterRestartMs = back;
    const token = await newToken(null);
    expect((await call(b, 'GET', '/api/v1/tenants', token.secret)).statusCode).toBe(200);
    expect((await call(a, 'DELETE', `/api/v1/tokens/${token.id}`)).statusCode).toBe(204);
    const seen = await within(
      1000,
      async () => (await call(b, 'GET', '/api/v1/tenants', token.secret)).statusCode === 401,
    );
    expect(seen).toBeGreaterThanOrEqual(0);
    for (const on of [a, b]) {
      const full = (await on.app.inject('/healthz?full')).json() as { status: string };
      expect(full.status).toBe('ok');
    }
  });
});
