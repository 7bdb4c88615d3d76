/**
 * The users service on SQLite and PostgreSQL: create with case-insensitive uniqueness (409 for
 * username and email), get/find, guarded updates (If-Match → 412, unknown → 404), status changes,
 * deletion, and the events each change emits (field names only).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { AppError } from '../../errors/app-error.ts';
import { newId } from '../../storage/ids.ts';
import { createTenant, ctx, type UsersFixture, usersFixture } from './test-support.ts';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'ok';
}

describeEachDialect('users service', (get) => {
  let f: UsersFixture;
  let tenant: { id: string; slug: string };

  beforeAll(async () => {
    f = usersFixture(get());
    tenant = await createTenant(get(), 'acme');
    f.slugs.set(tenant.id, tenant.slug);
  });

  describe('create', () => {
    it('creates a user with a trimmed username, email as given and profile fields', async () => {
      const u = await f.users.create(
        tenant.id,
        {
          username: '  Alice ',
          email: 'Alice@Example.COM',
          name: 'Alice Liddell',
          givenName: 'Alice',
          familyName: 'Liddell',
          locale: 'en-GB',
          picture: 'https://example.com/a.png',
          emailVerified: true,
        },
        ctx,
      );
      expect(u).toMatchObject({
        username: 'Alice',
        email: 'Alice@Example.COM',
        emailVerified: true,
        name: 'Alice Liddell',
        locale: 'en-GB',
        status: 'active',
        lastSignInAt: null,
        version: 1,
      });
      expect(u.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await f.users.get(tenant.id, u.id)).toEqual(u);
      const event = f.events.find((e) => e.type === 'user.created' && e.target === `user:${u.id}`);
      expect(event).toMatchObject({
        tenant: 'acme',
        actor: ctx.actor,
        requestId: ctx.requestId,
        result: 'success',
      });
      expect(event?.data?.fields).toEqual(
        expect.arrayContaining(['username', 'email', 'name', 'emailVerified']),
      );
    });

    it('refuses a username or an email that differs only in case (409 conflict)', async () => {
      await f.users.create(tenant.id, { username: 'Bob', email: 'bob@example.com' }, ctx);
      expect(await codeOf(f.users.create(tenant.id, { username: 'bOB' }, ctx))).toBe('conflict');
      expect(
        await codeOf(f.users.create(tenant.id, { username: 'bob2', email: 'BOB@EXAMPLE.com' }, ctx)),
      ).toBe('conflict');
      await expect(
        f.users.create(tenant.id, { username: 'bob3', email: 'Bob@example.com' }, ctx),
      ).rejects.toThrow(/email/);
    });

    it('allows many users without an email', async () => {
      await f.users.create(tenant.id, { username: 'noemail1' }, ctx);
      await f.users.create(tenant.id, { username: 'noemail2', email: null }, ctx);
      expect((await f.users.findByLogin(tenant.id, 'NOEMAIL2'))?.email).toBeNull();
    });

    it('validates input from any source (validation_failed)', async () => {
      for (const input of [
        { username: '   ' },
        { username: 'has space' },
        { username: 'x'.repeat(129) },
        { username: 'tab\tname' },
        { username: 'ok1', email: 'not-an-email' },
        { username: 'ok2', locale: 'english please' },
        { username: 'ok3', picture: 'http://insecure.example/a.png' },
        { username: 'ok4', password: 'short' },
        { username: 'ok5', status: 'deleted' as never },
      ]) {
        expect(await codeOf(f.users.create(tenant.id, input, ctx)), JSON.stringify(input)).toBe(
          'validation_failed',
        );
      }
    });
  });

  describe('get and findByLogin', () => {
    it('answers 404 for an unknown id and for a malformed one (never a database error)', async () => {
      expect(await codeOf(f.users.get(tenant.id, newId()))).toBe('not_found');
      for (const bad of ['nope', "'; drop table users; --", '', '0'.repeat(64), newId().toUpperCase()]) {
        expect(await codeOf(f.users.get(tenant.id, bad))).toBe('not_found');
      }
    });

    it('finds by username or email, ignoring case, preferring the username', async () => {
      const u = await f.users.create(tenant.id, { username: 'carol', email: 'Carol@Example.com' }, ctx);
      expect((await f.users.findByLogin(tenant.id, 'CAROL'))?.id).toBe(u.id);
      expect((await f.users.findByLogin(tenant.id, ' carol@example.COM '))?.id).toBe(u.id);
      expect(await f.users.findByLogin(tenant.id, 'nobody')).toBeNull();
      // a username that looks like another user's email wins over that email
      const v = await f.users.create(tenant.id, { username: 'carol@example.com' }, ctx);
      expect((await f.users.findByLogin(tenant.id, 'carol@example.com'))?.id).toBe(v.id);
    });
  });

  describe('update', () => {
    it('applies a patch, bumps the version and names the changed fields in the event', async () => {
      const u = await f.users.create(tenant.id, { username: 'dave', name: 'Dave' }, ctx);
      const updated = await f.users.update(
        tenant.id,
        u.id,
        { name: 'David', email: 'dave@example.com', locale: null, username: 'dave' },
        u.version,
        ctx,
      );
      expect(updated).toMatchObject({ name: 'David', email: 'dave@example.com', version: u.version + 1 });
      const event = f.events.findLast((e) => e.target === `user:${u.id}`);
      expect(event?.type).toBe('user.updated');
      expect([...((event?.data?.fields as string[] | undefined) ?? [])].sort()).toEqual(['email', 'name']);
    });

    it('changes nothing (no version bump, no event) when the patch equals the stored values', async () => {
      const u = await f.users.create(tenant.id, { username: 'erin', name: 'Erin' }, ctx);
      const before = f.events.length;
      const same = await f.users.update(tenant.id, u.id, { name: 'Erin' }, undefined, ctx);
      expect(same.version).toBe(u.version);
      expect(f.events.length).toBe(before);
    });

    it('refuses a stale If-Match version with 412 and leaves the row alone', async () => {
      const u = await f.users.create(tenant.id, { username: 'frank' }, ctx);
      await f.users.update(tenant.id, u.id, { name: 'Frank' }, u.version, ctx);
      expect(await codeOf(f.users.update(tenant.id, u.id, { name: 'Franz' }, u.version, ctx))).toBe(
        'precondition_failed',
      );
      expect((await f.users.get(tenant.id, u.id)).name).toBe('Frank');
      expect(await codeOf(f.users.delete(tenant.id, u.id, u.version, ctx))).toBe('precondition_failed');
    });

    it('answers 404 (not 412) for an unknown user even with If-Match', async () => {
      expect(await codeOf(f.users.update(tenant.id, newId(), { name: 'x' }, 1, ctx))).toBe('not_found');
      expect(await codeOf(f.users.update(tenant.id, 'garbage', { name: 'x' }, 1, ctx))).toBe('not_found');
    });

    it('refuses renaming onto another user, ignoring case (409)', async () => {
      await f.users.create(tenant.id, { username: 'grace', email: 'grace@example.com' }, ctx);
      const h = await f.users.create(tenant.id, { username: 'heidi' }, ctx);
      expect(await codeOf(f.users.update(tenant.id, h.id, { username: 'GRACE' }, undefined, ctx))).toBe(
        'conflict',
      );
      expect(
        await codeOf(f.users.update(tenant.id, h.id, { email: 'Grace@Example.com' }, undefined, ctx)),
      ).toBe('conflict');
      // changing only the case of one's own username is fine
      expect((await f.users.update(tenant.id, h.id, { username: 'Heidi' }, undefined, ctx)).username).toBe(
        'Heidi',
      );
    });

    it('serialises concurrent updates without losing either', async () => {
      const u = await f.users.create(tenant.id, { username: 'ivan' }, ctx);
      await Promise.all([
        f.users.update(tenant.id, u.id, { name: 'Ivan' }, undefined, ctx),
        f.users.update(tenant.id, u.id, { locale: 'ru' }, undefined, ctx),
      ]);
      expect(await f.users.get(tenant.id, u.id)).toMatchObject({ name: 'Ivan', locale: 'ru', version: 3 });
    });
  });

  describe('status and deletion', () => {
    it('disables and enables, each once, with its own event', async () => {
      const u = await f.users.create(tenant.id, { username: 'judy' }, ctx);
      const disabled = await f.users.disable(tenant.id, u.id, undefined, ctx);
      expect(disabled).toMatchObject({ status: 'disabled', version: 2 });
      expect((await f.users.disable(tenant.id, u.id, undefined, ctx)).version).toBe(2);
      const enabled = await f.users.enable(tenant.id, u.id, 2, ctx);
      expect(enabled).toMatchObject({ status: 'active', version: 3 });
      const types = f.events.filter((e) => e.target === `user:${u.id}`).map((e) => e.type);
      expect(types).toEqual(['user.created', 'user.disabled', 'user.enabled']);
      expect(await codeOf(f.users.disable(tenant.id, u.id, 1, ctx))).toBe('precondition_failed');
    });

    it('deletes a user (with If-Match), then answers 404', async () => {
      const u = await f.users.create(tenant.id, { username: 'ken' }, ctx);
      await f.users.delete(tenant.id, u.id, u.version, ctx);
      expect(await codeOf(f.users.get(tenant.id, u.id))).toBe('not_found');
      expect(await codeOf(f.users.delete(tenant.id, u.id, undefined, ctx))).toBe('not_found');
      expect(f.events.findLast((e) => e.target === `user:${u.id}`)?.type).toBe('user.deleted');
      // the name is free again
      await f.users.create(tenant.id, { username: 'KEN' }, ctx);
    });

    it('counts the users of a tenant', async () => {
      const other = await createTenant(get());
      expect(await f.users.count(other.id)).toBe(0);
      await f.users.create(other.id, { username: 'one' }, ctx);
      await f.users.create(other.id, { username: 'two' }, ctx);
      expect(await f.users.count(other.id)).toBe(2);
    });

    it('records the last sign-in without changing the ETag', async () => {
      const u = await f.users.create(tenant.id, { username: 'leo' }, ctx);
      await f.users.recordSignIn(tenant.id, u.id, Date.UTC(2030, 0, 1));
      expect(await f.users.get(tenant.id, u.id)).toMatchObject({
        lastSignInAt: '2030-01-01T00:00:00.000Z',
        version: u.version,
      });
    });
  });
});
