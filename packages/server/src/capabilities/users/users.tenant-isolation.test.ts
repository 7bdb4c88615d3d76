/**
 * Tenant isolation is the point of the directory: a user of tenant A is invisible to, and cannot be
 * changed through, tenant B's id — every service method answers exactly as for a user that does not
 * exist, and nothing of A's changes. The same username and email may exist once in each tenant.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { AppError } from '../../errors/app-error.ts';
import type { UserView } from './schemas.ts';
import { createTenant, ctx, type UsersFixture, usersFixture } from './test-support.ts';

describeEachDialect('users tenant isolation', (get) => {
  let f: UsersFixture;
  let a: string;
  let b: string;
  let alice: UserView;

  beforeAll(async () => {
    f = usersFixture(get());
    a = (await createTenant(get())).id;
    b = (await createTenant(get())).id;
    alice = await f.users.create(
      a,
      { username: 'alice', email: 'alice@example.com', password: 'correct horse' },
      ctx,
    );
    await f.users.linkIdentity(a, alice.id, { provider: 'google', subject: 'g-1' }, ctx);
    await f.users.setProperty(a, alice.id, 'crm', 'tier', 'gold', ctx);
  });

  it("answers not_found for every operation on another tenant's user", async () => {
    const id = alice.id;
    const attempts: [string, () => Promise<unknown>][] = [
      ['get', () => f.users.get(b, id)],
      ['update', () => f.users.update(b, id, { name: 'Mallory' }, undefined, ctx)],
      ['update with If-Match', () => f.users.update(b, id, { name: 'Mallory' }, alice.version, ctx)],
      ['disable', () => f.users.disable(b, id, undefined, ctx)],
      ['enable', () => f.users.enable(b, id, undefined, ctx)],
      ['delete', () => f.users.delete(b, id, undefined, ctx)],
      ['setPassword', () => f.users.setPassword(b, id, 'attacker-password', ctx)],
      ['recordSignIn', () => f.users.recordSignIn(b, id)],
      ['linkIdentity', () => f.users.linkIdentity(b, id, { provider: 'github', subject: 'evil' }, ctx)],
      ['unlinkIdentity', () => f.users.unlinkIdentity(b, id, 'google', 'g-1', ctx)],
      ['listIdentities', () => f.users.listIdentities(b, id)],
      ['setProperty', () => f.users.setProperty(b, id, 'crm', 'tier', 'none', ctx)],
      ['deleteProperty', () => f.users.deleteProperty(b, id, 'crm', 'tier', ctx)],
      ['listProperties', () => f.users.listProperties(b, id)],
    ];
    for (const [name, attempt] of attempts) {
      const err = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(AppError);
      expect((err as AppError).code, name).toBe('not_found');
    }
    // nothing of A's changed
    expect(await f.users.get(a, id)).toEqual(alice);
    expect(await f.users.listIdentities(a, id)).toHaveLength(1);
    expect((await f.users.listProperties(a, id)).map((p) => p.value)).toEqual(['gold']);
    expect(await f.users.verifyPassword(a, 'alice', 'correct horse')).not.toBeNull();
  });

  it("never lists, finds or verifies another tenant's users", async () => {
    expect(
      (await f.users.list(b, { limit: 50, sort: 'username', descending: false, after: undefined })).items,
    ).toEqual([]);
    expect(await f.users.findByLogin(b, 'alice')).toBeNull();
    expect(await f.users.findByLogin(b, 'alice@example.com')).toBeNull();
    expect(await f.users.verifyPassword(b, 'alice', 'correct horse')).toBeNull();
    expect(await f.users.findUserIdByIdentity(b, 'google', 'g-1')).toBeNull();
    expect(await f.users.count(b)).toBe(0);
    const existing = await f.users.findExisting(b, ['alice'], ['alice@example.com']);
    expect(existing.usernames.size + existing.emails.size).toBe(0);
  });

  it('lets each tenant have its own "alice" with the same email and the same linked account', async () => {
    const other = await f.users.create(b, { username: 'Alice', email: 'ALICE@example.com' }, ctx);
    expect(other.id).not.toBe(alice.id);
    await f.users.linkIdentity(b, other.id, { provider: 'google', subject: 'g-1' }, ctx);
    expect(await f.users.findUserIdByIdentity(a, 'google', 'g-1')).toBe(alice.id);
    expect(await f.users.findUserIdByIdentity(b, 'google', 'g-1')).toBe(other.id);
    expect((await f.users.findByLogin(b, 'alice'))?.id).toBe(other.id);
  });
});
