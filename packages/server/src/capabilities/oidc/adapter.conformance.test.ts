/**
 * The adapter contract, on SQLite and on PostgreSQL: the sequence of node-oidc-provider's
 * `example/adapters/adapter_test.js` (code save → find → consume → found consumed; access token save →
 * find → destroy → gone; revokeByGrantId removes the grant's code), plus what Gatekeeper adds:
 * consumption is atomic (a second consume is the library's invalid_grant), ids are stored only as
 * digests, sessions and device codes are found by uid / user code, and expired rows are swept.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DialectLabel, describeEachDialect } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import type { OidcService } from './service.ts';

type AnyProvider = NonNullable<Awaited<ReturnType<OidcService['providerFor']>>>['provider'];

describeEachDialect('oidc adapter conformance', (_db, label: DialectLabel) => {
  let t: TestRuntime;
  let provider: AnyProvider;
  const clientId = 'adapter-test-client';

  beforeAll(async () => {
    t = await createTestRuntime({ dialect: label });
    const tenant = await t.services.tenants.create(
      { slug: 'adapter', displayName: 'A' },
      { actor: 'system' },
    );
    await t.services.clients.create(
      tenant.id,
      { name: 'web', clientId, redirectUris: ['https://client.example.com/cb'] },
      { actor: 'system' },
    );
    provider = (await t.services.oidc.providerFor('adapter'))!.provider;
  });
  afterAll(async () => t?.close());

  it('runs the library adapter sequence', async () => {
    const grantId = randomUUID();
    const code = new provider.AuthorizationCode({
      accountId: randomUUID(),
      authTime: Math.floor(Date.now() / 1000),
      clientId,
      grantId,
      nonce: 'n-0S6_WzA2Mj',
      redirectUri: 'https://client.example.com/cb',
      scope: 'openid profile',
    } as never);
    const value = await code.save();
    const found = await provider.AuthorizationCode.find(value, { ignoreExpiration: true });
    expect(found?.grantId).toBe(grantId);
    await found!.consume();
    const consumed = await provider.AuthorizationCode.find(value, { ignoreExpiration: true });
    expect((consumed as unknown as { consumed?: number })?.consumed).toBeTypeOf('number');

    const at = new provider.AccessToken({
      accountId: found!.accountId,
      clientId,
      grantId,
      scope: 'openid',
    } as never);
    const token = await at.save();
    const foundAt = await provider.AccessToken.find(token, { ignoreExpiration: true });
    expect(foundAt?.jti).toBe(token);
    await foundAt!.destroy();
    expect(await provider.AccessToken.find(token, { ignoreExpiration: true })).toBeUndefined();

    await provider.AuthorizationCode.adapter.revokeByGrantId(grantId);
    expect(await provider.AuthorizationCode.find(value, { ignoreExpiration: true })).toBeUndefined();
  });

  it('consumes a code only once, even when two redemptions race', async () => {
    const code = new provider.AuthorizationCode({
      accountId: randomUUID(),
      clientId,
      grantId: randomUUID(),
      redirectUri: 'https://client.example.com/cb',
      scope: 'openid',
    } as never);
    const value = await code.save();
    const a = await provider.AuthorizationCode.find(value);
    const b = await provider.AuthorizationCode.find(value);
    const results = await Promise.allSettled([a!.consume(), b!.consume()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as { error?: string }).error).toBe('invalid_grant');
  });

  it('stores ids only as digests', async () => {
    const at = new provider.AccessToken({
      accountId: randomUUID(),
      clientId,
      grantId: randomUUID(),
    } as never);
    const token = await at.save();
    const rows = await t.runtime.database.db.selectFrom('oidc_payloads').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.id_digest).not.toBe(token);
      expect(r.payload).not.toContain(token);
    }
  });

  it('finds a session by uid and a device code by user code, with their ids', async () => {
    const session = new (
      provider.Session as unknown as new (
        p: object,
      ) => InstanceType<typeof provider.Session>
    )({ accountId: randomUUID() });
    await (session.save as unknown as (ttl: number) => Promise<string>).call(session, 600);
    const byUid = await provider.Session.findByUid(session.uid);
    expect(byUid?.jti).toBe(session.jti);

    const device = new provider.DeviceCode({ clientId, userCode: 'WDJB-MJHT', params: {} } as never);
    const deviceCode = await device.save();
    const byUserCode = await provider.DeviceCode.findByUserCode('WDJB-MJHT');
    expect(byUserCode?.jti).toBe(deviceCode);
    expect(byUserCode?.userCode).toBe('WDJB-MJHT');
    const raw = await t.runtime.database.db.selectFrom('oidc_payloads').select('payload').execute();
    expect(raw.some((r) => r.payload.includes('WDJB-MJHT'))).toBe(false);
  });

  it('answers lookups of one id under several models in one tick each with its own model (one query)', async () => {
    const at = new provider.AccessToken({
      accountId: randomUUID(),
      clientId,
      grantId: randomUUID(),
    } as never);
    const token = await at.save();
    // the same id stored under a second model too: each model must get its own row back
    await provider.RefreshToken.adapter.upsert(
      token,
      { clientId, kind: 'RefreshToken', scope: 'r' } as never,
      600,
    );
    const statements: string[] = [];
    const db = t.runtime.database.db;
    const original = db.executeQuery.bind(db);
    db.executeQuery = ((q: { sql: string }, ...rest: never[]) => {
      if (q.sql.includes('oidc_payloads')) statements.push(q.sql);
      return original(q as never, ...rest);
    }) as typeof db.executeQuery;
    try {
      const [access, credentials, refresh] = await Promise.all([
        provider.AccessToken.adapter.find(token),
        provider.ClientCredentials.adapter.find(token),
        provider.RefreshToken.adapter.find(token),
      ]);
      expect(access?.kind).toBe('AccessToken');
      expect(credentials).toBeUndefined();
      expect(refresh?.kind).toBe('RefreshToken');
      expect(refresh?.jti).toBe(token);
    } finally {
      db.executeQuery = original;
    }
    expect(statements).toHaveLength(1);
    // a lookup in a later tick is a query of its own, seeing what changed meanwhile
    await provider.RefreshToken.adapter.destroy(token);
    expect(await provider.RefreshToken.adapter.find(token)).toBeUndefined();
    expect((await provider.AccessToken.adapter.find(token))?.kind).toBe('AccessToken');
  });

  it('sweeps expired rows and never returns an expired one', async () => {
    const adapter = provider.AccessToken.adapter;
    await adapter.upsert('short-lived-token-id', { clientId, kind: 'AccessToken' } as never, 1);
    expect(await adapter.find('short-lived-token-id')).toBeDefined();
    const later = Date.now() + 5000;
    const swept = await t.services.oidc.payloads.sweep(later, 1000);
    expect(swept).toBeGreaterThanOrEqual(1);
    expect(await adapter.find('short-lived-token-id')).toBeUndefined();
  });
});
