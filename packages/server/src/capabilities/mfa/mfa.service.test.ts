/**
 * MFA rules on a real runtime (SQLite and PostgreSQL): TOTP enrolment is inactive until confirmed;
 * the seed is encrypted at rest; a code is accepted once (a replay, also concurrent, is refused and
 * audited); backup codes are single-use (five concurrent uses of one code: one succeeds); wrong codes
 * are rate limited; the enforcement requirement and its grace period; the admin reset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { totpCode } from './totp.ts';

const ctx = { actor: 'test' };

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(!dialectAvailable(dialect))(`MFA service [${dialect}]`, () => {
    let t: TestRuntime;
    let tenantId: string;
    const account = { issuer: 'Root', label: 'ada' };
    const heard: { action: string; result: string; data: string }[] = [];
    const events = async () => heard;

    async function newUser(name: string) {
      return (await t.services.users.create(tenantId, { username: name, email: `${name}@example.test` }, ctx))
        .id;
    }

    beforeAll(async () => {
      t = await createTestRuntime({ dialect });
      tenantId = (await t.services.tenants.resolve('root')).id;
      t.runtime.bus.subscribe((e) =>
        heard.push({ action: e.type, result: e.result, data: JSON.stringify(e.data ?? {}) }),
      );
    });
    afterAll(async () => t?.close());

    it('enrols TOTP only once a first code confirms it, with the seed encrypted at rest', async () => {
      const userId = await newUser('ada');
      const { mfa } = t.services;
      const enrol = await mfa.beginTotp(tenantId, userId, account);
      expect(enrol.qrSvg).toMatch(/^<svg/);
      expect(enrol.uri).toContain(`secret=${enrol.secret}`);
      const row = await t.runtime.database.db
        .selectFrom('mfa_totp')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      expect(row.secret).not.toContain(enrol.secret);
      expect(t.runtime.keyring.decryptString(row.secret)).toBe(enrol.secret);
      expect((await mfa.status(tenantId, userId)).totp).toBe(false);
      expect((await mfa.signInStep(tenantId, userId)).kind).toBe('none');
      expect((await mfa.pendingTotp(tenantId, userId, account))?.secret).toBe(enrol.secret);

      await expect(mfa.confirmTotp(tenantId, userId, '000000', ctx)).rejects.toMatchObject({
        code: 'mfa_code_invalid',
      });
      const { backupCodes } = await mfa.confirmTotp(
        tenantId,
        userId,
        totpCode(enrol.secret, Date.now()),
        ctx,
      );
      expect(backupCodes).toHaveLength(10);
      expect(new Set(backupCodes).size).toBe(10);
      const status = await mfa.status(tenantId, userId);
      expect(status).toMatchObject({ totp: true, backupCodesLeft: 10 });
      await expect(mfa.beginTotp(tenantId, userId, account)).rejects.toMatchObject({
        code: 'mfa_already_enrolled',
      });
      expect(await mfa.signInStep(tenantId, userId)).toEqual({
        kind: 'verify',
        totp: true,
        backupCodes: true,
        passkeys: false,
      });
      expect((await events()).map((e) => e.action)).toContain('mfa.enrolled');
      // the confirmation code itself counts as used: the enrolment's code cannot sign in
      await expect(
        mfa.verify(tenantId, userId, totpCode(enrol.secret, Date.now()), ctx),
      ).rejects.toMatchObject({
        code: 'mfa_code_invalid',
      });
    });

    it('accepts a code once: a replay, even concurrent, is refused and audited', async () => {
      const userId = await newUser('bob');
      const { mfa } = t.services;
      const { secret } = await mfa.beginTotp(tenantId, userId, account);
      await mfa.confirmTotp(tenantId, userId, totpCode(secret, Date.now() - 30_000), ctx);
      const code = totpCode(secret, Date.now());
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => mfa.verify(tenantId, userId, code, ctx)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'fulfilled')).toMatchObject({
        value: { method: 'totp', amr: ['otp', 'mfa'] },
      });
      // an older code (previous step) after a newer one was used is refused too
      await expect(
        mfa.verify(tenantId, userId, totpCode(secret, Date.now() - 30_000), ctx),
      ).rejects.toMatchObject({
        code: 'mfa_code_invalid',
      });
      const failures = (await events()).filter((e) => e.action === 'mfa.verification_failed');
      expect(failures.some((e) => e.data.includes('totp_replayed'))).toBe(true);
      expect(failures.every((e) => e.result === 'failure' && !e.data.includes(code))).toBe(true);
    });

    it('uses a backup code once, even when five requests race with it', async () => {
      const userId = await newUser('cy');
      const { mfa } = t.services;
      const { secret } = await mfa.beginTotp(tenantId, userId, account);
      const { backupCodes } = await mfa.confirmTotp(tenantId, userId, totpCode(secret, Date.now()), ctx);
      const typed = backupCodes[0]!.toUpperCase().replace('-', ' ');
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => mfa.verify(tenantId, userId, typed, ctx)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toEqual([
        { status: 'fulfilled', value: { method: 'backup_code', amr: ['otp', 'mfa'], backupCodesLeft: 9 } },
      ]);
      expect((await mfa.status(tenantId, userId)).backupCodesLeft).toBe(9);
      const used = (await events()).filter((e) => e.action === 'mfa.backup_code_used');
      expect(used).toHaveLength(1);
      // renewed codes replace the old ones
      const renewed = await mfa.renewBackupCodes(tenantId, userId, ctx);
      await expect(mfa.verify(tenantId, userId, backupCodes[1]!, ctx)).rejects.toMatchObject({
        code: 'mfa_code_invalid',
      });
      expect((await mfa.verify(tenantId, userId, renewed[0]!, ctx)).backupCodesLeft).toBe(9);
    });

    it('refuses wrong codes, then rate limits them', async () => {
      const userId = await newUser('dee');
      const { mfa } = t.services;
      const { secret } = await mfa.beginTotp(tenantId, userId, account);
      await mfa.confirmTotp(tenantId, userId, totpCode(secret, Date.now()), ctx);
      for (const bad of ['12345', 'x'.repeat(65), 'abcde-fghij', '999999', '\u0000'])
        await expect(mfa.verify(tenantId, userId, bad, ctx)).rejects.toMatchObject({
          code: 'mfa_code_invalid',
        });
      for (let i = 0; i < 5; i++) await mfa.verify(tenantId, userId, '000001', ctx).catch(() => {});
      await expect(
        mfa.verify(tenantId, userId, totpCode(secret, Date.now() + 30_000), ctx),
      ).rejects.toMatchObject({
        code: 'mfa_rate_limited',
      });
    });

    it('requires MFA of a group with a grace period from the first sign-in, then makes enrolment mandatory', async () => {
      const userId = await newUser('eve');
      const other = await newUser('fay');
      const { mfa, groups } = t.services;
      const group = await groups.create(tenantId, { name: 'ops' }, ctx);
      await groups.addUser(tenantId, group.id, userId, ctx);
      await mfa.require(tenantId, { type: 'group', id: group.id }, 7, ctx);
      expect((await mfa.signInStep(tenantId, other)).kind).toBe('none');
      const now = Date.now();
      const first = await mfa.signInStep(tenantId, userId, now);
      expect(first).toEqual({ kind: 'enrol', graceEndsAt: now + 7 * 86_400_000 });
      // the grace period counts from the first sign-in, not from each one
      expect(await mfa.signInStep(tenantId, userId, now + 86_400_000)).toEqual(first);
      expect(await mfa.signInStep(tenantId, userId, now + 8 * 86_400_000)).toEqual({
        kind: 'enrol',
        graceEndsAt: null,
      });
      expect((await mfa.status(tenantId, userId)).required).toBe(true);
      await mfa.unrequire(tenantId, { type: 'group', id: group.id }, ctx);
      expect((await mfa.signInStep(tenantId, userId)).kind).toBe('none');
      // required again later: a fresh grace period, not the old one
      await mfa.require(tenantId, { type: 'user', id: userId }, 2, ctx);
      const later = now + 30 * 86_400_000;
      expect(await mfa.signInStep(tenantId, userId, later)).toEqual({
        kind: 'enrol',
        graceEndsAt: later + 2 * 86_400_000,
      });
      await mfa.unrequire(tenantId, { type: 'user', id: userId }, ctx);
      await expect(mfa.require(tenantId, { type: 'tenant' }, 400, ctx)).rejects.toMatchObject({
        code: 'validation_failed',
      });
    });

    it('resets a user: TOTP and backup codes go, a new grace period starts, audited', async () => {
      const userId = await newUser('gus');
      const { mfa } = t.services;
      const { secret } = await mfa.beginTotp(tenantId, userId, account);
      await mfa.confirmTotp(tenantId, userId, totpCode(secret, Date.now()), ctx);
      expect(await mfa.reset(tenantId, userId, { actor: 'token:admin' })).toEqual({
        removed: ['totp', 'backup_codes'],
      });
      expect(await mfa.status(tenantId, userId)).toMatchObject({ totp: false, backupCodesLeft: 0 });
      expect((await events()).some((e) => e.action === 'mfa.reset' && e.data.includes('totp'))).toBe(true);
      await expect(mfa.removeTotp(tenantId, userId, ctx)).rejects.toMatchObject({ code: 'mfa_not_enrolled' });
      // the user is told by mail (queued in the same unit)
      const queued = await t.services.mail.list({ limit: 50 });
      expect(queued.some((m) => m.template === 'mfa-changed' && m.recipient === 'gus@example.test')).toBe(
        true,
      );
    });
  });
}
