/**
 * The passkeys service and its rows on SQLite and on PostgreSQL, with a software authenticator
 * (ES256, "none" attestation) answering real WebAuthn JSON: registration stores the credential once
 * (a second registration of it is `passkey_exists`) and mails the user; a discoverable sign-in needs
 * user verification and gives amr hwk/user/mfa; a ceremony is taken once (a replayed answer is
 * refused); the counter only moves forward, also when two sign-ins with the same counter race; a
 * second-factor ceremony accepts only the user's own passkeys; rename, delete and delete-all stay
 * within the user. Every refusal is `passkey_invalid` and audited with its reason.
 */
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import type { EmittedEvent } from '../../events/event-bus.ts';
import { seedUser } from '../accounts/test-support.ts';
import { createSoftAuthenticator, type SoftAuthenticator } from './test-authenticator.ts';

const ORIGIN = 'http://localhost:8080';
const ctx = { actor: 'test' };

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(!dialectAvailable(dialect))(`passkeys service [${dialect}]`, () => {
    let t: TestRuntime;
    let tenantId: string;
    let ada: string;
    let bob: string;
    let adaKey: SoftAuthenticator;
    let bobKey: SoftAuthenticator;
    const events: EmittedEvent[] = [];
    const failures = () =>
      events.filter((e) => e.type === 'passkey.verification_failed').map((e) => e.data?.reason);

    const register = async (userId: string, key: SoftAuthenticator, name: string) => {
      const user = await t.services.users.get(tenantId, userId);
      const { ceremonyId, options } = await t.services.passkeys.registrationOptions(tenantId, user, 'Acme');
      return t.services.passkeys.register(tenantId, userId, ceremonyId, key.register(options), name, ctx);
    };
    const signIn = async (
      key: SoftAuthenticator,
      opts: { userId?: string; userVerified?: boolean; origin?: string } = {},
    ) => {
      const { ceremonyId, options } = await t.services.passkeys.authenticationOptions(tenantId, opts.userId);
      const answer = key.authenticate(options as PublicKeyCredentialRequestOptionsJSON, opts);
      return {
        ceremonyId,
        answer,
        result: t.services.passkeys.authenticate(tenantId, ceremonyId, answer, ctx),
      };
    };

    beforeAll(async () => {
      t = await createTestRuntime({ dialect, env: { GATEKEEPER_PUBLIC_URL: ORIGIN } });
      t.runtime.bus.subscribe((e) => events.push(e));
      ({ tenantId, userId: ada } = await seedUser(t.services, 'acme', 'ada', { email: 'ada@example.test' }));
      ({ userId: bob } = await seedUser(t.services, 'acme', 'bob'));
      adaKey = createSoftAuthenticator(ORIGIN);
      bobKey = createSoftAuthenticator(ORIGIN);
    });
    afterAll(async () => t?.close());

    it('registers a passkey once, audited and mailed', async () => {
      const view = await register(ada, adaKey, '  Laptop  ');
      expect(view).toMatchObject({
        name: 'Laptop',
        deviceType: 'singleDevice',
        backedUp: false,
        lastUsedAt: null,
      });
      expect(await t.services.passkeys.list(tenantId, ada)).toEqual([view]);
      expect(await t.services.passkeys.count(tenantId, ada)).toBe(1);
      expect(events.some((e) => e.type === 'passkey.registered' && e.target === `user:${ada}`)).toBe(true);
      const mail = (await t.services.mail.list({ limit: 10 })).filter((m) => m.template === 'mfa-changed');
      expect(mail.map((m) => m.recipient)).toContain('ada@example.test');
      // the same credential again (another browser asking): refused by the unique index, nothing added
      await expect(register(ada, adaKey, 'Again')).rejects.toMatchObject({ code: 'passkey_exists' });
      await expect(register(bob, adaKey, 'Stolen')).rejects.toMatchObject({ code: 'passkey_exists' });
      expect(await t.services.passkeys.count(tenantId, ada)).toBe(1);
      expect(await t.services.passkeys.count(tenantId, bob)).toBe(0);
      await register(bob, bobKey, 'Phone');
    });

    it('signs in without a username, with user verification, once per ceremony', async () => {
      const { ceremonyId, answer, result } = await signIn(adaKey);
      const used = await result;
      expect(used).toMatchObject({ userId: ada, amr: ['hwk', 'user', 'mfa'] });
      const [row] = await t.services.passkeys.list(tenantId, ada);
      expect(row?.lastUsedAt).not.toBeNull();
      // the same answer to the same ceremony: the challenge was taken
      await expect(t.services.passkeys.authenticate(tenantId, ceremonyId, answer, ctx)).rejects.toMatchObject(
        {
          code: 'passkey_invalid',
        },
      );
      expect(failures()).toContain('ceremony_unknown_or_used');
      // passwordless without user verification, or from another origin: refused
      await expect((await signIn(adaKey, { userVerified: false })).result).rejects.toMatchObject({
        code: 'passkey_invalid',
      });
      await expect((await signIn(adaKey, { origin: 'https://evil.example' })).result).rejects.toMatchObject({
        code: 'passkey_invalid',
      });
      expect(failures().filter((r) => r === 'assertion_not_verified')).toHaveLength(2);
    });

    it('moves the counter only forward, also when two sign-ins race', async () => {
      const before = adaKey.counter;
      adaKey.counter = 0; // a clone with an old counter
      await expect((await signIn(adaKey)).result).rejects.toMatchObject({ code: 'passkey_invalid' });
      expect(failures()).toContain('assertion_not_verified');
      adaKey.counter = before + 10;
      // two ceremonies answered with the same counter value, verified at the same time: one wins
      const a = await t.services.passkeys.authenticationOptions(tenantId);
      const b = await t.services.passkeys.authenticationOptions(tenantId);
      const answerA = adaKey.authenticate(a.options);
      adaKey.counter -= 1;
      const answerB = adaKey.authenticate(b.options);
      const outcomes = await Promise.allSettled([
        t.services.passkeys.authenticate(tenantId, a.ceremonyId, answerA, ctx),
        t.services.passkeys.authenticate(tenantId, b.ceremonyId, answerB, ctx),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      // the loser read the row before the winner's UPDATE (the guard refuses it) or after (verification does)
      expect(['counter_went_backwards', 'assertion_not_verified']).toContain(failures().at(-1));
    });

    it('as a second factor, accepts only the user’s own passkeys', async () => {
      const own = await (await signIn(bobKey, { userId: bob, userVerified: false })).result;
      expect(own).toMatchObject({ userId: bob, amr: ['hwk', 'user'] });
      const { options } = await t.services.passkeys.authenticationOptions(tenantId, bob);
      expect(options.allowCredentials?.map((c) => c.id)).toEqual([bobKey.credentialId]);
      await expect((await signIn(adaKey, { userId: bob })).result).rejects.toMatchObject({
        code: 'passkey_invalid',
      });
      expect(failures()).toContain('credential_of_another_user');
      await expect(
        t.services.passkeys.authenticate(tenantId, 'x'.repeat(24), { id: 'nope' }, ctx),
      ).rejects.toMatchObject({ code: 'passkey_invalid' });
    });

    it('renames and deletes within the user only', async () => {
      const [mine] = await t.services.passkeys.list(tenantId, ada);
      const renamed = await t.services.passkeys.rename(tenantId, ada, mine!.id, 'Work laptop', ctx);
      expect(renamed.name).toBe('Work laptop');
      await expect(
        t.services.passkeys.rename(tenantId, bob, mine!.id, 'Mine now', ctx),
      ).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(
        t.services.passkeys.rename(tenantId, ada, mine!.id, 'two\nlines', ctx),
      ).rejects.toMatchObject({
        code: 'validation_failed',
      });
      await expect(t.services.passkeys.delete(tenantId, bob, mine!.id, ctx)).rejects.toMatchObject({
        code: 'not_found',
      });
      await t.services.passkeys.delete(tenantId, ada, mine!.id, ctx);
      expect(await t.services.passkeys.count(tenantId, ada)).toBe(0);
      // a deleted passkey signs nobody in
      await expect((await signIn(adaKey)).result).rejects.toMatchObject({ code: 'passkey_invalid' });
      expect(failures()).toContain('unknown_credential');
      expect(await t.services.passkeys.deleteAll(tenantId, bob)).toBe(1);
      expect(await t.services.passkeys.list(tenantId, bob)).toEqual([]);
    });
  });
}
