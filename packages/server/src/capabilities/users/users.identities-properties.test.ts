/**
 * External identities (unique per tenant + provider + subject, removed with their user) and
 * per-application properties (upserted, listed per app, removed with their user); events name what
 * changed, never property values.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { AppError } from '../../errors/app-error.ts';
import { newId } from '../../storage/ids.ts';
import { createTenant, ctx, type UsersFixture, usersFixture } from './test-support.ts';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof AppError ? e.code : Promise.reject(e)),
  );

describeEachDialect('users identities and properties', (get) => {
  let f: UsersFixture;
  let tenantId: string;

  beforeAll(async () => {
    f = usersFixture(get());
    tenantId = (await createTenant(get())).id;
  });

  it('links, lists, finds and unlinks external identities', async () => {
    const u = await f.users.create(tenantId, { username: 'ida' }, ctx);
    const linked = await f.users.linkIdentity(
      tenantId,
      u.id,
      { provider: 'scim', subject: 'ext-42', data: { externalId: 'E42', active: true, n: 3, gone: null } },
      ctx,
    );
    expect(linked).toMatchObject({
      provider: 'scim',
      subject: 'ext-42',
      data: { externalId: 'E42', active: true },
    });
    await f.users.linkIdentity(tenantId, u.id, { provider: 'google', subject: '1098' }, ctx);
    expect((await f.users.listIdentities(tenantId, u.id)).map((i) => i.provider)).toEqual(['google', 'scim']);
    expect(await f.users.findUserIdByIdentity(tenantId, 'scim', 'ext-42')).toBe(u.id);
    await f.users.unlinkIdentity(tenantId, u.id, 'scim', 'ext-42', ctx);
    expect(await f.users.findUserIdByIdentity(tenantId, 'scim', 'ext-42')).toBeNull();
    expect(await codeOf(f.users.unlinkIdentity(tenantId, u.id, 'scim', 'ext-42', ctx))).toBe('not_found');
    const types = f.events.filter((e) => e.target === `user:${u.id}`).map((e) => e.type);
    expect(types).toEqual([
      'user.created',
      'user.identity_linked',
      'user.identity_linked',
      'user.identity_unlinked',
    ]);
  });

  it('refuses linking one provider account to two users (409), and to a missing user (404)', async () => {
    const a = await f.users.create(tenantId, { username: 'jon' }, ctx);
    const b = await f.users.create(tenantId, { username: 'kim' }, ctx);
    await f.users.linkIdentity(tenantId, a.id, { provider: 'ldap', subject: 'uid=jon' }, ctx);
    expect(
      await codeOf(f.users.linkIdentity(tenantId, b.id, { provider: 'ldap', subject: 'uid=jon' }, ctx)),
    ).toBe('conflict');
    expect(
      await codeOf(f.users.linkIdentity(tenantId, a.id, { provider: 'ldap', subject: 'uid=jon' }, ctx)),
    ).toBe('conflict');
    expect(
      await codeOf(f.users.linkIdentity(tenantId, newId(), { provider: 'ldap', subject: 'x' }, ctx)),
    ).toBe('not_found');
    expect(
      await codeOf(f.users.linkIdentity(tenantId, a.id, { provider: 'bad provider', subject: 'x' }, ctx)),
    ).toBe('validation_failed');
    expect(
      await codeOf(
        f.users.linkIdentity(tenantId, a.id, { provider: 'p', subject: 'x', data: { deep: {} } }, ctx),
      ),
    ).toBe('validation_failed');
    expect(await codeOf(f.users.listIdentities(tenantId, newId()))).toBe('not_found');
    expect(await f.users.listIdentities(tenantId, b.id)).toEqual([]);
  });

  it('sets, replaces, lists (per app) and deletes properties; events carry no values', async () => {
    const u = await f.users.create(tenantId, { username: 'lou' }, ctx);
    await f.users.setProperty(tenantId, u.id, 'crm', 'tier', 'silver', ctx);
    const replaced = await f.users.setProperty(tenantId, u.id, 'crm', 'tier', 'gold-secret-value', ctx);
    expect(replaced).toMatchObject({ app: 'crm', key: 'tier', value: 'gold-secret-value' });
    await f.users.setProperty(tenantId, u.id, 'crm', 'region', 'eu', ctx);
    await f.users.setProperty(tenantId, u.id, 'billing', 'plan', '', ctx);
    expect((await f.users.listProperties(tenantId, u.id)).map((p) => `${p.app}.${p.key}=${p.value}`)).toEqual(
      ['billing.plan=', 'crm.region=eu', 'crm.tier=gold-secret-value'],
    );
    expect((await f.users.listProperties(tenantId, u.id, 'crm')).map((p) => p.key)).toEqual([
      'region',
      'tier',
    ]);
    expect(await f.users.listProperties(tenantId, u.id, 'none')).toEqual([]);
    await f.users.deleteProperty(tenantId, u.id, 'crm', 'region', ctx);
    expect(await codeOf(f.users.deleteProperty(tenantId, u.id, 'crm', 'region', ctx))).toBe('not_found');
    expect(await codeOf(f.users.setProperty(tenantId, newId(), 'crm', 'tier', 'x', ctx))).toBe('not_found');
    expect(await codeOf(f.users.setProperty(tenantId, u.id, 'crm', 'bad key', 'x', ctx))).toBe(
      'validation_failed',
    );
    expect(await codeOf(f.users.listProperties(tenantId, 'not-an-id'))).toBe('not_found');
    const mine = f.events.filter((e) => e.target === `user:${u.id}`);
    expect(mine.map((e) => e.type)).toContain('user.property_set');
    expect(JSON.stringify(mine)).not.toContain('gold-secret-value');
  });

  it("removes a user's identities and properties with the user", async () => {
    const u = await f.users.create(tenantId, { username: 'max' }, ctx);
    await f.users.linkIdentity(tenantId, u.id, { provider: 'github', subject: 'max' }, ctx);
    await f.users.setProperty(tenantId, u.id, 'app', 'k', 'v', ctx);
    await f.users.delete(tenantId, u.id, undefined, ctx);
    const db = get().database.db;
    expect(await db.selectFrom('user_identities').selectAll().where('user_id', '=', u.id).execute()).toEqual(
      [],
    );
    expect(
      await db.selectFrom('user_app_properties').selectAll().where('user_id', '=', u.id).execute(),
    ).toEqual([]);
    // the account is free to link again
    const v = await f.users.create(tenantId, { username: 'max' }, ctx);
    await f.users.linkIdentity(tenantId, v.id, { provider: 'github', subject: 'max' }, ctx);
  });
});
