/**
 * Passwords: stored only as Argon2id hashes, never returned, never in events; verification returns
 * the active user or null (unknown login, wrong password, no password, disabled account) and rehashes
 * transparently when the stored hash used other parameters.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import type { AppError } from '../../errors/app-error.ts';
import { newId } from '../../storage/ids.ts';
import { CHEAP_ARGON2, createTenant, ctx, type UsersFixture, usersFixture } from './test-support.ts';

describeEachDialect('users passwords', (get) => {
  let f: UsersFixture;
  let tenantId: string;

  const storedHash = async (id: string) =>
    (
      await get()
        .database.db.selectFrom('users')
        .select('password_hash')
        .where('id', '=', id)
        .executeTakeFirst()
    )?.password_hash;

  beforeAll(async () => {
    f = usersFixture(get());
    tenantId = (await createTenant(get())).id;
  });

  it('hashes a password given on create with Argon2id and verifies it by username or email', async () => {
    const u = await f.users.create(
      tenantId,
      { username: 'pat', email: 'Pat@Example.com', password: 'hunter2-but-long' },
      ctx,
    );
    expect(JSON.stringify(u)).not.toContain('hunter2');
    expect(await storedHash(u.id)).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect((await f.users.verifyPassword(tenantId, 'PAT', 'hunter2-but-long'))?.id).toBe(u.id);
    expect((await f.users.verifyPassword(tenantId, 'pat@example.com', 'hunter2-but-long'))?.id).toBe(u.id);
    expect(await f.users.verifyPassword(tenantId, 'pat', 'Hunter2-but-long')).toBeNull();
  });

  it('answers null for unknown users and users without a password', async () => {
    await f.users.create(tenantId, { username: 'nopass' }, ctx);
    expect(await f.users.verifyPassword(tenantId, 'nobody', 'whatever-password')).toBeNull();
    expect(await f.users.verifyPassword(tenantId, 'nopass', 'whatever-password')).toBeNull();
    expect(await f.users.verifyPassword(tenantId, 'pat', 'x'.repeat(5000))).toBeNull();
  });

  it('sets a password (version bumps), emits password_set without the secret, and refuses short ones', async () => {
    const u = await f.users.create(tenantId, { username: 'quinn' }, ctx);
    await f.users.setPassword(tenantId, u.id, 'a much better secret', ctx);
    expect((await f.users.get(tenantId, u.id)).version).toBe(u.version + 1);
    expect((await f.users.verifyPassword(tenantId, 'quinn', 'a much better secret'))?.id).toBe(u.id);
    const event = f.events.findLast((e) => e.target === `user:${u.id}`);
    expect(event?.type).toBe('user.password_set');
    expect(JSON.stringify(f.events)).not.toContain('a much better secret');
    expect(JSON.stringify(f.events)).not.toContain('hunter2');
    const err = await f.users.setPassword(tenantId, u.id, 'short', ctx).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('validation_failed');
    expect((err as AppError).message).not.toContain('short');
    const missing = await f.users
      .setPassword(tenantId, newId(), 'long enough secret', ctx)
      .catch((e: unknown) => e);
    expect((missing as AppError).code).toBe('not_found');
  });

  it('refuses sign-in for a disabled user even with the right password', async () => {
    const u = await f.users.create(tenantId, { username: 'rita', password: 'rita-password' }, ctx);
    await f.users.disable(tenantId, u.id, undefined, ctx);
    expect(await f.users.verifyPassword(tenantId, 'rita', 'rita-password')).toBeNull();
    await f.users.enable(tenantId, u.id, undefined, ctx);
    expect(await f.users.verifyPassword(tenantId, 'rita', 'rita-password')).not.toBeNull();
  });

  it('rehashes with the current parameters after a successful verification', async () => {
    const u = await f.users.create(tenantId, { username: 'sam', password: 'sam-password' }, ctx);
    const stronger = usersFixture(get(), { ...CHEAP_ARGON2, memoryCost: 2048 });
    expect((await stronger.users.verifyPassword(tenantId, 'sam', 'sam-password'))?.id).toBe(u.id);
    expect(await storedHash(u.id)).toMatch(/\$m=2048,t=1,p=1\$/);
    expect((await f.users.get(tenantId, u.id)).version).toBe(u.version); // not an edit of the user
    // a wrong password never triggers a rehash
    const weaker = usersFixture(get());
    expect(await weaker.users.verifyPassword(tenantId, 'sam', 'wrong-password')).toBeNull();
    expect(await storedHash(u.id)).toMatch(/\$m=2048,/);
  });
});
