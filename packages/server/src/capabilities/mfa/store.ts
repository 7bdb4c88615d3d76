/**
 * MFA storage: TOTP enrolments, backup codes, requirements and grace periods. Every single-use or
 * guarded step is one statement: accepting a TOTP step (`last_step < step`), consuming a backup code
 * (`DELETE … RETURNING`), starting a grace period (insert, conflict ignored).
 */
import type { Database } from '../../storage/database.ts';
import type { MfaRequirementsTable, MfaTotpTable } from '../../storage/tables.ts';

export type RequirementSubject = { type: 'tenant' } | { type: 'group' | 'user'; id: string };

/** What a sign-in needs to know of a user's second factors, read in one statement. */
export interface MfaSignInFacts {
  totpConfirmed: boolean;
  backupCodes: number;
  passkeys: number;
  /** Whether the tenant requires MFA of anyone (the requirements are read only then). */
  anyRequirement: boolean;
}

export interface MfaStore {
  totp(tenantId: string, userId: string): Promise<MfaTotpTable | undefined>;
  /** One statement per sign-in instead of four (TOTP, backup codes, passkeys, requirements). */
  signInFacts(tenantId: string, userId: string): Promise<MfaSignInFacts>;
  /** Stores a new, unconfirmed enrolment, replacing an unconfirmed one; false when a confirmed one exists. */
  putPendingTotp(tenantId: string, userId: string, secret: string, now: number): Promise<boolean>;
  /** Confirms the pending enrolment at `step`; false when there was none (or it was confirmed meanwhile). */
  confirmTotp(tenantId: string, userId: string, step: number, now: number): Promise<boolean>;
  /** Accepts `step` once: true when it is later than every step accepted before. */
  acceptStep(tenantId: string, userId: string, step: number): Promise<boolean>;
  deleteTotp(tenantId: string, userId: string): Promise<boolean>;
  replaceBackupCodes(
    tenantId: string,
    userId: string,
    digests: readonly string[],
    now: number,
  ): Promise<void>;
  consumeBackupCode(tenantId: string, userId: string, digest: string): Promise<boolean>;
  countBackupCodes(tenantId: string, userId: string): Promise<number>;
  deleteBackupCodes(tenantId: string, userId: string): Promise<number>;
  requirements(tenantId: string): Promise<MfaRequirementsTable[]>;
  putRequirement(row: MfaRequirementsTable): Promise<void>;
  deleteRequirement(tenantId: string, subject: RequirementSubject): Promise<boolean>;
  /** When the user's grace period started, starting it now if it had not. */
  graceStart(tenantId: string, userId: string, now: number): Promise<number>;
  peekGrace(tenantId: string, userId: string): Promise<number | null>;
  clearGrace(tenantId: string, userId: string): Promise<void>;
  /** Forgets every grace period of the tenant (MFA is required of nobody any more). */
  clearTenantGrace(tenantId: string): Promise<void>;
}

const subjectId = (s: RequirementSubject) => (s.type === 'tenant' ? '' : s.id);

export function createMfaStore(database: Database): MfaStore {
  const { db } = database;
  return {
    async signInFacts(tenantId, userId) {
      const r = await db
        .selectNoFrom((eb) => [
          eb
            .selectFrom('mfa_totp')
            .select((e) => e.fn.countAll<number>().as('n'))
            .where('tenant_id', '=', tenantId)
            .where('user_id', '=', userId)
            .where('confirmed_at', 'is not', null)
            .as('totp'),
          eb
            .selectFrom('mfa_backup_codes')
            .select((e) => e.fn.countAll<number>().as('n'))
            .where('tenant_id', '=', tenantId)
            .where('user_id', '=', userId)
            .as('codes'),
          eb
            .selectFrom('passkeys')
            .select((e) => e.fn.countAll<number>().as('n'))
            .where('tenant_id', '=', tenantId)
            .where('user_id', '=', userId)
            .as('passkeys'),
          eb
            .selectFrom('mfa_requirements')
            .select((e) => e.fn.countAll<number>().as('n'))
            .where('tenant_id', '=', tenantId)
            .as('requirements'),
        ])
        .executeTakeFirstOrThrow();
      return {
        totpConfirmed: Number(r.totp) > 0,
        backupCodes: Number(r.codes),
        passkeys: Number(r.passkeys),
        anyRequirement: Number(r.requirements) > 0,
      };
    },
    totp: (tenantId, userId) =>
      db
        .selectFrom('mfa_totp')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirst(),

    async putPendingTotp(tenantId, userId, secret, now) {
      const r = await db
        .insertInto('mfa_totp')
        .values({
          user_id: userId,
          tenant_id: tenantId,
          secret,
          last_step: 0,
          confirmed_at: null,
          created_at: now,
        })
        .onConflict((oc) =>
          oc
            .column('user_id')
            .doUpdateSet({ secret, last_step: 0, created_at: now })
            .where('mfa_totp.confirmed_at', 'is', null)
            .where('mfa_totp.tenant_id', '=', tenantId),
        )
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    async confirmTotp(tenantId, userId, step, now) {
      const r = await db
        .updateTable('mfa_totp')
        .set({ confirmed_at: now, last_step: step })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async acceptStep(tenantId, userId, step) {
      const r = await db
        .updateTable('mfa_totp')
        .set({ last_step: step })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null)
        .where('last_step', '<', step)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async deleteTotp(tenantId, userId) {
      const r = await db
        .deleteFrom('mfa_totp')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async replaceBackupCodes(tenantId, userId, digests, now) {
      await db
        .deleteFrom('mfa_backup_codes')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
      if (digests.length > 0)
        await db
          .insertInto('mfa_backup_codes')
          .values(
            digests.map((digest) => ({ digest, user_id: userId, tenant_id: tenantId, created_at: now })),
          )
          .execute();
    },

    async consumeBackupCode(tenantId, userId, digest) {
      const rows = await db
        .deleteFrom('mfa_backup_codes')
        .where('digest', '=', digest)
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .returning('digest')
        .execute();
      return rows.length > 0;
    },

    async countBackupCodes(tenantId, userId) {
      const r = await db
        .selectFrom('mfa_backup_codes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async deleteBackupCodes(tenantId, userId) {
      const r = await db
        .deleteFrom('mfa_backup_codes')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    requirements: (tenantId) =>
      db
        .selectFrom('mfa_requirements')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .execute(),

    async putRequirement(row) {
      await db
        .insertInto('mfa_requirements')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'subject_type', 'subject_id']).doUpdateSet({ grace_days: row.grace_days }),
        )
        .execute();
    },

    async deleteRequirement(tenantId, subject) {
      const r = await db
        .deleteFrom('mfa_requirements')
        .where('tenant_id', '=', tenantId)
        .where('subject_type', '=', subject.type)
        .where('subject_id', '=', subjectId(subject))
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async graceStart(tenantId, userId, now) {
      await db
        .insertInto('mfa_grace')
        .values({ user_id: userId, tenant_id: tenantId, started_at: now })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .execute();
      return (await this.peekGrace(tenantId, userId)) ?? now;
    },

    async peekGrace(tenantId, userId) {
      const r = await db
        .selectFrom('mfa_grace')
        .select('started_at')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r ? Number(r.started_at) : null;
    },

    async clearTenantGrace(tenantId) {
      await db.deleteFrom('mfa_grace').where('tenant_id', '=', tenantId).execute();
    },

    async clearGrace(tenantId, userId) {
      await db
        .deleteFrom('mfa_grace')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
    },
  };
}

export { subjectId };
