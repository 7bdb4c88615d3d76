/**
 * Where MFA meets sign-in: after any first factor (password, magic link) `afterFirstFactor` asks the
 * MFA rules what comes next — nothing (the caller completes the sign-in), a second factor (the
 * challenge page), or an enrolment (the enrolment page, skippable during the grace period) — and
 * parks the sign-in as pending (stage `mfa`) in the accounts capability. `passed` completes a pending
 * sign-in once its factor passed, with the methods of both factors. Also the core's `requireMfa` hook
 * (`hook`), and the step-up of an existing session (`stepUp`: the OIDC provider asks for it when a
 * client requires MFA through acr_values).
 */
import type { TenantRef } from '../../access/principal.ts';
import {
  ACR_MFA,
  type AccountsService,
  type PendingSignIn,
  type RequireMfa,
  type SignInOutcome,
} from '../accounts/index.ts';
import type { MfaService } from './service.ts';

export interface MfaPendingData {
  /** `verify`: a factor the user has; `enrol`: set one up first. */
  next: 'verify' | 'enrol';
  /** During the grace period, when enrolment may be skipped (epoch ms). */
  graceEndsAt?: number | null;
  /** Set once the enrolment of this sign-in succeeded (the backup codes page continues it). */
  enrolled?: boolean;
  /** The session a step-up upgrades (revoked once the new one exists). */
  stepUpSession?: string;
}

export interface RequestFacts {
  ip: string;
  userAgent: string;
  requestId: string;
  /** The browser's device-mark cookie (new-sign-in alerts). */
  device?: string | undefined;
}

export interface MfaSignIn {
  /** The outcome when MFA has a say (pending), or undefined: complete the sign-in. */
  afterFirstFactor(
    tenant: TenantRef,
    userId: string,
    amr: readonly string[],
    returnTo: string,
    facts: RequestFacts,
    options?: { force?: boolean; stepUpSession?: string },
  ): Promise<SignInOutcome | undefined>;
  /** Completes a pending sign-in whose second factor passed. */
  passed(
    tenant: TenantRef,
    pending: PendingSignIn,
    factorAmr: readonly string[],
    facts: RequestFacts,
  ): Promise<SignInOutcome>;
  hook: RequireMfa;
  dataOf(pending: PendingSignIn): MfaPendingData;
}

export function createMfaSignIn(deps: { mfa: MfaService; accounts: AccountsService }): MfaSignIn {
  const { mfa, accounts } = deps;
  const base = (t: TenantRef) => `/t/${t.slug}`;

  const signIn: MfaSignIn = {
    async afterFirstFactor(tenant, userId, amr, returnTo, _facts, options = {}) {
      const step = await mfa.signInStep(tenant.id, userId);
      let data: MfaPendingData;
      if (step.kind === 'verify') data = { next: 'verify' };
      else if (step.kind === 'enrol') data = { next: 'enrol', graceEndsAt: step.graceEndsAt };
      else if (options.force) data = { next: 'enrol', graceEndsAt: null };
      else return undefined;
      if (options.stepUpSession) data.stepUpSession = options.stepUpSession;
      const secret = await accounts.pending.create({
        tenantId: tenant.id,
        userId,
        amr: [...amr],
        returnTo,
        stage: 'mfa',
        data: { ...data },
      });
      return {
        kind: 'pending',
        secret,
        location: `${base(tenant)}/mfa${data.next === 'enrol' ? '/enrol' : ''}`,
      };
    },

    async passed(tenant, pending, factorAmr, facts) {
      const amr = [...new Set([...pending.amr, ...factorAmr])];
      const data = signIn.dataOf(pending);
      const outcome = await accounts.completeSignIn({
        tenant,
        userId: pending.userId,
        amr,
        ...(amr.includes('mfa') ? { acr: ACR_MFA } : {}),
        returnTo: pending.returnTo,
        ...facts,
      });
      if (data.stepUpSession && outcome.kind === 'session')
        await accounts.sessions
          .revoke(tenant.id, data.stepUpSession, {
            actor: `user:${pending.userId}`,
            requestId: facts.requestId,
            reason: 'stepped_up',
            userId: pending.userId,
          })
          .catch(() => {});
      return outcome;
    },

    hook: (attempt) => {
      if (!attempt.user) return Promise.resolve(undefined);
      return signIn.afterFirstFactor(attempt.tenant, attempt.user.id, attempt.amr, attempt.returnTo, attempt);
    },

    dataOf: (pending) => (pending.data ?? { next: 'verify' }) as unknown as MfaPendingData,
  };
  return signIn;
}
