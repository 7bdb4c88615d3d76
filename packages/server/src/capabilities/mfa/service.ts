/**
 * MFA rules: TOTP enrolment (a pending seed confirmed by a first code), verification (±1 step, each
 * step accepted once — a replayed code is refused and audited), backup codes (shown once, single
 * use), removal by the user and reset by an administrator (both audited and mailed to the user), and
 * enforcement: who must use MFA (tenant, group or user) and the grace period counted from the first
 * sign-in after MFA became required. `signInStep` is what the sign-in flow asks after the password.
 * Wrong codes are counted per user in the shared state: after 10 in 15 minutes, 429 for the rest of
 * the window (a 6-digit code must not be guessable).
 */
import type { Keyring } from '../../crypto/fernet.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import { createTenantEventEmitter } from '../../events/tenant-events.ts';
import type { UserMailer } from '../../mail/user-mailer.ts';
import type { SharedState } from '../../state/state.ts';
import type { Database } from '../../storage/database.ts';
import { toIso, toIsoOrNull } from '../../storage/time.ts';
import { inUnits } from '../../storage/unit-of-work.ts';
import { backupCodeDigest, generateBackupCodes, normalizeBackupCode } from './backup-codes.ts';
import './errors.ts';
import { type MfaStore, type RequirementSubject, subjectId } from './store.ts';
import { generateTotpSecret, matchTotpStep, totpQrSvg, totpUri } from './totp.ts';

const DAY_MS = 86_400_000;
const FAILURE_LIMIT = 10;
const FAILURE_WINDOW_MS = 15 * 60_000;
export const DEFAULT_GRACE_DAYS = 7;

export interface MfaStatus {
  totp: boolean;
  totpConfirmedAt: string | null;
  backupCodesLeft: number;
  passkeys: number;
  /** MFA is required of this user (tenant, one of its groups, or the user). */
  required: boolean;
  /** When the grace period ends (or ended); null when it has not started or MFA is not required. */
  graceEndsAt: string | null;
}

export interface TotpEnrolment {
  secret: string;
  uri: string;
  qrSvg: string;
}

export interface RequirementView {
  subjectType: 'tenant' | 'group' | 'user';
  subjectId: string | null;
  graceDays: number;
  createdAt: string;
  createdBy: string;
}

/** What sign-in must do after the first factor. */
export type MfaSignInStep =
  | { kind: 'none' }
  /** Verify a factor the user has. */
  | { kind: 'verify'; totp: boolean; backupCodes: boolean; passkeys: boolean }
  /** Enrol first; `graceEndsAt` set while the user may still skip it. */
  | { kind: 'enrol'; graceEndsAt: number | null };

export interface VerifiedFactor {
  method: 'totp' | 'backup_code';
  /** RFC 8176 values for the session. */
  amr: string[];
  backupCodesLeft?: number;
}

export interface MfaService {
  status(tenantId: string, userId: string): Promise<MfaStatus>;
  /** Starts (or restarts) a TOTP enrolment: the seed, its URI and QR code. Not active until confirmed. */
  beginTotp(
    tenantId: string,
    userId: string,
    account: { issuer: string; label: string },
  ): Promise<TotpEnrolment>;
  /** The pending enrolment shown again (same seed), or null when there is none. */
  pendingTotp(
    tenantId: string,
    userId: string,
    account: { issuer: string; label: string },
  ): Promise<TotpEnrolment | null>;
  /** Confirms the enrolment with a first code; returns the backup codes, shown once. */
  confirmTotp(
    tenantId: string,
    userId: string,
    code: string,
    ctx: ActionContext,
  ): Promise<{ backupCodes: string[] }>;
  /** A TOTP code or a backup code as a second factor; throws mfa_code_invalid / mfa_rate_limited. */
  verify(tenantId: string, userId: string, code: string, ctx: ActionContext): Promise<VerifiedFactor>;
  renewBackupCodes(tenantId: string, userId: string, ctx: ActionContext): Promise<string[]>;
  /** The user removes their authenticator app (and backup codes). */
  removeTotp(tenantId: string, userId: string, ctx: ActionContext): Promise<void>;
  /** An administrator resets the user's MFA: TOTP, backup codes and passkeys go; a new grace period starts at the next sign-in. */
  reset(tenantId: string, userId: string, ctx: ActionContext): Promise<{ removed: string[] }>;
  signInStep(tenantId: string, userId: string, now?: number): Promise<MfaSignInStep>;
  listRequirements(tenantId: string): Promise<RequirementView[]>;
  require(
    tenantId: string,
    subject: RequirementSubject,
    graceDays: number,
    ctx: ActionContext,
  ): Promise<RequirementView>;
  unrequire(tenantId: string, subject: RequirementSubject, ctx: ActionContext): Promise<void>;
}

export interface MfaDeps {
  store: MfaStore;
  database: Database;
  keyring: Keyring;
  state: SharedState;
  bus: EventBus;
  mailer: UserMailer;
  slugOf(tenantId: string): Promise<string>;
  /** The user's groups, transitively (ids). */
  groupsOf(tenantId: string, userId: string): Promise<string[]>;
  passkeys: {
    count(tenantId: string, userId: string): Promise<number>;
    deleteAll(tenantId: string, userId: string): Promise<number>;
  };
}

export function createMfaService(deps: MfaDeps): MfaService {
  const { store, keyring, state } = deps;
  const emit = createTenantEventEmitter(deps.bus, deps.slugOf);
  const failureKey = (tenantId: string, userId: string) => `mfa-failures:${tenantId}:${userId}`;

  async function refuse(
    tenantId: string,
    userId: string,
    ctx: ActionContext,
    reason: string,
  ): Promise<never> {
    await state.increment(failureKey(tenantId, userId), FAILURE_WINDOW_MS);
    deps.bus.emit({
      type: 'mfa.verification_failed',
      tenant: await deps.slugOf(tenantId).catch(() => tenantId),
      actor: ctx.actor,
      target: `user:${userId}`,
      result: 'failure',
      requestId: ctx.requestId ?? null,
      data: { reason },
    });
    throw new AppError('mfa_code_invalid');
  }

  async function checkRate(tenantId: string, userId: string): Promise<void> {
    const failures = Number((await state.get(failureKey(tenantId, userId))) ?? 0);
    if (failures >= FAILURE_LIMIT) throw new AppError('mfa_rate_limited');
  }

  async function requirement(tenantId: string, userId: string): Promise<{ graceDays: number } | null> {
    const rows = await store.requirements(tenantId);
    if (rows.length === 0) return null;
    const groups = rows.some((r) => r.subject_type === 'group')
      ? new Set(await deps.groupsOf(tenantId, userId))
      : new Set();
    const applying = rows.filter(
      (r) =>
        r.subject_type === 'tenant' ||
        (r.subject_type === 'user' && r.subject_id === userId) ||
        (r.subject_type === 'group' && groups.has(r.subject_id)),
    );
    if (applying.length === 0) return null;
    return { graceDays: Math.min(...applying.map((r) => r.grace_days)) };
  }

  async function enrolment(
    secret: string,
    account: { issuer: string; label: string },
  ): Promise<TotpEnrolment> {
    const uri = totpUri(secret, account.issuer, account.label);
    return { secret, uri, qrSvg: await totpQrSvg(uri) };
  }

  async function newBackupCodes(tenantId: string, userId: string): Promise<string[]> {
    const codes = generateBackupCodes();
    await store.replaceBackupCodes(
      tenantId,
      userId,
      codes.map((c) => backupCodeDigest(userId, normalizeBackupCode(c)!)),
      Date.now(),
    );
    return codes;
  }

  const view = (r: Awaited<ReturnType<MfaStore['requirements']>>[number]): RequirementView => ({
    subjectType: r.subject_type,
    subjectId: r.subject_type === 'tenant' ? null : r.subject_id,
    graceDays: r.grace_days,
    createdAt: toIso(r.created_at),
    createdBy: r.created_by,
  });

  const service: MfaService = {
    async status(tenantId, userId) {
      const [totp, left, passkeys, req, grace] = await Promise.all([
        store.totp(tenantId, userId),
        store.countBackupCodes(tenantId, userId),
        deps.passkeys.count(tenantId, userId),
        requirement(tenantId, userId),
        store.peekGrace(tenantId, userId),
      ]);
      const confirmed = totp?.confirmed_at ?? null;
      return {
        totp: confirmed !== null,
        totpConfirmedAt: toIsoOrNull(confirmed),
        backupCodesLeft: left,
        passkeys,
        required: req !== null,
        graceEndsAt: req && grace !== null ? toIso(grace + req.graceDays * DAY_MS) : null,
      };
    },

    async beginTotp(tenantId, userId, account) {
      const secret = generateTotpSecret();
      if (!(await store.putPendingTotp(tenantId, userId, keyring.encrypt(secret), Date.now())))
        throw new AppError('mfa_already_enrolled');
      return enrolment(secret, account);
    },

    async pendingTotp(tenantId, userId, account) {
      const row = await store.totp(tenantId, userId);
      if (!row || row.confirmed_at !== null) return null;
      return enrolment(keyring.decryptString(row.secret), account);
    },

    async confirmTotp(tenantId, userId, code, ctx) {
      await checkRate(tenantId, userId);
      const row = await store.totp(tenantId, userId);
      if (!row) throw new AppError('mfa_enrolment_missing');
      if (row.confirmed_at !== null) throw new AppError('mfa_already_enrolled');
      const step = matchTotpStep(keyring.decryptString(row.secret), code.trim(), Date.now());
      if (step === null) return refuse(tenantId, userId, ctx, 'enrolment_code_invalid');
      return deps.database.write(async () => {
        if (!(await store.confirmTotp(tenantId, userId, step, Date.now())))
          throw new AppError('mfa_enrolment_missing');
        const backupCodes = await newBackupCodes(tenantId, userId);
        await store.clearGrace(tenantId, userId);
        await emit(tenantId, 'mfa.enrolled', `user:${userId}`, ctx, {
          method: 'totp',
          backupCodes: backupCodes.length,
        });
        await deps.mailer.send(tenantId, userId, 'mfa-changed', { change: 'An authenticator app was added' });
        return { backupCodes };
      });
    },

    async verify(tenantId, userId, typed, ctx) {
      await checkRate(tenantId, userId);
      const code = typed.trim();
      if (code.length > 64) return refuse(tenantId, userId, ctx, 'malformed');
      if (/^\d{6}$/.test(code.replace(/\s/g, ''))) {
        const row = await store.totp(tenantId, userId);
        if (!row || row.confirmed_at === null) return refuse(tenantId, userId, ctx, 'not_enrolled');
        const step = matchTotpStep(keyring.decryptString(row.secret), code.replace(/\s/g, ''), Date.now());
        if (step === null) return refuse(tenantId, userId, ctx, 'totp_invalid');
        // one guarded UPDATE: the same (or an older) step is never accepted twice, on any instance
        if (!(await store.acceptStep(tenantId, userId, step)))
          return refuse(tenantId, userId, ctx, 'totp_replayed');
        await state.delete(failureKey(tenantId, userId));
        return { method: 'totp', amr: ['otp', 'mfa'] };
      }
      const normalized = normalizeBackupCode(code);
      if (!normalized) return refuse(tenantId, userId, ctx, 'malformed');
      const left = await deps.database.write(async () => {
        if (!(await store.consumeBackupCode(tenantId, userId, backupCodeDigest(userId, normalized))))
          return null;
        const n = await store.countBackupCodes(tenantId, userId);
        await emit(tenantId, 'mfa.backup_code_used', `user:${userId}`, ctx, { left: n });
        return n;
      });
      // refused outside the unit: its audit event must not roll back with it
      if (left === null) return refuse(tenantId, userId, ctx, 'backup_code_invalid');
      await state.delete(failureKey(tenantId, userId));
      return { method: 'backup_code', amr: ['otp', 'mfa'], backupCodesLeft: left };
    },

    async renewBackupCodes(tenantId, userId, ctx) {
      const row = await store.totp(tenantId, userId);
      if (!row || row.confirmed_at === null) throw new AppError('mfa_not_enrolled');
      const codes = await newBackupCodes(tenantId, userId);
      await emit(tenantId, 'mfa.backup_codes_renewed', `user:${userId}`, ctx, { count: codes.length });
      await deps.mailer.send(tenantId, userId, 'mfa-changed', {
        change: 'New backup codes were made (the old ones no longer work)',
      });
      return codes;
    },

    async removeTotp(tenantId, userId, ctx) {
      const removed = await store.deleteTotp(tenantId, userId);
      const codes = await store.deleteBackupCodes(tenantId, userId);
      if (!removed) throw new AppError('mfa_not_enrolled');
      await emit(tenantId, 'mfa.removed', `user:${userId}`, ctx, { method: 'totp', backupCodes: codes });
      await deps.mailer.send(tenantId, userId, 'mfa-changed', {
        change: 'The authenticator app was removed',
      });
    },

    async reset(tenantId, userId, ctx) {
      const removed: string[] = [];
      if (await store.deleteTotp(tenantId, userId)) removed.push('totp');
      if ((await store.deleteBackupCodes(tenantId, userId)) > 0) removed.push('backup_codes');
      if ((await deps.passkeys.deleteAll(tenantId, userId)) > 0) removed.push('passkeys');
      await store.clearGrace(tenantId, userId);
      await emit(tenantId, 'mfa.reset', `user:${userId}`, ctx, { removed });
      await deps.mailer.send(tenantId, userId, 'mfa-changed', {
        change: 'An administrator reset your two-step verification',
      });
      return { removed };
    },

    async signInStep(tenantId, userId, now = Date.now()) {
      const facts = await store.signInFacts(tenantId, userId);
      if (facts.totpConfirmed || facts.passkeys > 0)
        return {
          kind: 'verify',
          totp: facts.totpConfirmed,
          backupCodes: facts.backupCodes > 0,
          passkeys: facts.passkeys > 0,
        };
      const req = facts.anyRequirement ? await requirement(tenantId, userId) : null;
      if (!req) return { kind: 'none' };
      const started = await deps.database.write(() => store.graceStart(tenantId, userId, now));
      const ends = started + req.graceDays * DAY_MS;
      return { kind: 'enrol', graceEndsAt: now < ends ? ends : null };
    },

    async listRequirements(tenantId) {
      return (await store.requirements(tenantId)).map(view);
    },

    async require(tenantId, subject, graceDays, ctx) {
      if (!Number.isSafeInteger(graceDays) || graceDays < 0 || graceDays > 365)
        throw new AppError('validation_failed', { detail: 'graceDays: 0 to 365' });
      const row = {
        tenant_id: tenantId,
        subject_type: subject.type,
        subject_id: subjectId(subject),
        grace_days: graceDays,
        created_at: Date.now(),
        created_by: ctx.actor,
      };
      await store.putRequirement(row);
      await emit(tenantId, 'mfa.requirement_set', `${subject.type}:${row.subject_id || 'tenant'}`, ctx, {
        graceDays,
      });
      return view(row);
    },

    async unrequire(tenantId, subject, ctx) {
      if (!(await store.deleteRequirement(tenantId, subject)))
        throw new AppError('not_found', { detail: 'MFA is not required of that subject' });
      // required of nobody now: a later requirement starts every grace period afresh
      if ((await store.requirements(tenantId)).length === 0) await store.clearTenantGrace(tenantId);
      await emit(
        tenantId,
        'mfa.requirement_removed',
        `${subject.type}:${subjectId(subject) || 'tenant'}`,
        ctx,
      );
    },
  };
  return inUnits(deps.database, service, ['renewBackupCodes', 'removeTotp', 'reset', 'require', 'unrequire']);
}
