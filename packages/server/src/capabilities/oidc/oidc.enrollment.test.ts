/**
 * Service enrollment: a one-time token (the CLI's `clients enroll-token`, here its service) is
 * exchanged exactly once at `POST /t/<slug>/enroll` for a confidential client whose credentials then
 * get tokens through a trust link; a second exchange (also concurrent ones), an unknown token, a
 * token of another tenant and no token at all are refused with 401, and refusals are audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';

const SYSTEM = { actor: 'system' };

describe('service enrollment', () => {
  let t: TestRuntime;
  let tenantId: string;

  beforeAll(async () => {
    t = await createTestRuntime();
    tenantId = (await t.services.tenants.create({ slug: 'enr', displayName: 'E' }, SYSTEM)).id;
    await t.services.tenants.create({ slug: 'other', displayName: 'O' }, SYSTEM);
  });
  afterAll(async () => t?.close());

  const exchange = (slug: string, token?: string) =>
    t.app.inject({
      method: 'POST',
      url: `/t/${slug}/enroll`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('exchanges a token once for working client credentials', async () => {
    const { token } = await t.services.oidc.enrollment.issue(tenantId, { name: 'ingest-worker' }, SYSTEM);
    const results = await Promise.all([exchange('enr', token), exchange('enr', token)]);
    const ok = results.filter((r) => r.statusCode === 201);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 401)).toHaveLength(1);
    const creds = ok[0]!.json() as { client_id: string; client_secret: string; id: string };
    expect(await t.services.clients.verifySecret(tenantId, creds.client_id, creds.client_secret)).toBe(true);
    await t.services.oidc.resources.createResource(
      tenantId,
      { identifier: 'https://q.enr.example/', scopes: ['q'] },
      SYSTEM,
    );
    await t.services.oidc.resources.createTrust(
      tenantId,
      { client: creds.id, resourceServer: 'https://q.enr.example/' },
      SYSTEM,
    );
    const grant = await t.app.inject({
      method: 'POST',
      url: '/t/enr/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${creds.client_id}:${creds.client_secret}`).toString('base64')}`,
      },
      payload: 'grant_type=client_credentials&scope=q',
    });
    expect(grant.statusCode, grant.body).toBe(200);
    expect((await exchange('enr', token)).statusCode).toBe(401);
  });

  it('refuses no token, an unknown one and one of another tenant, and audits refusals', async () => {
    expect((await exchange('enr')).statusCode).toBe(401);
    expect((await exchange('enr', 'gk_enr_nope')).statusCode).toBe(401);
    const { token } = await t.services.oidc.enrollment.issue(tenantId, { name: 'elsewhere' }, SYSTEM);
    expect((await exchange('other', token)).statusCode).toBe(401);
    await t.runtime.audit.flush();
    const refused = await t.runtime.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'oidc.enrollment_refused')
      .execute();
    expect(refused.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a bad ttl and name when issuing', async () => {
    await expect(
      t.services.oidc.enrollment.issue(tenantId, { name: 'x', ttlSeconds: 10 }, SYSTEM),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(t.services.oidc.enrollment.issue(tenantId, { name: ' ' }, SYSTEM)).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});
